//! Which RDVs of an organisation a viewer may read in detail, as a filter the database applies.
//!
//! Lists, exports and statistics cover up to a million RDVs: they cannot ask
//! [`Viewer::event_level`] RDV by RDV. [`readable_rdvs`] turns the same rules (defaults and
//! grants) into a [`ReadScope`] over the RDV's agents and motif service that a query can test, and
//! [`ReadScope::admits`] is that test in Rust; a property test below checks it agrees with
//! `event_level(…) >= Read` on every combination of a small universe.

use super::{AccessLevel, AgendaLevel, AgentFacts, TargetType, Viewer};
use crate::{AgentId, OrganisationId, ServiceId, TerritoryId};

/// The RDVs of one organisation a viewer may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// Every RDV of the organisation (its admins and secretariat).
    All,
    /// The RDVs matching at least one clause (none: nothing).
    Clauses(Vec<ScopeClause>),
}

/// RDVs with at least one of `agent_ids` among their agents, and (when set) a motif of
/// `motif_service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeClause {
    pub agent_ids: Vec<AgentId>,
    pub motif_service: Option<ServiceId>,
}

impl ReadScope {
    pub fn is_empty(&self) -> bool {
        matches!(self, ReadScope::Clauses(c) if c.is_empty())
    }

    /// Does the scope hold an RDV of a motif of `service` whose agents are `agents`?
    pub fn admits(&self, service: ServiceId, agents: &[AgentId]) -> bool {
        match self {
            ReadScope::All => true,
            ReadScope::Clauses(clauses) => clauses.iter().any(|c| {
                c.motif_service.is_none_or(|s| s == service) && agents.iter().any(|a| c.agent_ids.contains(a))
            }),
        }
    }
}

/// The RDVs of `org` that `viewer` reads in detail (level ≥ read), given the organisation's
/// members (`members`: their facts, as loaded for agenda questions). An agent named by a grant
/// outside any organisation is covered even when no longer a member (their past RDVs).
pub fn readable_rdvs(viewer: &Viewer, org: OrganisationId, members: &[AgentFacts]) -> ReadScope {
    let actor = &viewer.actor;
    match actor.membership(org).map(|m| m.access_level) {
        Some(AccessLevel::Admin) => return ReadScope::All,
        Some(AccessLevel::Basic) if actor.is_secretary => return ReadScope::All,
        _ => {}
    }
    let mut clauses: Vec<ScopeClause> = Vec::new();
    let mut add = |agents: Vec<AgentId>, motif_service: Option<ServiceId>| {
        if agents.is_empty() {
            return;
        }
        match clauses.iter_mut().find(|c| c.motif_service == motif_service) {
            Some(c) => {
                for a in agents {
                    if !c.agent_ids.contains(&a) {
                        c.agent_ids.push(a);
                    }
                }
            }
            None => clauses.push(ScopeClause { agent_ids: agents, motif_service }),
        }
    };
    // One's own RDVs, whatever the role (an intervenant included).
    if let Some(me) = actor.agent_id {
        add(vec![me], None);
    }
    for g in &viewer.grants {
        if g.level < AgendaLevel::Read || !super::grantee_includes(&g.grantee, actor, &viewer.team_ids) {
            continue;
        }
        let t = g.target;
        let agents: Vec<AgentId> = match t.kind {
            // Without an organisation the grant follows the agent everywhere, member or not.
            TargetType::Agent if t.organisation_id.is_none() => vec![AgentId(t.id)],
            _ => members.iter().filter(|m| super::target_covers(&t, m, Some(org))).filter_map(|m| m.agent_id).collect(),
        };
        add(agents, g.motif_service_id);
    }
    // A clause for any service makes the same agents' service-restricted clauses redundant.
    let any: Vec<AgentId> =
        clauses.iter().filter(|c| c.motif_service.is_none()).flat_map(|c| c.agent_ids.clone()).collect();
    for c in clauses.iter_mut().filter(|c| c.motif_service.is_some()) {
        c.agent_ids.retain(|a| !any.contains(a));
    }
    clauses.retain(|c| !c.agent_ids.is_empty());
    for c in &mut clauses {
        c.agent_ids.sort();
    }
    ReadScope::Clauses(clauses)
}

/// May `actor` list, export or count the RDVs of `org` (in `territory`)? Its members (not
/// intervenants, who have no login) and the territory's admins; rows stay those of
/// [`readable_rdvs`].
pub fn can_search_organisation(actor: &AgentFacts, org: OrganisationId, territory: TerritoryId) -> bool {
    actor.membership(org).is_some_and(|m| m.access_level != AccessLevel::Intervenant)
        || actor.territorial_admin_of.contains(&territory)
}

