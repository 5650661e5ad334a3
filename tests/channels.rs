//! Channel subscriptions through the [`Client`]: resubscribing everything after a server
//! restart, authorizations tied to the socket id they were made for, authorization
//! failures, leaving a channel at every stage of its subscription, presence members and
//! client events (PROTOCOL.md §2–§5).
#![cfg(not(target_arch = "wasm32"))]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use echo_wasm::protocol::*;
use support::*;

/// `channel_data` for user `id` (a JSON literal: `1` or `"1"`).
fn channel_data(id_json: &str) -> String {
    format!(
        r#"{{"user_id":{id_json},"user_info":{{"name":"user {}"}}}}"#,
        id_json.trim_matches('"')
    )
}

/// A signed reply for `request`; presence channels get `channel_data` for user `u-<name>`.
fn reply_for(request: &AuthRequest) -> AuthData {
    let AuthTarget::Channel(name) = &request.target else {
        panic!("not a channel request: {request:?}");
    };
    AuthData {
        auth: signature(&request.socket_id, name),
        channel_data: name
            .starts_with("presence-")
            .then(|| presence_data_for(name)),
        ..AuthData::default()
    }
}

fn presence_data_for(name: &str) -> String {
    format!(r#"{{"user_id":"u-{name}"}}"#)
}

/// The names of the 50 channels of a busy page: 20 public, 20 private, 10 presence.
fn fifty_channels() -> Vec<String> {
    let mut names = Vec::new();
    names.extend((0..20).map(|i| format!("public-{i:02}")));
    names.extend((0..20).map(|i| format!("private-{i:02}")));
    names.extend((0..10).map(|i| format!("presence-{i:02}")));
    names
}

fn count<F: Fn(&Event) -> bool>(events: &[Event], f: F) -> usize {
    events.iter().filter(|e| f(e)).count()
}

fn subscribed_names(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Subscribed { channel } => Some(channel.clone()),
            _ => None,
        })
        .collect()
}

fn resumed_names(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Resumed { channel } => Some(channel.clone()),
            _ => None,
        })
        .collect()
}

/// What the server should receive for `name` on socket `socket_id`.
fn expected_subscribe(name: &str, socket_id: &str) -> String {
    if name.starts_with("private-") {
        subscribe_frame(name, &signature(socket_id, name), None)
    } else if name.starts_with("presence-") {
        subscribe_frame(
            name,
            &signature(socket_id, name),
            Some(&presence_data_for(name)),
        )
    } else {
        subscribe_frame(name, "", None)
    }
}

/// Confirms every channel the client sent a subscribe frame for (taken from `sent`).
fn confirm_all_sent(h: &mut Harness) {
    let sent = h.take_sent();
    for text in &sent {
        let name = subscribed_channel(text).expect("a subscribe frame");
        if name.starts_with("presence-") {
            h.server(&presence_succeeded(&name, &[(&format!("u-{name}"), "{}")]));
        } else {
            h.server(&succeeded(&name));
        }
    }
}

// ----- server restart ----------------------------------------------------------------

#[test]
fn server_restart_with_fifty_channels_resubscribes_each_once_with_fresh_auth() {
    let names = fifty_channels();
    let mut h = Harness::live("1.1");
    for name in &names {
        h.subscribe(name);
    }
    // 20 public subscribe at once; 30 wait for an authorization for socket 1.1.
    assert_eq!(h.sent.len(), 20);
    assert_eq!(h.auths.len(), 30);
    assert!(h.auths.iter().all(|r| r.socket_id == "1.1"));
    for request in h.take_auths() {
        let data = reply_for(&request);
        h.answer(&request, data);
    }
    assert_eq!(h.sent.len(), 50);
    confirm_all_sent(&mut h);
    let events = h.take_events();
    assert_eq!(subscribed_names(&events).len(), 50);
    assert!(resumed_names(&events).is_empty(), "first subscriptions");
    for name in &names {
        assert_eq!(h.client.channel_state(name), Some(ChannelState::Subscribed));
    }

    // The server dies.
    h.server_close(1006);
    for name in &names {
        assert_eq!(h.client.channel_state(name), Some(ChannelState::Idle));
    }
    assert!(h.sent.is_empty());
    h.reopen_as("2.2");

    // Exactly 30 new auth requests, all for the new socket, one per channel that needs
    // one; the 20 public channels are subscribed at once.
    let requests = h.take_auths();
    assert_eq!(requests.len(), 30);
    assert!(
        requests.iter().all(|r| r.socket_id == "2.2"),
        "{requests:?}"
    );
    let asked: BTreeSet<_> = requests
        .iter()
        .map(|r| match &r.target {
            AuthTarget::Channel(name) => name.clone(),
            AuthTarget::User => panic!("no sign-in was asked for"),
        })
        .collect();
    let need_auth: BTreeSet<_> = names
        .iter()
        .filter(|n| !n.starts_with("public-"))
        .cloned()
        .collect();
    assert_eq!(asked, need_auth);
    assert_eq!(h.sent.len(), 20);
    for request in &requests {
        let data = reply_for(request);
        h.answer(request, data);
    }

    // 50 subscribe frames, each channel exactly once, with the new auth strings.
    let link = h.current_link();
    assert!(h.sent.iter().all(|(l, _)| *l == link));
    let sent: Vec<String> = h.sent.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(sent.len(), 50);
    let mut per_channel: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for text in &sent {
        per_channel
            .entry(subscribed_channel(text).expect("only subscribe frames"))
            .or_default()
            .push(text);
    }
    assert_eq!(per_channel.len(), 50);
    for name in &names {
        assert_eq!(
            per_channel[name],
            [&expected_subscribe(name, "2.2")],
            "{name}"
        );
    }
    assert!(!sent.iter().any(|t| t.contains("sig-1.1")));

    confirm_all_sent(&mut h);
    let events = h.take_events();
    let subscribed: BTreeSet<_> = subscribed_names(&events).into_iter().collect();
    let resumed: BTreeSet<_> = resumed_names(&events).into_iter().collect();
    assert_eq!(
        count(&events, |e| matches!(e, Event::Subscribed { .. })),
        50
    );
    assert_eq!(count(&events, |e| matches!(e, Event::Resumed { .. })), 50);
    let all: BTreeSet<_> = names.iter().cloned().collect();
    assert_eq!(subscribed, all);
    assert_eq!(resumed, all);
    for name in &names {
        assert_eq!(h.client.channel_state(name), Some(ChannelState::Subscribed));
    }
    assert_eq!(h.client.channel_names().count(), 50);
    // Presence members were rebuilt from the new subscription_succeeded.
    let members = h.client.members("presence-03").unwrap();
    assert_eq!(members.count(), 1);
    assert_eq!(members.me().unwrap().id, "u-presence-03");
}

