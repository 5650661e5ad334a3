//! Connection-level behaviour of the sans-IO core on a virtual clock: the state machine,
//! the handshake, the close-code policy (the **ours** column of PROTOCOL.md §3), the
//! heartbeat, reconnection backoff with jitter, the page lifecycle and connection-level
//! messages.
#![cfg(not(target_arch = "wasm32"))]
mod support;

use std::time::Duration;

use echo_wasm::protocol::*;
use support::*;

/// The client's ping, exactly as it must go on the wire.
const PING: &str = r#"{"event":"pusher:ping","data":{}}"#;
/// The client's pong, exactly as it must go on the wire.
const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;
/// A server ping / pong (servers send the same text).
const SERVER_PING: &str = r#"{"event":"pusher:ping","data":{}}"#;
const SERVER_PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;

// ----- helpers ----------------------------------------------------------------------

fn seeded(seed: u64) -> Harness {
    let mut config = config();
    config.jitter_seed = seed;
    Harness::with_config(config)
}

/// A client that has been connected for 20 s: its connection counts as stable.
fn stable(seed: u64) -> Harness {
    let mut h = seeded(seed);
    h.connect();
    h.establish("1.1");
    h.advance(20 * SECOND);
    assert_eq!(h.client.state(), State::Connected);
    h
}

fn open_socket(h: &mut Harness) -> LinkId {
    let link = h.current_link();
    h.client.handle_socket_open(h.now, link);
    h.drain();
    link
}

/// Pings the client has sent so far.
fn pings(h: &Harness) -> usize {
    h.sent.iter().filter(|(_, text)| text == PING).count()
}

fn errors(h: &Harness) -> Vec<ClientError> {
    h.events
        .iter()
        .filter_map(|e| match e {
            Event::Error(error) => Some(error.clone()),
            _ => None,
        })
        .collect()
}

fn malformed_count(h: &Harness) -> usize {
    errors(h)
        .iter()
        .filter(|e| matches!(e, ClientError::MalformedFrame { .. }))
        .count()
}

/// Steps through the client's deadlines up to `limit` ms from now and returns how long
/// after now the next `Open` happened (0 when it already happened during the last
/// input), or `None` when nothing opened. Only time passes: nothing else is fed in.
fn wait_for_open(h: &mut Harness, opens_before: usize, limit: u64) -> Option<u64> {
    let start = h.now;
    if h.opens.len() > opens_before {
        return Some(0);
    }
    let end = Instant::from_millis(start.as_millis() + limit);
    while let Some(at) = h.client.poll_timeout() {
        if at > end {
            break;
        }
        h.advance_to(at);
        if h.opens.len() > opens_before {
            return Some(h.opens[opens_before].0.as_millis() - start.as_millis());
        }
    }
    h.advance_to(end);
    None
}

/// The current socket closes with `code`; returns the delay until the next `Open`
/// (within `limit` ms), or `None`.
fn close_and_wait(h: &mut Harness, code: u16, limit: u64) -> Option<u64> {
    let opens = h.opens.len();
    h.server_close(code);
    wait_for_open(h, opens, limit)
}

/// Advances `ms` with a healthy server that answers every ping at once.
fn advance_alive(h: &mut Harness, ms: u64) {
    let end = Instant::from_millis(h.now.as_millis() + ms);
    let mut seen = h.sent.len();
    loop {
        let pinged = h.sent[seen..].iter().any(|(_, text)| text == PING);
        if pinged && h.client.state() == State::Connected {
            h.server(SERVER_PONG);
        }
        seen = h.sent.len();
        match h.client.poll_timeout() {
            Some(at) if at <= end => {
                assert!(at >= h.now, "a deadline in the past: {at:?} < {:?}", h.now);
                h.advance_to(at);
            }
            _ => break,
        }
    }
    h.advance_to(end);
    if h.sent[seen..].iter().any(|(_, text)| text == PING) && h.client.state() == State::Connected {
        h.server(SERVER_PONG);
    }
}

fn ceiling_ms(attempt: u32) -> u64 {
    (SECOND << attempt.min(20)).min(30 * SECOND)
}

// ----- 1. state machine basics -----------------------------------------------------

#[test]
fn initialized_connecting_connected_in_order() {
    let mut h = Harness::new();
    assert_eq!(h.client.state(), State::Initialized);
    assert_eq!(h.client.poll_timeout(), None);
    assert_eq!(h.client.socket_id(), None);

    h.connect();
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.opens.len(), 1);
    assert_eq!(
        h.opens[0].1,
        concat!(
            "ws://127.0.0.1:6001/app/test-key?protocol=7&client=echo-wasm&version=",
            env!("CARGO_PKG_VERSION"),
            "&flash=false"
        )
    );
    assert_eq!(h.client.socket_id(), None);

    let link = open_socket(&mut h);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.client.socket_id(), None);
    assert_eq!(h.client.status().socket_id, None);

    h.server(&established("123.456", 120));
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(h.client.socket_id(), Some("123.456"));
    assert_eq!(h.client.status().socket_id, Some("123.456"));
    assert_eq!(h.client.status().next_retry_at, None);
    assert_eq!(
        h.state_changes(),
        [
            (State::Initialized, State::Connecting),
            (State::Connecting, State::Connected)
        ]
    );
    assert!(errors(&h).is_empty());
    assert!(h.closes.is_empty());
    assert_eq!(h.current_link(), link);

    // connect() while connected does nothing.
    h.connect();
    assert_eq!(h.opens.len(), 1);
    assert_eq!(h.state_changes().len(), 2);
}

#[test]
fn connect_while_opening_does_not_open_a_second_socket() {
    let mut h = Harness::new();
    h.connect();
    h.connect();
    open_socket(&mut h);
    h.connect();
    assert_eq!(h.opens.len(), 1);
    assert_eq!(h.state_changes(), [(State::Initialized, State::Connecting)]);
}

#[test]
fn disconnect_closes_the_socket_and_never_retries() {
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.take_events();

    h.client.disconnect(h.now);
    h.drain();
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(h.client.socket_id(), None);
    let status = h.client.status();
    assert_eq!(status.disconnect_reason, Some(&DisconnectReason::Requested));
    assert_eq!(status.last_end, Some(&LinkEnd::CLOSED_BY_CLIENT));
    assert_eq!(status.next_retry_at, None);
    assert_eq!(h.client.poll_timeout(), None, "no timer left");
    assert_eq!(h.state_changes(), [(State::Connected, State::Disconnected)]);

    // The shell's report of that close changes nothing, and nothing ever retries.
    h.client.handle_socket_closed(h.now, link, 1006, "");
    h.drain();
    h.advance(10 * MINUTE);
    assert_eq!(h.opens.len(), 1);
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(h.state_changes().len(), 1);

    // connect() works again.
    h.connect();
    assert_eq!(h.opens.len(), 2);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.client.status().disconnect_reason, None);
    h.establish("2.2");
    assert_eq!(h.client.socket_id(), Some("2.2"));
    assert_eq!(
        h.state_changes(),
        [
            (State::Connected, State::Disconnected),
            (State::Disconnected, State::Connecting),
            (State::Connecting, State::Connected)
        ]
    );
}

