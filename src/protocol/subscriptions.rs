//! The channel registry of [`Client`]: subscribing and leaving, authorization replies,
//! resubscribing after every reconnection, and the frames addressed to a channel.

use crate::prelude::*;
use alloc::borrow::Cow;
use core::fmt;

use super::channel::{Channel, ChannelKind, ChannelState, Subscription};
use super::client::{get_text_or, get_u16, get_u64, Client, Kind};
use super::crypto::SharedSecret;
use super::frame::{self, Frame};
use super::json;
use super::output::{AuthRequestId, AuthTarget, Event, SubscriptionError};
use super::presence::Members;
use super::state::Phase;
use super::time::Instant;

/// The answer of an auth endpoint or authorizer:
/// `{"auth": "...", "channel_data"?: "...", "shared_secret"?: "...", "user_data"?: "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthData {
    /// `"<key>:<hex signature>"`.
    pub auth: String,
    /// Presence channels: the member's `{"user_id", "user_info"}` as a JSON string.
    pub channel_data: Option<String>,
    /// Encrypted channels: the channel key, base64.
    pub shared_secret: Option<String>,
    /// User sign-in: the user's data as a JSON string.
    pub user_data: Option<String>,
}

/// A failed authorization: the HTTP status (if the endpoint answered) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// A readable explanation.
    pub message: String,
}

impl AuthData {
    /// Reads an auth response body. `channel_data` and `user_data` are strings in the
    /// protocol; an object is accepted too (some hand-written authorizers return one)
    /// and kept as its JSON text.
    pub fn from_json(text: &str) -> Result<AuthData, AuthFailure> {
        // The failure is built in one place, from the reason `read` gives.
        Self::read(text).map_err(|message| AuthFailure {
            status: None,
            message: message.to_owned(),
        })
    }

    fn read(text: &str) -> Result<AuthData, &'static str> {
        // Text that is not JSON at all is not a JSON object either: one check, one text.
        let body = json::single_value(text)
            .ok()
            .filter(|body| json::kind(body) == Some(json::Kind::Object))
            .ok_or("the auth response is not a JSON object")?;
        let auth = frame::get_str(body, "auth")
            .ok_or("no `auth` string in the auth response")?
            .into_owned();
        // A `shared_secret` that is not a string is kept too: it then fails to decode
        // like any other bad key.
        Ok(AuthData {
            auth,
            channel_data: text_member(body, "channel_data"),
            shared_secret: text_member(body, "shared_secret"),
            user_data: text_member(body, "user_data"),
        })
    }
}

/// Member `key` of the auth response `body` as text: an object is kept as it is;
/// anything else must be a string.
fn text_member(body: &str, key: &str) -> Option<String> {
    let raw = json::get(body, key)?;
    if json::kind(raw) == Some(json::Kind::Object) {
        Some(raw.to_owned())
    } else {
        json::parse_string(raw).map(Cow::into_owned)
    }
}

/// Why a channel cannot be subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeError {
    /// The name is empty.
    EmptyName,
    /// Names starting with `#` are reserved for the server.
    ReservedName,
}

impl SubscribeError {
    /// Why, in words.
    pub fn message(self) -> &'static str {
        match self {
            SubscribeError::EmptyName => "channel name must not be empty",
            SubscribeError::ReservedName => "`#` channels are reserved for the server",
        }
    }
}

impl fmt::Display for SubscribeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl Client {
    /// Wants `name`: subscribes now if connected, else as soon as connected, and again
    /// after every reconnection. Subscribing again to a channel being left cancels the
    /// leave; to a refused one, retries.
    pub fn subscribe(&mut self, now: Instant, name: &str) -> Result<(), SubscribeError> {
        if name.is_empty() {
            return Err(SubscribeError::EmptyName);
        }
        let kind = ChannelKind::of(name);
        if kind == ChannelKind::User {
            return Err(SubscribeError::ReservedName);
        }
        let index = match self.channels.index(name) {
            Some(index) => match self.channels.at_mut(index).map(|c| &mut c.subscription) {
                Some(Subscription::Pending { cancelled }) => {
                    *cancelled = false;
                    return Ok(());
                }
                Some(Subscription::Failed) => index,
                _ => return Ok(()),
            },
            None => self.channels.push(Channel::new(name.to_owned())),
        };
        self.start_subscription(now, index);
        Ok(())
    }

    /// Leaves `name`. A subscription still in flight is cancelled as soon as the server
    /// confirms it; an authorization in flight is discarded when it arrives.
    pub fn unsubscribe(&mut self, _now: Instant, name: &str) {
        self.leave(name);
    }

    /// [`Client::unsubscribe`], also for a confirmation that arrives after the app left.
    fn leave(&mut self, name: &str) {
        let Some(index) = self.channels.index(name) else {
            return;
        };
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        match channel.subscription {
            Subscription::Pending { .. } => {
                channel.subscription = Subscription::Pending { cancelled: true };
                return;
            }
            Subscription::Subscribed => self.send(frame::unsubscribe(name)),
            _ => {}
        }
        self.channels.remove(index);
    }

