//! Rate limiting per caller: a token bucket per token subject, refilled continuously. A caller
//! over its rate gets 429 with `RATE_LIMITED` and a `Retry-After` hint; other callers are not
//! affected. Kept in memory per server process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A limit: a steady rate and a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per second a caller may keep up; 0 turns limiting off.
    pub per_second: f64,
    /// Requests a caller may make at once after being idle.
    pub burst: f64,
}

struct Bucket {
    tokens: f64,
    seen: Instant,
}

/// The buckets of every caller seen recently.
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Buckets idle this long are full again and are dropped, so memory stays bounded by the
/// callers of the last minutes.
const IDLE: Duration = Duration::from_secs(300);

impl RateLimiter {
    /// A limiter for `limit`.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `caller`'s bucket: `Ok` when allowed, else how long to wait.
    pub fn check(&self, caller: &str) -> Result<(), Duration> {
        self.check_at(caller, Instant::now())
    }

    fn check_at(&self, caller: &str, now: Instant) -> Result<(), Duration> {
        let RateLimit { per_second, burst } = self.limit;
        if per_second <= 0.0 {
            return Ok(());
        }
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| now.duration_since(b.seen) < IDLE);
        }
        if !buckets.contains_key(caller) {
            buckets.insert(
                caller.to_owned(),
                Bucket {
                    tokens: burst,
                    seen: now,
                },
            );
        }
        let Some(bucket) = buckets.get_mut(caller) else {
            return Ok(());
        };
        let refill = now.duration_since(bucket.seen).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.seen = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 2.0,
            burst: 3.0,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", t0).is_ok());
        }
        let wait = limiter.check_at("a", t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        // Another caller is not affected.
        assert!(limiter.check_at("b", t0).is_ok());
        // Half a second later one more request is allowed.
        assert!(
            limiter
                .check_at("a", t0 + Duration::from_millis(500))
                .is_ok()
        );
        assert!(
            limiter
                .check_at("a", t0 + Duration::from_millis(500))
                .is_err()
        );
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 0.0,
            burst: 0.0,
        });
        for _ in 0..1000 {
            assert!(limiter.check("a").is_ok());
        }
    }
}
