//! Time as the core sees it: instants handed in by the embedder, never read from a clock.
//!
//! An [`Instant`] is a count of milliseconds since an origin the embedder picks
//! (`performance.now()` in the browser, a virtual clock in tests). Arithmetic saturates,
//! so a clock that jumps or a huge configured timeout can never overflow or panic.

use core::ops::{Add, Sub};
use core::time::Duration;

/// A point in time, in whole milliseconds since the embedder's origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The embedder's origin.
    pub const ZERO: Instant = Instant(0);

    /// An instant `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.millis_since(earlier))
    }

    /// [`Instant::saturating_since`] in milliseconds: the core compares and adds plain
    /// milliseconds, as every `Duration` comparison or sum is a seconds-and-nanoseconds
    /// computation of its own in the wasm.
    pub(crate) fn millis_since(self, earlier: Instant) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// `ms` milliseconds later, saturating.
    pub(crate) fn plus(self, ms: u64) -> Instant {
        Instant(self.0.saturating_add(ms))
    }
}

/// Milliseconds in `d`, saturating at `u64::MAX`.
///
/// Not `d.as_millis()` (a u128) nor `saturating_mul`: on wasm32 both multiply through
/// the 128-bit `__multi3` routine. A comparison rules out the overflow instead.
#[inline(never)]
pub(crate) fn millis(d: Duration) -> u64 {
    let secs = d.as_secs();
    if secs > u64::MAX / 1000 {
        return u64::MAX;
    }
    (secs * 1000).saturating_add(u64::from(d.subsec_millis()))
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        self.plus(millis(rhs))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_since(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_is_as_millis_saturated() {
        for d in [
            Duration::ZERO,
            Duration::from_nanos(999_999),
            Duration::from_millis(1_500),
            Duration::new(u64::MAX / 1000, 999_999_999),
            Duration::new(u64::MAX / 1000, 615_000_000),
            Duration::new(u64::MAX / 1000, 616_000_000),
            Duration::new(u64::MAX / 1000 + 1, 0),
            Duration::MAX,
        ] {
            let want = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
            assert_eq!(millis(d), want, "{d:?}");
        }
    }

    #[test]
    fn arithmetic_saturates() {
        let far = Instant::from_millis(u64::MAX - 1);
        assert_eq!((far + Duration::from_secs(10)).as_millis(), u64::MAX);
        assert_eq!(Instant::ZERO - far, Duration::ZERO);
        assert_eq!(
            Instant::from_millis(1500) - Instant::from_millis(500),
            Duration::from_secs(1)
        );
    }
}