    /// Channels the app wants, by name. One it left while its subscription was still in
    /// flight is not among them, although the client keeps track of it until the
    /// server's answer lets it send the `pusher:unsubscribe`.
    pub fn channel_names(&self) -> impl Iterator<Item = &str> {
        self.channels
            .iter()
            .filter(|channel| !channel.subscription.is_cancelled())
            .map(|channel| channel.name.as_str())
    }

    /// Where the subscription of `name` stands; `None` if the app does not want it
    /// (including one it left while the subscription was in flight).
    pub fn channel_state(&self, name: &str) -> Option<ChannelState> {
        self.channels
            .get(name)
            .filter(|channel| !channel.subscription.is_cancelled())
            .map(Channel::state)
    }

    /// The members of a subscribed presence channel.
    pub fn members(&self, name: &str) -> Option<&Members> {
        self.channels.get(name)?.members.as_ref()
    }

    /// The last `subscription_count` the server reported for `name`.
    pub fn subscription_count(&self, name: &str) -> Option<u64> {
        self.channels.get(name)?.count
    }

    /// An answer to [`super::output::Output::Authorize`]. Replies for a socket id that
    /// is no longer current, or for a request nobody waits for any more, are discarded:
    /// the server would reject them anyway.
    pub fn handle_auth_reply(
        &mut self,
        _now: Instant,
        id: AuthRequestId,
        reply: Result<AuthData, AuthFailure>,
    ) {
        // The reply is lent to whoever finishes, not moved: moving the multi-word
        // `Result` into each of them copies it at every call in the wasm.
        if self.user.pending == Some(id) {
            self.user.pending = None;
            self.finish_sign_in(&reply);
            return;
        }
        // Whoever waits for `id` holds it; nobody does once the session it was asked
        // for has ended. Found by place: the finishing code reads the name from there
        // only when it needs it.
        let mut rekey = false;
        let waiting = self.channels.iter().position(|channel| {
            rekey = channel.keyring.rekey == Some(id);
            rekey || matches!(channel.subscription, Subscription::Authorizing(r) if r == id)
        });
        let Some(index) = waiting else {
            return;
        };
        if rekey {
            self.finish_rekey(index, &reply);
        } else {
            self.finish_subscription(index, &reply);
        }
    }

    /// After a (re)connection: every wanted channel is subscribed again, with a fresh
    /// authorization for the new socket id.
    pub(crate) fn resubscribe_all(&mut self, now: Instant) {
        // By index, as subscribing changes no entry's place: no list of names to collect.
        // The user's own channel is not among them: it ended with the last connection.
        for index in 0..self.channels.len() {
            self.start_subscription(now, index);
        }
    }

    /// The connection is gone: subscriptions end, the wish stays. Channels left while
    /// their subscription was in flight, and the user's own channel, are forgotten.
    pub(crate) fn reset_channels(&mut self) {
        self.channels.retain(|channel| {
            let keep = !channel.subscription.is_cancelled() && channel.kind != ChannelKind::User;
            channel.reset();
            keep
        });
    }

    /// Subscribes the channel at `index` now if connected: asks for an authorization
    /// first if the channel needs one.
    pub(crate) fn start_subscription(&mut self, _now: Instant, index: usize) {
        if !matches!(self.phase, Phase::Connected(_)) {
            return;
        }
        let Some(channel) = self.channels.at(index) else {
            return;
        };
        let next = if channel.kind.needs_auth() {
            match self.request_auth(AuthTarget::Channel(channel.name.clone())) {
                Some(request) => Subscription::Authorizing(request),
                None => return,
            }
        } else {
            let text = frame::subscribe(&channel.name, "", None);
            self.send(text);
            Subscription::Pending { cancelled: false }
        };
        if let Some(channel) = self.channels.at_mut(index) {
            channel.subscription = next;
        }
    }

    /// The authorization for the channel at `index` (which waits for it) came back.
    fn finish_subscription(&mut self, index: usize, reply: &Result<AuthData, AuthFailure>) {
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        // The reply is checked here rather than by a function passing the `AuthData` on
        // in a `Result`: the secret is decoded once, and no `Result` is copied around.
        let (data, secret) = match reply {
            Ok(data) => {
                let secret = data
                    .shared_secret
                    .as_deref()
                    .and_then(SharedSecret::from_base64);
                let problem = match channel.kind {
                    ChannelKind::Presence if data.channel_data.is_none() => {
                        "no `channel_data` in the auth response"
                    }
                    ChannelKind::Encrypted if secret.is_none() => {
                        "no valid `shared_secret` in the auth response"
                    }
                    _ => "",
                };
                if !problem.is_empty() {
                    return self.auth_failed(index, problem, None);
                }
                (data, secret)
            }
            Err(failure) => return self.auth_failed(index, &failure.message, failure.status),
        };
        if let Some(secret) = secret {
            channel.keyring.secret = Some(secret);
            channel.keyring.retried = false;
        }
        channel.my_id = data
            .channel_data
            .as_deref()
            .and_then(|cd| json::get(cd, "user_id"))
            .and_then(frame::id_text)
            .map(Cow::into_owned);
        channel.subscription = Subscription::Pending { cancelled: false };
        let text = frame::subscribe(&channel.name, &data.auth, data.channel_data.as_deref());
        self.send(text);
    }