#[test]
fn disconnect_while_connecting_or_waiting_stops_everything() {
    // While the socket is opening.
    let mut h = Harness::new();
    h.connect();
    let link = h.current_link();
    h.client.disconnect(h.now);
    h.drain();
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(h.client.poll_timeout(), None);
    h.advance(10 * MINUTE);
    assert_eq!(h.opens.len(), 1);

    // While waiting out a backoff delay.
    let mut h = Harness::new();
    h.connect();
    let mut closes = 0;
    while h.client.status().next_retry_at.is_none() {
        h.server_close(1006);
        closes += 1;
        assert!(closes < 50);
    }
    let opens = h.opens.len();
    h.client.disconnect(h.now);
    h.drain();
    assert!(h.closes.is_empty(), "no socket to close while waiting");
    assert_eq!(h.client.status().next_retry_at, None);
    assert_eq!(h.client.poll_timeout(), None);
    h.advance(10 * MINUTE);
    assert_eq!(h.opens.len(), opens);
}

#[test]
fn unavailable_after_ten_seconds_while_still_retrying() {
    let mut h = Harness::new();
    h.connect();
    let link = open_socket(&mut h);

    h.advance(10 * SECOND - 1);
    assert_eq!(h.client.state(), State::Connecting);
    h.advance(1);
    assert_eq!(h.client.state(), State::Unavailable);
    assert_eq!(
        h.state_changes(),
        [
            (State::Initialized, State::Connecting),
            (State::Connecting, State::Unavailable)
        ]
    );

    // The handshake limit (15 s) abandons the socket and retries.
    h.advance(5 * SECOND - 1);
    assert!(h.closes.is_empty());
    h.advance(1);
    assert_eq!(h.closes, [link]);
    assert_eq!(
        h.client.status().last_end,
        Some(&LinkEnd::HANDSHAKE_TIMEOUT)
    );
    assert_eq!(h.client.state(), State::Unavailable);
    let delay = wait_for_open(&mut h, 1, MINUTE).expect("retried");
    assert!(delay <= SECOND, "first retry within 1 s, was {delay}");
    assert_eq!(h.client.state(), State::Unavailable, "still trying");

    // Getting connected ends it; losing the connection starts over in `connecting`.
    h.establish("1.1");
    assert_eq!(
        h.state_changes().last(),
        Some(&(State::Unavailable, State::Connected))
    );
    h.advance(20 * SECOND);
    h.server_close(1006);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(
        h.state_changes().last(),
        Some(&(State::Connected, State::Connecting))
    );
    h.advance(10 * SECOND - 1);
    assert_eq!(h.client.state(), State::Connecting);
    h.advance(1);
    assert_eq!(h.client.state(), State::Unavailable);
}

#[test]
fn handshake_timeout_closes_and_retries() {
    let mut h = Harness::new();
    h.connect();
    let first = open_socket(&mut h);
    h.advance(15 * SECOND - 1);
    assert!(h.closes.is_empty());
    assert_eq!(h.opens.len(), 1);
    h.advance(1);
    assert_eq!(h.closes, [first]);
    let delay = wait_for_open(&mut h, 1, MINUTE).expect("retried");
    assert!(delay <= SECOND);
    let second = h.current_link();
    assert_ne!(first, second);
    // A socket that never even opens is abandoned the same way.
    let opened_at = h.now;
    h.advance(15 * SECOND);
    assert_eq!(h.closes.last(), Some(&second));
    assert_eq!(h.elapsed_since(opened_at), Duration::from_secs(15));
    // And the late handshake of an abandoned socket is ignored.
    h.client
        .handle_frame(h.now, second, &established("9.9", 120));
    h.drain();
    assert_eq!(h.client.socket_id(), None);
}

#[test]
fn socket_failure_and_missing_websocket_are_failed() {
    let mut h = Harness::new();
    h.connect();
    let link = h.current_link();
    // A failure of some other socket is ignored.
    h.client
        .handle_socket_failed(h.now, LinkId(link.0.wrapping_add(100)), "nope");
    h.drain();
    assert_eq!(h.client.state(), State::Connecting);

    h.client.handle_socket_failed(h.now, link, "blocked by CSP");
    h.drain();
    assert_eq!(h.client.state(), State::Failed);
    assert_eq!(h.client.status().failure, Some("blocked by CSP"));
    assert_eq!(h.client.socket_id(), None);
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.poll_timeout(), None);
    assert_eq!(
        h.state_changes().last(),
        Some(&(State::Connecting, State::Failed))
    );
    h.advance(10 * MINUTE);
    assert_eq!(h.opens.len(), 1, "failed does not retry");

    // The app may try again.
    h.connect();
    assert_eq!(h.opens.len(), 2);
    assert_eq!(h.client.status().failure, None);
    h.establish("1.1");

    let mut h = Harness::new();
    h.client.handle_unsupported(h.now, "no WebSocket");
    h.drain();
    assert_eq!(h.client.state(), State::Failed);
    assert_eq!(h.client.status().failure, Some("no WebSocket"));
    assert_eq!(h.state_changes(), [(State::Initialized, State::Failed)]);
    assert_eq!(h.client.poll_timeout(), None);

    // While connected, too.
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.client.handle_unsupported(h.now, "gone");
    h.drain();
    assert_eq!(h.client.state(), State::Failed);
    assert_eq!(h.client.socket_id(), None);
    assert_eq!(h.closes, [link]);
}

#[test]
fn disconnect_after_failure_reports_the_change() {
    let mut h = Harness::new();
    h.client.handle_unsupported(h.now, "no WebSocket");
    h.drain();
    h.client.disconnect(h.now);
    h.drain();
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Requested)
    );
    assert_eq!(
        h.state_changes(),
        [
            (State::Initialized, State::Failed),
            (State::Failed, State::Disconnected)
        ]
    );
}

#[test]
fn reports_about_an_old_socket_are_ignored() {
    let mut h = stable(1);
    let old = h.current_link();
    assert!(close_and_wait(&mut h, 1006, MINUTE).is_some());
    let new = h.current_link();
    assert_ne!(old, new);
    h.client.handle_socket_open(h.now, new);
    h.take_events();
    h.sent.clear();

    // While the new socket is handshaking.
    h.client.handle_socket_open(h.now, old);
    h.client.handle_frame(h.now, old, &established("9.9", 120));
    h.client.handle_frame(h.now, old, SERVER_PING);
    h.client.handle_frame(
        h.now,
        old,
        r#"{"event":"pusher:error","data":{"code":4001,"message":"x"}}"#,
    );
    h.client.handle_socket_closed(h.now, old, 4001, "refused");
    h.client.handle_socket_failed(h.now, old, "failed");
    h.drain();
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.client.socket_id(), None);
    assert!(h.sent.is_empty(), "{:?}", h.sent);
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert!(h.closes.is_empty());

    // And once it is connected.
    h.server(&established("2.2", 120));
    assert_eq!(h.client.socket_id(), Some("2.2"));
    h.take_events();
    h.client
        .handle_frame(h.now, old, r#"{"event":"my-event","data":"{}"}"#);
    h.client.handle_socket_closed(h.now, old, 1006, "");
    h.client.handle_socket_failed(h.now, old, "failed");
    h.drain();
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(h.client.socket_id(), Some("2.2"));
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.opens.len(), 2);
    assert!(h.sent.iter().all(|(link, _)| *link == new));
}

