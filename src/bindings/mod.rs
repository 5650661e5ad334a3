//! The JavaScript API of the Rust client, exported with wasm-bindgen.
//!
//! Coarse calls by full channel name, listeners identified by the number `bind*`
//! returns: the laravel-echo-compatible wrapper in `js/` builds its channel objects on
//! top of this. Every method takes `&self`, so a listener may call any of them while an
//! event is being delivered.

mod options;

use crate::prelude::*;
use alloc::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::protocol::{ChannelState, DisconnectReason};
use crate::web::{now, parse_json, stringify, Driver, Function, Kind, ObjectWriter};

pub use options::{DEFAULT_AUTH_ENDPOINT, DEFAULT_AUTH_TIMEOUT_MS, DEFAULT_USER_AUTH_ENDPOINT};

/// A connection to a Pusher-protocol server, with its channels and listeners.
#[wasm_bindgen(js_name = Client)]
pub struct JsClient {
    driver: Rc<Driver>,
}

/// One out-of-line constructor for every thrown error, rather than one per method.
#[inline(never)]
fn js_error(message: &str) -> JsError {
    JsError::new(message)
}

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Creates a client from pusher-js / laravel-echo options. Throws an `Error` naming
    /// the option when one is unusable. Does not connect: call `connect()`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsError> {
        let options = options::parse(&options).map_err(|error| js_error(&error.message()))?;
        Ok(JsClient {
            driver: Driver::new(options.config, options.auth),
        })
    }

    /// Connects, or retries at once if waiting to reconnect.
    pub fn connect(&self) {
        self.driver.connect();
    }

    /// Closes the connection and stays disconnected until `connect()`. Channels are
    /// kept and subscribed again on the next connection.
    pub fn disconnect(&self) {
        self.driver.disconnect();
    }

    /// `initialized`, `connecting`, `connected`, `unavailable`, `failed` or
    /// `disconnected`.
    #[wasm_bindgen(getter, js_name = state, unchecked_return_type = "string")]
    pub fn js_state(&self) -> JsValue {
        let state = self.driver.core().state().as_str();
        JsValue::from_str(state)
    }

    /// The socket id while connected (for the `X-Socket-ID` header), else `undefined`.
    #[wasm_bindgen(
        getter,
        js_name = socketId,
        unchecked_return_type = "string | undefined"
    )]
    pub fn js_socket_id(&self) -> JsValue {
        optional_string(self.driver.core().socket_id())
    }

    /// The signed-in user's id, once `signIn()` was confirmed.
    #[wasm_bindgen(
        getter,
        js_name = userId,
        unchecked_return_type = "string | undefined"
    )]
    pub fn js_user_id(&self) -> JsValue {
        optional_string(self.driver.core().user_id())
    }

    /// The state with its detail: `{state, socketId, attempt, nextRetryIn, lastClose,
    /// reason, failure}`. `nextRetryIn` is in milliseconds while waiting to reconnect;
    /// `lastClose` is `{code, reason}` of the last socket to end; `reason` says why the
    /// client is `disconnected` (`requested`, `paused` or `refused`).
    pub fn status(&self) -> JsValue {
        let text = {
            let core = self.driver.core();
            let status = core.status();
            let mut object = ObjectWriter::new();
            object
                .string("state", status.state.as_str())
                .number("attempt", status.attempt.into());
            if let Some(socket_id) = status.socket_id {
                object.string("socketId", socket_id);
            }
            if let Some(at) = status.next_retry_at {
                let wait = at.as_millis().saturating_sub(now().as_millis());
                object.number("nextRetryIn", wait);
            }
            if let Some(end) = status.last_end {
                let mut close = ObjectWriter::new();
                if let Some(code) = end.code() {
                    close.number("code", code.into());
                }
                close.string("reason", end.reason());
                object.raw("lastClose", &close.into_text());
            }
            if let Some(reason) = status.disconnect_reason {
                object.string("reason", reason.as_str());
                if let (DisconnectReason::Refused { code }, Some(end)) = (reason, status.last_end) {
                    object
                        .number("code", (*code).into())
                        .string("message", end.reason());
                }
            }
            if let Some(failure) = status.failure {
                object.string("failure", failure);
            }
            object.into_text()
        };
        parse_json(&text)
    }

    /// Subscribes to a channel by its full name (`private-orders.1`, `presence-room`):
    /// now if connected, else once connected, and again after every reconnection.
    /// Throws for an empty or reserved (`#…`) name.
    pub fn subscribe(&self, channel: &str) -> Result<(), JsError> {
        self.driver
            .subscribe(channel)
            .map_err(|error| js_error(error.message()))
    }

    /// Leaves a channel. Its listeners are removed.
    pub fn unsubscribe(&self, channel: &str) {
        self.driver.unsubscribe(channel);
    }

    /// `idle`, `authorizing`, `pending`, `subscribed` or `failed` for a channel the
    /// client wants, `undefined` for any other.
    #[wasm_bindgen(
        js_name = channelState,
        unchecked_return_type = "string | undefined"
    )]
    pub fn js_channel_state(&self, channel: &str) -> JsValue {
        self.channel_state_str(channel)
            .map_or(JsValue::UNDEFINED, JsValue::from_str)
    }

    /// The names of the channels the client wants, in the order they were subscribed.
    pub fn channels(&self) -> JsValue {
        let mut text = String::from("[");
        for name in self.driver.core().channel_names() {
            if text.len() > 1 {
                text.push(',');
            }
            crate::protocol::json::write_string(&mut text, name);
        }
        text.push(']');
        parse_json(&text)
    }

    /// Calls `callback(data, metadata)` for `event` on `channel`. The channel's own
    /// events are named as pusher-js names them: `pusher:subscription_succeeded`,
    /// `pusher:subscription_error`, `pusher:member_added`, `pusher:member_removed`,
    /// `pusher:subscription_count`, plus `echo-wasm:resumed` after a resubscription.
    /// Returns the id for `unbind`.
    pub fn bind(&self, channel: &str, event: &str, callback: &Function) -> u32 {
        self.driver.listen(Kind::Event, channel, event, callback)
    }

    /// Calls `callback(eventName, data, metadata)` for every event on `channel`.
    #[wasm_bindgen(js_name = bindAll)]
    pub fn bind_all(&self, channel: &str, callback: &Function) -> u32 {
        self.driver.listen(Kind::Channel, channel, "", callback)
    }

    /// Calls `callback(eventName, data, channelName)` for every event on every
    /// channel, and for connection-level events (`channelName` undefined).
    #[wasm_bindgen(js_name = bindGlobal)]
    pub fn bind_global(&self, callback: &Function) -> u32 {
        self.driver.listen(Kind::Global, "", "", callback)
    }

    /// Calls `callback({previous, current})` on every connection state change.
    #[wasm_bindgen(js_name = onStateChange)]
    pub fn on_state_change(&self, callback: &Function) -> u32 {
        self.driver.listen(Kind::StateChange, "", "", callback)
    }

    /// Calls `callback({type, message, code?, channel?, event?})` for errors that do
    /// not belong to one channel's subscription (those arrive as
    /// `pusher:subscription_error` on the channel).
    #[wasm_bindgen(js_name = onError)]
    pub fn on_error(&self, callback: &Function) -> u32 {
        self.driver.listen(Kind::Error, "", "", callback)
    }

    /// Removes a listener by id. Returns whether it was there. A listener removed while
    /// an event is being delivered is not called for it any more.
    pub fn unbind(&self, id: u32) -> bool {
        self.driver.unlisten(id)
    }

    /// Sends a client event (`client-…`) on a subscribed private or presence channel.
    /// `data` must be JSON-serializable. Throws, with the reason, when it cannot be
    /// sent: wrong name, public or encrypted channel, not subscribed yet, or more than
    /// 10 per second.
    pub fn trigger(&self, channel: &str, event: &str, data: &JsValue) -> Result<(), JsError> {
        let data = stringify(data)
            .ok_or_else(|| js_error("client event data must be JSON-serializable"))?;
        self.driver
            .trigger(channel, event, &data)
            .map_err(|error| js_error(error.message()))
    }

    /// A presence channel's members, `{count, me, members: {id: info}}`, once
    /// subscribed; `undefined` otherwise.
    pub fn members(&self, channel: &str) -> JsValue {
        self.driver.members(channel)
    }

    /// Signs the user in (`pusher:signin`) through `userAuthentication`, now and after
    /// every reconnection.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self) {
        self.driver.sign_in();
    }
}

