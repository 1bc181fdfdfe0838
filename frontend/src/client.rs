//! One typed function per REST operation the SPA calls, named by its operation id in
//! `openapi.yaml`. Pages never spell a path: they call these, with typed arguments, and get the
//! shared DTOs back. The transport (headers, errors) is `api.rs`.
//!
//! Request bodies are the shared DTOs the pages build (`impl Serialize`, so a page may also send
//! a partial body where the API accepts one).

use chrono::NaiveDate;
use serde::Serialize;

use rdv_shared::dto::*;

use crate::api::{self, encode, ApiError};
use crate::session::Session;

type R<T> = Result<T, ApiError>;

const V1: &str = "/api/v1";

// ── Session ─────────────────────────────────────────────────────────────────────────────────
// (`sign_in` is `api::sign_in`: its token comes back in response headers.)

/// `GET /me`: the signed-in agent with their organisations and rights.
pub async fn get_me(s: &Session) -> R<Me> {
    api::get::<MeResponse>(s, &format!("{V1}/me")).await.map(|r| r.agent)
}

/// `DELETE /auth/sign_out` revokes the token server-side. Failures are ignored: the SPA forgets
/// the token anyway.
pub async fn sign_out(s: &Session) {
    let _ = api::delete(s, &format!("{V1}/auth/sign_out")).await;
}

/// `POST /auth/password`: a reset link by email (same answer for unknown emails).
pub async fn request_password_reset(body: &PasswordResetRequest) -> R<PasswordResetRequested> {
    api::post_public(&format!("{V1}/auth/password"), body).await
}

/// `PUT /auth/password` with the emailed token: the new password; every session ends.
pub async fn reset_password(body: &ResetPasswordRequest) -> R<()> {
    api::put_public::<_, SuccessResponse>(&format!("{V1}/auth/password"), body).await.map(|_| ())
}

/// `DELETE /auth/sessions`: signs the agent out on every device.
pub async fn sign_out_everywhere(s: &Session) -> R<SessionsRevoked> {
    api::send(s, "DELETE", &format!("{V1}/auth/sessions"), &()).await
}

// ── Agents, invitations ─────────────────────────────────────────────────────────────────────

/// `GET /agents`: the agents the caller sees, in one organisation or all of theirs.
pub async fn list_agents(s: &Session, organisation_id: Option<i32>) -> R<AgentsResponse> {
    match organisation_id {
        Some(org) => api::get(s, &format!("{V1}/agents?organisation_id={org}")).await,
        None => api::get(s, &format!("{V1}/agents")).await,
    }
}

pub async fn get_agent(s: &Session, id: i32) -> R<AgentDetailResponse> {
    api::get(s, &format!("{V1}/agents/{id}")).await
}

pub async fn update_agent(s: &Session, id: i32, body: &impl Serialize) -> R<AgentDetailResponse> {
    api::send(s, "PATCH", &format!("{V1}/agents/{id}"), body).await
}

pub async fn invite_agent(s: &Session, organisation_id: i32, body: &impl Serialize) -> R<InviteAgentResponse> {
    api::send(s, "POST", &format!("{V1}/organisations/{organisation_id}/agents"), body).await
}

pub async fn update_agent_role(
    s: &Session,
    id: i32,
    organisation_id: i32,
    body: &impl Serialize,
) -> R<AgentDetailResponse> {
    api::send(s, "PATCH", &format!("{V1}/agents/{id}/roles/{organisation_id}"), body).await
}

pub async fn remove_agent_role(s: &Session, id: i32, organisation_id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/agents/{id}/roles/{organisation_id}")).await
}

pub async fn resend_invitation(s: &Session, id: i32) -> R<InvitationLink> {
    api::send(s, "POST", &format!("{V1}/agents/{id}/invitation"), &()).await
}

/// `GET /invitations/{token}` (no account).
pub async fn get_invitation(token: &str) -> R<InvitationPreviewResponse> {
    api::get_public(&format!("{V1}/invitations/{token}")).await
}

