//! The table of connection deadlines. Every timing rule of the connection — heartbeat,
//! pong wait, handshake limit, unavailable state, reconnect delay, hidden-tab grace — is a
//! deadline here; with the debounce/throttle windows of the shapers, which keep their own
//! ([`crate::protocol::shaping::Shaper::deadline`]), they make
//! [`crate::protocol::Client::poll_timeout`], so the embedder needs exactly one platform
//! timer: armed for that, and [`crate::protocol::Client::handle_timeout`] when it fires (or
//! whenever the page wakes up: late is fine, deadlines are recomputed).

use core::time::Duration;

use super::time::Instant;

/// The connection's own timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Hidden long enough: pause the connection.
    Pause,
    /// A ping is out and nothing came back.
    Pong,
    /// Silence on the link: time to ping.
    Activity,
    /// The socket did not complete the handshake in time.
    Handshake,
    /// Connecting for too long: report `unavailable`.
    Unavailable,
    /// The backoff delay is over: try again.
    Retry,
}

impl Timer {
    /// All timers, in the order they are handled when several are due at once: pausing
    /// first (it supersedes the rest), then liveness, then connecting.
    pub const ALL: [Timer; 6] = [
        Timer::Pause,
        Timer::Pong,
        Timer::Activity,
        Timer::Handshake,
        Timer::Unavailable,
        Timer::Retry,
    ];
}

impl Timer {
    /// This timer in a set of timers held as one byte.
    pub(crate) const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Identifies a shaped (debounced or throttled) listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShaperId(pub u32);

/// Deadlines by timer.
///
/// An array indexed by the timer's discriminant rather than a field per timer: reading
/// and writing a slot is then one bounds-checked access instead of a `match` per method.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    deadlines: [Option<Instant>; Timer::ALL.len()],
}

impl Timers {
    fn slot(&mut self, timer: Timer) -> Option<&mut Option<Instant>> {
        self.deadlines.get_mut(timer as usize)
    }

    /// The deadline of `timer`, if armed.
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.deadlines.get(timer as usize).copied().flatten()
    }

    /// Arms `timer` for `at`, replacing any earlier deadline. Out of line: the state
    /// machine arms timers at many places.
    #[inline(never)]
    pub fn set(&mut self, timer: Timer, at: Instant) {
        if let Some(slot) = self.slot(timer) {
            *slot = Some(at);
        }
    }

    /// Arms `timer` for `after` past `now`: the one place a configured delay becomes a
    /// deadline, out of line for its many callers.
    #[inline(never)]
    pub(crate) fn set_after(&mut self, timer: Timer, now: Instant, after: Duration) {
        self.set(timer, now + after);
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        if let Some(slot) = self.slot(timer) {
            *slot = None;
        }
    }

    /// Disarms `timer` and says whether it was due at `now`.
    pub fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        match self.slot(timer) {
            Some(slot) if slot.is_some_and(|at| at <= now) => {
                *slot = None;
                true
            }
            _ => false,
        }
    }

    /// Disarms every connection timer but `keep`.
    pub fn stop_connection_timers_except(&mut self, keep: &[Timer]) {
        self.stop_all_but(keep.iter().fold(0, |set, &timer| set | timer.bit()));
    }

    /// Disarms every timer whose [`Timer::bit`] is not in `keep`: a set of timers as
    /// one byte, where a list of them cost a search per slot in the wasm.
    pub(crate) fn stop_all_but(&mut self, keep: u8) {
        for (index, slot) in self.deadlines.iter_mut().enumerate() {
            if keep >> index & 1 == 0 {
                *slot = None;
            }
        }
    }

    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        // A loop rather than a `flatten().min()` pipeline: same result, less wasm.
        let mut earliest: Option<Instant> = None;
        for &at in self.deadlines.iter().flatten() {
            if earliest.is_none_or(|e| at < e) {
                earliest = Some(at);
            }
        }
        earliest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_the_earliest_of_all() {
        let mut t = Timers::default();
        assert_eq!(t.next(), None);
        t.set(Timer::Activity, Instant::from_millis(500));
        t.set(Timer::Pause, Instant::from_millis(300));
        t.set(Timer::Retry, Instant::from_millis(400));
        assert_eq!(t.next(), Some(Instant::from_millis(300)));
        t.stop(Timer::Pause);
        assert_eq!(t.next(), Some(Instant::from_millis(400)));
        assert!(!t.take_expired(Timer::Retry, Instant::from_millis(399)));
        assert!(t.take_expired(Timer::Retry, Instant::from_millis(401)));
        assert_eq!(t.next(), Some(Instant::from_millis(500)));
        t.stop_connection_timers_except(&[]);
        assert_eq!(t.next(), None);
    }
}