// ----- 2. handshake -----------------------------------------------------------------

#[test]
fn established_data_as_string_or_object() {
    let texts = [
        established("123.456", 120),
        r#"{"event":"pusher:connection_established","data":{"socket_id":"123.456","activity_timeout":120}}"#
            .to_owned(),
    ];
    for text in texts {
        let mut h = Harness::new();
        h.connect();
        open_socket(&mut h);
        h.server(&text);
        assert_eq!(h.client.state(), State::Connected, "{text}");
        assert_eq!(h.client.socket_id(), Some("123.456"));
        assert!(errors(&h).is_empty(), "{:?}", errors(&h));
    }
}

#[test]
fn activity_timeout_is_the_smaller_of_option_and_server() {
    // (option s, server data, expected ping after s)
    let cases: [(u64, &str, u64); 6] = [
        (
            120,
            r#"{\"socket_id\":\"1.2\",\"activity_timeout\":30}"#,
            30,
        ),
        (
            120,
            r#"{\"socket_id\":\"1.2\",\"activity_timeout\":500}"#,
            120,
        ),
        (
            120,
            r#"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"#,
            120,
        ),
        (
            20,
            r#"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"#,
            20,
        ),
        (120, r#"{\"socket_id\":\"1.2\"}"#, 120),
        (
            120,
            r#"{\"socket_id\":\"1.2\",\"activity_timeout\":0}"#,
            120,
        ),
    ];
    for (option, data, expected) in cases {
        let mut config = config();
        config.activity_timeout = Duration::from_secs(option);
        let mut h = Harness::with_config(config);
        h.connect();
        let link = open_socket(&mut h);
        h.server(&format!(
            r#"{{"event":"pusher:connection_established","data":"{data}"}}"#
        ));
        assert_eq!(h.client.state(), State::Connected, "{data}");
        h.advance(expected * SECOND - 1);
        assert_eq!(pings(&h), 0, "option {option}, {data}: too early");
        h.advance(1);
        assert_eq!(h.sent, [(link, PING.to_owned())], "option {option}, {data}");
    }
}

#[test]
fn bad_socket_ids_are_rejected_and_retried() {
    let datas = [
        r#""{\"socket_id\":\"abc\",\"activity_timeout\":120}""#,
        r#""{\"socket_id\":\"1.\",\"activity_timeout\":120}""#,
        r#""{\"socket_id\":\".1\"}""#,
        r#""{\"socket_id\":\"1.2.3\"}""#,
        r#""{\"socket_id\":\"1..2\"}""#,
        r#""{\"socket_id\":\"\"}""#,
        r#""{\"socket_id\":1.2}""#,
        r#""{\"activity_timeout\":120}""#,
        r#""not json""#,
        r#"{"socket_id":"a.b"}"#,
        r#"[]"#,
    ];
    for data in datas {
        let mut h = Harness::new();
        h.connect();
        let link = open_socket(&mut h);
        h.server(&format!(
            r#"{{"event":"pusher:connection_established","data":{data}}}"#
        ));
        assert_eq!(h.client.socket_id(), None, "{data}");
        assert_eq!(h.client.state(), State::Connecting, "{data}");
        assert_eq!(malformed_count(&h), 1, "{data}: {:?}", h.events);
        assert_eq!(h.closes, [link], "{data}");
        assert_eq!(h.client.status().last_end, Some(&LinkEnd::BAD_HANDSHAKE));
        let delay = wait_for_open(&mut h, 1, MINUTE).expect("retried");
        assert!(delay <= SECOND, "{data}: {delay}");
    }
    // Without any data at all.
    let mut h = Harness::new();
    h.connect();
    let link = open_socket(&mut h);
    h.server(r#"{"event":"pusher:connection_established"}"#);
    assert_eq!(malformed_count(&h), 1);
    assert_eq!(h.closes, [link]);
    assert!(wait_for_open(&mut h, 1, MINUTE).is_some());
}

#[test]
fn other_frames_before_the_handshake_are_reported_not_fatal() {
    let mut h = Harness::new();
    h.connect();
    open_socket(&mut h);
    h.server(r#"{"event":"my-event","data":"{}"}"#);
    h.server("not json");
    assert_eq!(malformed_count(&h), 2);
    assert!(h.closes.is_empty());
    h.server(&established("1.1", 120));
    assert_eq!(h.client.state(), State::Connected);
}

/// Connects (fresh backoff), opens the socket and lets the server answer the handshake
/// with `pusher:error` carrying `code`. Returns the harness and the socket.
fn handshake_error(code: &str) -> (Harness, LinkId) {
    let mut h = Harness::new();
    h.connect();
    let link = open_socket(&mut h);
    h.server(&format!(
        r#"{{"event":"pusher:error","data":{{"message":"nope","code":{code}}}}}"#
    ));
    (h, link)
}

#[test]
fn handshake_error_refused_codes_disconnect_for_good() {
    for code in [4001u16, 4003, 4004, 4005, 4006, 4007, 4008, 4009, 4099] {
        let (mut h, link) = handshake_error(&code.to_string());
        assert_eq!(h.closes, [link], "{code}");
        assert_eq!(h.client.state(), State::Disconnected, "{code}");
        assert_eq!(
            h.client.status().disconnect_reason,
            Some(&DisconnectReason::Refused { code })
        );
        assert_eq!(h.client.status().last_end.unwrap().reason(), "nope");
        assert_eq!(
            errors(&h),
            [
                ClientError::Server {
                    code: Some(code),
                    message: "nope".into()
                },
                ClientError::Refused {
                    code,
                    message: "nope".into()
                }
            ]
        );
        assert_eq!(
            h.state_changes().last(),
            Some(&(State::Connecting, State::Disconnected))
        );
        assert_eq!(h.client.poll_timeout(), None);
        // The close report that follows is ignored.
        h.client.handle_socket_closed(h.now, link, code, "");
        h.drain();
        h.advance(10 * MINUTE);
        assert_eq!(h.opens.len(), 1, "{code}");
    }
}

#[test]
fn handshake_error_recoverable_codes_act_like_the_close_code() {
    // 4000: TLS at once.
    let (h, link) = handshake_error("4000");
    assert_eq!(h.closes, [link]);
    assert_eq!(h.opens.len(), 2);
    assert!(h.opens[1]
        .1
        .starts_with("wss://127.0.0.1:443/app/test-key?"));
    assert_eq!(h.opens[1].0, h.now);

    // 4100: not before 1 s.
    let (mut h, link) = handshake_error("4100");
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Connecting);
    let delay = wait_for_open(&mut h, 1, MINUTE).unwrap();
    assert!(delay >= SECOND, "{delay}");

    // 4200-4299: at once.
    for code in ["4200", "4201", "4202", "4299"] {
        let (h, link) = handshake_error(code);
        assert_eq!(h.closes, [link]);
        assert_eq!(h.opens.len(), 2, "{code}");
        assert_eq!(h.opens[1].0, h.now);
    }

    // 4300-4399 and anything else: backoff.
    for code in ["4301", "4399", "1006", "4400", "3000"] {
        let (mut h, link) = handshake_error(code);
        assert_eq!(h.closes, [link], "{code}");
        assert_eq!(h.client.state(), State::Connecting, "{code}");
        let delay = wait_for_open(&mut h, 1, MINUTE).unwrap();
        assert!(delay <= SECOND, "{code}: {delay}");
        let code: u16 = code.parse().unwrap();
        assert_eq!(
            h.client.status().last_end,
            Some(&LinkEnd {
                code: Some(code),
                reason: "nope".into()
            })
        );
    }

    // Without a code it is only reported; the handshake goes on.
    let mut h = Harness::new();
    h.connect();
    open_socket(&mut h);
    h.server(r#"{"event":"pusher:error","data":{"message":"hmm"}}"#);
    assert!(h.closes.is_empty());
    assert_eq!(
        errors(&h),
        [ClientError::Server {
            code: None,
            message: "hmm".into()
        }]
    );
    h.server(&established("1.1", 120));
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn server_pings_are_answered_during_and_after_the_handshake() {
    let mut h = Harness::new();
    h.connect();
    let link = open_socket(&mut h);
    h.server(SERVER_PING);
    assert_eq!(h.sent, [(link, PONG.to_owned())]);
    h.server(&established("1.1", 120));
    h.sent.clear();
    h.server(SERVER_PING);
    assert_eq!(h.sent, [(link, PONG.to_owned())]);
    // With string data, as some servers send it.
    h.sent.clear();
    h.server(r#"{"event":"pusher:ping","data":"{}"}"#);
    assert_eq!(h.sent, [(link, PONG.to_owned())]);
    assert!(errors(&h).is_empty());
}

// ----- 3. close codes ---------------------------------------------------------------

#[test]
fn transport_closes_back_off_with_jitter() {
    for code in [1000u16, 1001, 1006, 1011, 1999, 3000, 4400, 4999] {
        let mut delays = Vec::new();
        for seed in 0..20 {
            let mut h = stable(seed);
            let delay = close_and_wait(&mut h, code, MINUTE).expect("retried");
            assert!(
                delay <= SECOND,
                "{code}: first retry within 1 s, was {delay}"
            );
            assert!(matches!(
                h.client.status().last_end,
                Some(LinkEnd { code: Some(c), .. }) if *c == code
            ));
            assert_ne!(h.client.state(), State::Disconnected);
            delays.push(delay);
        }
        delays.sort_unstable();
        delays.dedup();
        assert!(delays.len() > 5, "{code}: no jitter: {delays:?}");
    }
}

#[test]
fn close_4000_switches_to_tls_at_once_and_keeps_it() {
    let mut h = stable(1);
    assert!(h.opens[0].1.starts_with("ws://127.0.0.1:6001/"));
    assert_eq!(close_and_wait(&mut h, 4000, MINUTE), Some(0));
    assert!(
        h.opens[1]
            .1
            .starts_with("wss://127.0.0.1:443/app/test-key?protocol=7&"),
        "{}",
        h.opens[1].1
    );
    assert_eq!(h.client.state(), State::Connecting);
    h.establish("2.2");
    h.advance(20 * SECOND);
    assert!(close_and_wait(&mut h, 1006, MINUTE).is_some());
    assert!(h.opens[2].1.starts_with("wss://127.0.0.1:443/"));
}

#[test]
fn close_4000_on_tls_already_backs_off_instead_of_looping() {
    // A misconfigured server that says "SSL only" even over wss: switching cannot help,
    // so retrying at once forever would be a reconnect storm.
    for seed in 0..10 {
        let mut h = stable(seed);
        assert_eq!(
            close_and_wait(&mut h, 4000, MINUTE),
            Some(0),
            "the switch is at once"
        );
        let mut delays = Vec::new();
        for n in 0..8u32 {
            assert!(h.opens.last().unwrap().1.starts_with("wss://"));
            open_socket(&mut h);
            let delay = close_and_wait(&mut h, 4000, 10 * MINUTE).expect("still retried");
            assert!(delay <= ceiling_ms(n + 1), "seed {seed}: {delay}");
            delays.push(delay);
        }
        assert!(
            delays.iter().sum::<u64>() > 10 * SECOND,
            "seed {seed}: 4000 over TLS retried without backing off: {delays:?}"
        );
    }
}

#[test]
fn refusal_codes_disconnect_for_good_with_the_reason() {
    for code in [4001u16, 4003, 4004, 4005, 4006, 4007, 4008, 4009] {
        let mut h = stable(7);
        h.take_events();
        assert_eq!(close_and_wait(&mut h, code, 10 * MINUTE), None, "{code}");
        assert_eq!(h.opens.len(), 1);
        assert_eq!(h.client.state(), State::Disconnected);
        assert_eq!(h.client.socket_id(), None);
        let expected_message = close::describe(code).to_owned();
        assert_eq!(
            h.client.status().disconnect_reason,
            Some(&DisconnectReason::Refused { code })
        );
        assert_eq!(
            h.client.status().last_end.unwrap().reason(),
            expected_message
        );
        assert_eq!(
            errors(&h),
            [ClientError::Refused {
                code,
                message: expected_message
            }]
        );
        assert_eq!(h.state_changes(), [(State::Connected, State::Disconnected)]);
        assert_eq!(h.client.poll_timeout(), None);
        assert_eq!(h.client.status().next_retry_at, None);
    }
    // The server's own reason wins, and refusal during the handshake is the same.
    let mut h = Harness::new();
    h.connect();
    let link = open_socket(&mut h);
    h.client
        .handle_socket_closed(h.now, link, 4009, "Connection is unauthorized");
    h.drain();
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(
        errors(&h),
        [ClientError::Refused {
            code: 4009,
            message: "Connection is unauthorized".into()
        }]
    );
    h.advance(10 * MINUTE);
    assert_eq!(h.opens.len(), 1);
}

#[test]
fn over_capacity_retries_no_earlier_than_one_second() {
    for seed in 0..20 {
        let mut h = stable(seed);
        let delay = close_and_wait(&mut h, 4100, MINUTE).expect("retried");
        assert!((SECOND..=SECOND).contains(&delay), "{seed}: {delay}");
        assert_eq!(h.client.state(), State::Connecting);
        // Again before the connection was stable: backoff, still at least 1 s.
        h.establish("2.2");
        h.advance(2 * SECOND);
        let delay = close_and_wait(&mut h, 4199, MINUTE).expect("retried");
        assert!((SECOND..=ceiling_ms(1)).contains(&delay), "{seed}: {delay}");
    }
}

#[test]
fn reconnect_codes_reconnect_at_once_then_back_off() {
    for code in [4200u16, 4201, 4202] {
        let mut repeated = Vec::new();
        for seed in 0..20 {
            let mut h = stable(seed);
            assert_eq!(close_and_wait(&mut h, code, MINUTE), Some(0), "{code}");
            assert_eq!(h.client.state(), State::Connecting);
            // It repeats before the connection was stable: backoff.
            h.establish("2.2");
            h.advance(2 * SECOND);
            let delay = close_and_wait(&mut h, code, MINUTE).expect("retried");
            assert!(delay <= ceiling_ms(1), "{code}: {delay}");
            repeated.push(delay);
            // Again, during the handshake this time: the ceiling keeps growing.
            open_socket(&mut h);
            let delay = close_and_wait(&mut h, code, MINUTE).expect("retried");
            assert!(delay <= ceiling_ms(2), "{code}: {delay}");
            // After a stable connection it is at once again.
            h.establish("3.3");
            h.advance(20 * SECOND);
            assert_eq!(close_and_wait(&mut h, code, MINUTE), Some(0), "{code}");
        }
        assert!(
            repeated.iter().any(|d| *d > 0),
            "{code}: a repeat is never delayed: {repeated:?}"
        );
    }
}

#[test]
fn protocol_errors_are_recoverable_unless_repeated() {
    let mut h = stable(3);
    h.take_events();
    let d = close_and_wait(&mut h, 4301, MINUTE).expect("first 4301 is retried");
    assert!(d <= SECOND);
    h.establish("2.2");
    h.advance(2 * SECOND);
    let d = close_and_wait(&mut h, 4301, MINUTE).expect("second 4301 is retried");
    assert!(d <= ceiling_ms(1));
    h.establish("3.3");
    h.advance(2 * SECOND);
    assert_eq!(close_and_wait(&mut h, 4301, 10 * MINUTE), None);
    assert_eq!(h.client.state(), State::Disconnected);
    assert!(matches!(
        h.client.status().disconnect_reason,
        Some(DisconnectReason::Refused { code: 4301, .. })
    ));
    assert!(errors(&h)
        .iter()
        .any(|e| matches!(e, ClientError::Refused { code: 4301, .. })));
    assert_eq!(h.client.poll_timeout(), None);
    assert_eq!(h.opens.len(), 3);
}

#[test]
fn protocol_errors_during_handshakes_count_too() {
    let mut h = stable(3);
    assert!(close_and_wait(&mut h, 4301, MINUTE).is_some());
    open_socket(&mut h);
    assert!(close_and_wait(&mut h, 4399, MINUTE).is_some());
    open_socket(&mut h);
    assert_eq!(close_and_wait(&mut h, 4300, 10 * MINUTE), None);
    assert!(matches!(
        h.client.status().disconnect_reason,
        Some(DisconnectReason::Refused { code: 4300, .. })
    ));
}

#[test]
fn a_stable_connection_resets_the_protocol_error_count() {
    let mut h = stable(3);
    assert!(close_and_wait(&mut h, 4301, MINUTE).is_some());
    h.establish("2.2");
    h.advance(2 * SECOND);
    assert!(close_and_wait(&mut h, 4301, MINUTE).is_some());
    // This one stays up long enough.
    h.establish("3.3");
    advance_alive(&mut h, 15 * SECOND);
    assert!(
        close_and_wait(&mut h, 4301, MINUTE).is_some(),
        "count reset"
    );
    h.establish("4.4");
    h.advance(2 * SECOND);
    assert!(close_and_wait(&mut h, 4301, MINUTE).is_some());
    h.establish("5.5");
    h.advance(2 * SECOND);
    assert_eq!(close_and_wait(&mut h, 4301, 10 * MINUTE), None);
    assert_eq!(h.client.state(), State::Disconnected);
    // connect() starts afresh.
    h.connect();
    h.establish("6.6");
    h.advance(SECOND);
    assert!(close_and_wait(&mut h, 4301, MINUTE).is_some());
}

#[test]
fn code_ranges_follow_the_table() {
    // (code, expected: None = refused, Some((min, max)) = delay bounds after a stable link)
    let table: [(u16, Option<(u64, u64)>); 14] = [
        (1000, Some((0, SECOND))),
        (1006, Some((0, SECOND))),
        (4000, Some((0, 0))),
        (4001, None),
        (4004, None),
        (4009, None),
        (4099, None),
        (4100, Some((SECOND, SECOND))),
        (4199, Some((SECOND, SECOND))),
        (4200, Some((0, 0))),
        (4299, Some((0, 0))),
        (4300, Some((0, SECOND))),
        (4399, Some((0, SECOND))),
        (4400, Some((0, SECOND))),
    ];
    for (code, expected) in table {
        for seed in [1, 2, 3] {
            let mut h = stable(seed);
            let delay = close_and_wait(&mut h, code, 10 * MINUTE);
            match expected {
                None => {
                    assert_eq!(delay, None, "{code}");
                    assert_eq!(h.client.state(), State::Disconnected, "{code}");
                }
                Some((min, max)) => {
                    let delay = delay.unwrap_or_else(|| panic!("{code} not retried"));
                    assert!((min..=max).contains(&delay), "{code}: {delay}");
                }
            }
        }
    }
}

// ----- 4. heartbeat -----------------------------------------------------------------

#[test]
fn silence_sends_exactly_one_ping() {
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.advance(120 * SECOND - 1);
    assert!(h.sent.is_empty());
    h.advance(1);
    assert_eq!(h.sent, [(link, PING.to_owned())]);
    h.advance(30 * SECOND - 1);
    assert_eq!(pings(&h), 1, "one ping while waiting");
    assert!(h.closes.is_empty());
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn any_frame_answers_a_ping_and_restarts_the_wait() {
    let mut h = Harness::connected("1.1");
    h.advance(120 * SECOND);
    assert_eq!(pings(&h), 1);
    h.advance(5 * SECOND);
    h.server(SERVER_PONG);
    // The pong timer is gone: nothing happens 30 s after the ping.
    h.advance(120 * SECOND - 1);
    assert_eq!(pings(&h), 1);
    assert!(h.closes.is_empty());
    h.advance(1);
    assert_eq!(
        pings(&h),
        2,
        "next ping one activity timeout after the pong"
    );

    // Any frame does, not only a pong.
    h.advance(10 * SECOND);
    h.server(r#"{"event":"my-event","data":"{}"}"#);
    h.advance(120 * SECOND - 1);
    assert_eq!(pings(&h), 2);
    assert!(h.closes.is_empty());
    h.advance(1);
    assert_eq!(pings(&h), 3);
    // Even a malformed one.
    h.advance(29 * SECOND);
    h.server("garbage");
    h.advance(120 * SECOND - 1);
    assert_eq!(pings(&h), 3);
    assert!(h.closes.is_empty());
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn inbound_frames_reset_the_activity_timer_outbound_do_not() {
    let mut h = Harness::connected("1.1");
    h.advance(60 * SECOND);
    h.server(r#"{"event":"my-event","data":"{}"}"#);
    h.advance(120 * SECOND - 1);
    assert_eq!(pings(&h), 0);
    h.advance(1);
    assert_eq!(pings(&h), 1);

    let mut h = Harness::connected("1.1");
    h.advance(60 * SECOND);
    h.subscribe("orders");
    assert_eq!(h.sent.len(), 1, "the subscribe frame");
    h.advance(60 * SECOND - 1);
    assert_eq!(pings(&h), 0);
    h.advance(1);
    assert_eq!(pings(&h), 1, "outbound frames do not delay the ping");
}

#[test]
fn unanswered_ping_closes_and_reconnects_at_once() {
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.advance(120 * SECOND);
    assert_eq!(pings(&h), 1);
    h.take_events();
    h.advance(30 * SECOND - 1);
    assert!(h.closes.is_empty());
    h.advance(1);
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.opens.len(), 2);
    assert_eq!(h.opens[1].0, h.now, "reconnects at once");
    assert_eq!(h.client.status().last_end, Some(&LinkEnd::PONG_TIMEOUT));
    assert_eq!(h.state_changes(), [(State::Connected, State::Connecting)]);
    // The closed socket's late frames do not count as an answer.
    h.client.handle_frame(h.now, link, SERVER_PONG);
    h.drain();
    assert_eq!(h.client.state(), State::Connecting);
    h.establish("2.2");
    assert_eq!(h.client.socket_id(), Some("2.2"));
}

#[test]
fn background_tab_jumps_ping_once_then_reconnect() {
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.jump(10 * MINUTE);
    assert_eq!(pings(&h), 1);
    assert!(h.closes.is_empty());
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.client.poll_timeout().unwrap() > h.now);

    h.jump(10 * MINUTE);
    assert_eq!(pings(&h), 1, "no second ping");
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.opens.len(), 2);
    assert_eq!(h.opens[1].0, h.now);

    // Huge jumps while connecting never panic and keep retrying.
    for _ in 0..5 {
        h.jump(1 << 40);
        assert!(h.client.poll_timeout().is_none_or(|at| at > h.now));
        assert!(matches!(
            h.client.state(),
            State::Connecting | State::Unavailable
        ));
    }
    let opens = h.opens.len();
    assert!(wait_for_open(&mut h, opens, MINUTE).is_some());
    h.establish("2.2");
    h.jump(1 << 40);
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(pings(&h), 2);
}

// ----- 5. backoff -------------------------------------------------------------------

/// With the server down (every socket closes at once with 1006), the delays between
/// consecutive `Open`s.
fn delays_with_server_down(seed: u64, attempts: usize) -> Vec<u64> {
    let mut h = seeded(seed);
    h.connect();
    let mut delays = Vec::new();
    for _ in 0..attempts {
        let delay = close_and_wait(&mut h, 1006, 10 * MINUTE).expect("retried");
        delays.push(delay);
    }
    assert!(matches!(
        h.client.state(),
        State::Connecting | State::Unavailable
    ));
    delays
}

#[test]
fn delays_stay_under_a_growing_capped_ceiling() {
    let ceilings: Vec<u64> = (0..12).map(ceiling_ms).collect();
    assert_eq!(
        ceilings,
        [1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30].map(|s| s * SECOND)
    );
    let mut maxima = [0u64; 12];
    for seed in 0..50 {
        let delays = delays_with_server_down(seed, 12);
        for (n, delay) in delays.iter().enumerate() {
            assert!(
                *delay <= ceilings[n],
                "seed {seed}, attempt {n}: {delay} > {}",
                ceilings[n]
            );
            maxima[n] = maxima[n].max(*delay);
        }
    }
    // The ceilings are really used: late attempts wait far longer than the first.
    assert!(maxima[0] <= SECOND);
    assert!(maxima[5..].iter().all(|m| *m > 16 * SECOND), "{maxima:?}");
}

#[test]
fn jitter_differs_between_seeds_and_grows_on_average() {
    let runs: Vec<Vec<u64>> = (0..200).map(|s| delays_with_server_down(s, 11)).collect();
    let mut distinct = runs.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() > 190, "jitter: runs should differ");
    // Seeds do not retry in lockstep even on the first attempt.
    let mut first: Vec<u64> = runs.iter().map(|r| r[0]).collect();
    first.sort_unstable();
    first.dedup();
    assert!(first.len() > 100);

    let mean = |range: std::ops::Range<usize>| {
        let values: Vec<u64> = runs
            .iter()
            .flat_map(|r| r[range.clone()].to_vec())
            .collect();
        values.iter().sum::<u64>() as f64 / values.len() as f64
    };
    let early = mean(0..3);
    let late = mean(5..11);
    assert!(late > 3.0 * early, "early {early}, late {late}");
    // Full jitter: the mean of uniform [0, 30 s] is about 15 s.
    assert!((10_000.0..20_000.0).contains(&late), "late {late}");
}

#[test]
fn a_stable_connection_resets_the_backoff_an_unstable_one_does_not() {
    for seed in 0..20 {
        let mut h = seeded(seed);
        h.connect();
        for _ in 0..6 {
            close_and_wait(&mut h, 1006, 10 * MINUTE).expect("retried");
        }
        assert_eq!(h.client.status().attempt, 6);

        // Up for 2 s only: no reset.
        h.establish("1.1");
        h.advance(2 * SECOND);
        let delay = close_and_wait(&mut h, 1006, 10 * MINUTE).unwrap();
        assert!(delay <= ceiling_ms(6));
        assert_eq!(h.client.status().attempt, 7, "seed {seed}");

        // Up for 15 s (stable_after): the next first delay is within [0, 1 s].
        h.establish("2.2");
        advance_alive(&mut h, 15 * SECOND);
        let delay = close_and_wait(&mut h, 1006, 10 * MINUTE).unwrap();
        assert!(delay <= SECOND, "seed {seed}: {delay}");
        assert_eq!(h.client.status().attempt, 1);
    }
}

#[test]
fn status_tells_when_and_why_while_waiting() {
    let mut h = seeded(11);
    h.connect();
    let mut closes = 0;
    loop {
        let link = h.current_link();
        h.client.handle_socket_closed(h.now, link, 1006, "");
        h.link = None;
        h.drain();
        closes += 1;
        if h.client.status().next_retry_at.is_some() {
            break;
        }
        assert!(closes < 50);
    }
    let status = h.client.status();
    assert_eq!(status.state, h.client.state());
    assert_eq!(status.attempt, closes);
    assert_eq!(
        status.last_end,
        Some(&LinkEnd {
            code: Some(1006),
            reason: "connection lost".into()
        })
    );
    assert_eq!(status.socket_id, None);
    let at = status.next_retry_at.unwrap();
    assert!(at > h.now);
    assert!(at.as_millis() - h.now.as_millis() <= ceiling_ms(closes - 1));
    assert_eq!(h.client.poll_timeout().map(|t| t <= at), Some(true));

    let opens = h.opens.len();
    h.advance_to(Instant::from_millis(at.as_millis() - 1));
    assert_eq!(h.opens.len(), opens);
    h.advance(1);
    assert_eq!(h.opens.len(), opens + 1, "opens exactly at next_retry_at");
    assert_eq!(h.client.status().next_retry_at, None, "no longer waiting");

    // A close reason from the server is kept.
    let link = h.current_link();
    h.client
        .handle_socket_closed(h.now, link, 1001, "server restart");
    h.drain();
    assert_eq!(
        h.client.status().last_end,
        Some(&LinkEnd {
            code: Some(1001),
            reason: "server restart".into()
        })
    );
    assert_eq!(LinkEnd::PONG_TIMEOUT.code(), None);
}

// ----- 6. page lifecycle ------------------------------------------------------------

fn page(h: &mut Harness, event: PageEvent) {
    h.client.handle_page_event(h.now, event);
    h.drain();
}

#[test]
fn hidden_for_the_grace_period_pauses() {
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.take_events();
    page(&mut h, PageEvent::Hidden);
    advance_alive(&mut h, 5 * MINUTE - 1);
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.closes.is_empty());
    advance_alive(&mut h, 1);
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Paused)
    );
    assert_eq!(h.state_changes(), [(State::Connected, State::Disconnected)]);
    assert_eq!(h.client.poll_timeout(), None);

    // Nothing reconnects while hidden, whatever the network does.
    h.advance(30 * MINUTE);
    page(&mut h, PageEvent::Online);
    page(&mut h, PageEvent::PageShow { persisted: true });
    h.advance(MINUTE);
    assert_eq!(h.opens.len(), 1);
    assert_eq!(h.client.state(), State::Disconnected);
}

#[test]
fn visible_before_the_grace_keeps_the_connection() {
    let mut h = Harness::connected("1.1");
    page(&mut h, PageEvent::Hidden);
    advance_alive(&mut h, 4 * MINUTE);
    page(&mut h, PageEvent::Visible);
    advance_alive(&mut h, 30 * MINUTE);
    assert!(h.closes.is_empty());
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(h.opens.len(), 1);
    // Hiding again starts a fresh grace period.
    page(&mut h, PageEvent::Hidden);
    advance_alive(&mut h, 5 * MINUTE);
    assert_eq!(h.client.state(), State::Disconnected);
}

#[test]
fn visible_after_the_pause_reconnects_and_resumes_channels() {
    let mut h = Harness::connected("1.1");
    h.subscribe("orders");
    h.server(&succeeded("orders"));
    page(&mut h, PageEvent::Hidden);
    advance_alive(&mut h, 5 * MINUTE);
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(h.client.channel_state("orders"), Some(ChannelState::Idle));
    h.advance(10 * MINUTE);
    h.take_events();
    h.sent.clear();

    page(&mut h, PageEvent::Visible);
    assert_eq!(h.opens.len(), 2);
    assert_eq!(h.opens[1].0, h.now, "reconnects at once");
    assert_eq!(h.client.state(), State::Connecting);
    h.establish("2.2");
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:subscribe","data":{"channel":"orders","auth":""}}"#]
    );
    h.server(&succeeded("orders"));
    let events = h.take_events();
    let tail: Vec<&Event> = events
        .iter()
        .filter(|e| !matches!(e, Event::StateChange { .. }))
        .collect();
    assert_eq!(
        tail,
        [
            &Event::Subscribed {
                channel: "orders".into()
            },
            &Event::Resumed {
                channel: "orders".into()
            }
        ]
    );
    let changes: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::StateChange { .. }))
        .collect();
    assert_eq!(
        changes,
        [
            &Event::StateChange {
                previous: State::Disconnected,
                current: State::Connecting
            },
            &Event::StateChange {
                previous: State::Connecting,
                current: State::Connected
            }
        ]
    );
}

