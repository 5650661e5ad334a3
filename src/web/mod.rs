//! The browser shell: the only code that touches Web APIs.
//!
//! It runs the sans-IO [`crate::protocol::Client`]: every browser event (socket opened,
//! frame received, timer fired, page hidden, auth answered) becomes one `handle_*` call
//! with the current time from `performance.now()`, and every [`crate::protocol::Output`]
//! becomes one Web API call or one round of listener callbacks. Each piece owns the JS
//! callbacks it registers and detaches them when dropped, so a dropped client leaves
//! nothing running behind it.

mod auth;
mod clock;
mod driver;
mod js_value;
mod lifecycle;
mod listeners;
mod socket;
mod timer;

pub use auth::{AuthConfig, AuthSource, HttpAuth};
pub use clock::{now, random_seed};
pub use driver::{Driver, RESUMED_EVENT};
pub use js_value::{parse_json, stringify, Function, ObjectWriter, Reflect};
pub use listeners::Kind;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// `globalThis`, from a plain function: cheaper than `js_sys::global()` (which probes
    /// `globalThis`, `self`, `window` and `global` through four lazily initialised
    /// thread-locals) and than a cached `static` (one more thread-local).
    #[wasm_bindgen(js_name = globalObject)]
    fn global_object() -> JsValue;
}

/// The global object: the window on a page, the worker's scope in a worker.
pub(crate) fn global() -> JsValue {
    global_object()
}

/// The one closure type of everything the shell hands to JS (socket, timer, page
/// listeners, auth answers), called as `back(kind, value)`: every distinct closure type
/// costs its own wasm-bindgen shims, so there is only this one, always built from a
/// boxed closure (`Callback::wrap`) so that nothing about it is generic. `Fn` rather
/// than `FnMut`: its JS wrapper is the simpler one, and no callback needs `&mut`.
pub(crate) type Callback = Closure<dyn Fn(f64, JsValue)>;
