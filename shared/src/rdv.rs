//! RDV lifecycle rules (reference-domain.md §4.1): which statuses count as cancelled or block the
//! agenda, how an RDV's status spreads to its participations and back, and which transitions an
//! agent is offered. Pure: callers pass `now` and the organisation's zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::enums::RdvStatus;

impl RdvStatus {
    /// Excused and revoked RDVs are cancelled; a no-show is not (it still held the slot).
    pub fn is_cancelled(self) -> bool {
        matches!(self, RdvStatus::Excused | RdvStatus::Revoked)
    }

    /// Does an RDV in this status occupy its agents' time (conflicts, slot search)?
    pub fn blocks_agenda(self) -> bool {
        !self.is_cancelled()
    }

    /// Is `cancelled_at` set in this status? Set on excused, revoked and noshow; cleared on
    /// unknown and seen (reference `Rdv::Updatable`).
    pub fn sets_cancelled_at(self) -> bool {
        matches!(self, RdvStatus::Excused | RdvStatus::Revoked | RdvStatus::Noshow)
    }

    /// Label as the agenda shows it, which for `unknown` depends on when the RDV is.
    pub fn label_at(self, timing: Timing) -> &'static str {
        match (self, timing) {
            (RdvStatus::Unknown, Timing::Future) => "À venir",
            (RdvStatus::Unknown, Timing::Today { .. }) => "Rendez-vous aujourd'hui",
            (RdvStatus::Unknown, Timing::Past) => "À renseigner",
            (s, _) => s.label_fr(),
        }
    }
}

/// When an RDV is relative to now, in the organisation's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// After today.
    Future,
    /// Today; `started` once its start has passed.
    Today { started: bool },
    /// Before today.
    Past,
}

pub fn timing(starts_at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> Timing {
    let day = starts_at.with_timezone(&tz).date_naive();
    let today = now.with_timezone(&tz).date_naive();
    if day > today {
        Timing::Future
    } else if day < today {
        Timing::Past
    } else {
        Timing::Today { started: starts_at <= now }
    }
}

/// What is being changed: a whole individual RDV, a collective RDV, or one participation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Individual,
    Collective,
    /// A participation (of either kind of RDV).
    Participation,
}

/// The statuses offered from `current` (reference §4.1, the agent UI's dropdowns). Any status
/// other than unknown can go back to unknown ("Réinitialiser").
pub fn transitions(target: Target, current: RdvStatus, timing: Timing) -> Vec<RdvStatus> {
    use RdvStatus::*;
    if current != Unknown {
        return vec![Unknown];
    }
    let started = matches!(timing, Timing::Past | Timing::Today { started: true });
    match (target, timing) {
        (Target::Individual, Timing::Future) => vec![Excused, Revoked],
        (Target::Individual, _) if started => vec![Seen, Noshow, Excused, Revoked],
        (Target::Individual, _) => vec![Seen, Excused, Revoked],
        (Target::Collective, Timing::Future) => vec![Revoked],
        (Target::Collective, _) => vec![Seen, Revoked],
        (Target::Participation, Timing::Future) => vec![Excused],
        (Target::Participation, _) if started => vec![Seen, Noshow, Excused],
        (Target::Participation, _) => vec![Seen, Excused],
    }
}

/// Why a requested status is refused, as a validation code, or `None` when it is allowed.
/// Stricter than the reference's model (which accepts anything) where the result would be
/// absurd: a collective RDV only takes unknown / seen / revoked, and nobody is "seen" or a
/// "no-show" at an RDV that has not started.
pub fn refusal(target: Target, wanted: RdvStatus, timing: Timing) -> Option<&'static str> {
    use RdvStatus::*;
    if target == Target::Collective && matches!(wanted, Noshow | Excused) {
        return Some("collective_status");
    }
    let started = matches!(timing, Timing::Past | Timing::Today { started: true });
    if matches!(wanted, Seen | Noshow) && !started {
        return Some("not_started");
    }
    None
}

/// Participation statuses after the RDV itself moves to `rdv_status` (reference
/// `Participation::StatusChangeable`): unknown resets all; excused / revoked apply to the
/// participations not already cancelled; seen / noshow to those still unknown.
pub fn propagate(rdv_status: RdvStatus, participations: &[RdvStatus]) -> Vec<RdvStatus> {
    participations
        .iter()
        .map(|&p| match rdv_status {
            RdvStatus::Unknown => RdvStatus::Unknown,
            RdvStatus::Excused | RdvStatus::Revoked if !p.is_cancelled() => rdv_status,
            RdvStatus::Seen | RdvStatus::Noshow if p == RdvStatus::Unknown => rdv_status,
            _ => p,
        })
        .collect()
}