#[test]
fn pausing_can_be_turned_off_or_tuned() {
    let mut config = config();
    config.pause_when_hidden = None;
    let mut h = Harness::with_config(config);
    h.connect();
    h.establish("1.1");
    page(&mut h, PageEvent::Hidden);
    advance_alive(&mut h, 30 * MINUTE);
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.closes.is_empty());

    let mut config = support::config();
    config.pause_when_hidden = Some(Duration::from_secs(10));
    let mut h = Harness::with_config(config);
    h.connect();
    h.establish("1.1");
    page(&mut h, PageEvent::Hidden);
    h.advance(10 * SECOND - 1);
    assert_eq!(h.client.state(), State::Connected);
    h.advance(1);
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Paused)
    );
}

#[test]
fn hidden_while_retrying_pauses_too() {
    let mut h = Harness::new();
    h.connect();
    page(&mut h, PageEvent::Hidden);
    // The server is down the whole time.
    let end = h.now.as_millis() + 5 * MINUTE;
    while h.now.as_millis() < end && h.client.state() != State::Disconnected {
        let opens = h.opens.len();
        if h.link.is_some() {
            h.server_close(1006);
        }
        if h.opens.len() == opens {
            let next = h.client.poll_timeout().unwrap();
            h.advance_to(next.min(Instant::from_millis(end)));
        }
    }
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Paused)
    );
    let opens = h.opens.len();
    h.advance(30 * MINUTE);
    assert_eq!(h.opens.len(), opens);
    page(&mut h, PageEvent::Visible);
    assert_eq!(h.opens.len(), opens + 1);
}

