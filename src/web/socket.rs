//! The WebSocket, wrapped so that its handlers are owned and detached when it goes.

use crate::prelude::*;
use alloc::rc::Rc;

use wasm_bindgen::prelude::*;

use super::Callback;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// `new WebSocket(url)` with its three handlers wired to `back` (see `shell.js`):
    /// one import, and one callback, instead of a setter and a closure per handler.
    /// Returns the socket, `undefined` without WebSockets, or why the constructor refused.
    fn socket(url: &str, back: &JsValue) -> JsValue;
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

/// Why a socket could not be created.
pub enum OpenError {
    /// This environment has no `WebSocket`.
    Unsupported,
    /// The constructor refused (a bad URL, a Content-Security-Policy, …).
    Refused(String),
}

/// An open (or opening) WebSocket and the callback it reports through.
pub struct Socket {
    ws: JsValue,
    _back: Callback,
}

impl Socket {
    /// Opens a socket to `url`; everything that happens to it goes to `report`.
    pub fn open(url: &str, report: Rc<dyn Fn(SocketEvent)>) -> Result<Socket, OpenError> {
        let back = Callback::wrap(Box::new(move |kind: f64, value: JsValue| {
            report(match kind as i32 {
                -1 => SocketEvent::Open,
                -2 => match value.as_string() {
                    Some(text) => SocketEvent::Message(text),
                    None => return,
                },
                code => SocketEvent::Closed {
                    code: code as u16,
                    reason: value.as_string().unwrap_or_default(),
                },
            })
        }));
        let ws = socket(url, back.as_ref());
        if ws.is_undefined() {
            return Err(OpenError::Unsupported);
        }
        match ws.as_string() {
            Some(refused) => Err(OpenError::Refused(refused)),
            None => Ok(Socket { ws, _back: back }),
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
