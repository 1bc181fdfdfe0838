//! Invited usagers (reference-domain.md §4.9, reference-api-v1.md §3.13 I1; issue 16): a usager
//! whose `rdv_invitation_token` was issued through API v1 (U5) follows a link such as
//! `/prendre-rdv?invitation_token=…&motif_category_short_name=…&organisation_ids[]=…` and is
//! offered the motifs bookable by invited usagers, narrowed by the link's filters, and books for
//! themself without typing their identity. Follow-up motifs only with their referents
//! (`shared::invitation`). rdv-insertion asks first whether such a link would offer any slot
//! (`creneau_availability`).

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use rdv_shared::dto::PublicPlace;
use rdv_shared::sectorisation::Place;
use serde::Deserialize;

use crate::db::models::{user, user_links};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::extract::query_ints;
use crate::services::public_search::{has_creneau, offer, resolve, PlaceQuery};
use crate::state::AppState;

/// A search's filters: an invitation's usager and its link's filters, or a public link's
/// organisations (`/org/{id}`).
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    /// The invited usager (`None`: the anonymous public).
    pub invited: Option<i32>,
    /// The usager's referent agents (follow-up motifs are booked with them only).
    pub usager_referents: Vec<i32>,
    pub motif_category: Option<String>,
    pub organisation_ids: Vec<i32>,
    /// Only these agents.
    pub referent_ids: Vec<i32>,
    pub lieu_id: Option<i32>,
}

/// The invitation parameters of a search (besides the address and the Rails-style arrays
/// `organisation_ids[]` and `referent_ids[]`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// The usager's `rdv_invitation_token` (API v1 U5): offers the motifs bookable by invited usagers.
    pub invitation_token: Option<String>,
    /// Only motifs of this category.
    pub motif_category_short_name: Option<String>,
    /// Only this lieu (documented by each operation: `/public/creneaux` takes it as the chosen lieu).
    #[param(ignore = true)]
    pub lieu_id: Option<i32>,
    /// The usager's département (informative: the address or the organisations decide).
    pub departement: Option<String>,
}

/// What a request says of its invitation, read before going to the database.
#[derive(Debug, Clone, Default)]
pub struct InvitationParams {
    pub query: InvitationQuery,
    pub organisation_ids: Vec<i32>,
    pub referent_ids: Vec<i32>,
}

impl InvitationParams {
    pub fn read(req: &HttpRequest, query: InvitationQuery) -> ApiResult<Self> {
        Ok(InvitationParams {
            query,
            organisation_ids: query_ints(req, "organisation_ids")?,
            referent_ids: query_ints(req, "referent_ids")?,
        })
    }

    pub fn invited(&self) -> bool {
        self.token().is_some()
    }

    fn token(&self) -> Option<&str> {
        self.query.invitation_token.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    /// The search's filters: 422 when the invitation token is unknown. The public may narrow
    /// to organisations (a public link); the other filters are an invitation's.
    pub fn load(&self, conn: &mut DbConn) -> ApiResult<Option<SearchFilters>> {
        let Some(token) = self.token() else {
            let public = SearchFilters { organisation_ids: self.organisation_ids.clone(), ..SearchFilters::default() };
            return Ok((!public.organisation_ids.is_empty()).then_some(public));
        };
        Ok(Some(SearchFilters {
            motif_category: self.query.motif_category_short_name.clone().filter(|s| !s.trim().is_empty()),
            lieu_id: self.query.lieu_id,
            ..invitation(conn, token, &self.organisation_ids, &self.referent_ids)?
        }))
    }
}

/// The filters of the usager invited with `token` (its referents known), within the link's
/// organisations and agents; 422 when the token is unknown.
pub fn invitation(
    conn: &mut DbConn,
    token: &str,
    organisation_ids: &[i32],
    referent_ids: &[i32],
) -> ApiResult<SearchFilters> {
    let user_id = user::by_invitation_token(conn, token.trim())?.ok_or_else(invalid_token)?;
    Ok(SearchFilters {
        invited: Some(user_id),
        usager_referents: user_links::referent_ids(conn, user_id)?,
        organisation_ids: organisation_ids.to_vec(),
        referent_ids: referent_ids.to_vec(),
        ..SearchFilters::default()
    })
}

pub fn invalid_token() -> ApiError {
    ApiError::field_message(
        "invitation_token",
        "invalid",
        "Ce lien d'invitation n'est pas valable : demandez-en un nouveau au service qui vous l'a envoyé.".into(),
    )
}

/// The address of a search; an invited usager may come without one (their invitation's
/// organisations then decide).
pub async fn resolve_place(
    state: &AppState,
    q: &PlaceQuery,
    invited: bool,
    departement: Option<&str>,
) -> ApiResult<(Option<Place>, PublicPlace)> {
    let no_address = q.city_code.as_deref().is_none_or(|c| c.trim().is_empty())
        && q.address.as_deref().is_none_or(|a| a.trim().is_empty());
    if invited && no_address {
        let public = PublicPlace {
            departement: departement.unwrap_or_default().to_owned(),
            city_code: String::new(),
            street_ban_id: None,
            label: None,
            latitude: q.latitude,
            longitude: q.longitude,
        };
        return Ok((None, public));
    }
    let (place, public) = resolve(state, q).await?;
    Ok((Some(place), public))
}

/// I1: would the invitation link offer at least one slot?
pub fn creneau_availability(
    conn: &mut DbConn,
    place: Option<&Place>,
    inv: &SearchFilters,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let offered = offer(conn, place, Some(inv))?;
    has_creneau(conn, &offered, now)
}
