//! Debounce and throttle as pure timing state, so bursty channels don't flood listeners.
//!
//! A burst of events (one table refresh per row update) should reach an app listener as
//! one call, or as a few evenly spaced calls. The core only decides *when* a listener is
//! called; the shell keeps the payloads (the last one, or all of the burst). Each shaped
//! listener owns a [`Shaper`]: the shell asks it about every event with
//! [`Shaper::offer`], puts [`Shaper::deadline`] into the core's single timer table, and
//! calls [`Shaper::on_timeout`] when that time comes.
//!
//! No clock is read here. Time that goes backwards is treated as no time passing, and all
//! arithmetic saturates, so no sequence of calls can panic.

use core::time::Duration;

use super::time::{millis, Instant};

/// How a listener's calls are shaped in time, so the JS options
/// `{ debounce, maxWait }` and `{ throttle }` map onto one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Trailing debounce: call once, `wait` after the last event of a burst. With
    /// `max_wait`, a burst that keeps going is still flushed at most `max_wait` after its
    /// first held event (lodash `debounce(fn, wait, {maxWait})` trailing semantics; after
    /// such a forced flush, later events start a new burst). A `max_wait` shorter than
    /// `wait` caps every burst at `max_wait` (lodash would raise it to `wait`; clamp in the
    /// JS layer if that is wanted).
    Debounce {
        /// Quiet time after the last event before the burst is flushed.
        wait: Duration,
        /// Longest a burst may be held, from its first event, so it can never starve.
        max_wait: Option<Duration>,
    },
    /// Leading throttle: the first event is delivered at once and opens a window of
    /// `interval`; events inside the window are held and, when `trailing`, flushed once
    /// when the window ends (which opens a new window); without `trailing` they are
    /// dropped (the shell discards them).
    Throttle {
        /// Minimum spacing between two calls of the listener.
        interval: Duration,
        /// Whether events inside a window are flushed when it ends instead of dropped.
        trailing: bool,
    },
}

/// What the shell must do with an event that just arrived, so payload storage stays in
/// the shell and the core only rules on timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Call the listener now with this event.
    Deliver,
    /// Keep the event; a later flush (`on_timeout` returning true) delivers it.
    Hold,
    /// Throttle without trailing: discard the event.
    Drop,
}

/// Timing of the current burst or window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing held, no window open.
    Idle,
    /// Debounce: events held since `first`, the latest that moved the deadline at `last`.
    Burst { first: Instant, last: Instant },
    /// Throttle: a window open until `end`; `held` when events await a trailing flush.
    Window { end: Instant, held: bool },
}

/// Timing state of one shaped listener, owned by the client core so shaping is decided
/// deterministically and tested without a browser.
#[derive(Debug, Clone)]
pub struct Shaper {
    shape: Shape,
    /// The debounce `wait` or the throttle `interval`, and the debounce `max_wait`, in
    /// milliseconds: converted once, where each `Duration` sum is a computation of its
    /// own in the wasm.
    span: u64,
    max_wait: Option<u64>,
    state: State,
    /// Latest time seen; earlier `now`s are raised to it so time never runs backwards.
    clock: Instant,
}

impl Shaper {
    /// A shaper with nothing held, for a listener just registered with `shape`.
    pub fn new(shape: Shape) -> Self {
        let (span, max_wait) = match shape {
            Shape::Debounce { wait, max_wait } => (wait, max_wait),
            Shape::Throttle { interval, .. } => (interval, None),
        };
        Shaper {
            shape,
            span: millis(span),
            max_wait: max_wait.map(millis),
            state: State::Idle,
            clock: Instant::ZERO,
        }
    }

