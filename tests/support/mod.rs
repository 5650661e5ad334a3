//! A virtual-clock harness for the sans-IO core: plays the shell and the server.
//!
//! It records everything the client asks for, advances time deadline by deadline (as a
//! browser timer would fire), and speaks the server's side of the protocol.
#![allow(dead_code)]

use std::time::Duration;

use echo_wasm::protocol::{
    AuthData, AuthRequest, AuthTarget, Client, Config, Endpoint, EndpointOptions, Event, Instant,
    LinkId, Output, State,
};

/// The client under test plus everything it has said.
pub struct Harness {
    pub client: Client,
    pub now: Instant,
    /// The socket the client currently uses, as far as the fake shell knows.
    pub link: Option<LinkId>,
    /// Every `Open` URL, in order.
    pub opens: Vec<(Instant, String)>,
    /// Every frame sent, with the socket it was sent on.
    pub sent: Vec<(LinkId, String)>,
    /// Every close the client asked for.
    pub closes: Vec<LinkId>,
    /// Auth requests not yet answered by the test.
    pub auths: Vec<AuthRequest>,
    /// Every event, in order.
    pub events: Vec<Event>,
}

pub fn endpoint() -> Endpoint {
    let mut options = EndpointOptions::new("test-key");
    options.ws_host = Some("127.0.0.1");
    options.ws_port = Some(6001);
    options.force_tls = Some(false);
    Endpoint::new(&options).expect("valid endpoint")
}

