//! Usager field rules (reference-domain.md §1.4, reference-api-v1.md §3.2): birth dates within
//! 130 years and not in the future, emails with common typos corrected, phone numbers of
//! mainland France and the overseas départements normalised to E.164.

use chrono::{Datelike, NaiveDate};

pub mod fields;
pub mod import;
pub mod mask;
pub mod search;

/// Case-, accent- and punctuation-insensitive form of a text: ASCII transliteration
/// (`Élise Bérénice-Ñúñez` → `elise berenice nunez`), lower case, words separated by one space.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The check of the usager's link in a notification (reference §4.9): the first three letters of
/// the last name, ignoring case, accents, spaces and punctuation (the whole name when shorter).
pub fn initials_match(last_name: &str, typed: &str) -> bool {
    let letters = |s: &str| fold(s).chars().filter(char::is_ascii_alphanumeric).take(3).collect::<String>();
    let expected = letters(last_name);
    !expected.is_empty() && letters(typed) == expected
}

/// The duplicate-warning key: same first and last names (folded) and same birth date
/// (reference-domain.md §9.2). `None` without a birth date: names alone are too common.
pub fn identity_key(first_name: &str, last_name: &str, birth_date: Option<NaiveDate>) -> Option<String> {
    birth_date.map(|d| format!("{}|{}|{d}", fold(first_name), fold(last_name)))
}

/// Is this user an adult at `today`? (`minor?` in the reference: born less than 18 years ago.)
pub fn is_minor(birth_date: Option<NaiveDate>, today: NaiveDate) -> bool {
    let Some(born) = birth_date else { return false };
    let eighteen = born.with_year(born.year() + 18).unwrap_or(NaiveDate::MAX);
    eighteen > today
}

/// Birth date: not in the future, not more than 130 years before `today`.
pub fn birth_date(date: NaiveDate, today: NaiveDate) -> Result<(), &'static str> {
    let oldest = today.with_year(today.year() - 130).unwrap_or(NaiveDate::MIN);
    if date > today || date < oldest {
        Err("invalid")
    } else {
        Ok(())
    }
}

/// An email as stored: trimmed, lower-case, blank → `None`, with the reference's automatic
/// corrections (`".@"` → `"@"`, `".."` → `"."`).
pub fn normalise_email(raw: &str) -> Option<String> {
    let mut e = raw.trim().to_lowercase();
    if e.is_empty() {
        return None;
    }
    while e.contains("..") {
        e = e.replace("..", ".");
    }
    Some(e.replace(".@", "@"))
}

/// Regions tried in order when a number has no country code: mainland France, then the overseas
/// départements (Guadeloupe, Guyane, Martinique, La Réunion, Mayotte).
#[cfg(feature = "phone")]
const REGIONS: [phonenumber::country::Id; 6] = {
    use phonenumber::country::Id::*;
    [FR, GP, GF, MQ, RE, YT]
};

