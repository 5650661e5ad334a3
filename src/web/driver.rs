//! The driver: feeds the core, executes what it asks for, calls the app's listeners.
//!
//! Every entry point (an app command, a socket event, the timer, a page event, an auth
//! answer) is one short borrow of the shared state to hand the core its input, then
//! [`Driver::pump`], which drains the core's outputs one at a time. Listener callbacks
//! run with no borrow held, so a listener may call back into the client (leave the
//! channel, bind another listener, disconnect) and simply starts a nested pump.

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::{Ref, RefCell, RefMut};

use wasm_bindgen::prelude::*;

use super::auth::{self, AuthConfig};
use super::clock::now;
use super::js_value::{parse_json, Function, ObjectWriter};
use super::lifecycle::PageLifecycle;
use super::listeners::{Kind, Listeners, Registry};
use super::socket::{OpenError, Socket, SocketEvent};
use super::source;
use super::timer::{self, Timeout};
use crate::protocol::{
    AuthRequest, AuthRequestId, ChannelKind, Client, ClientError, Config, DecryptError, Event,
    Instant, LinkId, Member, Members, Output, PageEvent, Payload, SubscribeError, TriggerError,
};

/// The event a channel emits after it was subscribed again following a reconnection
/// or the end of a hidden-tab pause: events may have been missed.
pub const RESUMED_EVENT: &str = "echo-wasm:resumed";

/// One client running in the page.
pub struct Driver {
    shared: RefCell<Shared>,
    /// Outside the shared state: delivering to listeners borrows nothing.
    listeners: Listeners,
    /// The client's one JS callback, `back(source, id, code, value)`, handed to every JS
    /// call that reports back; it ends in [`Driver::on_back`] (see `shell.js`).
    back: JsValue,
}

struct Shared {
    core: Client,
    socket: Option<(LinkId, Socket)>,
    timer: Timeout,
    auth: Rc<AuthConfig>,
}

/// A dropped client leaves nothing running: its page listeners and its timeout go
/// here (its socket goes with the shared state).
impl Drop for Driver {
    fn drop(&mut self) {
        PageLifecycle::detach(&self.back);
        timer::clear(&self.back);
    }
}

impl Driver {
    /// A client in state `initialized`, listening to the page lifecycle already (a tab
    /// opened in the background counts as hidden from the start). Events go to the
    /// listeners in `listeners`; JS reports to `back`, a function made by the caller
    /// that calls [`Driver::on_back`] of this driver while it lives, and must not keep
    /// it alive (the driver holds `back`).
    pub fn new(config: Config, auth: AuthConfig, listeners: Registry, back: JsValue) -> Rc<Driver> {
        Rc::new({
            let mut core = Client::new(config);
            PageLifecycle::attach(&back);
            if PageLifecycle::page_hidden() {
                core.handle_page_event(now(), PageEvent::Hidden);
            }
            Driver {
                shared: RefCell::new(Shared {
                    core,
                    socket: None,
                    timer: Timeout::default(),
                    auth: Rc::new(auth),
                }),
                listeners: Listeners::new(listeners),
                back,
            }
        })
    }

