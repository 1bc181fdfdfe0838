//! The booking services without HTTP (issue 14): `services::booking` (public) and
//! `services::rdvs` (agents) called directly with pooled connections, on the backend of
//! `RDV_TEST_BACKEND`. Concurrent bookings of one slot from several threads give exactly one
//! RDV; the others get `SlotTaken` with the next free slots, and a cancellation frees the slot.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Paris;

use common::{demo_email, id_by_name, next_weekday, organisation_id, TestData};
use rdv_api::audit::Author;
use rdv_api::db::models::plage::{self, PlageValues};
use rdv_api::db::models::{agent, rdv};
use rdv_api::db::write_tx;
use rdv_api::error::ApiError;
use rdv_api::services::booking::{self, Booking};
use rdv_api::services::rdvs;
use rdv_shared::dto::{CreateRdvRequest, PublicBookingRequest, UserInput};
use rdv_shared::recurrence::Recurrence;
use rdv_shared::sectorisation::Place;
use rdv_shared::{AgentId, OrganisationId, UserId};

const THREADS: usize = 8;

struct Fixture {
    data: TestData,
    sophie: agent::AgentRow,
    arras: i32,
    lieu: i32,
    motif: i32,
    monday: chrono::NaiveDate,
}

/// Sophie receives "Consultation PMI nourrisson" (bookable online) on Mondays 09:00–12:00,
/// written through the models as a seed would.
fn fixture() -> Fixture {
    let data = TestData::seeded();
    let arras = organisation_id(&data.state, "MDS Arras");
    let lieu = id_by_name(&data.state, "lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = id_by_name(&data.state, "motifs", "MDS Arras", "Consultation PMI nourrisson");
    let monday = next_weekday(Weekday::Mon);
    let mut conn = data.conn();
    let sophie = agent::find_by_email(&mut conn, &demo_email("sophie.durand")).unwrap().unwrap();
    let recurrence: Recurrence =
        serde_json::from_value(serde_json::json!({"every": "week", "interval": 1, "on": ["monday"]})).unwrap();
    let v = PlageValues {
        agent_id: sophie.id,
        organisation_id: arras,
        lieu_id: Some(lieu),
        title: "Consultations".into(),
        first_day: monday,
        start_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end_time: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        recurrence: Some(recurrence),
        motif_ids: vec![motif],
    };
    write_tx(&mut conn, |c| plage::create(c, &Author::system("test"), &v)).unwrap();
    drop(conn);
    Fixture { data, sophie, arras, lieu, motif, monday }
}

impl Fixture {
    /// Monday at `h:m` in Paris.
    fn at(&self, h: u32, m: u32) -> DateTime<FixedOffset> {
        Paris.from_local_datetime(&self.monday.and_hms_opt(h, m, 0).unwrap()).unwrap().fixed_offset()
    }

    fn public_booking(&self, starts_at: DateTime<FixedOffset>, first_name: &str) -> Booking {
        Booking {
            place: Place::from_codes("62041", None),
            req: PublicBookingRequest {
                motif_id: self.motif,
                lieu_id: Some(self.lieu),
                starts_at,
                city_code: "62041".into(),
                street_ban_id: None,
                first_name: first_name.into(),
                last_name: "Concurrent".into(),
                phone_number: "06 12 34 56 78".into(),
                email: None,
                rdv_invitation_token: None,
                organisation_ids: Vec::new(),
                referent_ids: Vec::new(),
                rdv_id: None,
            },
            idem: None,
        }
    }

    /// Sophie's RDVs blocking her agenda at `starts_at` (30-minute motif).
    fn blocking_at(&self, starts_at: DateTime<FixedOffset>) -> Vec<rdv::BusySpan> {
        let from = starts_at.with_timezone(&Utc).naive_utc();
        let mut conn = self.data.conn();
        rdv::blocking_overlaps(&mut conn, &[self.sophie.id], from, from + chrono::Duration::minutes(30)).unwrap()
    }
}

/// Runs `f(i)` on `THREADS` threads at once, each with its own pooled connection.
fn at_once<T: Send + 'static>(
    data: &TestData,
    f: impl Fn(usize, &mut rdv_api::db::DbConn) -> Result<T, ApiError> + Send + Sync + 'static,
) -> Vec<Result<T, ApiError>> {
    let f = std::sync::Arc::new(f);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (pool, f, barrier) = (data.state.pool.clone(), f.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let mut conn = pool.get().expect("conn");
                f(i, &mut conn)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().expect("thread")).collect()
}

