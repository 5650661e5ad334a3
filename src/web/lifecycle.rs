//! Page lifecycle listeners: `visibilitychange`, `pageshow`, `online`, `offline`.
//!
//! They are what keeps a background tab honest: a link that went stale while the tab was
//! hidden or frozen is noticed the moment the page is shown again, instead of at the
//! next (throttled) timer.

use wasm_bindgen::prelude::*;

use crate::protocol::PageEvent;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// Adds (`on`) or removes the four listeners, all reporting to
    /// `back(source::PAGE, 0, event)` (see `shell.js`, and [`PageLifecycle::event`]);
    /// nothing in a worker, where there is no page.
    fn listen(back: &JsValue, on: bool);
    fn hidden() -> bool;
}

/// The page's listeners of one client. They keep no copy of the client's callback
/// (a copy costs a call into JS): the driver attaches and detaches them.
pub struct PageLifecycle;

impl PageLifecycle {
    /// Listens to the page (nothing to listen to in a worker), reporting to the
    /// client's callback `back`, until [`PageLifecycle::detach`].
    pub fn attach(back: &JsValue) {
        listen(back, true);
    }

    /// Removes the listeners that report to `back`.
    pub fn detach(back: &JsValue) {
        listen(back, false);
    }

    /// The event a listener reported as `code`.
    pub fn event(code: i32) -> PageEvent {
        match code {
            0 => PageEvent::Hidden,
            1 => PageEvent::Visible,
            2 => PageEvent::PageShow { persisted: false },
            3 => PageEvent::PageShow { persisted: true },
            4 => PageEvent::Online,
            _ => PageEvent::Offline,
        }
    }

    /// Whether the page is hidden right now (a tab opened in the background).
    pub fn page_hidden() -> bool {
        hidden()
    }
}
