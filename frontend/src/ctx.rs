//! What every signed-in page knows: the session, the agent's profile, the organisation chosen in
//! the header. Provided by the shell.

use leptos::prelude::*;

use rdv_shared::access::AccessLevel;
use rdv_shared::dto::{Me, MyRole};

use crate::session::Session;

#[derive(Clone)]
pub struct Ctx {
    pub session: Session,
    pub me: Me,
    /// Id of the organisation chosen in the header's switcher.
    pub organisation: RwSignal<Option<i32>>,
}

impl Ctx {
    pub fn role(&self) -> Option<MyRole> {
        let id = self.organisation.get()?;
        self.me.roles.iter().find(|r| r.organisation_id.0 == id).cloned()
    }

    /// Admin of the current organisation (reactive).
    pub fn is_admin(&self) -> bool {
        self.role().is_some_and(|r| r.access_level == AccessLevel::Admin)
    }

    pub fn is_territorial_admin(&self) -> bool {
        !self.me.territorial_admin_of.is_empty()
    }

    pub fn org_id(&self) -> i32 {
        self.organisation.get().unwrap_or_default()
    }
}

pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}
