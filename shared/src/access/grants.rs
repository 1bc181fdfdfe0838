//! Agenda access grants (issue 6, seed 001: "lecture sans détail, lecture avec détail et
//! écriture"): who (an agent, a team, the agents of a service — optionally within one
//! organisation) may see or write which agendas (an agent's, a service's in an organisation, a
//! whole organisation's), at which level, optionally only for the events of one service's
//! motifs. The effective level is the highest of the default rules ([`super::event_level`],
//! [`super::absence_level`]) and the grants that apply.

use serde::{Deserialize, Serialize};

use super::{Actor, AgendaLevel, AgentFacts, EventFacts};
use crate::{OrganisationId, ServiceId};

/// Who receives a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GranteeType {
    Agent,
    Team,
    /// The agents of a service (within `organisation_id` when set: members of that organisation).
    Service,
}

/// Which agendas a grant opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetType {
    /// One agent's agenda (in `organisation_id` only when set).
    Agent,
    /// The agendas of a service's agents in `organisation_id` (required).
    Service,
    /// Every agenda of an organisation (`id`; `organisation_id` is ignored).
    Organisation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Grantee {
    #[serde(rename = "type")]
    pub kind: GranteeType,
    pub id: i32,
    #[serde(default)]
    pub organisation_id: Option<OrganisationId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GrantTarget {
    #[serde(rename = "type")]
    pub kind: TargetType,
    pub id: i32,
    #[serde(default)]
    pub organisation_id: Option<OrganisationId>,
}

/// One grant, as stored and exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GrantRule {
    pub grantee: Grantee,
    pub target: GrantTarget,
    /// `busy`, `read` or `write` (`none` is refused on write).
    pub level: AgendaLevel,
    /// Only the events of motifs of this service (the PMI / CPEF example of seed 001).
    #[serde(default)]
    pub motif_service_id: Option<ServiceId>,
}

/// Does the grant's grantee include `viewer` (whose teams are `viewer_teams`)?
pub fn grantee_includes(g: &Grantee, viewer: &Actor, viewer_teams: &[i32]) -> bool {
    match g.kind {
        GranteeType::Agent => viewer.agent_id.is_some_and(|a| a.0 == g.id),
        GranteeType::Team => viewer_teams.contains(&g.id),
        GranteeType::Service => {
            viewer.service_ids.contains(&ServiceId(g.id)) && g.organisation_id.is_none_or(|o| viewer.is_member_of(o))
        }
    }
}

/// Does the target cover `owner`'s agenda for an event of `event_org` (`None`: an absence,
/// which belongs to every organisation of its agent)?
pub fn target_covers(t: &GrantTarget, owner: &AgentFacts, event_org: Option<OrganisationId>) -> bool {
    let in_org = |o: OrganisationId| owner.is_member_of(o) && event_org.is_none_or(|e| e == o);
    match t.kind {
        TargetType::Agent => owner.agent_id.is_some_and(|a| a.0 == t.id) && t.organisation_id.is_none_or(in_org),
        TargetType::Service => owner.service_ids.contains(&ServiceId(t.id)) && t.organisation_id.is_some_and(in_org),
        TargetType::Organisation => in_org(OrganisationId(t.id)),
    }
}

/// The highest level the grants give `viewer` on an event of `owner`'s agenda; `event_services`
/// are the event's motif services (empty for an absence, which restricted grants do not open).
pub fn granted_level(
    grants: &[GrantRule],
    viewer: &Actor,
    viewer_teams: &[i32],
    owner: &AgentFacts,
    event_org: Option<OrganisationId>,
    event_services: &[ServiceId],
) -> AgendaLevel {
    grants
        .iter()
        .filter(|g| g.motif_service_id.is_none_or(|s| event_services.contains(&s)))
        .filter(|g| grantee_includes(&g.grantee, viewer, viewer_teams))
        .filter(|g| target_covers(&g.target, owner, event_org))
        .map(|g| g.level)
        .max()
        .unwrap_or(AgendaLevel::None)
}

