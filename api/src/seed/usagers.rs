//! Usager data sets: ~300 demo usagers for the Pas-de-Calais demo (families, duplicate
//! candidates, overseas phone numbers), and `rdv seed scale --users N` for benchmarks.
//! Both are deterministic (seeded random generator), so runs are comparable.

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use rdv_shared::dto::{TerritorySettings, UserInput};
use rdv_shared::enums::{CaisseAffiliation, FamilySituation};
use rdv_shared::usager::fields::FieldToggles;

use crate::audit::Author;
use crate::db::models::user::{self, UserValues};
use crate::db::models::{organisation, territory, user_links};
use crate::db::{write_tx, DbConn};

const FIRST_NAMES: &[&str] = &[
    "Marie",
    "Léa",
    "Chloé",
    "Inès",
    "Manon",
    "Camille",
    "Sarah",
    "Emma",
    "Jade",
    "Louise",
    "Zoé",
    "Lina",
    "Amira",
    "Fatoumata",
    "Océane",
    "Nathalie",
    "Sandrine",
    "Aurélie",
    "Julie",
    "Mélanie",
    "Jean",
    "Lucas",
    "Hugo",
    "Nathan",
    "Mohamed",
    "Kevin",
    "Thomas",
    "Karim",
    "Dylan",
    "Anthony",
    "Loïc",
    "Jérôme",
    "Éric",
    "Sébastien",
    "Yanis",
    "Noé",
];
const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Leroy",
    "Moreau",
    "Lefèvre",
    "Dupont",
    "Lambert",
    "Fournier",
    "Girard",
    "Bonnet",
    "Mercier",
    "Boulanger",
    "Caron",
    "Delattre",
    "Deschamps",
    "Vasseur",
    "Lemaire",
    "Duhamel",
    "Delcroix",
    "Benali",
    "Haddad",
    "Diallo",
    "Traoré",
    "Nguyen",
    "Da Silva",
    "Kowalski",
    "Wójcik",
    "Éluard",
    "Hoarau",
    "Payet",
    "Grondin",
    "Céleste",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("62000", "62041", "Arras"),
    ("62300", "62498", "Lens"),
    ("62100", "62193", "Calais"),
    ("62800", "62510", "Liévin"),
    ("62400", "62119", "Béthune"),
];
const STREETS: &[&str] =
    &["rue Victor Hugo", "rue de la République", "avenue Jean Jaurès", "rue Pasteur", "place du Marché"];

