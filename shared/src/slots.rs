//! The slot engine's pure core (issue 7, reference-domain.md §3.5–3.7): half-open UTC intervals
//! and their algebra (normalise/merge, union, intersection, subtraction), then slots of a
//! motif's duration inside an agent's plage occurrences minus their busy times, honouring a
//! booking window, deduplicated per (start, agent) for agents or per (start, lieu) for the
//! public. Property-tested against a minute-by-minute bitmap implementation.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

/// A half-open interval `[start, end)`; empty when `start >= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Span {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Span { start, end }
    }

    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// Sorted, non-empty, non-overlapping and non-touching: touching spans merge.
pub fn normalise(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| !s.is_empty());
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

pub fn union(a: &[Span], b: &[Span]) -> Vec<Span> {
    normalise(a.iter().chain(b).copied().collect())
}

/// Intersection of two normalised lists.
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let s = a[i].start.max(b[j].start);
        let e = a[i].end.min(b[j].end);
        if s < e {
            out.push(Span::new(s, e));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `a` minus `b`, both normalised. A busy span that only touches a free one does not shorten
/// it (reference §3.6).
pub fn subtract(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut j = 0;
    for span in a {
        let mut cur = span.start;
        while j < b.len() && b[j].end <= cur {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < span.end {
            if b[k].start > cur {
                out.push(Span::new(cur, b[k].start));
            }
            cur = cur.max(b[k].end);
            k += 1;
        }
        if cur < span.end {
            out.push(Span::new(cur, span.end));
        }
    }
    out
}

/// How slots are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRules {
    /// The motif's duration.
    pub duration: Duration,
    /// Between two starts: the duration by default, shorter when the motif says so.
    pub step: Duration,
    /// No slot starts before (now, or now + minimum booking delay on the public side). Starts
    /// move forward on a 5-minute grid from the free span's start (reference §3.7).
    pub not_before: DateTime<Utc>,
    /// No slot starts after (now + maximum booking delay on the public side).
    pub not_after: Option<DateTime<Utc>>,
}

/// Slot starts inside free spans.
pub fn slot_starts(free: &[Span], rules: &SlotRules) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let five = Duration::minutes(5);
    let step = if rules.step > Duration::zero() { rules.step } else { rules.duration };
    if rules.duration <= Duration::zero() || step <= Duration::zero() {
        return out;
    }
    for span in free {
        let mut t = span.start;
        if t < rules.not_before {
            let behind = (rules.not_before - t).num_seconds();
            let grid = five.num_seconds();
            t += Duration::seconds((behind + grid - 1) / grid * grid);
        }
        while t + rules.duration <= span.end {
            if rules.not_after.is_some_and(|limit| t > limit) {
                break;
            }
            out.push(t);
            t += step;
        }
    }
    out
}

/// An agent's availability: one plage occurrence, at a lieu (none for phone / home motifs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub agent_id: i32,
    pub lieu_id: Option<i32>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub agent_id: i32,
    pub lieu_id: Option<i32>,
}

