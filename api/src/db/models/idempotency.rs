//! Idempotency keys of booking requests: a request sent again with the same `Idempotency-Key`
//! (and the same body) returns the RDV the first one made, instead of booking twice.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::db::{now_utc, DbConn};

/// SHA-256 (hex) of what identifies a request: its serialised body.
pub fn digest(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// (request digest, RDV id) stored under this key, if any.
pub fn find(conn: &mut DbConn, scope: &str, key: &str) -> QueryResult<Option<(String, i32)>> {
    idempotency_keys::table
        .filter(idempotency_keys::scope.eq(scope))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select((idempotency_keys::request_digest, idempotency_keys::rdv_id))
        .get_result(conn)
        .optional()
}

/// Remembers the RDV a key made (inside the booking's transaction).
pub fn record(conn: &mut DbConn, scope: &str, key: &str, request_digest: &str, rdv_id: i32) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(scope),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::request_digest.eq(request_digest),
            idempotency_keys::rdv_id.eq(rdv_id),
            idempotency_keys::created_at.eq(now_utc()),
        ))
        .execute(conn)
        .map(|_| ())
}
