//! Pages of RDVs written with each nested object serialised once (`services::rdv_json`) are
//! byte for byte what serialising the typed `RdvsResponse` gives, on the demo data: an
//! organisation's weeks (shared organisation, motifs, lieux, agents) and usagers' histories.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::TestData;
use diesel::prelude::*;
use rdv_api::db::schema::{participations, rdvs};
use rdv_api::services::rdv_json::rdvs_page;
use rdv_api::services::rdv_lists::{list_organisation_rdvs, list_user_rdvs, OrganisationRdvsQuery};
use rdv_shared::dto::RdvsResponse;
use rdv_shared::pagination::Meta;

fn same_bytes(rdvs: Vec<rdv_shared::dto::Rdv>, total: i64) {
    let meta = Meta::new(1, total);
    let fast = rdvs_page(&rdvs, &meta).unwrap();
    let typed = serde_json::to_vec(&RdvsResponse { rdvs, meta }).unwrap();
    assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(typed).unwrap());
}

#[test]
fn pages_of_rdvs_are_the_typed_response_byte_for_byte() {
    let data = TestData::seeded();
    let mut conn = data.conn();
    rdv_api::seed::demo(&mut conn).unwrap();
    let admin =
        rdv_api::db::models::agent::find_by_email(&mut conn, &common::demo_email("camille.martin")).unwrap().unwrap();
    let today = chrono::Utc::now().date_naive();
    let mut seen = 0;
    for name in ["MDS Arras", "MDS Lens"] {
        let org = common::organisation_id(&data.state, name);
        for weeks in [-2i64, -1, 0, 1] {
            let from = today + chrono::Duration::weeks(weeks);
            let query = OrganisationRdvsQuery {
                starts_after: Some(from.to_string()),
                starts_before: Some((from + chrono::Duration::days(7)).to_string()),
                page: None,
            };
            let (rdvs, total) = list_organisation_rdvs(&mut conn, &admin, org, query, 1).unwrap();
            seen += rdvs.len();
            same_bytes(rdvs, total);
        }
    }
    assert!(seen > 100, "the demo weeks hold RDVs: {seen}");
    // Usagers' histories, and an empty page.
    let arras = common::organisation_id(&data.state, "MDS Arras");
    let users: Vec<i32> = participations::table
        .inner_join(rdvs::table)
        .filter(rdvs::organisation_id.eq(arras))
        .select(participations::user_id)
        .distinct()
        .limit(5)
        .load(&mut *conn)
        .unwrap();
    assert!(!users.is_empty());
    for user in users {
        let (rdvs, total) = list_user_rdvs(&mut conn, &admin, user, 1).unwrap();
        same_bytes(rdvs, total);
    }
    same_bytes(Vec::new(), 0);
}
