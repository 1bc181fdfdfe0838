//! Why someone sees an agenda ("Accès aux agendas", issue 6), in French: the default rule that
//! gives the access, or the grant that does, labelled "who → what : level". The server gathers
//! the names; the sentences are built here.

use std::collections::HashMap;

use super::{Actor, AgendaLevel, GrantRule, GranteeType, TargetType};
use crate::access::AccessLevel;
use crate::OrganisationId;

/// The reason the default rules give `actor` access to an agenda of `org` (`itself`: their own).
pub fn default_reason(actor: &Actor, itself: bool, org: OrganisationId) -> &'static str {
    if itself {
        "soi-même"
    } else if actor.is_admin_of(org) {
        "administrateur de l'organisation"
    } else if actor.is_secretary && actor.membership(org).is_some_and(|m| m.access_level == AccessLevel::Basic) {
        "secrétariat"
    } else {
        "membre de l'organisation (lecture sans détail)"
    }
}

/// The names a grant's label needs, by id.
#[derive(Debug, Clone, Default)]
pub struct GrantNames {
    pub agents: HashMap<i32, String>,
    pub teams: HashMap<i32, String>,
    pub services: HashMap<i32, String>,
    pub organisations: HashMap<i32, String>,
}

impl GrantNames {
    fn agent(&self, id: i32) -> String {
        self.agents.get(&id).cloned().unwrap_or_else(|| format!("agent {id}"))
    }
    fn team(&self, id: i32) -> String {
        self.teams.get(&id).cloned().unwrap_or_default()
    }
    fn service(&self, id: i32) -> String {
        self.services.get(&id).cloned().unwrap_or_default()
    }
    fn organisation(&self, id: OrganisationId) -> String {
        self.organisations.get(&id.0).cloned().unwrap_or_default()
    }
}

/// "équipe Accueil de MDS Arras → agenda de Sophie Durand : lecture avec détail (RDV PMI seulement)".
pub fn grant_label(rule: &GrantRule, names: &GrantNames) -> String {
    let who = match rule.grantee.kind {
        GranteeType::Agent => names.agent(rule.grantee.id),
        GranteeType::Team => format!("équipe {}", names.team(rule.grantee.id)),
        GranteeType::Service => format!("agents {}", names.service(rule.grantee.id)),
    };
    let who = match rule.grantee.organisation_id {
        Some(o) => format!("{who} de {}", names.organisation(o)),
        None => who,
    };
    let what = match rule.target.kind {
        TargetType::Agent => format!("agenda de {}", names.agent(rule.target.id)),
        TargetType::Service => format!("agendas {}", names.service(rule.target.id)),
        TargetType::Organisation => {
            format!("tous les agendas de {}", names.organisation(OrganisationId(rule.target.id)))
        }
    };
    let what = match (rule.target.kind, rule.target.organisation_id) {
        (TargetType::Organisation, _) | (_, None) => what,
        (_, Some(o)) => format!("{what} de {}", names.organisation(o)),
    };
    let level = match rule.level {
        AgendaLevel::Busy => "lecture sans détail",
        AgendaLevel::Read => "lecture avec détail",
        _ => "écriture",
    };
    let only = rule.motif_service_id.map(|s| format!(" (RDV {} seulement)", names.service(s.0))).unwrap_or_default();
    format!("{who} → {what} : {level}{only}")
}