pub fn config() -> Config {
    Config::new(endpoint())
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(config())
    }

    pub fn with_config(config: Config) -> Self {
        Harness {
            client: Client::new(config),
            now: Instant::from_millis(1_000),
            link: None,
            opens: Vec::new(),
            sent: Vec::new(),
            closes: Vec::new(),
            auths: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Moves every pending output into the records.
    pub fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Open { link, url } => {
                    self.link = Some(link);
                    self.opens.push((self.now, url));
                }
                Output::Send { link, text } => self.sent.push((link, text)),
                Output::Close { link, .. } => {
                    if self.link == Some(link) {
                        self.link = None;
                    }
                    self.closes.push(link);
                }
                Output::Authorize(request) => self.auths.push(request),
                Output::Event(event) => self.events.push(event),
            }
        }
    }

    /// Advances the clock by `ms`, firing every deadline on the way at its own time.
    pub fn advance(&mut self, ms: u64) {
        let end = Instant::from_millis(self.now.as_millis() + ms);
        self.advance_to(end);
    }

    pub fn advance_to(&mut self, end: Instant) {
        loop {
            self.drain();
            match self.client.poll_timeout() {
                Some(at) if at <= end => {
                    assert!(at >= self.now || at <= self.now, "deadline is an instant");
                    self.now = self.now.max(at);
                    self.client.handle_timeout(self.now);
                }
                _ => break,
            }
        }
        self.now = end;
        self.drain();
    }

    /// Fires timers late: jumps to `end` and calls `handle_timeout` once, as a throttled
    /// background tab would.
    pub fn jump(&mut self, ms: u64) {
        self.now = Instant::from_millis(self.now.as_millis() + ms);
        self.client.handle_timeout(self.now);
        self.drain();
    }

    pub fn connect(&mut self) {
        self.client.connect(self.now);
        self.drain();
    }

    pub fn current_link(&self) -> LinkId {
        self.link.expect("the client has a socket")
    }

    /// The socket opens and the server completes the handshake.
    pub fn establish(&mut self, socket_id: &str) {
        let link = self.current_link();
        self.client.handle_socket_open(self.now, link);
        let frame = established(socket_id, 120);
        self.client.handle_frame(self.now, link, &frame);
        self.drain();
        assert_eq!(self.client.state(), State::Connected);
    }

    /// connect() + establish().
    pub fn connected(socket_id: &str) -> Self {
        let mut h = Harness::new();
        h.connect();
        h.establish(socket_id);
        h
    }

    /// The server sends a frame on the current socket.
    pub fn server(&mut self, text: &str) {
        let link = self.current_link();
        self.client.handle_frame(self.now, link, text);
        self.drain();
    }

    /// The current socket closes with `code`.
    pub fn server_close(&mut self, code: u16) {
        let link = self.current_link();
        self.link = None;
        self.client.handle_socket_closed(self.now, link, code, "");
        self.drain();
    }

    pub fn subscribe(&mut self, name: &str) {
        self.client.subscribe(self.now, name).expect("subscribable");
        self.drain();
    }

    /// Answers auth request `request` with a signature made for its socket id.
    pub fn answer(&mut self, request: &AuthRequest, data: AuthData) {
        self.client
            .handle_auth_reply(self.now, request.id, Ok(data));
        self.drain();
    }

    /// Removes and returns the pending auth request for `channel`.
    pub fn take_auth(&mut self, channel: &str) -> AuthRequest {
        let index = self
            .auths
            .iter()
            .position(|r| r.target == AuthTarget::Channel(channel.to_owned()))
            .unwrap_or_else(|| panic!("no auth request for {channel}"));
        self.auths.remove(index)
    }

    /// Frames sent (text only), clearing the record.
    pub fn take_sent(&mut self) -> Vec<String> {
        self.sent.drain(..).map(|(_, text)| text).collect()
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    pub fn state_changes(&self) -> Vec<(State, State)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::StateChange { previous, current } => Some((*previous, *current)),
                _ => None,
            })
            .collect()
    }

    pub fn at(&self, ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    pub fn elapsed_since(&self, t: Instant) -> Duration {
        self.now - t
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

/// `pusher:connection_established` as servers send it (double-encoded data).
pub fn established(socket_id: &str, activity_timeout: u64) -> String {
    format!(
        r#"{{"event":"pusher:connection_established","data":"{{\"socket_id\":\"{socket_id}\",\"activity_timeout\":{activity_timeout}}}"}}"#
    )
}

/// A server frame with double-encoded JSON data.
pub fn frame(event: &str, channel: &str, data_json: &str) -> String {
    let data = serde_like_string(data_json);
    format!(r#"{{"event":"{event}","channel":"{channel}","data":{data}}}"#)
}

/// `subscription_succeeded` for a non-presence channel.
pub fn succeeded(channel: &str) -> String {
    frame("pusher_internal:subscription_succeeded", channel, "{}")
}

/// Encodes `s` as a JSON string literal (test-side, independent of the crate's writer).
pub fn serde_like_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An auth reply with just a signature.
pub fn auth(signature: &str) -> AuthData {
    AuthData {
        auth: signature.to_owned(),
        ..AuthData::default()
    }
}

/// Extracts `data.channel` from a `pusher:subscribe` frame, if it is one.
pub fn subscribed_channel(text: &str) -> Option<String> {
    if !text.starts_with(r#"{"event":"pusher:subscribe""#) {
        return None;
    }
    let start = text.find(r#""channel":""#)? + r#""channel":""#.len();
    let end = start + text[start..].find('"')?;
    Some(text[start..end].to_owned())
}

// ----- helpers for channels.rs, frames.rs, encrypted.rs and shaping_client.rs -----

impl Harness {
    /// After the socket dropped: fires timers (the backoff delay) until the client opens
    /// a new socket, then completes the handshake with `socket_id`.
    pub fn reopen_as(&mut self, socket_id: &str) {
        for _ in 0..1_000 {
            if self.link.is_some() {
                break;
            }
            let at = self.client.poll_timeout().expect("a retry is scheduled");
            let at = at.max(self.now);
            self.advance_to(at);
        }
        self.establish(socket_id);
    }

    /// Removes and returns every pending auth request, in order.
    pub fn take_auths(&mut self) -> Vec<AuthRequest> {
        std::mem::take(&mut self.auths)
    }

    /// Removes and returns the pending user (sign-in) auth request.
    pub fn take_user_auth(&mut self) -> AuthRequest {
        let index = self
            .auths
            .iter()
            .position(|r| r.target == AuthTarget::User)
            .expect("a user auth request");
        self.auths.remove(index)
    }

    /// Subscribes `name`, answers its auth request (if the channel needs one) with
    /// `reply` (default: a signature for its socket id), and confirms it with a plain
    /// `subscription_succeeded`. Clears the records.
    pub fn subscribe_confirmed(&mut self, name: &str, reply: Option<AuthData>) {
        self.subscribe(name);
        if let Some(index) = self
            .auths
            .iter()
            .position(|r| r.target == AuthTarget::Channel(name.to_owned()))
        {
            let request = self.auths.remove(index);
            let data = reply.unwrap_or_else(|| auth(&signature(&request.socket_id, name)));
            self.answer(&request, data);
        }
        self.server(&succeeded(name));
        self.sent.clear();
        self.events.clear();
    }

    /// Subscribes presence channel `name` as the member described by `channel_data`, and
    /// has the server confirm it with `members` (id, info JSON).
    pub fn join_presence(&mut self, name: &str, channel_data: &str, members: &[(&str, &str)]) {
        self.subscribe(name);
        let request = self.take_auth(name);
        self.answer(
            &request,
            AuthData {
                auth: signature(&request.socket_id, name),
                channel_data: Some(channel_data.to_owned()),
                ..AuthData::default()
            },
        );
        self.server(&presence_succeeded(name, members));
    }

    /// The messages delivered so far (not cleared).
    pub fn messages(&self) -> Vec<echo_wasm::protocol::Message> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }
}

/// A fake but recognisable channel signature: which socket and channel it was made for.
pub fn signature(socket_id: &str, channel: &str) -> String {
    format!("test-key:sig-{socket_id}-{channel}")
}

/// A server frame with object (not double-encoded) data, or none.
pub fn frame_raw(event: &str, channel: Option<&str>, data_raw: Option<&str>) -> String {
    let mut out = format!(r#"{{"event":{}"#, serde_like_string(event));
    if let Some(channel) = channel {
        out.push_str(&format!(r#","channel":{}"#, serde_like_string(channel)));
    }
    if let Some(data) = data_raw {
        out.push_str(&format!(r#","data":{data}"#));
    }
    out.push('}');
    out
}

/// `subscription_succeeded` for a presence channel with `members` (id, info JSON).
pub fn presence_succeeded(channel: &str, members: &[(&str, &str)]) -> String {
    let ids: Vec<String> = members
        .iter()
        .map(|(id, _)| serde_like_string(id))
        .collect();
    let hash: Vec<String> = members
        .iter()
        .map(|(id, info)| format!("{}:{info}", serde_like_string(id)))
        .collect();
    let data = format!(
        r#"{{"presence":{{"count":{},"ids":[{}],"hash":{{{}}}}}}}"#,
        members.len(),
        ids.join(","),
        hash.join(",")
    );
    frame("pusher_internal:subscription_succeeded", channel, &data)
}

/// The exact `pusher:subscribe` frame the client must send.
pub fn subscribe_frame(channel: &str, auth: &str, channel_data: Option<&str>) -> String {
    let mut out = format!(
        r#"{{"event":"pusher:subscribe","data":{{"channel":{},"auth":{}"#,
        serde_like_string(channel),
        serde_like_string(auth)
    );
    if let Some(channel_data) = channel_data {
        out.push_str(&format!(
            r#","channel_data":{}"#,
            serde_like_string(channel_data)
        ));
    }
    out.push_str("}}");
    out
}

/// The exact `pusher:unsubscribe` frame the client must send.
pub fn unsubscribe_frame(channel: &str) -> String {
    format!(
        r#"{{"event":"pusher:unsubscribe","data":{{"channel":{}}}}}"#,
        serde_like_string(channel)
    )
}

impl Harness {
    /// connect() + establish(), with the records of getting there cleared.
    pub fn live(socket_id: &str) -> Self {
        let mut h = Harness::connected(socket_id);
        h.sent.clear();
        h.events.clear();
        h
    }
}
