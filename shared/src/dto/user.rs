//! Usager bodies (`users` in API v1, reference-api-v1.md §3.2–3.4 and §4.1), plus ours: search
//! with masked results, duplicate candidates, merge, RGPD export.
//!
//! Optional social fields are `Option<Option<T>>`: absent from the JSON when the territory does
//! not enable them (`None`), `null` when enabled and empty.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dto::{Agent, Organisation};
use crate::enums::{CaisseAffiliation, FamilySituation, Logement};
use crate::pagination::Meta;
use crate::{OrganisationId, UserId};

/// `Option<Option<T>>` as JSON: absent → `None`, `null` → `Some(None)`, value → `Some(Some(v))`.
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A usager as API v1 renders it (`id` first, then alphabetical), plus `city_code`,
/// `city_name`, `post_code`, `pmi_case_number`, `invited_through` and, on show only, referents
/// and relatives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    /// A relative without address shows the responsable's.
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub address_details: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub affiliation_number: Option<Option<String>>,
    pub birth_date: Option<NaiveDate>,
    pub birth_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<CaisseAffiliation>))]
    pub caisse_affiliation: Option<Option<CaisseAffiliation>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub case_number: Option<Option<String>>,
    /// INSEE code of the city.
    pub city_code: Option<String>,
    pub city_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `agent_creation`, `agent_creation_api`, `user_import`, `merge`…
    pub created_through: String,
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<FamilySituation>))]
    pub family_situation: Option<Option<FamilySituation>>,
    pub first_name: String,
    /// Kept for API v1 compatibility; usager accounts come later.
    pub invitation_accepted_at: Option<DateTime<Utc>>,
    pub invitation_created_at: Option<DateTime<Utc>>,
    /// `external` once an `rdv_invitation_token` was issued.
    pub invited_through: Option<String>,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<Logement>))]
    pub logement: Option<Option<Logement>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    pub notify_by_email: bool,
    pub notify_by_sms: bool,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub number_of_children: Option<Option<i32>>,
    /// As entered (`06 15 83 22 56`).
    pub phone_number: Option<String>,
    /// E.164 (`+33615832256`).
    pub phone_number_formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub pmi_case_number: Option<Option<String>>,
    pub post_code: Option<String>,
    /// Show only: the usager's referent agents (null elsewhere).
    pub referent_agents: Option<Vec<Agent>>,
    /// Show only: the relatives of a responsable (null elsewhere).
    pub relatives: Option<Vec<UserSummary>>,
    /// The responsable of a relative, in full (its own `user_profiles` null).
    #[cfg_attr(feature = "server", schema(no_recursion, value_type = Option<Object>))]
    pub responsible: Option<Box<User>>,
    pub responsible_id: Option<UserId>,
    /// Show only: `[{"organisation": {…}}]` restricted to what the caller sees (null elsewhere).
    pub user_profiles: Option<Vec<UserProfileOrganisation>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserProfileOrganisation {
    pub organisation: Organisation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserResponse {
    pub user: User,
}

/// Create and update answers: the usager, and the non-blocking duplicate warnings
/// (reference-domain.md §9.2). API v1 clients read `user` and ignore the rest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserWriteResponse {
    pub user: User,
    pub duplicates: Vec<DuplicateCandidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UsersResponse {
    pub users: Vec<User>,
    pub meta: Meta,
}

/// The writable fields, shared by create and update. In an update, an absent field is left
/// unchanged and `null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// Create: the organisations of the usager (required, non-empty). Update: replaces the set.
    pub organisation_ids: Option<Vec<OrganisationId>>,
    /// Update only: the organisation whose scope the lookup uses (as U7).
    pub organisation_id: Option<OrganisationId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub birth_name: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<NaiveDate>))]
    pub birth_date: Option<Option<NaiveDate>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub phone_number: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub address: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub post_code: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub city_code: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub city_name: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub address_details: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<CaisseAffiliation>))]
    pub caisse_affiliation: Option<Option<CaisseAffiliation>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub affiliation_number: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<FamilySituation>))]
    pub family_situation: Option<Option<FamilySituation>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub number_of_children: Option<Option<i32>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<Logement>))]
    pub logement: Option<Option<Logement>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub case_number: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub pmi_case_number: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    pub notify_by_sms: Option<bool>,
    pub notify_by_email: Option<bool>,
    /// Makes the usager a relative ("proche") of that usager; `null` makes it a responsable.
    #[serde(default, with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub responsible_id: Option<Option<UserId>>,
    /// Create: the referents. Update: replaces the set.
    pub referent_agent_ids: Option<Vec<crate::AgentId>>,
}

