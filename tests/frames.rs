//! Every frame type of the protocol (PROTOCOL.md §2), in and out, through the [`Client`]:
//! the handshake, errors, heartbeats, subscriptions, presence, client events, user
//! sign-in, watchlists and cache misses; how payloads are handed to the app; and a
//! property test feeding arbitrary text and arbitrary JSON envelopes to the decoder and
//! to a connected client.
#![cfg(not(target_arch = "wasm32"))]
mod support;

use std::time::Duration;

use echo_wasm::protocol::frame::{self, RawData};
use echo_wasm::protocol::*;
use proptest::prelude::*;
use support::*;

/// The client's ping, exactly.
const PING: &str = r#"{"event":"pusher:ping","data":{}}"#;
/// The client's pong, exactly.
const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

fn message_on<'a>(events: &'a [Event], channel: &str) -> Vec<&'a Message> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) if m.channel.as_deref() == Some(channel) => Some(m),
            _ => None,
        })
        .collect()
}

/// A connected client subscribed to the public channel `orders`.
fn with_orders() -> Harness {
    let mut h = Harness::live("123.456");
    h.subscribe_confirmed("orders", None);
    h
}

/// Delivers one event on `orders` with the given raw `data` member (or none) and returns
/// its payload.
fn payload_of(data_member: Option<&str>) -> Payload {
    let mut h = with_orders();
    h.server(&frame_raw("App\\Events\\Tick", Some("orders"), data_member));
    let events = h.take_events();
    let messages = message_on(&events, "orders");
    assert_eq!(messages.len(), 1, "{events:?}");
    assert_eq!(messages[0].event, "App\\Events\\Tick");
    assert_eq!(messages[0].user_id, None);
    messages[0].data.clone()
}

// ----- handshake, errors, heartbeat --------------------------------------------------

#[test]
fn connection_established_with_string_data() {
    let mut h = Harness::new();
    h.connect();
    let link = h.current_link();
    h.client.handle_socket_open(h.now, link);
    h.client
        .handle_frame(h.now, link, &established("123.456", 30));
    h.drain();
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(h.client.socket_id(), Some("123.456"));
    // min(120 s option, 30 s from the server)
    assert_eq!(
        h.client.poll_timeout(),
        Some(h.now + Duration::from_secs(30))
    );
    assert!(h.events.contains(&Event::StateChange {
        previous: State::Connecting,
        current: State::Connected
    }));
}

#[test]
fn connection_established_with_object_data() {
    let mut h = Harness::new();
    h.connect();
    let link = h.current_link();
    h.client.handle_socket_open(h.now, link);
    h.client.handle_frame(
        h.now,
        link,
        r#"{"event":"pusher:connection_established","data":{"socket_id":"9876.54321","activity_timeout":45}}"#,
    );
    h.drain();
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(h.client.socket_id(), Some("9876.54321"));
    assert_eq!(
        h.client.poll_timeout(),
        Some(h.now + Duration::from_secs(45))
    );
    assert!(
        !h.events
            .iter()
            .any(|e| matches!(e, Event::Error(ClientError::MalformedFrame { .. }))),
        "{:?}",
        h.events
    );
}

