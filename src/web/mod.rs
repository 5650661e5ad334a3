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
pub use js_value::{parse_json, stringify, Function, ObjectWriter};
pub use listeners::{Kind, Registry};

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// The function at `path` (`channelAuthorization.customHandler`) of the options
    /// object, `None` if there is none there.
    #[wasm_bindgen(js_name = functionAt)]
    pub(crate) fn function_at(options: &JsValue, path: &str) -> Option<Function>;

    /// Whether the page was served over https (then only `wss://` is allowed).
    pub(crate) fn secure() -> bool;
}

// The one callback of a client, `back(source, id, code, value)`, through which every
// JS event reaches its driver (`Driver::on_back`): the timer, the page listeners, the
// sockets and the authorizations all report there, telling themselves apart by
// `source`, its first argument. It is a plain JS function, made by client.js around the
// module's `Core` (through `Core.call`, see `op::BACK` in src/bindings), not a
// wasm-bindgen `Closure`: a closure costs its wrapper, a `FinalizationRegistry` and
// shims in the glue and in the module. JS always passes all of `source`, `id` and
// `code`, as integers.

/// Who calls `back`, its first argument (the numbers `shell.js` uses).
pub(crate) mod source {
    /// The timer fired (`timer.rs`).
    pub const TIMER: u8 = 0;
    /// A page lifecycle event, `code` saying which (`lifecycle.rs`).
    pub const PAGE: u8 = 1;
    /// Socket `id` opened, received `value` or closed with `code` (`socket.rs`).
    pub const SOCKET: u8 = 2;
    /// Authorization request `id` was answered (`auth.rs`).
    pub const AUTH: u8 = 3;
}
