//! French public holidays for any year, with the local ones of the territory (reference-domain.md
//! §9.1/§9.4: RDV-Solidarités hard-codes a list that stops in 2026 and ignores Alsace-Moselle and
//! the overseas départements; this never runs out).

use chrono::{Datelike, Duration, NaiveDate};

/// Easter Sunday (Gregorian calendar), by the anonymous Meeus/Jones/Butcher algorithm.
pub fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The public holidays of `year` in the département numbered `departement` ("62", "57", "974"…),
/// sorted by date, with their French names.
pub fn holidays(year: i32, departement: &str) -> Vec<(NaiveDate, &'static str)> {
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let mut out: Vec<(NaiveDate, &'static str)> = [
        (date(1, 1), "Jour de l'an"),
        (date(5, 1), "Fête du Travail"),
        (date(5, 8), "Victoire 1945"),
        (date(7, 14), "Fête nationale"),
        (date(8, 15), "Assomption"),
        (date(11, 1), "Toussaint"),
        (date(11, 11), "Armistice 1918"),
        (date(12, 25), "Noël"),
    ]
    .into_iter()
    .filter_map(|(d, name)| d.map(|d| (d, name)))
    .collect();
    if let Some(easter) = easter(year) {
        out.push((easter + Duration::days(1), "Lundi de Pâques"));
        out.push((easter + Duration::days(39), "Ascension"));
        out.push((easter + Duration::days(50), "Lundi de Pentecôte"));
        if matches!(departement, "57" | "67" | "68") {
            out.push((easter - Duration::days(2), "Vendredi saint"));
        }
    }
    let local = match departement {
        "57" | "67" | "68" => Some((date(12, 26), "Saint-Étienne")),
        "971" => Some((date(5, 27), "Abolition de l'esclavage")),
        "972" => Some((date(5, 22), "Abolition de l'esclavage")),
        "973" => Some((date(6, 10), "Abolition de l'esclavage")),
        "974" => Some((date(12, 20), "Abolition de l'esclavage")),
        "976" => Some((date(4, 27), "Abolition de l'esclavage")),
        _ => None,
    };
    if let Some((Some(d), name)) = local {
        out.push((d, name));
    }
    out.sort();
    out
}

/// Is `date` a public holiday in that département?
pub fn is_holiday(date: NaiveDate, departement: &str) -> bool {
    holidays(date.year(), departement).iter().any(|(d, _)| *d == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn easter_dates() {
        let known = [
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2030, "2030-04-21"),
            (2038, "2038-04-25"),
            (2100, "2100-03-28"),
        ];
        for (year, date) in known {
            assert_eq!(easter(year), Some(d(date)), "{year}");
        }
    }

    #[test]
    fn mainland_2027_and_beyond_the_reference_list() {
        let h: Vec<NaiveDate> = holidays(2027, "62").into_iter().map(|(d, _)| d).collect();
        assert_eq!(h.len(), 11);
        for date in ["2027-01-01", "2027-03-29", "2027-05-06", "2027-05-17", "2027-07-14", "2027-12-25"] {
            assert!(h.contains(&d(date)), "{date}");
        }
        assert!(is_holiday(d("2031-04-14"), "62"), "Easter Monday 2031: the reference's list stopped in 2026");
        assert!(!is_holiday(d("2027-12-26"), "62"));
    }

    #[test]
    fn local_holidays_by_departement() {
        let cases = [
            ("57", "2026-04-03", true), // Good Friday, Moselle
            ("67", "2026-12-26", true), // Saint-Étienne, Bas-Rhin
            ("68", "2026-12-26", true),
            ("62", "2026-04-03", false),
            ("971", "2026-05-27", true), // Guadeloupe
            ("972", "2026-05-22", true), // Martinique
            ("973", "2026-06-10", true), // Guyane
            ("974", "2026-12-20", true), // La Réunion
            ("976", "2026-04-27", true), // Mayotte
            ("974", "2026-05-27", false),
        ];
        for (dep, date, expected) in cases {
            assert_eq!(is_holiday(d(date), dep), expected, "{dep} {date}");
        }
        assert_eq!(holidays(2026, "57").len(), 13);
    }
}
