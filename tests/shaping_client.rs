//! Debounce and throttle through the [`Client`]: verdicts from [`Client::offer`],
//! [`Event::Flush`] from [`Client::handle_timeout`] at the right virtual times, shaper
//! deadlines sharing [`Client::poll_timeout`] with the connection's timers, and removal.
#![cfg(not(target_arch = "wasm32"))]
mod support;

use std::time::Duration;

use echo_wasm::protocol::*;
use support::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn debounce() -> Shape {
    Shape::Debounce {
        wait: ms(250),
        max_wait: Some(ms(1000)),
    }
}

/// Runs the clock to `end` (absolute ms), firing every deadline at its own time, and
/// returns the flushes with the time they happened at.
fn run_to(h: &mut Harness, end: u64) -> Vec<(u64, ShaperId)> {
    let mut flushes = Vec::new();
    loop {
        h.drain();
        match h.client.poll_timeout() {
            Some(at) if at.as_millis() <= end => {
                h.now = h.now.max(at);
                h.client.handle_timeout(h.now);
                h.drain();
                for event in h.take_events() {
                    match event {
                        Event::Flush { shaper } => flushes.push((h.now.as_millis(), shaper)),
                        other => h.events.push(other),
                    }
                }
            }
            _ => break,
        }
    }
    h.now = Instant::from_millis(end.max(h.now.as_millis()));
    flushes
}

/// Runs to `at`, then offers one event there.
fn offer_at(h: &mut Harness, flushes: &mut Vec<(u64, ShaperId)>, at: u64, id: ShaperId) -> Verdict {
    flushes.extend(run_to(h, at));
    h.client.offer(h.now, id)
}

#[test]
fn burst_of_ten_flushes_once_after_the_quiet_time() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(debounce());
    let mut flushes = Vec::new();
    let start = 10_000;
    for i in 0..10 {
        let verdict = offer_at(&mut h, &mut flushes, start + i * 50, id);
        assert_eq!(verdict, Verdict::Hold);
    }
    // Each event pushes the deadline back.
    assert_eq!(
        h.client.poll_timeout(),
        Some(Instant::from_millis(start + 450 + 250))
    );
    flushes.extend(run_to(&mut h, start + 5_000));
    assert_eq!(flushes, [(start + 450 + 250, id)]);
    assert_eq!(h.client.poll_timeout(), None, "nothing held any more");
}

#[test]
fn continuous_events_flush_every_max_wait() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(debounce());
    let mut flushes = Vec::new();
    let start = 10_000;
    // Every 100 ms for 3.5 s: never 250 ms of quiet.
    for i in 0..=35 {
        assert_eq!(
            offer_at(&mut h, &mut flushes, start + i * 100, id),
            Verdict::Hold
        );
    }
    flushes.extend(run_to(&mut h, start + 10_000));
    let times: Vec<u64> = flushes.iter().map(|(t, _)| t - start).collect();
    // Forced every 1000 ms; the tail flushes 250 ms after the last event (3500 ms).
    assert_eq!(times, [1000, 2000, 3000, 3750]);
    assert!(flushes.iter().all(|(_, s)| *s == id));
}

#[test]
fn debounce_without_max_wait_waits_for_quiet() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(Shape::Debounce {
        wait: ms(250),
        max_wait: None,
    });
    let mut flushes = Vec::new();
    for i in 0..30 {
        offer_at(&mut h, &mut flushes, 1_000 + i * 200, id);
    }
    assert!(flushes.is_empty(), "{flushes:?}");
    flushes.extend(run_to(&mut h, 20_000));
    assert_eq!(flushes, [(1_000 + 29 * 200 + 250, id)]);
}

#[test]
fn throttle_with_trailing() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(Shape::Throttle {
        interval: ms(1000),
        trailing: true,
    });
    let mut flushes = Vec::new();
    let mut verdicts = Vec::new();
    for at in [1_000, 1_100, 1_500, 2_500, 4_200, 4_300] {
        verdicts.push((at, offer_at(&mut h, &mut flushes, at, id)));
    }
    flushes.extend(run_to(&mut h, 10_000));
    assert_eq!(
        verdicts,
        [
            (1_000, Verdict::Deliver), // opens a window to 2000
            (1_100, Verdict::Hold),
            (1_500, Verdict::Hold),
            (2_500, Verdict::Hold), // the trailing flush at 2000 opened a window to 3000
            (4_200, Verdict::Deliver), // the flush at 3000 opened a window to 4000, empty
            (4_300, Verdict::Hold),
        ]
    );
    assert_eq!(flushes, [(2_000, id), (3_000, id), (5_200, id)]);
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn throttle_without_trailing_drops_and_never_flushes() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(Shape::Throttle {
        interval: ms(1000),
        trailing: false,
    });
    let mut flushes = Vec::new();
    let mut verdicts = Vec::new();
    for at in [1_000, 1_400, 1_999, 2_000, 2_500, 3_100] {
        verdicts.push(offer_at(&mut h, &mut flushes, at, id));
    }
    flushes.extend(run_to(&mut h, 10_000));
    assert_eq!(
        verdicts,
        [
            Verdict::Deliver,
            Verdict::Drop,
            Verdict::Drop,
            Verdict::Deliver,
            Verdict::Drop,
            Verdict::Deliver
        ]
    );
    assert!(flushes.is_empty());
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn remove_shaper_stops_further_flushes() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(debounce());
    let other = h.client.add_shaper(debounce());
    assert_ne!(id, other);
    let mut flushes = Vec::new();
    offer_at(&mut h, &mut flushes, 1_000, id);
    offer_at(&mut h, &mut flushes, 1_100, other);
    assert_eq!(h.client.poll_timeout(), Some(Instant::from_millis(1_250)));
    h.client.remove_shaper(id);
    // Its deadline is gone from the timer table at once.
    assert_eq!(h.client.poll_timeout(), Some(Instant::from_millis(1_350)));
    flushes.extend(run_to(&mut h, 5_000));
    assert_eq!(flushes, [(1_350, other)]);
    // A removed id is unknown: its events are delivered, never held.
    assert_eq!(h.client.offer(h.now, id), Verdict::Deliver);
    assert_eq!(h.client.poll_timeout(), None);
    flushes.extend(run_to(&mut h, 10_000));
    assert_eq!(flushes.len(), 1);
}

