//! Agenda access levels (seed 001: "lecture sans détail, lecture avec détail et écriture").
//!
//! A level is computed per (viewer, event). This module holds the default levels, derived from
//! roles and services as RDV-Solidarités does (reference-domain.md §2.2–2.4); explicit grants
//! (issue 6) can only raise them. The agenda feed projects each event to its level, and every
//! write endpoint asks for [`AgendaLevel::Write`].

use serde::{Deserialize, Serialize};

use super::{AccessLevel, Actor, AgentFacts};
use crate::{AgentId, OrganisationId, ServiceId};

/// How much of an event a viewer gets. Ordered: `None < Busy < Read < Write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgendaLevel {
    /// Not shown at all.
    None,
    /// "Lecture sans détail": occupied from … to …, no usager, motif, context or notes (the lieu
    /// only for on-site motifs).
    Busy,
    /// "Lecture avec détail": everything, read-only.
    Read,
    /// "Écriture": create, move, cancel, change status.
    Write,
}

/// What the rules need to know about an event of an agenda.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    /// The RDV's or the plage's organisation.
    pub organisation_id: OrganisationId,
    /// The RDV's motif service, or the services of the plage's motifs.
    pub service_ids: &'a [ServiceId],
    /// The RDV's agents, or the plage's agent.
    pub agent_ids: &'a [AgentId],
}

/// Default level of `viewer` on an RDV or a plage (reference §2.2, §2.3): one of its agents,
/// an admin of its organisation, a secretary there: write. Another basic agent of the
/// organisation: busy (they see the agent is taken, not with whom). Anyone without a role in
/// the organisation: nothing. The reference's "same service: write" is a visible, revocable
/// grant made when an agent joins an organisation (seed 001, see `grants`), not a hidden rule.
pub fn event_level(viewer: &Actor, event: &EventFacts<'_>) -> AgendaLevel {
    if viewer.agent_id.is_some_and(|me| event.agent_ids.contains(&me)) {
        return AgendaLevel::Write;
    }
    match viewer.membership(event.organisation_id).map(|m| m.access_level) {
        Some(AccessLevel::Admin) => AgendaLevel::Write,
        Some(AccessLevel::Basic) if viewer.is_secretary => AgendaLevel::Write,
        Some(AccessLevel::Basic) => AgendaLevel::Busy,
        Some(AccessLevel::Intervenant) | None => AgendaLevel::None,
    }
}

/// Default level of `viewer` on an absence of `owner` (absences have no organisation and block
/// the agent everywhere): manageable by whoever "sees" the agent (reference §2.3, §2.5); shown
/// as busy to the other members of one of the owner's organisations.
pub fn absence_level(viewer: &Actor, owner: &AgentFacts) -> AgendaLevel {
    if super::can_see_agent(viewer, owner, None) {
        return AgendaLevel::Write;
    }
    if shares_organisation(viewer, owner) {
        AgendaLevel::Busy
    } else {
        AgendaLevel::None
    }
}

/// May `viewer` open `owner`'s agenda at all (the agent picker)? Themselves, or a colleague of
/// one of their organisations; what they then see is decided per event.
pub fn can_open_agenda(viewer: &Actor, owner: &AgentFacts) -> bool {
    (viewer.agent_id.is_some() && viewer.agent_id == owner.agent_id) || shares_organisation(viewer, owner)
}

fn shares_organisation(viewer: &Actor, owner: &AgentFacts) -> bool {
    viewer
        .memberships
        .iter()
        .any(|m| m.access_level != AccessLevel::Intervenant && owner.is_member_of(m.organisation_id))
}

