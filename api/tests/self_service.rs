//! What a usager does from the link in their messages (issue 15, reference §4.6–4.7): move
//! their RDV to another slot, and the waiting list that tells them of an earlier one (at most
//! once a day, three times in all, only from 09:00 to 19:00), through a real SMTP server.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use common::providers::{parse_mail, Mail};
use common::smtp::SmtpSink;
use common::{call, Session, TestApp};
use diesel::prelude::*;
use rdv_api::outbox::worker::Deliverer;
use serde_json::{json, Value};

struct Setup {
    app: TestApp,
    smtp: SmtpSink,
    sophie: Session,
    motif: i32,
    lieu: i32,
}

/// Sophie receives "Consultation PMI nourrisson" (bookable online) at Baudimont; workers are
/// off: the test runs them at the times it chooses.
async fn setup() -> Setup {
    let smtp = SmtpSink::start();
    let url = smtp.url.clone();
    let app = TestApp::spawn_with(move |c| {
        c.delivery.smtp_url = Some(url);
        c.delivery.workers = 0;
        c.delivery.reply_to = Some("accueil@mds-arras.example.fr".into());
    })
    .await;
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    Setup { app, smtp, sophie, motif, lieu }
}

fn day(in_days: i64) -> NaiveDate {
    (Utc::now() + Duration::days(in_days)).date_naive()
}

/// The first working day (no weekend, no public holiday) from `in_days` days ahead.
fn workday(in_days: i64) -> NaiveDate {
    use chrono::Datelike;
    let mut d = day(in_days);
    while d.weekday().number_from_monday() > 5 || rdv_shared::holidays::is_holiday(d, "62") {
        d = d.succ_opt().unwrap();
    }
    d
}

/// Who wrote the item's versions.
fn authors(app: &TestApp, item_type: &str, item_id: i32) -> Vec<String> {
    use rdv_api::db::schema::versions;
    let mut conn = app.state.pool.get().unwrap();
    versions::table
        .filter(versions::item_type.eq(item_type))
        .filter(versions::item_id.eq(item_id))
        .select(versions::whodunnit)
        .load(&mut *conn)
        .unwrap()
}

/// A one-day plage of Sophie's for the motif.
async fn plage(s: &Setup, on: NaiveDate, start: &str, end: &str) {
    let body = json!({"organisation_id": s.app.organisation_id("MDS Arras"), "lieu_id": s.lieu,
        "motif_ids": [s.motif], "title": "Consultations", "first_day": on, "start_time": start, "end_time": end});
    let (st, b) = call(&s.app, &s.sophie, "POST", "/api/v1/plage_ouvertures", Some(body)).await;
    assert_eq!(st, 200, "{b}");
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    common::json(app.post(path).json(&body).send().await.unwrap()).await
}

async fn put(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    common::json(app.client.put(app.url(path)).json(&body).send().await.unwrap()).await
}

/// Books `on` at `hh:mm` (Paris) online; returns the RDV's confirmation token.
async fn book(s: &Setup, on: NaiveDate, at: &str, first: &str, email: Option<&str>) -> String {
    let body = json!({"motif_id": s.motif, "lieu_id": s.lieu, "starts_at": paris(on, at).to_rfc3339(),
        "city_code": "62041", "first_name": first, "last_name": "Dupont", "phone_number": "03 21 00 00 00",
        "email": email});
    let (st, b) = post(&s.app, "/api/v1/public/rdvs", body).await;
    assert_eq!(st, 200, "{b}");
    b["token"].as_str().unwrap().to_owned()
}

fn paris(on: NaiveDate, at: &str) -> DateTime<Utc> {
    let t = chrono::NaiveTime::parse_from_str(at, "%H:%M").unwrap();
    chrono_tz::Europe::Paris.from_local_datetime(&on.and_time(t)).unwrap().with_timezone(&Utc)
}

/// Runs the outbox as if it were `at` until nothing is due.
fn run_at(s: &Setup, at: DateTime<Utc>) -> usize {
    let deliverer = Deliverer::new(&s.app.state.config).unwrap();
    let mut conn = s.app.state.pool.get().unwrap();
    let mut total = 0;
    loop {
        let n = deliverer.run_once_at(&mut conn, at.naive_utc()).unwrap();
        if n == 0 {
            return total;
        }
        total += n;
    }
}

fn received(s: &Setup, to: &str) -> Vec<Mail> {
    s.smtp.received().iter().map(|m| parse_mail(&m.data)).filter(|m| m.to == to).collect()
}