/// A usager in a list of candidates (search, duplicates, relatives). `masked` when the caller
/// only finds it from another organisation of the territory: birth date, phone and email are
/// then partially hidden (reference-domain.md §2.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub birth_name: Option<String>,
    /// `04/05/1990`, or `04/05/****` when masked.
    pub birth_date: Option<String>,
    /// National form when shown in full, `06******78` when masked.
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub responsible_id: Option<UserId>,
    pub masked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserSearchResponse {
    /// Usagers of the caller's scope, ranked, in full.
    pub users: Vec<UserSummary>,
    /// Usagers of other organisations of the caller's territories, masked; attach one with
    /// `POST /api/v1/user_profiles`.
    pub other_users: Vec<UserSummary>,
}

/// Why two usagers look like the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// Same phone number.
    Phone,
    /// Same first name, last name and birth date (case and accents ignored).
    Identity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DuplicateCandidate {
    pub user: UserSummary,
    pub reasons: Vec<DuplicateReason>,
}

/// `POST /api/v1/users/duplicates`: would these values duplicate an existing usager?
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicatesRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub phone_number: Option<String>,
    /// The usager being edited, left out of the candidates.
    pub user_id: Option<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DuplicatesResponse {
    pub duplicates: Vec<DuplicateCandidate>,
}

/// `POST /api/v1/users/{id}/merge`: `merged_user_id` is merged into the usager of the path and
/// then anonymised. `keep_from_merged` lists the fields whose value comes from the merged usager.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeUsersRequest {
    pub merged_user_id: UserId,
    #[serde(default)]
    pub keep_from_merged: Vec<String>,
}

/// Fields a merge may take from either usager.
pub const MERGEABLE_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "birth_name",
    "birth_date",
    "email",
    "phone_number",
    "address",
    "address_details",
    "caisse_affiliation",
    "affiliation_number",
    "family_situation",
    "number_of_children",
    "logement",
    "case_number",
    "pmi_case_number",
    "notes",
    "notify_by_sms",
    "notify_by_email",
];

/// `{"user_profile": {"organisation": …, "user": …}}` (no id, as the reference).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserProfile {
    pub organisation: Organisation,
    pub user: User,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserProfileResponse {
    pub user_profile: UserProfile,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserProfileRequest {
    pub organisation_id: i32,
    pub user_id: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReferentAssignation {
    pub agent: Agent,
    pub user: User,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReferentAssignationResponse {
    pub referent_assignation: ReferentAssignation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferentAssignationRequest {
    pub agent_id: i32,
    pub user_id: i32,
}

/// `{"invitation_token": "VS5JNYJB"}`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InvitationTokenResponse {
    pub invitation_token: String,
}

/// RGPD: everything held on one usager.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserExport {
    pub exported_at: DateTime<Utc>,
    /// Every field, whatever the territory toggles.
    pub user: User,
    pub organisations: Vec<Organisation>,
    pub referent_agents: Vec<Agent>,
    pub relatives: Vec<UserSummary>,
    /// The audit trail of the record.
    pub versions: Vec<crate::dto::Version>,
    /// The RDVs the usager takes part in that the exporting agent may read, newest first,
    /// each with this usager's participation only (other participants are not theirs to get).
    #[serde(default)]
    pub rdvs: Vec<crate::dto::Rdv>,
    /// The notifications (emails, SMS) sent to the usager about those RDVs, newest first.
    #[serde(default)]
    pub notifications: Vec<crate::dto::Receipt>,
}

/// A read of a usager's record by an agent of none of its organisations (territory-wide
/// visibility), as its organisations' admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UsagerRead {
    pub agent_id: crate::AgentId,
    /// "Camille Martin".
    pub agent_name: String,
    /// `show` (the record), `rdvs` (its RDVs) or `notifications` (messages sent to it).
    pub action: String,
    pub read_at: DateTime<Utc>,
}

/// `GET /api/v1/users/{id}/reads`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UsagerReadsResponse {
    pub usager_reads: Vec<UsagerRead>,
    pub meta: crate::pagination::Meta,
}
