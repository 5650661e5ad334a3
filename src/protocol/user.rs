//! User authentication (`pusher:signin`) and what comes with it: the user's own
//! `#server-to-user-{id}` channel and watchlist events.

use super::channel::Channel;
use super::client::Client;
use super::frame;
use super::json;
use super::output::{AuthRequestId, AuthTarget, ClientError, Event};
use super::subscriptions::{AuthData, AuthFailure};
use super::time::Instant;
use crate::prelude::*;

/// Where sign-in stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserSession {
    /// The app asked to sign in: do it again after every reconnection.
    pub wanted: bool,
    /// The id confirmed by `pusher:signin_success` on the current connection.
    pub user_id: Option<String>,
    /// The user authentication in flight on the current connection.
    pub pending: Option<AuthRequestId>,
}

impl UserSession {
    /// The connection dropped: the sign-in must be redone.
    pub fn reset(&mut self) {
        self.user_id = None;
        self.pending = None;
    }
}

/// Why a `pusher:signin_success` is refused.
const NO_USER_ID: &str = "no user id in pusher:signin_success";

impl Client {
    /// Signs the user in (pusher-js `signin()`): asks for a user authentication, sends
    /// `pusher:signin`, and once confirmed subscribes the user's own channel. Repeated
    /// after every reconnection.
    pub fn sign_in(&mut self, now: Instant) {
        if !self.user.wanted {
            self.user.wanted = true;
            // Asks only while connected: there is no socket id to sign for otherwise.
            self.sign_in_again(now);
        }
    }

    /// The signed-in user's id, once the server has confirmed it.
    pub fn user_id(&self) -> Option<&str> {
        self.user.user_id.as_deref()
    }

    pub(crate) fn sign_in_again(&mut self, _now: Instant) {
        if self.user.wanted {
            self.user.pending = self.request_auth(AuthTarget::User);
        }
    }

    pub(crate) fn finish_sign_in(&mut self, reply: &Result<AuthData, AuthFailure>) {
        match reply {
            Ok(AuthData {
                auth,
                user_data: Some(user_data),
                ..
            }) => self.send(frame::signin(auth, user_data)),
            Ok(_) => self.sign_in_failed("no `user_data` in the auth response"),
            Err(failure) => self.sign_in_failed(&failure.message),
        }
    }

    /// `pusher:signin_success {user_data}`: `user_data` must hold a non-empty string id.
    pub(crate) fn handle_signin_success(&mut self, now: Instant, data: &str) {
        let Some(user_data) = frame::get_str(data, "user_data") else {
            return self.sign_in_failed(NO_USER_ID);
        };
        let id = frame::get_str(&user_data, "id").filter(|id| !id.is_empty());
        let Some(id) = id else {
            return self.sign_in_failed(NO_USER_ID);
        };
        let mut channel = String::from("#server-to-user-");
        channel.push_str(&id);
        self.user.user_id = Some(id.into_owned());
        // A repeated confirmation starts the channel over, as the last one.
        if let Some(index) = self.channels.index(&channel) {
            self.channels.remove(index);
        }
        let index = self.channels.push(Channel::new(channel));
        self.start_subscription(now, index);
        self.emit(Event::SignedIn {
            user_data: user_data.into_owned(),
        });
    }

    /// `pusher_internal:watchlist_events {events: [{name, user_ids}]}`.
    pub(crate) fn handle_watchlist(&mut self, data: &str) {
        let events = json::get(data, "events").and_then(|e| json::elements(e).ok());
        let Some(events) = events else {
            self.malformed("invalid ", "pusher_internal:watchlist_events");
            return;
        };
        // Plain loops, skipping malformed items as `flatten` would: the iterator-adapter
        // version (flatten, filter_map, collect) costs hundreds of bytes more of wasm.
        for event in events {
            let Ok(event) = event else { continue };
            let Some(name) = frame::get_str(event, "name") else {
                continue;
            };
            let mut user_ids = String::from("[");
            if let Some(Ok(ids)) = json::get(event, "user_ids").map(json::elements) {
                for id in ids {
                    let Ok(id) = id else { continue };
                    if let Some(id) = frame::id_text(id) {
                        if user_ids.len() > 1 {
                            user_ids.push(',');
                        }
                        json::write_string(&mut user_ids, &id);
                    }
                }
            }
            user_ids.push(']');
            self.emit(Event::Watchlist {
                name: name.into_owned(),
                user_ids,
            });
        }
    }

    fn sign_in_failed(&mut self, message: &str) {
        self.emit(Event::Error(ClientError::SignIn {
            message: message.to_owned(),
        }));
    }
}
