//! Who may see or do what, as pure functions over facts the server loads.
//!
//! The server loads an [`Actor`] (the signed-in agent's memberships, services and territorial
//! roles) and the facts about the target, then asks one of these functions. Rules follow
//! RDV-Solidarités (reference-domain.md §2, reference-api-v1.md §1.4) unless a comment says
//! where we differ.

mod agenda;
mod grants;
mod rdv_scope;
mod reasons;
mod usagers;

pub use agenda::*;
pub use grants::*;
pub use rdv_scope::*;
pub use reasons::*;
pub use usagers::*;

use serde::{Deserialize, Serialize};

use crate::{AgentId, OrganisationId, ServiceId, TerritoryId};

/// An agent's role in one organisation (`agent_roles.access_level`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// Works on their own agenda and their services' RDVs.
    #[default]
    Basic,
    /// Administers the organisation.
    Admin,
    /// An agenda-only resource: no email, cannot sign in, gets no notifications.
    Intervenant,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 3] = [AccessLevel::Basic, AccessLevel::Admin, AccessLevel::Intervenant];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Basic => "basic",
            AccessLevel::Admin => "admin",
            AccessLevel::Intervenant => "intervenant",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// French label shown in the SPA.
    pub fn label_fr(self) -> &'static str {
        match self {
            AccessLevel::Basic => "Agent",
            AccessLevel::Admin => "Administrateur",
            AccessLevel::Intervenant => "Intervenant",
        }
    }
}

/// One membership: the agent has `access_level` in `organisation_id` (of `territory_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: OrganisationId,
    pub territory_id: TerritoryId,
    pub access_level: AccessLevel,
}

/// The facts about an agent that access rules need (the actor, or an agent being looked at).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFacts {
    pub agent_id: Option<AgentId>,
    pub memberships: Vec<Membership>,
    pub service_ids: Vec<ServiceId>,
    /// Member of the "Secrétariat" service (reference: `secretaire?`).
    pub is_secretary: bool,
    /// Territories where the agent is "Admin de territoire".
    pub territorial_admin_of: Vec<TerritoryId>,
    /// Territories where the agent holds the "invite agents" access right.
    pub may_invite_in: Vec<TerritoryId>,
    /// Territories where the agent holds the "manage teams" access right.
    pub may_manage_teams_in: Vec<TerritoryId>,
    /// Territories where the agent holds the "manage access rights" access right.
    pub may_manage_rights_in: Vec<TerritoryId>,
}

/// The signed-in agent.
pub type Actor = AgentFacts;

impl AgentFacts {
    pub fn membership(&self, org: OrganisationId) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.organisation_id == org)
    }

    pub fn is_member_of(&self, org: OrganisationId) -> bool {
        self.membership(org).is_some()
    }

    pub fn is_admin_of(&self, org: OrganisationId) -> bool {
        self.membership(org).is_some_and(|m| m.access_level == AccessLevel::Admin)
    }

    fn shares_service_with(&self, other: &AgentFacts) -> bool {
        self.service_ids.iter().any(|s| other.service_ids.contains(s))
    }
}

/// May this agent sign in? Intervenants are agenda resources without a login (reference §1.3):
/// an agent whose every role is `intervenant` is refused. An agent with no role at all may still
/// sign in when they are a territorial admin (they administer the territory's organisations).
pub fn can_sign_in(agent: &AgentFacts) -> bool {
    agent.memberships.iter().any(|m| m.access_level != AccessLevel::Intervenant)
        || !agent.territorial_admin_of.is_empty()
}

/// Organisation list and show: organisations where the actor has a role (reference O1/O2).
pub fn can_read_organisation(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_member_of(org)
}

/// Organisation update: admins of that organisation (reference O3).
pub fn can_update_organisation(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_admin_of(org)
}