/// Why a viewer has `level` on an agenda: the default rules when they give at least that
/// (`default_level`, `default_reason`), else the grant that gives exactly it (its id and
/// label), else a plain "accès".
pub fn access_reason(
    level: AgendaLevel,
    default_level: AgendaLevel,
    default_reason: &str,
    grant: Option<(i32, String)>,
) -> (String, Option<i32>) {
    if default_level >= level {
        return (default_reason.to_owned(), None);
    }
    match grant {
        Some((id, label)) => (label, Some(id)),
        None => ("accès".to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{GrantTarget, Grantee, Membership};
    use crate::{ServiceId, TerritoryId};

    fn actor(level: Option<AccessLevel>, secretary: bool) -> Actor {
        Actor {
            agent_id: Some(crate::AgentId(1)),
            memberships: level
                .map(|access_level| Membership {
                    organisation_id: OrganisationId(10),
                    territory_id: TerritoryId(1),
                    access_level,
                })
                .into_iter()
                .collect(),
            is_secretary: secretary,
            ..Actor::default()
        }
    }

    fn names() -> GrantNames {
        GrantNames {
            agents: [(7, "Sophie Durand".to_owned())].into(),
            teams: [(3, "Accueil".to_owned())].into(),
            services: [(1, "PMI".to_owned()), (2, "CPEF".to_owned())].into(),
            organisations: [(10, "MDS Arras".to_owned())].into(),
        }
    }

    fn rule(grantee: (GranteeType, i32, Option<i32>), target: (TargetType, i32, Option<i32>)) -> GrantRule {
        GrantRule {
            grantee: Grantee { kind: grantee.0, id: grantee.1, organisation_id: grantee.2.map(OrganisationId) },
            target: GrantTarget { kind: target.0, id: target.1, organisation_id: target.2.map(OrganisationId) },
            level: AgendaLevel::Read,
            motif_service_id: None,
        }
    }

    #[test]
    fn default_reasons_in_order_of_precedence() {
        let org = OrganisationId(10);
        assert_eq!(default_reason(&actor(Some(AccessLevel::Admin), true), true, org), "soi-même");
        assert_eq!(
            default_reason(&actor(Some(AccessLevel::Admin), true), false, org),
            "administrateur de l'organisation"
        );
        assert_eq!(default_reason(&actor(Some(AccessLevel::Basic), true), false, org), "secrétariat");
        assert_eq!(
            default_reason(&actor(Some(AccessLevel::Basic), false), false, org),
            "membre de l'organisation (lecture sans détail)"
        );
        assert_eq!(
            default_reason(&actor(None, true), false, org),
            "membre de l'organisation (lecture sans détail)",
            "a secretary of another organisation has no secretariat access here"
        );
    }

    #[test]
    fn grant_labels_name_who_what_and_how() {
        let n = names();
        let team_to_agent = rule((GranteeType::Team, 3, Some(10)), (TargetType::Agent, 7, None));
        assert_eq!(
            grant_label(&team_to_agent, &n),
            "équipe Accueil de MDS Arras → agenda de Sophie Durand : lecture avec détail"
        );
        let mut service_to_service = rule((GranteeType::Service, 2, None), (TargetType::Service, 1, Some(10)));
        service_to_service.level = AgendaLevel::Write;
        service_to_service.motif_service_id = Some(ServiceId(2));
        assert_eq!(
            grant_label(&service_to_service, &n),
            "agents CPEF → agendas PMI de MDS Arras : écriture (RDV CPEF seulement)"
        );
        let mut agent_to_org = rule((GranteeType::Agent, 99, None), (TargetType::Organisation, 10, Some(10)));
        agent_to_org.level = AgendaLevel::Busy;
        assert_eq!(grant_label(&agent_to_org, &n), "agent 99 → tous les agendas de MDS Arras : lecture sans détail");
    }

    #[test]
    fn the_default_rule_wins_when_it_gives_enough() {
        let grant = Some((5, "équipe Accueil → agenda de Sophie Durand : écriture".to_owned()));
        assert_eq!(
            access_reason(AgendaLevel::Busy, AgendaLevel::Busy, "membre", grant.clone()),
            ("membre".to_owned(), None)
        );
        assert_eq!(
            access_reason(AgendaLevel::Write, AgendaLevel::Busy, "membre", grant.clone()),
            ("équipe Accueil → agenda de Sophie Durand : écriture".to_owned(), Some(5))
        );
        assert_eq!(access_reason(AgendaLevel::Write, AgendaLevel::None, "", None), ("accès".to_owned(), None));
    }
}
