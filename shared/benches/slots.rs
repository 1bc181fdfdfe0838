//! Criterion: the slot engine on one organisation's week — 30 agents with two plage
//! occurrences a day, half of their time booked — and the interval algebra under it. The
//! database part is measured by the HTTP load run (`just bench`, scripts/bench-slots.sh).

#![allow(clippy::unwrap_used)] // a benchmark's fixed inputs

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

use rdv_shared::recurrence::{occurrences, Every, Recurrence, Schedule};
use rdv_shared::slots::{compute, dedupe_public, normalise, subtract, Opening, SlotRules, Span};

fn bench(c: &mut Criterion) {
    let monday = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    let mut openings = Vec::new();
    let mut busy: HashMap<i32, Vec<Span>> = HashMap::new();
    for agent in 0..30 {
        for day in 0..5 {
            for (start, end) in [(8, 11), (13, 16)] {
                let s = monday + Duration::days(day) + Duration::hours(start);
                openings.push(Opening {
                    agent_id: agent,
                    lieu_id: Some(agent % 6),
                    span: Span::new(s, s + Duration::hours(end - start)),
                });
                for k in (0..6).step_by(2) {
                    let b = s + Duration::minutes(30 * k);
                    busy.entry(agent).or_default().push(Span::new(b, b + Duration::minutes(30)));
                }
            }
        }
    }
    let rules =
        SlotRules { duration: Duration::minutes(30), step: Duration::minutes(30), not_before: monday, not_after: None };
    c.bench_function("slots of a 30-agent week", |b| {
        b.iter(|| compute(black_box(&openings), black_box(&busy), &rules))
    });
    let slots = compute(&openings, &busy, &rules);
    c.bench_function("public dedupe of a 30-agent week", |b| b.iter(|| dedupe_public(black_box(&slots))));
    let free: Vec<Span> = normalise(openings.iter().map(|o| o.span).collect());
    let taken: Vec<Span> = normalise(busy.values().flatten().copied().collect());
    c.bench_function("subtract busy from free (normalised)", |b| {
        b.iter(|| subtract(black_box(&free), black_box(&taken)))
    });
    let rule = Recurrence {
        every: Every::Week,
        interval: 1,
        on: ["monday", "tuesday", "wednesday", "thursday", "friday"].map(String::from).to_vec(),
        day: Default::default(),
        until: None,
    };
    let schedule = Schedule {
        first_day: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        start: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end_day: None,
        end: chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        rule: Some(&rule),
    };
    c.bench_function("occurrences of a weekly plage over 6 months", |b| {
        b.iter(|| occurrences(black_box(&schedule), chrono_tz::Europe::Paris, monday, monday + Duration::days(183)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
