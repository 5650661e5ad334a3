//! The app's listeners, and who hears which event.
//!
//! They are kept on the JS side (`listeners.js`), in one registry object: delivering
//! an event to them is one call across the boundary instead of one per listener, and
//! their functions never pass through Rust's table of JS values. The driver holds no
//! borrow while it delivers, so a listener may call back into the client.

use wasm_bindgen::prelude::*;

use super::js_value::Function;

/// What a listener listens to, and so how it is called. The order is the order of
/// delivery: an event on a channel goes to its own listeners first, then to the
/// channel's catch-all ones, then to the global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One event on one channel: `callback(data, metadata)`.
    Event = 0,
    /// Every event on one channel: `callback(eventName, data, metadata)`.
    Channel = 1,
    /// Every event on every channel, and connection-level events:
    /// `callback(eventName, data, channelName)`.
    Global = 2,
    /// Connection state changes: `callback({previous, current})`.
    StateChange = 3,
    /// Errors: `callback(error)`.
    Error = 4,
}

#[wasm_bindgen(module = "/src/web/listeners.js")]
extern "C" {
    /// The registry (`Listeners` in listeners.js). The exported client's JS class
    /// makes it and adds and removes listeners itself; Rust only delivers.
    #[wasm_bindgen(js_name = Listeners)]
    pub type Registry;

    /// An empty registry, for Rust callers of the client (the browser tests).
    #[wasm_bindgen(constructor, js_class = Listeners)]
    pub fn new() -> Registry;

    #[wasm_bindgen(method, js_class = Listeners)]
    fn add(this: &Registry, kind: u8, channel: &str, event: &str, listener: &Function) -> u32;

    #[wasm_bindgen(method, js_class = Listeners)]
    fn remove(this: &Registry, id: u32, channel: Option<&str>) -> bool;

    #[wasm_bindgen(method, js_class = Listeners)]
    fn emit(
        this: &Registry,
        kind: u8,
        channel: Option<&str>,
        event: &str,
        data: &JsValue,
        meta: &JsValue,
    );
}

/// Every listener.
pub struct Listeners(Registry);

impl Listeners {
    /// The listeners of `registry`.
    pub fn new(registry: Registry) -> Self {
        Listeners(registry)
    }

    /// Adds a listener; the id removes it again. `channel` and `event` are only read
    /// for the kinds that have them.
    pub fn add(&self, kind: Kind, channel: &str, event: &str, callback: &Function) -> u32 {
        self.0.add(kind as u8, channel, event, callback)
    }

    /// Removes a listener. `false` if there was none with that id.
    pub fn remove(&self, id: u32) -> bool {
        self.0.remove(id, None)
    }

    /// Removes every listener of one channel (it was left: a later subscription to the
    /// same name starts with none, as in pusher-js).
    pub fn remove_channel(&self, channel: &str) {
        self.0.remove(0, Some(channel));
    }

    /// Calls the listeners that hear `event` on `channel` (`None`: connection-level):
    /// for `Kind::Event` its own, then the channel's, then the global ones; for the
    /// other kinds, theirs. `data` and `metadata` as the listeners receive them.
    pub fn emit(
        &self,
        audience: Kind,
        channel: Option<&str>,
        event: &str,
        data: &JsValue,
        metadata: &JsValue,
    ) {
        self.0.emit(audience as u8, channel, event, data, metadata);
    }
}
