//! Criterion: the pure parts of usager search (indexing terms, parsing a query, ranking the
//! candidates of one search). The database part is measured by the HTTP load run (`just bench`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use rdv_shared::usager::search::{rank, terms, Query, Searchable};

fn usager(i: usize) -> (String, String, String, String) {
    let first = ["Hélène", "Jean-Édouard", "Zoé", "Mohamed", "Inès"][i % 5].to_owned();
    let last = ["Lefèvre", "Martin", "Da Silva", "Nguyen", "Traoré"][(i / 5) % 5].to_owned();
    let email = format!("{}.{}{i}@exemple.fr", first.to_lowercase(), last.to_lowercase());
    let phone = format!("+336{:08}", 10_000_000 + i);
    (first, last, email, phone)
}

fn bench(c: &mut Criterion) {
    let people: Vec<_> = (0..300).map(usager).collect();
    let searchables: Vec<Searchable<'_>> = people
        .iter()
        .map(|(f, l, e, p)| Searchable {
            first_name: f,
            last_name: l,
            birth_name: None,
            email: Some(e),
            phone_e164: Some(p),
        })
        .collect();
    c.bench_function("terms of one usager", |b| b.iter(|| terms(black_box(&searchables[7]))));
    c.bench_function("parse a query", |b| b.iter(|| Query::parse(black_box("Hélène Lefèvre"))));
    let q = Query::parse("martin").unwrap_or(Query { tokens: vec![], id: None, phrase: None });
    c.bench_function("rank 300 candidates", |b| {
        b.iter(|| {
            let mut keys: Vec<_> = searchables.iter().enumerate().map(|(i, s)| rank(&q, s, i as i32)).collect();
            keys.sort();
            keys
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
