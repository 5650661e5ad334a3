//! The WebSocket, wrapped so that its handlers are owned and detached when it goes.

use crate::prelude::*;
use alloc::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::js_value::error_message;

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
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens a socket to `url`; everything that happens to it goes to `report`.
    pub fn open(url: &str, report: Rc<dyn Fn(SocketEvent)>) -> Result<Socket, OpenError> {
        let has_websocket =
            js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("WebSocket"))
                .unwrap_or(false);
        if !has_websocket {
            return Err(OpenError::Unsupported);
        }
        let ws = WebSocket::new(url).map_err(|e| OpenError::Refused(error_message(&e)))?;

        let on_open = {
            let report = Rc::clone(&report);
            Closure::<dyn FnMut()>::new(move || report(SocketEvent::Open))
        };
        let on_message = {
            let report = Rc::clone(&report);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    report(SocketEvent::Message(text));
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            report(SocketEvent::Closed {
                code: event.code(),
                reason: event.reason(),
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
