//! End-to-end encrypted channels (`private-encrypted-`, PROTOCOL.md §6) through the
//! [`Client`]: decrypting what servers send, leaving `pusher:` events alone, asking once
//! for a fresh key when an event does not open, holding events meanwhile, giving up
//! cleanly, and never trusting a key fetched for an earlier socket.
//!
//! Payloads are sealed with the `crypto_secretbox` crate (tweetnacl-compatible
//! `secretbox`: tag first), independently of the client's own decryption.
#![cfg(not(target_arch = "wasm32"))]
mod support;

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine;
use crypto_secretbox::aead::Aead;
use crypto_secretbox::{KeyInit, XSalsa20Poly1305};
use echo_wasm::protocol::*;
use support::*;

const CHANNEL: &str = "private-encrypted-payments";
const K1: [u8; 32] = [1; 32];
const K2: [u8; 32] = [2; 32];
const K3: [u8; 32] = [3; 32];

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The `{ciphertext, nonce}` data of an event sealed with `key` (nonce derived from `n`).
fn sealed(key: &[u8; 32], n: u8, plaintext: &[u8]) -> String {
    let nonce = [n; 24];
    let ciphertext = XSalsa20Poly1305::new(key.into())
        .encrypt(&nonce.into(), plaintext)
        .expect("sealing never fails");
    format!(
        r#"{{"ciphertext":"{}","nonce":"{}"}}"#,
        b64(&ciphertext),
        b64(&nonce)
    )
}

/// An encrypted event as servers send it: data double-encoded.
fn encrypted_event(event: &str, key: &[u8; 32], n: u8, plaintext: &str) -> String {
    frame(event, CHANNEL, &sealed(key, n, plaintext.as_bytes()))
}

fn key_reply(auth: &str, key: &[u8; 32]) -> AuthData {
    AuthData {
        auth: auth.into(),
        shared_secret: Some(b64(key)),
        ..AuthData::default()
    }
}

/// Connected on socket 1.1 and subscribed to [`CHANNEL`] with key `key`.
fn subscribed_with(key: &[u8; 32]) -> Harness {
    let mut h = Harness::live("1.1");
    h.subscribe(CHANNEL);
    let request = h.take_auth(CHANNEL);
    h.answer(&request, key_reply("test-key:sig", key));
    // The key stays with us: the subscribe frame carries the auth only.
    assert_eq!(
        h.take_sent(),
        [subscribe_frame(CHANNEL, "test-key:sig", None)]
    );
    h.server(&succeeded(CHANNEL));
    assert_eq!(
        h.take_events(),
        [Event::Subscribed {
            channel: CHANNEL.into()
        }]
    );
    h
}

fn text_message(event: &str, plaintext: &str) -> Event {
    Event::Message(Message {
        channel: Some(CHANNEL.into()),
        event: event.into(),
        data: Payload::Text(plaintext.into()),
        user_id: None,
    })
}

fn decryption_error(event: &str, error: DecryptError) -> Event {
    Event::Error(ClientError::Decryption {
        channel: CHANNEL.into(),
        event: event.into(),
        error,
    })
}

#[test]
fn events_decrypt_to_their_plaintext() {
    let mut h = subscribed_with(&K1);
    let json = r#"{"amount":"12.50","note":"héllo \"😀\"\n"}"#;
    h.server(&encrypted_event("App\\\\Events\\\\Paid", &K1, 1, json));
    h.server(&encrypted_event("plain", &K1, 2, "just text"));
    h.server(&encrypted_event("empty", &K1, 3, ""));
    // Object (not double-encoded) data works too.
    h.server(&frame_raw(
        "obj",
        Some(CHANNEL),
        Some(&sealed(&K1, 4, b"[1,2]")),
    ));
    assert_eq!(
        h.take_events(),
        [
            text_message("App\\Events\\Paid", json),
            text_message("plain", "just text"),
            text_message("empty", ""),
            text_message("obj", "[1,2]"),
        ]
    );
    assert!(h.auths.is_empty() && h.sent.is_empty());
}

