//! The JavaScript API of the Rust client.
//!
//! Coarse calls by full channel name, listeners identified by the number `bind*`
//! returns: the laravel-echo-compatible wrapper in `js/` builds its channel objects on
//! top of this. Every method takes `&self`, so a listener may call any of them while an
//! event is being delivered.
//!
//! The module exports only a constructor and one [`JsClient::call`], which runs an
//! operation by number; the JS class `Client` (`src/web/client.js`) gives each its
//! camelCase name, and keeps the listeners itself. Every exported method costs its own
//! wasm-bindgen shims (argument conversion, borrow check, error return) in the module
//! and in the glue: one shared entry point is about 1 KB smaller gzipped than twenty.
//! Rust callers (the browser tests) use the named methods below, which are the same
//! code.

mod options;

use crate::prelude::*;
use alloc::rc::{Rc, Weak};
use core::cell::Cell;

use wasm_bindgen::prelude::*;

use crate::protocol::{ChannelState, DisconnectReason};
use crate::web::{now, parse_json, stringify, Driver, Function, Kind, ObjectWriter, Registry};

pub use options::{DEFAULT_AUTH_ENDPOINT, DEFAULT_AUTH_TIMEOUT_MS, DEFAULT_USER_AUTH_ENDPOINT};

/// A connection to a Pusher-protocol server, with its channels and listeners. In JS,
/// `Core`, wrapped by `Client`.
#[wasm_bindgen(js_name = Core)]
pub struct JsClient {
    driver: Rc<Driver>,
}

/// One out-of-line constructor for every thrown error, rather than one per method.
#[inline(never)]
fn js_error(message: &str) -> JsError {
    JsError::new(message)
}

/// [`JsClient::create`] for client.js: the `Core`, or the `Error` for client.js to
/// throw. Not a fallible constructor, whose return area and checks cost more, in the
/// glue and in the module.
/// `back` is the client's callback (see `Driver::new`), made by client.js.
#[wasm_bindgen]
pub fn core(options: JsValue, listeners: Registry, back: JsValue) -> JsValue {
    JsClient::create(options, listeners, back).map_or_else(JsValue::from, JsValue::from)
}

/// The operations of [`JsClient::call`]; client.js has the same numbers.
mod op {
    pub const CONNECT: u32 = 0;
    pub const DISCONNECT: u32 = 1;
    pub const STATE: u32 = 2;
    pub const SOCKET_ID: u32 = 3;
    pub const USER_ID: u32 = 4;
    pub const STATUS: u32 = 5;
    pub const SUBSCRIBE: u32 = 6;
    pub const UNSUBSCRIBE: u32 = 7;
    pub const CHANNEL_STATE: u32 = 8;
    pub const CHANNELS: u32 = 9;
    pub const TRIGGER: u32 = 10;
    pub const MEMBERS: u32 = 11;
    pub const SIGN_IN: u32 = 12;
    /// `BACK + source`: the client's callback, `back(source, id, code, value)`, see
    /// `Driver::on_back`, `id` and `code` as the channel and the event argument. The
    /// callback client.js makes calls `call` rather than a method of its own: every
    /// exported method costs its own shims.
    pub const BACK: u32 = 16;
}

impl JsClient {
    /// Creates a client from pusher-js / laravel-echo options, delivering events to the
    /// listeners in `listeners`, JS reporting to the callback `back` (see `Driver::new`).
    /// Fails with an `Error` naming the option when one is unusable. Does not connect.
    pub fn create(
        options: JsValue,
        listeners: Registry,
        back: JsValue,
    ) -> Result<JsClient, JsError> {
        let options = options::parse(&options).map_err(|error| js_error(&error.message()))?;
        Ok(JsClient {
            driver: Driver::new(options.config, options.auth, listeners, back),
        })
    }
}

#[wasm_bindgen(js_class = Core)]
impl JsClient {
    /// Runs operation `op` (see [`op`]) with the arguments it takes: a channel name, an
    /// event name, data; or, from `op::BACK` on, reports a JS event to the driver. Unknown operations do nothing. An operation that fails returns
    /// its `Error`, which client.js throws: a fallible export costs a return area and
    /// its checks in the glue and in the module. Every argument comes as a JS value,
    /// owned: `&str` or borrowed ones cost the glue its own string copying and a stack
    /// of borrowed values (not a string: empty).
    pub fn call(&self, op: u32, channel: JsValue, event: JsValue, data: JsValue) -> JsValue {
        if let Some(source) = op.checked_sub(op::BACK) {
            let number = |value: &JsValue| value.as_f64().unwrap_or_default();
            self.driver.on_back(
                source as u8,
                number(&channel) as u32,
                number(&event) as i32,
                data,
            );
            return JsValue::UNDEFINED;
        }
        let channel = channel.as_string().unwrap_or_default();
        let event = event.as_string().unwrap_or_default();
        self.run(op, &channel, &event, &data)
            .unwrap_or_else(JsValue::from)
    }
}

