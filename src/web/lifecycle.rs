//! Page lifecycle listeners: `visibilitychange`, `pageshow`, `online`, `offline`.
//!
//! They are what keeps a background tab honest: a link that went stale while the tab was
//! hidden or frozen is noticed the moment the page is shown again, instead of at the
//! next (throttled) timer.

use crate::prelude::*;
use alloc::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::EventTarget;

use super::socket::{field, Handler};
use crate::protocol::PageEvent;

/// One registered listener: where, for which event, and the callback.
struct Registration {
    target: EventTarget,
    name: &'static str,
    callback: Handler,
}

/// The listeners, removed again when this is dropped.
pub struct PageLifecycle {
    listeners: Vec<Registration>,
}

impl PageLifecycle {
    /// Listens to the page (nothing to listen to in a worker) and reports to `report`.
    pub fn attach(report: Rc<dyn Fn(PageEvent)>) -> PageLifecycle {
        let mut lifecycle = PageLifecycle {
            listeners: Vec::new(),
        };
        let Some(window) = super::window() else {
            return lifecycle;
        };
        if let Some(document) = window.document() {
            lifecycle.listen(document.into(), "visibilitychange", &report, |_| {
                if PageLifecycle::page_hidden() {
                    PageEvent::Hidden
                } else {
                    PageEvent::Visible
                }
            });
        }
        let target: EventTarget = window.into();
        lifecycle.listen(target.clone(), "pageshow", &report, |event| {
            let persisted = field(event, "persisted").as_bool() == Some(true);
            PageEvent::PageShow { persisted }
        });
        lifecycle.listen(target.clone(), "online", &report, |_| PageEvent::Online);
        lifecycle.listen(target, "offline", &report, |_| PageEvent::Offline);
        lifecycle
    }

    /// Whether the page is hidden right now (a tab opened in the background).
    pub fn page_hidden() -> bool {
        super::window()
            .and_then(|window| window.document())
            .is_some_and(|document| document.hidden())
    }

    fn listen(
        &mut self,
        target: EventTarget,
        name: &'static str,
        report: &Rc<dyn Fn(PageEvent)>,
        // A plain function, not a generic closure: one copy of this code for all four.
        read: fn(&JsValue) -> PageEvent,
    ) {
        let report = Rc::clone(report);
        let callback = Handler::new(move |event: JsValue| report(read(&event)));
        if target
            .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
            .is_ok()
        {
            self.listeners.push(Registration {
                target,
                name,
                callback,
            });
        }
    }
}

impl Drop for PageLifecycle {
    fn drop(&mut self) {
        for listener in &self.listeners {
            let _ = listener.target.remove_event_listener_with_callback(
                listener.name,
                listener.callback.as_ref().unchecked_ref(),
            );
        }
    }
}
