//! Typed ids: an `AgentId` can never be passed where an `OrganisationId` is expected.
//!
//! They serialise as plain integers, exactly like the ids of RDV-Solidarités' API v1.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    /// A département-level territory (e.g. Pas-de-Calais).
    TerritoryId,
    /// An organisation (a "maison des solidarités", a PMI centre…).
    OrganisationId,
    /// A service of the global catalogue (PMI, Service social, CPEF, Secrétariat).
    ServiceId,
    /// A staff member.
    AgentId,
    /// A usager (`users` in the API, as in RDV-Solidarités).
    UserId,
);
