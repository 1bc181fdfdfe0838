//! Bulk import rules, pure: which column feeds which usager field (explicit mapping or the usual
//! French headers of CAF / département spreadsheets), and the date formats accepted.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::fold;

/// Importable fields and the headers recognised for each (compared folded).
pub const FIELDS: &[(&str, &[&str])] = &[
    ("first_name", &["prenom", "prenoms", "first name", "firstname", "first_name"]),
    ("last_name", &["nom", "nom d usage", "nom usage", "last name", "lastname", "last_name"]),
    ("birth_name", &["nom de naissance", "nom de jeune fille", "birth name", "birth_name"]),
    ("birth_date", &["date de naissance", "naissance", "date naissance", "birth date", "birth_date", "ddn"]),
    ("email", &["email", "e mail", "courriel", "adresse mail", "adresse email", "mail"]),
    ("phone_number", &["telephone", "tel", "portable", "numero de telephone", "phone", "phone number", "phone_number"]),
    ("address", &["adresse", "address", "adresse postale"]),
    ("post_code", &["code postal", "cp", "post code", "post_code"]),
    ("city_code", &["code insee", "insee", "code commune", "city code", "city_code"]),
    ("city_name", &["ville", "commune", "city", "city name", "city_name"]),
    ("address_details", &["complement d adresse", "complement adresse", "address details", "address_details"]),
    ("caisse_affiliation", &["caisse", "caisse d affiliation", "caisse_affiliation"]),
    (
        "affiliation_number",
        &[
            "n caf",
            "numero caf",
            "numero allocataire",
            "n allocataire",
            "matricule",
            "affiliation number",
            "affiliation_number",
        ],
    ),
    ("family_situation", &["situation familiale", "family situation", "family_situation"]),
    ("number_of_children", &["nombre d enfants", "enfants", "number of children", "number_of_children"]),
    ("case_number", &["numero de dossier", "n dossier", "dossier", "case number", "case_number"]),
    ("pmi_case_number", &["numero de dossier pmi", "dossier pmi", "pmi case number", "pmi_case_number"]),
    ("notes", &["remarques", "remarque", "notes", "observations"]),
];

/// Field → column index. `explicit` maps fields to header names and wins over the usual headers;
/// an explicit header that is absent, or an unknown field, is an error. First and last names are
/// required.
pub fn resolve_mapping(
    headers: &[String],
    explicit: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, usize>, String> {
    let folded: Vec<String> = headers.iter().map(|h| fold_header(h)).collect();
    let mut out = BTreeMap::new();
    for (field, header) in explicit {
        if !FIELDS.iter().any(|(f, _)| f == field) {
            return Err(format!("Champ inconnu dans la correspondance : « {field} »."));
        }
        let wanted = fold_header(header);
        let index = folded
            .iter()
            .position(|h| *h == wanted)
            .ok_or_else(|| format!("Colonne « {header} » absente du fichier (pour le champ {field})."))?;
        out.insert(field.clone(), index);
    }
    for (field, synonyms) in FIELDS {
        if out.contains_key(*field) {
            continue;
        }
        if let Some(index) = folded.iter().position(|h| synonyms.contains(&h.as_str())) {
            if !out.values().any(|i| *i == index) {
                out.insert((*field).to_owned(), index);
            }
        }
    }
    let missing: Vec<&str> = ["last_name", "first_name"].into_iter().filter(|f| !out.contains_key(*f)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "Colonnes obligatoires introuvables : {} (en-têtes lus : {}).",
            missing.join(", "),
            headers.join(", ")
        ));
    }
    Ok(out)
}

/// Headers compared folded; `N°` is "numéro", not "N deg".
fn fold_header(h: &str) -> String {
    fold(&h.replace(['°', 'º'], " "))
}

/// A date as typed in spreadsheets: `2024-03-01`, `01/03/2024`, `1/3/2024`, `01-03-2024`,
/// `01.03.2024`, or with a time after a space.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().split([' ', 'T']).next().unwrap_or("");
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// A spreadsheet date serial (days since 1899-12-30, Excel's epoch) as a date.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    epoch.checked_add_days(chrono::Days::new(serial.trunc() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn usual_french_headers_are_recognised() {
        let h = headers(&["NOM", "Prénom", "Date de naissance", "Téléphone", "Courriel", "N° CAF", "Commentaire"]);
        let m = resolve_mapping(&h, &BTreeMap::new()).unwrap_or_default();
        assert_eq!(m.get("last_name"), Some(&0));
        assert_eq!(m.get("first_name"), Some(&1));
        assert_eq!(m.get("birth_date"), Some(&2));
        assert_eq!(m.get("phone_number"), Some(&3));
        assert_eq!(m.get("email"), Some(&4));
        assert_eq!(m.get("affiliation_number"), Some(&5));
        assert_eq!(m.len(), 6, "unknown columns are ignored");
    }

    #[test]
    fn explicit_mapping_wins_and_is_checked() {
        let h = headers(&["Nom famille", "Prénom usuel", "Tel"]);
        let explicit = BTreeMap::from([
            ("last_name".to_owned(), "Nom famille".to_owned()),
            ("first_name".to_owned(), "prénom USUEL".to_owned()),
        ]);
        let m = resolve_mapping(&h, &explicit).unwrap_or_default();
        assert_eq!((m.get("last_name"), m.get("first_name"), m.get("phone_number")), (Some(&0), Some(&1), Some(&2)));
        let bad = BTreeMap::from([("last_name".to_owned(), "Absent".to_owned())]);
        assert!(resolve_mapping(&h, &bad).is_err_and(|e| e.contains("Absent")));
        let unknown = BTreeMap::from([("shoe_size".to_owned(), "Tel".to_owned())]);
        assert!(resolve_mapping(&h, &unknown).is_err());
        assert!(resolve_mapping(&headers(&["Tel"]), &BTreeMap::new()).is_err_and(|e| e.contains("last_name")));
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1);
        for s in ["2024-03-01", "01/03/2024", "1/3/2024", "01-03-2024", "01.03.2024", "2024-03-01 00:00:00"] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("mars 2024"), None);
        assert_eq!(excel_serial_date(45352.0), d);
        assert_eq!(excel_serial_date(-3.0), None);
    }
}
