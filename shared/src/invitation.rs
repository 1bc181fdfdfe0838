//! Who may book which motif online, and with which agents (reference-domain.md §3.9, §4.9, §8.3;
//! issue 16). The public search offers motifs bookable by everyone; a usager who comes with an
//! invitation (`rdv_invitation_token`, sent by rdv-insertion) is also offered motifs bookable by
//! invited usagers, optionally narrowed by motif category, organisations, referents and lieu.
//! Follow-up motifs ("RDV de suivi") are only ever booked with one of the usager's referents:
//! never offered to the anonymous public, and only with those agents to an invited usager.

use crate::enums::BookableBy;

/// Who searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, without an account.
    Public,
    /// A known usager following an invitation link.
    Invited,
}

/// Is a motif with these settings offered to `audience` at all?
pub fn offered_to(bookable_by: BookableBy, follow_up: bool, audience: Audience) -> bool {
    match audience {
        Audience::Public => bookable_by == BookableBy::Everyone && !follow_up,
        Audience::Invited => bookable_by.is_public(),
    }
}

/// The agents an invited usager may book a motif with: those the sectorisation allows (`None`:
/// any), narrowed to the invitation's `referent_ids` when it names some, and for a follow-up
/// motif to the usager's own referents. `Some(empty)` means the motif is not offered.
pub fn invited_agents(
    sectorised: Option<Vec<i32>>,
    referent_filter: &[i32],
    follow_up: bool,
    usager_referents: &[i32],
) -> Option<Vec<i32>> {
    let mut allowed = sectorised;
    let mut narrow = |only: &[i32]| {
        allowed = Some(match allowed.take() {
            None => only.to_vec(),
            Some(list) => list.into_iter().filter(|a| only.contains(a)).collect(),
        });
    };
    if !referent_filter.is_empty() {
        narrow(referent_filter);
    }
    if follow_up {
        narrow(usager_referents);
    }
    allowed
}

/// Do an RDV's agents satisfy a follow-up motif for these usagers? Each usager must have one
/// of the agents among its referents. Not a follow-up motif: always.
pub fn follow_up_respected(follow_up: bool, agent_ids: &[i32], referents_per_usager: &[Vec<i32>]) -> bool {
    !follow_up || referents_per_usager.iter().all(|refs| refs.iter().any(|r| agent_ids.contains(r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookableBy::*;

    #[test]
    fn which_motifs_each_audience_is_offered() {
        let table = [
            // bookable_by, follow_up, public, invited
            (Agents, false, false, false),
            (AgentsAndPrescripteurs, false, false, false),
            (AgentsAndPrescripteursAndInvitedUsers, false, false, true),
            (Everyone, false, true, true),
            (Everyone, true, false, true),
            (AgentsAndPrescripteursAndInvitedUsers, true, false, true),
            (Agents, true, false, false),
        ];
        for (by, follow_up, public, invited) in table {
            assert_eq!(offered_to(by, follow_up, Audience::Public), public, "{by:?} follow_up={follow_up} public");
            assert_eq!(offered_to(by, follow_up, Audience::Invited), invited, "{by:?} follow_up={follow_up} invited");
        }
    }

    #[test]
    fn invited_agents_narrow_by_sector_referent_filter_and_follow_up() {
        type Case<'a> = (Option<Vec<i32>>, &'a [i32], bool, &'a [i32], Option<Vec<i32>>);
        let table: [Case; 8] = [
            (None, &[], false, &[], None),
            (None, &[], false, &[7], None),
            (Some(vec![1, 2]), &[], false, &[], Some(vec![1, 2])),
            (None, &[2], false, &[], Some(vec![2])),
            (Some(vec![1, 2]), &[2, 3], false, &[], Some(vec![2])),
            (None, &[], true, &[], Some(vec![])),
            (None, &[], true, &[4, 5], Some(vec![4, 5])),
            (Some(vec![1, 4]), &[4, 5], true, &[5], Some(vec![])),
        ];
        for (sectorised, filter, follow_up, referents, expected) in table {
            assert_eq!(
                invited_agents(sectorised.clone(), filter, follow_up, referents),
                expected,
                "{sectorised:?} {filter:?} {follow_up} {referents:?}"
            );
        }
    }

    #[test]
    fn follow_up_rdvs_need_a_referent_of_every_usager() {
        assert!(follow_up_respected(false, &[1], &[vec![]]));
        assert!(follow_up_respected(true, &[1, 2], &[vec![2], vec![1, 9]]));
        assert!(!follow_up_respected(true, &[1], &[vec![2]]));
        assert!(!follow_up_respected(true, &[1], &[vec![1], vec![]]));
        assert!(follow_up_respected(true, &[1], &[]));
    }
}