/// Territory statistics count every RDV of the territory's organisations, without personal
/// data (the public page's figures, per organisation and motif): for its territorial admins,
/// who answer for the département's activity (issue 17), even where they have no role.
pub fn can_see_territory_stats(actor: &AgentFacts, territory: TerritoryId) -> bool {
    actor.territorial_admin_of.contains(&territory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{EventFacts, GrantRule, GrantTarget, Grantee, GranteeType, Membership};
    use crate::TerritoryId;

    const ORG: OrganisationId = OrganisationId(1);
    const OTHER: OrganisationId = OrganisationId(2);
    const PMI: ServiceId = ServiceId(1);
    const CPEF: ServiceId = ServiceId(2);

    fn agent(id: i32, orgs: &[(OrganisationId, AccessLevel)], services: &[ServiceId]) -> AgentFacts {
        AgentFacts {
            agent_id: Some(AgentId(id)),
            memberships: orgs
                .iter()
                .map(|(o, l)| Membership { organisation_id: *o, territory_id: TerritoryId(1), access_level: *l })
                .collect(),
            service_ids: services.to_vec(),
            ..AgentFacts::default()
        }
    }

    fn grant(target: GrantTarget, level: AgendaLevel, motif_service_id: Option<ServiceId>) -> GrantRule {
        GrantRule {
            grantee: Grantee { kind: GranteeType::Agent, id: 10, organisation_id: None },
            target,
            level,
            motif_service_id,
        }
    }

    fn viewer(actor: AgentFacts, grants: Vec<GrantRule>) -> Viewer {
        Viewer { actor, team_ids: Vec::new(), grants }
    }

    fn members() -> Vec<AgentFacts> {
        vec![
            agent(1, &[(ORG, AccessLevel::Basic)], &[PMI]),
            agent(2, &[(ORG, AccessLevel::Basic)], &[CPEF]),
            agent(3, &[(ORG, AccessLevel::Basic), (OTHER, AccessLevel::Basic)], &[PMI]),
            agent(4, &[(OTHER, AccessLevel::Basic)], &[PMI]),
        ]
    }

    #[test]
    fn defaults_and_grants_give_their_scopes() {
        use AccessLevel::*;
        let me = |level: AccessLevel| agent(10, &[(ORG, level)], &[PMI]);
        let secretary = AgentFacts { is_secretary: true, ..me(Basic) };
        let org_target = GrantTarget { kind: TargetType::Organisation, id: 1, organisation_id: None };
        let service_target = GrantTarget { kind: TargetType::Service, id: 1, organisation_id: Some(ORG) };
        let agent_target = |id, org| GrantTarget { kind: TargetType::Agent, id, organisation_id: org };
        let own = ScopeClause { agent_ids: vec![AgentId(10)], motif_service: None };
        let cases: Vec<(&str, Viewer, ReadScope)> = vec![
            ("admin: all", viewer(me(Admin), vec![]), ReadScope::All),
            ("secretary: all", viewer(secretary, vec![]), ReadScope::All),
            ("basic, no grant: own", viewer(me(Basic), vec![]), ReadScope::Clauses(vec![own.clone()])),
            ("intervenant: own", viewer(me(Intervenant), vec![]), ReadScope::Clauses(vec![own.clone()])),
            (
                "not a member: own (an RDV someone put them on)",
                viewer(agent(10, &[(OTHER, Admin)], &[]), vec![]),
                ReadScope::Clauses(vec![own.clone()]),
            ),
            (
                "busy grant: own only",
                viewer(me(Basic), vec![grant(org_target, AgendaLevel::Busy, None)]),
                ReadScope::Clauses(vec![own.clone()]),
            ),
            (
                "read grant on the organisation: its members",
                viewer(me(Basic), vec![grant(org_target, AgendaLevel::Read, None)]),
                ReadScope::Clauses(vec![ScopeClause {
                    agent_ids: vec![AgentId(1), AgentId(2), AgentId(3), AgentId(10)],
                    motif_service: None,
                }]),
            ),
            (
                "service grant restricted to PMI motifs",
                viewer(me(Basic), vec![grant(service_target, AgendaLevel::Write, Some(PMI))]),
                ReadScope::Clauses(vec![
                    own.clone(),
                    ScopeClause { agent_ids: vec![AgentId(1), AgentId(3)], motif_service: Some(PMI) },
                ]),
            ),
            (
                "agent grant outside any organisation follows a former member",
                viewer(me(Basic), vec![grant(agent_target(4, None), AgendaLevel::Read, None)]),
                ReadScope::Clauses(vec![ScopeClause { agent_ids: vec![AgentId(4), AgentId(10)], motif_service: None }]),
            ),
            (
                "agent grant within another organisation: nothing here",
                viewer(me(Basic), vec![grant(agent_target(3, Some(OTHER)), AgendaLevel::Read, None)]),
                ReadScope::Clauses(vec![own.clone()]),
            ),
        ];
        for (name, v, expected) in cases {
            assert_eq!(readable_rdvs(&v, ORG, &members()), expected, "{name}");
        }
    }

    #[test]
    fn who_may_search_an_organisation() {
        use AccessLevel::*;
        let t = TerritoryId(1);
        let territorial = AgentFacts { territorial_admin_of: vec![t], ..agent(10, &[], &[]) };
        let cases = [
            ("admin", agent(10, &[(ORG, Admin)], &[]), true, false),
            ("basic", agent(10, &[(ORG, Basic)], &[]), true, false),
            ("intervenant", agent(10, &[(ORG, Intervenant)], &[]), false, false),
            ("another organisation", agent(10, &[(OTHER, Admin)], &[]), false, false),
            ("territorial admin", territorial, true, true),
        ];
        for (name, actor, search, territory) in cases {
            assert_eq!(can_search_organisation(&actor, ORG, t), search, "{name}");
            assert_eq!(can_see_territory_stats(&actor, t), territory, "{name}");
            assert!(!can_see_territory_stats(&actor, TerritoryId(2)), "{name}");
        }
    }

    /// Every viewer role × grant × RDV (motif service, agents) of a small universe: the scope
    /// admits exactly the RDVs `event_level` gives at least read.
    #[test]
    fn the_scope_agrees_with_event_level() {
        use AccessLevel::*;
        let members = members();
        let mut targets = vec![
            GrantTarget { kind: TargetType::Organisation, id: 1, organisation_id: None },
            GrantTarget { kind: TargetType::Organisation, id: 2, organisation_id: None },
            GrantTarget { kind: TargetType::Service, id: 1, organisation_id: Some(ORG) },
            GrantTarget { kind: TargetType::Service, id: 2, organisation_id: Some(OTHER) },
        ];
        for id in 1..=4 {
            for org in [None, Some(ORG), Some(OTHER)] {
                targets.push(GrantTarget { kind: TargetType::Agent, id, organisation_id: org });
            }
        }
        let levels = [AgendaLevel::Busy, AgendaLevel::Read, AgendaLevel::Write];
        let mut grants: Vec<Option<GrantRule>> = vec![None];
        for t in &targets {
            for l in levels {
                for s in [None, Some(PMI), Some(CPEF)] {
                    grants.push(Some(grant(*t, l, s)));
                }
            }
        }
        let actors = [
            agent(10, &[(ORG, Admin)], &[PMI]),
            agent(10, &[(ORG, Basic)], &[PMI]),
            AgentFacts { is_secretary: true, ..agent(10, &[(ORG, Basic)], &[]) },
            agent(10, &[(ORG, Intervenant)], &[]),
            agent(10, &[(OTHER, Admin)], &[CPEF]),
        ];
        let everyone: Vec<AgentFacts> = members.iter().cloned().chain([actors[1].clone()]).collect();
        let agent_sets: Vec<Vec<usize>> = vec![vec![0], vec![1], vec![2], vec![3], vec![4], vec![0, 1], vec![1, 3]];
        let mut checked = 0;
        for actor in &actors {
            for g in &grants {
                let v = viewer(actor.clone(), g.iter().copied().collect());
                let scope = readable_rdvs(&v, ORG, &members);
                for service in [PMI, CPEF] {
                    for set in &agent_sets {
                        let owners: Vec<&AgentFacts> = set.iter().map(|i| &everyone[*i]).collect();
                        let ids: Vec<AgentId> = owners.iter().filter_map(|o| o.agent_id).collect();
                        let event = EventFacts { organisation_id: ORG, service_ids: &[service], agent_ids: &ids };
                        let expected = v.event_level(&event, &owners) >= AgendaLevel::Read;
                        assert_eq!(scope.admits(service, &ids), expected, "{actor:?} {g:?} {service:?} {ids:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked} cases");
    }
}