#[test]
fn online_while_waiting_retries_at_once() {
    let mut h = seeded(4);
    h.connect();
    while h.client.status().next_retry_at.is_none() {
        h.server_close(1006);
    }
    let opens = h.opens.len();
    page(&mut h, PageEvent::Online);
    assert_eq!(h.opens.len(), opens + 1);
    assert_eq!(h.client.status().next_retry_at, None);
    assert_eq!(h.client.state(), State::Connecting);
    h.establish("1.1");
}

#[test]
fn visible_or_connect_while_waiting_retries_at_once() {
    let mut h = seeded(4);
    h.connect();
    while h.client.status().next_retry_at.is_none() {
        h.server_close(1006);
    }
    let opens = h.opens.len();
    page(&mut h, PageEvent::Visible);
    assert_eq!(h.opens.len(), opens + 1);
    assert_eq!(h.opens.last().unwrap().0, h.now);

    while h.client.status().next_retry_at.is_none() {
        h.server_close(1006);
    }
    let opens = h.opens.len();
    h.connect();
    assert_eq!(h.opens.len(), opens + 1, "connect() skips the wait");
    assert_eq!(h.client.status().next_retry_at, None);
}

#[test]
fn pageshow_from_bfcache_while_waiting_retries_at_once() {
    let mut h = seeded(4);
    h.connect();
    while h.client.status().next_retry_at.is_none() {
        h.server_close(1006);
    }
    let opens = h.opens.len();
    page(&mut h, PageEvent::PageShow { persisted: false });
    assert_eq!(h.opens.len(), opens, "a normal pageshow changes nothing");
    page(&mut h, PageEvent::PageShow { persisted: true });
    assert_eq!(h.opens.len(), opens + 1);
}