#[test]
fn auth_replies_outstanding_when_the_server_dies_are_discarded_after_the_reconnect() {
    let names = fifty_channels();
    let mut h = Harness::live("1.1");
    for name in &names {
        h.subscribe(name);
    }
    // The auth endpoint is slow for two channels: their requests for socket 1.1 are
    // still unanswered when the link drops.
    let slow = ["private-07", "presence-04"];
    let mut stale = Vec::new();
    for request in h.take_auths() {
        let AuthTarget::Channel(name) = &request.target else {
            unreachable!()
        };
        if slow.contains(&name.as_str()) {
            stale.push(request);
        } else {
            let data = reply_for(&request);
            h.answer(&request, data);
        }
    }
    assert_eq!(stale.len(), 2);
    assert_eq!(h.sent.len(), 48);
    confirm_all_sent(&mut h);
    for name in slow {
        assert_eq!(
            h.client.channel_state(name),
            Some(ChannelState::Authorizing)
        );
    }
    h.events.clear();

    h.server_close(1006);
    // A stale reply while reconnecting changes nothing.
    let data = reply_for(&stale[0]);
    h.answer(&stale[0], data);
    assert!(h.sent.is_empty());
    h.reopen_as("2.2");
    let requests = h.take_auths();
    assert_eq!(requests.len(), 30);
    assert!(requests.iter().all(|r| r.socket_id == "2.2"));
    assert!(requests.iter().all(|r| stale.iter().all(|s| s.id != r.id)));

    // The old replies arrive now, before the new ones...
    let public_frames = h.take_sent();
    assert_eq!(public_frames.len(), 20);
    for request in &stale {
        let data = reply_for(request);
        h.answer(request, data);
    }
    assert!(h.sent.is_empty(), "{:?}", h.sent);
    for name in slow {
        assert_eq!(
            h.client.channel_state(name),
            Some(ChannelState::Authorizing)
        );
    }
    for request in &requests {
        let data = reply_for(request);
        h.answer(request, data);
    }
    // ...and again after them: still nothing.
    for request in &stale {
        let data = reply_for(request);
        h.answer(request, data);
    }
    let sent = h.take_sent();
    assert_eq!(sent.len(), 30);
    assert!(!sent.iter().any(|t| t.contains("sig-1.1")), "{sent:?}");
    for name in slow {
        let frames: Vec<_> = sent
            .iter()
            .filter(|t| subscribed_channel(t).as_deref() == Some(name))
            .collect();
        assert_eq!(frames, [&expected_subscribe(name, "2.2")]);
    }
    let link = h.current_link();
    h.sent = public_frames
        .into_iter()
        .chain(sent)
        .map(|t| (link, t))
        .collect();
    confirm_all_sent(&mut h);
    let events = h.take_events();
    assert_eq!(subscribed_names(&events).len(), 50);
    // The two slow channels had never been subscribed: nothing was missed on them.
    let resumed: BTreeSet<_> = resumed_names(&events).into_iter().collect();
    assert_eq!(resumed.len(), 48);
    for name in slow {
        assert!(!resumed.contains(name));
    }
    for name in &names {
        assert_eq!(h.client.channel_state(name), Some(ChannelState::Subscribed));
    }
}