/// `POST /invitations/{token}/accept` (no account).
pub async fn accept_invitation(token: &str, body: &impl Serialize) -> R<AgentDetailResponse> {
    api::post_public(&format!("{V1}/invitations/{token}/accept"), body).await
}

// ── Structure: organisations, territories, services, teams ──────────────────────────────────

pub async fn list_services(s: &Session) -> R<ServicesResponse> {
    api::get(s, &format!("{V1}/services")).await
}

pub async fn list_organisations(s: &Session) -> R<OrganisationsResponse> {
    api::get(s, &format!("{V1}/organisations")).await
}

pub async fn get_organisation(s: &Session, id: i32) -> R<OrganisationResponse> {
    api::get(s, &format!("{V1}/organisations/{id}")).await
}

pub async fn update_organisation(s: &Session, id: i32, body: &impl Serialize) -> R<OrganisationResponse> {
    api::send(s, "PATCH", &format!("{V1}/organisations/{id}"), body).await
}

pub async fn get_territory(s: &Session, id: i32) -> R<TerritoryResponse> {
    api::get(s, &format!("{V1}/territories/{id}")).await
}

pub async fn update_territory(s: &Session, id: i32, body: &impl Serialize) -> R<TerritoryResponse> {
    api::send(s, "PATCH", &format!("{V1}/territories/{id}"), body).await
}

pub async fn get_sms_settings(s: &Session, id: i32) -> R<SmsSettingsResponse> {
    api::get(s, &format!("{V1}/territories/{id}/sms_settings")).await
}

pub async fn update_sms_settings(s: &Session, id: i32, body: &UpdateSmsSettingsRequest) -> R<SmsSettingsResponse> {
    api::send(s, "PATCH", &format!("{V1}/territories/{id}/sms_settings"), body).await
}

pub async fn get_retention(s: &Session, id: i32) -> R<RetentionSettings> {
    api::get(s, &format!("{V1}/territories/{id}/retention")).await
}

pub async fn update_retention(s: &Session, id: i32, body: &RetentionPolicyRequest) -> R<RetentionSettings> {
    api::send(s, "PUT", &format!("{V1}/territories/{id}/retention"), body).await
}

pub async fn list_territory_organisations(s: &Session, territory_id: i32) -> R<OrganisationsResponse> {
    api::get(s, &format!("{V1}/territories/{territory_id}/organisations")).await
}

pub async fn list_teams(s: &Session, territory_id: i32) -> R<TeamsResponse> {
    api::get(s, &format!("{V1}/territories/{territory_id}/teams")).await
}

pub async fn create_team(s: &Session, territory_id: i32, body: &impl Serialize) -> R<TeamResponse> {
    api::send(s, "POST", &format!("{V1}/territories/{territory_id}/teams"), body).await
}

pub async fn delete_team(s: &Session, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/teams/{id}")).await
}

pub async fn list_access_rights(s: &Session, territory_id: i32) -> R<AccessRightsListResponse> {
    api::get(s, &format!("{V1}/territories/{territory_id}/access_rights")).await
}

pub async fn update_access_rights(
    s: &Session,
    territory_id: i32,
    agent_id: i32,
    body: &impl Serialize,
) -> R<AccessRightsResponse> {
    api::send(s, "PATCH", &format!("{V1}/territories/{territory_id}/access_rights/{agent_id}"), body).await
}

// ── Lieux, motifs ───────────────────────────────────────────────────────────────────────────

pub async fn list_lieux(s: &Session, organisation_id: i32) -> R<LieuxResponse> {
    api::get(s, &format!("{V1}/organisations/{organisation_id}/lieux")).await
}

pub async fn create_lieu(s: &Session, organisation_id: i32, body: &impl Serialize) -> R<LieuResponse> {
    api::send(s, "POST", &format!("{V1}/organisations/{organisation_id}/lieux"), body).await
}

pub async fn get_lieu(s: &Session, id: i32) -> R<LieuResponse> {
    api::get(s, &format!("{V1}/lieux/{id}")).await
}

pub async fn update_lieu(s: &Session, id: i32, body: &impl Serialize) -> R<LieuResponse> {
    api::send(s, "PATCH", &format!("{V1}/lieux/{id}"), body).await
}

