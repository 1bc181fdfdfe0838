//! Sectorisation (reference-domain.md §1.10, §3.9, §8.3): which zones an address falls in, which
//! motifs are offered there, which agents may be booked, and the validation of zones and of
//! zone-import rows. Pure: the api reads the rows and asks here.

use serde::{Deserialize, Serialize};

use crate::enums::SectorisationLevel;

/// An address as the public search knows it: an INSEE city code, and the BAN street id when
/// the usager typed a street (`<city code>_<fantoir>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Place {
    pub departement: String,
    pub city_code: String,
    pub street_ban_id: Option<String>,
}

impl Place {
    /// The département of an INSEE code: two characters, three for overseas (97x, 98x).
    pub fn departement_of(city_code: &str) -> Option<String> {
        let code = city_code.trim();
        if code.len() != 5 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        Some(if code.starts_with("97") || code.starts_with("98") { &code[..3] } else { &code[..2] }.to_owned())
    }

    /// A place from a city code (and street id); `None` when the code is not an INSEE code.
    pub fn from_codes(city_code: &str, street_ban_id: Option<&str>) -> Option<Place> {
        let departement = Self::departement_of(city_code)?;
        let street = street_ban_id
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter(|s| s.starts_with(&format!("{}_", city_code.trim())))
            .map(str::to_owned);
        Some(Place { departement, city_code: city_code.trim().to_owned(), street_ban_id: street })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ZoneLevel {
    City,
    Street,
}

impl ZoneLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneLevel::City => "city",
            ZoneLevel::Street => "street",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "city" => Some(ZoneLevel::City),
            "street" => Some(ZoneLevel::Street),
            _ => None,
        }
    }
}

/// A zone: a whole city, or one street of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneFacts {
    pub sector_id: i32,
    pub level: ZoneLevel,
    pub city_code: String,
    pub street_ban_id: Option<String>,
}

/// Does the address fall in the zone? A city zone takes the whole city; a street zone only
/// that street (reference `zone.rb`).
pub fn zone_matches(zone: &ZoneFacts, place: &Place) -> bool {
    match zone.level {
        ZoneLevel::City => zone.city_code == place.city_code,
        ZoneLevel::Street => zone.street_ban_id.is_some() && zone.street_ban_id == place.street_ban_id,
    }
}

/// The sectors an address falls in.
pub fn sectors_of(zones: &[ZoneFacts], place: &Place) -> Vec<i32> {
    let mut out: Vec<i32> = zones.iter().filter(|z| zone_matches(z, place)).map(|z| z.sector_id).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A sector served by an organisation, or by one agent of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    pub sector_id: i32,
    pub organisation_id: i32,
    /// `None`: the whole organisation (level organisation); `Some`: that agent (level agent).
    pub agent_id: Option<i32>,
}

/// Who may be booked for a motif of `organisation_id` at this address: `None` = any agent of
/// the motif's plages; `Some(list)` = only those (level agent); an empty list = nobody, the
/// motif is not offered there (reference §3.9, §8.3).
pub fn bookable_agents(level: SectorisationLevel, organisation_id: i32, matching: &[Attribution]) -> Option<Vec<i32>> {
    match level {
        SectorisationLevel::Departement => None,
        SectorisationLevel::Organisation => {
            if matching.iter().any(|a| a.organisation_id == organisation_id && a.agent_id.is_none()) {
                None
            } else {
                Some(Vec::new())
            }
        }
        SectorisationLevel::Agent => {
            let mut agents: Vec<i32> =
                matching.iter().filter(|a| a.organisation_id == organisation_id).filter_map(|a| a.agent_id).collect();
            agents.sort_unstable();
            agents.dedup();
            Some(agents)
        }
    }
}

/// Checks a zone's fields for a territory of département `departement`: (field, error code).
pub fn validate_zone(
    departement: &str,
    level: ZoneLevel,
    city_code: &str,
    city_name: &str,
    street_name: Option<&str>,
    street_ban_id: Option<&str>,
) -> Vec<(&'static str, &'static str)> {
    let mut errors = Vec::new();
    if city_name.trim().is_empty() {
        errors.push(("city_name", "blank"));
    }
    match Place::departement_of(city_code) {
        None => errors.push(("city_code", "invalid")),
        Some(d) if d != departement => errors.push(("city_code", "other_departement")),
        Some(_) => {}
    }
    match level {
        ZoneLevel::City => {
            if street_name.is_some_and(|s| !s.trim().is_empty()) || street_ban_id.is_some_and(|s| !s.trim().is_empty())
            {
                errors.push(("street_ban_id", "present"));
            }
        }
        ZoneLevel::Street => {
            if street_name.is_none_or(|s| s.trim().is_empty()) {
                errors.push(("street_name", "blank"));
            }
            // BAN street id = 5-character INSEE code + "_" + 4-character FANTOIR code.
            let ok = street_ban_id.is_some_and(|s| {
                let s = s.trim();
                s.len() == 10 && s.starts_with(&format!("{}_", city_code.trim()))
            });
            if !ok {
                errors.push(("street_ban_id", "invalid"));
            }
        }
    }
    errors
}