    /// The shape this shaper was built with, so the shell can tell how to store payloads.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// An event arrived at `now`; the verdict tells the shell to deliver, keep or discard it.
    ///
    /// A debounce event that arrives once its burst is already due (the timer is late)
    /// joins that burst without pushing the deadline back, so a throttled background tab
    /// cannot starve the listener. Likewise a throttle event arriving after a window with
    /// held events ended, but before `on_timeout` ran, is held for that pending flush.
    pub fn offer(&mut self, now: Instant) -> Verdict {
        let now = self.tick(now);
        match self.shape {
            Shape::Debounce { .. } => {
                let due = self.is_due(now);
                match &mut self.state {
                    // An overdue burst keeps its deadline; this event rides along.
                    State::Burst { last, .. } => {
                        if !due {
                            *last = now;
                        }
                    }
                    state => {
                        *state = State::Burst {
                            first: now,
                            last: now,
                        }
                    }
                }
                Verdict::Hold
            }
            Shape::Throttle { trailing, .. } => match self.state {
                State::Window { end, held } if now < end || held => {
                    if trailing {
                        self.state = State::Window { end, held: true };
                        Verdict::Hold
                    } else {
                        Verdict::Drop
                    }
                }
                _ => {
                    self.state = State::Window {
                        end: now.plus(self.span),
                        held: false,
                    };
                    Verdict::Deliver
                }
            },
        }
    }

    /// When `on_timeout` must next be called, or `None` when nothing is held (an open
    /// throttle window with nothing held needs no timer: `offer` checks its end).
    pub fn deadline(&self) -> Option<Instant> {
        match self.state {
            State::Burst { first, last } => {
                let quiet = last.plus(self.span);
                Some(match self.max_wait {
                    Some(max) => quiet.min(first.plus(max)),
                    None => quiet,
                })
            }
            State::Window { end, held: true } => Some(end),
            _ => None,
        }
    }

    /// Time has reached `now` (possibly well after the deadline: background tabs fire
    /// timers late). Returns true when the held events must be flushed now, exactly once
    /// per burst or window. Before the deadline it returns false and nothing changes but
    /// the latest time seen. A late throttle flush opens its new window at `now`.
    pub fn on_timeout(&mut self, now: Instant) -> bool {
        let now = self.tick(now);
        if !self.is_due(now) {
            return false;
        }
        self.state = match self.shape {
            Shape::Debounce { .. } => State::Idle,
            Shape::Throttle { .. } => State::Window {
                end: now.plus(self.span),
                held: false,
            },
        };
        true
    }

    /// Forget held events and open windows, for a listener removed or flushed by the app.
    pub fn reset(&mut self) {
        self.state = State::Idle;
    }

    /// Whether events are currently held awaiting a flush, so the shell can tell if it
    /// must keep payloads.
    pub fn is_holding(&self) -> bool {
        matches!(
            self.state,
            State::Burst { .. } | State::Window { held: true, .. }
        )
    }

    /// Raises `now` to the latest time seen and records it.
    fn tick(&mut self, now: Instant) -> Instant {
        self.clock = self.clock.max(now);
        self.clock
    }