/// `GET /organisations/{id}/motifs`, only the active ones when `active_only`.
pub async fn list_motifs(s: &Session, organisation_id: i32, active_only: bool) -> R<MotifsResponse> {
    let filter = if active_only { "?active=true" } else { "" };
    api::get(s, &format!("{V1}/organisations/{organisation_id}/motifs{filter}")).await
}

pub async fn export_motifs(s: &Session, organisation_id: i32) -> R<Vec<u8>> {
    api::get_bytes(s, &format!("{V1}/organisations/{organisation_id}/motifs/export.csv")).await
}

pub async fn create_motif(s: &Session, organisation_id: i32, body: &impl Serialize) -> R<MotifResponse> {
    api::send(s, "POST", &format!("{V1}/organisations/{organisation_id}/motifs"), body).await
}

pub async fn get_motif(s: &Session, id: i32) -> R<MotifResponse> {
    api::get(s, &format!("{V1}/motifs/{id}")).await
}

pub async fn update_motif(s: &Session, id: i32, body: &impl Serialize) -> R<MotifResponse> {
    api::send(s, "PATCH", &format!("{V1}/motifs/{id}"), body).await
}

/// `DELETE /motifs/{id}`: the soft-deleted motif comes back.
pub async fn delete_motif(s: &Session, id: i32) -> R<MotifResponse> {
    api::send(s, "DELETE", &format!("{V1}/motifs/{id}"), &()).await
}

pub async fn list_motif_categories(s: &Session) -> R<MotifCategoriesResponse> {
    api::get(s, &format!("{V1}/motif_categories")).await
}

// ── Sectorisation ───────────────────────────────────────────────────────────────────────────

pub async fn list_sectors(s: &Session, territory_id: i32) -> R<SectorsResponse> {
    api::get(s, &format!("{V1}/territories/{territory_id}/sectors")).await
}

pub async fn create_sector(s: &Session, territory_id: i32, body: &impl Serialize) -> R<SectorResponse> {
    api::send(s, "POST", &format!("{V1}/territories/{territory_id}/sectors"), body).await
}

pub async fn delete_sector(s: &Session, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/sectors/{id}")).await
}

pub async fn list_zones(s: &Session, sector_id: i32) -> R<ZonesResponse> {
    api::get(s, &format!("{V1}/sectors/{sector_id}/zones")).await
}

pub async fn create_zone(s: &Session, sector_id: i32, body: &impl Serialize) -> R<ZoneResponse> {
    api::send(s, "POST", &format!("{V1}/sectors/{sector_id}/zones"), body).await
}

pub async fn delete_zone(s: &Session, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/zones/{id}")).await
}

pub async fn create_sector_attribution(
    s: &Session,
    sector_id: i32,
    body: &impl Serialize,
) -> R<SectorAttributionResponse> {
    api::send(s, "POST", &format!("{V1}/sectors/{sector_id}/attributions"), body).await
}

pub async fn delete_sector_attribution(s: &Session, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/sector_attributions/{id}")).await
}

pub async fn import_zones(s: &Session, territory_id: i32, body: &impl Serialize) -> R<ZoneImportReport> {
    api::send(s, "POST", &format!("{V1}/territories/{territory_id}/zones/import"), body).await
}

pub async fn export_zones(s: &Session, territory_id: i32) -> R<Vec<u8>> {
    api::get_bytes(s, &format!("{V1}/territories/{territory_id}/zones/export.csv")).await
}

/// `GET /territories/{id}/sectorisation_test` for an INSEE code and an optional BAN street.
pub async fn test_sectorisation(
    s: &Session,
    territory_id: i32,
    city_code: &str,
    street_ban_id: Option<&str>,
) -> R<SectorisationTestResponse> {
    let street = street_ban_id.map(|b| format!("&street_ban_id={}", encode(b))).unwrap_or_default();
    api::get(s, &format!("{V1}/territories/{territory_id}/sectorisation_test?city_code={}{street}", encode(city_code)))
        .await
}

// ── Agenda: feed, plages, absences, access ──────────────────────────────────────────────────

