//! Sign-in attempt limits per client IP and per email (GCRA from the `governor` crate).

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct SignInLimiter {
    by_ip: DefaultKeyedRateLimiter<String>,
    by_email: DefaultKeyedRateLimiter<String>,
}

impl SignInLimiter {
    pub fn new(per_minute_ip: u32, per_minute_email: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        SignInLimiter {
            by_ip: RateLimiter::keyed(quota(per_minute_ip)),
            by_email: RateLimiter::keyed(quota(per_minute_email)),
        }
    }

    /// `Err(seconds to wait)` when either the IP or the email is over its quota.
    pub fn check(&self, ip: &str, email: &str) -> Result<(), u64> {
        // Forget idle keys now and then so memory stays bounded.
        if self.by_ip.len() > 10_000 || self.by_email.len() > 10_000 {
            self.by_ip.retain_recent();
            self.by_email.retain_recent();
        }
        let now = DefaultClock::default().now();
        for (limiter, key) in [(&self.by_ip, ip), (&self.by_email, email)] {
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                return Err(not_until.wait_time_from(now).as_secs().max(1));
            }
        }
        Ok(())
    }
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
    fn email_quota_then_refusal() {
        let limiter = SignInLimiter::new(100, 3);
        for _ in 0..3 {
            assert!(limiter.check("127.0.0.1", "a@b.fr").is_ok());
        }
        let wait = limiter.check("127.0.0.1", "a@b.fr").expect_err("4th attempt refused");
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("127.0.0.1", "other@b.fr").is_ok(), "other emails unaffected");
    }

    #[test]
    fn ip_quota_covers_every_email() {
        let limiter = SignInLimiter::new(2, 100);
        assert!(limiter.check("10.0.0.1", "a@b.fr").is_ok());
        assert!(limiter.check("10.0.0.1", "b@b.fr").is_ok());
        assert!(limiter.check("10.0.0.1", "c@b.fr").is_err());
        assert!(limiter.check("10.0.0.2", "c@b.fr").is_ok());
    }
}