#[test]
fn pusher_error_with_and_without_code() {
    let mut h = Harness::live("1.1");
    h.server(r#"{"event":"pusher:error","data":{"message":"Over capacity","code":4100}}"#);
    h.server(&frame_raw(
        "pusher:error",
        None,
        Some(&serde_like_string(
            r#"{"message":"Something odd","code":null}"#,
        )),
    ));
    h.server(r#"{"event":"pusher:error","data":{"message":"No code at all"}}"#);
    assert_eq!(
        h.take_events(),
        [
            Event::Error(ClientError::Server {
                code: Some(4100),
                message: "Over capacity".into()
            }),
            Event::Error(ClientError::Server {
                code: None,
                message: "Something odd".into()
            }),
            Event::Error(ClientError::Server {
                code: None,
                message: "No code at all".into()
            }),
        ]
    );
    // After the handshake a pusher:error alone does not end the connection: the close
    // that usually follows decides.
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.sent.is_empty());
}

#[test]
fn server_ping_is_answered_with_a_pong() {
    let mut h = Harness::live("1.1");
    let link = h.current_link();
    h.server(r#"{"event":"pusher:ping","data":{}}"#);
    h.server(r#"{"event":"pusher:ping","data":"{}"}"#);
    h.server(r#"{"event":"pusher:ping"}"#);
    assert_eq!(h.sent, vec![(link, PONG.to_owned()); 3]);
    assert!(h.events.is_empty(), "{:?}", h.events);
}

#[test]
fn server_ping_during_the_handshake_is_answered() {
    let mut h = Harness::new();
    h.connect();
    let link = h.current_link();
    h.client.handle_socket_open(h.now, link);
    h.client
        .handle_frame(h.now, link, r#"{"event":"pusher:ping","data":{}}"#);
    h.drain();
    assert_eq!(h.take_sent(), [PONG]);
}

#[test]
fn client_ping_after_silence_and_server_pong() {
    let mut h = Harness::live("1.1");
    let start = h.now;
    h.advance(120_000 - 1);
    assert!(h.sent.is_empty());
    h.advance(1);
    assert_eq!(h.take_sent(), [PING]);
    // Waiting for the pong: the pong timeout is armed.
    assert_eq!(
        h.client.poll_timeout(),
        Some(start + Duration::from_secs(120 + 30))
    );
    h.advance(1_000);
    h.server(r#"{"event":"pusher:pong","data":{}}"#);
    assert!(h.events.is_empty(), "a pong is not an app event");
    // The pong counts as inbound activity: next ping 120 s after it.
    assert_eq!(
        h.client.poll_timeout(),
        Some(h.now + Duration::from_secs(120))
    );
    assert_eq!(h.client.state(), State::Connected);
}

// ----- subscribing -------------------------------------------------------------------

#[test]
fn public_subscribe_frame_has_empty_auth_and_no_channel_data() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:subscribe","data":{"channel":"orders","auth":""}}"#]
    );
    assert!(h.auths.is_empty());
    h.subscribe("cache-prices");
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:subscribe","data":{"channel":"cache-prices","auth":""}}"#]
    );
}

#[test]
fn private_subscribe_frame_carries_the_auth() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-orders.7");
    assert!(
        h.sent.is_empty(),
        "nothing is sent before the authorization"
    );
    let request = h.take_auth("private-orders.7");
    assert_eq!(request.socket_id, "1.1");
    assert_eq!(
        request.target,
        AuthTarget::Channel("private-orders.7".into())
    );
    h.answer(&request, auth("test-key:abc123"));
    assert_eq!(
        h.take_sent(),
        [
            r#"{"event":"pusher:subscribe","data":{"channel":"private-orders.7","auth":"test-key:abc123"}}"#
        ]
    );
    assert_eq!(
        h.client.channel_state("private-orders.7"),
        Some(ChannelState::Pending)
    );
}

#[test]
fn presence_subscribe_frame_passes_channel_data_through_unchanged() {
    let mut h = Harness::live("1.1");
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    let channel_data =
        r#"{"user_id":"1","user_info":{"name":"Zoë \"Z\" 😀","tags":["a","b"],"n":1.5e3}}"#;
    h.answer(
        &request,
        AuthData {
            auth: "test-key:sig".into(),
            channel_data: Some(channel_data.into()),
            ..AuthData::default()
        },
    );
    let sent = h.take_sent();
    assert_eq!(
        sent,
        [
            r#"{"event":"pusher:subscribe","data":{"channel":"presence-room","auth":"test-key:sig","channel_data":"{\"user_id\":\"1\",\"user_info\":{\"name\":\"Zoë \\\"Z\\\" 😀\",\"tags\":[\"a\",\"b\"],\"n\":1.5e3}}"}}"#
        ]
    );
    // Decoded back, the channel_data string is byte for byte the one we were given.
    let f = frame::decode(&sent[0]).unwrap();
    let data = f.data.json_text().unwrap();
    assert_eq!(
        frame::get_str(data, "channel_data").as_deref(),
        Some(channel_data)
    );
}

#[test]
fn auth_reply_parsed_from_json_keeps_channel_data_as_text() {
    let body = r#"{"auth":"k:s","channel_data":"{\"user_id\":7,\"user_info\":{}}"}"#;
    let data = AuthData::from_json(body).unwrap();
    assert_eq!(data.auth, "k:s");
    assert_eq!(
        data.channel_data.as_deref(),
        Some(r#"{"user_id":7,"user_info":{}}"#)
    );
    // An object instead of a string is kept as its JSON text.
    let data = AuthData::from_json(r#"{"auth":"k:s","channel_data":{"user_id":7}}"#).unwrap();
    assert_eq!(data.channel_data.as_deref(), Some(r#"{"user_id":7}"#));
    for bad in [
        "",
        "nope",
        "[]",
        r#"{"auth":1}"#,
        r#"{"channel_data":"{}"}"#,
    ] {
        let failure = AuthData::from_json(bad).unwrap_err();
        assert_eq!(failure.status, None, "{bad}");
    }
}

#[test]
fn reserved_and_empty_names_are_refused() {
    let mut h = Harness::live("1.1");
    for name in ["#server-to-user-1", "#anything", "#"] {
        assert_eq!(
            h.client.subscribe(h.now, name),
            Err(SubscribeError::ReservedName)
        );
    }
    assert_eq!(
        h.client.subscribe(h.now, ""),
        Err(SubscribeError::EmptyName)
    );
    h.drain();
    assert!(h.sent.is_empty() && h.auths.is_empty() && h.events.is_empty());
    assert_eq!(h.client.channel_names().count(), 0);
    // Also while disconnected.
    let mut idle = Harness::new();
    assert_eq!(
        idle.client.subscribe(idle.now, "#x"),
        Err(SubscribeError::ReservedName)
    );
    assert_eq!(idle.client.channel_names().count(), 0);
}

#[test]
fn subscription_succeeded_plain_and_presence() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.server(&succeeded("orders"));
    // Object data, as some servers send it.
    h.subscribe("cache-x");
    h.server(r#"{"event":"pusher_internal:subscription_succeeded","channel":"cache-x","data":{}}"#);
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    h.answer(
        &request,
        AuthData {
            auth: "k:s".into(),
            channel_data: Some(r#"{"user_id":"2","user_info":{"name":"Bob"}}"#.into()),
            ..AuthData::default()
        },
    );
    h.server(&presence_succeeded(
        "presence-room",
        &[("1", r#"{"name":"Ann"}"#), ("2", r#"{"name":"Bob"}"#)],
    ));
    let subscribed: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Subscribed { channel } => Some(channel.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(subscribed, ["orders", "cache-x", "presence-room"]);
    for name in ["orders", "cache-x", "presence-room"] {
        assert_eq!(h.client.channel_state(name), Some(ChannelState::Subscribed));
    }
    let members = h.client.members("presence-room").unwrap();
    assert_eq!(members.count(), 2);
    assert_eq!(members.me().unwrap().id, "2");
    assert_eq!(members.get("1").unwrap().info_json, r#"{"name":"Ann"}"#);
    assert!(h.client.members("orders").is_none());
}

#[test]
fn subscription_error_frame_becomes_a_subscription_error_event() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.server(&frame(
        "pusher:subscription_error",
        "orders",
        r#"{"type":"AuthError","error":"Unable to subscribe","status":401}"#,
    ));
    assert_eq!(
        h.take_events(),
        [Event::SubscriptionError {
            channel: "orders".into(),
            error: SubscriptionError {
                kind: "AuthError".into(),
                error: "Unable to subscribe".into(),
                status: Some(401),
            }
        }]
    );
    assert_eq!(h.client.channel_state("orders"), Some(ChannelState::Failed));
    // Missing fields get defaults; object data works too.
    h.subscribe("news");
    h.server(r#"{"event":"pusher:subscription_error","channel":"news","data":{}}"#);
    match h.take_events().as_slice() {
        [Event::SubscriptionError { channel, error }] => {
            assert_eq!(channel, "news");
            assert_eq!(error.status, None);
            assert!(!error.kind.is_empty() && !error.error.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn subscription_count_event_and_query() {
    let mut h = with_orders();
    assert_eq!(h.client.subscription_count("orders"), None);
    h.server(&frame(
        "pusher_internal:subscription_count",
        "orders",
        r#"{"subscription_count":42}"#,
    ));
    h.server(r#"{"event":"pusher_internal:subscription_count","channel":"orders","data":{"subscription_count":43}}"#);
    assert_eq!(
        h.take_events(),
        [
            Event::SubscriptionCount {
                channel: "orders".into(),
                count: 42
            },
            Event::SubscriptionCount {
                channel: "orders".into(),
                count: 43
            }
        ]
    );
    assert_eq!(h.client.subscription_count("orders"), Some(43));
    assert_eq!(h.client.subscription_count("unknown"), None);
    // A count that is not a number is a malformed frame and changes nothing.
    h.server(&frame(
        "pusher_internal:subscription_count",
        "orders",
        r#"{"subscription_count":"lots"}"#,
    ));
    assert!(matches!(
        h.take_events().as_slice(),
        [Event::Error(ClientError::MalformedFrame { .. })]
    ));
    assert_eq!(h.client.subscription_count("orders"), Some(43));
}

#[test]
fn unsubscribe_frame() {
    let mut h = with_orders();
    h.client.unsubscribe(h.now, "orders");
    h.drain();
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:unsubscribe","data":{"channel":"orders"}}"#]
    );
    assert_eq!(h.client.channel_state("orders"), None);
}

#[test]
fn member_added_and_removed_frames() {
    let mut h = Harness::live("1.1");
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    h.answer(
        &request,
        AuthData {
            auth: "k:s".into(),
            channel_data: Some(r#"{"user_id":1}"#.into()),
            ..AuthData::default()
        },
    );
    h.server(&presence_succeeded("presence-room", &[("1", "{}")]));
    h.events.clear();
    h.server(&frame(
        "pusher_internal:member_added",
        "presence-room",
        r#"{"user_id":"2","user_info":{"name":"Bob"}}"#,
    ));
    h.server(r#"{"event":"pusher_internal:member_added","channel":"presence-room","data":{"user_id":3}}"#);
    h.server(&frame(
        "pusher_internal:member_removed",
        "presence-room",
        r#"{"user_id":"2"}"#,
    ));
    assert_eq!(
        h.take_events(),
        [
            Event::MemberAdded {
                channel: "presence-room".into(),
                member: Member {
                    id: "2".into(),
                    id_json: r#""2""#.into(),
                    info_json: r#"{"name":"Bob"}"#.into()
                }
            },
            Event::MemberAdded {
                channel: "presence-room".into(),
                member: Member {
                    id: "3".into(),
                    id_json: "3".into(),
                    info_json: "null".into()
                }
            },
            Event::MemberRemoved {
                channel: "presence-room".into(),
                member: Member {
                    id: "2".into(),
                    id_json: r#""2""#.into(),
                    info_json: r#"{"name":"Bob"}"#.into()
                }
            },
        ]
    );
    assert_eq!(h.client.members("presence-room").unwrap().count(), 2);
}

// ----- client events -----------------------------------------------------------------

#[test]
fn inbound_client_events_carry_the_sender() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("private-chat", None);
    h.join_presence("presence-room", r#"{"user_id":"1"}"#, &[("1", "{}")]);
    h.events.clear();
    h.server(r#"{"event":"client-typing","channel":"private-chat","data":{"typing":true}}"#);
    h.server(r#"{"event":"client-typing","channel":"presence-room","data":"{\"typing\":true}","user_id":"42"}"#);
    h.server(r#"{"user_id":7,"event":"client-typing","channel":"presence-room","data":{"typing":false}}"#);
    assert_eq!(
        h.messages(),
        [
            Message {
                channel: Some("private-chat".into()),
                event: "client-typing".into(),
                data: Payload::Json(r#"{"typing":true}"#.into()),
                user_id: None,
            },
            Message {
                channel: Some("presence-room".into()),
                event: "client-typing".into(),
                data: Payload::Text(r#"{"typing":true}"#.into()),
                user_id: Some("42".into()),
            },
            Message {
                channel: Some("presence-room".into()),
                event: "client-typing".into(),
                data: Payload::Json(r#"{"typing":false}"#.into()),
                user_id: Some("7".into()),
            },
        ]
    );
}

#[test]
fn outbound_client_event_is_exact_json_with_object_data() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("private-chat", None);
    h.client
        .trigger(
            h.now,
            "private-chat",
            "client-typing",
            r#"{"user":"ann","typing":true}"#,
        )
        .unwrap();
    // Surrounding whitespace is trimmed; the value itself is sent as is.
    h.client
        .trigger(h.now, "private-chat", "client-msg", " [1, \"é\\n\"] \n")
        .unwrap();
    h.client
        .trigger(h.now, "private-chat", "client-s", r#""already a string""#)
        .unwrap();
    h.drain();
    assert_eq!(
        h.take_sent(),
        [
            r#"{"event":"client-typing","channel":"private-chat","data":{"user":"ann","typing":true}}"#,
            r#"{"event":"client-msg","channel":"private-chat","data":[1, "é\n"]}"#,
            r#"{"event":"client-s","channel":"private-chat","data":"already a string"}"#,
        ]
    );
}

// ----- user sign-in and watchlists ---------------------------------------------------

/// `pusher:signin_success` with `user_data` (a JSON string inside a double-encoded data).
fn signin_success(user_data: &str) -> String {
    let data = format!(r#"{{"user_data":{}}}"#, serde_like_string(user_data));
    frame_raw(
        "pusher:signin_success",
        None,
        Some(&serde_like_string(&data)),
    )
}

#[test]
fn sign_in_round_trip() {
    let mut h = Harness::live("1.1");
    h.client.sign_in(h.now);
    h.drain();
    let request = h.take_user_auth();
    assert_eq!(request.socket_id, "1.1");
    assert_eq!(request.target, AuthTarget::User);
    let user_data = r#"{"id":"42","name":"Ann","watchlist":["7"]}"#;
    h.answer(
        &request,
        AuthData {
            auth: "test-key:usersig".into(),
            user_data: Some(user_data.into()),
            ..AuthData::default()
        },
    );
    assert_eq!(
        h.take_sent(),
        [
            r#"{"event":"pusher:signin","data":{"auth":"test-key:usersig","user_data":"{\"id\":\"42\",\"name\":\"Ann\",\"watchlist\":[\"7\"]}"}}"#
        ]
    );
    assert_eq!(h.client.user_id(), None, "not before the server confirms");

    h.server(&signin_success(user_data));
    assert_eq!(
        h.take_sent(),
        [r##"{"event":"pusher:subscribe","data":{"channel":"#server-to-user-42","auth":""}}"##]
    );
    assert_eq!(
        h.take_events(),
        [Event::SignedIn {
            user_data: user_data.into()
        }]
    );
    assert_eq!(h.client.user_id(), Some("42"));
    // The user's channel works like any other once the server confirms it.
    h.server(&succeeded("#server-to-user-42"));
    h.server(&frame("notify", "#server-to-user-42", r#"{"x":1}"#));
    let events = h.take_events();
    assert!(events.contains(&Event::Subscribed {
        channel: "#server-to-user-42".into()
    }));
    assert_eq!(message_on(&events, "#server-to-user-42").len(), 1);
    // Signing in again while signed in asks nothing.
    h.client.sign_in(h.now);
    h.drain();
    assert!(h.auths.is_empty());
}

#[test]
fn sign_in_and_the_user_channel_are_redone_after_a_reconnect() {
    let mut h = Harness::live("1.1");
    h.client.sign_in(h.now);
    h.drain();
    let request = h.take_user_auth();
    let user_data = r#"{"id":"42"}"#;
    let reply = AuthData {
        auth: "k:one".into(),
        user_data: Some(user_data.into()),
        ..AuthData::default()
    };
    h.answer(&request, reply);
    h.server(&signin_success(user_data));
    h.server(&succeeded("#server-to-user-42"));
    assert_eq!(
        h.client.channel_state("#server-to-user-42"),
        Some(ChannelState::Subscribed)
    );
    h.server_close(1006);
    assert_eq!(h.client.user_id(), None);
    assert_eq!(h.client.channel_state("#server-to-user-42"), None);
    h.sent.clear();
    h.reopen_as("2.2");
    assert!(
        h.sent.is_empty(),
        "the user channel waits for the new sign-in"
    );
    let request = h.take_user_auth();
    assert_eq!(request.socket_id, "2.2");
    h.answer(
        &request,
        AuthData {
            auth: "k:two".into(),
            user_data: Some(user_data.into()),
            ..AuthData::default()
        },
    );
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:signin","data":{"auth":"k:two","user_data":"{\"id\":\"42\"}"}}"#]
    );
    h.server(&signin_success(user_data));
    assert_eq!(
        h.take_sent(),
        [r##"{"event":"pusher:subscribe","data":{"channel":"#server-to-user-42","auth":""}}"##]
    );
    assert_eq!(h.client.user_id(), Some("42"));
}

#[test]
fn sign_in_before_connecting_waits_for_the_socket_id() {
    let mut h = Harness::new();
    h.client.sign_in(h.now);
    h.connect();
    assert!(h.auths.is_empty());
    h.establish("5.6");
    let request = h.take_user_auth();
    assert_eq!(request.socket_id, "5.6");
}

#[test]
fn signin_success_with_object_data() {
    let mut h = Harness::live("1.1");
    h.server(r#"{"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"9\"}"}}"#);
    assert_eq!(
        h.take_sent(),
        [r##"{"event":"pusher:subscribe","data":{"channel":"#server-to-user-9","auth":""}}"##]
    );
    assert_eq!(h.client.user_id(), Some("9"));
}

#[test]
fn signin_success_without_an_id_is_a_sign_in_error() {
    for user_data in [
        r#"{"name":"Ann"}"#,
        r#"{"id":""}"#,
        r#"{"id":42}"#,
        "not json",
    ] {
        let mut h = Harness::live("1.1");
        h.server(&signin_success(user_data));
        let events = h.take_events();
        assert!(
            matches!(
                events.as_slice(),
                [Event::Error(ClientError::SignIn { .. })]
            ),
            "{user_data}: {events:?}"
        );
        assert!(h.sent.is_empty(), "{user_data}: no user channel");
        assert_eq!(h.client.user_id(), None);
    }
    let mut h = Harness::live("1.1");
    h.server(r#"{"event":"pusher:signin_success","data":{}}"#);
    assert!(matches!(
        h.take_events().as_slice(),
        [Event::Error(ClientError::SignIn { .. })]
    ));
}

#[test]
fn sign_in_auth_without_user_data_or_failing_is_a_sign_in_error() {
    let mut h = Harness::live("1.1");
    h.client.sign_in(h.now);
    h.drain();
    let request = h.take_user_auth();
    h.answer(&request, auth("k:s"));
    assert!(matches!(
        h.take_events().as_slice(),
        [Event::Error(ClientError::SignIn { .. })]
    ));
    assert!(h.sent.is_empty());
    // Retried (and failing differently) on the next connection.
    h.server_close(1006);
    h.reopen_as("2.2");
    let request = h.take_user_auth();
    assert_eq!(request.socket_id, "2.2");
    h.events.clear();
    h.client.handle_auth_reply(
        h.now,
        request.id,
        Err(AuthFailure {
            status: Some(500),
            message: "boom".into(),
        }),
    );
    h.drain();
    assert_eq!(
        h.take_events(),
        [Event::Error(ClientError::SignIn {
            message: "boom".into()
        })]
    );
}

#[test]
fn watchlist_events_one_event_per_entry() {
    let mut h = Harness::live("1.1");
    h.server(&frame_raw(
        "pusher_internal:watchlist_events",
        None,
        Some(&serde_like_string(
            r#"{"events":[{"name":"online","user_ids":["1","2"]},{"name":"offline","user_ids":[3]}]}"#,
        )),
    ));
    h.server(r#"{"event":"pusher_internal:watchlist_events","data":{"events":[{"name":"online","user_ids":[]}]}}"#);
    assert_eq!(
        h.take_events(),
        [
            Event::Watchlist {
                name: "online".into(),
                user_ids: r#"["1","2"]"#.into()
            },
            Event::Watchlist {
                name: "offline".into(),
                user_ids: r#"["3"]"#.into()
            },
            Event::Watchlist {
                name: "online".into(),
                user_ids: "[]".into()
            },
        ]
    );
    h.server(r#"{"event":"pusher_internal:watchlist_events","data":{"nope":1}}"#);
    assert!(matches!(
        h.take_events().as_slice(),
        [Event::Error(ClientError::MalformedFrame { .. })]
    ));
}

#[test]
fn cache_miss_is_delivered_as_a_message() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("cache-prices", None);
    h.subscribe_confirmed("private-cache-orders", None);
    h.server(r#"{"event":"pusher:cache_miss","channel":"cache-prices"}"#);
    h.server(r#"{"event":"pusher:cache_miss","channel":"private-cache-orders","data":"{}"}"#);
    assert_eq!(
        h.messages(),
        [
            Message {
                channel: Some("cache-prices".into()),
                event: "pusher:cache_miss".into(),
                data: Payload::Absent,
                user_id: None,
            },
            Message {
                channel: Some("private-cache-orders".into()),
                event: "pusher:cache_miss".into(),
                data: Payload::Text("{}".into()),
                user_id: None,
            },
        ]
    );
}

#[test]
fn connection_level_events_and_internal_noise() {
    let mut h = Harness::live("1.1");
    h.server(r#"{"event":"App\\Announcement","data":"{\"all\":true}"}"#);
    // Internal events the client does not know are not the app's business.
    h.server(r#"{"event":"pusher_internal:something_new","data":{}}"#);
    // Events for channels the app never subscribed to are ignored.
    h.server(&frame("App\\\\X", "not-subscribed", "{}"));
    assert_eq!(
        h.take_events(),
        [Event::Message(Message {
            channel: None,
            event: "App\\Announcement".into(),
            data: Payload::Text(r#"{"all":true}"#.into()),
            user_id: None,
        })]
    );
}

// ----- payloads ----------------------------------------------------------------------

#[test]
fn double_encoded_payload_is_the_inner_json_text() {
    assert_eq!(
        payload_of(Some(r#""{\"id\":1,\"tags\":[\"a\"]}""#)),
        Payload::Text(r#"{"id":1,"tags":["a"]}"#.into())
    );
}

#[test]
fn object_payload_is_the_raw_json() {
    assert_eq!(
        payload_of(Some(r#"{"id" : 1, "n":[1,2 ,3]}"#)),
        Payload::Json(r#"{"id" : 1, "n":[1,2 ,3]}"#.into())
    );
    assert_eq!(payload_of(Some("[1,2]")), Payload::Json("[1,2]".into()));
    assert_eq!(payload_of(Some("42")), Payload::Json("42".into()));
    assert_eq!(payload_of(Some("null")), Payload::Json("null".into()));
}

#[test]
fn string_payloads_are_kept_as_text() {
    assert_eq!(
        payload_of(Some(r#""hello""#)),
        Payload::Text("hello".into())
    );
    // A string that happens to be JSON is still the raw string: "123" stays "123".
    assert_eq!(payload_of(Some(r#""123""#)), Payload::Text("123".into()));
    assert_eq!(payload_of(Some(r#""""#)), Payload::Text(String::new()));
    assert_eq!(
        payload_of(Some(r#""{not json""#)),
        Payload::Text("{not json".into())
    );
}

#[test]
fn missing_data_is_absent() {
    assert_eq!(payload_of(None), Payload::Absent);
}

#[test]
fn unicode_and_escapes_survive() {
    // Inner JSON as the server SDK wrote it, with escapes of its own.
    let inner = r#"{"msg":"héllo \"w\" \\ \n 😀 \u00e9 \ud83d\ude00","path":"a\/b"}"#;
    assert_eq!(
        payload_of(Some(&serde_like_string(inner))),
        Payload::Text(inner.into())
    );
    // The outer string may itself use \u escapes (surrogate pairs included).
    assert_eq!(
        payload_of(Some(r#""h\u00e9llo \ud83d\ude00 \/ \t""#)),
        Payload::Text("héllo 😀 / \t".into())
    );
    // Object data keeps its escapes for JS to decode.
    assert_eq!(
        payload_of(Some(r#"{"s":"\u00e9\n😀"}"#)),
        Payload::Json(r#"{"s":"\u00e9\n😀"}"#.into())
    );
    // Unicode in event and channel names.
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("über-ch\u{e4}nnel", None);
    h.server(r#"{"event":"évènement 😀","channel":"\u00fcber-ch\u00e4nnel","data":"x"}"#);
    assert_eq!(
        h.messages(),
        [Message {
            channel: Some("über-ch\u{e4}nnel".into()),
            event: "évènement 😀".into(),
            data: Payload::Text("x".into()),
            user_id: None,
        }]
    );
}

#[test]
fn malformed_frames_are_reported_and_ignored() {
    let mut h = with_orders();
    for text in [
        "",
        "not json",
        "[1,2]",
        r#"{"channel":"orders"}"#,
        r#"{"event":5}"#,
        r#"{"event":"e","channel":7}"#,
        r#"{"event":"e","user_id":[1]}"#,
        r#"{"event":"e"} trailing"#,
        r#"{"event":"e","data":"unterminated}"#,
    ] {
        h.server(text);
        let events = h.take_events();
        assert!(
            matches!(
                events.as_slice(),
                [Event::Error(ClientError::MalformedFrame { .. })]
            ),
            "{text:?}: {events:?}"
        );
    }
    assert!(h.sent.is_empty());
    assert_eq!(h.client.state(), State::Connected);
    // The link still works.
    h.server(&frame("e", "orders", "{}"));
    assert_eq!(h.messages().len(), 1);
}

// ----- property tests ----------------------------------------------------------------

/// A JSON value, to generate arbitrary frames with.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// Writes `s` as a JSON string literal; `ascii` writes everything beyond ASCII (and some
/// ASCII) as `\u` escapes, with surrogate pairs.
fn write_str(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if ascii => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (ascii && !c.is_ascii()) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json(out: &mut String, value: &J, spaced: bool, ascii: bool) {
    let ws = if spaced { " \n\t" } else { "" };
    match value {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => write_str(out, s, ascii),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(ws);
                write_json(out, item, spaced, ascii);
            }
            out.push_str(ws);
            out.push(']');
        }
        J::Obj(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(ws);
                write_str(out, key, ascii);
                out.push_str(ws);
                out.push(':');
                out.push_str(ws);
                write_json(out, item, spaced, ascii);
            }
            out.push_str(ws);
            out.push('}');
        }
    }
}

fn to_json(value: &J, spaced: bool, ascii: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, value, spaced, ascii);
    out
}

/// Arbitrary text (cheaper to generate than a regex strategy in a debug build).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        prop::collection::vec(prop::char::range(' ', '~'), 0..12).prop_map(String::from_iter),
    ]
}

/// A lowercase ASCII word of `len` letters.
fn word(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::char::range('a', 'z'), len).prop_map(String::from_iter)
}

/// A JSON number literal: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn arb_number() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0u32..1_000_000_000,
        prop::option::of(0u16..10_000),
        prop::option::of((0u8..4, 0u8..200)),
    )
        .prop_map(|(negative, int, fraction, exponent)| {
            let mut n = String::new();
            if negative {
                n.push('-');
            }
            n.push_str(&int.to_string());
            if let Some(fraction) = fraction {
                n.push_str(&format!(".{fraction}"));
            }
            if let Some((style, exp)) = exponent {
                n.push_str(["e", "E", "e+", "E-"][usize::from(style)]);
                n.push_str(&exp.to_string());
            }
            n
        })
}

fn arb_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        arb_number().prop_map(J::Num),
        text().prop_map(J::Str),
        (word(1..8), 0u16..1000).prop_map(|(k, v)| J::Str(format!(r#"{{"{k}":{v}}}"#))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Arr),
            prop::collection::vec((text(), inner), 0..6).prop_map(J::Obj),
        ]
    })
}

const EVENTS: &[&str] = &[
    "pusher:connection_established",
    "pusher:error",
    "pusher:ping",
    "pusher:pong",
    "pusher:signin_success",
    "pusher:subscription_error",
    "pusher:cache_miss",
    "pusher_internal:subscription_succeeded",
    "pusher_internal:subscription_count",
    "pusher_internal:member_added",
    "pusher_internal:member_removed",
    "pusher_internal:watchlist_events",
    "client-typing",
    "App\\Events\\X",
];

const CHANNELS: &[&str] = &[
    "orders",
    "private-chat",
    "presence-room",
    "private-encrypted-vault",
    "cache-prices",
    "unknown",
];

/// A string member value: mostly a well-known name, sometimes anything.
fn arb_name(known: &'static [&'static str]) -> impl Strategy<Value = J> {
    prop_oneof![
        3 => prop::sample::select(known).prop_map(|s| J::Str(s.to_owned())),
        2 => text().prop_map(J::Str),
        1 => arb_json(),
    ]
}

fn arb_data() -> impl Strategy<Value = J> {
    prop_oneof![
        arb_json(),
        // Internal payloads with the members clients read, of random types.
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "presence",
                    "hash",
                    "count",
                    "user_id",
                    "user_info",
                    "subscription_count",
                    "events",
                    "user_data",
                    "message",
                    "code",
                    "ciphertext",
                    "nonce",
                    "socket_id",
                ]),
                arb_json()
            ),
            0..5
        )
        .prop_map(|members| J::Obj(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        )),
    ]
}

/// An envelope: each of the four members present or not, with values of random types,
/// plus other members, in a random order.
#[derive(Debug, Clone)]
struct Envelope {
    event: Option<J>,
    channel: Option<J>,
    user_id: Option<J>,
    data: Option<J>,
    /// Whether the data value is written as a double-encoded string.
    data_as_string: bool,
    extra: Vec<(String, J)>,
    order: Vec<usize>,
    spaced: bool,
    ascii: bool,
}

fn arb_envelope() -> impl Strategy<Value = Envelope> {
    (
        prop::option::weighted(0.9, arb_name(EVENTS)),
        prop::option::of(arb_name(CHANNELS)),
        prop::option::weighted(
            0.3,
            prop_oneof![
                text().prop_map(J::Str),
                arb_number().prop_map(J::Num),
                arb_json()
            ],
        ),
        prop::option::of(arb_data()),
        any::<bool>(),
        prop::collection::vec(
            (
                word(1..7).prop_filter("not a frame member", |k| {
                    !matches!(k.as_str(), "event" | "channel" | "user_id" | "data")
                }),
                arb_json(),
            ),
            0..3,
        ),
        Just((0..8).collect::<Vec<usize>>()).prop_shuffle(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(event, channel, user_id, data, data_as_string, extra, order, spaced, ascii)| {
                Envelope {
                    event,
                    channel,
                    user_id,
                    data,
                    data_as_string,
                    extra,
                    order,
                    spaced,
                    ascii,
                }
            },
        )
}

impl Envelope {
    /// The data member's value as written.
    fn data_value(&self) -> Option<J> {
        let data = self.data.clone()?;
        Some(if self.data_as_string {
            J::Str(to_json(&data, false, false))
        } else {
            data
        })
    }

    fn to_text(&self) -> String {
        let mut members: Vec<(String, J)> = Vec::new();
        let fixed = [
            ("event", self.event.clone()),
            ("channel", self.channel.clone()),
            ("user_id", self.user_id.clone()),
            ("data", self.data_value()),
        ];
        let mut slots: Vec<Option<(String, J)>> = fixed
            .into_iter()
            .map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect();
        slots.extend(self.extra.iter().cloned().map(Some));
        for &i in &self.order {
            if let Some(Some(member)) = slots.get_mut(i).map(Option::take) {
                members.push(member);
            }
        }
        to_json(&J::Obj(members), self.spaced, self.ascii)
    }
}

/// A connected client subscribed to one channel of each kind.
fn busy_client() -> Harness {
    use ::base64::Engine;
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("orders", None);
    h.subscribe_confirmed("cache-prices", None);
    h.subscribe_confirmed("private-chat", None);
    h.join_presence("presence-room", r#"{"user_id":"1"}"#, &[("1", "{}")]);
    let key = ::base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    h.subscribe_confirmed(
        "private-encrypted-vault",
        Some(AuthData {
            auth: "k:s".into(),
            shared_secret: Some(key),
            ..AuthData::default()
        }),
    );
    h.take_sent();
    h.take_events();
    h
}

/// Feeds `text` to a busy connected client and checks it copes.
fn feed(text: &str) -> Result<(), TestCaseError> {
    let mut h = busy_client();
    h.server(text);
    check_after(h, text)
}

/// The client coped with `text` (the last frame it was fed).
fn check_after(mut h: Harness, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(h.client.state(), State::Connected);
    let decoded = frame::decode(text);
    if decoded.is_err() {
        prop_assert!(
            matches!(
                h.events.as_slice(),
                [Event::Error(ClientError::MalformedFrame { .. })]
            ),
            "{:?}",
            h.events
        );
        prop_assert!(h.sent.is_empty());
    }
    // Whatever came in, the client only ever answers a ping, subscribes the user's own
    // channel after a sign-in, or (through auth requests) re-keys an encrypted channel.
    for (_, sent) in &h.sent {
        prop_assert!(
            sent == PONG
                || sent.starts_with(
                    r##"{"event":"pusher:subscribe","data":{"channel":"#server-to-user-"##
                ),
            "{}",
            sent
        );
    }
    for request in &h.auths {
        prop_assert_eq!(
            &request.target,
            &AuthTarget::Channel("private-encrypted-vault".into())
        );
    }
    // And the link still delivers.
    h.events.clear();
    h.server(&frame("after", "orders", "{}"));
    prop_assert_eq!(h.messages().len(), 1);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = frame::decode(&text);
        feed(&text)?;
    }

    #[test]
    fn arbitrary_json_values_never_panic(value in arb_json(), spaced in any::<bool>(), ascii in any::<bool>()) {
        let text = to_json(&value, spaced, ascii);
        let decoded = frame::decode(&text);
        if !matches!(value, J::Obj(_)) {
            prop_assert!(decoded.is_err());
        }
        feed(&text)?;
    }

    #[test]
    fn envelopes_decode_exactly(envelope in arb_envelope()) {
        let text = envelope.to_text();
        let decoded = frame::decode(&text);
        let event_ok = matches!(envelope.event, Some(J::Str(_)));
        let channel_ok = matches!(envelope.channel, None | Some(J::Str(_)));
        let user_id_ok = matches!(envelope.user_id, None | Some(J::Str(_)) | Some(J::Num(_)));
        prop_assert_eq!(decoded.is_ok(), event_ok && channel_ok && user_id_ok, "{}", text);
        if let Ok(f) = decoded {
            let Some(J::Str(event)) = &envelope.event else { unreachable!() };
            prop_assert_eq!(f.event.as_ref(), event.as_str());
            match &envelope.channel {
                Some(J::Str(channel)) => prop_assert_eq!(f.channel.as_deref(), Some(channel.as_str())),
                _ => prop_assert_eq!(f.channel, None),
            }
            match &envelope.user_id {
                Some(J::Str(id)) | Some(J::Num(id)) => prop_assert_eq!(f.user_id.as_deref(), Some(id.as_str())),
                _ => prop_assert_eq!(f.user_id, None),
            }
            match envelope.data_value() {
                None => prop_assert_eq!(f.data, RawData::Absent),
                Some(J::Str(s)) => prop_assert_eq!(f.data, RawData::Encoded(s.into())),
                Some(other) => {
                    let raw = to_json(&other, envelope.spaced, envelope.ascii);
                    prop_assert_eq!(f.data, RawData::Value(&raw));
                }
            }
        }
        feed(&text)?;
    }

}

proptest! {
    // Each case replays up to two dozen frames: fewer cases keep the run short.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn envelope_sequences_never_break_the_client(
        envelopes in prop::collection::vec(arb_envelope(), 1..24),
    ) {
        let mut h = busy_client();
        let texts: Vec<String> = envelopes.iter().map(Envelope::to_text).collect();
        let (last, before) = texts.split_last().unwrap();
        for text in before {
            h.server(text);
            prop_assert_eq!(h.client.state(), State::Connected);
        }
        h.sent.clear();
        h.auths.clear();
        h.events.clear();
        h.server(last);
        check_after(h, last)?;
    }
}
