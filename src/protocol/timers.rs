//! The table of connection deadlines. Every timing rule of the connection — heartbeat,
//! pong wait, handshake limit, unavailable state, reconnect delay, hidden-tab grace — is a
//! deadline here; with the debounce/throttle windows of the shapers, which keep their own
//! ([`crate::protocol::shaping::Shaper::deadline`]), they make
//! [`crate::protocol::Client::poll_timeout`], so the embedder needs exactly one platform
//! timer: armed for that, and [`crate::protocol::Client::handle_timeout`] when it fires (or
//! whenever the page wakes up: late is fine, deadlines are recomputed).

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

/// Identifies a shaped (debounced or throttled) listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShaperId(pub u32);

/// Deadlines by timer.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    pause: Option<Instant>,
    pong: Option<Instant>,
    activity: Option<Instant>,
    handshake: Option<Instant>,
    unavailable: Option<Instant>,
    retry: Option<Instant>,
}

impl Timers {
    fn slot(&mut self, timer: Timer) -> &mut Option<Instant> {
        match timer {
            Timer::Pause => &mut self.pause,
            Timer::Pong => &mut self.pong,
            Timer::Activity => &mut self.activity,
            Timer::Handshake => &mut self.handshake,
            Timer::Unavailable => &mut self.unavailable,
            Timer::Retry => &mut self.retry,
        }
    }

    /// The deadline of `timer`, if armed.
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        match timer {
            Timer::Pause => self.pause,
            Timer::Pong => self.pong,
            Timer::Activity => self.activity,
            Timer::Handshake => self.handshake,
            Timer::Unavailable => self.unavailable,
            Timer::Retry => self.retry,
        }
    }

    /// Arms `timer` for `at`, replacing any earlier deadline.
    pub fn set(&mut self, timer: Timer, at: Instant) {
        *self.slot(timer) = Some(at);
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        *self.slot(timer) = None;
    }

    /// Disarms `timer` and says whether it was due at `now`.
    pub fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        let slot = self.slot(timer);
        match *slot {
            Some(at) if at <= now => {
                *slot = None;
                true
            }
            _ => false,
        }
    }

    /// Disarms every connection timer but `keep`.
    pub fn stop_connection_timers_except(&mut self, keep: &[Timer]) {
        for &timer in &Timer::ALL {
            if !keep.contains(&timer) {
                self.stop(timer);
            }
        }
    }

    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        // A loop rather than a `filter_map().min()` pipeline: same result, less wasm.
        let mut earliest: Option<Instant> = None;
        for &timer in &Timer::ALL {
            if let Some(at) = self.get(timer) {
                if earliest.is_none_or(|e| at < e) {
                    earliest = Some(at);
                }
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
