//! The WebSocket, wrapped so that its handlers are owned and detached when it goes.

use crate::prelude::*;
use alloc::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

use super::js_value::error_message;

/// The one closure type of the shell's event handlers (sockets, page, timer): one
/// signature means one piece of wasm-bindgen glue, and fields are read by name.
pub type Handler = Closure<dyn FnMut(JsValue)>;

/// `event[name]`.
pub fn field(event: &JsValue, name: &str) -> JsValue {
    Reflect::get(event, &JsValue::from_str(name)).unwrap_or_default()
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

/// An open (or opening) WebSocket and the handlers it reports through.
pub struct Socket {
    ws: WebSocket,
    _on_open: Handler,
    _on_message: Handler,
    _on_close: Handler,
}

impl Socket {
    /// Opens a socket to `url`; everything that happens to it goes to `report`.
    pub fn open(url: &str, report: Rc<dyn Fn(SocketEvent)>) -> Result<Socket, OpenError> {
        let has_websocket = js_sys::Reflect::has(&super::global(), &JsValue::from_str("WebSocket"))
            .unwrap_or(false);
        if !has_websocket {
            return Err(OpenError::Unsupported);
        }
        let ws = WebSocket::new(url).map_err(|e| OpenError::Refused(error_message(&e)))?;

        let on_open = {
            let report = Rc::clone(&report);
            Handler::new(move |_| report(SocketEvent::Open))
        };
        let on_message = {
            let report = Rc::clone(&report);
            Handler::new(move |event| {
                if let Some(text) = field(&event, "data").as_string() {
                    report(SocketEvent::Message(text));
                }
            })
        };
        let on_close = Handler::new(move |event| {
            report(SocketEvent::Closed {
                code: field(&event, "code")
                    .as_f64()
                    .map_or(1006, |code| code as u16),
                reason: field(&event, "reason").as_string().unwrap_or_default(),
            })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends one text frame. The core only sends on an open socket; should the socket
    /// have closed meanwhile, its close event is on its way and the frame is moot.
    pub fn send(&self, text: &str) {
        let _ = self.ws.send_with_str(text);
    }

    /// Closes with `code` and `reason`, then detaches (by dropping).
    pub fn close(self, code: u16, reason: &str) {
        let _ = self.ws.close_with_code_and_reason(code, reason);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        // A socket dropped while still open (the client itself was dropped) must not
        // stay connected with nobody listening.
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close_with_code_and_reason(1000, "client closed");
        }
    }
}