/// API v1 O1's geographic filter (reference-api-v1.md §3.1): among the sectors matching the
/// address, the one with the fewest attributed organisations gives its organisations (the
/// "most relevant" ones); ties go to the smallest sector id. None matching: none.
pub fn most_relevant_organisations(matching_sectors: &[i32], attributions: &[Attribution]) -> Vec<i32> {
    let orgs_of = |sector: i32| {
        let mut v: Vec<i32> =
            attributions.iter().filter(|a| a.sector_id == sector).map(|a| a.organisation_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    matching_sectors
        .iter()
        .map(|s| (orgs_of(*s), *s))
        .filter(|(orgs, _)| !orgs.is_empty())
        .min_by_key(|(orgs, s)| (orgs.len(), *s))
        .map(|(orgs, _)| orgs)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(city: &str, street: Option<&str>) -> Place {
        Place::from_codes(city, street).unwrap()
    }

    #[test]
    fn departement_of_insee_codes() {
        for (code, dep) in
            [("62041", Some("62")), ("97411", Some("974")), ("2A004", Some("2A")), ("6204", None), ("", None)]
        {
            assert_eq!(Place::departement_of(code).as_deref(), dep, "{code}");
        }
        assert_eq!(place("62041", Some("62041_0120")).street_ban_id.as_deref(), Some("62041_0120"));
        assert_eq!(place("62041", Some("59350_0120")).street_ban_id, None, "another city's street is ignored");
    }

    #[test]
    fn zones_match_a_whole_city_or_one_street() {
        let city = ZoneFacts { sector_id: 1, level: ZoneLevel::City, city_code: "62041".into(), street_ban_id: None };
        let street = ZoneFacts {
            sector_id: 2,
            level: ZoneLevel::Street,
            city_code: "62498".into(),
            street_ban_id: Some("62498_0450".into()),
        };
        let table = [
            (place("62041", None), vec![1]),
            (place("62041", Some("62041_0001")), vec![1]),
            (place("62498", Some("62498_0450")), vec![2]),
            (place("62498", Some("62498_0451")), vec![]),
            (place("62498", None), vec![]),
            (place("59350", None), vec![]),
        ];
        for (p, expected) in table {
            assert_eq!(sectors_of(&[city.clone(), street.clone()], &p), expected, "{p:?}");
        }
    }

    #[test]
    fn who_is_bookable_per_sectorisation_level() {
        let org_level = Attribution { sector_id: 1, organisation_id: 10, agent_id: None };
        let agent_level = Attribution { sector_id: 1, organisation_id: 10, agent_id: Some(7) };
        let other_org = Attribution { sector_id: 1, organisation_id: 11, agent_id: Some(8) };
        use SectorisationLevel::*;
        type Case<'a> = (SectorisationLevel, &'a [Attribution], Option<Vec<i32>>);
        let table: [Case<'_>; 7] = [
            (Departement, &[], None),
            (Organisation, &[org_level], None),
            (Organisation, &[], Some(vec![])),
            (Organisation, &[agent_level], Some(vec![])),
            (Agent, &[agent_level, other_org], Some(vec![7])),
            (Agent, &[org_level], Some(vec![])),
            (Agent, &[other_org], Some(vec![])),
        ];
        for (level, matching, expected) in table {
            assert_eq!(bookable_agents(level, 10, matching), expected, "{level:?} {matching:?}");
        }
    }

    #[test]
    fn zone_validation() {
        assert!(validate_zone("62", ZoneLevel::City, "62041", "Arras", None, None).is_empty());
        assert_eq!(
            validate_zone("62", ZoneLevel::City, "59350", "Lille", None, None),
            vec![("city_code", "other_departement")]
        );
        assert_eq!(
            validate_zone("62", ZoneLevel::City, "620", "", None, None),
            vec![("city_name", "blank"), ("city_code", "invalid")]
        );
        assert!(validate_zone("62", ZoneLevel::Street, "62041", "Arras", Some("Rue Gambetta"), Some("62041_0120"))
            .is_empty());
        assert_eq!(
            validate_zone("62", ZoneLevel::Street, "62041", "Arras", Some("Rue Gambetta"), Some("62042_0120")),
            vec![("street_ban_id", "invalid")]
        );
        assert_eq!(
            validate_zone("62", ZoneLevel::Street, "62041", "Arras", None, None),
            vec![("street_name", "blank"), ("street_ban_id", "invalid")]
        );
        assert_eq!(
            validate_zone("62", ZoneLevel::City, "62041", "Arras", None, Some("62041_0120")),
            vec![("street_ban_id", "present")]
        );
    }

    #[test]
    fn the_most_relevant_organisations_are_those_of_the_narrowest_sector() {
        let a = |sector_id, organisation_id, agent_id| Attribution { sector_id, organisation_id, agent_id };
        let attributions = [a(1, 10, None), a(1, 11, None), a(2, 12, None), a(2, 12, Some(5)), a(3, 13, None)];
        assert_eq!(most_relevant_organisations(&[1, 2], &attributions), [12], "sector 2 has one organisation");
        assert_eq!(most_relevant_organisations(&[1], &attributions), [10, 11]);
        assert_eq!(most_relevant_organisations(&[3, 2], &attributions), [12], "a tie goes to the smallest sector id");
        assert_eq!(most_relevant_organisations(&[4], &attributions), Vec::<i32>::new(), "a sector without attribution");
        assert_eq!(most_relevant_organisations(&[], &attributions), Vec::<i32>::new());
    }
}