#[test]
fn offline_while_connected_pings_at_once() {
    let mut h = Harness::connected("1.1");
    let link = h.current_link();
    h.advance(5 * SECOND);
    page(&mut h, PageEvent::Offline);
    assert_eq!(h.sent, [(link, PING.to_owned())]);
    page(&mut h, PageEvent::Offline);
    assert_eq!(pings(&h), 1, "one ping out at a time");
    h.advance(30 * SECOND - 1);
    assert!(h.closes.is_empty());
    h.advance(1);
    assert_eq!(h.closes, [link]);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.opens.len(), 2);
    assert_eq!(h.opens[1].0, h.now);

    // Offline while connected and the server answers: nothing else happens.
    let mut h = Harness::connected("1.1");
    page(&mut h, PageEvent::Offline);
    h.server(SERVER_PONG);
    h.advance(MINUTE);
    assert!(h.closes.is_empty());
    // Offline while not connected: no ping anywhere.
    let mut h = Harness::new();
    h.connect();
    open_socket(&mut h);
    page(&mut h, PageEvent::Offline);
    assert!(h.sent.is_empty());
}

#[test]
fn online_while_connected_checks_the_link() {
    let mut h = Harness::connected("1.1");
    h.advance(SECOND);
    page(&mut h, PageEvent::Online);
    assert_eq!(pings(&h), 1);
}