#[test]
fn a_duplicate_subscription_succeeded_is_not_a_resumption() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.server(&succeeded("orders"));
    h.server(&succeeded("orders"));
    // Like pusher-js, the app hears of the success again; but nothing was missed, so
    // there is no `Resumed` (which tells the app to refetch).
    assert_eq!(
        h.take_events(),
        [
            Event::Subscribed {
                channel: "orders".into()
            },
            Event::Subscribed {
                channel: "orders".into()
            }
        ]
    );
    // After a real loss of the link it is one.
    h.server_close(1006);
    h.reopen_as("2.2");
    h.events.clear();
    h.server(&succeeded("orders"));
    h.server(&succeeded("orders"));
    assert_eq!(
        h.take_events(),
        [
            Event::Subscribed {
                channel: "orders".into()
            },
            Event::Resumed {
                channel: "orders".into()
            },
            Event::Subscribed {
                channel: "orders".into()
            }
        ]
    );
}

// ----- auth replies tied to their request ---------------------------------------------

#[test]
fn auth_reply_for_a_previous_socket_id_is_discarded() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-a");
    let old = h.take_auth("private-a");
    assert_eq!(old.socket_id, "1.1");
    h.server_close(1006);
    h.reopen_as("2.2");
    let new = h.take_auth("private-a");
    assert_eq!(new.socket_id, "2.2");
    assert_ne!(old.id, new.id);
    h.sent.clear();
    h.events.clear();
    h.answer(&old, auth(&signature("1.1", "private-a")));
    assert!(h.sent.is_empty());
    assert_eq!(
        h.client.channel_state("private-a"),
        Some(ChannelState::Authorizing)
    );
    h.answer(&new, auth(&signature("2.2", "private-a")));
    assert_eq!(
        h.take_sent(),
        [subscribe_frame(
            "private-a",
            &signature("2.2", "private-a"),
            None
        )]
    );
    // Late again, after the new one: still nothing, and no second subscribe.
    h.answer(&old, auth(&signature("1.1", "private-a")));
    h.answer(&new, auth(&signature("2.2", "private-a")));
    assert!(h.sent.is_empty());
    assert!(h.events.is_empty(), "{:?}", h.events);
}

#[test]
fn sign_in_reply_for_a_previous_socket_id_is_discarded() {
    let mut h = Harness::live("1.1");
    h.client.sign_in(h.now);
    h.drain();
    let old = h.take_user_auth();
    assert_eq!(old.socket_id, "1.1");
    h.server_close(1006);
    h.reopen_as("2.2");
    let new = h.take_user_auth();
    assert_eq!(new.socket_id, "2.2");
    h.sent.clear();
    h.events.clear();
    let user_data = |sig: &str| AuthData {
        auth: sig.into(),
        user_data: Some(r#"{"id":"1"}"#.into()),
        ..AuthData::default()
    };
    h.answer(&old, user_data("k:old"));
    assert!(h.sent.is_empty(), "{:?}", h.sent);
    assert!(h.events.is_empty(), "{:?}", h.events);
    h.answer(&new, user_data("k:new"));
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:signin","data":{"auth":"k:new","user_data":"{\"id\":\"1\"}"}}"#]
    );
}

#[test]
fn auth_reply_for_an_unknown_id_is_ignored() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-a");
    let request = h.take_auth("private-a");
    for id in [
        AuthRequestId(0),
        AuthRequestId(request.id.0 + 1),
        AuthRequestId(u32::MAX),
    ] {
        h.client.handle_auth_reply(h.now, id, Ok(auth("k:forged")));
        h.client.handle_auth_reply(
            h.now,
            id,
            Err(AuthFailure {
                status: Some(403),
                message: "no".into(),
            }),
        );
    }
    h.drain();
    assert!(h.sent.is_empty() && h.events.is_empty());
    assert_eq!(
        h.client.channel_state("private-a"),
        Some(ChannelState::Authorizing)
    );
    h.answer(&request, auth("k:real"));
    assert_eq!(
        h.take_sent(),
        [subscribe_frame("private-a", "k:real", None)]
    );
}

#[test]
fn auth_reply_after_unsubscribe_is_discarded() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-a");
    let request = h.take_auth("private-a");
    h.client.unsubscribe(h.now, "private-a");
    h.drain();
    assert_eq!(h.client.channel_state("private-a"), None);
    assert!(
        h.sent.is_empty(),
        "nothing was subscribed, nothing to leave"
    );
    h.answer(&request, auth("k:s"));
    assert!(h.sent.is_empty() && h.events.is_empty());
    assert_eq!(h.client.channel_state("private-a"), None);
    // Subscribing again asks anew; the old reply cannot complete the new subscription.
    h.subscribe("private-a");
    let again = h.take_auth("private-a");
    assert_ne!(again.id, request.id);
    h.answer(&request, auth("k:old"));
    assert!(h.sent.is_empty());
    h.answer(&again, auth("k:new"));
    assert_eq!(h.take_sent(), [subscribe_frame("private-a", "k:new", None)]);
}

