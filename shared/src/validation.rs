//! Field rules shared by the API (authoritative) and the SPA forms (early feedback).
//!
//! Each rule returns `Err(code)` with a stable error code (`blank`, `invalid`, `too_short`…) that
//! ends up in the 422 body's `errors.<field>[].error`, as RDV-Solidarités does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One validation failure on a field: `{"error": "invalid"}` plus optional details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Stable code: `blank`, `invalid`, `taken`, `too_short`, `too_long`, `inclusion`…
    pub error: String,
    /// For `taken`: the offending value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// For `taken` on a usager's email: the id of the usager owning it (integrators adopt it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
}

impl FieldError {
    pub fn new(code: impl Into<String>) -> Self {
        FieldError { error: code.into(), value: None, id: None }
    }
}

/// Field name → failures, plus the human sentences for `error_messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors {
    pub fields: BTreeMap<String, Vec<FieldError>>,
    pub messages: Vec<String>,
}

impl Errors {
    pub fn add(&mut self, field: &str, code: &str) {
        self.fields.entry(field.to_owned()).or_default().push(FieldError::new(code));
        self.messages.push(format!("{field} {}", message_fr(code)));
    }

    pub fn check(&mut self, field: &str, result: Result<(), &'static str>) {
        if let Err(code) = result {
            self.add(field, code);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// The French sentence for an error code, in the reference's `"<field> <message>"` style.
pub fn message_fr(code: &str) -> &'static str {
    match code {
        "blank" => "doit être rempli(e)",
        "taken" => "est déjà utilisé(e)",
        "too_short" => "est trop court(e)",
        "too_long" => "est trop long(ue)",
        "inclusion" => "n'est pas inclus(e) dans la liste",
        "greater_than" => "doit être supérieur(e) à la valeur minimale",
        "greater_than_or_equal_to" => "est trop petit(e)",
        "less_than_or_equal_to" => "est trop grand(e)",
        "last_admin" => "ne peut pas être retiré : il doit rester au moins un administrateur",
        "unknown" => "n'est pas un champ connu",
        "self_responsible" => "ne peut pas être l'usager lui-même",
        "responsible_is_relative" => "est déjà le proche d'un autre usager : choisissez son responsable",
        "has_relatives" => "ne peut pas être renseigné : cet usager est responsable d'autres proches",
        "disabled" => "n'est pas activé sur ce territoire",
        "future_rdvs" => "ne peut pas être retiré(e) : des RDV à venir existent dans cette organisation (annulez-les ou déplacez-les d'abord)",
        "after_start" => "doit être après le début.",
        "other_departement" => "n'est pas une commune du département du territoire",
        "present" => "doit rester vide pour une zone « commune entière »",
        "sunday" => "ne peut pas tomber un dimanche : aucune plage d'ouverture le dimanche",
        "saturday" => "ne peut pas tomber un samedi : l'organisation n'ouvre pas le samedi (réglage de l'organisation)",
        "multi_day" => "n'est pas possible pour une indisponibilité sur plusieurs jours",
        "collective_status" => "n'est pas possible pour un RDV collectif (à venir, effectué ou annulé seulement)",
        "not_started" => "n'est possible qu'une fois le rendez-vous commencé",
        "full" => "est atteint : le RDV collectif est complet",
        "required_on_site" => "doit être renseigné(e) pour un motif sur place",
        "identical" => "existe déjà : un RDV identique (mêmes usagers, agents, lieu et horaire) existe",
        "frozen" => "ne peut plus être modifié (champ figé sur ce territoire)",
        "control_characters" => "contient des caractères de contrôle interdits (caractère nul, etc.)",
        "out_of_range" => "est hors des dates acceptées (années 1800 à 2200, écrites sur quatre chiffres)",
        "confirmation" => "ne correspond pas au mot de passe",
        "leap_second" => "ne peut pas contenir de seconde intercalaire (:60)",
        "too_precise" => "doit être à la seconde près (pas de fraction de seconde)",
        "weak_password" => {
            "doit contenir au moins 12 caractères dont un chiffre, une majuscule et un caractère spécial"
        }
        _ => "n'est pas valide",
    }
}

/// Does a text input hold a control character we refuse? C0 controls (NUL included, which
/// PostgreSQL cannot store in text while SQLite can: the two backends would hold different data)
/// and DEL; tab, line feed and carriage return are text.
pub fn has_forbidden_control(value: &str) -> bool {
    value.chars().any(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// An integral number written with a fraction of zeros (`-5.0` → -5): an integer for JSON
/// Schema, which query strings may carry. `None` for anything else, plain integers included.
pub fn integral_with_zero_fraction(text: &str) -> Option<i64> {
    let (whole, fraction) = text.trim().split_once('.')?;
    (!fraction.is_empty() && fraction.bytes().all(|b| b == b'0')).then(|| whole.parse().ok()).flatten()
}

/// An optional text as stored: trimmed, and blank becomes `None`.
pub fn optional_text(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A required text: not empty once trimmed, at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<(), &'static str> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err("blank")
    } else if trimmed.chars().count() > max {
        Err("too_long")
    } else {
        Ok(())
    }
}

/// Password policy of RDV-Solidarités agents (reference §1.3): ≥ 12 characters with at least one
/// digit, one upper-case letter and one character that is neither a letter nor a digit.
pub fn password_strength(password: &str) -> Result<(), &'static str> {
    let long_enough = password.chars().count() >= 12;
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let upper = password.chars().any(|c| c.is_uppercase());
    let symbol = password.chars().any(|c| !c.is_alphanumeric());
    if long_enough && digit && upper && symbol && password.len() <= 128 {
        Ok(())
    } else {
        Err("weak_password")
    }
}

/// An IANA time zone name known to the tz database (e.g. `Europe/Paris`, `America/Cayenne`).
pub fn time_zone(name: &str) -> Result<chrono_tz::Tz, &'static str> {
    name.parse::<chrono_tz::Tz>().map_err(|_| "invalid")
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Deliverability is proven by sending, not by regexes.
pub fn email(value: &str) -> Result<(), &'static str> {
    let value = value.trim();
    let Some((local, domain)) = value.split_once('@') else { return Err("invalid") };
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
        && value.len() <= 254;
    if ok {
        Ok(())
    } else {
        Err("invalid")
    }
}

/// Normalised form of an email for storage and lookups: trimmed, lower-case.
pub fn normalise_email(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A web address: `http://` or `https://`, a host with a dot, no spaces.
pub fn website(value: &str) -> Result<(), &'static str> {
    let v = value.trim();
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://")).ok_or("invalid")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.contains('.') && !v.chars().any(char::is_whitespace) && v.len() <= 500 {
        Ok(())
    } else {
        Err("invalid")
    }
}