#[test]
fn visible_after_silence_probes_the_link() {
    let mut h = Harness::connected("1.1");
    h.advance(10 * SECOND - 1);
    page(&mut h, PageEvent::Visible);
    assert_eq!(pings(&h), 0, "recently heard from: no probe");
    h.advance(1);
    page(&mut h, PageEvent::Visible);
    assert_eq!(pings(&h), 1, "silent for 10 s: probe");
    h.advance(30 * SECOND);
    assert_eq!(h.client.state(), State::Connecting, "no answer: reconnect");

    let mut h = Harness::connected("1.1");
    h.advance(MINUTE);
    page(&mut h, PageEvent::PageShow { persisted: true });
    assert_eq!(pings(&h), 1, "restored from bfcache: probe");
}

#[test]
fn disconnect_while_hidden_is_not_a_pause() {
    let mut h = Harness::connected("1.1");
    page(&mut h, PageEvent::Hidden);
    h.advance(MINUTE);
    h.client.disconnect(h.now);
    h.drain();
    h.advance(10 * MINUTE);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Requested)
    );
    page(&mut h, PageEvent::Visible);
    page(&mut h, PageEvent::Online);
    page(&mut h, PageEvent::PageShow { persisted: true });
    h.advance(10 * MINUTE);
    assert_eq!(h.opens.len(), 1, "an app-disconnected client stays down");
    assert_eq!(h.client.state(), State::Disconnected);

    // Disconnected by the app after the pause: visible does not reconnect either.
    let mut h = Harness::connected("1.1");
    page(&mut h, PageEvent::Hidden);
    advance_alive(&mut h, 5 * MINUTE);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Paused)
    );
    h.client.disconnect(h.now);
    h.drain();
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Requested)
    );
    page(&mut h, PageEvent::Visible);
    h.advance(MINUTE);
    assert_eq!(h.opens.len(), 1);
}

