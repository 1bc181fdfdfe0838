//! Usager lookups: the search index (`user_search_terms`, one row per folded term, a prefix
//! search being a range scan on the primary key on both backends), scoped listing, ranked
//! search and duplicate candidates. Every query here costs a fixed number of indexed lookups.

use crate::db::IdListDsl;
use diesel::prelude::*;
use rdv_shared::pagination::{offset, PER_PAGE};
use rdv_shared::usager::search::{prefix_upper_bound, rank, terms, Query, Searchable, TermKind};

use super::user::UserRow;
use crate::db::schema::{user_profiles, user_search_terms, users};
use crate::db::DbConn;

/// How many candidates a search ranks at least (last names first, see `matching_ids`).
const RANKED_CANDIDATES: i64 = 60;

fn searchable(u: &UserRow) -> Searchable<'_> {
    Searchable {
        first_name: &u.first_name,
        last_name: &u.last_name,
        birth_name: u.birth_name.as_deref(),
        email: u.email.as_deref(),
        phone_e164: u.phone_number_formatted.as_deref(),
    }
}

/// Rewrites the usager's search terms (none for an anonymised usager).
pub fn reindex(conn: &mut DbConn, u: &UserRow) -> QueryResult<()> {
    diesel::delete(user_search_terms::table.filter(user_search_terms::user_id.eq(u.id))).execute(conn)?;
    if u.deleted_at.is_some() {
        return Ok(());
    }
    // One statement per term: batch inserts do not go through diesel's MultiConnection.
    for (kind, term) in terms(&searchable(u)) {
        diesel::insert_into(user_search_terms::table)
            .values((
                user_search_terms::user_id.eq(u.id),
                user_search_terms::kind.eq(kind as i32),
                user_search_terms::term.eq(term),
            ))
            .execute(conn)?;
    }
    Ok(())
}

type Db = <DbConn as diesel::Connection>::Backend;
type BoxedUsers<'a> = users::BoxedQuery<'a, Db>;

/// Live usagers with a profile in one of `scope` (a correlated `EXISTS` on the indexed
/// `user_profiles.user_id`: checked per row, never materialising a whole territory's profiles).
fn in_scope(scope: &[i32]) -> BoxedUsers<'static> {
    users::table
        .filter(users::deleted_at.is_null())
        .filter(diesel::dsl::exists(
            user_profiles::table
                .filter(user_profiles::user_id.eq(users::id))
                .filter(user_profiles::organisation_id.in_ids(scope)),
        ))
        .into_boxed()
}