/// `GET /agenda` over `[from, to)` for these agents (none: oneself).
pub async fn get_agenda(s: &Session, from: NaiveDate, to: NaiveDate, agent_ids: &[i32]) -> R<AgendaResponse> {
    let ids: String = agent_ids.iter().map(|id| format!("&agent_ids[]={id}")).collect();
    api::get(s, &format!("{V1}/agenda?from={from}&to={to}{ids}")).await
}

pub async fn list_agenda_agents(s: &Session) -> R<AgentsResponse> {
    api::get(s, &format!("{V1}/agenda/agents")).await
}

pub async fn create_plage_ouverture(s: &Session, body: &impl Serialize) -> R<PlageOuvertureResponse> {
    api::send(s, "POST", &format!("{V1}/plage_ouvertures"), body).await
}

pub async fn create_absence(s: &Session, body: &impl Serialize) -> R<AbsenceResponse> {
    api::send(s, "POST", &format!("{V1}/absences"), body).await
}

pub async fn get_agenda_access(s: &Session, agent_id: i32) -> R<AgendaAccessResponse> {
    api::get(s, &format!("{V1}/agents/{agent_id}/agenda_access")).await
}

pub async fn create_agenda_grant(s: &Session, body: &impl Serialize) -> R<AgendaGrantResponse> {
    api::send(s, "POST", &format!("{V1}/agenda_grants"), body).await
}

pub async fn delete_agenda_grant(s: &Session, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/agenda_grants/{id}")).await
}

pub async fn copy_agenda_grants(s: &Session, body: &impl Serialize) -> R<CopyGrantsResponse> {
    api::send(s, "POST", &format!("{V1}/agenda_grants/copy"), body).await
}

// ── RDVs and slots ──────────────────────────────────────────────────────────────────────────

/// What the agent-side slot search asks: a motif, a week from `from`, and optional lieu, agent
/// and team filters.
pub struct CreneauxSearch<'a> {
    pub motif_id: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub lieu_id: &'a str,
    pub agent_id: &'a str,
    pub team_id: &'a str,
}

pub async fn list_creneaux(s: &Session, q: &CreneauxSearch<'_>) -> R<CreneauxResponse> {
    let mut url = format!("{V1}/creneaux?motif_id={}&from={}&to={}", encode(q.motif_id), q.from, q.to);
    for (key, value) in [("lieu_ids[]", q.lieu_id), ("agent_ids[]", q.agent_id), ("team_ids[]", q.team_id)] {
        if !value.is_empty() {
            url.push_str(&format!("&{key}={}", encode(value)));
        }
    }
    api::get(s, &url).await
}

pub async fn create_rdv(s: &Session, body: &impl Serialize) -> R<RdvResponse> {
    api::send(s, "POST", &format!("{V1}/rdvs"), body).await
}

pub async fn get_rdv(s: &Session, id: i32) -> R<RdvResponse> {
    api::get(s, &format!("{V1}/rdvs/{id}")).await
}

pub async fn update_rdv(s: &Session, id: i32, body: &impl Serialize) -> R<RdvResponse> {
    api::send(s, "PATCH", &format!("{V1}/rdvs/{id}"), body).await
}

pub async fn delete_rdv(s: &Session, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/rdvs/{id}")).await
}

pub async fn list_rdv_receipts(s: &Session, id: i32) -> R<ReceiptsResponse> {
    api::get(s, &format!("{V1}/rdvs/{id}/receipts")).await
}

pub async fn list_user_receipts(s: &Session, id: i32) -> R<ReceiptsResponse> {
    api::get(s, &format!("{V1}/users/{id}/receipts")).await
}

/// "Envoyer un rappel maintenant".
pub async fn send_rdv_reminder(s: &Session, id: i32) -> R<ReminderResponse> {
    api::send(s, "POST", &format!("{V1}/rdvs/{id}/reminder"), &serde_json::json!({})).await
}

pub async fn update_participation(s: &Session, id: i32, body: &impl Serialize) -> R<RdvResponse> {
    api::send(s, "PATCH", &format!("{V1}/participations/{id}"), body).await
}

