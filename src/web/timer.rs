//! One re-armed `setTimeout` for the core's next deadline.
//!
//! Browsers throttle chained timers in hidden tabs (to once a minute after a while), so
//! nothing here counts ticks: when the timeout fires, the driver reads the clock and the
//! core works out what is due. There is never more than one timeout pending.

use wasm_bindgen::prelude::*;

use crate::protocol::Instant;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// Clears the timeout pending for `back`, then, for a delay of 0 or more, sets a new
    /// one that calls `back(source::TIMER)` (see `shell.js`): one import for both, and
    /// the handle stays in JS.
    fn arm(back: &JsValue, delay_ms: f64);
}

/// The longest delay `setTimeout` honours; longer ones fire at once.
const MAX_DELAY_MS: u64 = 0x7FFF_FFFF;

/// A single pending timeout of one client. Cleared when dropped.
pub struct Timeout {
    back: JsValue,
    /// The deadline the pending timeout was armed for.
    deadline: Option<Instant>,
}

impl Timeout {
    /// A disarmed timeout that will report to the client's callback `back`.
    pub fn new(back: JsValue) -> Self {
        Timeout {
            back,
            deadline: None,
        }
    }

    /// Makes the timeout fire at `deadline` (or never, for `None`). Re-arming for the
    /// deadline already pending does nothing.
    pub fn set(&mut self, now: Instant, deadline: Option<Instant>) {
        if self.deadline == deadline {
            return;
        }
        self.deadline = deadline;
        let delay = deadline.map_or(-1.0, |at| {
            at.as_millis()
                .saturating_sub(now.as_millis())
                .min(MAX_DELAY_MS) as f64
        });
        arm(&self.back, delay);
    }

    /// The timeout has fired: nothing is pending any more.
    pub fn fired(&mut self) {
        self.deadline = None;
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        arm(&self.back, -1.0);
    }
}
