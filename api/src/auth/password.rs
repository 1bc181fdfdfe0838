//! Password hashing with argon2id (the `argon2` crate's defaults, OWASP-level parameters).

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Constant-shape verification: an unknown agent or a missing hash still costs one argon2 run,
/// so response times do not reveal which emails have accounts.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(candidate)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("Rdv-Demo-2026!").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Rdv-Demo-2026!", Some(&h)));
        assert!(!verify("rdv-demo-2026!", Some(&h)));
        assert!(!verify("Rdv-Demo-2026!", None));
        assert!(!verify("x", Some("not a hash")));
    }
}
