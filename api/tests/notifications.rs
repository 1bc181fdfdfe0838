//! Notifications end to end (issue 15): RDV changes reach usagers and agents through a real SMTP
//! server and a local HTTP server standing in for the SMS provider; failures are retried and
//! leave receipts; J-2 reminders are planned, moved and dropped with their RDV and sent once;
//! two workers on one database never deliver a message twice.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime, Utc};
use common::providers::{parse_mail, Mail, SmsProvider};
use common::smtp::SmtpSink;
use common::{call, Session, TestApp};
use diesel::prelude::*;
use serde_json::json;

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(v) = probe() {
            return v;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn mails(smtp: &SmtpSink, n: usize) -> Vec<Mail> {
    let got = eventually(&format!("{n} emails"), || {
        let r = smtp.received();
        (r.len() >= n).then_some(r)
    })
    .await;
    got.iter().map(|m| parse_mail(&m.data)).collect()
}

async fn app_with_providers(smtp: &SmtpSink, sms: &SmsProvider) -> TestApp {
    let (smtp_url, sms_url) = (smtp.url.clone(), sms.url.clone());
    TestApp::spawn_with(move |c| {
        c.delivery.smtp_url = Some(smtp_url);
        c.delivery.sms_url = Some(sms_url);
        c.delivery.sms_api_key = Some("test-key".into());
        c.delivery.retry_base = Duration::seconds(1);
    })
    .await
}

async fn usager(app: &TestApp, who: &Session, org: i32) -> i64 {
    usager_with(app, who, org, "Léa", "lea.dupont@example.fr", "06 12 34 56 78").await
}

async fn usager_with(app: &TestApp, who: &Session, org: i32, first: &str, email: &str, phone: &str) -> i64 {
    let body = json!({"organisation_ids": [org], "first_name": first, "last_name": "Dupont",
                      "email": email, "phone_number": phone});
    let (s, b) = call(app, who, "POST", "/api/v1/users", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    b["user"]["id"].as_i64().unwrap()
}

fn local_in_days(days: i64, hour: u32) -> String {
    let day = (Utc::now() + Duration::days(days)).date_naive();
    format!("{day}T{hour:02}:00:00+01:00")
}

fn calendar<'a>(mail: &'a Mail, kind: &str) -> &'a str {
    mail.calendars.iter().find(|(ct, _)| ct.starts_with(kind)).map(|(_, body)| body.as_str()).unwrap_or("")
}

