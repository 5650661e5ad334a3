//! Page lifecycle listeners: `visibilitychange`, `pageshow`, `online`, `offline`.
//!
//! They are what keeps a background tab honest: a link that went stale while the tab was
//! hidden or frozen is noticed the moment the page is shown again, instead of at the
//! next (throttled) timer.

use crate::prelude::*;
use alloc::rc::Rc;

use wasm_bindgen::prelude::*;

use super::Callback;
use crate::protocol::PageEvent;

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// Adds (`on`) or removes the four listeners, all reporting to `back` (see
    /// `shell.js`); nothing in a worker, where there is no page.
    fn listen(back: &JsValue, on: bool);
    fn hidden() -> bool;
}

/// The listeners, removed again when this is dropped.
pub struct PageLifecycle {
    back: Callback,
}

impl PageLifecycle {
    /// Listens to the page (nothing to listen to in a worker) and reports to `report`.
    pub fn attach(report: Rc<dyn Fn(PageEvent)>) -> PageLifecycle {
        let back = Callback::wrap(Box::new(move |kind: f64, _| {
            report(match kind as i32 {
                0 => PageEvent::Hidden,
                1 => PageEvent::Visible,
                2 => PageEvent::PageShow { persisted: false },
                3 => PageEvent::PageShow { persisted: true },
                4 => PageEvent::Online,
                _ => PageEvent::Offline,
            })
        }));
        listen(back.as_ref(), true);
        PageLifecycle { back }
    }

    /// Whether the page is hidden right now (a tab opened in the background).
    pub fn page_hidden() -> bool {
        hidden()
    }
}

impl Drop for PageLifecycle {
    fn drop(&mut self) {
        listen(self.back.as_ref(), false);
    }
}
