//! Reconnection delays: exponential backoff with full jitter and a cap.
//!
//! The reference client retries a dropped socket after a fixed second, forever, and every
//! browser does so in lockstep: after a server restart, all of them arrive in the same
//! instant, every second. Here attempt `n` waits a uniformly random time in
//! `[0, min(cap, base · 2ⁿ)]` ("full jitter"), which spreads the herd and backs off a
//! server that is down. The count starts again once a connection has been stable.

use core::time::Duration;

use super::time::millis;

/// The shape of the delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Ceiling of the first delay. Default 1 s.
    pub base: Duration,
    /// Largest delay ever used. Default 30 s.
    pub cap: Duration,
    /// A connection that stayed up this long resets the attempt count. Default 15 s.
    pub stable_after: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
            stable_after: Duration::from_secs(15),
        }
    }
}

/// Attempt counter plus the random source for jitter.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    attempt: u32,
    rng: SplitMix64,
}

impl Backoff {
    /// A fresh counter; `seed` drives the jitter.
    pub fn new(policy: BackoffPolicy, seed: u64) -> Self {
        Backoff {
            policy,
            attempt: 0,
            rng: SplitMix64(seed),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> BackoffPolicy {
        self.policy
    }

    /// How many delays have been handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The upper bound of the delay for attempt `n`: `min(cap, base · 2ⁿ)`.
    pub fn ceiling(&self, n: u32) -> Duration {
        Duration::from_millis(self.ceiling_millis(n))
    }

    /// [`Backoff::ceiling`] in milliseconds, which is what the jitter needs: no round
    /// trip through `Duration`.
    fn ceiling_millis(&self, n: u32) -> u64 {
        let base = millis(self.policy.base);
        let cap = millis(self.policy.cap);
        let grown = base
            .checked_shl(n.min(63))
            .filter(|v| v >> n.min(63) == base);
        grown.map_or(cap, |g| g.min(cap))
    }

    /// The next delay in milliseconds, and counts the attempt.
    pub fn next_delay(&mut self) -> u64 {
        let ceiling = self.ceiling_millis(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        self.rng.below_inclusive(ceiling)
    }

    /// Counts an attempt that was made at once, without a delay.
    pub fn skip(&mut self) {
        self.attempt = self.attempt.saturating_add(1);
    }

    /// Starts counting again (after a stable connection).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// SplitMix64: a tiny, well-distributed generator. Jitter needs spread, not secrecy.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, max]` (the tiny modulo bias is irrelevant for jitter).
    fn below_inclusive(&mut self, max: u64) -> u64 {
        match max.checked_add(1) {
            Some(span) => self.next() % span,
            None => self.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = Backoff::new(BackoffPolicy::default(), 1);
        let secs: Vec<u64> = (0..8).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(b.ceiling(200), Duration::from_secs(30));
    }

    #[test]
    fn huge_policy_values_do_not_overflow() {
        let policy = BackoffPolicy {
            base: Duration::MAX,
            cap: Duration::MAX,
            stable_after: Duration::MAX,
        };
        let mut b = Backoff::new(policy, 7);
        for _ in 0..100 {
            b.next_delay();
        }
        assert_eq!(b.attempt(), 100);
    }
}