fn token_of(mail: &Mail) -> String {
    let start = mail.text.find("http://rdv.test/r/").expect("a /r/ link");
    let link = mail.text[start..].split_whitespace().next().unwrap();
    link.trim_start_matches("http://rdv.test/r/").split('?').next().unwrap().to_owned()
}

fn starts_at(app: &TestApp, rdv: i32) -> NaiveDateTime {
    use rdv_api::db::schema::rdvs;
    let mut conn = app.state.pool.get().unwrap();
    rdvs::table.find(rdv).select(rdvs::starts_at).get_result(&mut *conn).unwrap()
}

fn rdv_of(app: &TestApp, email: &str) -> i32 {
    use rdv_api::db::schema::{participations, users};
    let mut conn = app.state.pool.get().unwrap();
    participations::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .select(participations::rdv_id)
        .order(participations::rdv_id.desc())
        .limit(1)
        .get_result(&mut *conn)
        .unwrap()
}

fn job_status(app: &TestApp) -> Vec<(String, NaiveDateTime)> {
    use rdv_api::db::schema::outbox;
    let mut conn = app.state.pool.get().unwrap();
    outbox::table
        .filter(outbox::event.eq("waiting_list_check"))
        .select((outbox::status, outbox::run_at))
        .load(&mut *conn)
        .unwrap()
}