    /// The shared state. A conflicting borrow would be a bug (no borrow is held across
    /// a call into JS): it traps, as any panic does in the release module, but through
    /// `try_borrow` rather than `borrow`, whose panic keeps a formatted message and a
    /// source location in the module.
    fn shared(&self) -> Ref<'_, Shared> {
        match self.shared.try_borrow() {
            Ok(shared) => shared,
            Err(_) => core::arch::wasm32::unreachable(),
        }
    }

    /// The shared state, mutably; see [`Driver::shared`].
    fn shared_mut(&self) -> RefMut<'_, Shared> {
        match self.shared.try_borrow_mut() {
            Ok(shared) => shared,
            Err(_) => core::arch::wasm32::unreachable(),
        }
    }

    // ----- app commands ----------------------------------------------------------------

    /// Connects (or reconnects now, if waiting to retry).
    pub fn connect(&self) {
        self.input(|core, now| core.connect(now));
    }

    /// Disconnects for good, until [`Driver::connect`].
    pub fn disconnect(&self) {
        self.input(|core, now| core.disconnect(now));
    }

    /// Subscribes to a channel, now or as soon as connected.
    pub fn subscribe(&self, channel: &str) -> Result<(), SubscribeError> {
        let result = self.shared_mut().core.subscribe(now(), channel);
        self.pump();
        result
    }

    /// Leaves a channel. Its listeners stay: the caller removes them first (see
    /// [`Driver::forget_listeners`]).
    pub fn unsubscribe(&self, channel: &str) {
        self.input(|core, now| core.unsubscribe(now, channel));
    }

    /// Removes the listeners of a channel that is being left: a later subscription to
    /// the same name starts with none, as in pusher-js.
    pub fn forget_listeners(&self, channel: &str) {
        self.listeners.remove_channel(channel);
    }

    /// Sends a client event; `data_json` is one JSON value.
    pub fn trigger(&self, channel: &str, event: &str, data_json: &str) -> Result<(), TriggerError> {
        let result = self
            .shared_mut()
            .core
            .trigger(now(), channel, event, data_json);
        self.pump();
        result
    }

    /// Signs the user in, now and after every reconnection.
    pub fn sign_in(&self) {
        self.input(|core, now| core.sign_in(now));
    }

    /// The core, to read its state. Not generic over a reader closure: one function
    /// instead of one per query. Callers must not call into JS while holding it.
    pub fn core(&self) -> Ref<'_, Client> {
        Ref::map(self.shared(), |shared| &shared.core)
    }

    /// Adds a listener; the id removes it. `channel` and `event` as the kind needs
    /// them (see [`Kind`]), else empty.
    pub fn listen(&self, kind: Kind, channel: &str, event: &str, callback: &Function) -> u32 {
        self.listeners.add(kind, channel, event, callback)
    }

    /// Removes a listener; `false` if it was not there.
    pub fn unlisten(&self, id: u32) -> bool {
        self.listeners.remove(id)
    }

    /// A presence channel's members as `{count, me, members: {id: info}}`, once
    /// subscribed; `undefined` otherwise.
    pub fn members(&self, channel: &str) -> JsValue {
        let text = self.core().members(channel).map(members_json);
        text.map_or(JsValue::UNDEFINED, |text| parse_json(&text))
    }

    // ----- inputs from the browser -----------------------------------------------------

    fn input(&self, feed: impl FnOnce(&mut Client, Instant)) {
        feed(&mut self.shared_mut().core, now());
        self.pump();
    }

    /// Everything JS reports, through the client's one callback.
    pub fn on_back(&self, source: u8, id: u32, code: i32, value: JsValue) {
        match source {
            source::TIMER => self.on_timer(),
            source::PAGE => {
                let event = PageLifecycle::event(code);
                self.input(|core, now| {
                    core.handle_page_event(now, event);
                    // Timers may have been throttled while the page was hidden: catch up.
                    core.handle_timeout(now);
                });
            }
            source::SOCKET => {
                if let Some(event) = SocketEvent::read(code, value) {
                    self.on_socket(LinkId(id), event);
                }
            }
            source::AUTH => {
                let reply = auth::read(code, &value);
                self.input(|core, now| core.handle_auth_reply(now, AuthRequestId(id), reply));
            }
            _ => {}
        }
    }

    fn on_timer(&self) {
        {
            let mut shared = self.shared_mut();
            shared.timer.fired();
            shared.core.handle_timeout(now());
        }
        self.pump();
    }

    fn on_socket(&self, link: LinkId, event: SocketEvent) {
        match event {
            SocketEvent::Open => self.input(|core, now| core.handle_socket_open(now, link)),
            SocketEvent::Message(text) => {
                self.input(|core, now| core.handle_frame(now, link, &text));
            }
            SocketEvent::Closed { code, reason } => {
                let closed = {
                    let mut shared = self.shared_mut();
                    shared.core.handle_socket_closed(now(), link, code, &reason);
                    take_socket(&mut shared.socket, link)
                };
                // Dropped (and detached) here, outside the borrow.
                drop(closed);
                self.pump();
            }
        }
    }

    // ----- outputs ---------------------------------------------------------------------

    /// Executes everything the core has to say, then re-arms the timer for its next
    /// deadline.
    fn pump(&self) {
        loop {
            let output = self.shared_mut().core.poll_output();
            match output {
                Some(output) => self.execute(output),
                None => break,
            }
        }
        let mut shared = self.shared_mut();
        let deadline = shared.core.poll_timeout();
        shared.timer.set(&self.back, now(), deadline);
    }

    fn execute(&self, output: Output) {
        match output {
            Output::Open { link, url } => self.open(link, &url),
            Output::Send { link, text } => {
                if let Some((current, socket)) = &self.shared().socket {
                    if *current == link {
                        socket.send(&text);
                    }
                }
            }
            Output::Close { link, reason } => {
                let socket = take_socket(&mut self.shared_mut().socket, link);
                if let Some(socket) = socket {
                    socket.close(1000, reason);
                }
            }
            Output::Authorize(request) => self.authorize(request),
            Output::Event(event) => self.dispatch(event),
        }
    }

    fn open(&self, link: LinkId, url: &str) {
        match Socket::open(url, &self.back, link) {
            Ok(socket) => {
                let previous = self.shared_mut().socket.replace((link, socket));
                drop(previous);
            }
            Err(OpenError::Unsupported) => self
                .shared_mut()
                .core
                .handle_unsupported(now(), "WebSocket is not available in this environment"),
            Err(OpenError::Refused(message)) => {
                self.shared_mut()
                    .core
                    .handle_socket_failed(now(), link, &message)
            }
        }
    }

    fn authorize(&self, request: AuthRequest) {
        // The reply may come at once (an app authorizer answering synchronously): no
        // borrow is held while asking, so it is fed in right away.
        let auth = Rc::clone(&self.shared().auth);
        auth.authorize(&request, &self.back);
    }

    /// Hands a core event to the listeners that hear it. Every kind of event comes down
    /// to the same few values, its data and metadata as JSON text, parsed once for all
    /// its listeners (text that is not JSON arrives as the string it is).
    fn dispatch(&self, event: Event) {
        // `Event`: an event (its own listeners, then the channel's, then the global
        // ones); else the one kind that hears it.
        let mut audience = Kind::Event;
        let mut metadata = None;
        // The event name when it is not a constant.
        let owned: String;
        let (channel, name, data): (_, &str, _) = match event {
            Event::StateChange { previous, current } => {
                audience = Kind::StateChange;
                let mut state = ObjectWriter::new();
                state
                    .string("previous", previous.as_str())
                    .string("current", current.as_str());
                (None, "", Some(state.into_text()))
            }
            Event::Error(error) => {
                audience = Kind::Error;
                (None, "", Some(error_json(&error)))
            }
            Event::Message(message) => {
                let mut object = ObjectWriter::new();
                if let Some(user_id) = &message.user_id {
                    object.string("user_id", user_id);
                }
                metadata = Some(object.into_text());
                let data = match message.data {
                    Payload::Absent => None,
                    Payload::Json(text) | Payload::Text(text) => Some(text),
                };
                owned = message.event;
                (message.channel, &owned, data)
            }
            Event::Subscribed { channel } => {
                let data = if ChannelKind::of(&channel) == ChannelKind::Presence {
                    self.core().members(&channel).map(members_json)
                } else {
                    Some("{}".to_owned())
                };
                (Some(channel), "pusher:subscription_succeeded", data)
            }
            Event::Resumed { channel } => (Some(channel), RESUMED_EVENT, None),
            Event::SubscriptionError { channel, error } => {
                let mut object = ObjectWriter::new();
                object
                    .string("type", &error.kind)
                    .string("error", &error.error);
                if let Some(status) = error.status {
                    object.number("status", status.into());
                }
                let data = Some(object.into_text());
                (Some(channel), "pusher:subscription_error", data)
            }
            Event::SubscriptionCount { channel, count } => {
                let mut object = ObjectWriter::new();
                object.number("subscription_count", count);
                let data = Some(object.into_text());
                (Some(channel), "pusher:subscription_count", data)
            }
            Event::MemberAdded { channel, member } => {
                let data = Some(member_json(&member));
                (Some(channel), "pusher:member_added", data)
            }
            Event::MemberRemoved { channel, member } => {
                let data = Some(member_json(&member));
                (Some(channel), "pusher:member_removed", data)
            }
            Event::SignedIn { user_data } => (None, "pusher:signin_success", Some(user_data)),
            Event::Watchlist { name, user_ids } => {
                let mut object = ObjectWriter::new();
                object.string("name", &name).raw("user_ids", &user_ids);
                let mut event = String::from("watchlist:");
                event.push_str(&name);
                owned = event;
                (None, &owned, Some(object.into_text()))
            }
            // Debounced and throttled listeners come with the listener options.
            Event::Flush { .. } => return,
        };
        // No borrow is held: listeners may call back into the client.
        self.listeners.emit(
            audience,
            channel.as_deref(),
            name,
            &data.as_deref().map_or(JsValue::UNDEFINED, parse_json),
            &metadata.as_deref().map_or(JsValue::UNDEFINED, parse_json),
        );
    }
}

