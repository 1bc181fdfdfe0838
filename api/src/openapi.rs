//! The OpenAPI document's frame (info, security schemes, shared schemas). Paths are added by
//! `utoipa_actix_web` as routes are registered in `app::api_routes`, so the document cannot
//! drift from the router; `openapi.yaml` at the repository root is this document, checked by a test.
//!
//! Authentication is declared once, here: every operation requires a signed-in agent (bearer
//! token or devise_token_auth's header trio) and may answer 401, except the operations listed in
//! [`PUBLIC_OPERATIONS`]. Handlers' `#[utoipa::path]` list only their own responses.

use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// Operations answered without signing in (their handlers take no `Authenticated`).
pub const PUBLIC_OPERATIONS: &[&str] = &[
    "get_health",
    "get_readiness",
    "get_calendar_ics",
    "sign_in",
    "create_password_reset",
    "update_password",
    "get_invitation",
    "accept_invitation",
    "list_public_motifs",
    "list_public_lieux",
    "list_public_creneaux",
    "create_public_rdv",
    "get_public_rdv",
    "cancel_public_rdv",
    "open_rdv_link",
    "cancel_rdv_link",
    "list_rdv_link_creneaux",
    "reschedule_rdv_link",
    "update_rdv_link_waiting_list",
    "list_public_links",
    "list_public_links_legacy",
    "get_public_stats",
];

/// The tag of RDV-Solidarités' API v1 operations (reference-api-v1.md §2), which keep its
/// paths, envelopes and errors.
pub const COMPAT_TAG: &str = "Compatibilité RDV-Solidarités v1";

/// RDV-Solidarités' API v1 operations (A1–A3, O1–O3, U1–U7, P1–P2, R1–R2, G1, M1, B1–B5, V1–V2,
/// W1–W3, L1, I1–I6) as (method, path) of this document.
const COMPAT_OPERATIONS: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/sign_in"),
    ("get", "/api/v1/auth/validate_token"),
    ("delete", "/api/v1/auth/sign_out"),
    ("get", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{id}"),
    ("patch", "/api/v1/organisations/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/rdv_invitation_token"),
    ("get", "/api/v1/organisations/{organisation_id}/users"),
    ("get", "/api/v1/organisations/{organisation_id}/users/{id}"),
    ("post", "/api/v1/user_profiles"),
    ("delete", "/api/v1/user_profiles"),
    ("post", "/api/v1/referent_assignations"),
    ("delete", "/api/v1/referent_assignations"),
    ("get", "/api/v1/agents"),
    ("get", "/api/v1/organisations/{organisation_id}/motifs"),
    ("get", "/api/v1/absences"),
    ("post", "/api/v1/absences"),
    ("get", "/api/v1/absences/{id}"),
    ("patch", "/api/v1/absences/{id}"),
    ("delete", "/api/v1/absences/{id}"),
    ("get", "/api/v1/organisations/{organisation_id}/rdvs"),
    ("patch", "/api/v1/participations/{id}"),
    ("get", "/api/v1/organisations/{organisation_id}/webhook_endpoints"),
    ("post", "/api/v1/organisations/{organisation_id}/webhook_endpoints"),
    ("patch", "/api/v1/organisations/{organisation_id}/webhook_endpoints/{id}"),
    ("put", "/api/v1/organisations/{organisation_id}/webhook_endpoints/{id}"),
    ("get", "/api/v1/public_links"),
    ("get", "/public_api/public_links"),
    ("get", "/api/rdvinsertion/invitations/creneau_availability"),
    ("post", "/api/rdvinsertion/user_profiles/create_many"),
    ("post", "/api/rdvinsertion/referent_assignations/create_many"),
    ("get", "/api/rdvinsertion/users/{id}"),
    ("post", "/api/rdvinsertion/motif_categories"),
    ("post", "/api/rdvinsertion/motif_category_territories"),
];

/// Tags RDV-Solidarités' v1 operations with [`COMPAT_TAG`] (besides their resource's tag), so
/// that integrators find the compatible surface in one group.
pub fn tag_compatible(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            if COMPAT_OPERATIONS.iter().any(|(m, p)| *m == method && p == path) {
                op.tags.get_or_insert_with(Vec::new).push(COMPAT_TAG.to_owned());
            }
        }
    }
}

