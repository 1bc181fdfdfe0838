//! The actix application: shared state, middleware, and the order of services —
//! `/health`, `/api` (JSON 404 for unknown paths), `/api-docs` (offline Swagger UI), then the SPA.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{self, Next};
use actix_web::{web, App};
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::routes::{self, docs::OpenApiJson};
use crate::state::AppState;

/// Every documented route, and the OpenAPI document built from them.
pub fn api_routes() -> (
    App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    let (app, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(crate::openapi::ApiDoc::openapi())
        .service(routes::health::get_health)
        .service(routes::health::get_readiness)
        .service(routes::calendar::get_calendar_ics)
        .service(
            scope::scope("/api")
                .service(
                    scope::scope("/v1")
                        .service(routes::auth::sign_in)
                        .service(routes::auth::validate_token)
                        .service(routes::auth::create_password_reset)
                        .service(routes::auth::update_password)
                        .service(routes::auth::delete_sessions)
                        .service(routes::auth::sign_out)
                        .service(routes::me::get_me)
                        .service(routes::calendar::get_calendar_feed)
                        .service(routes::calendar::create_calendar_feed)
                        .service(routes::calendar::delete_calendar_feed)
                        .service(routes::organisations::list_organisations)
                        .service(routes::organisations::create_organisation)
                        .service(routes::organisations::get_organisation)
                        .service(routes::organisations::update_organisation)
                        .service(routes::agents::list_agents)
                        .service(routes::agent_admin::invite_agent)
                        .service(routes::agent_admin::get_agent)
                        .service(routes::agent_admin::update_agent)
                        .service(routes::agent_admin::update_agent_role)
                        .service(routes::agent_admin::remove_agent_role)
                        .service(routes::agent_admin::resend_invitation)
                        .service(routes::agent_admin::revoke_invitation)
                        .service(routes::invitations::get_invitation)
                        .service(routes::invitations::accept_invitation)
                        .service(routes::lieux::list_lieux)
                        .service(routes::lieux::create_lieu)
                        .service(routes::lieux::get_lieu)
                        .service(routes::lieux::update_lieu)
                        .service(routes::motifs::export_motifs)
                        .service(routes::motifs::list_motifs)
                        .service(routes::motifs::create_motif)
                        .service(routes::motifs::get_motif)
                        .service(routes::motifs::update_motif)
                        .service(routes::motifs::delete_motif)
                        .service(routes::motifs::list_motif_categories)
                        .service(routes::territories::get_territory)
                        .service(routes::territories::update_territory)
                        .service(routes::territories::get_sms_settings)
                        .service(routes::territories::update_sms_settings)
                        .service(routes::retention::get_retention)
                        .service(routes::retention::update_retention)
                        .service(routes::territories::list_territory_organisations)
                        .service(routes::territories::list_services)
                        .service(routes::teams::list_teams)
                        .service(routes::teams::create_team)
                        .service(routes::teams::update_team)
                        .service(routes::teams::delete_team)
                        .service(routes::teams::list_access_rights)
                        .service(routes::teams::update_access_rights)
                        .service(routes::versions::list_versions)
                        // `/users/search` and `/users/duplicates` before `/users/{id}`: first match wins.
                        .service(routes::users_extra::search_users)
                        .service(routes::users_extra::list_user_duplicates)
                        .service(routes::user_imports::create_user_import)
                        .service(routes::user_imports::get_user_import)
                        .service(routes::user_imports::get_user_import_report)
                        .service(routes::users::list_users)
                        .service(routes::users::create_user)
                        .service(routes::users::get_user)
                        .service(routes::users::update_user)
                        .service(routes::users::list_organisation_users)
                        .service(routes::users::get_organisation_user)
                        .service(routes::users::create_user_invitation_token)
                        .service(routes::users_extra::merge_users)
                        .service(routes::users_extra::export_user)
                        .service(routes::users_extra::list_user_reads)
                        .service(routes::user_links::create_user_profile)
                        .service(routes::user_links::delete_user_profile)
                        .service(routes::user_links::create_referent_assignation)
                        .service(routes::user_links::delete_referent_assignation)
                        .service(routes::absences::list_absences)
                        .service(routes::absences::create_absence)
                        .service(routes::absences::get_absence)
                        .service(routes::absences::update_absence)
                        .service(routes::absences::delete_absence)
                        .service(routes::plages::list_plage_ouvertures)
                        .service(routes::plages::create_plage_ouverture)
                        .service(routes::plages::get_plage_ouverture)
                        .service(routes::plages::update_plage_ouverture)
                        .service(routes::plages::delete_plage_ouverture)
                        .service(routes::rdvs::create_rdv)
                        .service(routes::rdvs::get_rdv)
                        .service(routes::rdvs::update_rdv)
                        .service(routes::rdvs::delete_rdv)
                        .service(routes::receipts::list_rdv_receipts)
                        .service(routes::receipts::send_rdv_reminder)
                        .service(routes::receipts::list_user_receipts)
                        .service(routes::participations::update_participation)
                        .service(routes::rdv_lists::list_organisation_rdvs)
                        .service(routes::rdv_lists::list_user_rdvs)
                        .service(routes::rdv_lists::list_rdvs_to_fill)
                        .service(routes::rdv_search::list_rdvs)
                        .service(routes::stats::get_organisation_stats)
                        .service(routes::stats::get_territory_stats)
                        .service(routes::stats::get_my_stats)
                        .service(routes::stats::get_public_stats)
                        .service(routes::exports::create_export)
                        .service(routes::exports::list_exports)
                        .service(routes::exports::get_export)
                        .service(routes::exports::download_export)
                        .service(routes::agenda::list_agenda_agents)
                        .service(routes::agenda::get_agenda)
                        .service(routes::creneaux::list_creneaux)
                        .service(routes::sectors::list_sectors)
                        .service(routes::sectors::create_sector)
                        .service(routes::sectors::delete_sector)
                        .service(routes::sectors::list_zones)
                        .service(routes::sectors::create_zone)
                        .service(routes::sectors::delete_zone)
                        .service(routes::sectors::create_sector_attribution)
                        .service(routes::sectors::delete_sector_attribution)
                        .service(routes::sectors::import_zones)
                        .service(routes::sectors::export_zones)
                        .service(routes::sectorisation_test::test_sectorisation)
                        .service(routes::public_search::list_public_motifs)
                        .service(routes::public_search::list_public_lieux)
                        .service(routes::public_search::list_public_creneaux)
                        .service(routes::public_booking::create_public_rdv)
                        .service(routes::public_booking::get_public_rdv)
                        .service(routes::public_booking::cancel_public_rdv)
                        .service(routes::rdv_links::open_rdv_link)
                        .service(routes::rdv_links::cancel_rdv_link)
                        .service(routes::rdv_links::list_rdv_link_creneaux)
                        .service(routes::rdv_links::reschedule_rdv_link)
                        .service(routes::rdv_links::update_rdv_link_waiting_list)
                        .service(routes::rdvinsertion::list_public_links)
                        .service(routes::webhooks::list_webhook_endpoints)
                        .service(routes::webhooks::create_webhook_endpoint)
                        .service(routes::webhooks::update_webhook_endpoint)
                        .service(routes::webhooks::replace_webhook_endpoint)
                        .service(routes::webhooks::delete_webhook_endpoint)
                        .service(routes::webhooks::list_webhook_deliveries)
                        .service(routes::webhooks::redeliver_webhook_delivery)
                        // `/agenda_grants/copy` before `/agenda_grants/{id}`.
                        .service(routes::agenda_grants::copy_agenda_grants)
                        .service(routes::agenda_grants::list_agenda_grants)
                        .service(routes::agenda_grants::create_agenda_grant)
                        .service(routes::agenda_grants::delete_agenda_grant)
                        .service(routes::agenda_grants::get_agenda_access)
                        .route("/openapi.json", web::get().to(routes::docs::openapi_json))
                        .default_service(web::to(routes::not_found::api_not_found)),
                )
                .service(
                    scope::scope("/rdvinsertion")
                        .service(routes::rdvinsertion::get_creneau_availability)
                        .service(routes::rdvinsertion::create_many_user_profiles)
                        .service(routes::rdvinsertion::create_many_referent_assignations)
                        .service(routes::rdvinsertion::get_rdvinsertion_user)
                        .service(routes::rdvinsertion::create_rdvinsertion_motif_category)
                        .service(routes::rdvinsertion::create_motif_category_territory)
                        .default_service(web::to(routes::not_found::api_not_found)),
                )
                .default_service(web::to(routes::not_found::api_not_found)),
        )
        // The reference's legacy alias of L1.
        .service(
            scope::scope("/public_api")
                .service(routes::rdvinsertion::list_public_links_legacy)
                .default_service(web::to(routes::not_found::api_not_found)),
        )
        .split_for_parts();
    crate::openapi::require_sign_in(&mut doc);
    crate::openapi::document_input_errors(&mut doc);
    crate::openapi::tag_compatible(&mut doc);
    crate::openapi_examples::add(&mut doc);
    (app, doc)
}

/// The OpenAPI document alone (for `rdv openapi` and the lock test).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().1
}

