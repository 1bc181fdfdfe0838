//! Teams and territorial access rights.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

fn territory_id(app: &TestApp) -> i32 {
    let mut conn = app.state.pool.get().unwrap();
    rdv_api::db::models::territory::find_by_name(&mut conn, "Pas-de-Calais").unwrap().unwrap().id
}

#[actix_rt::test]
async fn teams_access_table_and_rules() {
    let app = TestApp::spawn().await;
    let t = territory_id(&app);
    let sophie = app.agent_id("sophie.durand").await;
    let emma = app.agent_id("emma.dubois").await;
    // (actor, [list, create])
    let expected = [
        ("admin", [200, 200]), // territorial admin
        ("basic PMI+CPEF", [200, 403]),
        ("basic social", [200, 403]),
        ("secretary", [200, 403]),
        ("admin of another organisation", [200, 403]),
        ("admin of another territory", [404, 404]),
        ("territorial admin with a role elsewhere", [200, 200]),
    ];
    for ((who, s), (label, codes)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let list = app.get(&format!("/api/v1/territories/{t}/teams")).bearer(&s).send().await.unwrap();
        let create = app
            .post(&format!("/api/v1/territories/{t}/teams"))
            .bearer(&s)
            .json(&json!({"name": format!("Équipe {who}"), "agent_ids": [sophie]}))
            .send()
            .await
            .unwrap();
        assert_eq!([list.status().as_u16(), create.status().as_u16()], codes, "{who}");
    }
    let admin = app.sign_in("camille.martin").await;
    let (status, res) = json(
        app.post(&format!("/api/v1/territories/{t}/teams"))
            .bearer(&admin)
            .json(&json!({"name": "Sages-femmes", "agent_ids": [sophie, emma, sophie]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["team"]["agent_ids"], json!([sophie, emma]));
    let team = res["team"]["id"].as_i64().unwrap();
    let guyane = app.sign_in("lea.joseph").await; // created by actors(), outside the territory
    let outsider = {
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().unwrap();
        rdv_api::db::schema::agents::table
            .filter(rdv_api::db::schema::agents::last_name.eq("Joseph"))
            .select(rdv_api::db::schema::agents::id)
            .get_result::<i32>(&mut *conn)
            .unwrap()
    };
    for (body, field, code) in [
        (json!({"agent_ids": [outsider]}), "agent_ids", "inclusion"),
        (json!({"name": "Équipe admin"}), "name", "taken"),
        (json!({"name": " "}), "name", "blank"),
    ] {
        let (status, res) =
            json(app.patch(&format!("/api/v1/teams/{team}")).bearer(&admin).json(&body).send().await.unwrap()).await;
        assert_eq!((status, res["errors"][field][0]["error"].as_str()), (422, Some(code)), "{body}");
    }
    let (status, res) = json(
        app.patch(&format!("/api/v1/teams/{team}"))
            .bearer(&admin)
            .json(&json!({"agent_ids": [emma]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["team"]["agent_ids"].clone()), (200, json!([emma])));
    assert_eq!(app.delete(&format!("/api/v1/teams/{team}")).bearer(&guyane).send().await.unwrap().status(), 404);
    assert_eq!(app.delete(&format!("/api/v1/teams/{team}")).bearer(&admin).send().await.unwrap().status(), 204);
    assert_eq!(app.versions_of("Team", team as i32).last().unwrap().0, "destroy");
}

#[actix_rt::test]
async fn access_rights_flags_and_territorial_admin() {
    let app = TestApp::spawn().await;
    let t = territory_id(&app);
    let admin = app.sign_in("camille.martin").await;
    let basic = app.sign_in("julien.lefebvre").await;
    let julien = app.agent_id("julien.lefebvre").await;
    let camille = app.agent_id("camille.martin").await;
    assert_eq!(
        app.get(&format!("/api/v1/territories/{t}/access_rights")).bearer(&basic).send().await.unwrap().status(),
        403
    );
    let (status, list) =
        json(app.get(&format!("/api/v1/territories/{t}/access_rights")).bearer(&admin).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(list["meta"]["total_count"], 12);
    assert_eq!(list["access_rights"].as_array().unwrap().iter().filter(|r| r["territorial_admin"] == true).count(), 1);

    // Give Julien the "manage access rights" and "manage teams" rights.
    let (status, res) = json(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/{julien}"))
            .bearer(&admin)
            .json(&json!({"allow_to_manage_access_rights": true, "allow_to_manage_teams": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["access_rights"]["allow_to_manage_access_rights"], true);
    // He can now manage flags and teams, but not make anyone territorial admin.
    assert_eq!(
        app.get(&format!("/api/v1/territories/{t}/access_rights")).bearer(&basic).send().await.unwrap().status(),
        200
    );
    let emma = app.agent_id("emma.dubois").await;
    assert_eq!(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/{emma}"))
            .bearer(&basic)
            .json(&json!({"allow_to_invite_agents": true}))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/{emma}"))
            .bearer(&basic)
            .json(&json!({"territorial_admin": true}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        app.post(&format!("/api/v1/territories/{t}/teams"))
            .bearer(&basic)
            .json(&json!({"name": "Accueil"}))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // The territory keeps a territorial admin.
    let (status, res) = json(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/{camille}"))
            .bearer(&admin)
            .json(&json!({"territorial_admin": false}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["errors"]["territorial_admin"][0]["error"].as_str()), (422, Some("last_admin")));
    let (status, _) = json(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/{julien}"))
            .bearer(&admin)
            .json(&json!({"territorial_admin": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, res) = json(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/{camille}"))
            .bearer(&admin)
            .json(&json!({"territorial_admin": false}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["access_rights"]["territorial_admin"].as_bool()), (200, Some(false)));
    // Emma's new right lets her invite into any organisation of the territory.
    let emma_s = app.sign_in("emma.dubois").await;
    let calais = app.organisation_id("MDS Calais");
    let res = app
        .post(&format!("/api/v1/organisations/{calais}/agents"))
        .bearer(&emma_s)
        .json(&json!({"email": "x@y.fr", "access_level": "basic", "service_ids": [1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.patch(&format!("/api/v1/territories/{t}/access_rights/999"))
            .bearer(&admin)
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .status(),
        403,
        "Camille is no longer territorial admin"
    );
}