#[test]
fn old_auth_reply_cannot_complete_a_newer_subscription_of_the_same_channel() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-a");
    let first = h.take_auth("private-a");
    h.client.unsubscribe(h.now, "private-a");
    h.subscribe("private-a");
    let second = h.take_auth("private-a");
    assert_ne!(first.id, second.id);
    // Both are for the current socket; only the newer one belongs to this subscription.
    h.answer(&first, auth("k:first"));
    assert!(h.sent.is_empty(), "{:?}", h.sent);
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(
        h.client.channel_state("private-a"),
        Some(ChannelState::Authorizing)
    );
    h.answer(&second, auth("k:second"));
    assert_eq!(
        h.take_sent(),
        [subscribe_frame("private-a", "k:second", None)]
    );
    // A failure for the old request cannot fail the new subscription either.
    h.client.unsubscribe(h.now, "private-a");
    h.server(&succeeded("private-a"));
    h.take_sent();
    h.subscribe("private-a");
    let third = h.take_auth("private-a");
    h.client.unsubscribe(h.now, "private-a");
    h.subscribe("private-a");
    let fourth = h.take_auth("private-a");
    h.client.handle_auth_reply(
        h.now,
        third.id,
        Err(AuthFailure {
            status: Some(403),
            message: "stale".into(),
        }),
    );
    h.drain();
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(
        h.client.channel_state("private-a"),
        Some(ChannelState::Authorizing)
    );
    h.answer(&fourth, auth("k:fourth"));
    assert_eq!(
        h.take_sent(),
        [subscribe_frame("private-a", "k:fourth", None)]
    );
}

// ----- auth failures -----------------------------------------------------------------

fn forbidden() -> AuthFailure {
    AuthFailure {
        status: Some(403),
        message: "Forbidden".into(),
    }
}

#[test]
fn auth_failure_fails_only_that_channel_and_can_be_retried() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("orders", None);
    h.subscribe_confirmed("private-ok", None);
    h.subscribe("private-no");
    let request = h.take_auth("private-no");
    h.client
        .handle_auth_reply(h.now, request.id, Err(forbidden()));
    h.drain();
    assert_eq!(
        h.take_events(),
        [Event::SubscriptionError {
            channel: "private-no".into(),
            error: SubscriptionError {
                kind: "AuthError".into(),
                error: "Forbidden".into(),
                status: Some(403),
            }
        }]
    );
    assert!(
        h.sent.is_empty(),
        "no subscribe frame for a refused channel"
    );
    assert_eq!(
        h.client.channel_state("private-no"),
        Some(ChannelState::Failed)
    );
    assert_eq!(h.client.state(), State::Connected);

    // The other channels keep working.
    h.server(&frame("tick", "orders", "{}"));
    h.server(&frame("tick", "private-ok", "{}"));
    h.server(&frame("tick", "private-no", "{}"));
    let delivered: Vec<_> = h
        .messages()
        .into_iter()
        .map(|m| m.channel.unwrap())
        .collect();
    assert_eq!(delivered[..2], ["orders", "private-ok"]);
    h.events.clear();

    // Subscribing again retries with a new auth request.
    h.subscribe("private-no");
    let retry = h.take_auth("private-no");
    assert_ne!(retry.id, request.id);
    assert_eq!(retry.socket_id, "1.1");
    assert_eq!(
        h.client.channel_state("private-no"),
        Some(ChannelState::Authorizing)
    );
    h.answer(&retry, auth("k:finally"));
    assert_eq!(
        h.take_sent(),
        [subscribe_frame("private-no", "k:finally", None)]
    );
    h.server(&succeeded("private-no"));
    assert_eq!(
        h.take_events(),
        [Event::Subscribed {
            channel: "private-no".into()
        }]
    );
}

#[test]
fn subscribing_a_live_or_pending_channel_again_asks_nothing() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("private-a", None);
    h.subscribe("private-a");
    h.subscribe("private-b");
    h.take_auth("private-b");
    h.subscribe("private-b");
    h.subscribe("orders");
    h.take_sent();
    h.subscribe("orders");
    assert!(h.auths.is_empty() && h.sent.is_empty() && h.events.is_empty());
}

#[test]
fn failed_channel_is_retried_on_reconnect() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-no");
    let request = h.take_auth("private-no");
    h.client
        .handle_auth_reply(h.now, request.id, Err(forbidden()));
    h.subscribe("orders");
    h.server(&frame(
        "pusher:subscription_error",
        "orders",
        r#"{"type":"LimitReached","error":"too many","status":429}"#,
    ));
    assert_eq!(h.client.channel_state("orders"), Some(ChannelState::Failed));
    h.server_close(1006);
    h.sent.clear();
    h.reopen_as("2.2");
    let retry = h.take_auth("private-no");
    assert_eq!(retry.socket_id, "2.2");
    assert_eq!(h.take_sent(), [subscribe_frame("orders", "", None)]);
}