    /// Whether held events are due for a flush at `now`.
    fn is_due(&self, now: Instant) -> bool {
        self.deadline().is_some_and(|due| now >= due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn debounce(wait: u64, max_wait: Option<u64>) -> Shaper {
        Shaper::new(Shape::Debounce {
            wait: ms(wait),
            max_wait: max_wait.map(ms),
        })
    }

    fn throttle(interval: u64, trailing: bool) -> Shaper {
        Shaper::new(Shape::Throttle {
            interval: ms(interval),
            trailing,
        })
    }

    #[test]
    fn shape_is_kept() {
        let shape = Shape::Throttle {
            interval: ms(500),
            trailing: true,
        };
        assert_eq!(Shaper::new(shape).shape(), shape);
        assert!(!Shaper::new(shape).is_holding());
        assert_eq!(Shaper::new(shape).deadline(), None);
    }

    #[test]
    fn debounce_burst_flushes_once_after_quiet() {
        let mut s = debounce(250, None);
        for t in [0, 100, 200] {
            assert_eq!(s.offer(at(t)), Verdict::Hold);
        }
        assert!(s.is_holding());
        assert_eq!(s.deadline(), Some(at(450)));
        assert!(!s.on_timeout(at(449)));
        assert_eq!(s.deadline(), Some(at(450)));
        assert!(s.on_timeout(at(450)));
        assert_eq!(s.deadline(), None);
        assert!(!s.is_holding());
        assert!(!s.on_timeout(at(450)));
    }

    #[test]
    fn debounce_single_event() {
        let mut s = debounce(250, None);
        assert_eq!(s.offer(at(1000)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(1250)));
        assert!(!s.on_timeout(at(1249)));
        assert!(s.on_timeout(at(1250)));
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn debounce_max_wait_forces_flush_and_restarts() {
        let mut s = debounce(250, Some(1000));
        let mut flushes = Vec::new();
        for t in (0..=5000).step_by(100) {
            assert_eq!(s.offer(at(t)), Verdict::Hold);
            if s.deadline().is_some_and(|d| d <= at(t)) {
                assert!(s.on_timeout(at(t)));
                flushes.push(t);
            }
            assert!(s.deadline().is_none_or(|d| d > at(t)));
        }
        assert_eq!(flushes, vec![1000, 2100, 3200, 4300]);
        // The burst begun at 4400 is still pending, forced at 5400 at the latest.
        assert_eq!(s.deadline(), Some(at(5250)));
    }

    #[test]
    fn debounce_max_wait_from_first_event() {
        let mut s = debounce(250, Some(1000));
        s.offer(at(0));
        assert_eq!(s.deadline(), Some(at(250)));
        s.offer(at(200));
        s.offer(at(400));
        s.offer(at(600));
        s.offer(at(800));
        assert_eq!(s.deadline(), Some(at(1000)));
        assert!(s.on_timeout(at(1000)));
        s.offer(at(1100));
        assert_eq!(s.deadline(), Some(at(1350)));
    }

    #[test]
    fn debounce_late_timeout_flushes_once() {
        let mut s = debounce(250, None);
        s.offer(at(0));
        s.offer(at(100));
        s.offer(at(200));
        assert_eq!(s.deadline(), Some(at(450)));
        assert!(s.on_timeout(at(5000)));
        assert_eq!(s.deadline(), None);
        assert!(!s.is_holding());
        assert!(!s.on_timeout(at(5000)));
        assert!(!s.on_timeout(at(9000)));
    }

    #[test]
    fn debounce_zero_wait() {
        let mut s = debounce(0, None);
        assert_eq!(s.offer(at(70)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(70)));
        assert!(s.on_timeout(at(70)));
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn debounce_event_after_missed_deadline_joins_due_burst() {
        let mut s = debounce(250, None);
        s.offer(at(0));
        // The timer for 250 has not fired yet (background tab).
        assert_eq!(s.offer(at(3000)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(250)));
        assert!(s.on_timeout(at(3001)));
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn throttle_trailing_windows() {
        let mut s = throttle(500, true);
        assert_eq!(s.offer(at(0)), Verdict::Deliver);
        assert_eq!(s.deadline(), None);
        assert!(!s.is_holding());
        assert_eq!(s.offer(at(100)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(500)));
        assert_eq!(s.offer(at(300)), Verdict::Hold);
        assert!(s.is_holding());
        assert!(!s.on_timeout(at(499)));
        assert!(s.on_timeout(at(500)));
        assert!(!s.is_holding());
        assert_eq!(s.deadline(), None);
        // The flush opened a window until 1000.
        assert_eq!(s.offer(at(600)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(1000)));
        assert!(s.on_timeout(at(1000)));
        assert!(!s.on_timeout(at(1000)));
        // Window until 1500 passes quietly.
        assert!(!s.on_timeout(at(1500)));
        assert_eq!(s.offer(at(1600)), Verdict::Deliver);
        assert_eq!(s.offer(at(2099)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(2100)));
    }

    #[test]
    fn throttle_window_enforced_without_timer() {
        let mut s = throttle(500, true);
        assert_eq!(s.offer(at(0)), Verdict::Deliver);
        assert_eq!(s.deadline(), None);
        assert_eq!(s.offer(at(499)), Verdict::Hold);
        let mut s = throttle(500, true);
        assert_eq!(s.offer(at(0)), Verdict::Deliver);
        assert_eq!(s.offer(at(500)), Verdict::Deliver);
    }

    #[test]
    fn throttle_without_trailing_drops() {
        let mut s = throttle(500, false);
        assert_eq!(s.offer(at(0)), Verdict::Deliver);
        assert_eq!(s.offer(at(100)), Verdict::Drop);
        assert_eq!(s.offer(at(300)), Verdict::Drop);
        assert!(!s.is_holding());
        assert_eq!(s.deadline(), None);
        assert!(!s.on_timeout(at(500)));
        assert!(!s.on_timeout(at(550)));
        assert_eq!(s.offer(at(600)), Verdict::Deliver);
        assert_eq!(s.offer(at(1099)), Verdict::Drop);
        assert_eq!(s.offer(at(1100)), Verdict::Deliver);
    }

    #[test]
    fn throttle_late_timeout_opens_window_at_now() {
        let mut s = throttle(500, true);
        s.offer(at(0));
        s.offer(at(100));
        assert_eq!(s.deadline(), Some(at(500)));
        assert!(s.on_timeout(at(2000)));
        assert!(!s.on_timeout(at(2000)));
        assert_eq!(s.offer(at(2100)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(2500)));
        assert!(!s.on_timeout(at(2499)));
        assert!(s.on_timeout(at(2500)));
    }

    #[test]
    fn throttle_event_after_missed_window_end_waits_for_flush() {
        let mut s = throttle(500, true);
        s.offer(at(0));
        s.offer(at(100));
        // The timer for 500 has not fired yet; a new event must not jump the flush.
        assert_eq!(s.offer(at(700)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(500)));
        assert!(s.on_timeout(at(710)));
        assert_eq!(s.offer(at(800)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(1210)));
    }

    #[test]
    fn early_timeout_changes_nothing() {
        let mut s = debounce(250, Some(400));
        s.offer(at(100));
        let before = s.state;
        assert!(!s.on_timeout(at(349)));
        assert!(!s.on_timeout(at(0)));
        assert_eq!(s.state, before);
        let mut s = throttle(500, true);
        s.offer(at(0));
        s.offer(at(10));
        let before = s.state;
        assert!(!s.on_timeout(at(499)));
        assert_eq!(s.state, before);
        let mut s = debounce(250, None);
        assert!(!s.on_timeout(at(1000)));
        assert_eq!(s.state, State::Idle);
    }

    #[test]
    fn time_going_backwards_is_no_time_passing() {
        let mut s = debounce(250, None);
        s.offer(at(1000));
        s.offer(at(500));
        assert_eq!(s.deadline(), Some(at(1250)));
        assert!(!s.on_timeout(at(0)));
        assert!(s.on_timeout(at(1250)));

        let mut s = throttle(500, true);
        assert_eq!(s.offer(at(1000)), Verdict::Deliver);
        assert_eq!(s.offer(at(200)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(1500)));
        assert!(!s.on_timeout(at(0)));
        assert!(s.on_timeout(at(1500)));
        assert_eq!(s.offer(at(3)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(at(2000)));
    }

    #[test]
    fn huge_durations_saturate() {
        let far = at(u64::MAX);
        let mut s = Shaper::new(Shape::Debounce {
            wait: Duration::MAX,
            max_wait: Some(Duration::MAX),
        });
        s.offer(at(u64::MAX - 1));
        assert_eq!(s.deadline(), Some(far));
        assert!(!s.on_timeout(at(u64::MAX - 1)));
        assert!(s.on_timeout(far));
        s.offer(far);
        assert!(s.on_timeout(far));

        let mut s = Shaper::new(Shape::Throttle {
            interval: Duration::MAX,
            trailing: true,
        });
        assert_eq!(s.offer(at(7)), Verdict::Deliver);
        assert_eq!(s.offer(at(u64::MAX - 1)), Verdict::Hold);
        assert_eq!(s.deadline(), Some(far));
        assert!(s.on_timeout(far));
        assert_eq!(s.offer(far), Verdict::Deliver);
        assert_eq!(s.offer(far), Verdict::Deliver);

        let mut s = Shaper::new(Shape::Debounce {
            wait: ms(10),
            max_wait: Some(Duration::ZERO),
        });
        s.offer(at(5));
        assert_eq!(s.deadline(), Some(at(5)));
    }

    #[test]
    fn reset_forgets_everything() {
        let mut s = debounce(250, None);
        s.offer(at(0));
        s.reset();
        assert!(!s.is_holding());
        assert_eq!(s.deadline(), None);
        assert!(!s.on_timeout(at(10_000)));

        let mut s = throttle(500, true);
        s.offer(at(0));
        s.offer(at(100));
        s.reset();
        assert!(!s.is_holding());
        assert_eq!(s.deadline(), None);
        assert!(!s.on_timeout(at(500)));
        assert_eq!(s.offer(at(200)), Verdict::Deliver);
    }

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Offer(i64),
        Timeout(i64),
        Reset,
    }

    fn duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            8 => (0u64..1500).prop_map(Duration::from_millis),
            1 => Just(Duration::ZERO),
            1 => Just(Duration::MAX),
        ]
    }

    fn shape() -> impl Strategy<Value = Shape> {
        prop_oneof![
            (duration(), proptest::option::of(duration()))
                .prop_map(|(wait, max_wait)| Shape::Debounce { wait, max_wait }),
            (duration(), any::<bool>())
                .prop_map(|(interval, trailing)| Shape::Throttle { interval, trailing }),
        ]
    }

    /// Time steps: mostly forward, sometimes backward, sometimes huge.
    fn step() -> impl Strategy<Value = i64> {
        prop_oneof![
            8 => 0i64..800,
            2 => -800i64..0,
            1 => Just(i64::MAX),
            1 => Just(i64::MIN),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            5 => step().prop_map(Op::Offer),
            3 => step().prop_map(Op::Timeout),
            1 => Just(Op::Reset),
        ]
    }

    fn advance(t: u64, step: i64) -> u64 {
        t.saturating_add_signed(step)
    }

    fn gaps() -> impl Strategy<Value = Vec<u64>> {
        proptest::collection::vec(prop_oneof![4 => 0u64..300, 1 => 0u64..3000], 0..80)
    }

    fn spacing(interval: Duration) -> u64 {
        u64::try_from(interval.as_millis()).unwrap_or(u64::MAX)
    }

    proptest! {
        /// Any sequence of calls, with time jumping either way, keeps the state coherent.
        #[test]
        fn arbitrary_calls_stay_coherent(
            shape in shape(),
            start in prop_oneof![Just(0u64), 0u64..100_000, Just(u64::MAX - 1000)],
            ops in proptest::collection::vec(op(), 0..120),
        ) {
            let mut s = Shaper::new(shape);
            let mut t = start;
            let mut latest = 0u64;
            let (mut holds, mut flushes) = (0u32, 0u32);
            let mut last_call: Option<u64> = None;
            // Model: whether events were held since the last flush or reset.
            let mut outstanding = false;
            for op in ops {
                match op {
                    Op::Offer(d) => {
                        t = advance(t, d);
                        latest = latest.max(t);
                        let v = s.offer(at(t));
                        // A delivery must never skip over held events.
                        prop_assert!(v != Verdict::Deliver || !outstanding);
                        match (shape, v) {
                            (Shape::Debounce { .. }, v) => prop_assert_eq!(v, Verdict::Hold),
                            (Shape::Throttle { trailing, .. }, Verdict::Hold) => prop_assert!(trailing),
                            (Shape::Throttle { trailing, .. }, Verdict::Drop) => prop_assert!(!trailing),
                            (Shape::Throttle { interval, .. }, Verdict::Deliver) => {
                                if let Some(prev) = last_call {
                                    prop_assert!(latest >= prev.saturating_add(spacing(interval)));
                                }
                                last_call = Some(latest);
                            }
                        }
                        if v == Verdict::Hold {
                            holds += 1;
                            outstanding = true;
                            prop_assert!(s.is_holding());
                        }
                    }
                    Op::Timeout(d) => {
                        t = advance(t, d);
                        latest = latest.max(t);
                        let due = s.deadline();
                        let before = s.state;
                        let flushed = s.on_timeout(at(t));
                        prop_assert_eq!(flushed, due.is_some_and(|d| at(latest) >= d));
                        if flushed {
                            flushes += 1;
                            prop_assert!(outstanding);
                            outstanding = false;
                            prop_assert!(!s.is_holding());
                            prop_assert!(!s.on_timeout(at(t)));
                            if let Shape::Throttle { interval, .. } = shape {
                                if let Some(prev) = last_call {
                                    prop_assert!(latest >= prev.saturating_add(spacing(interval)));
                                }
                                last_call = Some(latest);
                            }
                        } else {
                            prop_assert_eq!(s.state, before);
                        }
                    }
                    Op::Reset => {
                        s.reset();
                        prop_assert!(!s.is_holding());
                        prop_assert_eq!(s.deadline(), None);
                        // A reset throttle may deliver at once again.
                        last_call = None;
                        outstanding = false;
                    }
                }
                prop_assert_eq!(s.is_holding(), s.deadline().is_some());
                prop_assert_eq!(s.is_holding(), outstanding);
                prop_assert!(flushes <= holds);
                prop_assert_eq!(s.shape(), shape);
            }
        }

        /// Driven on time, a debounce covers every held event by exactly one flush, after
        /// a quiet `wait` or at most `max_wait` after the burst began.
        #[test]
        fn debounce_driven_on_time(
            wait in 0u64..1000,
            max_wait in proptest::option::of(0u64..3000),
            gaps in gaps(),
        ) {
            let mut s = debounce(wait, max_wait);
            let mut pending: Vec<u64> = Vec::new();
            let (mut holds, mut flushes) = (0usize, 0usize);
            let mut t = 0u64;
            let check_flush = |s: &mut Shaper, pending: &mut Vec<u64>, now: u64| -> Result<bool, TestCaseError> {
                let Some(due) = s.deadline() else { return Ok(false) };
                if due > at(now) {
                    return Ok(false);
                }
                let f = due.as_millis();
                prop_assert!(s.on_timeout(due));
                prop_assert!(!pending.is_empty());
                let first = *pending.iter().min().unwrap_or(&f);
                let last = *pending.iter().max().unwrap_or(&f);
                match max_wait {
                    Some(m) => {
                        prop_assert!(pending.iter().all(|&a| f - a <= m.max(wait)));
                        prop_assert!(f - first <= m);
                        prop_assert!(f - last == wait || f - first == m);
                    }
                    None => prop_assert_eq!(f - last, wait),
                }
                // Inside a burst, events are closer than `wait` (else it would have flushed).
                let mut sorted = pending.clone();
                sorted.sort_unstable();
                prop_assert!(sorted.windows(2).all(|w| w[1] - w[0] < wait));
                pending.clear();
                Ok(true)
            };
            for gap in gaps {
                t += gap;
                while check_flush(&mut s, &mut pending, t)? {
                    flushes += 1;
                }
                prop_assert_eq!(s.offer(at(t)), Verdict::Hold);
                holds += 1;
                pending.push(t);
            }
            while check_flush(&mut s, &mut pending, u64::MAX)? {
                flushes += 1;
            }
            prop_assert!(pending.is_empty());
            prop_assert!(!s.is_holding());
            prop_assert!(flushes <= holds);
            prop_assert_eq!(flushes > 0, holds > 0);
        }

        /// Driven on time, a throttle never calls the listener twice within `interval`, and
        /// with `trailing` every held event is flushed exactly once, at most `interval` late.
        #[test]
        fn throttle_driven_on_time(
            interval in 0u64..1000,
            trailing in any::<bool>(),
            gaps in gaps(),
        ) {
            let mut s = throttle(interval, trailing);
            let mut calls: Vec<u64> = Vec::new();
            let mut pending: Vec<u64> = Vec::new();
            let mut t = 0u64;
            for gap in gaps.into_iter().chain([u64::MAX / 2]) {
                t += gap;
                while let Some(due) = s.deadline().filter(|&d| d <= at(t)) {
                    prop_assert!(trailing);
                    prop_assert!(s.on_timeout(due));
                    let f = due.as_millis();
                    prop_assert!(!pending.is_empty());
                    prop_assert!(pending.iter().all(|&a| f - a <= interval));
                    pending.clear();
                    calls.push(f);
                }
                match s.offer(at(t)) {
                    Verdict::Deliver => calls.push(t),
                    Verdict::Hold => pending.push(t),
                    Verdict::Drop => prop_assert!(!trailing),
                }
            }
            prop_assert!(pending.is_empty());
            prop_assert!(calls.windows(2).all(|w| w[1] - w[0] >= interval));
            prop_assert!(!calls.is_empty());
        }
    }
}
