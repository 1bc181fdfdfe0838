//! Usager lookups: the search index (`user_search_terms`, one row per folded term, a prefix
//! search being a range scan on the primary key on both backends), scoped listing, ranked
//! search and duplicate candidates. Every query here costs a fixed number of indexed lookups.

use diesel::prelude::*;

use rdv_shared::pagination::{offset, PER_PAGE};
use rdv_shared::usager::search::{prefix_upper_bound, rank, terms, Query, Searchable};

use super::user::UserRow;
use crate::db::schema::{user_profiles, user_search_terms, users};
use crate::db::DbConn;

/// How many candidates a search ranks at most; beyond that the query is too vague to be useful.
const RANKED_CANDIDATES: i64 = 300;

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
    for term in terms(&searchable(u)) {
        diesel::insert_into(user_search_terms::table)
            .values((user_search_terms::user_id.eq(u.id), user_search_terms::term.eq(term)))
            .execute(conn)?;
    }
    Ok(())
}

type Db = <DbConn as diesel::Connection>::Backend;
type BoxedUsers<'a> = users::BoxedQuery<'a, Db>;

/// Live usagers with a profile in one of `scope`.
fn in_scope(scope: &[i32]) -> BoxedUsers<'static> {
    users::table
        .filter(users::deleted_at.is_null())
        .filter(
            users::id.eq_any(
                user_profiles::table
                    .filter(user_profiles::organisation_id.eq_any(scope.to_vec()))
                    .select(user_profiles::user_id),
            ),
        )
        .into_boxed()
}

/// Narrows to usagers matching every token by prefix (the first one exactly when asked).
/// Each token is one indexed range scan on `user_search_terms`.
fn matching(mut q: BoxedUsers<'static>, query: &Query, exact_first_token: bool) -> BoxedUsers<'static> {
    for (i, token) in query.tokens.iter().enumerate() {
        q = if exact_first_token && i == 0 {
            q.filter(
                users::id.eq_any(
                    user_search_terms::table
                        .filter(user_search_terms::term.eq(token.clone()))
                        .select(user_search_terms::user_id),
                ),
            )
        } else {
            q.filter(
                users::id.eq_any(
                    user_search_terms::table
                        .filter(user_search_terms::term.ge(token.clone()))
                        .filter(user_search_terms::term.lt(prefix_upper_bound(token)))
                        .select(user_search_terms::user_id),
                ),
            )
        };
    }
    q
}

/// Ranked matches of `query` among the usagers of `scope`, and how many match in all.
/// Candidates are the exact matches of the longest token plus the first prefix matches, so that
/// an exact last name is never crowded out by many longer names sharing its prefix.
pub fn search(
    conn: &mut DbConn,
    scope: &[i32],
    query: &Query,
    limit: i64,
    count: bool,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let mut q = query.clone();
    q.tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut rows: Vec<UserRow> = matching(in_scope(scope), &q, true)
        .order(users::id)
        .limit(RANKED_CANDIDATES)
        .select(UserRow::as_select())
        .load(conn)?;
    if let Some(id) = query.id {
        rows.extend(in_scope(scope).filter(users::id.eq(id)).select(UserRow::as_select()).load(conn)?);
    }
    let prefix: Vec<UserRow> = matching(in_scope(scope), &q, false)
        .order((users::last_name, users::first_name, users::id))
        .limit(RANKED_CANDIDATES)
        .select(UserRow::as_select())
        .load(conn)?;
    for row in prefix {
        if !rows.iter().any(|r| r.id == row.id) {
            rows.push(row);
        }
    }
    rows.sort_by_cached_key(|u| (rank(query, &searchable(u), u.id), u.id));
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let total = if count { matching(in_scope(scope), &q, false).count().get_result(conn)? } else { rows.len() as i64 };
    Ok((rows, total))
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
            q = q.filter(users::id.eq_any(ids.to_vec()));
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