pub async fn list_rdvs_to_fill(s: &Session, agent_id: i32) -> R<RdvsResponse> {
    api::get(s, &format!("{V1}/agents/{agent_id}/rdvs_to_fill")).await
}

pub async fn list_user_rdvs(s: &Session, user_id: i32) -> R<RdvsResponse> {
    api::get(s, &format!("{V1}/users/{user_id}/rdvs")).await
}

// ── Usagers ─────────────────────────────────────────────────────────────────────────────────

/// `GET /users/{id}`, in one organisation's scope when given.
pub async fn get_user(s: &Session, id: i32, organisation_id: Option<i32>) -> R<UserResponse> {
    match organisation_id {
        Some(org) => api::get(s, &format!("{V1}/users/{id}?organisation_id={org}")).await,
        None => api::get(s, &format!("{V1}/users/{id}")).await,
    }
}

pub async fn create_user(s: &Session, body: &impl Serialize) -> R<UserWriteResponse> {
    api::send(s, "POST", &format!("{V1}/users"), body).await
}

pub async fn update_user(s: &Session, id: i32, body: &impl Serialize) -> R<UserWriteResponse> {
    api::send(s, "PATCH", &format!("{V1}/users/{id}"), body).await
}

/// `GET /users/search`: search as you type in an organisation's scope.
pub async fn search_users(s: &Session, organisation_id: i32, q: &str) -> R<UserSearchResponse> {
    api::get(s, &format!("{V1}/users/search?organisation_id={organisation_id}&q={}", encode(q))).await
}

pub async fn list_user_duplicates(s: &Session, body: &impl Serialize) -> R<DuplicatesResponse> {
    api::send(s, "POST", &format!("{V1}/users/duplicates"), body).await
}

pub async fn merge_users(s: &Session, kept_id: i32, body: &impl Serialize) -> R<UserResponse> {
    api::send(s, "POST", &format!("{V1}/users/{kept_id}/merge"), body).await
}

pub async fn list_user_reads(s: &Session, id: i32) -> R<UsagerReadsResponse> {
    api::get(s, &format!("{V1}/users/{id}/reads")).await
}

pub async fn export_user(s: &Session, id: i32) -> R<Vec<u8>> {
    api::get_bytes(s, &format!("{V1}/users/{id}/export")).await
}

pub async fn create_user_profile(s: &Session, body: &impl Serialize) -> R<UserProfileResponse> {
    api::send(s, "POST", &format!("{V1}/user_profiles"), body).await
}

pub async fn delete_user_profile(s: &Session, organisation_id: i32, user_id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/user_profiles?organisation_id={organisation_id}&user_id={user_id}")).await
}

pub async fn create_referent_assignation(s: &Session, body: &impl Serialize) -> R<ReferentAssignationResponse> {
    api::send(s, "POST", &format!("{V1}/referent_assignations"), body).await
}

pub async fn delete_referent_assignation(s: &Session, agent_id: i32, user_id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/referent_assignations?agent_id={agent_id}&user_id={user_id}")).await
}

pub async fn create_user_import(s: &Session, body: &impl Serialize) -> R<UserImportResponse> {
    api::send(s, "POST", &format!("{V1}/users/imports"), body).await
}

pub async fn get_user_import(s: &Session, id: i32) -> R<UserImportResponse> {
    api::get(s, &format!("{V1}/users/imports/{id}")).await
}

pub async fn get_user_import_report(s: &Session, id: i32) -> R<Vec<u8>> {
    api::get_bytes(s, &format!("{V1}/users/imports/{id}/report.csv")).await
}

// ── History ─────────────────────────────────────────────────────────────────────────────────

pub async fn list_versions(s: &Session, item_type: &str, item_id: i32) -> R<VersionsResponse> {
    api::get(s, &format!("{V1}/versions?item_type={item_type}&item_id={item_id}")).await
}

// ── Public booking (no account) ─────────────────────────────────────────────────────────────