/// Every slot of the openings once each agent's busy spans (RDVs in blocking statuses,
/// absences, holidays — normalised or not) are taken out, sorted and deduplicated per
/// (start, agent, lieu) — the agent side's view.
pub fn compute(openings: &[Opening], busy: &HashMap<i32, Vec<Span>>, rules: &SlotRules) -> Vec<Slot> {
    let busy: HashMap<i32, Vec<Span>> = busy.iter().map(|(a, v)| (*a, normalise(v.clone()))).collect();
    let mut out = Vec::new();
    for o in openings {
        let free = match busy.get(&o.agent_id) {
            Some(b) => subtract(&[o.span], b),
            None => vec![o.span],
        };
        for t in slot_starts(&free, rules) {
            out.push(Slot { starts_at: t, ends_at: t + rules.duration, agent_id: o.agent_id, lieu_id: o.lieu_id });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The public side shows one slot per (lieu, start), whoever the agent (reference §3.7); the
/// agent is chosen at booking time.
pub fn dedupe_public(slots: &[Slot]) -> Vec<Slot> {
    let mut out: Vec<Slot> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in slots {
        if seen.insert((s.lieu_id, s.starts_at)) {
            out.push(*s);
        }
    }
    out.sort_by_key(|s| (s.starts_at, s.lieu_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const DAY: usize = 24 * 60;

    fn base() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
    }
    fn at(m: i64) -> DateTime<Utc> {
        base() + Duration::minutes(m)
    }
    fn span(a: i64, b: i64) -> Span {
        Span::new(at(a), at(b))
    }

    /// The minutes a list covers, as a bitmap over one day.
    fn bitmap(spans: &[Span]) -> Vec<bool> {
        let mut bits = vec![false; DAY];
        for s in spans {
            let (a, b) = ((s.start - base()).num_minutes(), (s.end - base()).num_minutes());
            for m in a.max(0)..b.min(DAY as i64) {
                bits[m as usize] = true;
            }
        }
        bits
    }

    /// Back from a bitmap to maximal spans.
    fn spans_of(bits: &[bool]) -> Vec<Span> {
        let mut out = Vec::new();
        let mut m = 0;
        while m < bits.len() {
            if bits[m] {
                let start = m;
                while m < bits.len() && bits[m] {
                    m += 1;
                }
                out.push(span(start as i64, m as i64));
            } else {
                m += 1;
            }
        }
        out
    }

    fn spans_strategy() -> impl Strategy<Value = Vec<Span>> {
        prop::collection::vec((0i64..1380, 1i64..180), 0..8)
            .prop_map(|v| v.into_iter().map(|(a, len)| span(a, (a + len).min(DAY as i64))).collect())
    }

    proptest! {
        #[test]
        fn algebra_matches_bitmaps(a in spans_strategy(), b in spans_strategy()) {
            let (na, nb) = (normalise(a.clone()), normalise(b.clone()));
            prop_assert_eq!(&na, &spans_of(&bitmap(&a)));
            let (ba, bb) = (bitmap(&a), bitmap(&b));
            let and: Vec<bool> = ba.iter().zip(&bb).map(|(x, y)| *x && *y).collect();
            let or: Vec<bool> = ba.iter().zip(&bb).map(|(x, y)| *x || *y).collect();
            let minus: Vec<bool> = ba.iter().zip(&bb).map(|(x, y)| *x && !*y).collect();
            prop_assert_eq!(intersect(&na, &nb), spans_of(&and));
            prop_assert_eq!(union(&a, &b), spans_of(&or));
            prop_assert_eq!(subtract(&na, &nb), spans_of(&minus));
        }

        /// The engine against a deliberately naive minute-by-minute reference: free minutes of the
        /// opening, then from each run of free minutes, starts every `step` while the slot fits.
        #[test]
        fn slots_match_a_naive_reference(
            open in (360i64..720, 60i64..480),
            busy in spans_strategy(),
            duration in prop::sample::select(vec![15i64, 20, 30, 45, 60]),
            shorter_step in prop::option::of(prop::sample::select(vec![5i64, 10, 15])),
            now in 0i64..900,
        ) {
            let opening = Opening { agent_id: 1, lieu_id: Some(7), span: span(open.0, (open.0 + open.1).min(DAY as i64)) };
            let step = shorter_step.unwrap_or(duration);
            let rules = SlotRules {
                duration: Duration::minutes(duration),
                step: Duration::minutes(step),
                not_before: at(now),
                not_after: None,
            };
            let got: Vec<i64> = compute(&[opening], &HashMap::from([(1, busy.clone())]), &rules)
                .iter()
                .map(|s| (s.starts_at - base()).num_minutes())
                .collect();
            let occupied = bitmap(&busy);
            let inside = bitmap(&[opening.span]);
            let free: Vec<bool> = (0..DAY).map(|m| inside[m] && !occupied[m]).collect();
            let mut expected = Vec::new();
            let mut m = 0usize;
            while m < DAY {
                if !free[m] { m += 1; continue; }
                let run_start = m as i64;
                while m < DAY && free[m] { m += 1; }
                let run_end = m as i64;
                let mut t = run_start;
                while t < now { t += 5; }
                while t + duration <= run_end {
                    expected.push(t);
                    t += step;
                }
            }
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn touching_busy_time_does_not_shorten_and_public_dedupes() {
        let rules = SlotRules {
            duration: Duration::minutes(30),
            step: Duration::minutes(30),
            not_before: at(0),
            not_after: Some(at(11 * 60)),
        };
        let openings = [
            Opening { agent_id: 1, lieu_id: Some(7), span: span(540, 720) },
            Opening { agent_id: 2, lieu_id: Some(7), span: span(540, 720) },
        ];
        // Agent 1: an RDV 08:30–09:00 (touching) and 10:00–10:20.
        let busy = HashMap::from([(1, vec![span(510, 540), span(600, 620)])]);
        let slots = compute(&openings, &busy, &rules);
        let of = |a: i32| -> Vec<i64> {
            slots.iter().filter(|s| s.agent_id == a).map(|s| (s.starts_at - base()).num_minutes()).collect()
        };
        assert_eq!(of(1), vec![540, 570, 620, 650], "09:00, 09:30, then 10:20, 10:50 (not after 11:00)");
        assert_eq!(of(2), vec![540, 570, 600, 630, 660]);
        let public: Vec<i64> = dedupe_public(&slots).iter().map(|s| (s.starts_at - base()).num_minutes()).collect();
        assert_eq!(public, vec![540, 570, 600, 620, 630, 650, 660], "one per start and lieu");
    }

    #[test]
    fn past_starts_move_on_a_five_minute_grid() {
        let rules = SlotRules {
            duration: Duration::minutes(30),
            step: Duration::minutes(30),
            not_before: at(9 * 60 + 7),
            not_after: None,
        };
        let starts: Vec<i64> =
            slot_starts(&[span(540, 660)], &rules).iter().map(|t| (*t - base()).num_minutes()).collect();
        assert_eq!(starts, vec![550, 580, 610], "09:10 is the first 5-minute step after 09:07");
    }
}