#[test]
fn pusher_events_are_not_decrypted() {
    let mut h = subscribed_with(&K1);
    h.server(&frame_raw("pusher:cache_miss", Some(CHANNEL), None));
    h.server(&frame("pusher:custom", CHANNEL, r#"{"a":1}"#));
    h.server(&frame(
        "pusher_internal:subscription_count",
        CHANNEL,
        r#"{"subscription_count":2}"#,
    ));
    assert_eq!(
        h.take_events(),
        [
            Event::Message(Message {
                channel: Some(CHANNEL.into()),
                event: "pusher:cache_miss".into(),
                data: Payload::Absent,
                user_id: None,
            }),
            Event::Message(Message {
                channel: Some(CHANNEL.into()),
                event: "pusher:custom".into(),
                data: Payload::Text(r#"{"a":1}"#.into()),
                user_id: None,
            }),
            Event::SubscriptionCount {
                channel: CHANNEL.into(),
                count: 2
            },
        ]
    );
    assert!(h.auths.is_empty());
}

#[test]
fn bad_event_asks_once_for_a_new_key_and_delivers_the_waiting_events_in_order() {
    let mut h = subscribed_with(&K1);
    // The server rotated its key: everything now comes sealed with K2.
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.auths.len(), 1, "exactly one re-authorization");
    let request = h.take_auth(CHANNEL);
    assert_eq!(request.target, AuthTarget::Channel(CHANNEL.into()));
    assert_eq!(request.socket_id, "1.1");
    for (i, text) in ["two", "three", "four"].into_iter().enumerate() {
        h.server(&encrypted_event(
            &format!("e{}", i + 2),
            &K2,
            2 + i as u8,
            text,
        ));
    }
    assert!(
        h.events.is_empty(),
        "events wait for the key: {:?}",
        h.events
    );
    assert!(h.auths.is_empty(), "no extra re-authorization");
    assert!(h.sent.is_empty());

    h.answer(&request, key_reply("test-key:sig2", &K2));
    assert_eq!(
        h.take_events(),
        [
            text_message("e1", "one"),
            text_message("e2", "two"),
            text_message("e3", "three"),
            text_message("e4", "four"),
        ]
    );
    assert!(h.sent.is_empty(), "a re-key does not subscribe again");
    assert_eq!(
        h.client.channel_state(CHANNEL),
        Some(ChannelState::Subscribed)
    );
    // The new key stays in use.
    h.server(&encrypted_event("e5", &K2, 9, "five"));
    assert_eq!(h.take_events(), [text_message("e5", "five")]);
    assert!(h.auths.is_empty());
}

#[test]
fn a_new_key_that_fails_too_drops_the_events_and_is_not_retried() {
    let mut h = subscribed_with(&K1);
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    h.server(&encrypted_event("e2", &K2, 2, "two"));
    let request = h.take_auth(CHANNEL);
    // The endpoint hands out K3, which does not open K2 events either.
    h.answer(&request, key_reply("k:s", &K3));
    assert_eq!(
        h.take_events(),
        [
            decryption_error("e1", DecryptError::Unauthentic),
            decryption_error("e2", DecryptError::Unauthentic),
        ]
    );
    // The next bad event with that key is dropped at once: no second re-authorization.
    h.server(&encrypted_event("e3", &K2, 3, "three"));
    assert_eq!(
        h.take_events(),
        [decryption_error("e3", DecryptError::Unauthentic)]
    );
    assert!(h.auths.is_empty());
    assert!(h.sent.is_empty());
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(
        h.client.channel_state(CHANNEL),
        Some(ChannelState::Subscribed)
    );

    // A good event proves the key; a bad one afterwards may ask again.
    h.server(&encrypted_event("e4", &K3, 4, "four"));
    assert_eq!(h.take_events(), [text_message("e4", "four")]);
    h.server(&encrypted_event("e5", &K2, 5, "five"));
    assert!(h.events.is_empty());
    let again = h.take_auth(CHANNEL);
    assert_ne!(again.id, request.id);
    h.answer(&again, key_reply("k:s", &K2));
    assert_eq!(h.take_events(), [text_message("e5", "five")]);
}

#[test]
fn a_new_key_that_opens_some_waiting_events_delivers_those() {
    let mut h = subscribed_with(&K1);
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    h.server(&encrypted_event("bad", &K3, 2, "tampered"));
    h.server(&encrypted_event("e3", &K2, 3, "three"));
    let request = h.take_auth(CHANNEL);
    h.answer(&request, key_reply("k:s", &K2));
    assert_eq!(
        h.take_events(),
        [
            text_message("e1", "one"),
            decryption_error("bad", DecryptError::Unauthentic),
            text_message("e3", "three"),
        ]
    );
    assert!(h.auths.is_empty());
}

#[test]
fn a_failed_reauthorization_drops_the_waiting_events() {
    let mut h = subscribed_with(&K1);
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    h.server(&encrypted_event("e2", &K2, 2, "two"));
    let request = h.take_auth(CHANNEL);
    h.client.handle_auth_reply(
        h.now,
        request.id,
        Err(AuthFailure {
            status: Some(500),
            message: "Server Error".into(),
        }),
    );
    h.drain();
    assert_eq!(
        h.take_events(),
        [
            decryption_error("e1", DecryptError::Unauthentic),
            decryption_error("e2", DecryptError::Unauthentic),
        ]
    );
    assert!(h.sent.is_empty());
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(
        h.client.channel_state(CHANNEL),
        Some(ChannelState::Subscribed)
    );
    // The old key is still in place.
    h.server(&encrypted_event("e3", &K1, 3, "three"));
    assert_eq!(h.take_events(), [text_message("e3", "three")]);
    // No key was obtained, so a later bad event may ask again (one request at a time).
    h.server(&encrypted_event("e4", &K2, 4, "four"));
    h.server(&encrypted_event("e5", &K2, 5, "five"));
    assert_eq!(h.take_auths().len(), 1);
}

#[test]
fn a_reauthorization_without_a_key_drops_the_waiting_events() {
    let mut h = subscribed_with(&K1);
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    let request = h.take_auth(CHANNEL);
    h.answer(&request, auth("k:s"));
    assert_eq!(
        h.take_events(),
        [decryption_error("e1", DecryptError::Unauthentic)]
    );
    h.server(&encrypted_event("e2", &K1, 2, "two"));
    assert_eq!(h.take_events(), [text_message("e2", "two")]);
}

#[test]
fn malformed_encrypted_data_is_an_error_without_reauthorization() {
    let mut h = subscribed_with(&K1);
    let good = sealed(&K1, 1, b"x");
    let ciphertext = b64(&XSalsa20Poly1305::new((&K1).into())
        .encrypt(&[1u8; 24].into(), &b"x"[..])
        .unwrap());
    let cases = [
        (
            frame(
                "not-b64",
                CHANNEL,
                &good.replace(r#""ciphertext":""#, r#""ciphertext":"!!"#),
            ),
            DecryptError::BadBase64,
        ),
        (
            frame(
                "no-nonce",
                CHANNEL,
                &format!(r#"{{"ciphertext":"{ciphertext}"}}"#),
            ),
            DecryptError::MalformedPayload,
        ),
        (
            frame(
                "short-nonce",
                CHANNEL,
                &format!(
                    r#"{{"ciphertext":"{ciphertext}","nonce":"{}"}}"#,
                    b64(&[1; 23])
                ),
            ),
            DecryptError::BadNonce,
        ),
        (
            frame_raw("not-object", Some(CHANNEL), Some(r#""hello""#)),
            DecryptError::MalformedPayload,
        ),
        (
            frame_raw("no-data", Some(CHANNEL), None),
            DecryptError::MalformedPayload,
        ),
        (
            frame("not-utf8", CHANNEL, &sealed(&K1, 7, &[0xff, 0xfe, 0x00])),
            DecryptError::NotUtf8,
        ),
    ];
    for (text, error) in cases {
        h.server(&text);
        let events = h.take_events();
        match events.as_slice() {
            [Event::Error(ClientError::Decryption {
                channel,
                error: got,
                ..
            })] => {
                assert_eq!(channel, CHANNEL);
                assert_eq!(*got, error, "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
        assert!(h.auths.is_empty(), "{text}: no re-authorization");
    }
    assert!(h.sent.is_empty());
    // Still fine afterwards.
    h.server(&encrypted_event("ok", &K1, 8, "fine"));
    assert_eq!(h.take_events(), [text_message("ok", "fine")]);
}

#[test]
fn waiting_events_are_bounded() {
    let mut h = subscribed_with(&K1);
    for i in 0..70u8 {
        h.server(&encrypted_event(&format!("e{i}"), &K2, i, &i.to_string()));
    }
    assert_eq!(h.auths.len(), 1);
    // 64 wait; beyond that they are dropped with an error instead of piling up.
    let early = h.take_events();
    assert_eq!(early.len(), 6, "{early:?}");
    for (event, i) in early.iter().zip(64u8..) {
        assert_eq!(
            *event,
            decryption_error(&format!("e{i}"), DecryptError::Unauthentic)
        );
    }
    let request = h.take_auth(CHANNEL);
    h.answer(&request, key_reply("k:s", &K2));
    let delivered = h.take_events();
    let expected: Vec<Event> = (0..64u8)
        .map(|i| text_message(&format!("e{i}"), &i.to_string()))
        .collect();
    assert_eq!(delivered, expected);
}

#[test]
fn a_reauthorization_reply_after_a_reconnect_is_discarded() {
    let mut h = subscribed_with(&K1);
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    let stale = h.take_auth(CHANNEL);
    assert_eq!(stale.socket_id, "1.1");
    h.server_close(1006);
    h.reopen_as("2.2");
    let fresh = h.take_auth(CHANNEL);
    assert_eq!(fresh.socket_id, "2.2");
    h.events.clear();
    h.sent.clear();

    // The re-key answer for the old socket arrives late: ignored entirely.
    h.answer(&stale, key_reply("k:stale", &K2));
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert!(h.sent.is_empty());
    assert_eq!(
        h.client.channel_state(CHANNEL),
        Some(ChannelState::Authorizing)
    );
    h.answer(&fresh, key_reply("k:fresh", &K1));
    assert_eq!(h.take_sent(), [subscribe_frame(CHANNEL, "k:fresh", None)]);
    h.server(&succeeded(CHANNEL));
    h.events.clear();
    // The stale reply's key (K2) was not installed: a K2 event needs a re-key, while K1
    // (from the fresh reply) opens.
    h.server(&encrypted_event("k1", &K1, 2, "with K1"));
    assert_eq!(h.take_events(), [text_message("k1", "with K1")]);
    h.server(&encrypted_event("k2", &K2, 3, "with K2"));
    assert!(h.events.is_empty());
    let rekey = h.take_auth(CHANNEL);
    assert_eq!(rekey.socket_id, "2.2");
    // And the stale one replayed once more still does nothing.
    h.answer(&stale, key_reply("k:stale", &K2));
    assert!(h.events.is_empty());
    h.answer(&rekey, key_reply("k:s", &K2));
    assert_eq!(h.take_events(), [text_message("k2", "with K2")]);
}

#[test]
fn fresh_key_after_reconnect_resets_the_retry_guard() {
    let mut h = subscribed_with(&K1);
    // Exhaust the guard: re-key to a key that does not work.
    h.server(&encrypted_event("e1", &K2, 1, "one"));
    let request = h.take_auth(CHANNEL);
    h.answer(&request, key_reply("k:s", &K3));
    h.server(&encrypted_event("e2", &K2, 2, "two"));
    assert!(h.auths.is_empty());
    h.server_close(1006);
    h.reopen_as("2.2");
    let fresh = h.take_auth(CHANNEL);
    h.answer(&fresh, key_reply("k:fresh", &K1));
    h.server(&succeeded(CHANNEL));
    h.events.clear();
    // A new subscription's key is a new start: a bad event may ask again.
    h.server(&encrypted_event("e3", &K2, 3, "three"));
    let rekey = h.take_auth(CHANNEL);
    h.answer(&rekey, key_reply("k:s", &K2));
    assert_eq!(h.take_events(), [text_message("e3", "three")]);
}

#[test]
fn php_style_escaped_slashes_decrypt() {
    let mut h = subscribed_with(&K1);
    // Find a nonce whose sealed payload has a `/` in its base64.
    let (n, data) = (0..=255u8)
        .map(|n| (n, sealed(&K1, n, b"{\"a\":\"/\"}")))
        .find(|(_, data)| data.contains('/'))
        .expect("some base64 contains a slash");
    // PHP's json_encode escapes `/` at both levels of encoding.
    let inner = data.replace('/', "\\/");
    let outer = serde_like_string(&inner).replace('/', "\\/");
    h.server(&frame_raw("php", Some(CHANNEL), Some(&outer)));
    assert_eq!(
        h.take_events(),
        [text_message("php", "{\"a\":\"/\"}")],
        "nonce {n}"
    );
    assert!(h.auths.is_empty());
}
