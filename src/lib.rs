//! echo-wasm: a browser client for Pusher-protocol WebSocket servers (Laravel Reverb,
//! Pusher Channels, soketi, sockudo), compiled to WebAssembly.
//!
//! The crate is layered so that every rule of the protocol can be tested natively:
//!
//! - [`protocol`] is a sans-IO core. It never touches the network, a clock or a source of
//!   randomness: the embedder feeds it inputs (`handle_*` with the current time) and drains
//!   outputs (`poll_output`, `poll_timeout`).
//! - The browser shell and the JS bindings are thin layers over it.
// The published wasm module is built without std (see the `std` feature).
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std"), not(test)), no_std)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
mod bare;
mod prelude;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod bindings;
#[cfg(target_arch = "wasm32")]
pub mod web;