/// The getters for Rust callers (the browser tests), as `String`s. The exported
/// methods above return a `JsValue` instead: wasm-bindgen hands a `String` or
/// `Option<String>` over as a boxed slice that the glue decodes and frees, code repeated
/// per method (for size).
impl JsClient {
    /// See the `state` getter.
    pub fn state(&self) -> String {
        self.driver.core().state().as_str().to_owned()
    }

    /// See the `socketId` getter.
    pub fn socket_id(&self) -> Option<String> {
        self.driver.core().socket_id().map(str::to_owned)
    }

    /// See the `userId` getter.
    pub fn user_id(&self) -> Option<String> {
        self.driver.core().user_id().map(str::to_owned)
    }

    /// See `channelState`.
    pub fn channel_state(&self, channel: &str) -> Option<String> {
        self.channel_state_str(channel).map(str::to_owned)
    }

    fn channel_state_str(&self, channel: &str) -> Option<&'static str> {
        let state = self.driver.core().channel_state(channel)?;
        Some(match state {
            ChannelState::Idle => "idle",
            ChannelState::Authorizing => "authorizing",
            ChannelState::Pending => "pending",
            ChannelState::Subscribed => "subscribed",
            ChannelState::Failed => "failed",
        })
    }
}

/// A string for JS, or `undefined`. Made while the client is borrowed: making a JS
/// string runs no app code, which could call back into the client.
fn optional_string(text: Option<&str>) -> JsValue {
    text.map_or(JsValue::UNDEFINED, JsValue::from_str)
}
