//! Usager access (reference-domain.md §2.6, reference-api-v1.md §1.4).
//!
//! A usager belongs to organisations through its profiles. An agent sees usagers with a profile
//! in the *scope*: the current organisation (or all of its territory when the territory shares
//! usagers, `visible_users_throughout_the_territory`), else all the agent's organisations (each
//! widened to its territory under the same flag). Usagers of other organisations of the agent's
//! territories are found by search only in masked form, and can be attached.

use super::{AccessLevel, Actor, AgentFacts};
use crate::{OrganisationId, TerritoryId};

/// An organisation as usager scoping needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgScope {
    pub organisation_id: OrganisationId,
    pub territory_id: TerritoryId,
    /// The territory's `visible_users_throughout_the_territory`.
    pub users_shared_in_territory: bool,
}

/// Organisations whose usagers the actor sees in full. `orgs` must hold every organisation of
/// the actor's territories. A `current` organisation the actor is not a member of is ignored
/// (the reference's silent fallback).
pub fn usager_scope(actor: &Actor, current: Option<OrganisationId>, orgs: &[OrgScope]) -> Vec<OrganisationId> {
    let member_orgs: Vec<OrganisationId> = actor
        .memberships
        .iter()
        .filter(|m| m.access_level != AccessLevel::Intervenant)
        .map(|m| m.organisation_id)
        .collect();
    let roots: Vec<OrganisationId> = match current {
        Some(c) if member_orgs.contains(&c) => vec![c],
        _ => member_orgs,
    };
    let mut scope: Vec<OrganisationId> = Vec::new();
    for root in roots {
        match orgs.iter().find(|o| o.organisation_id == root) {
            Some(o) if o.users_shared_in_territory => {
                scope.extend(orgs.iter().filter(|x| x.territory_id == o.territory_id).map(|x| x.organisation_id))
            }
            _ => scope.push(root),
        }
    }
    scope.sort();
    scope.dedup();
    scope
}

/// Organisations where the actor may find usagers in masked form: every organisation of the
/// territories where the actor has a role (reference §2.6 "Usagers des autres organisations").
pub fn usager_masked_scope(actor: &Actor, orgs: &[OrgScope]) -> Vec<OrganisationId> {
    let territories = actor_territories(actor);
    orgs.iter().filter(|o| territories.contains(&o.territory_id)).map(|o| o.organisation_id).collect()
}

fn actor_territories(actor: &Actor) -> Vec<TerritoryId> {
    actor.memberships.iter().filter(|m| m.access_level != AccessLevel::Intervenant).map(|m| m.territory_id).collect()
}

/// Show, edit, invite, merge: the usager has a profile in the scope.
pub fn can_see_usager(scope: &[OrganisationId], usager_orgs: &[OrganisationId]) -> bool {
    usager_orgs.iter().any(|o| scope.contains(o))
}

/// Attach a usager to `org` (profile creation, "ajouter à mon organisation"): the organisation
/// is in a territory where the actor has a role (reference P1).
pub fn can_attach_usager(actor: &Actor, org_territory: TerritoryId) -> bool {
    actor_territories(actor).contains(&org_territory)
}

/// Create usagers in `org`: members of it. (The reference let anyone create usagers in any
/// organisation through the API; we require the agent to belong to one of them.)
pub fn can_create_usager_in(actor: &Actor, org: OrganisationId) -> bool {
    actor.membership(org).is_some_and(|m| m.access_level != AccessLevel::Intervenant)
}

/// Remove a usager from `org` (reference P2): members of that organisation.
pub fn can_detach_usager(actor: &Actor, org: OrganisationId) -> bool {
    can_create_usager_in(actor, org)
}

/// Assign or remove a referent (reference R1/R2): the referent shares a territory with the
/// actor, and the usager shares an organisation with the actor.
pub fn can_assign_referent(actor: &Actor, referent: &AgentFacts, usager_orgs: &[OrganisationId]) -> bool {
    let territories = actor_territories(actor);
    referent.memberships.iter().any(|m| territories.contains(&m.territory_id))
        && usager_orgs.iter().any(|o| can_create_usager_in(actor, *o))
}

/// History (audit versions) and the RGPD export of a usager: admins of one of its
/// organisations (reference §2.6: history is for admins only).
pub fn can_audit_usager(actor: &Actor, usager_orgs: &[OrganisationId]) -> bool {
    usager_orgs.iter().any(|o| actor.is_admin_of(*o))
}

/// A read of a usager's record by an agent who is in none of the usager's organisations (it
/// sees the usager through its territory's shared visibility, or as territorial admin): such
/// reads are logged and shown to the usager's organisations' admins (issue 18, seed 001).
pub fn is_cross_organisation_read(actor: &Actor, usager_orgs: &[OrganisationId]) -> bool {
    !usager_orgs.iter().any(|o| actor.is_member_of(*o))
}

/// Bulk import into `org`: its admins (one file can create thousands of records).
pub fn can_import_usagers(actor: &Actor, org: OrganisationId) -> bool {
    actor.is_admin_of(org)
}

#[cfg(test)]
mod tests {
    use super::super::Membership;
    use super::*;
    use crate::AgentId;

