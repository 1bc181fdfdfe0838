//! Webhook events of usagers, agents and their links (issue 16): `User`, `UserProfile`,
//! `ReferentAssignation`, `Agent` and `AgentRole` created / updated / destroyed, with the
//! reference's shapes and routing, delivered signed to a real local receiver; and their replay.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::Duration;
use common::webhook_receiver::{Received, WebhookReceiver};
use common::{call, TestApp};
use serde_json::{json, Value};

const SECRET: &str = "people-secret";
const PEOPLE: [&str; 5] = ["user", "user_profile", "referent_assignation", "agent", "agent_role"];

async fn app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.delivery.webhook_allowed_hosts = vec!["127.0.0.1".into()];
        c.delivery.retry_base = Duration::seconds(1);
    })
    .await
}

/// The receiver's `(model, event)` pairs of `model`, in arrival order.
fn events(received: &[Received], model: &str) -> Vec<(String, Value)> {
    received
        .iter()
        .filter(|r| r.json()["meta"]["model"] == model)
        .map(|r| (r.model_event().1, r.json()["data"].clone()))
        .collect()
}

/// Subscribes a receiver to the people models of `org` (with or without the replay).
async fn subscribe(app: &TestApp, who: &common::Session, org: i32, url: &str, trigger: bool) {
    let (s, b) = call(
        app,
        who,
        "POST",
        &format!("/api/v1/organisations/{org}/webhook_endpoints"),
        Some(json!({"target_url": url, "secret": SECRET, "subscriptions": PEOPLE, "trigger": trigger})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

async fn wait(receiver: &WebhookReceiver, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
    for _ in 0..300 {
        let r = receiver.received();
        if done(&r) {
            return r;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        receiver.received().iter().map(|r| r.model_event()).collect::<Vec<_>>()
    );
}

#[actix_rt::test]
async fn usager_agent_and_link_events_arrive_with_the_reference_shapes() {
    let app = app().await;
    let receiver = WebhookReceiver::start();
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    subscribe(&app, &camille, arras, &receiver.url, false).await;

    // A usager created through API v1 with a referent: User, UserProfile, ReferentAssignation.
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(json!({"first_name": "Hugo", "last_name": "Webhook", "email": "hugo.webhook@example.fr",
            "organisation_ids": [arras], "referent_agent_ids": [camille_id]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let user_id = b["user"]["id"].as_i64().unwrap();
    let got = wait(&receiver, "the usager's three events", |r| {
        !events(r, "User").is_empty()
            && !events(r, "UserProfile").is_empty()
            && !events(r, "ReferentAssignation").is_empty()
    })
    .await;
    let (event, user) = events(&got, "User").remove(0);
    assert_eq!((event.as_str(), user["id"].as_i64()), ("created", Some(user_id)));
    assert_eq!(user["last_name"], "Webhook");
    assert_eq!(user["user_profiles"], Value::Null, "user_profiles is null in webhooks, as the reference");
    let (event, profile) = events(&got, "UserProfile").remove(0);
    assert_eq!(event, "created");
    assert_eq!(
        (profile["organisation"]["id"].as_i64(), profile["user"]["id"].as_i64()),
        (Some(arras.into()), Some(user_id))
    );
    assert!(profile.get("id").is_none(), "no id, as the reference: {profile}");
    let (event, referent) = events(&got, "ReferentAssignation").remove(0);
    assert_eq!(event, "created");
    assert_eq!(referent["agent"]["id"].as_i64(), Some(camille_id.into()));
    assert_eq!(referent["user"]["id"].as_i64(), Some(user_id));
    for r in &got {
        assert!(r.verify(SECRET), "signed: {r:?}");
    }

    // Updated, then the referent removed, then the usager removed from the organisation: it
    // is anonymised, which sends only `UserProfile destroyed` (reference §5, "not sent").
    let (s, b) =
        call(&app, &camille, "PATCH", &format!("/api/v1/users/{user_id}"), Some(json!({"first_name": "Hugues"}))).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = call(
        &app,
        &camille,
        "DELETE",
        &format!("/api/v1/referent_assignations?user_id={user_id}&agent_id={camille_id}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, b) = call(
        &app,
        &camille,
        "DELETE",
        &format!("/api/v1/user_profiles?user_id={user_id}&organisation_id={arras}"),
        None,
    )
    .await;
    assert_eq!(s, 204, "{b}");
    let got = wait(&receiver, "update and deletions", |r| events(r, "UserProfile").len() >= 2).await;
    let users = events(&got, "User");
    assert_eq!(users.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["created", "updated"]);
    assert_eq!(users[1].1["first_name"], "Hugues");
    let refs = events(&got, "ReferentAssignation");
    assert_eq!(refs.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["created", "destroyed"]);
    let profiles = events(&got, "UserProfile");
    assert_eq!(profiles.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["created", "destroyed"]);
    assert_eq!(profiles[1].1["user"]["id"].as_i64(), Some(user_id), "names the usager it linked");

    // An agent invited into the organisation: Agent and AgentRole created; role changed; profile
    // changed; role removed.
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        &format!("/api/v1/organisations/{arras}/agents"),
        Some(json!({"email": "nina.webhook@pas-de-calais.fr", "first_name": "Nina", "last_name": "Hook",
            "access_level": "basic", "service_ids": [1]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let nina = b["agent"]["id"].as_i64().or(b["agent"]["agent"]["id"].as_i64()).expect("agent id");
    let (s, b) = call(
        &app,
        &camille,
        "PATCH",
        &format!("/api/v1/agents/{nina}/roles/{arras}"),
        Some(json!({"access_level": "admin"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) =
        call(&app, &camille, "PATCH", &format!("/api/v1/agents/{nina}"), Some(json!({"last_name": "Crochet"}))).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&app, &camille, "DELETE", &format!("/api/v1/agents/{nina}/roles/{arras}"), None).await;
    assert!(s == 200 || s == 204, "{s} {b}");
    let got = wait(&receiver, "the agent's events", |r| events(r, "AgentRole").len() >= 3).await;
    let agents: Vec<_> = events(&got, "Agent").into_iter().filter(|(_, d)| d["id"].as_i64() == Some(nina)).collect();
    assert_eq!(agents.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["created", "updated"]);
    assert_eq!(agents[0].1["email"], "nina.webhook@pas-de-calais.fr");
    assert_eq!(agents[1].1["last_name"], "Crochet");
    let roles = events(&got, "AgentRole");
    assert_eq!(roles.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["created", "updated", "destroyed"]);
    assert_eq!(roles[1].1["access_level"], "admin");
    assert_eq!(roles[2].1["agent"]["id"].as_i64(), Some(nina));
    assert_eq!(roles[2].1["organisation"]["id"].as_i64(), Some(arras.into()));
    assert!(roles[0].1["id"].is_i64(), "an agent role has an id: {}", roles[0].1);
}

#[actix_rt::test]
async fn trigger_replays_the_organisations_usagers_agents_and_links_and_only_theirs() {
    let app = app().await;
    let receiver = WebhookReceiver::start();
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    // The fixture has no usagers: one of Arras with a referent, one of another territory.
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(json!({"first_name": "Léa", "last_name": "Rejouée", "organisation_ids": [arras],
            "referent_agent_ids": [camille_id]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let lea = b["user"]["id"].as_i64().unwrap();
    let other = app.sign_in_other_territory().await;
    let (_, b) = call(&app, &other, "GET", "/api/v1/organisations", None).await;
    let elsewhere = b["organisations"][0]["id"].as_i64().unwrap();
    let (s, b) = call(
        &app,
        &other,
        "POST",
        "/api/v1/users",
        Some(json!({"first_name": "Paul", "last_name": "Ailleurs", "organisation_ids": [elsewhere]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let paul = b["user"]["id"].as_i64().unwrap();
    subscribe(&app, &camille, arras, &receiver.url, true).await;
    let got = wait(&receiver, "the replay", |r| {
        ["User", "UserProfile", "ReferentAssignation", "Agent", "AgentRole"].iter().all(|m| !events(r, m).is_empty())
    })
    .await;
    // Let the replay finish, then read everything it sent.
    actix_rt::time::sleep(std::time::Duration::from_millis(500)).await;
    let got = if receiver.received().len() > got.len() { receiver.received() } else { got };
    assert!(got.iter().all(|r| r.model_event().1 == "created"), "a replay sends `created` only");
    let roles = events(&got, "AgentRole");
    assert!(roles.iter().all(|(_, d)| d["organisation"]["id"].as_i64() == Some(arras.into())), "only Arras' roles");
    assert!(roles.iter().any(|(_, d)| d["agent"]["id"].as_i64() == Some(camille_id.into())));
    let profiles = events(&got, "UserProfile");
    assert!(profiles.iter().all(|(_, d)| d["organisation"]["id"].as_i64() == Some(arras.into())));
    let users = events(&got, "User");
    assert_eq!(users.len(), profiles.len(), "one User per profile of the organisation");
    assert!(users.iter().any(|(_, d)| d["id"].as_i64() == Some(lea)));
    assert!(users.iter().all(|(_, d)| d["id"].as_i64() != Some(paul)), "nothing of another organisation");
    let refs = events(&got, "ReferentAssignation");
    assert_eq!(refs.len(), 1);
    assert_eq!(
        (refs[0].1["user"]["id"].as_i64(), refs[0].1["agent"]["id"].as_i64()),
        (Some(lea), Some(camille_id.into()))
    );
}

/// The replay pages: with one record per job, each job queues the next one with its cursor, and
/// the whole organisation arrives once, in kind order, whatever the batch size.
#[test]
fn the_replay_pages_through_the_organisation_and_sends_each_record_once() {
    use rdv_api::db::models::outbox;
    use rdv_api::services::webhook_replay;

    let data = common::TestData::seeded();
    let mut conn = data.conn();
    let arras = common::organisation_id(&data.state, "MDS Arras");
    let subscriptions: Vec<String> =
        ["organisation", "lieu", "motif", "agent", "agent_role"].map(String::from).to_vec();
    let values = rdv_api::db::models::webhook::EndpointValues {
        organisation_id: arras,
        target_url: "http://127.0.0.1:9/hooks",
        secret: "s",
        subscriptions: &subscriptions,
    };
    let author = rdv_api::audit::Author::system("test");
    let endpoint = rdv_api::db::write_tx(&mut conn, |c| {
        let e = rdv_api::db::models::webhook::create(c, &author, &values)?;
        webhook_replay::plan_replay(c, &e)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
        Ok::<_, diesel::result::Error>(e)
    })
    .unwrap();
    let far = rdv_api::db::now_utc() + chrono::Duration::days(1);
    let (mut jobs, mut events) = (0, Vec::new());
    for _ in 0..500 {
        let claimed = rdv_api::db::write_tx(&mut conn, |c| outbox::claim(c, far, far, 50)).unwrap();
        if claimed.is_empty() {
            break;
        }
        for row in claimed {
            if row.channel == "webhook" {
                let p: Value = serde_json::from_str(&row.payload).unwrap();
                events.push((p["model"].as_str().unwrap().to_owned(), p["record_id"].as_i64().unwrap()));
            } else {
                jobs += 1;
                rdv_api::db::write_tx(&mut conn, |c| {
                    let outcome = webhook_replay::run_replay_in_batches(c, &row, 1)?;
                    Ok::<_, rdv_api::error::ApiError>(outbox::finish(c, row.id, &outcome, far)?)
                })
                .unwrap();
            }
            rdv_api::db::write_tx(&mut conn, |c| outbox::finish(c, row.id, &outbox::Outcome::Sent, far)).unwrap();
        }
    }
    let models: Vec<&str> = events.iter().map(|(m, _)| m.as_str()).collect();
    let count = |m: &str| models.iter().filter(|x| **x == m).count();
    assert_eq!(count("Organisation"), 1);
    let lieux = rdv_api::db::models::lieu::of_organisation(&mut conn, arras).unwrap().len();
    let roles = rdv_api::db::models::agent::live_agents_of(&mut conn, &[arras], 0).unwrap().len();
    assert_eq!(count("Lieu"), lieux);
    assert_eq!(count("AgentRole"), roles, "{events:?}");
    assert_eq!(count("Agent"), roles);
    assert!(count("Motif") > 1);
    // One record per job (the last job may find nothing left).
    assert!(jobs == events.len() || jobs == events.len() + 1, "{jobs} jobs for {} events", events.len());
    let mut sorted = events.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), events.len(), "each record once");
    // Kind order: the organisation first, then lieux, motifs, agents, roles.
    let firsts: Vec<&str> = models.iter().fold(Vec::new(), |mut acc, m| {
        if acc.last() != Some(m) {
            acc.push(*m);
        }
        acc
    });
    assert_eq!(firsts, ["Organisation", "Lieu", "Motif", "Agent", "AgentRole"]);
    assert_eq!(endpoint.organisation_id, arras);
}
