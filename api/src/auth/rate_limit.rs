//! Request limits: sign-in attempts per client IP and per email, public API requests per IP.
//!
//! Limits are shared by every server of a database (issue 18: N servers behind a load balancer
//! enforce one limit): counters per key and one-minute window in the `rate_limits` table
//! (`db::models::rate_limit`). Sign-in counts there on both backends. The public API counts
//! there on PostgreSQL; on SQLite, which one process serves, it counts in memory (GCRA from the
//! `governor` crate), which is then exact and keeps a write off every public read.

use std::num::NonZeroU32;

use chrono::{NaiveDateTime, Timelike};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::db::models::rate_limit;
use crate::db::DbConn;

/// The current one-minute window: its start and the seconds left in it (at least 1).
pub fn window(now: NaiveDateTime) -> (NaiveDateTime, u64) {
    let start = now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
    (start, 60 - u64::from(now.second()).min(59))
}

/// Counts one request for each `(key, limit)`; `Ok(Err(seconds to wait))` when one is over.
pub fn check_shared(
    conn: &mut DbConn,
    keys: &[(String, u32)],
    now: NaiveDateTime,
) -> diesel::QueryResult<Result<(), u64>> {
    let (start, left) = window(now);
    for (key, limit) in keys {
        let count = rate_limit::hit(conn, key, start)?;
        if count == 1 {
            // A key's first request of a window: forget windows that ended (bounded table).
            rate_limit::purge(conn, start - chrono::Duration::minutes(1))?;
        }
        if count > i32::try_from(*limit).unwrap_or(i32::MAX) {
            return Ok(Err(left));
        }
    }
    Ok(Ok(()))
}

/// The keys a sign-in attempt counts against.
pub fn sign_in_keys(ip: &str, email: &str, per_minute_ip: u32, per_minute_email: u32) -> Vec<(String, u32)> {
    vec![
        (format!("sign_in:ip:{ip}"), per_minute_ip.max(1)),
        (format!("sign_in:email:{email}"), per_minute_email.max(1)),
    ]
}

/// Requests of the public (unauthenticated) booking pages per client IP.
pub struct IpLimiter {
    by_ip: DefaultKeyedRateLimiter<String>,
}

impl IpLimiter {
    pub fn new(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        IpLimiter { by_ip: RateLimiter::keyed(quota) }
    }

    /// `Err(seconds to wait)` when the IP is over its quota.
    pub fn check(&self, ip: &str) -> Result<(), u64> {
        if self.by_ip.len() > 10_000 {
            self.by_ip.retain_recent();
        }
        let now = DefaultClock::default().now();
        self.by_ip.check_key(&ip.to_owned()).map_err(|not_until| not_until.wait_time_from(now).as_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_minutes_and_say_how_long_to_wait() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
        assert_eq!(window(at("2026-12-07 10:15:00.0")), (at("2026-12-07 10:15:00.0"), 60));
        assert_eq!(window(at("2026-12-07 10:15:42.5")), (at("2026-12-07 10:15:00.0"), 18));
        assert_eq!(window(at("2026-12-07 10:15:59.9")).1, 1);
    }

    #[test]
    fn memory_ip_quota() {
        let limiter = IpLimiter::new(2);
        assert!(limiter.check("10.0.0.1").is_ok());
        assert!(limiter.check("10.0.0.1").is_ok());
        assert!(limiter.check("10.0.0.1").is_err());
        assert!(limiter.check("10.0.0.2").is_ok());
    }
}