/// The full application for one worker.
pub fn build(
    state: web::Data<AppState>,
    doc: web::Data<OpenApiJson>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.config.max_body_bytes;
    let body_timeout = state.config.body_read_timeout;
    let spa_dir = state.config.spa_dir.clone();
    let (app, doc_of_routes) = api_routes();
    app.app_data(state)
        .app_data(web::Data::new(routes::not_found::RouteTable::from_doc(&doc_of_routes)))
        .app_data(doc)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(crate::extract::BodyReadTimeout(body_timeout))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("resource").into()))
        .route(
            "/api-docs",
            web::get().to(|| async {
                actix_web::HttpResponse::PermanentRedirect().insert_header(("location", "/api-docs/")).finish()
            }),
        )
        .service(SwaggerUi::new("/api-docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")))
        .service(crate::spa::assets(&spa_dir))
        .service(crate::spa::service(&spa_dir))
        .wrap(middleware::from_fn(routes::not_found::allow_header))
        .wrap(middleware::from_fn(crate::security_headers::security_headers))
        // gzip/brotli when the client accepts it: the SPA's wasm shrinks about threefold.
        .wrap(middleware::Compress::default())
        .wrap(middleware::from_fn(request_span))
}

/// Gives each request an id (`x-request-id`, echoed or generated), runs it inside a tracing span
/// carrying that id, and logs one line per request. Error logs inside the span carry the id.
async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_owned)
        .unwrap_or_else(|| crate::auth::token::random_id(8));
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %loggable_path(req.path()));
    let started = std::time::Instant::now();
    let mut res = crate::request_context::scope(request_id.clone(), next.call(req).instrument(span.clone())).await?;
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(actix_web::http::header::HeaderName::from_static("x-request-id"), value);
    }
    span.in_scope(|| {
        tracing::info!(status = res.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request")
    });
    Ok(res)
}

/// The path as logged: invitation tokens are credentials, so they never reach the logs.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/api/v1/invitations/", "/invitation/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}[FILTERED]{tail}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invitation_tokens_are_not_logged() {
        assert_eq!(loggable_path("/api/v1/invitations/abc123/accept"), "/api/v1/invitations/[FILTERED]/accept");
        assert_eq!(loggable_path("/api/v1/invitations/abc123"), "/api/v1/invitations/[FILTERED]");
        assert_eq!(loggable_path("/invitation/abc123"), "/invitation/[FILTERED]");
        assert_eq!(loggable_path("/api/v1/organisations/1"), "/api/v1/organisations/1");
    }
}