#[test]
fn presence_auth_without_channel_data_is_a_subscription_error() {
    let mut h = Harness::live("1.1");
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    h.answer(&request, auth("k:s"));
    match h.take_events().as_slice() {
        [Event::SubscriptionError { channel, error }] => {
            assert_eq!(channel, "presence-room");
            assert_eq!(error.kind, "AuthError");
            assert_eq!(error.status, None);
            assert!(error.error.contains("channel_data"), "{}", error.error);
        }
        other => panic!("{other:?}"),
    }
    assert!(h.sent.is_empty());
    assert_eq!(
        h.client.channel_state("presence-room"),
        Some(ChannelState::Failed)
    );
}

#[test]
fn encrypted_auth_without_a_valid_shared_secret_is_a_subscription_error() {
    use ::base64::Engine;
    let b64 = |bytes: &[u8]| ::base64::engine::general_purpose::STANDARD.encode(bytes);
    for secret in [
        None,
        Some(String::new()),
        Some("not base64!".to_owned()),
        Some(b64(&[1; 31])),
        Some(b64(&[1; 33])),
    ] {
        let mut h = Harness::live("1.1");
        h.subscribe("private-encrypted-x");
        let request = h.take_auth("private-encrypted-x");
        h.answer(
            &request,
            AuthData {
                auth: "k:s".into(),
                shared_secret: secret.clone(),
                ..AuthData::default()
            },
        );
        match h.take_events().as_slice() {
            [Event::SubscriptionError { channel, error }] => {
                assert_eq!(channel, "private-encrypted-x");
                assert_eq!(error.kind, "AuthError");
                assert!(error.error.contains("shared_secret"), "{}", error.error);
            }
            other => panic!("{secret:?}: {other:?}"),
        }
        assert!(h.sent.is_empty(), "{secret:?}");
        assert_eq!(
            h.client.channel_state("private-encrypted-x"),
            Some(ChannelState::Failed)
        );
    }
}

// ----- leaving -----------------------------------------------------------------------

#[test]
fn unsubscribe_while_pending_leaves_once_the_server_confirms() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.take_sent();
    h.client.unsubscribe(h.now, "orders");
    h.drain();
    assert!(
        h.sent.is_empty(),
        "no unsubscribe before the server answered"
    );
    // Events for a channel being left are not delivered: neither messages nor the
    // subscription count some servers send right after subscribing.
    h.server(&frame("tick", "orders", "{}"));
    h.server(&frame(
        "pusher_internal:subscription_count",
        "orders",
        r#"{"subscription_count":3}"#,
    ));
    assert!(h.events.is_empty(), "{:?}", h.events);
    h.server(&succeeded("orders"));
    assert_eq!(h.take_sent(), [unsubscribe_frame("orders")]);
    assert!(
        !h.events
            .iter()
            .any(|e| matches!(e, Event::Subscribed { .. })),
        "{:?}",
        h.events
    );
    assert_eq!(h.client.channel_state("orders"), None);
    assert_eq!(h.client.channel_names().count(), 0);
    // A duplicate confirmation or later events do nothing.
    h.server(&succeeded("orders"));
    h.server(&frame("tick", "orders", "{}"));
    assert!(h.sent.is_empty());
    assert!(h.events.is_empty(), "{:?}", h.events);
}

#[test]
fn unsubscribe_while_pending_private_channel() {
    let mut h = Harness::live("1.1");
    h.subscribe("private-a");
    let request = h.take_auth("private-a");
    h.answer(&request, auth("k:s"));
    h.take_sent();
    h.client.unsubscribe(h.now, "private-a");
    h.drain();
    assert!(h.sent.is_empty());
    // Left as far as the app can see, although the leave is still in flight.
    assert_eq!(h.client.channel_state("private-a"), None);
    assert_eq!(h.client.channel_names().count(), 0);
    assert_eq!(
        h.client.trigger(h.now, "private-a", "client-x", "{}"),
        Err(TriggerError::NotSubscribed)
    );
    h.server(&succeeded("private-a"));
    assert_eq!(h.take_sent(), [unsubscribe_frame("private-a")]);
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.client.channel_state("private-a"), None);
}

#[test]
fn resubscribing_while_pending_cancels_the_cancellation() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.take_sent();
    h.client.unsubscribe(h.now, "orders");
    h.subscribe("orders");
    assert!(h.sent.is_empty(), "the subscribe in flight still counts");
    h.server(&succeeded("orders"));
    assert!(h.sent.is_empty(), "no unsubscribe frame");
    assert_eq!(
        h.take_events(),
        [Event::Subscribed {
            channel: "orders".into()
        }]
    );
    assert_eq!(
        h.client.channel_state("orders"),
        Some(ChannelState::Subscribed)
    );
    h.server(&frame("tick", "orders", "{}"));
    assert_eq!(h.messages().len(), 1);
}

#[test]
fn unsubscribe_while_pending_then_refused_forgets_quietly() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.take_sent();
    h.client.unsubscribe(h.now, "orders");
    h.server(&frame(
        "pusher:subscription_error",
        "orders",
        r#"{"type":"x","error":"y","status":400}"#,
    ));
    assert!(h.sent.is_empty());
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.client.channel_state("orders"), None);
}