/// The usager's address as the public search takes it.
fn place_query(p: &PublicPlace) -> String {
    let mut q = format!("city_code={}", encode(&p.city_code));
    if let Some(s) = &p.street_ban_id {
        q.push_str(&format!("&street_ban_id={}", encode(s)));
    }
    if let (Some(lat), Some(lon)) = (p.latitude, p.longitude) {
        q.push_str(&format!("&latitude={lat}&longitude={lon}"));
    }
    q
}

/// `GET /public/motifs` for a typed text: a 5-character INSEE code, else an address to geocode
/// (nothing typed: an invited usager, whose invitation decides). `link` is the invitation's
/// or public link's filters, already encoded (`invitation_token=…&organisation_ids[]=…`).
pub async fn list_public_motifs(typed: &str, link: &str) -> R<PublicMotifsResponse> {
    let query = if typed.is_empty() {
        String::new()
    } else if typed.len() == 5 && typed.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("city_code={typed}")
    } else {
        format!("address={}", encode(typed))
    };
    api::get_public(&format!("{V1}/public/motifs?{query}&{link}")).await
}

pub async fn list_public_lieux(place: &PublicPlace, motif_key: &str, link: &str) -> R<PublicLieuxResponse> {
    api::get_public(&format!("{V1}/public/lieux?motif_key={}&{}&{link}", encode(motif_key), place_query(place))).await
}

pub async fn list_public_creneaux(
    place: &PublicPlace,
    (motif_id, lieu_id): (i32, Option<i32>),
    from: NaiveDate,
    to: NaiveDate,
    link: &str,
) -> R<PublicCreneauxResponse> {
    let lieu = lieu_id.map(|id| format!("&lieu_id={id}")).unwrap_or_default();
    api::get_public(&format!(
        "{V1}/public/creneaux?motif_id={motif_id}{lieu}&from={from}&to={to}&{}&{link}",
        place_query(place)
    ))
    .await
}

/// `POST /public/rdvs` with an `Idempotency-Key` (a retry returns the same booking).
pub async fn create_public_rdv(body: &PublicBookingRequest, idempotency_key: &str) -> R<PublicBookingResponse> {
    api::post_public_with_key(&format!("{V1}/public/rdvs"), body, idempotency_key).await
}

pub async fn get_public_rdv(token: &str) -> R<PublicRdvResponse> {
    api::get_public(&format!("{V1}/public/rdvs/{token}")).await
}

pub async fn cancel_public_rdv(token: &str) -> R<PublicRdvResponse> {
    api::post_public(&format!("{V1}/public/rdvs/{token}/cancel"), &serde_json::json!({})).await
}

/// The RDV of a notification's link, after the name check.
pub async fn open_rdv_link(token: &str, initials: &str) -> R<PublicRdvResponse> {
    api::post_public(&format!("{V1}/public/links/{token}"), &RdvLinkRequest { last_name_initials: initials.into() })
        .await
}

pub async fn cancel_rdv_link(token: &str, initials: &str) -> R<PublicRdvResponse> {
    let body = RdvLinkRequest { last_name_initials: initials.into() };
    api::post_public(&format!("{V1}/public/links/{token}/cancel"), &body).await
}

