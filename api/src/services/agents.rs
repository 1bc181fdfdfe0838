//! Agents of organisations: invitations (create, resend, revoke, accept by token, with the
//! invitation email written to the mailbox), profile and services, roles, and the API v1 agent list.

use rdv_shared::access::{
    can_edit_agent, can_edit_agent_services, can_manage_agents_in, can_see_agent, AccessLevel, Actor,
};
use rdv_shared::dto::{
    display_name, AcceptInvitationRequest, AgentDetailResponse, InvitationLink, InvitationPreview,
    InvitationPreviewResponse, InviteAgentRequest, InviteAgentResponse, UpdateAgentRequest, UpdateRoleRequest,
};
use rdv_shared::validation::Errors;
use rdv_shared::{validation, OrganisationId, TerritoryId};
use serde::Deserialize;

use crate::audit::Author;
use crate::auth::password;
use crate::config::Config;
use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, invitation, membership, organisation, service};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::outbox::{enqueue_mail, MailPayload, Subject};

/// Checks service ids against the catalogue; returns them sorted and deduplicated.
fn checked_services(conn: &mut DbConn, ids: &[rdv_shared::ServiceId], errors: &mut Errors) -> ApiResult<Vec<i32>> {
    let catalogue = service::all(conn)?;
    let mut out: Vec<i32> = ids.iter().map(|s| s.0).collect();
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        errors.add("service_ids", "blank");
    } else if out.iter().any(|id| !catalogue.iter().any(|s| s.id == *id)) {
        errors.add("service_ids", "inclusion");
    }
    Ok(out)
}

/// Queues the invitation email (reply-to: the inviting agent) and returns the link.
fn send_invitation(
    conn: &mut DbConn,
    config: &Config,
    author: &Author,
    inviter: &AgentRow,
    invited: &AgentRow,
    org: &organisation::OrganisationRow,
) -> ApiResult<InvitationLink> {
    let (row, token) = invitation::create(conn, author, invited.id, org.id)?;
    let url = format!("{}/invitation/{token}", config.public_url);
    let inviter_name = display_name(inviter.first_name.as_deref(), &inviter.last_name);
    let body = format!(
        "Bonjour,\n\n{inviter_name} vous invite à rejoindre {org} sur RDV Solidarités, l'outil de prise de rendez-vous \
         de votre département.\n\nPour activer votre compte et choisir votre mot de passe, ouvrez ce lien (valable {days} jours) :\n{url}\n\n\
         Une question ? Répondez simplement à ce message : votre réponse parviendra à {inviter_name}.\n",
        org = org.name,
        days = invitation::VALIDITY_DAYS,
    );
    if let Some(to) = &invited.email {
        let subject = format!("Invitation à rejoindre {} sur RDV Solidarités", org.name);
        let mail = MailPayload {
            from: config.mail_from.clone(),
            reply_to: inviter.email.clone(),
            subject,
            text: body,
            html: None,
            ics: None,
        };
        let about = Subject { organisation_id: Some(org.id), agent_id: Some(invited.id), ..Subject::default() };
        enqueue_mail(conn, "agent_invitation", format!("agent_invitation:{}", row.id), about, to, &mail)?;
    }
    Ok(InvitationLink { url, expires_at: row.expires_at.and_utc() })
}

/// Loads an agent the actor may see (404 otherwise).
fn visible_agent(
    conn: &mut DbConn,
    actor_id: i32,
    id: i32,
) -> ApiResult<(AgentRow, Actor, rdv_shared::access::AgentFacts)> {
    let target = agent::find(conn, id)?.ok_or(ApiError::NotFound("agent"))?;
    let actor = agent::facts(conn, actor_id)?;
    let facts = agent::facts(conn, id)?;
    if !(can_see_agent(&actor, &facts, None) || can_edit_agent(&actor, &facts)) {
        return Err(ApiError::NotFound("agent"));
    }
    Ok((target, actor, facts))
}

/// The organisation, the actor's right to manage agents there, and the target's role in it.
pub fn managed_role(conn: &mut DbConn, actor_id: i32, agent_id: i32, org_id: i32) -> ApiResult<membership::RoleRow> {
    let (org, actor) = crate::services::organisation_and_actor(conn, org_id, actor_id)?;
    agent::find(conn, agent_id)?.ok_or(ApiError::NotFound("agent"))?;
    if !can_manage_agents_in(&actor, OrganisationId(org.id), TerritoryId(org.territory_id)) {
        return Err(ApiError::forbidden());
    }
    membership::role(conn, agent_id, org_id)?.ok_or(ApiError::NotFound("agent_role"))
}