fn pick<'a>(rng: &mut StdRng, list: &'a [&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

/// A random number the phone library accepts (numbering plans leave some ranges unassigned).
fn phone(rng: &mut StdRng) -> String {
    loop {
        let candidate = raw_phone(rng);
        if rdv_shared::usager::phone_e164(&candidate).is_ok() {
            return candidate;
        }
    }
}

fn raw_phone(rng: &mut StdRng) -> String {
    // One in ten: an overseas mobile (La Réunion, Martinique, Guyane, Mayotte, Guadeloupe).
    if rng.gen_ratio(1, 10) {
        let prefix = ["0692", "0696", "0694", "0639", "0690"][rng.gen_range(0..5)];
        return format!(
            "{prefix} {:02} {:02} {:02}",
            rng.gen_range(0..100),
            rng.gen_range(0..100),
            rng.gen_range(0..100)
        );
    }
    let prefix = ["06", "07", "03"][rng.gen_range(0..3)];
    format!(
        "{prefix} {:02} {:02} {:02} {:02}",
        rng.gen_range(10..100),
        rng.gen_range(0..100),
        rng.gen_range(0..100),
        rng.gen_range(0..100)
    )
}

fn date(rng: &mut StdRng, min_age: i64, max_age: i64) -> chrono::NaiveDate {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let days = rng.gen_range(min_age * 365..max_age * 365);
    today - chrono::Duration::days(days)
}

pub(crate) fn adult(rng: &mut StdRng, index: usize, email_domain: &str) -> UserInput {
    let first = pick(rng, FIRST_NAMES).to_owned();
    let last = pick(rng, LAST_NAMES).to_owned();
    let (post, insee, city) = CITIES[rng.gen_range(0..CITIES.len())];
    let email = rng.gen_ratio(2, 3).then(|| {
        let local = rdv_shared::usager::fold(&format!("{first} {last}")).replace(' ', ".");
        format!("{local}.{index}@{email_domain}")
    });
    UserInput {
        first_name: Some(first),
        last_name: Some(last),
        birth_date: Some(Some(date(rng, 18, 70))),
        email: Some(email),
        phone_number: Some(rng.gen_ratio(4, 5).then(|| phone(rng))),
        address: Some(Some(format!("{} {}, {post} {city}", rng.gen_range(1..120), pick(rng, STREETS)))),
        post_code: Some(Some(post.to_owned())),
        city_code: Some(Some(insee.to_owned())),
        city_name: Some(Some(city.to_owned())),
        ..Default::default()
    }
}

pub(crate) fn create(
    conn: &mut DbConn,
    author: &Author,
    input: &UserInput,
    toggles: &FieldToggles,
    orgs: &[i32],
) -> anyhow::Result<user::UserRow> {
    let values = UserValues::for_new(input, toggles, chrono::Utc::now().date_naive())
        .map_err(|e| anyhow::anyhow!("seed usager invalid: {:?}", e.messages))?;
    let row = user::create(conn, author, &values, "seed")?;
    user_links::attach(conn, author, &row, orgs)?;
    Ok(row)
}

/// Adds ~300 usagers to the demo territory unless it already has usagers. Enables the social
/// fields the Pas-de-Calais référentes use (seed 003). Returns how many were created.
pub fn demo(conn: &mut DbConn, territory_name: &str) -> anyhow::Result<usize> {
    let t = territory::find_by_name(conn, territory_name)?.context("demo territory")?;
    let orgs = crate::db::models::agent::organisations_of_territories(conn, &[t.id])?;
    if crate::db::models::user_search::page_in_scope(conn, &orgs, None, 1)?.1 > 0 {
        return Ok(0);
    }
    let author = Author::system("seed");
    let mut rng = StdRng::seed_from_u64(62);
    write_tx(conn, |conn| -> anyhow::Result<usize> {
        let settings = TerritorySettings {
            enable_caisse_affiliation_field: true,
            enable_affiliation_number_field: true,
            enable_family_situation_field: true,
            enable_number_of_children_field: true,
            enable_case_number: true,
            enable_notes_field: true,
            ..t.settings()
        };
        let t = territory::update(conn, &author, &t, &t.name, &t.departement_number, &settings)?;
        let toggles = FieldToggles::from_settings([&t.settings()]);
        let mut created = 0;
        let mut index = 0;
        while created < 300 {
            index += 1;
            let org = orgs[rng.gen_range(0..orgs.len())];
            let mut input = adult(&mut rng, index, "exemple.fr");
            let children = if rng.gen_ratio(1, 3) { rng.gen_range(1..4) } else { 0 };
            input.caisse_affiliation =
                Some(Some(if rng.gen_ratio(4, 5) { CaisseAffiliation::Caf } else { CaisseAffiliation::Msa }));
            input.affiliation_number = Some(Some(format!("{:07}", rng.gen_range(0..10_000_000))));
            input.family_situation = Some(Some(FamilySituation::ALL[rng.gen_range(0..3)]));
            input.number_of_children = Some(Some(children));
            // One in fifteen also followed by a second organisation.
            let mut its_orgs = vec![org];
            if rng.gen_ratio(1, 15) {
                its_orgs.push(orgs[(orgs.iter().position(|o| *o == org).unwrap_or(0) + 1) % orgs.len()]);
            }
            let parent = create(conn, &author, &input, &toggles, &its_orgs)?;
            created += 1;
            for _ in 0..children {
                let child = UserInput {
                    first_name: Some(pick(&mut rng, FIRST_NAMES).to_owned()),
                    last_name: input.last_name.clone(),
                    birth_date: Some(Some(date(&mut rng, 0, 17))),
                    responsible_id: Some(Some(rdv_shared::UserId(parent.id))),
                    ..Default::default()
                };
                create(conn, &author, &child, &toggles, &its_orgs)?;
                created += 1;
            }
            // Every twentieth: the same person recorded again elsewhere (a duplicate candidate).
            if index % 20 == 0 {
                let other = orgs[(orgs.iter().position(|o| *o == org).unwrap_or(0) + 1) % orgs.len()];
                let twin = UserInput { email: Some(None), affiliation_number: Some(None), ..input.clone() };
                create(conn, &author, &twin, &toggles, &[other])?;
                created += 1;
            }
        }
        Ok(created)
    })
}

/// The benchmark agent (admin of "Bench 01"; the Bench territory shares usagers, so its
/// searches run over every usager of the territory, the worst case).
pub const BENCH_AGENT_EMAIL: &str = "bench.admin@bench.example";

/// `rdv seed scale --users N`: a "Bench" territory (10 organisations, usagers shared across the
/// territory) holding at least N usagers, written through the normal model code (search terms
/// and audit included), 2 000 per transaction. Re-running tops up to N. Returns how many were
/// created.
pub fn scale(conn: &mut DbConn, users: usize) -> anyhow::Result<usize> {
    let author = Author::system("seed-scale");
    let t = match territory::find_by_name(conn, "Bench")? {
        Some(t) => t,
        None => write_tx(conn, |c| -> anyhow::Result<_> {
            let t = territory::create(c, &author, "Bench", "99")?;
            let shared = TerritorySettings { visible_users_throughout_the_territory: true, ..t.settings() };
            Ok(territory::update(c, &author, &t, &t.name, &t.departement_number, &shared)?)
        })?,
    };
    let mut orgs = crate::db::models::agent::organisations_of_territories(conn, &[t.id])?;
    if orgs.is_empty() {
        orgs = write_tx(conn, |c| -> anyhow::Result<Vec<i32>> {
            (1..=10)
                .map(|i| Ok(organisation::create(c, &author, t.id, &format!("Bench {i:02}"), "Europe/Paris")?.id))
                .collect()
        })?;
    }
    if crate::db::models::agent::find_by_email(conn, BENCH_AGENT_EMAIL)?.is_none() {
        let hash = crate::auth::password::hash(crate::seed::DEMO_PASSWORD)?;
        let args = crate::admin::AgentArgs {
            email: Some(BENCH_AGENT_EMAIL.to_owned()),
            password: None,
            first_name: Some("Bench".to_owned()),
            last_name: "Admin".to_owned(),
            organisation_id: orgs[0],
            role: rdv_shared::access::AccessLevel::Admin,
            services: vec!["PMI".to_owned()],
            territorial_admin: false,
        };
        write_tx(conn, |c| crate::admin::create_agent_with_hash(c, &author, args, Some(hash)))?;
    }
    let existing = usize::try_from(crate::db::models::user_search::page_in_scope(conn, &orgs, None, 1)?.1).unwrap_or(0);
    let users = users.saturating_sub(existing);
    let toggles = FieldToggles::default();
    let mut rng = StdRng::seed_from_u64(99);
    // E-mails carry a running number: continue after the usagers already there.
    let offset = usize::try_from(crate::db::models::user_import::live_users(conn)?).unwrap_or(0);
    let mut done = 0;
    while done < users {
        let batch = (users - done).min(2_000);
        write_tx(conn, |c| -> anyhow::Result<()> {
            for i in 0..batch {
                let input = adult(&mut rng, offset + done + i, "bench.example");
                create(c, &author, &input, &toggles, &[orgs[(done + i) % orgs.len()]])?;
            }
            Ok(())
        })?;
        done += batch;
        eprint!("\r{done}/{users}");
    }
    eprintln!();
    crate::db::analyze(conn)?;
    Ok(done)
}