/// The RDV status recomputed after one participation changed: any seen → seen; an individual
/// RDV whose participations all share excused, revoked or noshow takes it; a past collective
/// RDV with no participation left unknown is revoked; otherwise unknown.
pub fn recompute(collective: bool, participations: &[RdvStatus], past: bool) -> RdvStatus {
    use RdvStatus::*;
    if participations.contains(&Seen) {
        return Seen;
    }
    if participations.is_empty() {
        return Unknown;
    }
    if collective {
        return if past && !participations.contains(&Unknown) { Revoked } else { Unknown };
    }
    for s in [Excused, Revoked, Noshow] {
        if participations.iter().all(|p| *p == s) {
            return s;
        }
    }
    Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use RdvStatus::*;

    #[test]
    fn cancelled_and_blocking_statuses() {
        let cancelled: Vec<_> = RdvStatus::ALL.iter().filter(|s| s.is_cancelled()).collect();
        assert_eq!(cancelled, vec![&Excused, &Revoked]);
        assert!(Noshow.blocks_agenda(), "a no-show held the slot");
        assert!(Noshow.sets_cancelled_at() && !Seen.sets_cancelled_at());
    }

    #[test]
    fn timing_uses_the_organisation_day() {
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 22, 30, 0).unwrap(); // 23:30 Paris, 18:30 Cayenne
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let cayenne: Tz = "America/Cayenne".parse().unwrap();
        let reunion: Tz = "Indian/Reunion".parse().unwrap();
        let at = |h| Utc.with_ymd_and_hms(2026, 3, 11, h, 0, 0).unwrap();
        assert_eq!(timing(at(1), now, paris), Timing::Future); // 02:00 the next day in Paris
        assert_eq!(timing(at(1), now, cayenne), Timing::Today { started: false }); // 22:00 the same day
        assert_eq!(timing(at(1), now, reunion), Timing::Today { started: false }); // 05:00 on the 11th, now is the 11th 02:30
        assert_eq!(timing(now - chrono::Duration::days(2), now, paris), Timing::Past);
        assert_eq!(timing(now - chrono::Duration::minutes(5), now, paris), Timing::Today { started: true });
    }

    #[test]
    fn transitions_table() {
        let today = Timing::Today { started: false };
        let started = Timing::Today { started: true };
        let cases: Vec<(Target, RdvStatus, Timing, Vec<RdvStatus>)> = vec![
            (Target::Individual, Unknown, Timing::Future, vec![Excused, Revoked]),
            (Target::Individual, Unknown, today, vec![Seen, Excused, Revoked]),
            (Target::Individual, Unknown, started, vec![Seen, Noshow, Excused, Revoked]),
            (Target::Individual, Unknown, Timing::Past, vec![Seen, Noshow, Excused, Revoked]),
            (Target::Individual, Seen, Timing::Past, vec![Unknown]),
            (Target::Individual, Revoked, Timing::Future, vec![Unknown]),
            (Target::Collective, Unknown, Timing::Future, vec![Revoked]),
            (Target::Collective, Unknown, Timing::Past, vec![Seen, Revoked]),
            (Target::Participation, Unknown, Timing::Future, vec![Excused]),
            (Target::Participation, Unknown, today, vec![Seen, Excused]),
            (Target::Participation, Unknown, Timing::Past, vec![Seen, Noshow, Excused]),
            (Target::Participation, Noshow, Timing::Past, vec![Unknown]),
        ];
        for (target, current, timing, expected) in cases {
            assert_eq!(transitions(target, current, timing), expected, "{target:?} {current:?} {timing:?}");
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(refusal(Target::Collective, Noshow, Timing::Past), Some("collective_status"));
        assert_eq!(refusal(Target::Collective, Excused, Timing::Past), Some("collective_status"));
        assert_eq!(refusal(Target::Individual, Seen, Timing::Future), Some("not_started"));
        assert_eq!(refusal(Target::Participation, Noshow, Timing::Today { started: false }), Some("not_started"));
        assert_eq!(refusal(Target::Individual, Seen, Timing::Today { started: true }), None);
        assert_eq!(refusal(Target::Individual, Revoked, Timing::Future), None);
        assert_eq!(refusal(Target::Collective, Unknown, Timing::Future), None);
    }

    #[test]
    fn propagation_follows_the_reference() {
        let parts = [Unknown, Excused, Seen, Noshow];
        assert_eq!(propagate(Unknown, &parts), vec![Unknown; 4]);
        assert_eq!(propagate(Revoked, &parts), vec![Revoked, Excused, Revoked, Revoked]);
        assert_eq!(propagate(Excused, &parts), vec![Excused, Excused, Excused, Excused]);
        assert_eq!(propagate(Seen, &parts), vec![Seen, Excused, Seen, Noshow]);
        assert_eq!(propagate(Noshow, &parts), vec![Noshow, Excused, Seen, Noshow]);
    }

    #[test]
    fn recompute_follows_the_reference() {
        assert_eq!(recompute(false, &[Seen, Noshow], true), Seen);
        assert_eq!(recompute(false, &[Excused, Excused], false), Excused);
        assert_eq!(recompute(false, &[Revoked], false), Revoked);
        assert_eq!(recompute(false, &[Noshow, Noshow], true), Noshow);
        assert_eq!(recompute(false, &[Noshow, Excused], true), Unknown);
        assert_eq!(recompute(true, &[Excused, Noshow], true), Revoked);
        assert_eq!(recompute(true, &[Excused, Noshow], false), Unknown);
        assert_eq!(recompute(true, &[Unknown, Excused], true), Unknown);
        assert_eq!(recompute(false, &[], true), Unknown);
    }
}
