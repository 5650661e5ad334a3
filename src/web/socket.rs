//! The WebSocket, wrapped so that its handlers are owned and detached when it goes.

use crate::prelude::*;

use wasm_bindgen::prelude::*;

use crate::protocol::LinkId;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// `new WebSocket(url)` with its three handlers wired to `back(source::SOCKET, id,
    /// …)` (see `shell.js`, and [`SocketEvent::read`]): one import instead of a setter
    /// and a closure per handler. Returns the socket, `undefined` without WebSockets, or
    /// why the constructor refused.
    fn socket(url: &str, back: &JsValue, id: u32) -> JsValue;
    /// Detaches the handlers and closes the socket unless it is closing already.
    fn unsocket(ws: &JsValue, code: u16, reason: &str);
    /// `ws.send(text)`, ignoring a refusal.
    fn send(ws: &JsValue, text: &str);
}

/// What a socket reports.
pub enum SocketEvent {
    /// The connection is open.
    Open,
    /// A text frame arrived. (The protocol has no binary frames; any are ignored.)
    Message(String),
    /// The connection closed, cleanly or not.
    Closed {
        /// The close code (1006 when the connection dropped).
        code: u16,
        /// The close reason.
        reason: String,
    },
}

impl SocketEvent {
    /// What a socket reported to `back` as `code` and `value`: `-1` open, `-2` a
    /// frame, else closed with that code. `None` for a binary frame, which the protocol
    /// does not have.
    pub fn read(code: i32, value: JsValue) -> Option<SocketEvent> {
        Some(match code {
            -1 => SocketEvent::Open,
            -2 => SocketEvent::Message(value.as_string()?),
            code => SocketEvent::Closed {
                code: code as u16,
                reason: value.as_string().unwrap_or_default(),
            },
        })
    }
}

/// Why a socket could not be created.
pub enum OpenError {
    /// This environment has no `WebSocket`.
    Unsupported,
    /// The constructor refused (a bad URL, a Content-Security-Policy, …).
    Refused(String),
}

/// An open (or opening) WebSocket, detached and closed when dropped.
pub struct Socket {
    ws: JsValue,
}

impl Socket {
    /// Opens a socket to `url`, reporting to the client's callback `back` as `link`.
    pub fn open(url: &str, back: &JsValue, link: LinkId) -> Result<Socket, OpenError> {
        let ws = socket(url, back, link.0);
        if ws.is_undefined() {
            return Err(OpenError::Unsupported);
        }
        match ws.as_string() {
            Some(refused) => Err(OpenError::Refused(refused)),
            None => Ok(Socket { ws }),
        }
    }

    /// Sends one text frame. The core only sends on an open socket; should the socket
    /// have closed meanwhile, its close event is on its way and the frame is moot.
    pub fn send(&self, text: &str) {
        send(&self.ws, text);
    }

    /// Closes with `code` and `reason`, then detaches (by dropping).
    pub fn close(self, code: u16, reason: &str) {
        unsocket(&self.ws, code, reason);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // A socket dropped while still open (the client itself was dropped) must not
        // stay connected with nobody listening.
        unsocket(&self.ws, 1000, "client closed");
    }
}
