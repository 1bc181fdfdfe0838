//! Data retention (RGPD, ADR 0011): the daily run that deletes what a territory's policy no
//! longer allows to keep, its dry run (`rdv retention --dry-run`), and the territory's policy
//! screen. The cutoffs and bounds are `rdv_shared::retention`; the queries `db::models::retention`.
//!
//! A run first makes a [`Plan`] (the ids of RDVs and usagers that go, counted per territory);
//! a dry run reports it, a real run carries it out in small transactions and logs its counts
//! (`retention_runs`, and the log). Both count the same things the same way, so a dry run
//! just before a real one reports what the real one deletes.
//!
//! Order of a real run: the platform-wide purges first (audit trail, technical records), so
//! the versions the later steps write or delete do not change those counts; then each
//! territory's RDVs (webhook `Rdv destroyed` with `webhook_reason: "rgpd"`) and receipts; then
//! usagers: a usager with no RDV left and no change within its territory's period is removed
//! from its organisations (`UserProfile destroyed`, reason `rgpd`), anonymised, and deleted; an
//! usager anonymised earlier is deleted once no RDV refers to it.
//!
//! Scheduling: every server's first outbox worker plans the day's run as a job keyed by the
//! Paris date (`retention:YYYY-MM-DD`, at 22:00); the outbox's unique keys and claims make it
//! run once whatever the number of servers.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rdv_shared::access::{can_manage_territory, can_read_territory};
use rdv_shared::dto::{
    PlatformRetentionCounts, RetentionCounts, RetentionPolicy, RetentionPolicyRequest, RetentionReport, RetentionRun,
    RetentionSettings, TerritoryRetention,
};
use rdv_shared::retention::{self as rules, Cutoffs, PlatformCutoffs, DEFAULT};
use rdv_shared::TerritoryId;

use crate::audit::Author;
use crate::db::models::agent::{self, AgentRow};
use crate::db::models::outbox::{self as rows, OutboxRow, Outcome};
use crate::db::models::retention as store;
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::outbox::{user_job, Subject};
use crate::services::webhook_events::{rdv_event, with_reason, DESTROYED};

/// The job's event name.
pub const RUN: &str = "retention";
/// RDVs deleted per transaction.
const RDV_BATCH: usize = 100;

/// One territory's share of a run.
struct TerritoryPlan {
    id: i32,
    name: String,
    policy: RetentionPolicy,
    organisations: Vec<i32>,
    cutoffs: Cutoffs,
    rdvs: Vec<i32>,
    usagers: Vec<i32>,
    receipts: i64,
}

/// What a run deletes.
struct Plan {
    as_of: NaiveDateTime,
    territories: Vec<TerritoryPlan>,
    /// Usagers anonymised before this run whose last RDV is gone.
    anonymised: Vec<i32>,
}

fn system() -> Author {
    Author::system("rgpd")
}

