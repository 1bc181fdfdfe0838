//! Usager search: the terms indexed per usager, how a typed query becomes prefix lookups, and
//! the ranking of matches. The server stores [`terms`] in `user_search_terms` (one row per term)
//! and answers a query with one indexed range scan per [`Query`] token; a usager matches when
//! every token prefixes one of its terms.

use super::fold;

/// Fields of a usager that search reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Searchable<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub birth_name: Option<&'a str>,
    pub email: Option<&'a str>,
    /// E.164 (`+33612345678`).
    pub phone_e164: Option<&'a str>,
}

/// Calling codes whose national form starts with a trunk `0` (mainland and overseas France).
const FRENCH_CODES: [&str; 5] = ["33", "262", "590", "594", "596"];

/// Where a term comes from. Lookups read the kinds in this order, so that a prefix typed at
/// the counter finds last names before first names, and names before e-mails and phones,
/// without sorting the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermKind {
    /// Last name and birth name words.
    LastName = 0,
    /// First name words.
    FirstName = 1,
    /// E-mail (whole and words) and phone digits.
    Contact = 2,
    /// "first last" and "last first" in full: a two-word query typed in either order is one
    /// range scan instead of an intersection of two large sets.
    FullName = 3,
}

impl TermKind {
    /// The kinds single-token lookups read, in ranking order.
    pub const ALL: [TermKind; 3] = [TermKind::LastName, TermKind::FirstName, TermKind::Contact];
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    fold(text).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect::<Vec<_>>().into_iter()
}

/// The indexed terms of a usager: folded words of the names, the whole email and its words,
/// the phone's digits in E.164 form (`33612345678`) and national form (`0612345678`).
pub fn terms(u: &Searchable<'_>) -> Vec<(TermKind, String)> {
    let mut out: Vec<(TermKind, String)> = Vec::new();
    for text in [Some(u.last_name), u.birth_name].into_iter().flatten() {
        out.extend(words(text).map(|w| (TermKind::LastName, w)));
    }
    out.extend(words(u.first_name).map(|w| (TermKind::FirstName, w)));
    let (first, last) = (fold(u.first_name), fold(u.last_name));
    if !first.is_empty() && !last.is_empty() {
        out.push((TermKind::FullName, format!("{first} {last}")));
        out.push((TermKind::FullName, format!("{last} {first}")));
    }
    if let Some(email) = u.email {
        out.extend(words(email).map(|w| (TermKind::Contact, w)));
        out.push((TermKind::Contact, email.trim().to_lowercase()));
    }
    if let Some(phone) = u.phone_e164 {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if let Some(code) = FRENCH_CODES.iter().find(|c| digits.starts_with(**c)) {
            out.push((TermKind::Contact, format!("0{}", &digits[code.len()..])));
        }
        out.push((TermKind::Contact, digits));
    }
    out.sort();
    out.dedup();
    out
}

/// A typed query, ready for lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Every token must prefix one of the usager's terms.
    pub tokens: Vec<String>,
    /// When the query is a number: also the usager with that id.
    pub id: Option<i32>,
    /// Several words, folded, in the order typed: a prefix of a [`TermKind::FullName`] term.
    pub phrase: Option<String>,
}

impl Query {
    /// `None` when the query holds nothing searchable (blank, punctuation only).
    ///
    /// - Something that looks like a phone number (`06 12 34`, `+33 6 12`, `0033612…`) is one
    ///   digits token, so that spaces and dots typed by the agent do not matter.
    /// - Something with an `@` is one email token.
    /// - Anything else: folded words (`Dupont Jean`, `jean.dup`).
    pub fn parse(raw: &str) -> Option<Query> {
        let trimmed = raw.trim();
        let phone_like = trimmed.chars().all(|c| c.is_ascii_digit() || " .-+()/".contains(c))
            && trimmed.chars().filter(char::is_ascii_digit).count() >= 1;
        if phone_like {
            let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
            let id = if digits.len() <= 9 && !digits.starts_with('0') { digits.parse().ok() } else { None };
            let digits = match digits.strip_prefix("00") {
                Some(rest) if trimmed.starts_with("00") => rest.to_owned(),
                _ => digits,
            };
            return Some(Query { tokens: vec![digits], id, phrase: None });
        }
        if trimmed.contains('@') {
            return Some(Query { tokens: vec![trimmed.to_lowercase()], id: None, phrase: None });
        }
        let mut tokens: Vec<String> = fold(trimmed).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
        tokens.sort();
        tokens.dedup();
        // A token that prefixes another adds nothing (`jean jeanne`).
        let all = tokens.clone();
        tokens.retain(|t| !all.iter().any(|o| o != t && o.starts_with(t.as_str())));
        if tokens.is_empty() {
            return None;
        }
        let folded = fold(trimmed);
        let phrase = folded.contains(' ').then_some(folded);
        Some(Query { tokens, id: None, phrase })
    }
}

/// The exclusive upper bound of the prefix range of `token`: `term >= token AND term < upper`.
/// Terms are ASCII, so appending the highest ASCII character bounds every continuation.
pub fn prefix_upper_bound(token: &str) -> String {
    format!("{token}\u{7f}")
}