/// May `actor` create or delete a grant opening agendas of `covered` organisations (with their
/// territories)? Each must be one the actor administers, or in a territory where the actor
/// manages access rights (territorial admins included). Nothing covered: no.
pub fn can_manage_grant(actor: &Actor, covered: &[(OrganisationId, crate::TerritoryId)]) -> bool {
    !covered.is_empty()
        && covered.iter().all(|(o, t)| actor.is_admin_of(*o) || super::can_manage_access_rights(actor, *t))
}

/// What the viewer brings to every level question: their facts, teams and the grants naming
/// them (or their teams / services).
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub actor: Actor,
    pub team_ids: Vec<i32>,
    pub grants: Vec<GrantRule>,
}

impl Viewer {
    /// Effective level on an RDV or a plage whose agents are `owners`.
    pub fn event_level(&self, event: &EventFacts<'_>, owners: &[&AgentFacts]) -> AgendaLevel {
        let default = super::event_level(&self.actor, event);
        owners
            .iter()
            .map(|o| {
                granted_level(
                    &self.grants,
                    &self.actor,
                    &self.team_ids,
                    o,
                    Some(event.organisation_id),
                    event.service_ids,
                )
            })
            .fold(default, Ord::max)
    }

    /// Effective level on an absence of `owner`.
    pub fn absence_level(&self, owner: &AgentFacts) -> AgendaLevel {
        super::absence_level(&self.actor, owner).max(granted_level(
            &self.grants,
            &self.actor,
            &self.team_ids,
            owner,
            None,
            &[],
        ))
    }