#[actix_rt::test]
async fn a_usager_moves_their_rdv_from_the_link() {
    let s = setup().await;
    let first = workday(10);
    let later = workday((first - day(0)).num_days() + 7);
    plage(&s, first, "09:00", "10:00").await;
    plage(&s, later, "09:00", "10:00").await;
    book(&s, later, "09:30", "Léa", Some("lea.dupont@example.fr")).await;
    run_at(&s, Utc::now());
    let confirmation = received(&s, "lea.dupont@example.fr").remove(0);
    assert!(confirmation.subject.starts_with("RDV confirmé"), "{}", confirmation.subject);
    // The organisation has no email: replies go to the configured service mailbox.
    assert_eq!(confirmation.reply_to.as_deref(), Some("accueil@mds-arras.example.fr"));
    let token = token_of(&confirmation);
    let rdv = rdv_of(&s.app, "lea.dupont@example.fr");
    let link = format!("/api/v1/public/links/{token}");

    let (st, b) = post(&s.app, &link, json!({"last_name_initials": "dup"})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        (b["rdv"]["reschedulable"].clone(), b["rdv"]["waiting_list_offered"].clone()),
        (json!(true), json!(true))
    );

    // The slots to move to: the motif at the same lieu, the RDV's own time left out.
    let window = json!({"last_name_initials": "dup", "from": first.to_string(), "to": later.to_string()});
    let (st, b) = post(&s.app, &format!("{link}/creneaux"), window.clone()).await;
    assert_eq!(st, 200, "{b}");
    let starts: Vec<DateTime<Utc>> = b["creneaux"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| DateTime::parse_from_rfc3339(c["starts_at"].as_str().unwrap()).unwrap().with_timezone(&Utc))
        .collect();
    assert_eq!(starts, vec![paris(first, "09:00"), paris(first, "09:30"), paris(later, "09:00")]);
    let (st, b) = post(
        &s.app,
        &format!("{link}/creneaux"),
        json!({"last_name_initials": "xyz", "from": "2026-01-01", "to": "2026-01-02"}),
    )
    .await;
    assert_eq!(st, 422, "the name check first: {b}");

    // A time with no slot: 409 with the next ones.
    let (st, b) = post(
        &s.app,
        &format!("{link}/reschedule"),
        json!({"last_name_initials": "dup", "starts_at": paris(first, "11:00").to_rfc3339()}),
    )
    .await;
    assert_eq!(st, 409, "{b}");
    assert!(!b["creneaux"].as_array().unwrap().is_empty(), "{b}");

    let (st, b) = post(
        &s.app,
        &format!("{link}/reschedule"),
        json!({"last_name_initials": "dup", "starts_at": paris(first, "09:30").to_rfc3339()}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(starts_at(&s.app, rdv), paris(first, "09:30").naive_utc());
    let (_, shown) = call(&s.app, &s.sophie, "GET", &format!("/api/v1/rdvs/{rdv}"), None).await;
    assert_eq!(shown["rdv"]["status"], "unknown", "{shown}");
    let who = authors(&s.app, "Rdv", rdv);
    assert!(who.iter().any(|w| w.contains("lien")), "audited as the usager's: {who:?}");

    // The usager hears of the change (with the new time), and so does Sophie.
    run_at(&s, Utc::now());
    let to_lea = received(&s, "lea.dupont@example.fr");
    let changed = to_lea.iter().find(|m| m.subject.contains("modifié")).expect("the change email");
    assert!(changed.text.contains(&format!("{}", first.format("%-d"))), "{}", changed.text);
    assert!(s
        .smtp
        .received()
        .iter()
        .map(|m| parse_mail(&m.data))
        .any(|m| m.to.starts_with("sophie.durand@") && m.subject.contains("modifié")));

    // A motif whose RDVs the usager may not move: nothing offered, 422.
    let (st, b) = call(
        &s.app,
        &s.sophie,
        "PATCH",
        &format!("/api/v1/motifs/{}", s.motif),
        Some(json!({"rdvs_editable_by_user": false})),
    )
    .await;
    assert!(st == 200 || st == 403, "{b}");
    let admin = s.app.sign_in("camille.martin").await;
    let (st, b) = call(
        &s.app,
        &admin,
        "PATCH",
        &format!("/api/v1/motifs/{}", s.motif),
        Some(json!({"rdvs_editable_by_user": false})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = post(&s.app, &link, json!({"last_name_initials": "dup"})).await;
    assert_eq!(
        (b["rdv"]["reschedulable"].clone(), b["rdv"]["waiting_list_offered"].clone()),
        (json!(false), json!(false))
    );
    let (st, b) = post(&s.app, &format!("{link}/creneaux"), window).await;
    assert_eq!((st, b["errors"]["base"][0]["error"].clone()), (422, json!("not_reschedulable")), "{b}");
}

#[actix_rt::test]
async fn the_waiting_list_tells_of_an_earlier_slot_once_a_day_and_three_times_at_most() {
    let s = setup().await;
    let early = workday(6);
    let booked = workday((early - day(0)).num_days() + 12);
    plage(&s, early, "09:00", "09:30").await;
    plage(&s, booked, "09:00", "10:00").await;
    // Bertrand takes the only earlier slot; Léa books three weeks ahead.
    let bertrand = book(&s, early, "09:00", "Bertrand", None).await;
    book(&s, booked, "09:00", "Léa", Some("lea.dupont@example.fr")).await;
    let rdv = rdv_of(&s.app, "lea.dupont@example.fr");
    run_at(&s, Utc::now());
    let token = token_of(&received(&s, "lea.dupont@example.fr")[0]);
    let link = format!("/api/v1/public/links/{token}");

    let (st, b) =
        put(&s.app, &format!("{link}/waiting_list"), json!({"last_name_initials": "dup", "waiting": true})).await;
    assert_eq!((st, b["rdv"]["on_waiting_list"].clone()), (200, json!(true)), "{b}");
    let (st, _) =
        put(&s.app, &format!("{link}/waiting_list"), json!({"last_name_initials": "dup", "waiting": true})).await;
    assert_eq!(st, 200, "joining twice is one entry");
    assert_eq!(job_status(&s.app).len(), 1);

    let subject = "Un créneau vient de se libérer !";
    let offers = |s: &Setup| received(s, "lea.dupont@example.fr").into_iter().filter(|m| m.subject == subject).count();
    let tomorrow = day(1);
    // No earlier slot yet: a check finds nothing and is re-armed ten minutes later.
    run_at(&s, paris(tomorrow, "10:00"));
    assert_eq!(offers(&s), 0);
    assert_eq!(job_status(&s.app), vec![("pending".to_owned(), paris(tomorrow, "10:10").naive_utc())]);

    // Bertrand cancels: the next check tells Léa, with the link that opens the slots.
    let (st, b) = post(&s.app, &format!("/api/v1/public/rdvs/{bertrand}/cancel"), json!({})).await;
    assert_eq!(st, 200, "{b}");
    run_at(&s, paris(tomorrow, "10:10"));
    run_at(&s, paris(tomorrow, "10:10"));
    let got = received(&s, "lea.dupont@example.fr");
    let offer = got.iter().find(|m| m.subject == subject).expect("the offer");
    assert!(offer.text.contains("?modifier=1"), "{}", offer.text);
    assert!(
        offer.text.contains(&format!("{} ", early.format("%-d"))) && offer.text.contains("à 9h00"),
        "{}",
        offer.text
    );
    assert!(offer.calendars.is_empty(), "an offer is not a calendar change");
    // Once a day: not again today, and nothing before 09:00 tomorrow.
    assert_eq!(job_status(&s.app), vec![("pending".to_owned(), paris(day(2), "09:00").naive_utc())]);
    run_at(&s, paris(tomorrow, "15:00"));
    assert_eq!(run_at(&s, paris(day(2), "08:59")), 0);
    assert_eq!(offers(&s), 1);
    // Two more days, two more offers; then no more.
    run_at(&s, paris(day(2), "09:00"));
    run_at(&s, paris(day(2), "09:00"));
    run_at(&s, paris(day(3), "09:00"));
    run_at(&s, paris(day(3), "09:00"));
    assert_eq!(offers(&s), 3);
    run_at(&s, paris(day(4), "09:00"));
    run_at(&s, paris(day(5), "09:00"));
    assert_eq!(offers(&s), 3, "three in all");
    assert_eq!(job_status(&s.app).into_iter().map(|j| j.0).collect::<Vec<_>>(), vec!["cancelled".to_owned()]);
    let events: Vec<String> = s.app.versions_of("FileAttente", 1).into_iter().map(|v| v.0).collect();
    assert_eq!(events, ["create", "update", "update", "update"], "joined and three sends, audited");

    // Leaving the list, and the slot taken from the offer's link.
    let (st, b) = post(
        &s.app,
        &format!("{link}/reschedule"),
        json!({"last_name_initials": "dup", "starts_at": paris(early, "09:00").to_rfc3339()}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(starts_at(&s.app, rdv), paris(early, "09:00").naive_utc());
    assert_eq!(b["rdv"]["on_waiting_list"], json!(false));
}

#[actix_rt::test]
async fn the_waiting_list_is_refused_where_it_cannot_help_and_can_be_left() {
    let s = setup().await;
    let (soon, far) = (workday(4), workday(15));
    assert!((soon - day(0)).num_days() < 7, "{soon}");
    plage(&s, soon, "09:00", "10:00").await;
    plage(&s, far, "09:00", "10:00").await;
    book(&s, soon, "09:00", "Léa", Some("lea.dupont@example.fr")).await;
    book(&s, far, "09:30", "Théo", Some("theo.dupont@example.fr")).await;
    run_at(&s, Utc::now());
    let lea = format!("/api/v1/public/links/{}", token_of(&received(&s, "lea.dupont@example.fr")[0]));
    let theo = format!("/api/v1/public/links/{}", token_of(&received(&s, "theo.dupont@example.fr")[0]));

    // Five days ahead: movable, but the waiting list is for RDVs more than 7 days away.
    let (_, b) = post(&s.app, &lea, json!({"last_name_initials": "dup"})).await;
    assert_eq!(
        (b["rdv"]["reschedulable"].clone(), b["rdv"]["waiting_list_offered"].clone()),
        (json!(true), json!(false))
    );
    let (st, b) =
        put(&s.app, &format!("{lea}/waiting_list"), json!({"last_name_initials": "dup", "waiting": true})).await;
    assert_eq!((st, b["errors"]["base"][0]["error"].clone()), (422, json!("waiting_list_unavailable")), "{b}");

    let (st, b) =
        put(&s.app, &format!("{theo}/waiting_list"), json!({"last_name_initials": "dup", "waiting": true})).await;
    assert_eq!((st, b["rdv"]["on_waiting_list"].clone()), (200, json!(true)), "{b}");
    let (st, b) =
        put(&s.app, &format!("{theo}/waiting_list"), json!({"last_name_initials": "dup", "waiting": false})).await;
    assert_eq!((st, b["rdv"]["on_waiting_list"].clone()), (200, json!(false)), "{b}");
    // Its job finds no entry and stops, sending nothing.
    run_at(&s, paris(day(1), "10:00"));
    assert_eq!(job_status(&s.app).into_iter().map(|j| j.0).collect::<Vec<_>>(), vec!["cancelled".to_owned()]);
    assert!(received(&s, "theo.dupont@example.fr").iter().all(|m| !m.subject.contains("libérer")));
    let (st, b) =
        put(&s.app, &format!("{theo}/waiting_list"), json!({"last_name_initials": "dup", "waiting": "yes"})).await;
    assert_eq!(st, 422, "a body of the wrong type is a 4xx with its reason: {b}");
    assert!(b["error_messages"][0].as_str().is_some_and(|m| !m.is_empty()), "{b}");
}
