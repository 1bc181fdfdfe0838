//! The RDV list's filters (`GET /api/v1/rdvs`), shared by its exports (`POST /api/v1/exports`)
//! and statistics: one type, so an export holds exactly the list the filters select. The query
//! string form (`organisation_ids[]=1&status[]=seen&from=2026-01-01`) is read and written here, so
//! the SPA puts the same filters in its URL.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rdv::Rdv;
use crate::enums::{ListStatus, RdvOrigin};
use crate::pagination::Meta;
use crate::{OrganisationId, TerritoryId};

/// Sort order of the list (by start, then id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// Filters of the RDV list, its exports and statistics. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RdvSearch {
    /// Organisations to cover (empty: every organisation of the caller).
    pub organisation_ids: Vec<OrganisationId>,
    /// Every organisation of this territory (territorial admins); rows stay those the caller may read.
    pub territory_id: Option<TerritoryId>,
    /// First day (in each organisation's zone), included.
    pub from: Option<NaiveDate>,
    /// Last day, included.
    pub to: Option<NaiveDate>,
    pub status: Vec<ListStatus>,
    pub agent_ids: Vec<i32>,
    pub user_ids: Vec<i32>,
    pub lieu_ids: Vec<i32>,
    pub motif_ids: Vec<i32>,
    pub service_ids: Vec<i32>,
    pub origin: Vec<RdvOrigin>,
    pub order: SortOrder,
}

/// A filter that cannot be read: the parameter and the error code (`invalid`, `out_of_range`,
/// `before_from`).
pub type SearchError = (&'static str, &'static str);

/// Dates the list accepts: the input domain of every date of the API (it said 1900 while the
/// domain and its error message say 1800).
pub use crate::input_domain::{FIRST_YEAR, LAST_YEAR};

/// Integers, `12.0` included (an integer for JSON Schema).
fn ints(value: &str, name: &'static str) -> Result<Vec<i32>, SearchError> {
    let int = |v: &str| {
        v.trim()
            .parse()
            .ok()
            .or_else(|| crate::validation::integral_with_zero_fraction(v).and_then(|i| i32::try_from(i).ok()))
    };
    value.split(',').filter(|v| !v.trim().is_empty()).map(|v| int(v).ok_or((name, "invalid"))).collect()
}

fn date(value: &str, name: &'static str) -> Result<NaiveDate, SearchError> {
    let d = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| (name, "invalid"))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        return Err((name, "out_of_range"));
    }
    Ok(d)
}

impl RdvSearch {
    /// Reads query pairs: `name[]=v` repeated, `name=v`, or comma-separated lists; unknown
    /// names are ignored (paging, `format`…).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<RdvSearch, SearchError> {
        let mut s = RdvSearch::default();
        for (key, value) in pairs {
            let key = key.strip_suffix("[]").unwrap_or(key);
            match key {
                "organisation_ids" => {
                    s.organisation_ids.extend(ints(value, "organisation_ids")?.into_iter().map(OrganisationId))
                }
                "territory_id" => {
                    s.territory_id = Some(TerritoryId(value.trim().parse().map_err(|_| ("territory_id", "invalid"))?))
                }
                "from" => s.from = Some(date(value, "from")?),
                "to" => s.to = Some(date(value, "to")?),
                "status" => {
                    for v in value.split(',').filter(|v| !v.is_empty()) {
                        s.status.push(ListStatus::parse(v.trim()).ok_or(("status", "invalid"))?);
                    }
                }
                "origin" => {
                    for v in value.split(',').filter(|v| !v.is_empty()) {
                        s.origin.push(RdvOrigin::parse(v.trim()).ok_or(("origin", "invalid"))?);
                    }
                }
                "agent_ids" => s.agent_ids.extend(ints(value, "agent_ids")?),
                "user_ids" => s.user_ids.extend(ints(value, "user_ids")?),
                "lieu_ids" => s.lieu_ids.extend(ints(value, "lieu_ids")?),
                "motif_ids" => s.motif_ids.extend(ints(value, "motif_ids")?),
                "service_ids" => s.service_ids.extend(ints(value, "service_ids")?),
                "order" => {
                    s.order = match value {
                        "asc" => SortOrder::Asc,
                        "desc" => SortOrder::Desc,
                        _ => return Err(("order", "invalid")),
                    }
                }
                _ => {}
            }
        }
        s.check()?;
        Ok(s)
    }

    /// The checks a JSON body (exports) needs as much as a query string.
    pub fn check(&self) -> Result<(), SearchError> {
        for (d, name) in [(self.from, "from"), (self.to, "to")] {
            if d.is_some_and(|d| !(FIRST_YEAR..=LAST_YEAR).contains(&d.year())) {
                return Err((name, "out_of_range"));
            }
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if t < f {
                return Err(("to", "before_from"));
            }
        }
        Ok(())
    }

    /// The query string of these filters (without `?`), in a stable order; lists as `name[]=v`.
    pub fn to_query(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut list = |name: &str, values: Vec<String>| {
            for v in values {
                parts.push(format!("{name}[]={v}"));
            }
        };
        list("organisation_ids", self.organisation_ids.iter().map(|o| o.0.to_string()).collect());
        list("status", self.status.iter().map(|s| s.as_str().to_owned()).collect());
        list("origin", self.origin.iter().map(|o| o.as_str().to_owned()).collect());
        list("agent_ids", self.agent_ids.iter().map(i32::to_string).collect());
        list("user_ids", self.user_ids.iter().map(i32::to_string).collect());
        list("lieu_ids", self.lieu_ids.iter().map(i32::to_string).collect());
        list("motif_ids", self.motif_ids.iter().map(i32::to_string).collect());
        list("service_ids", self.service_ids.iter().map(i32::to_string).collect());
        if let Some(t) = self.territory_id {
            parts.push(format!("territory_id={}", t.0));
        }
        if let Some(f) = self.from {
            parts.push(format!("from={f}"));
        }
        if let Some(t) = self.to {
            parts.push(format!("to={t}"));
        }
        if self.order == SortOrder::Desc {
            parts.push("order=desc".to_owned());
        }
        parts.join("&")
    }
}