/// Deleting an RDV: admins of its organisation only (reference §2.2).
pub fn can_delete_rdv(viewer: &Actor, org: OrganisationId) -> bool {
    viewer.is_admin_of(org)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Membership;
    use crate::TerritoryId;
    use AccessLevel::*;

    const MDS_A: OrganisationId = OrganisationId(1);
    const MDS_B: OrganisationId = OrganisationId(2);
    const PMI: ServiceId = ServiceId(1);
    const SOCIAL: ServiceId = ServiceId(2);
    const CPEF: ServiceId = ServiceId(3);

    fn agent(id: i32, roles: &[(OrganisationId, AccessLevel)], services: &[ServiceId]) -> AgentFacts {
        AgentFacts {
            agent_id: Some(AgentId(id)),
            memberships: roles
                .iter()
                .map(|&(o, l)| Membership { organisation_id: o, territory_id: TerritoryId(62), access_level: l })
                .collect(),
            service_ids: services.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn default_event_levels() {
        let owner = agent(1, &[(MDS_A, Basic)], &[PMI]);
        let pmi_colleague = agent(2, &[(MDS_A, Basic)], &[PMI]);
        let social_colleague = agent(3, &[(MDS_A, Basic)], &[SOCIAL]);
        let admin = agent(4, &[(MDS_A, Admin)], &[SOCIAL]);
        let secretary = AgentFacts { is_secretary: true, ..agent(5, &[(MDS_A, Basic)], &[]) };
        let other_org_pmi = agent(6, &[(MDS_B, Basic)], &[PMI]);
        let other_org_admin = agent(7, &[(MDS_B, Admin)], &[PMI]);
        let intervenant = agent(8, &[(MDS_A, Intervenant)], &[PMI]);
        let midwife = agent(9, &[(MDS_A, Basic)], &[PMI, CPEF]);
        let pmi_rdv = EventFacts { organisation_id: MDS_A, service_ids: &[PMI], agent_ids: &[AgentId(1)] };
        let cpef_rdv = EventFacts { organisation_id: MDS_A, service_ids: &[CPEF], agent_ids: &[AgentId(1)] };
        let shared_rdv =
            EventFacts { organisation_id: MDS_A, service_ids: &[SOCIAL], agent_ids: &[AgentId(1), AgentId(3)] };
        let cases: Vec<(&AgentFacts, EventFacts<'_>, AgendaLevel, &str)> = vec![
            (&owner, pmi_rdv, AgendaLevel::Write, "my own RDV"),
            (&owner, cpef_rdv, AgendaLevel::Write, "my own RDV, whatever its service"),
            (&pmi_colleague, pmi_rdv, AgendaLevel::Busy, "basic, same service: write comes from the join grant"),
            (&social_colleague, pmi_rdv, AgendaLevel::Busy, "basic, other service: busy"),
            (&social_colleague, shared_rdv, AgendaLevel::Write, "I am one of its agents"),
            (&admin, pmi_rdv, AgendaLevel::Write, "admin of the organisation"),
            (&secretary, cpef_rdv, AgendaLevel::Write, "secretariat"),
            (&other_org_pmi, pmi_rdv, AgendaLevel::None, "other organisation: nothing"),
            (&other_org_admin, pmi_rdv, AgendaLevel::None, "admin elsewhere: nothing"),
            (&intervenant, pmi_rdv, AgendaLevel::None, "intervenant: no agenda access"),
            (&midwife, cpef_rdv, AgendaLevel::Busy, "PMI and CPEF midwife (write by grant)"),
            (&pmi_colleague, cpef_rdv, AgendaLevel::Busy, "PMI agent on a CPEF RDV"),
        ];
        for (viewer, event, expected, why) in cases {
            assert_eq!(event_level(viewer, &event), expected, "{why}");
        }
    }

    #[test]
    fn plage_levels_by_default() {
        let social = agent(3, &[(MDS_A, Basic)], &[SOCIAL]);
        let owner = agent(1, &[(MDS_A, Basic)], &[PMI]);
        let admin = agent(4, &[(MDS_A, Admin)], &[]);
        let plage = EventFacts { organisation_id: MDS_A, service_ids: &[PMI, SOCIAL], agent_ids: &[AgentId(1)] };
        assert_eq!(event_level(&owner, &plage), AgendaLevel::Write, "own plage");
        assert_eq!(event_level(&admin, &plage), AgendaLevel::Write, "admin");
        assert_eq!(event_level(&social, &plage), AgendaLevel::Busy, "colleague: grants decide the rest");
        let elsewhere = EventFacts { organisation_id: MDS_B, ..plage };
        assert_eq!(event_level(&admin, &elsewhere), AgendaLevel::None, "not a member of that organisation");
    }

    #[test]
    fn absence_levels_and_agenda_opening() {
        let owner = agent(1, &[(MDS_A, Basic), (MDS_B, Basic)], &[PMI]);
        let colleague = agent(2, &[(MDS_A, Basic)], &[PMI]);
        let social = agent(3, &[(MDS_A, Basic)], &[SOCIAL]);
        let admin_b = agent(4, &[(MDS_B, Admin)], &[]);
        let stranger = agent(5, &[(OrganisationId(9), Admin)], &[PMI]);
        assert_eq!(absence_level(&owner, &owner), AgendaLevel::Write);
        assert_eq!(absence_level(&colleague, &owner), AgendaLevel::Write);
        assert_eq!(absence_level(&social, &owner), AgendaLevel::Busy);
        assert_eq!(absence_level(&admin_b, &owner), AgendaLevel::Write);
        assert_eq!(absence_level(&stranger, &owner), AgendaLevel::None);
        assert!(can_open_agenda(&owner, &owner));
        assert!(can_open_agenda(&social, &owner));
        assert!(!can_open_agenda(&stranger, &owner));
        assert!(can_delete_rdv(&admin_b, MDS_B) && !can_delete_rdv(&colleague, MDS_A));
    }

    #[test]
    fn levels_are_ordered() {
        assert!(AgendaLevel::None < AgendaLevel::Busy);
        assert!(AgendaLevel::Busy < AgendaLevel::Read);
        assert!(AgendaLevel::Read < AgendaLevel::Write);
    }
}