#[test]
fn unsubscribe_while_pending_then_disconnect_forgets_the_channel() {
    let mut h = Harness::live("1.1");
    h.subscribe("orders");
    h.client.unsubscribe(h.now, "orders");
    h.server_close(1006);
    assert_eq!(h.client.channel_state("orders"), None);
    h.sent.clear();
    h.reopen_as("2.2");
    assert!(h.sent.is_empty(), "{:?}", h.sent);
}

#[test]
fn unsubscribe_while_authorizing() {
    let mut h = Harness::live("1.1");
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    h.client.unsubscribe(h.now, "presence-room");
    h.drain();
    assert_eq!(h.client.channel_state("presence-room"), None);
    h.answer(
        &request,
        AuthData {
            auth: "k:s".into(),
            channel_data: Some(channel_data("1")),
            ..AuthData::default()
        },
    );
    assert!(h.sent.is_empty(), "{:?}", h.sent);
    assert!(h.events.is_empty(), "{:?}", h.events);
    h.server(&presence_succeeded("presence-room", &[("1", "{}")]));
    assert!(h.events.is_empty() && h.sent.is_empty());
}

#[test]
fn unsubscribe_while_subscribed_sends_at_once() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("private-a", None);
    h.client.unsubscribe(h.now, "private-a");
    h.drain();
    assert_eq!(h.take_sent(), [unsubscribe_frame("private-a")]);
    assert_eq!(h.client.channel_state("private-a"), None);
    h.server(&frame("tick", "private-a", "{}"));
    assert!(
        h.events.is_empty(),
        "events after leaving are not delivered"
    );
    // Leaving twice or leaving an unknown channel sends nothing.
    h.client.unsubscribe(h.now, "private-a");
    h.client.unsubscribe(h.now, "never");
    h.drain();
    assert!(h.sent.is_empty());
    // And after reconnecting it is not subscribed again.
    h.server_close(1006);
    h.reopen_as("2.2");
    assert!(h.auths.is_empty());
    assert!(h.sent.is_empty(), "{:?}", h.sent);
}

#[test]
fn unsubscribe_while_disconnected_sends_nothing() {
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("orders", None);
    h.subscribe_confirmed("private-a", None);
    h.server_close(1006);
    h.sent.clear();
    h.client.unsubscribe(h.now, "orders");
    h.client.unsubscribe(h.now, "private-a");
    h.drain();
    assert!(h.sent.is_empty());
    assert_eq!(h.client.channel_names().count(), 0);
    h.reopen_as("2.2");
    assert!(h.sent.is_empty() && h.auths.is_empty());
    // Before the first connection, too.
    let mut idle = Harness::new();
    idle.subscribe("orders");
    idle.client.unsubscribe(idle.now, "orders");
    idle.connect();
    idle.establish("3.3");
    assert!(idle.sent.is_empty());
}

// ----- presence ----------------------------------------------------------------------