#[test]
fn unknown_shaper_delivers() {
    let mut h = Harness::new();
    for id in [ShaperId(0), ShaperId(1), ShaperId(u32::MAX)] {
        assert_eq!(h.client.offer(h.now, id), Verdict::Deliver);
    }
    assert_eq!(h.client.poll_timeout(), None);
    let known = h.client.add_shaper(debounce());
    assert_eq!(
        h.client.offer(h.now, ShaperId(known.0 + 1)),
        Verdict::Deliver
    );
    assert_eq!(h.client.poll_timeout(), None);
    h.drain();
    assert!(h.events.is_empty());
}

#[test]
fn shaper_deadlines_share_poll_timeout_with_connection_timers() {
    let mut h = Harness::live("1.1");
    let activity = h.now + Duration::from_secs(120);
    assert_eq!(h.client.poll_timeout(), Some(activity));
    let id = h.client.add_shaper(debounce());
    assert_eq!(h.client.poll_timeout(), Some(activity), "nothing held yet");
    let start = h.now.as_millis();
    assert_eq!(h.client.offer(h.now, id), Verdict::Hold);
    assert_eq!(h.client.poll_timeout(), Some(h.now + ms(250)));
    let flushes = run_to(&mut h, start + 1_000);
    assert_eq!(flushes, [(start + 250, id)]);
    assert_eq!(h.client.poll_timeout(), Some(activity));
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.sent.is_empty(), "a flush is not a ping");

    // A deadline later than the activity timer comes second.
    let slow = h.client.add_shaper(Shape::Debounce {
        wait: Duration::from_secs(500),
        max_wait: None,
    });
    h.client.offer(h.now, slow);
    assert_eq!(h.client.poll_timeout(), Some(activity));
    let flushes = run_to(&mut h, activity.as_millis());
    assert!(flushes.is_empty());
    assert_eq!(h.take_sent(), [r#"{"event":"pusher:ping","data":{}}"#]);
    // Now the pong wait (30 s) is the earliest, the shaper still pending after it.
    assert_eq!(
        h.client.poll_timeout(),
        Some(activity + Duration::from_secs(30))
    );
    h.server(r#"{"event":"pusher:pong","data":{}}"#);
    assert_eq!(
        h.client.poll_timeout(),
        Some(h.now + Duration::from_secs(120))
    );
    let flushes = run_to(&mut h, start + 1_000 + 500_000);
    assert_eq!(flushes, [(start + 1_000 + 500_000, slow)]);
}

#[test]
fn shapers_keep_working_across_connection_changes() {
    let mut h = Harness::live("1.1");
    let id = h.client.add_shaper(debounce());
    let start = h.now.as_millis();
    h.client.offer(h.now, id);
    // The link drops and the client reconnects meanwhile; the held burst still flushes.
    h.server_close(1006);
    let flushes = run_to(&mut h, start + 250);
    assert_eq!(flushes, [(start + 250, id)]);
    h.client.offer(h.now, id);
    h.client.disconnect(h.now);
    h.drain();
    assert_eq!(h.client.poll_timeout(), Some(h.now + ms(250)));
    let flushes = run_to(&mut h, start + 10_000);
    assert_eq!(flushes, [(start + 500, id)]);
}

#[test]
fn late_timer_flushes_once() {
    let mut h = Harness::new();
    let id = h.client.add_shaper(debounce());
    h.client.offer(h.now, id);
    // A background tab fires the timer 10 s late: exactly one flush.
    h.jump(10_000);
    let flushes: Vec<_> = h
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::Flush { .. }))
        .collect();
    assert_eq!(flushes, [Event::Flush { shaper: id }]);
    h.client.handle_timeout(h.now);
    h.drain();
    assert!(h.events.is_empty());
    assert_eq!(h.client.poll_timeout(), None);
}
