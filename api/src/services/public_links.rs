//! L1 public links (reference-api-v1.md §3.12): for each organisation of a département with an
//! `external_id` and something bookable online, the link to its booking page (`/org/{id}`, the
//! booking search narrowed to that organisation).

use chrono::{DateTime, Utc};
use rdv_shared::dto::{PublicLink, PublicLinksResponse};

use crate::db::models::{organisation, territory};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

pub fn list(
    conn: &mut DbConn,
    departement: &str,
    base_url: &str,
    now: DateTime<Utc>,
) -> ApiResult<PublicLinksResponse> {
    if territory::by_departement(conn, departement)?.is_none() {
        return Err(ApiError::NotFound("territory"));
    }
    let zone = chrono_tz::Europe::Paris;
    let today = now.with_timezone(&zone).date_naive();
    let rows = organisation::with_public_booking(conn, departement, today, now.naive_utc())?;
    Ok(PublicLinksResponse {
        public_links: rows
            .into_iter()
            .map(|(id, external_id)| PublicLink { external_id, public_link: format!("{base_url}/org/{id}") })
            .collect(),
    })
}
