//! The app's listeners, and who hears which event.
//!
//! The driver calls listeners with no borrow held, looking each one up just before its
//! call ([`Listeners::next`]) rather than from a snapshot: a listener removed by an
//! earlier one in the same round is not found any more, and one added during the round
//! is left out by the id limit taken when the round began.

use crate::prelude::*;

use super::js_value::Function;

/// What a listener listens to, and so how it is called. The order is the order of
/// delivery: an event on a channel goes to its own listeners first, then to the
/// channel's catch-all ones, then to the global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One event on one channel: `callback(data, metadata)`.
    Event,
    /// Every event on one channel: `callback(eventName, data, metadata)`.
    Channel,
    /// Every event on every channel, and connection-level events:
    /// `callback(eventName, data, channelName)`.
    Global,
    /// Connection state changes: `callback({previous, current})`.
    StateChange,
    /// Errors: `callback(error)`.
    Error,
}

struct Listener {
    id: u32,
    kind: Kind,
    /// The channel of `Event` and `Channel` listeners, else empty.
    channel: String,
    /// The event name of `Event` listeners, else empty.
    event: String,
    callback: Function,
}

/// Every listener, in the order they were added, which is the order of their ids.
#[derive(Default)]
pub struct Listeners {
    last_id: u32,
    list: Vec<Listener>,
}

impl Listeners {
    /// Adds a listener; the id removes it again. `channel` and `event` are only read
    /// for the kinds that have them.
    pub fn add(&mut self, kind: Kind, channel: String, event: String, callback: Function) -> u32 {
        self.last_id = self.last_id.wrapping_add(1);
        let id = self.last_id;
        self.list.push(Listener {
            id,
            kind,
            channel,
            event,
            callback,
        });
        id
    }

    /// The id of the listener added last: listeners added after it are not called for
    /// an event already being delivered.
    pub fn last_id(&self) -> u32 {
        self.last_id
    }

    /// Removes a listener. `false` if there was none with that id.
    pub fn remove(&mut self, id: u32) -> bool {
        self.remove_where(id, None)
    }

    /// Removes every listener of one channel (it was left: a later subscription to the
    /// same name starts with none, as in pusher-js).
    pub fn remove_channel(&mut self, channel: &str) {
        self.remove_where(0, Some(channel));
    }

    /// Removes the listener `id` (ids start at 1) and those of `channel`: one `retain`
    /// for both removals, whose code is instantiated per predicate.
    fn remove_where(&mut self, id: u32, channel: Option<&str>) -> bool {
        let before = self.list.len();
        self.list.retain(|listener| {
            listener.id != id
                && (!matches!(listener.kind, Kind::Event | Kind::Channel)
                    || Some(listener.channel.as_str()) != channel)
        });
        self.list.len() != before
    }

    /// The first listener of `kind` after id `after` (up to id `last`) that hears
    /// `event` on `channel` (`None`: connection-level), with its id.
    pub fn next(
        &self,
        kind: Kind,
        after: u32,
        last: u32,
        channel: Option<&str>,
        event: &str,
    ) -> Option<(u32, Function)> {
        let listener = self.list.iter().find(|listener| {
            listener.kind == kind
                && listener.id > after
                && listener.id <= last
                && match kind {
                    Kind::Event => {
                        channel == Some(listener.channel.as_str()) && listener.event == event
                    }
                    Kind::Channel => channel == Some(listener.channel.as_str()),
                    _ => true,
                }
        })?;
        Some((listener.id, listener.callback.clone()))
    }
}
