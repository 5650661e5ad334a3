//! The sans-IO Pusher protocol core (protocol 7).
//!
//! Pure Rust: no web-sys, js-sys or wasm-bindgen, no clock and no randomness of its own.
//! The embedder passes the current time into every call, performs the I/O the core asks
//! for ([`Output`]) and re-arms one timer for [`Client::poll_timeout`]. That makes every
//! timing rule — heartbeat, pong wait, backoff, hidden-tab pause, debounce — testable
//! natively and deterministically with a virtual clock.
//!
//! ```
//! use echo_wasm::protocol::{Client, Config, Endpoint, EndpointOptions, Instant, Output};
//!
//! let mut options = EndpointOptions::new("app-key");
//! options.ws_host = Some("localhost".into());
//! options.ws_port = Some(8080);
//! options.force_tls = Some(false);
//! let mut client = Client::new(Config::new(Endpoint::new(&options).unwrap()));
//! client.connect(Instant::ZERO);
//! while let Some(output) = client.poll_output() {
//!     if let Output::Open { url, .. } = output {
//!         assert!(url.starts_with("ws://localhost:8080/app/app-key?protocol=7"));
//!     }
//! }
//! ```

pub mod backoff;
pub mod base64;
pub mod channel;
pub mod client;
pub mod client_events;
pub mod close;
pub mod config;
pub mod crypto;
mod encrypted;
pub mod frame;
pub mod json;
pub mod output;
pub mod presence;
pub mod shaping;
pub mod state;
pub mod subscriptions;
pub mod time;
pub mod timers;
mod user;
pub mod vec_map;

pub use backoff::BackoffPolicy;
pub use channel::{ChannelKind, ChannelState};
pub use client::{Client, PageEvent, Status};
pub use client_events::TriggerError;
pub use config::{Config, ConfigError, Endpoint, EndpointOptions};
pub use crypto::DecryptError;
pub use frame::Payload;
pub use output::{
    AuthRequest, AuthRequestId, AuthTarget, ClientError, Event, LinkId, Message, Output,
    SubscriptionError,
};
pub use presence::{Member, Members};
pub use shaping::{Shape, Verdict};
pub use state::{DisconnectReason, LinkEnd, State};
pub use subscriptions::{AuthData, AuthFailure, SubscribeError};
pub use time::Instant;
pub use timers::ShaperId;
