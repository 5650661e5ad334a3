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
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// Milliseconds in `d`, saturating at `u64::MAX`.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_add(millis(rhs)))
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
