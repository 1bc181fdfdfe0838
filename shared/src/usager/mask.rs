//! Partial masking of a usager seen from another organisation of the territory
//! (reference-domain.md §2.6): enough to recognise the person at the counter, not to learn
//! their contact details.

use chrono::{Datelike, NaiveDate};

/// `04/05/****`: day and month only.
pub fn birth_date(date: NaiveDate) -> String {
    format!("{:02}/{:02}/****", date.day(), date.month())
}

/// National form with the six middle digits hidden: `06******78`.
pub fn phone(e164: &str) -> String {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    let national = ["33", "262", "590", "594", "596"]
        .iter()
        .find(|c| e164.starts_with('+') && digits.starts_with(**c))
        .map(|c| format!("0{}", &digits[c.len()..]))
        .unwrap_or(digits);
    let n = national.chars().count();
    if n <= 4 {
        return "*".repeat(n);
    }
    let keep_start = 2;
    let keep_end = 2.min(n - keep_start);
    let stars = n - keep_start - keep_end;
    let chars: Vec<char> = national.chars().collect();
    format!(
        "{}{}{}",
        chars[..keep_start].iter().collect::<String>(),
        "*".repeat(stars),
        chars[n - keep_end..].iter().collect::<String>()
    )
}

/// First and last characters of the local part, the domain kept: `j********t@example.fr`.
pub fn email(address: &str) -> String {
    let Some((local, domain)) = address.split_once('@') else { return "*".repeat(address.chars().count()) };
    let chars: Vec<char> = local.chars().collect();
    let masked = match chars.len() {
        0 => String::new(),
        1 | 2 => "*".repeat(chars.len()),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    };
    format!("{masked}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        let date = NaiveDate::from_ymd_opt(1990, 5, 4).unwrap_or_default();
        assert_eq!(birth_date(date), "04/05/****");
        assert_eq!(phone("+33612345678"), "06******78");
        assert_eq!(phone("+262692123456"), "06******56");
        assert_eq!(phone("+4915112345678"), "49*********78");
        assert_eq!(phone("123"), "***");
        assert_eq!(email("jean.dupont@example.fr"), "j*********t@example.fr");
        assert_eq!(email("jo@example.fr"), "**@example.fr");
        assert_eq!(email("broken"), "******");
    }
}