/// Is `target` in the actor's agent list (reference G1, also the basis of absence access)?
///
/// Union of: (secretary) agents of my organisations; (territorial admin) agents of organisations
/// of my territories; (organisation admin) agents of that organisation; (basic) agents of my
/// basic organisations sharing one of my services. The actor always sees themselves.
/// `within` narrows the question to one organisation (the `organisation_id` filter).
pub fn can_see_agent(actor: &Actor, target: &AgentFacts, within: Option<OrganisationId>) -> bool {
    if within.is_none() && actor.agent_id.is_some() && actor.agent_id == target.agent_id {
        return true;
    }
    target.memberships.iter().filter(|t| within.is_none_or(|o| o == t.organisation_id)).any(|t| {
        if actor.territorial_admin_of.contains(&t.territory_id) {
            return true;
        }
        match actor.membership(t.organisation_id) {
            None => false,
            Some(_) if actor.is_secretary => true,
            Some(m) => match m.access_level {
                AccessLevel::Admin => true,
                AccessLevel::Basic => actor.agent_id == target.agent_id || actor.shares_service_with(target),
                AccessLevel::Intervenant => false,
            },
        }
    })
}

/// Lieux of an organisation: members list them (reference §2.7).
pub fn can_list_lieux(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_member_of(org)
}

/// Lieux: admins of the organisation create, edit and disable them.
pub fn can_manage_lieux(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_admin_of(org)
}

/// Webhook endpoints of an organisation (of `territory`): its admins and the territory's admins
/// (the reference allowed territorial admins only; organisation admins run their partner tools
/// too). Endpoints carry secrets and copies of every RDV: nobody else sees them.
pub fn can_manage_webhooks(actor: &Actor, org: OrganisationId, territory: TerritoryId) -> bool {
    actor.is_admin_of(org) || actor.territorial_admin_of.contains(&territory)
}

/// Motifs: admins of the organisation create, edit and delete them.
pub fn can_manage_motifs(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_admin_of(org)
}

/// May the actor see (and use) a motif of `service` in `org`? Admins and secretaries: every
/// motif of their organisations; basic agents: motifs of their services (reference §2.7).
pub fn can_see_motif(actor: &Actor, org: OrganisationId, service: ServiceId) -> bool {
    match actor.membership(org).map(|m| m.access_level) {
        Some(AccessLevel::Admin) => true,
        Some(AccessLevel::Basic) => actor.is_secretary || actor.service_ids.contains(&service),
        Some(AccessLevel::Intervenant) | None => false,
    }
}

/// The motif list export is for admins only (seed 001, RDV-S #1781).
pub fn can_export_motifs(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_admin_of(org)
}

/// Territory settings and organisation creation: territorial admins (reference §2.8).
pub fn can_manage_territory(actor: &Actor, territory: TerritoryId) -> bool {
    actor.territorial_admin_of.contains(&territory)
}

/// Reading a territory's settings: its territorial admins and the members of its organisations.
pub fn can_read_territory(actor: &Actor, territory: TerritoryId) -> bool {
    can_manage_territory(actor, territory) || actor.memberships.iter().any(|m| m.territory_id == territory)
}

/// May the actor add agents to `org` (of `territory`), change their roles there or remove them?
/// Admins of the organisation, territorial admins, and agents with the territory's "invite agents"
/// right (reference §2.5, §2.8).
pub fn can_manage_agents_in(actor: &Actor, org: OrganisationId, territory: TerritoryId) -> bool {
    actor.is_admin_of(org)
        || actor.territorial_admin_of.contains(&territory)
        || actor.may_invite_in.contains(&territory)
}

/// May the actor edit this agent's profile and services, or re-send their invitation?
/// Themselves (profile only, see [`can_edit_agent_services`]), or whoever manages agents in one
/// of the target's organisations.
pub fn can_edit_agent(actor: &Actor, target: &AgentFacts) -> bool {
    actor.agent_id.is_some() && actor.agent_id == target.agent_id || can_edit_agent_services(actor, target)
}

/// Services (and so the secretariat quality) are set by managers, never by the agent alone.
pub fn can_edit_agent_services(actor: &Actor, target: &AgentFacts) -> bool {
    target.memberships.iter().any(|m| can_manage_agents_in(actor, m.organisation_id, m.territory_id))
}

