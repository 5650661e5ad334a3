//! One re-armed `setTimeout` for the core's next deadline.
//!
//! Browsers throttle chained timers in hidden tabs (to once a minute after a while), so
//! nothing here counts ticks: when the timeout fires, the driver reads the clock and the
//! core works out what is due. There is never more than one timeout pending.

use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::Callback;
use crate::protocol::Instant;

#[wasm_bindgen]
extern "C" {
    // The globals rather than `window.setTimeout`: they exist in workers too. The
    // handle is a number in browsers, an object elsewhere; it is only handed back.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, delay_ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// The longest delay `setTimeout` honours; longer ones fire at once.
const MAX_DELAY_MS: u64 = 0x7FFF_FFFF;

/// A single pending timeout that calls one callback. Cleared when dropped.
pub struct Timeout {
    callback: Callback,
    /// The pending `setTimeout` and the deadline it was armed for.
    armed: Option<(JsValue, Instant)>,
}

impl Timeout {
    /// A disarmed timeout that will call `on_fire`.
    pub fn new(mut on_fire: impl FnMut() + 'static) -> Self {
        Timeout {
            callback: Callback::wrap(Box::new(move |_, _| on_fire())),
            armed: None,
        }
    }

    /// Makes the timeout fire at `deadline` (or never, for `None`). Re-arming for the
    /// deadline already pending does nothing.
    pub fn set(&mut self, now: Instant, deadline: Option<Instant>) {
        if self.armed.as_ref().map(|(_, at)| *at) == deadline {
            return;
        }
        self.clear();
        if let Some(at) = deadline {
            let delay = at
                .as_millis()
                .saturating_sub(now.as_millis())
                .min(MAX_DELAY_MS);
            let handle = set_timeout(self.callback.as_ref().unchecked_ref(), delay as f64);
            self.armed = Some((handle, at));
        }
    }

    /// The timeout has fired: nothing is pending any more.
    pub fn fired(&mut self) {
        self.armed = None;
    }

    fn clear(&mut self) {
        if let Some((handle, _)) = self.armed.take() {
            clear_timeout(&handle);
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        self.clear();
    }
}