#[actix_rt::test]
async fn an_rdv_lifecycle_reaches_the_usager_and_the_other_agent() {
    let (smtp, sms) = (SmtpSink::start(), SmsProvider::start());
    let app = app_with_providers(&smtp, &sms).await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let camille = app.sign_in("camille.martin").await;
    let (camille_id, sophie_id) = (app.agent_id("camille.martin").await, app.agent_id("sophie.durand").await);
    let lea = usager(&app, &camille, arras).await;

    // Camille books Léa with herself and Sophie: Léa gets an email and one SMS (not one per
    // agent), Sophie an email; Camille, the author, nothing ("others", the default level).
    let body = json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [camille_id, sophie_id],
                      "user_ids": [lea], "starts_at": local_in_days(5, 10), "ignore_benign_errors": true});
    let (s, b) = call(&app, &camille, "POST", "/api/v1/rdvs", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    let (id, uuid) = (b["rdv"]["id"].as_i64().unwrap(), b["rdv"]["uuid"].as_str().unwrap().to_owned());
    let got = mails(&smtp, 2).await;
    let to_lea = got.iter().find(|m| m.to == "lea.dupont@example.fr").expect("usager email");
    let to_sophie = got.iter().find(|m| m.to.starts_with("sophie.durand@")).expect("agent email");
    assert!(to_lea.subject.starts_with("RDV confirmé le "), "{}", to_lea.subject);
    assert!(to_lea.text.contains("12 rue de Baudimont, 62000 Arras"), "{}", to_lea.text);
    assert!(to_lea.html.contains("<p>"), "{}", to_lea.html);
    assert_eq!(to_lea.from, "ne-pas-repondre@rdv.test");
    assert!(to_lea.reply_to.is_some(), "replies reach a person");
    let ics = calendar(to_lea, "text/calendar; method=PUBLISH");
    assert!(ics.contains(&format!("UID:{uuid}")) && ics.contains("TZID=Europe/Paris"), "{ics}");
    assert!(calendar(to_lea, "application/ics").contains("METHOD:PUBLISH"), "{:?}", to_lea.calendars);
    assert!(to_sophie.subject.starts_with("Nouveau RDV ajouté sur votre agenda"), "{}", to_sophie.subject);
    let ics = calendar(to_sophie, "text/calendar; method=REQUEST");
    assert!(ics.contains("ATTENDEE;CN=C. Martin") && ics.contains("ATTENDEE;CN=S. Durand"), "{ics}");
    let texts = eventually("one SMS", || {
        let r = sms.requests();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(texts[0].api_key, "test-key");
    assert_eq!(texts[0].body["recipient"], "33612345678");
    assert_eq!(
        (texts[0].body["sender"].clone(), texts[0].body["type"].clone()),
        (json!("RdvSoli"), json!("transactional"))
    );
    assert!(texts[0].body["content"].as_str().unwrap().starts_with("RDV PMI le "), "{}", texts[0].body);

    // Moved by an hour: Léa (email + SMS) and Sophie are told.
    let (s, b) = call(
        &app,
        &camille,
        "PATCH",
        &format!("/api/v1/rdvs/{id}"),
        Some(json!({"starts_at": local_in_days(5, 11), "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let got = mails(&smtp, 4).await;
    assert!(
        got[2..].iter().all(|m| m.subject.contains("modifié")),
        "{:?}",
        got.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let texts = eventually("second SMS", || Some(sms.requests()).filter(|r| r.len() >= 2)).await;
    assert!(texts[1].body["content"].as_str().unwrap().starts_with("RDV modifie: PMI"), "{}", texts[1].body);

    // Cancelled by the service: email + SMS to Léa (an agent cancelled), CANCEL to Sophie.
    let (s, b) = call(&app, &camille, "PATCH", &format!("/api/v1/rdvs/{id}"), Some(json!({"status": "revoked"}))).await;
    assert_eq!(s, 200, "{b}");
    let got = mails(&smtp, 6).await;
    let cancel_sophie = got[4..].iter().find(|m| m.to.starts_with("sophie.durand@")).expect("agent cancel");
    assert!(calendar(cancel_sophie, "text/calendar; method=CANCEL").contains("STATUS:CANCELLED"));
    let texts = eventually("third SMS", || Some(sms.requests()).filter(|r| r.len() >= 3)).await;
    assert!(texts[2].body["content"].as_str().unwrap().contains("annule"), "{}", texts[2].body);

    // Nothing more, nothing twice; every attempt has a receipt.
    actix_rt::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!((smtp.received().len(), sms.requests().len()), (6, 3));
    let ids: HashSet<String> = mails(&smtp, 6).await.into_iter().map(|m| m.message_id).collect();
    assert_eq!(ids.len(), 6, "one Message-ID per message");
    let (s, b) = call(&app, &camille, "GET", &format!("/api/v1/rdvs/{id}/receipts"), None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["meta"]["total_count"], 9, "{b}");
    let events: HashSet<(String, String)> = b["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["channel"].as_str().unwrap().to_owned(), r["event"].as_str().unwrap().to_owned()))
        .collect();
    for e in ["rdv_created", "rdv_updated", "rdv_cancelled"] {
        assert!(
            events.contains(&("sms".into(), e.into())) && events.contains(&("mail".into(), e.into())),
            "{events:?}"
        );
    }
    assert!(b["receipts"].as_array().unwrap().iter().all(|r| r["result"] == "sent"), "{b}");
    // The usager's page lists hers (not the agents').
    let (s, b) = call(&app, &camille, "GET", &format!("/api/v1/users/{lea}/receipts"), None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(6)), "{b}");
    assert!(b["receipts"].as_array().unwrap().iter().all(|r| r["user_id"] == lea), "{b}");
    // Another organisation's agent sees nothing of them.
    let other = app.sign_in("isabelle.moreau").await;
    let (s, _) = call(&app, &other, "GET", &format!("/api/v1/rdvs/{id}/receipts"), None).await;
    assert_eq!(s, 404);
    let (s, b) = call(&app, &other, "GET", &format!("/api/v1/users/{lea}/receipts"), None).await;
    assert!(matches!(s, 403 | 404) || b["meta"]["total_count"] == 0, "{s} {b}");
}

#[actix_rt::test]
async fn a_failing_sms_provider_is_retried_and_each_attempt_receipted() {
    let (smtp, sms) = (SmtpSink::start(), SmsProvider::start());
    sms.fail_next(1);
    smtp.fail_next(1);
    let app = app_with_providers(&smtp, &sms).await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let lea = usager(&app, &camille, arras).await;
    let body = json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [camille_id],
                      "user_ids": [lea], "starts_at": local_in_days(6, 9), "ignore_benign_errors": true});
    let (s, b) = call(&app, &camille, "POST", "/api/v1/rdvs", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    let id = b["rdv"]["id"].as_i64().unwrap();
    // The first attempts fail (HTTP 500, SMTP 451); the second ones, a second later, pass.
    eventually("the SMS retried", || Some(sms.requests()).filter(|r| r.len() == 1)).await;
    mails(&smtp, 1).await;
    let receipts = eventually("four receipts", || {
        let mut conn = app.state.pool.get().ok()?;
        let (rows, total) = rdv_api::db::models::outbox::receipts_of(&mut conn, Some(id as i32), None, 100, 0).ok()?;
        (total == 4).then_some(rows)
    })
    .await;
    for channel in ["sms", "mail"] {
        let mut of: Vec<_> = receipts.iter().filter(|r| r.channel == channel).collect();
        of.sort_by_key(|r| r.attempt);
        assert_eq!(
            of.iter().map(|r| (r.attempt, r.result.as_str())).collect::<Vec<_>>(),
            vec![(1, "failed"), (2, "sent")]
        );
        assert!(
            of[0].error_message.as_deref().unwrap_or("").contains(if channel == "sms" {
                "quota exceeded"
            } else {
                "451"
            }),
            "{:?}",
            of[0]
        );
    }
}

/// The reminder jobs of an RDV: (status, run_at, due_for).
fn reminder_jobs(app: &TestApp, rdv: i64) -> Vec<(String, NaiveDateTime, Option<NaiveDateTime>)> {
    use rdv_api::db::schema::outbox;
    let mut conn = app.state.pool.get().unwrap();
    outbox::table
        .filter(outbox::rdv_id.eq(rdv as i32))
        .filter(outbox::channel.eq("job"))
        .order(outbox::id)
        .select((outbox::status, outbox::run_at, outbox::due_for))
        .load(&mut *conn)
        .unwrap()
}

#[actix_rt::test]
async fn reminders_follow_their_rdv_and_go_once() {
    // No workers: this test runs the deliverer itself, at chosen times.
    let app = TestApp::spawn_with(|c| c.delivery.workers = 0).await;
    let (arras, calais) = (app.organisation_id("MDS Arras"), app.organisation_id("MDS Calais"));
    {
        // Calais plays La Réunion for this test.
        use rdv_api::db::schema::organisations;
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(organisations::table.find(calais))
            .set(organisations::time_zone.eq("Indian/Reunion"))
            .execute(&mut *conn)
            .unwrap();
    }
    let camille = app.sign_in("camille.martin").await;
    let claire = app.sign_in("claire.fontaine").await;
    let lea = usager(&app, &camille, arras).await;
    let marc = usager_with(&app, &claire, calais, "Marc", "marc@example.re", "0692 12 34 56").await;
    let camille_id = app.agent_id("camille.martin").await;
    let claire_id = app.agent_id("claire.fontaine").await;
    let paris_rdv = book(
        &app,
        &camille,
        arras,
        "MDS Arras",
        "MDS Arras — Baudimont",
        "Consultation PMI nourrisson",
        camille_id,
        lea,
        local_in_days(4, 9),
    )
    .await;
    let (calais_lieu, calais_motif) = first_lieu_and_motif(&app, calais);
    let reunion_rdv = book(
        &app,
        &claire,
        calais,
        "MDS Calais",
        &calais_lieu,
        &calais_motif,
        claire_id,
        marc,
        format!("{}T15:30:00+04:00", (Utc::now() + Duration::days(6)).date_naive()),
    )
    .await;
    let soon_rdv = book(
        &app,
        &camille,
        arras,
        "MDS Arras",
        "MDS Arras — Baudimont",
        "Consultation PMI nourrisson",
        camille_id,
        lea,
        local_in_days(1, 16),
    )
    .await;

    for rdv in [&paris_rdv, &reunion_rdv] {
        let starts: NaiveDateTime =
            rdv["starts_at"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().unwrap().naive_utc();
        let jobs = reminder_jobs(&app, rdv["id"].as_i64().unwrap());
        assert_eq!(jobs, vec![("pending".to_owned(), starts - Duration::hours(48), Some(starts))], "{rdv}");
    }
    assert!(reminder_jobs(&app, soon_rdv["id"].as_i64().unwrap()).is_empty(), "less than 48 h ahead: no reminder");

    // The Paris RDV moves a day later: its reminder follows; the Réunion one is cancelled.
    let paris = paris_rdv["id"].as_i64().unwrap();
    let (s, moved) = call(
        &app,
        &camille,
        "PATCH",
        &format!("/api/v1/rdvs/{paris}"),
        Some(json!({"starts_at": local_in_days(5, 9), "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{moved}");
    let new_start: NaiveDateTime =
        moved["rdv"]["starts_at"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().unwrap().naive_utc();
    let jobs = reminder_jobs(&app, paris);
    assert_eq!(jobs.iter().map(|j| j.0.as_str()).collect::<Vec<_>>(), vec!["cancelled", "pending"]);
    assert_eq!((jobs[1].1, jobs[1].2), (new_start - Duration::hours(48), Some(new_start)));
    let reunion = reunion_rdv["id"].as_i64().unwrap();
    let (s, b) =
        call(&app, &claire, "PATCH", &format!("/api/v1/rdvs/{reunion}"), Some(json!({"status": "excused"}))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(reminder_jobs(&app, reunion)[0].0, "cancelled");

    // Due time: the worker turns the job into the messages, once, even when run again.
    let deliverer = rdv_api::outbox::worker::Deliverer::new(&app.state.config).unwrap();
    let mut conn = app.state.pool.get().unwrap();
    let before_due = new_start - Duration::hours(48) - Duration::seconds(1);
    while deliverer.run_once_at(&mut conn, before_due).unwrap() > 0 {}
    let count_reminders = |conn: &mut rdv_api::db::PooledConn| -> Vec<(String, String)> {
        use rdv_api::db::schema::outbox;
        outbox::table
            .filter(outbox::rdv_id.eq(paris as i32))
            .filter(outbox::event.eq("rdv_upcoming_reminder"))
            .filter(outbox::channel.ne("job"))
            .select((outbox::channel, outbox::recipient))
            .load(&mut **conn)
            .unwrap()
    };
    assert!(count_reminders(&mut conn).is_empty(), "not before J-2");
    let due = new_start - Duration::hours(48) + Duration::seconds(1);
    for _ in 0..3 {
        while deliverer.run_once_at(&mut conn, due).unwrap() > 0 {}
    }
    let mut sent = count_reminders(&mut conn);
    sent.sort();
    assert_eq!(
        sent,
        vec![("mail".to_owned(), "lea.dupont@example.fr".to_owned()), ("sms".to_owned(), "+33612345678".to_owned())]
    );
    assert_eq!(reminder_jobs(&app, paris)[1].0, "sent");
    let eml = common::wait_for_files(&app.state.config.dev_mailbox_dir, 1).await;
    let reminder =
        eml.iter().map(|f| parse_mail(&std::fs::read(f).unwrap())).find(|m| m.subject.starts_with("[Rappel] RDV le "));
    assert!(reminder.is_some(), "the reminder email is in the mailbox");

    // "Envoyer un rappel maintenant", and the sweep that plans what is missing.
    let (s, b) = call(&app, &camille, "POST", &format!("/api/v1/rdvs/{paris}/reminder"), None).await;
    assert_eq!((s, b["queued"].clone()), (200, json!(2)), "{b}");
    let soon = soon_rdv["id"].as_i64().unwrap();
    let (s, b) = call(&app, &claire, "POST", &format!("/api/v1/rdvs/{soon}/reminder"), None).await;
    assert_eq!(s, 404, "not her organisation: {b}");
    assert_eq!(rdv_api::services::notifications::plan_missing_reminders(&mut conn, Utc::now()).unwrap(), 0);
}

#[allow(clippy::too_many_arguments)]
async fn book(
    app: &TestApp,
    who: &Session,
    org: i32,
    org_name: &str,
    lieu: &str,
    motif: &str,
    agent: i32,
    user: i64,
    at: String,
) -> serde_json::Value {
    let body = json!({"organisation_id": org, "motif_id": app.id_by_name("motifs", org_name, motif),
        "lieu_id": app.id_by_name("lieux", org_name, lieu), "agent_ids": [agent], "user_ids": [user],
        "starts_at": at, "ignore_benign_errors": true});
    let (s, b) = call(app, who, "POST", "/api/v1/rdvs", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    b["rdv"].clone()
}

fn first_lieu_and_motif(app: &TestApp, org: i32) -> (String, String) {
    use rdv_api::db::schema::{lieux, motifs};
    let mut conn = app.state.pool.get().unwrap();
    let lieu: String = lieux::table
        .filter(lieux::organisation_id.eq(org))
        .order(lieux::id)
        .select(lieux::name)
        .limit(1)
        .get_result(&mut *conn)
        .unwrap();
    let motif: String = motifs::table
        .filter(motifs::organisation_id.eq(org))
        .filter(motifs::location_type.eq("public_office"))
        .filter(motifs::collectif.eq(false))
        .order(motifs::id)
        .select(motifs::name)
        .limit(1)
        .get_result(&mut *conn)
        .unwrap();
    (lieu, motif)
}

#[actix_rt::test]
async fn two_workers_deliver_each_message_once() {
    let smtp = SmtpSink::start();
    let url = smtp.url.clone();
    let app = TestApp::spawn_with(move |c| {
        c.delivery.smtp_url = Some(url);
        c.delivery.workers = 0;
    })
    .await;
    {
        let mut conn = app.state.pool.get().unwrap();
        let mail = rdv_api::outbox::MailPayload {
            from: "RDV <ne-pas-repondre@rdv.test>".into(),
            reply_to: None,
            subject: "Test".into(),
            text: "Bonjour".into(),
            html: None,
            ics: None,
        };
        for i in 0..300 {
            rdv_api::outbox::enqueue_mail(
                &mut conn,
                "test",
                format!("test:{i}"),
                Default::default(),
                &format!("u{i}@example.fr"),
                &mail,
            )
            .unwrap();
        }
        // The same key again is not a second message.
        assert_eq!(
            rdv_api::outbox::enqueue_mail(
                &mut conn,
                "test",
                "test:0".into(),
                Default::default(),
                "x@example.fr",
                &mail
            )
            .unwrap(),
            0
        );
    }
    let workers = rdv_api::outbox::worker::spawn(app.state.pool.clone(), &app.state.config, 2).unwrap();
    let second = rdv_api::outbox::worker::spawn(app.state.pool.clone(), &app.state.config, 2).unwrap();
    let got = mails(&smtp, 300).await;
    actix_rt::time::sleep(std::time::Duration::from_millis(300)).await;
    workers.stop();
    second.stop();
    assert_eq!(smtp.received().len(), 300);
    let to: HashSet<String> = got.into_iter().map(|m| m.to).collect();
    assert_eq!(to.len(), 300);
    let mut conn = app.state.pool.get().unwrap();
    let status = rdv_api::db::models::outbox::count_by_status(&mut conn).unwrap();
    assert_eq!(status, vec![("mail".to_owned(), "sent".to_owned(), 300)]);
}

fn link_in(text: &str) -> String {
    let start = text.find("http://rdv.test/r/").expect("a /r/ link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[actix_rt::test]
async fn the_link_in_a_message_opens_the_rdv_after_the_name_check_and_cancels_it() {
    let (smtp, sms) = (SmtpSink::start(), SmsProvider::start());
    let app = app_with_providers(&smtp, &sms).await;
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let lea = usager(&app, &camille, arras).await;
    let rdv = book(
        &app,
        &camille,
        arras,
        "MDS Arras",
        "MDS Arras — Baudimont",
        "Consultation PMI nourrisson",
        camille_id,
        lea,
        local_in_days(3, 14),
    )
    .await;
    let confirmation = mails(&smtp, 1).await.remove(0);
    let link = link_in(&confirmation.text);
    let texts = eventually("the SMS", || Some(sms.requests()).filter(|r| !r.is_empty())).await;
    let sms_link = link_in(texts[0].body["content"].as_str().unwrap());
    assert_eq!(link, sms_link, "the email and the SMS carry the same link");
    let token = link.rsplit('/').next().unwrap().to_owned();

    // Nothing without the first three letters of the last name (Dupont).
    let open = |initials: &str| {
        app.post(&format!("/api/v1/public/links/{token}")).json(&json!({"last_name_initials": initials})).send()
    };
    let (s, b) = common::json(open("MAR").await.unwrap()).await;
    assert_eq!((s, b["errors"]["last_name_initials"][0]["error"].clone()), (422, json!("invalid")), "{b}");
    assert!(!b.to_string().contains("Consultation"), "nothing of the RDV before the check: {b}");
    let (s, b) = common::json(open("dup").await.unwrap()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["rdv"]["motif_name"].clone(), b["rdv"]["cancellable"].clone()),
        (json!("Consultation PMI nourrisson"), json!(true))
    );
    let (s, _) = common::json(
        app.post("/api/v1/public/links/0123456789abcdef0123")
            .json(&json!({"last_name_initials": "dup"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404, "unknown link");

    // Cancelled by the usager: the RDV is excused, Léa gets an email (no SMS), Camille is told.
    let (s, b) = common::json(
        app.post(&format!("/api/v1/public/links/{token}/cancel"))
            .json(&json!({"last_name_initials": "Dup"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, b["rdv"]["status"].clone()), (200, json!("excused")), "{b}");
    let (_, shown) = call(&app, &camille, "GET", &format!("/api/v1/rdvs/{}", rdv["id"]), None).await;
    assert_eq!(shown["rdv"]["status"], "excused");
    // Léa's cancellation email and Camille's (an agent hears of a cancellation by the usager).
    let got = mails(&smtp, 3).await;
    let to_lea = got.iter().find(|m| m.to == "lea.dupont@example.fr" && m.subject.starts_with("RDV annulé le "));
    let to_lea = to_lea.expect("the cancellation email");
    assert!(to_lea.text.contains("http://rdv.test/prendre-rdv"), "{}", to_lea.text);
    assert!(got.iter().any(|m| m.to.starts_with("camille.martin@") && m.subject.starts_with("RDV annulé")));
    actix_rt::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(sms.requests().len(), 1, "no SMS when the usager cancels");
}

#[actix_rt::test]
async fn a_territory_sends_its_sms_through_its_own_provider() {
    let sms = SmsProvider::start();
    let app = TestApp::spawn().await; // no provider in the environment: the file sink
    let arras = app.organisation_id("MDS Arras");
    let territory: i32 = {
        use rdv_api::db::schema::organisations;
        let mut conn = app.state.pool.get().unwrap();
        organisations::table.find(arras).select(organisations::territory_id).get_result(&mut *conn).unwrap()
    };
    let admin = app.sign_in("camille.martin").await; // territory admin in the demo data
    let sophie = app.sign_in("sophie.durand").await;
    let path = format!("/api/v1/territories/{territory}/sms_settings");
    let (s, _) = call(&app, &sophie, "PATCH", &path, Some(json!({"sms_sender": "X"}))).await;
    assert_eq!(s, 403, "territory admins only");
    let (s, b) = call(&app, &admin, "PATCH", &path, Some(json!({"sms_sender": "Un nom beaucoup trop long"}))).await;
    assert_eq!((s, b["errors"]["sms_sender"][0]["error"].clone()), (422, json!("invalid")), "{b}");
    let body = json!({"sms_provider_url": sms.url, "sms_api_key": "territory-key", "sms_sender": "CD62"});
    let (s, b) = call(&app, &admin, "PATCH", &path, Some(body)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["sms_settings"], json!({"sms_provider_url": sms.url, "sms_sender": "CD62", "sms_api_key_set": true}));
    assert!(
        !app.versions_of("Territory", territory).iter().any(|(_, v)| v.to_string().contains("territory-key")),
        "the key stays out of the history"
    );

    let camille_id = app.agent_id("camille.martin").await;
    let lea = usager(&app, &admin, arras).await;
    book(
        &app,
        &admin,
        arras,
        "MDS Arras",
        "MDS Arras — Baudimont",
        "Consultation PMI nourrisson",
        camille_id,
        lea,
        local_in_days(3, 15),
    )
    .await;
    let texts =
        eventually("the SMS at the territory's provider", || Some(sms.requests()).filter(|r| !r.is_empty())).await;
    assert_eq!((texts[0].api_key.as_str(), texts[0].body["sender"].clone()), ("territory-key", json!("CD62")));
    // Cleared: back to the server's settings (here the file sink).
    let (s, b) = call(&app, &admin, "PATCH", &path, Some(json!({"sms_provider_url": "", "sms_api_key": ""}))).await;
    assert_eq!((s, b["sms_settings"]["sms_api_key_set"].clone()), (200, json!(false)), "{b}");
}

#[actix_rt::test]
async fn an_agent_hears_of_their_absences_and_plages_by_their_level() {
    let app = TestApp::spawn().await;
    let camille = app.sign_in("camille.martin").await;
    let sophie = app.sign_in("sophie.durand").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let day = (Utc::now() + Duration::days(9)).date_naive();
    let weekday = day.format("%A").to_string().to_lowercase();
    let body = json!({"agent_id": sophie_id, "title": "Formation", "first_day": day, "start_time": "09:00",
        "end_time": "12:00", "recurrence": {"every": "week", "interval": 1, "on": [weekday]}});
    let (s, b) = call(&app, &camille, "POST", "/api/v1/absences", Some(body.clone())).await;
    assert_eq!(s, 200, "{b}");
    let id = b["absence"]["id"].as_i64().unwrap();
    let mailbox = app.state.config.dev_mailbox_dir.clone();
    let files = common::wait_for_files(&mailbox, 1).await;
    let mail = parse_mail(&std::fs::read(&files[0]).unwrap());
    assert!(mail.to.starts_with("sophie.durand@"), "{mail:?}");
    assert_eq!(mail.subject, "Indisponibilité créée : Formation");
    assert!(mail.text.contains("09:00–12:00"), "{}", mail.text);
    // The absence as a calendar event of Sophie's, repeating as it does.
    let ics = calendar(&mail, "text/calendar");
    let uid = format!("UID:absence_{id}@rdv");
    for needle in ["METHOD:PUBLISH", uid.as_str(), "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=", "SUMMARY:Formation"] {
        assert!(ics.contains(needle), "{needle} missing in\n{ics}");
    }
    assert!(ics.contains(&format!("DTSTART;TZID=Europe/Paris:{}T090000", day.format("%Y%m%d"))), "{ics}");

    // Deleted at level "all": the same event, cancelled.
    let (s, _) = call(&app, &camille, "DELETE", &format!("/api/v1/absences/{id}"), None).await;
    assert_eq!(s, 204);
    let files = common::wait_for_files(&mailbox, 2).await;
    let cancelled = files
        .iter()
        .map(|f| parse_mail(&std::fs::read(f).unwrap()))
        .find(|m| m.subject.starts_with("Indisponibilité supprimée"))
        .expect("the deletion email");
    let ics = calendar(&cancelled, "text/calendar");
    assert!(ics.contains("METHOD:CANCEL") && ics.contains(&uid), "{ics}");

    // Level "none": nothing more.
    let (s, b) = call(
        &app,
        &sophie,
        "PATCH",
        &format!("/api/v1/agents/{sophie_id}"),
        Some(json!({"absence_notification_level": "none"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&app, &camille, "POST", "/api/v1/absences", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = call(&app, &camille, "DELETE", &format!("/api/v1/absences/{}", b["absence"]["id"]), None).await;
    assert_eq!(s, 204);
    actix_rt::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(std::fs::read_dir(&mailbox).unwrap().count(), 2, "no email at level none");
}