/// Teams of a territory: territorial admins and holders of the "manage teams" right (reference §2.8).
pub fn can_manage_teams(actor: &Actor, territory: TerritoryId) -> bool {
    actor.territorial_admin_of.contains(&territory) || actor.may_manage_teams_in.contains(&territory)
}

/// The three access-right flags of a territory's agents: territorial admins and holders of the
/// "manage access rights" right. Granting or revoking territorial admin: territorial admins only.
pub fn can_manage_access_rights(actor: &Actor, territory: TerritoryId) -> bool {
    actor.territorial_admin_of.contains(&territory) || actor.may_manage_rights_in.contains(&territory)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG_A: OrganisationId = OrganisationId(1);
    const ORG_B: OrganisationId = OrganisationId(2);
    const ORG_C: OrganisationId = OrganisationId(3); // other territory
    const T62: TerritoryId = TerritoryId(62);
    const T59: TerritoryId = TerritoryId(59);
    const PMI: ServiceId = ServiceId(1);
    const SOCIAL: ServiceId = ServiceId(2);

    fn m(org: OrganisationId, level: AccessLevel) -> Membership {
        let territory_id = if org == ORG_C { T59 } else { T62 };
        Membership { organisation_id: org, territory_id, access_level: level }
    }

    fn agent(id: i32, memberships: Vec<Membership>, services: Vec<ServiceId>) -> AgentFacts {
        AgentFacts { agent_id: Some(AgentId(id)), memberships, service_ids: services, ..Default::default() }
    }

    #[test]
    fn webhooks_table() {
        use AccessLevel::*;
        let cases: Vec<(AgentFacts, OrganisationId, TerritoryId, bool, &str)> = vec![
            (agent(1, vec![m(ORG_A, Admin)], vec![]), ORG_A, T62, true, "organisation admin"),
            (agent(1, vec![m(ORG_A, Admin)], vec![]), ORG_B, T62, false, "admin of another organisation"),
            (agent(1, vec![m(ORG_A, Basic)], vec![PMI]), ORG_A, T62, false, "basic agent"),
            (agent(1, vec![m(ORG_A, Intervenant)], vec![]), ORG_A, T62, false, "intervenant"),
            (
                AgentFacts { territorial_admin_of: vec![T62], ..agent(1, vec![], vec![]) },
                ORG_B,
                T62,
                true,
                "territorial admin",
            ),
            (
                AgentFacts { territorial_admin_of: vec![T62], ..agent(1, vec![], vec![]) },
                ORG_C,
                T59,
                false,
                "territorial admin of another territory",
            ),
        ];
        for (actor, org, territory, expected, label) in cases {
            assert_eq!(can_manage_webhooks(&actor, org, territory), expected, "{label}");
        }
    }

    #[test]
    fn sign_in_table() {
        use AccessLevel::*;
        let cases: Vec<(AgentFacts, bool, &str)> = vec![
            (agent(1, vec![m(ORG_A, Basic)], vec![PMI]), true, "basic agent"),
            (agent(1, vec![m(ORG_A, Admin)], vec![PMI]), true, "admin"),
            (agent(1, vec![m(ORG_A, Intervenant)], vec![PMI]), false, "intervenant only"),
            (agent(1, vec![m(ORG_A, Intervenant), m(ORG_B, Basic)], vec![PMI]), true, "mixed roles"),
            (agent(1, vec![], vec![PMI]), false, "no role"),
            (
                AgentFacts { territorial_admin_of: vec![T62], ..agent(1, vec![], vec![]) },
                true,
                "territorial admin without role",
            ),
        ];
        for (facts, expected, label) in cases {
            assert_eq!(can_sign_in(&facts), expected, "{label}");
        }
    }

    #[test]
    fn organisation_table() {
        use AccessLevel::*;
        let basic = agent(1, vec![m(ORG_A, Basic)], vec![PMI]);
        let admin = agent(2, vec![m(ORG_A, Admin), m(ORG_B, Basic)], vec![PMI]);
        // (actor, org, can read, can update)
        let cases = [
            (&basic, ORG_A, true, false),
            (&basic, ORG_B, false, false),
            (&admin, ORG_A, true, true),
            (&admin, ORG_B, true, false),
            (&admin, ORG_C, false, false),
        ];
        for (actor, org, read, update) in cases {
            assert_eq!(can_read_organisation(actor, org), read, "read {org}");
            assert_eq!(can_update_organisation(actor, org), update, "update {org}");
        }
    }

    #[test]
    fn agent_visibility_table() {
        use AccessLevel::*;
        let basic_pmi = agent(1, vec![m(ORG_A, Basic)], vec![PMI]);
        let admin_a = agent(2, vec![m(ORG_A, Admin)], vec![SOCIAL]);
        let secretary = AgentFacts { is_secretary: true, ..agent(3, vec![m(ORG_A, Basic)], vec![]) };
        let terr_admin = AgentFacts { territorial_admin_of: vec![T62], ..agent(4, vec![], vec![]) };
        let colleague_pmi_a = agent(10, vec![m(ORG_A, Basic)], vec![PMI]);
        let social_a = agent(11, vec![m(ORG_A, Basic)], vec![SOCIAL]);
        let pmi_b = agent(12, vec![m(ORG_B, Basic)], vec![PMI]);
        let pmi_c = agent(13, vec![m(ORG_C, Basic)], vec![PMI]);

        // (actor, target, within, expected, why)
        let cases: Vec<(&AgentFacts, &AgentFacts, Option<OrganisationId>, bool, &str)> = vec![
            (&basic_pmi, &basic_pmi, None, true, "oneself"),
            (&basic_pmi, &colleague_pmi_a, None, true, "basic: same org, shared service"),
            (&basic_pmi, &social_a, None, false, "basic: same org, other service"),
            (&basic_pmi, &pmi_b, None, false, "basic: same service, other org"),
            (&admin_a, &social_a, None, true, "admin: any agent of the org"),
            (&admin_a, &colleague_pmi_a, None, true, "admin: other service"),
            (&admin_a, &pmi_b, None, false, "admin: not another org"),
            (&secretary, &social_a, None, true, "secretary: every agent of my orgs"),
            (&secretary, &pmi_b, None, false, "secretary: not other orgs"),
            (&terr_admin, &pmi_b, None, true, "territorial admin: orgs of the territory"),
            (&terr_admin, &pmi_c, None, false, "territorial admin: not another territory"),
            (&admin_a, &social_a, Some(ORG_A), true, "filter on my org"),
            (&admin_a, &social_a, Some(ORG_B), false, "filter on an org the target is not in"),
        ];
        for (actor, target, within, expected, why) in cases {
            assert_eq!(can_see_agent(actor, target, within), expected, "{why}");
        }
    }

    #[test]
    fn lieux_motifs_territory_table() {
        use AccessLevel::*;
        let admin_a = agent(1, vec![m(ORG_A, Admin)], vec![PMI]);
        let basic_pmi_a = agent(2, vec![m(ORG_A, Basic)], vec![PMI]);
        let secretary_a = AgentFacts { is_secretary: true, ..agent(3, vec![m(ORG_A, Basic)], vec![]) };
        let intervenant_a = agent(4, vec![m(ORG_A, Intervenant)], vec![PMI]);
        let terr_admin = AgentFacts { territorial_admin_of: vec![T62], ..agent(5, vec![], vec![]) };
        let other_org = agent(6, vec![m(ORG_B, Admin)], vec![PMI, SOCIAL]);
        let other_territory = agent(7, vec![m(ORG_C, Admin)], vec![PMI]);

        // (who, [list lieux, manage lieux, see PMI motif, see social motif, manage motifs, export motifs,
        //        manage territory 62, read territory 62])
        let cases: Vec<(&str, &AgentFacts, [bool; 8])> = vec![
            ("admin", &admin_a, [true, true, true, true, true, true, false, true]),
            ("basic PMI", &basic_pmi_a, [true, false, true, false, false, false, false, true]),
            ("secretary", &secretary_a, [true, false, true, true, false, false, false, true]),
            ("intervenant", &intervenant_a, [true, false, false, false, false, false, false, true]),
            ("territorial admin without role", &terr_admin, [false, false, false, false, false, false, true, true]),
            ("admin of another organisation", &other_org, [false, false, false, false, false, false, false, true]),
            ("admin of another territory", &other_territory, [false, false, false, false, false, false, false, false]),
        ];
        for (who, actor, expected) in cases {
            let got = [
                can_list_lieux(actor, ORG_A),
                can_manage_lieux(actor, ORG_A),
                can_see_motif(actor, ORG_A, PMI),
                can_see_motif(actor, ORG_A, SOCIAL),
                can_manage_motifs(actor, ORG_A),
                can_export_motifs(actor, ORG_A),
                can_manage_territory(actor, T62),
                can_read_territory(actor, T62),
            ];
            assert_eq!(got, expected, "{who}");
        }
    }

    #[test]
    fn agent_management_table() {
        use AccessLevel::*;
        let admin_a = agent(1, vec![m(ORG_A, Admin)], vec![PMI]);
        let basic_a = agent(2, vec![m(ORG_A, Basic)], vec![PMI]);
        let inviter = AgentFacts { may_invite_in: vec![T62], ..agent(3, vec![m(ORG_B, Basic)], vec![SOCIAL]) };
        let terr_admin = AgentFacts { territorial_admin_of: vec![T62], ..agent(4, vec![], vec![]) };
        let admin_c = agent(5, vec![m(ORG_C, Admin)], vec![PMI]);
        let target_a = agent(10, vec![m(ORG_A, Basic)], vec![SOCIAL]);
        // (actor, [manage agents in A, edit target, edit target's services, edit oneself, own services])
        let cases: Vec<(&str, &AgentFacts, [bool; 5])> = vec![
            ("admin of A", &admin_a, [true, true, true, true, true]),
            ("basic of A", &basic_a, [false, false, false, true, false]),
            ("invite right in territory", &inviter, [true, true, true, true, true]),
            ("territorial admin", &terr_admin, [true, true, true, true, false]),
            ("admin of another territory", &admin_c, [false, false, false, true, true]),
        ];
        for (who, actor, expected) in cases {
            let got = [
                can_manage_agents_in(actor, ORG_A, T62),
                can_edit_agent(actor, &target_a),
                can_edit_agent_services(actor, &target_a),
                can_edit_agent(actor, actor),
                can_edit_agent_services(actor, actor),
            ];
            assert_eq!(got, expected, "{who}");
        }
    }

    #[test]
    fn territory_rights_table() {
        let terr_admin = AgentFacts { territorial_admin_of: vec![T62], ..Default::default() };
        let teams = AgentFacts { may_manage_teams_in: vec![T62], ..Default::default() };
        let rights = AgentFacts { may_manage_rights_in: vec![T62], ..Default::default() };
        let elsewhere =
            AgentFacts { territorial_admin_of: vec![T59], may_manage_teams_in: vec![T59], ..Default::default() };
        let admin_a = agent(1, vec![m(ORG_A, AccessLevel::Admin)], vec![PMI]);
        // (who, [manage teams, manage access rights]) in territory 62
        let cases = [
            ("territorial admin", &terr_admin, [true, true]),
            ("manage-teams right", &teams, [true, false]),
            ("manage-rights right", &rights, [false, true]),
            ("rights in another territory", &elsewhere, [false, false]),
            ("organisation admin", &admin_a, [false, false]),
        ];
        for (who, actor, expected) in cases {
            assert_eq!([can_manage_teams(actor, T62), can_manage_access_rights(actor, T62)], expected, "{who}");
        }
    }

    #[test]
    fn access_level_round_trip() {
        for level in AccessLevel::ALL {
            assert_eq!(AccessLevel::parse(level.as_str()), Some(level));
        }
        assert_eq!(AccessLevel::parse("superuser"), None);
    }
}