/// Ranking key of a match (smaller first): an exact last name beats a last-name prefix, which
/// beats a first-name match, which beats any other match; then alphabetical order.
pub fn rank(query: &Query, u: &Searchable<'_>, id: i32) -> (u8, String, String) {
    let last = fold(u.last_name);
    let first = fold(u.first_name);
    let words = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
    let (last_words, first_words) = (words(&last), words(&first));
    let score = if query.id == Some(id) {
        0
    } else if query.tokens.iter().any(|t| last_words.contains(t)) {
        1
    } else if query.tokens.iter().any(|t| last_words.iter().any(|w| w.starts_with(t.as_str()))) {
        2
    } else if query.tokens.iter().any(|t| first_words.iter().any(|w| w.starts_with(t.as_str()))) {
        3
    } else {
        4
    };
    (score, last, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jean() -> Searchable<'static> {
        Searchable {
            first_name: "Jean-Édouard",
            last_name: "Dupont",
            birth_name: Some("Lefèvre"),
            email: Some("jean.dupont@example.fr"),
            phone_e164: Some("+33612345678"),
        }
    }

    fn matches(q: &str, u: &Searchable<'_>) -> bool {
        let terms: Vec<String> = terms(u).into_iter().map(|(_, t)| t).collect();
        let Some(q) = Query::parse(q) else { return false };
        q.tokens.iter().all(|t| terms.iter().any(|term| term.starts_with(t.as_str())))
    }

    #[test]
    fn terms_cover_names_email_and_both_phone_forms() {
        let t = terms(&jean());
        let has = |kind: TermKind, term: &str| t.contains(&(kind, term.to_owned()));
        for expected in ["dupont", "lefevre"] {
            assert!(has(TermKind::LastName, expected), "{expected} in {t:?}");
        }
        for expected in ["jean", "edouard"] {
            assert!(has(TermKind::FirstName, expected), "{expected} in {t:?}");
        }
        for expected in ["jean", "dupont", "jean.dupont@example.fr", "0612345678", "33612345678"] {
            assert!(has(TermKind::Contact, expected), "{expected} in {t:?}");
        }
    }

    #[test]
    fn overseas_numbers_have_their_national_form() {
        let u = Searchable { phone_e164: Some("+262692123456"), ..jean() };
        assert!(terms(&u).contains(&(TermKind::Contact, "0692123456".to_owned())));
    }

    #[test]
    fn query_table() {
        let cases = [
            ("dup", true),
            ("DUPONT jean", true),
            ("dupont édouard", true),
            ("lefe", true),
            ("06 12 34", true),
            ("06.12.34.56.78", true),
            ("+33 6 12 34", true),
            ("0033 6 12", true),
            ("jean.dupont@ex", true),
            ("JEAN.DUPONT@EXAMPLE.FR", true),
            ("jean.dup", true),
            ("durand", false),
            ("dupont marie", false),
            ("07 12", false),
            ("upont", false),
        ];
        for (q, expected) in cases {
            assert_eq!(matches(q, &jean()), expected, "{q}");
        }
    }

    #[test]
    fn full_names_in_both_orders_and_the_typed_phrase() {
        let t = terms(&jean());
        assert!(t.contains(&(TermKind::FullName, "jean edouard dupont".to_owned())));
        assert!(t.contains(&(TermKind::FullName, "dupont jean edouard".to_owned())));
        assert_eq!(Query::parse("Dupont  Jean-É").and_then(|q| q.phrase), Some("dupont jean e".to_owned()));
        assert_eq!(Query::parse("dupont").and_then(|q| q.phrase), None);
    }

    #[test]
    fn blank_and_numbers() {
        assert_eq!(Query::parse("  "), None);
        assert_eq!(Query::parse("--"), None);
        assert_eq!(Query::parse("4242").map(|q| q.id), Some(Some(4242)));
        assert_eq!(Query::parse("0612").map(|q| q.id), Some(None), "a leading zero is a phone number");
    }

    #[test]
    fn redundant_prefix_tokens_are_dropped() {
        assert_eq!(Query::parse("jean jeanne").map(|q| q.tokens), Some(vec!["jeanne".to_owned()]));
    }

    #[test]
    fn ranking_prefers_exact_last_names() {
        let q = Query::parse("martin").unwrap_or(Query { tokens: vec![], id: None, phrase: None });
        let exact = Searchable { first_name: "Zoé", last_name: "Martin", ..Default::default() };
        let prefix = Searchable { first_name: "Alice", last_name: "Martinez", ..Default::default() };
        let first = Searchable { first_name: "Martine", last_name: "Aubry", ..Default::default() };
        assert!(rank(&q, &exact, 1) < rank(&q, &prefix, 2));
        assert!(rank(&q, &prefix, 2) < rank(&q, &first, 3));
        assert_eq!(rank(&Query { tokens: vec![], id: Some(3), phrase: None }, &first, 3).0, 0);
    }
}
