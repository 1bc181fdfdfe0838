//! Use cases, between the HTTP handlers (`routes/`) and the tables (`db/models/`).
//!
//! A service function takes a connection and typed inputs and returns typed results or an
//! [`ApiError`](crate::error::ApiError); it never sees HTTP. Handlers are: extract → access check
//! → call one service → render. Every write of the application goes through a service
//! function here, which opens the write transaction (`db::write_tx`), writes through the models
//! (which record the audit version) and is the one place where a change's outgoing events are
//! emitted. Services are exercised without HTTP in `api/tests/services_*.rs`, on both backends.
//!
//! | module | owns |
//! |---|---|
//! | `rdvs` | RDV lifecycle for agents: create, show, update (incl. status), delete, participations |
//! | `rdv_checks` | hard errors and warnings of an RDV write, the 409 with next slots |
//! | `rdv_render` | RDV DTOs in one batch of queries |
//! | `rdv_lists` | an organisation's RDVs, a usager's RDVs, "RDV à renseigner" |
//! | `rdv_search` | the RDV list over organisations with filters (`GET /rdvs`), shared by exports and statistics |
//! | `exports` | RDV and participation exports: create, list, download, expiry; `export_job` runs them |
//! | `stats` | organisation, own, territory and public statistics |
//! | `booking` | public booking: book a slot or join a session, show and cancel by token |
//! | `slot_search` | slots over the database: plages, busy times, next availability, sessions |
//! | `creneaux` | the agent-side slot search |
//! | `public_search` | what an address is offered: motifs, lieux, public slots and sessions |
//! | `agenda` | target and visible agents, plage and absence DTOs |
//! | `agenda_feed` | the agenda feed and the agent picker |
//! | `agenda_access` | agenda access grants, copy, "who sees this agenda and why" |
//! | `viewer` | the caller's `Viewer` (facts, teams, grants) and its level on an RDV or agenda |
//! | `plages`, `absences` | plages d'ouverture and absences |
//! | `usagers` | a caller's usager scope, rendering with the territory's fields, create/show/update |
//! | `usager_tools` | search as you type, duplicates, merge, RGPD export |
//! | `usager_links` | profiles in organisations, referents |
//! | `usager_imports` | CSV/XLSX imports and their background run |
//! | `agents` | invitations, roles, services, removal, the API v1 agent list |
//! | `sessions` | sign-in, sign-out |
//! | `organisations`, `territories`, `teams`, `lieux`, `motifs` | the structure of a territory |
//! | `sectors` | sectors, zones, attributions, zone import/export, the sectorisation test |
//! | `versions` | the audit history of a record |
//! | `notifications` | who hears about an RDV change, reminder planning and jobs, receipts |
//! | `notification_messages` | renders notices into outbox rows (texts, calendar parts) |
//! | `agenda_notifications` | emails to an agent about their plages and absences (level "all") |
//! | `rdv_links` | the usager's `/r/{token}` link: issue, open after the name check, cancel |
//! | `retention` | RGPD retention: the daily purge, its dry run, a territory's policy |

pub mod absences;
pub mod agenda;
pub mod agenda_access;
pub mod agenda_feed;
pub mod agenda_notifications;
pub mod agents;
pub mod booking;
pub mod calendar_feed;
pub mod creneaux;
pub mod export_job;
pub mod exports;
pub mod invited_search;
pub mod lieux;
pub mod motifs;
pub mod notification_messages;
pub mod notifications;
pub mod organisations;
pub mod password_resets;
pub mod people_events;
pub mod plages;
pub mod public_links;
pub mod public_search;
pub mod rdv_checks;
pub mod rdv_json;
pub mod rdv_links;
pub mod rdv_render;
pub mod rdv_search;
pub mod rdvinsertion;
pub mod rdvs;
pub mod rescheduling;
pub mod retention;
pub mod sectors;
pub mod sessions;
pub mod slot_search;
pub mod stats;
pub mod teams;
pub mod territories;
pub mod usager_imports;
pub mod usager_links;
pub mod usager_tools;
pub mod usagers;
pub mod versions;
pub mod viewer;
pub mod waiting_list;
pub mod webhook_events;
pub mod webhook_replay;
pub mod webhooks;

use crate::error::ApiError;

/// The organisation named in a path (404 when unknown) and the signed-in agent's access facts.
pub fn organisation_and_actor(
    conn: &mut crate::db::DbConn,
    organisation_id: i32,
    agent_id: i32,
) -> Result<(crate::db::models::organisation::OrganisationRow, rdv_shared::access::Actor), ApiError> {
    let org =
        crate::db::models::organisation::find(conn, organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let actor = crate::db::models::agent::facts(conn, agent_id)?;
    Ok((org, actor))
}
pub mod rdv_lists;

/// An `Idempotency-Key` sent with a booking: the key within its scope (the agent, or the public
/// booking), and the digest of the request it was first sent with.
pub struct Idempotency {
    pub scope: String,
    pub key: String,
    pub request_digest: String,
}

impl Idempotency {
    /// The key sent with `request`, in `scope`.
    pub fn of(scope: String, key: String, request: &impl serde::Serialize) -> Self {
        let request_digest = crate::db::models::idempotency::digest(&serde_json::to_vec(request).unwrap_or_default());
        Idempotency { scope, key, request_digest }
    }

    /// The RDV an earlier request with this key made: `Some` for a retry of the same request,
    /// `None` for a first one; 409 when the key was used for a different request.
    pub fn earlier(&self, conn: &mut crate::db::DbConn) -> Result<Option<i32>, ApiError> {
        match crate::db::models::idempotency::find(conn, &self.scope, &self.key)? {
            Some((digest, rdv_id)) if digest == self.request_digest => Ok(Some(rdv_id)),
            Some(_) => Err(ApiError::IdempotencyConflict),
            None => Ok(None),
        }
    }

    /// Remembers the RDV this request made, in the booking's transaction.
    pub fn remember(&self, conn: &mut crate::db::DbConn, rdv_id: i32) -> Result<(), ApiError> {
        Ok(crate::db::models::idempotency::record(conn, &self.scope, &self.key, &self.request_digest, rdv_id)?)
    }
}