fn plan(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Plan> {
    let chosen = store::policies(conn)?;
    let mut territories = Vec::new();
    for (id, name, organisations) in store::territories_with_organisations(conn)? {
        let policy = chosen.get(&id).copied().unwrap_or(DEFAULT);
        let cutoffs = Cutoffs::at(&policy, now);
        let rdvs = store::rdvs_started_before(conn, &organisations, cutoffs.rdv_started_before)?;
        let receipts = store::receipts_before(conn, Some(&organisations), cutoffs.receipt_before, false)?;
        territories.push(TerritoryPlan { id, name, policy, organisations, cutoffs, rdvs, usagers: vec![], receipts });
    }
    // Each organisation's territory, to judge RDVs and usagers by their own territory's policy.
    let territory_of: HashMap<i32, usize> =
        territories.iter().enumerate().flat_map(|(i, t)| t.organisations.iter().map(move |o| (*o, i))).collect();
    let loosest = territories.iter().map(|t| t.cutoffs.usager_untouched_since).max().unwrap_or(now);
    let candidates = store::usagers_to_consider(conn, loosest)?;
    let ids: Vec<i32> = candidates.iter().map(|u| u.id).collect();
    let orgs_of = store::organisations_of(conn, &ids)?;
    let rdvs_of = store::participations_of(conn, &ids)?;
    let survives = |(org, starts_at): &(i32, NaiveDateTime)| {
        territory_of.get(org).is_none_or(|i| *starts_at >= territories[*i].cutoffs.rdv_started_before)
    };
    let mut anonymised = Vec::new();
    let mut retire: Vec<(usize, i32)> = Vec::new();
    for u in &candidates {
        if rdvs_of.get(&u.id).is_some_and(|list| list.iter().any(survives)) {
            continue;
        }
        if u.anonymised {
            anonymised.push(u.id);
            continue;
        }
        let mut orgs = orgs_of.get(&u.id).cloned().unwrap_or_default();
        orgs.sort_unstable();
        let homes: Vec<usize> = orgs.iter().filter_map(|o| territory_of.get(o).copied()).collect();
        // The strictest of its territories: kept as long as the longest period says.
        let Some(untouched_since) = homes.iter().map(|i| territories[*i].cutoffs.usager_untouched_since).min() else {
            continue;
        };
        if u.updated_at < untouched_since && u.created_at < untouched_since {
            retire.push((homes[0], u.id));
        }
    }
    for (i, id) in retire {
        territories[i].usagers.push(id);
    }
    Ok(Plan { as_of: now, territories, anonymised })
}

/// The platform-wide purges (versions, technical rows, unattached receipts, exports, the log of
/// cross-organisation reads), counted, and carried out when `delete`. One function for the dry
/// and the real run so that both count the same rows.
fn platform_purge(c: &mut DbConn, now: NaiveDateTime, delete: bool) -> ApiResult<PlatformRetentionCounts> {
    let p = PlatformCutoffs::at(now);
    let versions_deleted = store::old_versions(
        c,
        rules::IMPERSONAL_ITEM_TYPES,
        p.personal_versions_before,
        p.all_versions_before,
        delete,
    )?;
    let mut version_authors_blanked = store::version_authors(c, p.version_authors_before, delete)?;
    if !delete {
        // Only the old versions that stay get blanked: not those the real run deletes first.
        version_authors_blanked -= store::old_authored_versions(c, rules::IMPERSONAL_ITEM_TYPES, &p)?;
    }
    let [auth_tokens_deleted, password_resets_deleted, idempotency_keys_deleted, outbox_rows_deleted, webhook_deliveries_deleted] =
        store::technical(c, now, p.idempotency_before, p.outbox_done_before, delete)?;
    let unattached_receipts_deleted =
        store::receipts_before(c, None, Cutoffs::at(&DEFAULT, now).receipt_before, delete)?;
    let exports_deleted = if delete {
        crate::db::models::export::purge_expired(c, &Author::system("expiry of exports"), now)? as i64
    } else {
        store::expired_exports(c, now)?
    };
    Ok(PlatformRetentionCounts {
        unattached_receipts_deleted,
        anonymised_usagers_deleted: 0,
        versions_deleted,
        version_authors_blanked,
        usager_reads_deleted: crate::db::models::usager_read::older_than(c, p.personal_versions_before, delete)?,
        auth_tokens_deleted,
        password_resets_deleted,
        idempotency_keys_deleted,
        exports_deleted,
        outbox_rows_deleted,
        webhook_deliveries_deleted,
    })
}

fn counts(t: &TerritoryPlan) -> RetentionCounts {
    RetentionCounts {
        rdvs_deleted: t.rdvs.len() as i64,
        usagers_anonymised: t.usagers.len() as i64,
        usagers_deleted: t.usagers.len() as i64,
        receipts_deleted: t.receipts,
    }
}

fn report(
    plan: &Plan,
    mut platform: PlatformRetentionCounts,
    dry_run: bool,
    by_territory: &HashMap<i32, RetentionCounts>,
) -> RetentionReport {
    if dry_run {
        platform.anonymised_usagers_deleted = plan.anonymised.len() as i64;
    }
    RetentionReport {
        dry_run,
        as_of: plan.as_of.and_utc(),
        territories: plan
            .territories
            .iter()
            .map(|t| TerritoryRetention {
                territory_id: t.id,
                territory_name: t.name.clone(),
                policy: t.policy,
                counts: by_territory.get(&t.id).copied().unwrap_or_else(|| counts(t)),
            })
            .collect(),
        platform,
    }
}

/// Runs (or, `dry_run`, only reports) the retention purge as of `now`. `job`: the outbox job
/// running it and its lease, extended between batches.
pub fn run(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    dry_run: bool,
    job: Option<(i32, Duration)>,
) -> ApiResult<RetentionReport> {
    let started = now_utc();
    let now = now.naive_utc();
    let plan = plan(conn, now)?;
    if dry_run {
        let out = report(&plan, platform_purge(conn, now, false)?, true, &HashMap::new());
        tracing::info!(report = %serde_json::to_string(&out).unwrap_or_default(), "retention dry run");
        return Ok(out);
    }
    let author = system();
    let keep_lease = |conn: &mut DbConn| -> ApiResult<()> {
        if let Some((id, lease)) = job {
            write_tx(conn, |c| rows::extend_lease(c, id, now_utc() + lease))?;
        }
        Ok(())
    };
    // 1. Platform-wide, before the steps that write or delete versions.
    let mut platform = write_tx(conn, |c| platform_purge(c, now, true))?;
    keep_lease(conn)?;
    // 2. Each territory's RDVs and receipts.
    let mut by_territory: HashMap<i32, RetentionCounts> = HashMap::new();
    for t in &plan.territories {
        let mut c = RetentionCounts::default();
        for batch in t.rdvs.chunks(RDV_BATCH) {
            c.rdvs_deleted += with_reason("rgpd", || {
                write_tx(conn, |tx| -> ApiResult<i64> {
                    let mut n = 0;
                    for id in batch {
                        crate::services::notifications::rdv_deleted(tx, *id)?;
                        rdv_event(tx, *id, DESTROYED)?;
                        n += store::purge_rdv(tx, &author, *id)? as i64;
                    }
                    Ok(n)
                })
            })?;
            keep_lease(conn)?;
        }
        c.receipts_deleted =
            write_tx(conn, |tx| store::receipts_before(tx, Some(&t.organisations), t.cutoffs.receipt_before, true))?;
        by_territory.insert(t.id, c);
    }
    // 3. Usagers: the inactive ones are retired then deleted; those anonymised earlier deleted.
    for t in &plan.territories {
        for id in &t.usagers {
            // Two transactions: the profiles' events are rendered at the first one's commit,
            // while the (anonymised) usager still exists. A crash between them leaves an
            // anonymised usager, which the next run deletes.
            let retired = with_reason("rgpd", || write_tx(conn, |tx| store::retire_usager(tx, &author, *id)))?;
            let deleted = write_tx(conn, |tx| store::delete_usager(tx, &author, *id))?;
            let c = by_territory.entry(t.id).or_default();
            c.usagers_anonymised += i64::from(retired);
            c.usagers_deleted += deleted as i64;
        }
        keep_lease(conn)?;
    }
    for id in &plan.anonymised {
        platform.anonymised_usagers_deleted += write_tx(conn, |tx| store::delete_usager(tx, &author, *id))? as i64;
    }
    let out = report(&plan, platform, false, &by_territory);
    let json = serde_json::to_string(&out).map_err(|e| ApiError::Internal(e.into()))?;
    write_tx(conn, |c| store::insert_run(c, started, now_utc(), &json))?;
    tracing::info!(report = %json, "retention run");
    Ok(out)
}

/// Plans today's run (Paris date) if no server has: called by every server's sweep.
pub fn plan_daily(conn: &mut DbConn, now: DateTime<Utc>) -> ApiResult<usize> {
    let at = rules::run_of_day(now);
    let job = user_job(RUN, rules::run_key(at), Subject::default(), at.naive_utc());
    Ok(write_tx(conn, |c| rows::insert(c, std::slice::from_ref(&job)))?)
}

/// The outbox job of a day's run.
pub fn run_job(conn: &mut DbConn, job: &OutboxRow, lease: Duration) -> anyhow::Result<Outcome> {
    run(conn, Utc::now(), false, Some((job.id, lease)))?;
    Ok(Outcome::Sent)
}

fn territory_access(conn: &mut DbConn, caller: &AgentRow, id: i32, manage: bool) -> ApiResult<()> {
    let actor = agent::facts(conn, caller.id)?;
    if !can_read_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::NotFound("territory"));
    }
    if manage && !can_manage_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