/// The slots the RDV of a link may move to, over `[from, to]` (local dates).
pub async fn list_rdv_link_creneaux(
    token: &str,
    initials: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> R<PublicCreneauxResponse> {
    let body =
        RdvLinkCreneauxRequest { last_name_initials: initials.into(), from: from.to_string(), to: to.to_string() };
    api::post_public(&format!("{V1}/public/links/{token}/creneaux"), &body).await
}

pub async fn reschedule_rdv_link(
    token: &str,
    initials: &str,
    starts_at: chrono::DateTime<chrono::FixedOffset>,
) -> R<PublicRdvResponse> {
    let body = RdvLinkRescheduleRequest { last_name_initials: initials.into(), starts_at };
    api::post_public(&format!("{V1}/public/links/{token}/reschedule"), &body).await
}

pub async fn update_rdv_link_waiting_list(token: &str, initials: &str, waiting: bool) -> R<PublicRdvResponse> {
    let body = RdvLinkWaitingListRequest { last_name_initials: initials.into(), waiting };
    api::put_public(&format!("{V1}/public/links/{token}/waiting_list"), &body).await
}

pub async fn list_webhook_endpoints(s: &Session, organisation_id: i32) -> R<WebhookEndpointsResponse> {
    api::get(s, &format!("{V1}/organisations/{organisation_id}/webhook_endpoints")).await
}

pub async fn create_webhook_endpoint(
    s: &Session,
    organisation_id: i32,
    body: &WebhookEndpointInput,
) -> R<WebhookEndpointResponse> {
    api::send(s, "POST", &format!("{V1}/organisations/{organisation_id}/webhook_endpoints"), body).await
}

pub async fn delete_webhook_endpoint(s: &Session, organisation_id: i32, id: i32) -> R<()> {
    api::delete(s, &format!("{V1}/organisations/{organisation_id}/webhook_endpoints/{id}")).await
}

pub async fn list_webhook_deliveries(s: &Session, organisation_id: i32, id: i32) -> R<WebhookDeliveriesResponse> {
    api::get(s, &format!("{V1}/organisations/{organisation_id}/webhook_endpoints/{id}/deliveries")).await
}

pub async fn redeliver_webhook_delivery(s: &Session, organisation_id: i32, id: i32, delivery_id: i32) -> R<()> {
    let path =
        format!("{V1}/organisations/{organisation_id}/webhook_endpoints/{id}/deliveries/{delivery_id}/redeliver");
    api::post_empty(s, &path).await
}

pub async fn get_calendar_feed(s: &Session) -> R<CalendarFeedResponse> {
    api::get(s, &format!("{V1}/me/calendar_feed")).await
}

pub async fn create_calendar_feed(s: &Session, body: &CreateCalendarFeedRequest) -> R<CalendarFeedCreatedResponse> {
    api::send(s, "POST", &format!("{V1}/me/calendar_feed"), body).await
}

pub async fn delete_calendar_feed(s: &Session) -> R<()> {
    api::delete(s, &format!("{V1}/me/calendar_feed")).await
}

// ── RDV list, exports, statistics ───────────────────────────────────────────────────────────

/// `GET /rdvs`: one page of the RDV list the filters select, with its counts per status.
pub async fn list_rdvs(s: &Session, search: &RdvSearch, page: i64) -> R<RdvListResponse> {
    api::get(s, &format!("{V1}/rdvs?{}&page={page}", search.to_query())).await
}

pub async fn create_export(s: &Session, body: &CreateExportRequest) -> R<ExportResponse> {
    api::send(s, "POST", &format!("{V1}/exports"), body).await
}

/// "Mes exports".
pub async fn list_exports(s: &Session) -> R<ExportsResponse> {
    api::get(s, &format!("{V1}/exports")).await
}

pub async fn download_export(s: &Session, id: i32) -> R<Vec<u8>> {
    api::get_bytes(s, &format!("{V1}/exports/{id}/download")).await
}

fn range(from: NaiveDate, to: NaiveDate) -> String {
    format!("from={from}&to={to}")
}

pub async fn get_organisation_stats(s: &Session, id: i32, from: NaiveDate, to: NaiveDate) -> R<StatsResponse> {
    api::get(s, &format!("{V1}/organisations/{id}/stats?{}", range(from, to))).await
}

pub async fn get_territory_stats(s: &Session, id: i32, from: NaiveDate, to: NaiveDate) -> R<StatsResponse> {
    api::get(s, &format!("{V1}/territories/{id}/stats?{}", range(from, to))).await
}

pub async fn get_my_stats(s: &Session, from: NaiveDate, to: NaiveDate) -> R<StatsResponse> {
    api::get(s, &format!("{V1}/stats/me?{}", range(from, to))).await
}

/// `GET /public/stats` (no sign-in).
pub async fn get_public_stats(territory_id: Option<i32>, from: NaiveDate, to: NaiveDate) -> R<StatsResponse> {
    let territory = territory_id.map(|t| format!("&territory_id={t}")).unwrap_or_default();
    api::get_public(&format!("{V1}/public/stats?{}{territory}", range(from, to))).await
}