    const A: OrganisationId = OrganisationId(1); // T62, shared
    const B: OrganisationId = OrganisationId(2); // T62, shared
    const C: OrganisationId = OrganisationId(3); // T59, not shared
    const D: OrganisationId = OrganisationId(4); // T59, not shared
    const E: OrganisationId = OrganisationId(5); // T75, other territory
    const T62: TerritoryId = TerritoryId(62);
    const T59: TerritoryId = TerritoryId(59);
    const T75: TerritoryId = TerritoryId(75);

    fn orgs() -> Vec<OrgScope> {
        let o = |id, t, shared| OrgScope { organisation_id: id, territory_id: t, users_shared_in_territory: shared };
        vec![o(A, T62, true), o(B, T62, true), o(C, T59, false), o(D, T59, false), o(E, T75, false)]
    }

    fn agent(memberships: &[(OrganisationId, AccessLevel)]) -> Actor {
        let territory = |o: OrganisationId| orgs().iter().find(|x| x.organisation_id == o).map(|x| x.territory_id);
        Actor {
            agent_id: Some(AgentId(1)),
            memberships: memberships
                .iter()
                .map(|(o, l)| Membership {
                    organisation_id: *o,
                    territory_id: territory(*o).unwrap_or(T75),
                    access_level: *l,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn cross_organisation_reads_table() {
        use AccessLevel::*;
        let cases: Vec<(Actor, Vec<OrganisationId>, bool, &str)> = vec![
            (agent(&[(A, Basic)]), vec![A], false, "own organisation"),
            (agent(&[(A, Basic)]), vec![B], true, "another organisation of the shared territory"),
            (agent(&[(A, Basic)]), vec![A, B], false, "one of its organisations is the agent's"),
            (agent(&[(A, Admin), (C, Basic)]), vec![B, D], true, "member elsewhere only"),
            (agent(&[]), vec![A], true, "no role (a territorial admin)"),
            (agent(&[(A, Basic)]), vec![], true, "a usager of no organisation"),
        ];
        for (actor, usager_orgs, expected, label) in cases {
            assert_eq!(is_cross_organisation_read(&actor, &usager_orgs), expected, "{label}");
        }
    }

    #[test]
    fn scope_table() {
        use AccessLevel::*;
        let cases: Vec<(Actor, Option<OrganisationId>, Vec<OrganisationId>, &str)> = vec![
            (agent(&[(A, Basic)]), None, vec![A, B], "shared territory widens to the territory"),
            (agent(&[(C, Basic)]), None, vec![C], "unshared territory: own organisation only"),
            (agent(&[(C, Basic), (D, Admin)]), None, vec![C, D], "every organisation of the agent"),
            (agent(&[(C, Basic), (D, Admin)]), Some(C), vec![C], "current organisation narrows"),
            (agent(&[(C, Basic), (A, Basic)]), Some(A), vec![A, B], "current organisation in a shared territory"),
            (agent(&[(C, Basic)]), Some(E), vec![C], "a current organisation I am not in is ignored"),
            (agent(&[(C, Intervenant)]), None, vec![], "intervenants see no usagers"),
            (agent(&[]), None, vec![], "no role"),
        ];
        for (actor, current, expected, label) in cases {
            assert_eq!(usager_scope(&actor, current, &orgs()), expected, "{label}");
        }
    }

    #[test]
    fn visibility_and_masking_table() {
        use AccessLevel::*;
        let in_c = agent(&[(C, Basic)]);
        let scope = usager_scope(&in_c, None, &orgs());
        // (usager's organisations, sees in full, found masked)
        let cases: Vec<(Vec<OrganisationId>, bool, bool, &str)> = vec![
            (vec![C], true, true, "my organisation"),
            (vec![D], false, true, "other organisation of my territory: masked only"),
            (vec![D, C], true, true, "one shared organisation is enough"),
            (vec![E], false, false, "another territory: nothing"),
            (vec![], false, false, "anonymised usager without profile"),
        ];
        let masked = usager_masked_scope(&in_c, &orgs());
        for (usager_orgs, full, found, label) in cases {
            assert_eq!(can_see_usager(&scope, &usager_orgs), full, "{label}");
            assert_eq!(can_see_usager(&masked, &usager_orgs), found, "{label}");
        }
    }

    #[test]
    fn write_rules_table() {
        use AccessLevel::*;
        let basic_c = agent(&[(C, Basic)]);
        let admin_c = agent(&[(C, Admin)]);
        let referent_d = agent(&[(D, Basic)]);
        let referent_e = agent(&[(E, Basic)]);
        assert!(can_create_usager_in(&basic_c, C));
        assert!(!can_create_usager_in(&basic_c, D), "not a member");
        assert!(!can_create_usager_in(&agent(&[(C, Intervenant)]), C));
        assert!(can_attach_usager(&basic_c, T59), "any organisation of my territory");
        assert!(!can_attach_usager(&basic_c, T62));
        assert!(can_detach_usager(&basic_c, C) && !can_detach_usager(&basic_c, D));
        assert!(can_assign_referent(&basic_c, &referent_d, &[C]), "referent of my territory, usager of my org");
        assert!(!can_assign_referent(&basic_c, &referent_e, &[C]), "referent of another territory");
        assert!(!can_assign_referent(&basic_c, &referent_d, &[D]), "usager not in my organisations");
        assert!(can_audit_usager(&admin_c, &[C, D]) && !can_audit_usager(&basic_c, &[C]), "history: admins");
        assert!(can_import_usagers(&admin_c, C) && !can_import_usagers(&basic_c, C));
    }
}
