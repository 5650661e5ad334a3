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
pub use js_value::{parse_json, stringify, ObjectWriter};
pub use listeners::Scope;