    /// May the viewer open `owner`'s agenda (default rule, or any grant covering it)?
    pub fn can_open(&self, owner: &AgentFacts) -> bool {
        super::can_open_agenda(&self.actor, owner)
            || self.grants.iter().any(|g| {
                grantee_includes(&g.grantee, &self.actor, &self.team_ids) && target_covers(&g.target, owner, None)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessLevel, Membership};
    use crate::{AgentId, TerritoryId};
    use AgendaLevel::{Busy, Read, Write};
    const NOTHING: AgendaLevel = AgendaLevel::None;

    const MDS: OrganisationId = OrganisationId(1);
    const CENTRE: OrganisationId = OrganisationId(2);
    const THIRD: OrganisationId = OrganisationId(3);
    const OTHER_TERRITORY_ORG: OrganisationId = OrganisationId(9);
    const PMI: ServiceId = ServiceId(1);
    const CPEF: ServiceId = ServiceId(3);
    const SOCIAL: ServiceId = ServiceId(2);

    fn agent(id: i32, roles: &[(OrganisationId, AccessLevel)], services: &[ServiceId]) -> AgentFacts {
        AgentFacts {
            agent_id: Some(AgentId(id)),
            memberships: roles
                .iter()
                .map(|&(o, l)| Membership {
                    organisation_id: o,
                    territory_id: TerritoryId(if o == OTHER_TERRITORY_ORG { 59 } else { 62 }),
                    access_level: l,
                })
                .collect(),
            service_ids: services.to_vec(),
            ..Default::default()
        }
    }

    fn grant(
        grantee: (GranteeType, i32, Option<OrganisationId>),
        target: (TargetType, i32, Option<OrganisationId>),
        level: AgendaLevel,
        motif: Option<ServiceId>,
    ) -> GrantRule {
        GrantRule {
            grantee: Grantee { kind: grantee.0, id: grantee.1, organisation_id: grantee.2 },
            target: GrantTarget { kind: target.0, id: target.1, organisation_id: target.2 },
            level,
            motif_service_id: motif,
        }
    }

    fn viewer(actor: AgentFacts, teams: &[i32], grants: &[GrantRule]) -> Viewer {
        Viewer { actor, team_ids: teams.to_vec(), grants: grants.to_vec() }
    }

    /// Seed 001, word for word: "Pour les RDV de PMI: accès lecture sans détail pour les agents
    /// du CPEF, accès lecture avec détail pour les agents de PMI. Pour les RDV de CPEF: accès
    /// lecture avec détail pour les agents du CPEF, accès lecture sans détail pour les agents de
    /// PMI" — on the agenda of a midwife doing PMI and CPEF ("cas sage-femme qui fait PMI et
    /// CPEF (2 organisations)").
    #[test]
    fn seed_001_pmi_cpef_example() {
        let midwife = agent(10, &[(MDS, AccessLevel::Basic), (CENTRE, AccessLevel::Basic)], &[PMI, CPEF]);
        let grants = [
            grant((GranteeType::Service, CPEF.0, None), (TargetType::Agent, 10, None), Busy, Some(PMI)),
            grant((GranteeType::Service, PMI.0, None), (TargetType::Agent, 10, None), Read, Some(PMI)),
            grant((GranteeType::Service, CPEF.0, None), (TargetType::Agent, 10, None), Read, Some(CPEF)),
            grant((GranteeType::Service, PMI.0, None), (TargetType::Agent, 10, None), Busy, Some(CPEF)),
        ];
        // Agents of a third organisation: no default access to the midwife's agenda at all.
        let cpef_agent = viewer(agent(20, &[(THIRD, AccessLevel::Basic)], &[CPEF]), &[], &grants);
        let pmi_agent = viewer(agent(21, &[(THIRD, AccessLevel::Basic)], &[PMI]), &[], &grants);
        let social_agent = viewer(agent(22, &[(THIRD, AccessLevel::Basic)], &[SOCIAL]), &[], &grants);
        let pmi_rdv = EventFacts { organisation_id: MDS, service_ids: &[PMI], agent_ids: &[AgentId(10)] };
        let cpef_rdv = EventFacts { organisation_id: MDS, service_ids: &[CPEF], agent_ids: &[AgentId(10)] };
        let owners = [&midwife];
        let cases: Vec<(&Viewer, &EventFacts<'_>, AgendaLevel, &str)> = vec![
            (&cpef_agent, &pmi_rdv, Busy, "PMI RDV, CPEF agent: lecture sans détail"),
            (&pmi_agent, &pmi_rdv, Read, "PMI RDV, PMI agent: lecture avec détail"),
            (&cpef_agent, &cpef_rdv, Read, "CPEF RDV, CPEF agent: lecture avec détail"),
            (&pmi_agent, &cpef_rdv, Busy, "CPEF RDV, PMI agent: lecture sans détail"),
            (&social_agent, &pmi_rdv, NOTHING, "no grant for the social service"),
        ];
        for (v, e, expected, why) in cases {
            assert_eq!(v.event_level(e, &owners), expected, "{why}");
        }
        assert!(cpef_agent.can_open(&midwife), "the grant opens the agenda across organisations");
        assert!(!social_agent.can_open(&midwife));
        assert_eq!(cpef_agent.absence_level(&midwife), NOTHING, "restricted grants do not open absences");
    }

    /// Seed 001: "au moment où on ouvre un accès à une organisation pour un agent, [...] accès en
    /// écriture aux agendas des autres agents de cette organisation et du même service".
    #[test]
    fn join_grant_gives_write_on_same_service_agendas_of_that_organisation() {
        let newcomer_facts = agent(30, &[(MDS, AccessLevel::Basic)], &[PMI]);
        let join = grant((GranteeType::Agent, 30, None), (TargetType::Service, PMI.0, Some(MDS)), Write, None);
        let newcomer = viewer(newcomer_facts, &[], &[join]);
        let pmi_colleague = agent(31, &[(MDS, AccessLevel::Basic)], &[PMI]);
        let pmi_elsewhere = agent(32, &[(CENTRE, AccessLevel::Basic)], &[PMI]);
        let social_colleague = agent(33, &[(MDS, AccessLevel::Basic)], &[SOCIAL]);
        let rdv = |org| EventFacts { organisation_id: org, service_ids: &[PMI], agent_ids: &[] };
        assert_eq!(newcomer.event_level(&rdv(MDS), &[&pmi_colleague]), Write);
        assert_eq!(newcomer.event_level(&rdv(CENTRE), &[&pmi_elsewhere]), NOTHING, "other organisation");
        assert_eq!(
            newcomer.event_level(&rdv(MDS), &[&social_colleague]),
            Busy,
            "another service's agent: default busy"
        );
        let without = viewer(agent(30, &[(MDS, AccessLevel::Basic)], &[PMI]), &[], &[]);
        assert_eq!(without.event_level(&rdv(MDS), &[&pmi_colleague]), Busy, "revoking the join grant takes write away");
        assert_eq!(newcomer.absence_level(&pmi_colleague), Write);
    }

    #[test]
    fn grantee_and_target_table() {
        let teams = [7];
        let me = agent(40, &[(MDS, AccessLevel::Basic)], &[SOCIAL]);
        let owner = agent(41, &[(MDS, AccessLevel::Basic), (CENTRE, AccessLevel::Basic)], &[PMI]);
        // (grantee, target, event org, applies?, why)
        type Case = (
            (GranteeType, i32, Option<OrganisationId>),
            (TargetType, i32, Option<OrganisationId>),
            Option<OrganisationId>,
            bool,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            ((GranteeType::Agent, 40, None), (TargetType::Agent, 41, None), Some(MDS), true, "agent → agent"),
            ((GranteeType::Agent, 99, None), (TargetType::Agent, 41, None), Some(MDS), false, "another grantee"),
            ((GranteeType::Team, 7, None), (TargetType::Agent, 41, None), Some(CENTRE), true, "my team"),
            ((GranteeType::Team, 8, None), (TargetType::Agent, 41, None), Some(CENTRE), false, "not my team"),
            (
                (GranteeType::Service, SOCIAL.0, Some(MDS)),
                (TargetType::Agent, 41, None),
                Some(MDS),
                true,
                "my service in my org",
            ),
            (
                (GranteeType::Service, SOCIAL.0, Some(CENTRE)),
                (TargetType::Agent, 41, None),
                Some(MDS),
                false,
                "my service, but I am not in that org",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Agent, 41, Some(CENTRE)),
                Some(MDS),
                false,
                "agenda in the other org only",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Service, PMI.0, Some(CENTRE)),
                Some(CENTRE),
                true,
                "service agendas of that org",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Service, CPEF.0, Some(CENTRE)),
                Some(CENTRE),
                false,
                "owner not of that service",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Service, PMI.0, None),
                Some(CENTRE),
                false,
                "service target needs an org",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Organisation, MDS.0, None),
                Some(MDS),
                true,
                "whole organisation",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Organisation, MDS.0, None),
                Some(CENTRE),
                false,
                "event of another org",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Organisation, MDS.0, None),
                None,
                true,
                "absence of a member",
            ),
            (
                (GranteeType::Agent, 40, None),
                (TargetType::Organisation, OTHER_TERRITORY_ORG.0, None),
                None,
                false,
                "owner not a member",
            ),
        ];
        for (ge, ta, event_org, applies, why) in cases {
            let g = grant(ge, ta, Read, None);
            let got = granted_level(&[g], &me, &teams, &owner, event_org, &[PMI]);
            assert_eq!(got == Read, applies, "{why}");
        }
    }

    /// Seed 002, "décloisonner les services": "un agent pourrait voir (détail ou pas) l'agenda
    /// d'un autre agent (peu importe le service)", "un agent pourrait poser un rendez-vous pour un
    /// motif d'un autre service", a telephone platform booking into other organisations' agendas,
    /// and non-admin agents reaching the secretariat's agendas.
    #[test]
    fn seed_002_examples() {
        let social = agent(70, &[(MDS, AccessLevel::Basic)], &[SOCIAL]);
        let pmi_owner = agent(71, &[(MDS, AccessLevel::Basic)], &[PMI]);
        let platform = agent(72, &[(THIRD, AccessLevel::Basic)], &[SOCIAL]);
        let secretary_owner = AgentFacts { is_secretary: true, ..agent(73, &[(MDS, AccessLevel::Basic)], &[]) };
        let pmi_rdv = EventFacts { organisation_id: MDS, service_ids: &[PMI], agent_ids: &[AgentId(71)] };
        let secretariat_event = EventFacts { organisation_id: MDS, service_ids: &[SOCIAL], agent_ids: &[AgentId(73)] };
        let see_with_details = grant((GranteeType::Agent, 70, None), (TargetType::Agent, 71, None), Read, None);
        let book_other_service = grant((GranteeType::Agent, 70, None), (TargetType::Agent, 71, None), Write, None);
        let platform_org = grant((GranteeType::Team, 5, None), (TargetType::Organisation, MDS.0, None), Write, None);
        let reach_secretariat =
            grant((GranteeType::Service, SOCIAL.0, Some(MDS)), (TargetType::Agent, 73, None), Read, None);
        type Case<'a> = (Viewer, &'a EventFacts<'a>, &'a AgentFacts, AgendaLevel, &'static str);
        let cases: Vec<Case<'_>> = vec![
            (viewer(social.clone(), &[], &[]), &pmi_rdv, &pmi_owner, Busy, "default: another service's agenda, busy"),
            (
                viewer(social.clone(), &[], &[see_with_details]),
                &pmi_rdv,
                &pmi_owner,
                Read,
                "voir l'agenda d'un autre service, avec détail",
            ),
            (
                viewer(social.clone(), &[], &[book_other_service]),
                &pmi_rdv,
                &pmi_owner,
                Write,
                "poser un RDV pour un motif d'un autre service",
            ),
            (
                viewer(platform.clone(), &[5], &[]),
                &pmi_rdv,
                &pmi_owner,
                NOTHING,
                "platform of another organisation: nothing by default",
            ),
            (
                viewer(platform, &[5], &[platform_org]),
                &pmi_rdv,
                &pmi_owner,
                Write,
                "plateforme téléphonique: the team books into the MDS",
            ),
            (
                viewer(social.clone(), &[], &[]),
                &secretariat_event,
                &secretary_owner,
                Busy,
                "secretariat agenda: busy by default",
            ),
            (
                viewer(social, &[], &[reach_secretariat]),
                &secretariat_event,
                &secretary_owner,
                Read,
                "non-admins reaching the secretariat's agenda",
            ),
        ];
        for (v, e, owner, expected, why) in cases {
            assert_eq!(v.event_level(e, &[owner]), expected, "{why}");
        }
    }

    #[test]
    fn who_manages_grants() {
        use crate::TerritoryId;
        let t62 = TerritoryId(62);
        let admin_mds = agent(60, &[(MDS, AccessLevel::Admin)], &[]);
        let basic = agent(61, &[(MDS, AccessLevel::Basic)], &[PMI]);
        let rights = AgentFacts { may_manage_rights_in: vec![t62], ..agent(62, &[(CENTRE, AccessLevel::Basic)], &[]) };
        let territorial = AgentFacts { territorial_admin_of: vec![t62], ..agent(63, &[], &[]) };
        type Case<'a> = (&'a AgentFacts, Vec<(OrganisationId, TerritoryId)>, bool, &'static str);
        let cases: Vec<Case<'_>> = vec![
            (&admin_mds, vec![(MDS, t62)], true, "admin of the organisation of the agendas"),
            (&admin_mds, vec![(MDS, t62), (CENTRE, t62)], false, "an agent of two organisations: both must be managed"),
            (&basic, vec![(MDS, t62)], false, "basic agent"),
            (&rights, vec![(MDS, t62), (CENTRE, t62)], true, "'manage access rights' across the territory"),
            (&rights, vec![(OTHER_TERRITORY_ORG, TerritoryId(59))], false, "not in another territory"),
            (&territorial, vec![(MDS, t62)], true, "territorial admin"),
            (&admin_mds, vec![], false, "nothing covered"),
        ];
        for (actor, covered, expected, why) in cases {
            assert_eq!(can_manage_grant(actor, &covered), expected, "{why}");
        }
    }

    #[test]
    fn effective_level_is_the_highest_and_defaults_stay() {
        let admin = agent(50, &[(MDS, AccessLevel::Admin)], &[]);
        let owner = agent(51, &[(MDS, AccessLevel::Basic)], &[PMI]);
        let busy_grant = grant((GranteeType::Agent, 50, None), (TargetType::Agent, 51, None), Busy, None);
        let v = viewer(admin, &[], &[busy_grant]);
        let e = EventFacts { organisation_id: MDS, service_ids: &[PMI], agent_ids: &[AgentId(51)] };
        assert_eq!(v.event_level(&e, &[&owner]), Write, "a lower grant never lowers the default");
        let two = [
            grant((GranteeType::Agent, 52, None), (TargetType::Agent, 51, None), Busy, None),
            grant((GranteeType::Team, 3, None), (TargetType::Agent, 51, None), Write, None),
        ];
        let stranger = viewer(agent(52, &[(OTHER_TERRITORY_ORG, AccessLevel::Basic)], &[]), &[3], &two);
        assert_eq!(stranger.event_level(&e, &[&owner]), Write, "highest of the grants");
    }
}