/// A phone number in E.164 (`+33612345678`), from national (`06 12 34 56 78`, `0692 12 34 56`)
/// or international input; `Err("invalid")` otherwise. Overseas mobile prefixes are matched to
/// their département (`0692…` is La Réunion, not mainland France).
#[cfg(feature = "phone")]
pub fn phone_e164(raw: &str) -> Result<String, &'static str> {
    use phonenumber::Mode;
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().any(|c| c.is_alphabetic()) {
        return Err("invalid");
    }
    // "00" is the international prefix dialled from France.
    let plus;
    let trimmed = match trimmed.strip_prefix("00") {
        Some(rest) => {
            plus = format!("+{rest}");
            plus.as_str()
        }
        None => trimmed,
    };
    let candidates: Vec<Option<phonenumber::country::Id>> =
        if trimmed.starts_with('+') { vec![None] } else { REGIONS.iter().copied().map(Some).collect() };
    // The most specific region wins: an overseas number is also a syntactically valid mainland one.
    let mut valid: Vec<phonenumber::PhoneNumber> = candidates
        .into_iter()
        .filter_map(|region| phonenumber::parse(region, trimmed).ok())
        .filter(phonenumber::is_valid)
        .collect();
    valid.sort_by_key(|n| if n.code().value() == 33 { 1 } else { 0 });
    valid.first().map(|n| n.format().mode(Mode::E164).to_string()).ok_or("invalid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn birth_date_window() {
        let today = d("2026-11-22");
        assert!(birth_date(d("2024-03-01"), today).is_ok());
        assert!(birth_date(d("1896-11-22"), today).is_ok(), "exactly 130 years");
        assert_eq!(birth_date(d("1896-11-21"), today), Err("invalid"));
        assert_eq!(birth_date(d("2026-11-23"), today), Err("invalid"), "tomorrow");
        assert!(birth_date(today, today).is_ok(), "born today");
    }

    #[test]
    fn initials_of_the_last_name() {
        let cases = [
            ("Dupont", "dup", true),
            ("Dupont", "DUP", true),
            ("Dupont", "dupont", true),
            ("Dupont", "du", false),
            ("Dupont", "dpu", false),
            ("Élise-Ørsted", "eli", true),
            ("O'Connor", "oco", true),
            ("O'Connor", "o'co", true),
            ("Li", "li", true),
            ("Li", "lin", false),
            ("", "", false),
        ];
        for (name, typed, ok) in cases {
            assert_eq!(initials_match(name, typed), ok, "{name} / {typed}");
        }
    }

    #[test]
    fn fold_removes_case_accents_and_punctuation() {
        assert_eq!(fold("  Élise Bérénice-Ñúñez "), "elise berenice nunez");
        assert_eq!(fold("O'Connor"), "o connor");
        assert_eq!(fold("ŒUVRE"), "oeuvre");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn identity_key_ignores_case_and_accents() {
        let born = Some(d("1990-05-04"));
        assert_eq!(identity_key("Héloïse", "DUPONT", born), identity_key("heloise", "Dupont ", born));
        assert_ne!(identity_key("Héloïse", "Dupont", born), identity_key("Héloïse", "Dupont", Some(d("1990-05-05"))));
        assert_eq!(identity_key("Héloïse", "Dupont", None), None);
    }

    #[test]
    fn minors() {
        let today = d("2026-11-22");
        assert!(is_minor(Some(d("2008-11-23")), today));
        assert!(!is_minor(Some(d("2008-11-22")), today), "18 today");
        assert!(!is_minor(None, today));
    }

    #[test]
    fn email_corrections() {
        let cases = [
            ("  Jean.Dupont@Gmail.com ", Some("jean.dupont@gmail.com")),
            ("jean.@gmail.com", Some("jean@gmail.com")),
            ("jean..dupont@gmail..com", Some("jean.dupont@gmail.com")),
            ("", None),
            ("   ", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalise_email(raw).as_deref(), expected, "{raw:?}");
        }
    }

    #[cfg(feature = "phone")]
    #[test]
    fn phone_table() {
        let cases = [
            ("06 12 34 56 78", Ok("+33612345678")),
            ("+33 6 12 34 56 78", Ok("+33612345678")),
            ("0033612345678", Ok("+33612345678")),
            ("03 21 00 00 00", Ok("+33321000000")),
            ("0692 12 34 56", Ok("+262692123456")), // La Réunion mobile
            ("0639 01 23 45", Ok("+262639012345")), // Mayotte mobile
            ("0690 12 34 56", Ok("+590690123456")), // Guadeloupe mobile
            ("0694 12 34 56", Ok("+594694123456")), // Guyane mobile
            ("0696 12 34 56", Ok("+596696123456")), // Martinique mobile
            ("12", Err("invalid")),
            ("06 12 34", Err("invalid")),
            ("appelez-moi", Err("invalid")),
        ];
        for (raw, expected) in cases {
            assert_eq!(phone_e164(raw).as_deref().map_err(|e| *e), expected, "{raw}");
        }
    }
}
