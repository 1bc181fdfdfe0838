//! Small reusable pieces of the UI.

pub mod header;
