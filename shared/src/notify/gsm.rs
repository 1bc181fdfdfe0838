//! SMS alphabet: texts are folded to the GSM 03.38 basic alphabet without accents (operators
//! mangle the rest or switch to UCS-2, which halves the length of a segment), and their length
//! is counted in segments (160 septets alone, 153 each when concatenated).

/// Characters of the GSM extension table: they cost two septets.
const EXTENSION: &str = "^{}\\[]~|€";

/// `text` with accents stripped and anything outside the GSM alphabet transliterated
/// ("é" → "e", "œ" → "oe", "’" → "'"); characters with no transliteration become "?".
pub fn to_gsm(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            if c == '`' {
                out.push('\'');
            } else {
                out.push(c);
            }
            continue;
        }
        match deunicode::deunicode_char(c) {
            Some(t) if !t.is_empty() && t.is_ascii() => out.push_str(t),
            _ => out.push('?'),
        }
    }
    out
}

/// Septets of a GSM text.
pub fn septets(text: &str) -> usize {
    text.chars().map(|c| if EXTENSION.contains(c) { 2 } else { 1 }).sum()
}

/// Segments of a GSM text: 1 up to 160 septets, then one per 153.
pub fn segments(text: &str) -> usize {
    match septets(text) {
        0..=160 => 1,
        n => n.div_ceil(153),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_typography() {
        let cases = [
            ("RDV à l'accueil", "RDV a l'accueil"),
            ("Élodie Œuvray", "Elodie OEuvray"),
            ("l’école", "l'ecole"),
            ("Maison départementale — Arras", "Maison departementale -- Arras"),
            ("Noël ç ñ ü", "Noel c n u"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(to_gsm(input), expected, "{input}");
        }
        assert!(to_gsm("😀 ok").ends_with(" ok"));
    }

    #[test]
    fn counts_segments() {
        assert_eq!(segments(""), 1);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(septets("[x]"), 5, "brackets are extension characters");
        assert_eq!(segments(&"{".repeat(81)), 2, "162 septets");
    }
}
