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
    fn arm(back: &JsValue, delay_ms: i32);
}

/// The longest delay `setTimeout` honours; longer ones fire at once. It is `i32::MAX`:
/// the delay crosses to JS as an `i32`, no float conversion needed.
const MAX_DELAY_MS: u64 = 0x7FFF_FFFF;

/// The single pending timeout of one client, reporting to the client's callback. The
/// callback is not kept here (nor a copy of it, which costs a call into JS): the
/// driver passes it, and clears the timeout when it goes ([`Timeout::clear`]).
#[derive(Default)]
pub struct Timeout {
    /// The deadline the pending timeout was armed for.
    deadline: Option<Instant>,
}

impl Timeout {
    /// Makes the timeout fire at `deadline` (or never, for `None`), calling `back`.
    /// Re-arming for the deadline already pending does nothing.
    pub fn set(&mut self, back: &JsValue, now: Instant, deadline: Option<Instant>) {
        if self.deadline == deadline {
            return;
        }
        self.deadline = deadline;
        let delay = deadline.map_or(-1, |at| {
            at.as_millis()
                .saturating_sub(now.as_millis())
                .min(MAX_DELAY_MS) as i32
        });
        arm(back, delay);
    }

    /// The timeout has fired: nothing is pending any more.
    pub fn fired(&mut self) {
        self.deadline = None;
    }
}

/// Clears the timeout pending for `back`, if any.
pub fn clear(back: &JsValue) {
    arm(back, -1);
}
