//! Time and randomness for the core, which has neither of its own.

use wasm_bindgen::prelude::*;

use crate::protocol::Instant;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: monotonic, unaffected by the wall clock being changed, and
    /// available in windows and workers alike.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    #[wasm_bindgen(js_namespace = Math, js_name = random)]
    fn math_random() -> f64;
}

/// The current time on the core's clock.
pub fn now() -> Instant {
    // Saturating float-to-int: a negative or NaN reading becomes 0, never a trap.
    Instant::from_millis(performance_now() as u64)
}

/// A seed for reconnection jitter, different in every page so that browsers do not
/// retry in lockstep after a server restart.
pub fn random_seed() -> u64 {
    let high = (math_random() * 4_294_967_296.0) as u64;
    let low = (math_random() * 4_294_967_296.0) as u64;
    high << 32 | low
}
