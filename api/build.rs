//! Re-embed migrations when a migration file changes (diesel's macro cannot notice it).
fn main() {
    println!("cargo:rerun-if-changed=../migrations/sqlite");
    println!("cargo:rerun-if-changed=../migrations/postgres");
}