/// An organisation's phone: a 4-digit short number (e.g. `3949`), a French national number
/// (`03 21 00 00 00`) or an international one (`+262 262 00 00 00`). Separators allowed.
pub fn organisation_phone(value: &str) -> Result<(), &'static str> {
    let trimmed = value.trim();
    if !trimmed.chars().all(|c| c.is_ascii_digit() || " .-+()".contains(c)) {
        return Err("invalid");
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = trimmed.starts_with('+');
    let ok = match (international, digits.len()) {
        (false, 4) => true,
        (false, 10) => digits.starts_with('0') && !digits.starts_with("00"),
        (true, 8..=15) => !digits.starts_with('0'),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err("invalid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_table() {
        let cases = [
            ("Rdv-Demo-2026!", true),
            ("short1A!", false),
            ("nouppercase-2026", false),
            ("NoDigitsHere-abc", false),
            ("NoSymbol2026abc", false),
            ("Mot de passe 2026", true), // a space is a symbol
            ("Éléphant-rose-42", true),  // non-ASCII upper case counts
        ];
        for (pw, ok) in cases {
            assert_eq!(password_strength(pw).is_ok(), ok, "{pw}");
        }
    }

    #[test]
    fn time_zone_table() {
        for tz in ["Europe/Paris", "America/Cayenne", "Indian/Reunion", "Indian/Mayotte", "America/Martinique"] {
            assert!(time_zone(tz).is_ok(), "{tz}");
        }
        for tz in ["Paris", "Europe/Pariss", "", "UTC+1"] {
            assert_eq!(time_zone(tz).err(), Some("invalid"), "{tz}");
        }
    }

    #[test]
    fn email_table() {
        let cases = [
            ("agent@mds-arras.fr", true),
            ("a.b+c@pas-de-calais.gouv.fr", true),
            ("no-at-sign", false),
            ("two@@signs.fr", false),
            ("space in@domain.fr", false),
            ("nodot@domain", false),
            ("@domain.fr", false),
        ];
        for (e, ok) in cases {
            assert_eq!(email(e).is_ok(), ok, "{e}");
        }
        assert_eq!(normalise_email("  Agent@MDS.fr "), "agent@mds.fr");
    }

    #[test]
    fn optional_text_table() {
        assert_eq!(optional_text(Some("  Arras ")), Some("Arras".to_owned()));
        assert_eq!(optional_text(Some("   ")), None);
        assert_eq!(optional_text(None), None);
    }

    #[test]
    fn website_table() {
        for (w, ok) in [
            ("https://www.pasdecalais.fr", true),
            ("http://mds-arras.fr/horaires", true),
            ("www.pasdecalais.fr", false),
            ("https://localhost", false),
            ("https://a b.fr", false),
            ("javascript:alert(1)", false),
        ] {
            assert_eq!(website(w).is_ok(), ok, "{w}");
        }
    }

    #[test]
    fn organisation_phone_table() {
        let cases = [
            ("3949", true),
            ("03 21 00 00 00", true),
            ("03.21.00.00.00", true),
            ("+262 262 12 34 56", true),
            ("+33321000000", true),
            ("12345", false),
            ("0321", true),
            ("call me", false),
            ("0033 3 21 00 00 00", false),
        ];
        for (p, ok) in cases {
            assert_eq!(organisation_phone(p).is_ok(), ok, "{p}");
        }
    }

    #[test]
    fn errors_collect_messages() {
        let mut errors = Errors::default();
        errors.check("name", required_text("  ", 100));
        errors.check("email", email("bad"));
        errors.check("phone_number", organisation_phone("3949"));
        assert_eq!(errors.fields.len(), 2);
        assert_eq!(errors.messages, vec!["name doit être rempli(e)", "email n'est pas valide"]);
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_text() {
        for (text, refused) in [
            ("Martin", false),
            ("ligne 1\nligne 2\r\n\tindentée", false),
            ("é à ç — « »", false),
            ("nul\u{0}", true),
            ("bell\u{7}", true),
            ("escape\u{1b}[0m", true),
            ("del\u{7f}", true),
            ("", false),
        ] {
            assert_eq!(has_forbidden_control(text), refused, "{text:?}");
        }
    }
}