fn bound(i: usize) -> RetentionPolicy {
    let pick = |f: &str| rules::BOUNDS.iter().find(|b| b.0 == f).map_or(0, |b| if i == 0 { b.1 } else { b.2 });
    RetentionPolicy {
        rdv_days: pick("rdv_days"),
        inactive_usager_days: pick("inactive_usager_days"),
        receipt_days: pick("receipt_days"),
    }
}

/// A territory's policy, bounds, next run and last run (its members and territorial admins).
pub fn get_settings(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<RetentionSettings> {
    territory_access(conn, caller, id, false)?;
    let now = Utc::now();
    let next_run_at = store::planned_run(conn, RUN)?
        .map(|t| t.and_utc())
        .filter(|t| *t > now - Duration::hours(1))
        .unwrap_or_else(|| rules::next_run_after(now));
    let last_run = store::last_run(conn)?.and_then(|(started, finished, json)| {
        let report: RetentionReport = serde_json::from_str(&json).ok()?;
        let counts = report.territories.iter().find(|t| t.territory_id == id).map(|t| t.counts).unwrap_or_default();
        Some(RetentionRun { started_at: started.and_utc(), finished_at: finished.and_utc(), counts })
    });
    Ok(RetentionSettings {
        retention_policy: store::policies(conn)?.remove(&id).unwrap_or(DEFAULT),
        defaults: DEFAULT,
        minimum: bound(0),
        maximum: bound(1),
        personal_version_days: rules::PERSONAL_VERSION_DAYS,
        version_max_days: rules::VERSION_MAX_DAYS,
        next_run_at,
        last_run,
    })
}

/// Sets a territory's policy (territorial admins), within `rdv_shared::retention::BOUNDS`.
pub fn update_policy(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<RetentionPolicyRequest>,
) -> ApiResult<RetentionSettings> {
    territory_access(conn, caller, id, true)?;
    let policy = req.parse()?.retention_policy;
    let errors = rules::validate(&policy);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let author = caller.author();
    write_tx(conn, |c| store::set_policy(c, &author, id, &policy))?;
    get_settings(conn, caller, id)
}

/// The report as the CLI prints it: one line per territory and kind, then the platform's.
pub fn to_text(r: &RetentionReport) -> String {
    let mut out = format!(
        "Retention {} as of {}\n",
        if r.dry_run { "dry run (nothing deleted)" } else { "run" },
        r.as_of.format("%Y-%m-%d %H:%M UTC")
    );
    for t in &r.territories {
        let (p, c) = (&t.policy, &t.counts);
        out.push_str(&format!(
            "territory {} {} (RDVs {} d, usagers {} d, receipts {} d): rdvs {}, usagers anonymised {}, usagers deleted {}, receipts {}\n",
            t.territory_id,
            t.territory_name,
            p.rdv_days,
            p.inactive_usager_days,
            p.receipt_days,
            c.rdvs_deleted,
            c.usagers_anonymised,
            c.usagers_deleted,
            c.receipts_deleted
        ));
    }
    let p = &r.platform;
    out.push_str(&format!(
        "platform: anonymised usagers deleted {}, versions deleted {}, version authors blanked {}, usager reads {}, receipts without organisation {}, \
         expired sessions {}, expired password resets {}, idempotency keys {}, expired exports {}, finished outbox rows {}, webhook delivery logs {}\n",
        p.anonymised_usagers_deleted,
        p.versions_deleted,
        p.version_authors_blanked,
        p.usager_reads_deleted,
        p.unattached_receipts_deleted,
        p.auth_tokens_deleted,
        p.password_resets_deleted,
        p.idempotency_keys_deleted,
        p.exports_deleted,
        p.outbox_rows_deleted,
        p.webhook_deliveries_deleted
    ));
    out
}
