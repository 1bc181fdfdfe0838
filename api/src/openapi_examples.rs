//! Examples of RDV-Solidarités' API v1 operations in the OpenAPI document (issue 16): the bodies
//! an integrator sends and gets, as rdv-insertion and départements' tools use them
//! (reference-api-v1.md §3, §6). Attached to the operations tagged
//! "Compatibilité RDV-Solidarités v1" by [`add`].

use serde_json::{json, Value};
use utoipa::openapi::OpenApi;

/// (method, path, request example, 200 example).
fn examples() -> Vec<(&'static str, &'static str, Option<Value>, Option<Value>)> {
    let user = json!({"id": 4242, "first_name": "Inès", "last_name": "Martin", "birth_name": null,
        "birth_date": "1990-04-02", "email": "ines.martin@example.fr", "phone_number": "06 11 22 33 44",
        "phone_number_formatted": "+33611223344", "address": "1 rue de la Paix 62000 Arras",
        "affiliation_number": "1234567", "caisse_affiliation": "caf", "notify_by_sms": true, "notify_by_email": true,
        "responsible_id": null, "user_profiles": null});
    let organisation = json!({"id": 1, "name": "MDS Arras", "email": "mds.arras@pas-de-calais.fr",
        "phone_number": "03 21 00 00 00", "verticale": "rdv_insertion"});
    let agent = json!({"id": 12, "email": "agent@pas-de-calais.fr", "first_name": "Agrippin", "last_name": "Menard"});
    vec![
        ("post", "/api/v1/auth/sign_in", Some(json!({"email": "agent@pas-de-calais.fr", "password": "…"})), None),
        (
            "post",
            "/api/v1/users",
            Some(json!({"organisation_ids": [1], "first_name": "Inès", "last_name": "Martin",
                "birth_date": "1990-04-02", "email": "ines.martin@example.fr", "phone_number": "06 11 22 33 44",
                "address": "1 rue de la Paix 62000 Arras", "affiliation_number": "1234567",
                "referent_agent_ids": [12]})),
            Some(json!({"user": user})),
        ),
        ("patch", "/api/v1/users/{id}", Some(json!({"phone_number": "06 11 22 33 45"})), Some(json!({"user": user}))),
        ("post", "/api/v1/users/{id}/rdv_invitation_token", None, Some(json!({"invitation_token": "VS5JNYJB"}))),
        (
            "post",
            "/api/v1/user_profiles",
            Some(json!({"organisation_id": 1, "user_id": 4242})),
            Some(json!({"user_profile": {"organisation": organisation, "user": user}})),
        ),
        (
            "post",
            "/api/v1/referent_assignations",
            Some(json!({"agent_id": 12, "user_id": 4242})),
            Some(json!({"referent_assignation": {"agent": agent, "user": user}})),
        ),
        (
            "post",
            "/api/v1/absences",
            Some(json!({"agent_email": "agent@pas-de-calais.fr", "title": "Formation", "first_day": "2026-12-14",
                "start_time": "09:00", "end_day": "2026-12-14", "end_time": "12:00"})),
            None,
        ),
        ("patch", "/api/v1/participations/{id}", Some(json!({"status": "seen"})), None),
        (
            "post",
            "/api/v1/organisations/{organisation_id}/webhook_endpoints",
            Some(json!({"target_url": "https://www.rdv-insertion.fr/rdv_solidarites_webhooks", "secret": "…",
                "subscriptions": ["rdv", "user", "user_profile", "organisation", "motif", "lieu", "agent",
                    "agent_role", "referent_assignation"], "trigger": false})),
            Some(json!({"webhook_endpoint": {"id": 7, "organisation_id": 1,
                "target_url": "https://www.rdv-insertion.fr/rdv_solidarites_webhooks",
                "subscriptions": ["rdv", "user", "user_profile", "organisation", "motif", "lieu", "agent",
                    "agent_role", "referent_assignation"]}})),
        ),
        (
            "get",
            "/api/v1/public_links",
            None,
            Some(json!({"public_links": [{"external_id": "ext_id_A", "public_link": "https://rdv.example.fr/org/1"}]})),
        ),
        (
            "get",
            "/api/rdvinsertion/invitations/creneau_availability",
            None,
            Some(json!({"creneau_availability": true})),
        ),
        (
            "post",
            "/api/rdvinsertion/user_profiles/create_many",
            Some(json!({"user_id": 4242, "organisation_ids": [1, 2]})),
            None,
        ),
        (
            "post",
            "/api/rdvinsertion/referent_assignations/create_many",
            Some(json!({"user_id": 4242, "agent_ids": [12]})),
            None,
        ),
        (
            "post",
            "/api/rdvinsertion/motif_categories",
            Some(json!({"name": "RSA orientation", "short_name": "rsa_orientation"})),
            Some(json!({"motif_category": {"id": 3, "name": "RSA orientation", "short_name": "rsa_orientation"}})),
        ),
        (
            "post",
            "/api/rdvinsertion/motif_category_territories",
            Some(json!({"motif_category_short_name": "rsa_orientation", "organisation_id": 1})),
            Some(json!({"territory": {"id": 1, "departement_number": "62", "name": "Pas-de-Calais",
                "motif_categories": [{"id": 3, "name": "RSA orientation", "short_name": "rsa_orientation"}]}})),
        ),
    ]
}

/// Attaches the examples to their operations' JSON request body and 200 answer.
pub fn add(doc: &mut OpenApi) {
    for (method, path, request, response) in examples() {
        let Some(item) = doc.paths.paths.get_mut(path) else { continue };
        let op = match method {
            "get" => item.get.as_mut(),
            "post" => item.post.as_mut(),
            "patch" => item.patch.as_mut(),
            _ => None,
        };
        let Some(op) = op else { continue };
        if let (Some(example), Some(body)) = (request, op.request_body.as_mut()) {
            if let Some(content) = body.content.get_mut("application/json") {
                content.example = Some(example);
            }
        }
        if let Some(example) = response {
            if let Some(utoipa::openapi::RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                if let Some(content) = ok.content.get_mut("application/json") {
                    content.example = Some(example);
                }
            }
        }
    }
}