#[test]
fn hidden_before_connect_never_connects_by_itself() {
    let mut h = Harness::new();
    page(&mut h, PageEvent::Hidden);
    h.advance(10 * MINUTE);
    page(&mut h, PageEvent::Visible);
    page(&mut h, PageEvent::Online);
    h.advance(MINUTE);
    assert!(h.opens.is_empty(), "only connect() connects");
    // And connect() still works.
    h.connect();
    h.establish("1.1");
}

#[test]
fn connecting_while_hidden_still_pauses_after_the_grace() {
    let mut h = Harness::new();
    page(&mut h, PageEvent::Hidden);
    h.advance(10 * MINUTE);
    h.connect();
    h.establish("1.1");
    advance_alive(&mut h, 5 * MINUTE - 1);
    assert_eq!(h.client.state(), State::Connected);
    advance_alive(&mut h, 1);
    assert_eq!(
        h.client.status().disconnect_reason,
        Some(&DisconnectReason::Paused)
    );
    page(&mut h, PageEvent::Visible);
    assert_eq!(h.client.state(), State::Connecting);
}

#[test]
fn coming_back_from_a_pause_is_a_fresh_start_for_backoff() {
    let mut h = Harness::new();
    h.connect();
    // The server keeps dropping the socket: the attempt count grows.
    for _ in 0..4 {
        h.server_close(1006);
        let opens = h.opens.len();
        while h.opens.len() == opens {
            h.advance(10);
        }
    }
    assert!(h.client.status().attempt >= 4);
    page(&mut h, PageEvent::Hidden);
    h.advance(5 * MINUTE);
    assert_eq!(h.client.state(), State::Disconnected);
    page(&mut h, PageEvent::Visible);
    assert_eq!(h.client.state(), State::Connecting);
    assert_eq!(h.client.status().attempt, 0);
    // The first retry after coming back waits at most the base delay again.
    let opens = h.opens.len();
    h.server_close(1006);
    h.advance(SECOND);
    assert_eq!(h.opens.len(), opens + 1, "retried within the base delay");
}

// ----- 7. connection-level messages -------------------------------------------------

#[test]
fn frames_without_a_channel_are_connection_messages() {
    let mut h = Harness::connected("1.1");
    h.take_events();
    h.server(r#"{"event":"my-event","data":"{}"}"#);
    h.server(r#"{"event":"other","data":{"a":1},"user_id":"7"}"#);
    h.server(r#"{"event":"bare"}"#);
    assert_eq!(
        h.take_events(),
        [
            Event::Message(Message {
                channel: None,
                event: "my-event".into(),
                data: Payload::Text("{}".into()),
                user_id: None,
            }),
            Event::Message(Message {
                channel: None,
                event: "other".into(),
                data: Payload::Json(r#"{"a":1}"#.into()),
                user_id: Some("7".into()),
            }),
            Event::Message(Message {
                channel: None,
                event: "bare".into(),
                data: Payload::Absent,
                user_id: None,
            }),
        ]
    );
    // Internal events are not delivered as messages.
    h.server(r#"{"event":"pusher_internal:whatever","data":"{}"}"#);
    h.server(SERVER_PONG);
    assert!(h.take_events().is_empty());
}

#[test]
fn a_repeated_handshake_is_ignored() {
    let mut h = Harness::connected("1.1");
    h.take_events();
    h.server(&established("9.9", 30));
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.client.socket_id(), Some("1.1"));
}

#[test]
fn server_errors_after_connecting_are_reported_and_keep_the_connection() {
    let mut h = Harness::connected("1.1");
    h.take_events();
    h.server(r#"{"event":"pusher:error","data":{"message":"Over limit","code":4301}}"#);
    h.server(r#"{"event":"pusher:error","data":"{\"message\":\"Refused\",\"code\":4001}"}"#);
    h.server(r#"{"event":"pusher:error","data":{"message":"no code"}}"#);
    assert_eq!(
        h.take_events(),
        [
            Event::Error(ClientError::Server {
                code: Some(4301),
                message: "Over limit".into()
            }),
            Event::Error(ClientError::Server {
                code: Some(4001),
                message: "Refused".into()
            }),
            Event::Error(ClientError::Server {
                code: None,
                message: "no code".into()
            }),
        ]
    );
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.closes.is_empty());
    assert_eq!(h.opens.len(), 1);
    // The close that usually follows decides (here: 4301 → retried).
    let mut h2 = stable(2);
    h2.server(r#"{"event":"pusher:error","data":{"message":"Over limit","code":4301}}"#);
    assert_eq!(h2.client.state(), State::Connected);
    assert!(close_and_wait(&mut h2, 4301, MINUTE).is_some());
}

#[test]
fn malformed_frames_are_reported_and_ignored() {
    let mut h = Harness::connected("1.1");
    h.take_events();
    let bad = [
        "not json",
        "",
        "[1,2]",
        "\"text\"",
        "42",
        "{}",
        r#"{"channel":"orders"}"#,
        r#"{"event":5}"#,
        r#"{"event":"x","channel":7}"#,
        r#"{"event":"x"} trailing"#,
        r#"{"event":"x""#,
    ];
    for text in bad {
        h.server(text);
    }
    let events = h.take_events();
    assert_eq!(events.len(), bad.len(), "{events:?}");
    assert!(events
        .iter()
        .all(|e| matches!(e, Event::Error(ClientError::MalformedFrame { .. }))));
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.closes.is_empty());
    // Later frames still work.
    h.server(r#"{"event":"my-event","data":"{}"}"#);
    assert!(matches!(
        h.take_events().as_slice(),
        [Event::Message(Message { channel: None, .. })]
    ));
    h.server(SERVER_PING);
    assert_eq!(h.sent.last().map(|(_, t)| t.as_str()), Some(PONG));
}