/// RDVs per list status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StatusCounts {
    pub seen: i64,
    pub noshow: i64,
    pub excused: i64,
    pub revoked: i64,
    pub unknown_past: i64,
    pub unknown_future: i64,
}

impl StatusCounts {
    pub fn add(&mut self, status: ListStatus, n: i64) {
        match status {
            ListStatus::Seen => self.seen += n,
            ListStatus::Noshow => self.noshow += n,
            ListStatus::Excused => self.excused += n,
            ListStatus::Revoked => self.revoked += n,
            ListStatus::UnknownPast => self.unknown_past += n,
            ListStatus::UnknownFuture => self.unknown_future += n,
        }
    }

    pub fn get(&self, status: ListStatus) -> i64 {
        match status {
            ListStatus::Seen => self.seen,
            ListStatus::Noshow => self.noshow,
            ListStatus::Excused => self.excused,
            ListStatus::Revoked => self.revoked,
            ListStatus::UnknownPast => self.unknown_past,
            ListStatus::UnknownFuture => self.unknown_future,
        }
    }

    pub fn total(&self) -> i64 {
        ListStatus::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// `GET /api/v1/rdvs`: one page, the paging meta and the counts per status of the whole list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RdvListResponse {
    pub rdvs: Vec<Rdv>,
    pub meta: Meta,
    /// The whole list's RDVs per status (their sum is `meta.total_count`).
    pub counts: StatusCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_read_lists_in_every_form_and_round_trip() {
        let s = RdvSearch::from_pairs([
            ("organisation_ids[]", "1"),
            ("organisation_ids[]", "2"),
            ("status", "seen,unknown_past"),
            ("origin[]", "invitation"),
            ("agent_ids", "4"),
            ("from", "2026-01-01"),
            ("to", "2026-12-31"),
            ("order", "desc"),
            ("page", "3"),
        ])
        .unwrap();
        assert_eq!(s.organisation_ids, vec![OrganisationId(1), OrganisationId(2)]);
        assert_eq!(s.status, vec![ListStatus::Seen, ListStatus::UnknownPast]);
        assert_eq!(s.origin, vec![RdvOrigin::Invitation]);
        assert_eq!(s.agent_ids, vec![4]);
        assert_eq!(s.order, SortOrder::Desc);
        let query = s.to_query();
        let pairs: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
        assert_eq!(RdvSearch::from_pairs(pairs).unwrap(), s);
    }

    #[test]
    fn bad_filters_name_their_parameter() {
        let cases: &[(&str, &str, SearchError)] = &[
            ("status", "lost", ("status", "invalid")),
            ("origin", "fax", ("origin", "invalid")),
            ("agent_ids[]", "x", ("agent_ids", "invalid")),
            ("from", "2026-13-01", ("from", "invalid")),
            ("from", "-5000-01-01", ("from", "out_of_range")),
            ("to", "9999-01-01", ("to", "out_of_range")),
            ("order", "up", ("order", "invalid")),
        ];
        for (k, v, expected) in cases {
            assert_eq!(RdvSearch::from_pairs([(*k, *v)]), Err(*expected), "{k}={v}");
        }
        assert_eq!(RdvSearch::from_pairs([("from", "2026-02-01"), ("to", "2026-01-01")]), Err(("to", "before_from")));
    }

    #[test]
    fn status_counts_add_up() {
        let mut c = StatusCounts::default();
        for (i, s) in ListStatus::ALL.iter().enumerate() {
            c.add(*s, i as i64 + 1);
            assert_eq!(c.get(*s), i as i64 + 1);
        }
        assert_eq!(c.total(), 21);
    }
}