    /// A frame addressed to channel `name`.
    pub(crate) fn handle_channel_frame(
        &mut self,
        name: &str,
        kind: Kind,
        frame: &Frame<'_>,
        data: &str,
    ) {
        // By place from here on: the handlers below find the channel again without
        // comparing names.
        let Some(index) = self.channels.index(name) else {
            return;
        };
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        match kind {
            Kind::SubscriptionSucceeded => self.subscription_succeeded(index, name, data),
            Kind::SubscriptionError => {
                if channel.subscription.is_cancelled() {
                    self.channels.remove(index);
                } else {
                    let error = SubscriptionError {
                        kind: get_text_or(data, "type", "SubscriptionError"),
                        error: get_text_or(data, "error", "subscription refused"),
                        status: get_u16(data, "status"),
                    };
                    self.subscription_failed(index, error);
                }
            }
            Kind::SubscriptionCount => {
                match get_u64(data, "subscription_count") {
                    // The app is leaving this channel: nothing more about it reaches it.
                    Some(_) if channel.subscription.is_cancelled() => {}
                    Some(count) => {
                        channel.count = Some(count);
                        self.emit(Event::SubscriptionCount {
                            channel: name.to_owned(),
                            count,
                        });
                    }
                    None => self.malformed("invalid ", &frame.event),
                }
            }
            Kind::MemberAdded | Kind::MemberRemoved => {
                self.member_change(index, name, kind == Kind::MemberAdded, &frame.event, data)
            }
            _ if kind.is_internal() || channel.subscription.is_cancelled() => {}
            // App events are end-to-end encrypted on encrypted channels, `pusher:` ones not.
            Kind::App if channel.kind == ChannelKind::Encrypted => {
                self.receive_encrypted(index, Client::message(Some(name), frame))
            }
            _ => self.emit(Event::Message(Client::message(Some(name), frame))),
        }
    }

    fn subscription_succeeded(&mut self, index: usize, name: &str, data: &str) {
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        match channel.subscription {
            // Left meanwhile: subscribed only to be left now.
            Subscription::Pending { cancelled: true } => {
                channel.subscription = Subscription::Subscribed;
                return self.leave(name);
            }
            Subscription::Pending { cancelled: false } | Subscription::Subscribed => {}
            _ => return,
        }
        if channel.kind == ChannelKind::Presence {
            match Members::from_subscription(data, channel.my_id.as_deref()) {
                Some(members) => channel.members = Some(members),
                None => {
                    self.subscription_failed(
                        index,
                        SubscriptionError {
                            kind: "PresenceError".to_owned(),
                            error: "invalid `presence` data".to_owned(),
                            status: None,
                        },
                    );
                    return;
                }
            }
        }
        // A repeated confirmation on the same link is not a resumption: nothing was missed.
        let resumed =
            channel.was_subscribed && !matches!(channel.subscription, Subscription::Subscribed);
        channel.was_subscribed = true;
        channel.subscription = Subscription::Subscribed;
        self.emit(Event::Subscribed {
            channel: name.to_owned(),
        });
        if resumed {
            self.emit(Event::Resumed {
                channel: name.to_owned(),
            });
        }
    }

    /// Marks the channel at `index` refused and tells the app why: the one place a
    /// subscription fails.
    #[inline(never)]
    fn subscription_failed(&mut self, index: usize, error: SubscriptionError) {
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        channel.subscription = Subscription::Failed;
        let channel = channel.name.clone();
        self.emit(Event::SubscriptionError { channel, error });
    }

    /// The authorization of the channel at `index` failed (the endpoint's answer, or
    /// what it lacks).
    fn auth_failed(&mut self, index: usize, message: &str, status: Option<u16>) {
        self.subscription_failed(
            index,
            SubscriptionError {
                kind: "AuthError".to_owned(),
                error: message.to_owned(),
                status,
            },
        );
    }

    fn member_change(&mut self, index: usize, name: &str, added: bool, event: &str, data: &str) {
        let Some(members) = self.channels.at_mut(index).and_then(|c| c.members.as_mut()) else {
            return;
        };
        match members.apply(data, added) {
            Some(Some(member)) => {
                let channel = name.to_owned();
                self.emit(if added {
                    Event::MemberAdded { channel, member }
                } else {
                    Event::MemberRemoved { channel, member }
                })
            }
            Some(None) => {}
            None => self.malformed("invalid ", event),
        }
    }
}