/// Ids of usagers of `scope` matching every token by prefix, at most `limit`: last-name
/// matches first, then first names, then contacts, each in term order (an exact term before its
/// longer continuations). One index range scan per kind on the longest token, each row checked
/// against the scope and the other tokens through indexed `EXISTS` lookups; no sort, no
/// materialised match set, so the cost follows `limit`, not the number of usagers.
fn matching_ids(conn: &mut DbConn, scope: &[i32], query: &Query, limit: i64) -> QueryResult<Vec<i32>> {
    let mut tokens = query.tokens.clone();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let Some((first, others)) = tokens.split_first() else { return Ok(Vec::new()) };
    let wanted = usize::try_from(limit).unwrap_or(0);
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::new();
    // Several words typed as a name ("marie dup", "dupont jean"): one range scan on full names.
    if let Some(phrase) = &query.phrase {
        take_ids(conn, terms_in_scope(TermKind::FullName, phrase, scope), wanted, &mut seen, &mut ids)?;
        // Names typed in order are what the agent means; other word orders ("jean dupont" for
        // "Jean-Édouard Dupont") are looked for only when nothing matched that way.
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    let other_terms = diesel::alias!(user_search_terms as other_terms);
    for kind in TermKind::ALL {
        let mut q = terms_in_scope(kind, first, scope);
        for token in others {
            q = q.filter(diesel::dsl::exists(
                other_terms
                    .filter(other_terms.field(user_search_terms::user_id).eq(user_search_terms::user_id))
                    .filter(other_terms.field(user_search_terms::term).ge(token.clone()))
                    .filter(other_terms.field(user_search_terms::term).lt(prefix_upper_bound(token))),
            ));
        }
        take_ids(conn, q, wanted.saturating_sub(ids.len()), &mut seen, &mut ids)?;
        if ids.len() >= wanted {
            break;
        }
    }
    Ok(ids)
}

type BoxedTerms = user_search_terms::BoxedQuery<'static, Db>;

/// Terms of `kind` starting with `prefix` that belong to usagers of `scope` (range scan on the
/// primary key, scope checked per row through the indexed `user_profiles.user_id`).
fn terms_in_scope(kind: TermKind, prefix: &str, scope: &[i32]) -> BoxedTerms {
    user_search_terms::table
        .filter(user_search_terms::kind.eq(kind as i32))
        .filter(user_search_terms::term.ge(prefix.to_owned()))
        .filter(user_search_terms::term.lt(prefix_upper_bound(prefix)))
        .filter(diesel::dsl::exists(
            user_profiles::table
                .filter(user_profiles::user_id.eq(user_search_terms::user_id))
                .filter(user_profiles::organisation_id.in_ids(scope)),
        ))
        .into_boxed()
}

/// Appends to `ids` the first `need` usagers of `terms` in term order not `seen` yet. A usager
/// may match through several terms of one kind: twice as many rows are read.
fn take_ids(
    conn: &mut DbConn,
    terms: BoxedTerms,
    need: usize,
    seen: &mut std::collections::HashSet<i32>,
    ids: &mut Vec<i32>,
) -> QueryResult<()> {
    let rows: Vec<i32> = terms
        .order((user_search_terms::term, user_search_terms::user_id))
        .limit(i64::try_from(need * 2).unwrap_or(i64::MAX))
        .select(user_search_terms::user_id)
        .load(conn)?;
    ids.extend(rows.into_iter().filter(|id| seen.insert(*id)).take(need));
    Ok(())
}

/// Ranked matches of `query` among the usagers of `scope`, and (when `count`) how many match in
/// all. The first candidates in term order are ranked in `shared` (exact last name first).
pub fn search(
    conn: &mut DbConn,
    scope: &[i32],
    query: &Query,
    limit: i64,
    count: bool,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let mut ids = matching_ids(conn, scope, query, RANKED_CANDIDATES.max(limit))?;
    if let Some(id) = query.id {
        ids.push(id);
    }
    let mut rows: Vec<UserRow> =
        in_scope(scope).filter(users::id.in_ids(ids)).select(UserRow::as_select()).load(conn)?;
    rows.sort_by_cached_key(|u| (rank(query, &searchable(u), u.id), u.id));
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let total = if count { count_matches(conn, scope, query)? } else { rows.len() as i64 };
    Ok((rows, total))
}

/// How many usagers of `scope` match (for `meta.total_count` of `GET /users?search=`).
fn count_matches(conn: &mut DbConn, scope: &[i32], query: &Query) -> QueryResult<i64> {
    let mut q = in_scope(scope);
    for token in &query.tokens {
        q = q.filter(
            users::id.eq_any(
                user_search_terms::table
                    // Every kind, so that the (kind, term) primary key serves the range.
                    .filter(user_search_terms::kind.in_ids(TermKind::ALL.map(|k| k as i32)))
                    .filter(user_search_terms::term.ge(token.clone()))
                    .filter(user_search_terms::term.lt(prefix_upper_bound(token)))
                    .select(user_search_terms::user_id),
            ),
        );
    }
    q.count().get_result(conn)
}

/// One page of the usagers of `scope` (optionally only `ids`), by name, and the total.
pub fn page_in_scope(
    conn: &mut DbConn,
    scope: &[i32],
    ids: Option<&[i32]>,
    page: i64,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let filtered = || {
        let mut q = in_scope(scope);
        if let Some(ids) = ids {
            q = q.filter(users::id.in_ids(ids));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((users::last_name, users::first_name, users::id))
        .limit(PER_PAGE)
        .offset(offset(page))
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Rewrites the search terms of every live usager, `batch` per transaction (after a change of the
/// search rules: `rdv users reindex`). Returns how many usagers were reindexed.
pub fn reindex_all(conn: &mut DbConn, batch: i64, mut on_progress: impl FnMut(usize)) -> QueryResult<usize> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let rows: Vec<UserRow> = users::table
            .filter(users::id.gt(after))
            .filter(users::deleted_at.is_null())
            .order(users::id)
            .limit(batch)
            .select(UserRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else { return Ok(done) };
        after = last.id;
        crate::db::write_tx(conn, |c| rows.iter().try_for_each(|u| reindex(c, u)))?;
        done += rows.len();
        on_progress(done);
    }
}

/// Usagers that look like the same person (reference-domain.md §9.2): same E.164 phone, or
/// same folded names and birth date. At most 20, live ones, `except` left out.
pub fn duplicates(
    conn: &mut DbConn,
    phone_e164: Option<&str>,
    identity_key: Option<&str>,
    except: Option<i32>,
) -> QueryResult<Vec<UserRow>> {
    if phone_e164.is_none() && identity_key.is_none() {
        return Ok(Vec::new());
    }
    let mut q = users::table.filter(users::deleted_at.is_null()).into_boxed();
    q = match (phone_e164, identity_key) {
        (Some(p), Some(k)) => {
            q.filter(users::phone_number_formatted.eq(p.to_owned()).or(users::identity_key.eq(k.to_owned())))
        }
        (Some(p), None) => q.filter(users::phone_number_formatted.eq(p.to_owned())),
        (None, Some(k)) => q.filter(users::identity_key.eq(k.to_owned())),
        (None, None) => q,
    };
    if let Some(id) = except {
        q = q.filter(users::id.ne(id));
    }
    q.order(users::id).limit(20).select(UserRow::as_select()).load(conn)
}