fn take_socket(socket: &mut Option<(LinkId, Socket)>, link: LinkId) -> Option<Socket> {
    match socket {
        Some((current, _)) if *current == link => socket.take().map(|(_, socket)| socket),
        _ => None,
    }
}

/// `{count, me: {id, info} | null, members: {id: info}}`, the shape laravel-echo's
/// `here()` reads (`Object.values(members)`), with ids as the server sent them.
fn members_json(members: &Members) -> String {
    let mut hash = ObjectWriter::new();
    for member in members.iter() {
        hash.raw(&member.id, &member.info_json);
    }
    let me = members.me().map_or_else(|| "null".to_owned(), member_json);
    let mut object = ObjectWriter::new();
    object
        .number("count", members.count())
        .raw("me", &me)
        .raw("members", &hash.into_text());
    object.into_text()
}

/// `{id, info}`, pusher-js's member object, with the id as the server sent it.
fn member_json(member: &Member) -> String {
    let mut object = ObjectWriter::new();
    object
        .raw("id", &member.id_json)
        .raw("info", &member.info_json);
    object.into_text()
}

/// An error for the app's error listeners: `{type, message, code?, channel?, event?}`.
fn error_json(error: &ClientError) -> String {
    let (kind, message, code): (_, &str, _) = match error {
        ClientError::Server { code, message } => ("PusherError", message, *code),
        ClientError::Refused { code, message } => ("ConnectionRefused", message, Some(*code)),
        ClientError::MalformedFrame { reason } => ("MalformedFrame", reason, None),
        ClientError::Decryption { error, .. } => ("DecryptionError", decrypt_message(error), None),
        ClientError::SignIn { message } => ("SignInError", message, None),
    };
    let mut object = ObjectWriter::new();
    object.string("type", kind).string("message", message);
    if let Some(code) = code {
        object.number("code", code.into());
    }
    if let ClientError::Decryption { channel, event, .. } = error {
        object.string("channel", channel).string("event", event);
    }
    object.into_text()
}

fn decrypt_message(error: &DecryptError) -> &'static str {
    match error {
        DecryptError::MalformedPayload => "the event has no `ciphertext` and `nonce` strings",
        DecryptError::BadBase64 => "`ciphertext` or `nonce` is not base64",
        DecryptError::BadNonce => "the nonce is not 24 bytes",
        DecryptError::Unauthentic => "the event could not be decrypted with the channel's key",
        DecryptError::NotUtf8 => "the decrypted event is not UTF-8 text",
    }
}