/// A presence channel subscribed as user `me_json`, with members 1 ("Ann") and 2 ("Bob").
fn presence_room(me_json: &str) -> Harness {
    let mut h = Harness::live("1.1");
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    h.answer(
        &request,
        AuthData {
            auth: "k:s".into(),
            channel_data: Some(channel_data(me_json)),
            ..AuthData::default()
        },
    );
    h.server(&presence_succeeded(
        "presence-room",
        &[("1", r#"{"name":"Ann"}"#), ("2", r#"{"name":"Bob"}"#)],
    ));
    h.sent.clear();
    h.events.clear();
    h
}

#[test]
fn presence_members_and_me_with_numeric_and_string_ids() {
    for me in ["1", r#""1""#] {
        let h = presence_room(me);
        let members = h.client.members("presence-room").unwrap();
        assert_eq!(members.count(), 2, "{me}");
        let mine = members.me().unwrap_or_else(|| panic!("me for {me}"));
        assert_eq!(mine.id, "1");
        assert_eq!(mine.info_json, r#"{"name":"Ann"}"#);
        let ids: Vec<_> = members.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
    }
    // Numeric keys in the hash and a numeric id in channel_data.
    let mut h = Harness::live("1.1");
    h.subscribe("presence-n");
    let request = h.take_auth("presence-n");
    h.answer(
        &request,
        AuthData {
            auth: "k:s".into(),
            channel_data: Some(r#"{"user_id":42}"#.into()),
            ..AuthData::default()
        },
    );
    h.server(&frame(
        "pusher_internal:subscription_succeeded",
        "presence-n",
        r#"{"presence":{"count":1,"ids":[42],"hash":{"42":null}}}"#,
    ));
    let members = h.client.members("presence-n").unwrap();
    assert_eq!(members.me().unwrap().id, "42");
    assert_eq!(members.me().unwrap().info_json, "null");
}

#[test]
fn member_added_new_and_duplicate() {
    let mut h = presence_room("1");
    h.server(&frame(
        "pusher_internal:member_added",
        "presence-room",
        r#"{"user_id":"3","user_info":{"name":"Cy"}}"#,
    ));
    assert_eq!(h.client.members("presence-room").unwrap().count(), 3);
    // A known id again (another tab of the same user, or changed info): updated, not
    // counted twice, and still announced (pusher-js does).
    h.server(&frame(
        "pusher_internal:member_added",
        "presence-room",
        r#"{"user_id":3,"user_info":{"name":"Cyd"}}"#,
    ));
    let members = h.client.members("presence-room").unwrap();
    assert_eq!(members.count(), 3);
    assert_eq!(members.get("3").unwrap().info_json, r#"{"name":"Cyd"}"#);
    let added: Vec<_> = h
        .take_events()
        .into_iter()
        .map(|e| match e {
            Event::MemberAdded { channel, member } => {
                assert_eq!(channel, "presence-room");
                (member.id, member.id_json, member.info_json)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        added,
        [
            ("3".into(), r#""3""#.into(), r#"{"name":"Cy"}"#.into()),
            ("3".into(), "3".into(), r#"{"name":"Cyd"}"#.into()),
        ]
    );
}

#[test]
fn member_removed_known_and_unknown() {
    let mut h = presence_room("1");
    h.server(&frame(
        "pusher_internal:member_removed",
        "presence-room",
        r#"{"user_id":"99"}"#,
    ));
    assert!(
        h.events.is_empty(),
        "unknown ids are ignored: {:?}",
        h.events
    );
    assert_eq!(h.client.members("presence-room").unwrap().count(), 2);
    h.server(&frame(
        "pusher_internal:member_removed",
        "presence-room",
        r#"{"user_id":2}"#,
    ));
    assert_eq!(
        h.take_events(),
        [Event::MemberRemoved {
            channel: "presence-room".into(),
            member: Member {
                id: "2".into(),
                id_json: r#""2""#.into(),
                info_json: r#"{"name":"Bob"}"#.into(),
            }
        }]
    );
    let members = h.client.members("presence-room").unwrap();
    assert_eq!(members.count(), 1);
    assert!(members.get("2").is_none());
    // Removing it again is ignored too.
    h.server(&frame(
        "pusher_internal:member_removed",
        "presence-room",
        r#"{"user_id":"2"}"#,
    ));
    assert!(h.events.is_empty());
    assert_eq!(h.client.members("presence-room").unwrap().count(), 1);
}

#[test]
fn members_reset_on_disconnect_and_rebuilt() {
    let mut h = presence_room(r#""1""#);
    h.server_close(1006);
    assert!(h.client.members("presence-room").is_none());
    h.reopen_as("2.2");
    assert!(h.client.members("presence-room").is_none());
    // Membership events before the new subscription_succeeded are ignored.
    h.server(&frame(
        "pusher_internal:member_added",
        "presence-room",
        r#"{"user_id":"5"}"#,
    ));
    assert!(h.client.members("presence-room").is_none());
    let request = h.take_auth("presence-room");
    assert_eq!(request.socket_id, "2.2");
    h.answer(
        &request,
        AuthData {
            auth: "k:s2".into(),
            channel_data: Some(channel_data("7")),
            ..AuthData::default()
        },
    );
    h.server(&presence_succeeded(
        "presence-room",
        &[("2", "{}"), ("7", r#"{"name":"Me"}"#)],
    ));
    let members = h.client.members("presence-room").unwrap();
    assert_eq!(members.count(), 2);
    assert!(members.get("1").is_none(), "nothing survives from before");
    assert_eq!(members.me().unwrap().id, "7");
}

#[test]
fn malformed_member_added_changes_nothing() {
    let mut h = presence_room("1");
    let before = h.client.members("presence-room").cloned();
    for data in [
        r#"{"user_info":{"name":"nobody"}}"#,
        r#"{"user_id":{"a":1},"user_info":{}}"#,
        r#"{"user_id":null}"#,
        r#"[]"#,
    ] {
        h.server(&frame(
            "pusher_internal:member_added",
            "presence-room",
            data,
        ));
        match h.take_events().as_slice() {
            [Event::Error(ClientError::MalformedFrame { reason })] => {
                assert!(reason.contains("member_added"), "{reason}")
            }
            other => panic!("{data}: {other:?}"),
        }
        assert_eq!(h.client.members("presence-room").cloned(), before);
    }
    h.server(r#"{"event":"pusher_internal:member_removed","channel":"presence-room"}"#);
    assert!(matches!(
        h.take_events().as_slice(),
        [Event::Error(ClientError::MalformedFrame { .. })]
    ));
    assert_eq!(h.client.members("presence-room").cloned(), before);
    assert!(h.sent.is_empty());
    assert_eq!(
        h.client.channel_state("presence-room"),
        Some(ChannelState::Subscribed)
    );
}

// ----- client events -----------------------------------------------------------------

/// Subscribed: `private-chat`, `presence-room`, `orders`, `private-encrypted-x`;
/// `private-waiting` is still waiting for its authorization.
fn chat() -> Harness {
    use ::base64::Engine;
    let mut h = Harness::live("1.1");
    h.subscribe_confirmed("private-chat", None);
    h.subscribe_confirmed("orders", None);
    h.subscribe("presence-room");
    let request = h.take_auth("presence-room");
    h.answer(
        &request,
        AuthData {
            auth: "k:s".into(),
            channel_data: Some(channel_data("1")),
            ..AuthData::default()
        },
    );
    h.server(&presence_succeeded("presence-room", &[("1", "{}")]));
    let secret = ::base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    h.subscribe_confirmed(
        "private-encrypted-x",
        Some(AuthData {
            auth: "k:s".into(),
            shared_secret: Some(secret),
            ..AuthData::default()
        }),
    );
    h.subscribe("private-waiting");
    h.take_auth("private-waiting");
    h.sent.clear();
    h.events.clear();
    h
}

#[test]
fn trigger_on_private_and_presence_sends_the_exact_frame() {
    let mut h = chat();
    h.client
        .trigger(h.now, "private-chat", "client-typing", r#"{"who":"ann"}"#)
        .unwrap();
    h.client
        .trigger(h.now, "presence-room", "client-wave", r#"{"to":[1,2]}"#)
        .unwrap();
    h.drain();
    assert_eq!(
        h.take_sent(),
        [
            r#"{"event":"client-typing","channel":"private-chat","data":{"who":"ann"}}"#,
            r#"{"event":"client-wave","channel":"presence-room","data":{"to":[1,2]}}"#,
        ]
    );
}

#[test]
fn trigger_errors_send_nothing_and_change_nothing() {
    let mut h = chat();
    let cases = [
        ("private-chat", "typing", "{}", TriggerError::NotClientEvent),
        (
            "private-chat",
            "pusher:ping",
            "{}",
            TriggerError::NotClientEvent,
        ),
        ("orders", "client-x", "{}", TriggerError::PublicChannel),
        (
            "private-encrypted-x",
            "client-x",
            "{}",
            TriggerError::EncryptedChannel,
        ),
        (
            "private-nope",
            "client-x",
            "{}",
            TriggerError::UnknownChannel,
        ),
        ("", "client-x", "{}", TriggerError::UnknownChannel),
        (
            "private-waiting",
            "client-x",
            "{}",
            TriggerError::NotSubscribed,
        ),
        ("private-chat", "client-x", "", TriggerError::InvalidData),
        ("private-chat", "client-x", "{", TriggerError::InvalidData),
        (
            "private-chat",
            "client-x",
            "{} {}",
            TriggerError::InvalidData,
        ),
        (
            "private-chat",
            "client-x",
            "hello",
            TriggerError::InvalidData,
        ),
    ];
    for (channel, event, data, want) in cases {
        let state = h.client.state();
        let socket = h.client.socket_id().map(str::to_owned);
        let timeout = h.client.poll_timeout();
        assert_eq!(
            h.client.trigger(h.now, channel, event, data),
            Err(want),
            "{channel} {event} {data}"
        );
        h.drain();
        assert!(h.sent.is_empty() && h.events.is_empty() && h.auths.is_empty());
        assert_eq!(h.client.state(), state);
        assert_eq!(h.client.socket_id().map(str::to_owned), socket);
        assert_eq!(h.client.poll_timeout(), timeout);
    }
    // None of the refusals used up the rate limit.
    for i in 0..10 {
        h.client
            .trigger(h.now, "private-chat", "client-x", &i.to_string())
            .unwrap();
    }
}

#[test]
fn trigger_while_disconnected_is_not_subscribed() {
    let mut h = chat();
    h.server_close(1006);
    h.sent.clear();
    assert_eq!(
        h.client.trigger(h.now, "private-chat", "client-x", "{}"),
        Err(TriggerError::NotSubscribed)
    );
    h.drain();
    assert!(h.sent.is_empty());
}

#[test]
fn trigger_rate_limit_ten_per_second() {
    let mut h = chat();
    for i in 0..10 {
        let channel = if i % 2 == 0 {
            "private-chat"
        } else {
            "presence-room"
        };
        h.client
            .trigger(h.now, channel, "client-n", &i.to_string())
            .unwrap_or_else(|e| panic!("event {i}: {e}"));
    }
    h.drain();
    assert_eq!(h.take_sent().len(), 10);
    let state = h.client.state();
    for channel in ["private-chat", "presence-room"] {
        assert_eq!(
            h.client.trigger(h.now, channel, "client-n", "10"),
            Err(TriggerError::RateLimited)
        );
    }
    h.advance(999);
    assert_eq!(
        h.client.trigger(h.now, "private-chat", "client-n", "11"),
        Err(TriggerError::RateLimited)
    );
    h.drain();
    assert!(h.sent.is_empty(), "nothing sent while limited");
    assert!(h.events.is_empty());
    assert_eq!(h.client.state(), state);
    h.advance(1);
    h.client
        .trigger(h.now, "private-chat", "client-n", "12")
        .unwrap();
    h.drain();
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"client-n","channel":"private-chat","data":12}"#]
    );
}