impl JsClient {
    /// [`JsClient::call`], its error as a result.
    fn run(&self, op: u32, channel: &str, event: &str, data: &JsValue) -> Result<JsValue, JsError> {
        let none = JsValue::UNDEFINED;
        Ok(match op {
            op::CONNECT => {
                self.connect();
                none
            }
            op::DISCONNECT => {
                self.disconnect();
                none
            }
            op::STATE => JsValue::from_str(self.driver.core().state().as_str()),
            op::SOCKET_ID => optional_string(self.driver.core().socket_id()),
            op::USER_ID => optional_string(self.driver.core().user_id()),
            op::STATUS => self.status(),
            op::SUBSCRIBE => {
                self.subscribe(channel)?;
                none
            }
            // The JS class removes the channel's listeners itself, before this.
            op::UNSUBSCRIBE => {
                self.driver.unsubscribe(channel);
                none
            }
            op::CHANNEL_STATE => optional_string(self.channel_state_str(channel)),
            op::CHANNELS => self.channels(),
            op::TRIGGER => {
                self.trigger(channel, event, data)?;
                none
            }
            op::MEMBERS => self.members(channel),
            op::SIGN_IN => {
                self.sign_in();
                none
            }
            _ => none,
        })
    }
}

/// The client's API for Rust callers; in JS, these are the methods of `Client`.
impl JsClient {
    /// Creates a client with listeners of its own; see [`JsClient::create`]. Its callback
    /// is a wasm-bindgen closure holding a weak reference to the driver (Rust callers have
    /// no JS `Client` to make one): nothing exported reaches this, so the release module
    /// has no closure.
    pub fn new(options: JsValue) -> Result<JsClient, JsError> {
        let target: Rc<Cell<Weak<Driver>>> = Rc::default();
        let weak = target.clone();
        let back = Closure::<dyn Fn(u8, u32, i32, JsValue)>::new(move |source, id, code, value| {
            let driver = weak.take();
            let strong = driver.upgrade();
            weak.set(driver);
            if let Some(driver) = strong {
                driver.on_back(source, id, code, value);
            }
        })
        .into_js_value();
        let client = Self::create(options, Registry::new(), back)?;
        target.set(Rc::downgrade(&client.driver));
        Ok(client)
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
        self.driver.forget_listeners(channel);
        self.driver.unsubscribe(channel);
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

    /// Calls `callback(data, metadata)` for `event` on `channel`; see `bind` in
    /// client.js. Returns the id for `unbind`.
    pub fn bind(&self, channel: &str, event: &str, callback: &Function) -> u32 {
        self.driver.listen(Kind::Event, channel, event, callback)
    }

    /// Calls `callback(eventName, data, metadata)` for every event on `channel`.
    pub fn bind_all(&self, channel: &str, callback: &Function) -> u32 {
        self.driver.listen(Kind::Channel, channel, "", callback)
    }

    /// Calls `callback(eventName, data, channelName)` for every event on every
    /// channel, and for connection-level events (`channelName` undefined).
    pub fn bind_global(&self, callback: &Function) -> u32 {
        self.driver.listen(Kind::Global, "", "", callback)
    }

    /// Calls `callback({previous, current})` on every connection state change.
    pub fn on_state_change(&self, callback: &Function) -> u32 {
        self.driver.listen(Kind::StateChange, "", "", callback)
    }

    /// Calls `callback({type, message, code?, channel?, event?})` for errors that do
    /// not belong to one channel's subscription.
    pub fn on_error(&self, callback: &Function) -> u32 {
        self.driver.listen(Kind::Error, "", "", callback)
    }

    /// Removes a listener by id. Returns whether it was there.
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
    pub fn sign_in(&self) {
        self.driver.sign_in();
    }

    /// The state: `initialized`, `connecting`, `connected`, `unavailable`, `failed` or
    /// `disconnected`.
    pub fn state(&self) -> String {
        self.driver.core().state().as_str().to_owned()
    }

    /// The socket id while connected.
    pub fn socket_id(&self) -> Option<String> {
        self.driver.core().socket_id().map(str::to_owned)
    }

    /// The signed-in user's id, once `signIn()` was confirmed.
    pub fn user_id(&self) -> Option<String> {
        self.driver.core().user_id().map(str::to_owned)
    }

    /// `idle`, `authorizing`, `pending`, `subscribed` or `failed` for a channel the
    /// client wants, `None` for any other.
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