/// (how many succeeded, the next slots each refused one was offered).
fn tally<T>(results: &[Result<T, ApiError>]) -> (usize, Vec<Vec<DateTime<FixedOffset>>>) {
    let mut offered = Vec::new();
    for r in results {
        match r {
            Ok(_) => {}
            Err(ApiError::SlotTaken { creneaux, .. }) => offered.push(creneaux.iter().map(|c| c.starts_at).collect()),
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    (results.iter().filter(|r| r.is_ok()).count(), offered)
}

#[test]
fn concurrent_public_bookings_of_one_slot_make_one_rdv_and_offer_the_next_slots() {
    let fx = std::sync::Arc::new(fixture());
    let nine = fx.at(9, 0);
    let shared = fx.clone();
    let results = at_once(&fx.data, move |i, conn| {
        booking::book(conn, &shared.data.state.config, shared.public_booking(nine, &format!("Usager{i}")), Utc::now())
    });
    let (ok, offered) = tally(&results);
    assert_eq!(ok, 1, "exactly one booking of the slot gets through");
    assert_eq!(offered.len(), THREADS - 1);
    for next in &offered {
        assert!(!next.is_empty(), "a refused booking is offered the next slots");
        assert!(next.iter().all(|t| *t > nine), "the taken slot is not offered again: {next:?}");
        assert_eq!(next[0], fx.at(9, 30), "the next free slot is the following one");
    }
    assert_eq!(fx.blocking_at(nine).len(), 1, "one RDV blocks Sophie's agenda at 09:00");

    // The usager cancels with their token: the slot is free again and bookable.
    let booked = results.into_iter().find_map(Result::ok).unwrap();
    let mut conn = fx.data.conn();
    let cancelled = booking::cancel(&mut conn, &fx.data.state.config, &booked.token, Utc::now()).unwrap();
    assert_eq!(cancelled.rdv.status, "excused");
    assert!(!cancelled.rdv.cancellable);
    assert!(fx.blocking_at(nine).is_empty(), "a cancelled RDV no longer blocks the agenda");
    let again =
        booking::book(&mut conn, &fx.data.state.config, fx.public_booking(nine, "Nouveau"), Utc::now()).unwrap();
    assert_eq!(again.rdv.starts_at, nine);
    assert_eq!(booking::show(&mut conn, &again.token, Utc::now()).unwrap().rdv.status, "unknown");
    assert!(matches!(booking::show(&mut conn, "not-a-token", Utc::now()), Err(ApiError::NotFound("rdv"))));
}

#[test]
fn concurrent_agent_bookings_of_one_slot_make_one_rdv() {
    let fx = std::sync::Arc::new(fixture());
    // One usager per thread, made by the usagers service (the same usager twice at the same
    // time would be an "identical RDV", a 422 before any slot check).
    let mut conn = fx.data.conn();
    let users: Vec<i32> = (0..THREADS)
        .map(|i| {
            let input = UserInput {
                organisation_ids: Some(vec![OrganisationId(fx.arras)]),
                first_name: Some(format!("Agent{i}")),
                last_name: Some("Concurrent".into()),
                ..Default::default()
            };
            rdv_api::services::usagers::create_user(&mut conn, &fx.sophie, input).unwrap().user.id.0
        })
        .collect();
    drop(conn);

    let ten = fx.at(10, 0);
    let shared = fx.clone();
    let candidates = users.clone();
    let results = at_once(&fx.data, move |i, conn| {
        let req = CreateRdvRequest {
            organisation_id: OrganisationId(shared.arras),
            motif_id: shared.motif,
            lieu_id: Some(shared.lieu),
            agent_ids: vec![AgentId(shared.sophie.id)],
            user_ids: vec![UserId(users[i])],
            starts_at: ten,
            duration_in_min: None,
            context: None,
            name: None,
            max_participants_count: None,
            notify: None,
            ignore_benign_errors: false,
        };
        rdvs::create(conn, &shared.data.state.config, &shared.sophie, req, None, Utc::now())
    });
    let (ok, offered) = tally(&results);
    assert_eq!(ok, 1, "exactly one agent booking of the slot gets through");
    assert_eq!(offered.len(), THREADS - 1);
    assert!(offered.iter().all(|next| next.first() == Some(&fx.at(10, 30))), "{offered:?}");
    assert_eq!(fx.blocking_at(ten).len(), 1);
    let (rdv, replayed) = results.into_iter().find_map(Result::ok).unwrap();
    assert!(!replayed);
    assert_eq!(rdv.starts_at.with_timezone(&Utc), ten.with_timezone(&Utc));

    // The public search no longer offers 10:00.
    let mut conn = fx.data.conn();
    let o = rdv_api::services::public_search::offered_motif(
        &mut conn,
        Place::from_codes("62041", None).as_ref(),
        None,
        fx.motif,
    )
    .unwrap();
    let from = fx.at(0, 0).with_timezone(&Utc);
    let slots = rdv_api::services::public_search::public_slots(
        &mut conn,
        &o,
        Some(fx.lieu),
        from,
        from + chrono::Duration::days(1),
        Utc::now(),
    )
    .unwrap();
    let starts: Vec<DateTime<FixedOffset>> =
        slots.iter().map(|s| s.starts_at.with_timezone(&Paris).fixed_offset()).collect();
    assert_eq!(starts, vec![fx.at(9, 0), fx.at(9, 30), fx.at(10, 30), fx.at(11, 0), fx.at(11, 30)]);
    // The RDV is the winner's: one of the usagers, with Sophie.
    assert_eq!(rdv.users.len(), 1);
    assert!(candidates.contains(&rdv.users[0].id.0));
    assert_eq!(rdv.agents.iter().map(|a| a.id.0).collect::<Vec<_>>(), vec![fx.sophie.id]);
}