/// The organisation to invite into: the first one where the actor manages agents and the target
/// has a role.
fn invitation_context(
    conn: &mut DbConn,
    actor_id: i32,
    id: i32,
) -> ApiResult<(AgentRow, organisation::OrganisationRow)> {
    let (target, actor, facts) = visible_agent(conn, actor_id, id)?;
    let m = facts
        .memberships
        .iter()
        .find(|m| can_manage_agents_in(&actor, m.organisation_id, m.territory_id))
        .ok_or_else(ApiError::forbidden)?;
    let org = organisation::find(conn, m.organisation_id.0)?.ok_or(ApiError::NotFound("organisation"))?;
    if target.password_hash.is_some() || target.email.is_none() || target.deleted_at.is_some() {
        return Err(ApiError::field("invitation", "invalid")); // already active, intervenant, or deleted
    }
    Ok((target, org))
}

/// Invites an agent into an organisation with a role and services (admins of the organisation,
/// territorial admins, agents with the territory's "invite agents" right). An agent who already
/// has an account just gets the new role. Intervenants have no email and get no invitation.
pub fn invite_agent(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    req: Body<InviteAgentRequest>,
    config: std::sync::Arc<crate::config::Config>,
) -> ApiResult<rdv_shared::dto::InviteAgentResponse> {
    let (org, actor) = crate::services::organisation_and_actor(conn, org_id, caller.id)?;
    if !can_manage_agents_in(&actor, OrganisationId(org.id), TerritoryId(org.territory_id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let mut errors = Errors::default();
    let services = checked_services(conn, &req.service_ids, &mut errors)?;
    let email = req.email.as_deref().map(validation::normalise_email).filter(|e| !e.is_empty());
    let first_name = validation::optional_text(req.first_name.as_deref());
    let last_name = req.last_name.as_deref().map(str::trim).unwrap_or("").to_owned();
    let intervenant = req.access_level == AccessLevel::Intervenant;
    match (&email, intervenant) {
        (Some(_), true) => errors.add("email", "invalid"), // an intervenant has no login
        (None, false) => errors.add("email", "blank"),
        (Some(e), false) => errors.check("email", validation::email(e)),
        (None, true) => errors.check("last_name", validation::required_text(&last_name, 255)),
    }
    let existing = match &email {
        Some(e) if errors.is_empty() => agent::find_by_email(conn, e)?,
        _ => None,
    };
    if let Some(a) = &existing {
        if membership::role(conn, a.id, org.id)?.is_some() {
            errors.add("email", "taken");
        }
    } else if let Some(e) = &email {
        if errors.is_empty() && agent::email_taken(conn, e)? {
            errors.add("email", "taken"); // a deleted agent's address is never reused silently
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let author = caller.author();
    let (invited, link) = write_tx(conn, |c| {
        let invited = match existing {
            Some(a) => {
                agent::add_role(c, &author, a.id, org.id, req.access_level)?;
                let mut all = agent::facts(c, a.id)?.service_ids.iter().map(|s| s.0).collect::<Vec<_>>();
                all.extend(&services);
                all.sort_unstable();
                all.dedup();
                membership::set_services(c, &author, a.id, &all)?;
                a
            }
            None => {
                // An unknown last name stays empty: the agent gives it when accepting.
                membership::create_invited(
                    c,
                    &author,
                    agent::NewAgentInput {
                        email: email.as_deref(),
                        password_hash: None,
                        first_name: first_name.as_deref(),
                        last_name: &last_name,
                        organisation_id: org.id,
                        access_level: req.access_level,
                        service_ids: services.clone(),
                        territorial_admin_of: None,
                    },
                )?
            }
        };
        // Only an agent who has never chosen a password needs the link.
        let link = if !intervenant && invited.password_hash.is_none() {
            Some(send_invitation(c, &config, &author, caller, &invited, &org)?)
        } else {
            None
        };
        Ok::<_, ApiError>((invited, link))
    })?;
    let invited = agent::find(conn, invited.id)?.ok_or(ApiError::NotFound("agent"))?;
    Ok(InviteAgentResponse { agent: membership::detail(conn, &invited)?, invitation: link })
}

/// Shows an agent with roles, services, preferences and invitation state.
pub fn get_agent(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::AgentDetailResponse> {
    let (target, _, _) = visible_agent(conn, caller.id, id)?;
    Ok(AgentDetailResponse { agent: membership::detail(conn, &target)? })
}

/// Edits an agent: names (the agent or a manager), services (managers only), preferences (the
/// agent only).
pub fn update_agent(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateAgentRequest>,
) -> ApiResult<rdv_shared::dto::AgentDetailResponse> {
    let (before, actor, facts) = visible_agent(conn, caller.id, id)?;
    if !can_edit_agent(&actor, &facts) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let is_self = caller.id == id;
    let touches_prefs = req.rdv_notifications_level.is_some()
        || req.plage_ouverture_notification_level.is_some()
        || req.absence_notification_level.is_some()
        || req.display_saturdays.is_some();
    if (req.service_ids.is_some() && !can_edit_agent_services(&actor, &facts)) || (touches_prefs && !is_self) {
        return Err(ApiError::forbidden());
    }
    let mut errors = Errors::default();
    let services = match &req.service_ids {
        Some(ids) => Some(checked_services(conn, ids, &mut errors)?),
        None => None,
    };
    let first_name = match req.first_name.as_deref().map(str::trim) {
        Some("") => None,
        Some(f) => Some(f.to_owned()),
        None => before.first_name.clone(),
    };
    let last_name = req.last_name.as_deref().map(str::trim).unwrap_or(&before.last_name).to_owned();
    errors.check("last_name", validation::required_text(&last_name, 255));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut prefs = before.preferences();
    if let Some(v) = req.rdv_notifications_level {
        prefs.rdv_notifications_level = v;
    }
    if let Some(v) = req.plage_ouverture_notification_level {
        prefs.plage_ouverture_notification_level = v;
    }
    if let Some(v) = req.absence_notification_level {
        prefs.absence_notification_level = v;
    }
    if let Some(v) = req.display_saturdays {
        prefs.display_saturdays = v;
    }
    let author = caller.author();
    let after = write_tx(conn, |c| {
        let unchanged =
            first_name == before.first_name && last_name == before.last_name && prefs == before.preferences();
        let after = if unchanged {
            before.clone()
        } else {
            membership::update_profile(c, &author, &before, first_name.as_deref(), &last_name, &prefs)?
        };
        if let Some(ids) = &services {
            membership::set_services(c, &author, id, ids)?;
        }
        Ok::<_, ApiError>(after)
    })?;
    Ok(AgentDetailResponse { agent: membership::detail(conn, &after)? })
}

/// Sends a new invitation (the previous links stop working) and returns its link.
pub fn resend_invitation(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    config: std::sync::Arc<crate::config::Config>,
) -> ApiResult<rdv_shared::dto::InvitationLink> {
    let (target, org) = invitation_context(conn, caller.id, id)?;
    let link = write_tx(conn, |c| send_invitation(c, &config, &caller.author(), caller, &target, &org))?;
    Ok(link)
}

/// Revokes the agent's pending invitation: its link stops working.
pub fn revoke_invitation(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let (target, _) = invitation_context(conn, caller.id, id)?;
    write_tx(conn, |c| Ok::<_, ApiError>(invitation::revoke_pending(c, &caller.author(), target.id)?))?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAgentsQuery {
    /// Only agents of this organisation. Ignored when the caller has no role there (as the reference).
    pub organisation_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Lists agents visible to the caller, by creation order: secretaries see their organisations'
/// agents, admins their organisation's, territorial admins their territory's, basic agents
/// those sharing a service in their organisations.
pub fn list_agents(
    conn: &mut DbConn,
    caller: &AgentRow,
    query: ListAgentsQuery,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::Agent>, i64)> {
    let actor = agent::facts(conn, caller.id)?;
    let territorial_orgs =
        agent::organisations_of_territories(conn, &actor.territorial_admin_of.iter().map(|t| t.0).collect::<Vec<_>>())?;
    let mut org_ids: Vec<i32> = actor.memberships.iter().map(|m| m.organisation_id.0).chain(territorial_orgs).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let within = query.organisation_id.filter(|o| org_ids.contains(o)).map(OrganisationId);
    let candidates = agent::live_agents_of(conn, &org_ids, caller.id)?;
    let facts = agent::facts_of(conn, &candidates.iter().map(|a| a.id).collect::<Vec<_>>())?;
    let visible: Vec<_> =
        candidates.into_iter().filter(|a| facts.get(&a.id).is_some_and(|f| can_see_agent(&actor, f, within))).collect();
    let (page_items, total) = rdv_shared::pagination::page_in_memory(visible, page);
    Ok((page_items.iter().map(|a| a.to_dto()).collect::<Vec<_>>(), total))
}

/// What the invitation page shows: who is invited, where, by whom, until when.
pub fn get_invitation(conn: &mut DbConn, token: String) -> ApiResult<rdv_shared::dto::InvitationPreviewResponse> {
    let inv = invitation::find_usable(conn, &token)?.ok_or(ApiError::NotFound("invitation"))?;
    let invited = agent::find(conn, inv.agent_id)?.ok_or(ApiError::NotFound("invitation"))?;
    let org = organisation::find(conn, inv.organisation_id)?.ok_or(ApiError::NotFound("invitation"))?;
    let inviter = match inv.invited_by_agent_id {
        Some(id) => agent::find(conn, id)?.map(|a| display_name(a.first_name.as_deref(), &a.last_name)),
        None => None,
    };
    Ok(InvitationPreviewResponse {
        invitation: InvitationPreview {
            email: invited.email.unwrap_or_default(),
            first_name: invited.first_name,
            last_name: invited.last_name,
            organisation_name: org.name,
            invited_by: inviter,
            expires_at: inv.expires_at.and_utc(),
        },
    })
}

/// Accepts an invitation: sets the password (and names, if given). The agent can then sign in.
pub fn accept_invitation(
    conn: &mut DbConn,
    token: String,
    req: AcceptInvitationRequest,
) -> ApiResult<rdv_shared::dto::AgentDetailResponse> {
    let inv = invitation::find_usable(conn, &token)?.ok_or(ApiError::NotFound("invitation"))?;
    let before =
        agent::find(conn, inv.agent_id)?.filter(|a| a.deleted_at.is_none()).ok_or(ApiError::NotFound("invitation"))?;
    let mut errors = Errors::default();
    errors.check("password", validation::password_strength(&req.password));
    let first_name = validation::optional_text(req.first_name.as_deref()).or(before.first_name.clone());
    let last_name = validation::optional_text(req.last_name.as_deref()).unwrap_or_else(|| before.last_name.clone());
    errors.check("last_name", validation::required_text(&last_name, 255));
    if first_name.is_none() {
        errors.add("first_name", "blank");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let hash = password::hash(&req.password)?;
    let author = before.author();
    let after = write_tx(conn, |c| {
        let named =
            membership::update_profile(c, &author, &before, first_name.as_deref(), &last_name, &before.preferences())?;
        let after = membership::set_password(c, &author, &named, &hash)?;
        invitation::mark_accepted(c, &author, &inv)?;
        Ok::<_, ApiError>(after)
    })?;
    Ok(AgentDetailResponse { agent: membership::detail(conn, &after)? })
}

/// Changes an agent's role in an organisation. The organisation keeps at least one admin;
/// intervenants (no login) cannot become agents with a login this way, nor the reverse.
pub fn update_agent_role(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    org_id: i32,
    req: Body<UpdateRoleRequest>,
) -> ApiResult<rdv_shared::dto::AgentDetailResponse> {
    let role = managed_role(conn, caller.id, id, org_id)?;
    let req = req.parse()?;
    let current = AccessLevel::parse(&role.access_level).unwrap_or_default();
    if (current == AccessLevel::Intervenant) != (req.access_level == AccessLevel::Intervenant) {
        return Err(ApiError::field("access_level", "invalid"));
    }
    if current == AccessLevel::Admin
        && req.access_level != AccessLevel::Admin
        && membership::admin_count(conn, org_id)? <= 1
    {
        return Err(ApiError::field("access_level", "last_admin"));
    }
    write_tx(conn, |c| Ok::<_, ApiError>(membership::set_level(c, &caller.author(), &role, req.access_level)?))?;
    let target = agent::find(conn, id)?.ok_or(ApiError::NotFound("agent"))?;
    Ok(AgentDetailResponse { agent: membership::detail(conn, &target)? })
}

/// Removes an agent from an organisation (not oneself; the last admin stays). Removing the last
/// organisation soft-deletes the agent; their RDVs stay on the usagers' records (seed 002).
pub fn remove_agent_role(conn: &mut DbConn, caller: &AgentRow, id: i32, org_id: i32) -> ApiResult<()> {
    let role = managed_role(conn, caller.id, id, org_id)?;
    if id == caller.id {
        return Err(ApiError::forbidden());
    }
    if role.access_level == AccessLevel::Admin.as_str() && membership::admin_count(conn, org_id)? <= 1 {
        return Err(ApiError::field("access_level", "last_admin"));
    }
    // Reference `AgentRemoval`: refused while the agent has future RDVs there; their plages
    // in that organisation go with the role.
    if crate::db::models::rdv_reads::future_count_for_agent(conn, id, org_id, crate::db::now_utc())? > 0 {
        return Err(ApiError::field("base", "future_rdvs"));
    }
    write_tx(conn, |c| {
        let author = caller.author();
        for p in crate::db::models::plage::of_agent_in(c, id, org_id)? {
            let motifs = crate::db::models::plage::motif_ids_of(c, &[p.id])?.remove(&p.id).unwrap_or_default();
            let old = crate::db::models::plage::PlageValues::of(&p, motifs);
            crate::db::models::plage::delete(c, &author, &p, &old)?;
        }
        Ok::<_, ApiError>(membership::remove_role(c, &author, &role)?)
    })?;
    Ok(())
}