/// Adds the sign-in requirement and the 401 response to every operation but the public ones.
/// Run on the assembled document (paths exist only once the routes are registered).
pub fn require_sign_in(doc: &mut utoipa::openapi::OpenApi) {
    let unauthorized = ResponseBuilder::new()
        .description("")
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("MessagesError"))).build())
        .build();
    for (path, item) in doc.paths.paths.iter_mut() {
        // rdv-insertion's namespace takes the partner signature only (its availability check
        // also a token); API v1 takes a token or the partner signature.
        let partner_only = path.starts_with("/api/rdvinsertion/") && !path.ends_with("/creneau_availability");
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            if op.operation_id.as_deref().is_some_and(|id| PUBLIC_OPERATIONS.contains(&id)) {
                continue;
            }
            let partner = SecurityRequirement::default()
                .add("partner_signature", Vec::<String>::new())
                .add("uid", Vec::<String>::new());
            op.security = Some(if partner_only {
                vec![partner]
            } else {
                vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::default()
                        .add("access_token", Vec::<String>::new())
                        .add("client", Vec::<String>::new())
                        .add("uid", Vec::<String>::new()),
                    partner,
                ]
            });
            op.responses.responses.entry("401".to_owned()).or_insert_with(|| unauthorized.clone().into());
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "RDV API",
        version = "1",
        description = "Appointment booking for French departmental social services. \
            Compatible with RDV-Solidarités' API v1 (paths, envelopes, errors, auth headers). \
            Conventions: docs/API-DESIGN.md."
    ),
    modifiers(&Security),
    components(schemas(
        rdv_shared::dto::MessagesError,
        rdv_shared::dto::ForbiddenError,
        rdv_shared::dto::NotFoundError,
        rdv_shared::dto::ValidationError,
    )),
    tags(
        (name = "auth", description = "Sign in, token validation, sign out"),
        (name = "organisations", description = "Organisations of the signed-in agent"),
        (name = "agents", description = "Agents"),
        (name = "invitations", description = "Accepting an invitation (no sign-in)"),
        (name = "lieux", description = "Places where RDVs happen"),
        (name = "motifs", description = "Appointment types and their settings"),
        (name = "territories", description = "Territory settings and the service catalogue"),
        (name = "teams", description = "Teams and territorial access rights"),
        (name = "plage_ouvertures", description = "Opening hours of agents (plages d'ouverture)"),
        (name = "absences", description = "Agents' unavailability (indisponibilités)"),
        (name = "rdvs", description = "RDVs and participations"),
        (name = "agenda", description = "The agenda feed: RDVs, plages, absences and holidays of agents"),
        (name = "creneaux", description = "Slot search: free slots of a motif per lieu and day, next availability, collective sessions"),
        (name = "sectors", description = "Sectorisation: sectors, zones (city or street), attributions, zone import"),
        (name = "public", description = "Public booking, no account: motifs at an address, lieux, slots, booking, confirmation and cancellation (rate-limited per IP)"),
        (name = "agenda_grants", description = "Agenda access grants: busy, read, write — per agent, team or service"),
        (name = "versions", description = "Audit history of a record"),
        (name = "exports", description = "RDV and participation exports (XLSX, CSV) of the filtered RDV list: background job with progress, the requester's files until they expire"),
        (name = "stats", description = "Statistics: an organisation's, the agent's own, a territory's (territorial admins) and public ones (no personal data)"),
        (name = "webhooks", description = "Outgoing webhooks: endpoints per organisation (W1–W3), signed events, delivery log (see docs/webhooks.md)"),
        (name = "rdvinsertion", description = "rdv-insertion's namespace (/api/rdvinsertion): bulk profiles and referents, motif categories, slot availability for an invitation; partner signature"),
        (name = "Compatibilité RDV-Solidarités v1", description = "The operations of RDV-Solidarités' API v1 (reference-api-v1.md §2), with its paths, envelopes, errors and auth headers; each also appears under its resource"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // utoipa fills info.license from Cargo metadata; the project has not chosen one yet.
        openapi.info.license = None;
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        // Partner requests: `uid` + this HMAC-SHA256 signature (docs/API-DESIGN.md, "Partner signature").
        components.add_security_scheme(
            "partner_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Agent-Auth-Signature",
                "Lowercase hex HMAC-SHA256 of the acting agent's {id, first_name, last_name, email} (Rails JSON), \
                 keyed with the partner shared secret; send the agent's email in `uid`.",
            ))),
        );
        for (name, header) in [("access_token", "access-token"), ("client", "client"), ("uid", "uid")] {
            components.add_security_scheme(name, SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(header))));
        }
    }
}

/// The document as YAML (what `rdv openapi` prints and `openapi.yaml` holds).
pub fn to_yaml(doc: &utoipa::openapi::OpenApi) -> anyhow::Result<String> {
    Ok(serde_norway::to_string(&crate::openapi_domain::constrained(doc)?)?)
}

/// The document as served at `/api-docs/openapi.json`: with the input domain written in.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> anyhow::Result<String> {
    Ok(serde_json::to_string(&crate::openapi_domain::constrained(doc)?)?)
}

/// Every operation that reads input can answer 422 (the input domain, `api::extract`: control
/// characters, dates out of range, leap seconds, on any parameter or body text), and every one
/// with a body 400 (unreadable JSON): documented once here rather than on each handler.
pub fn document_input_errors(doc: &mut utoipa::openapi::OpenApi) {
    let response = |schema: &str, description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name(schema))).build())
            .build()
    };
    let invalid =
        response("ValidationError", "A parameter or body text outside the input domain, or an invalid field.");
    let unreadable = response("MessagesError", "The body is not readable JSON.");
    for item in doc.paths.paths.values_mut() {
        let path_params = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            let has_body = op.request_body.is_some();
            let has_params = path_params || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if has_body || has_params {
                op.responses.responses.entry("422".to_owned()).or_insert_with(|| invalid.clone().into());
            }
            if has_body {
                op.responses.responses.entry("400".to_owned()).or_insert_with(|| unreadable.clone().into());
            }
        }
    }
}
