//! The app's listeners, and who hears which event.
//!
//! Listeners are called by the driver with no borrow held, from a snapshot taken when
//! the event is dispatched; each is checked again just before its call, so a listener
//! removed by an earlier one in the same round is not called.

use super::js_value::Function;
use crate::prelude::*;

/// What a listener listens to, and so how it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One event on one channel: `callback(data, metadata)`.
    Event {
        /// The channel.
        channel: String,
        /// The event name, as sent.
        event: String,
    },
    /// Every event on one channel: `callback(eventName, data, metadata)`.
    Channel(String),
    /// Every event on every channel, and connection-level events:
    /// `callback(eventName, data, channelName)`.
    Global,
    /// Connection state changes: `callback({previous, current})`.
    StateChange,
    /// Errors: `callback(error)`.
    Error,
}

/// What an event is addressed to.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Listeners of `event` on `channel` (or of the connection, for `None`).
    Event {
        /// The channel.
        channel: Option<&'a str>,
        /// The event name.
        event: &'a str,
    },
    /// State-change listeners.
    StateChange,
    /// Error listeners.
    Error,
}

/// A listener chosen for one event: its id (to re-check), callback and scope kind.
pub struct Chosen {
    /// The listener's id.
    pub id: u32,
    /// The callback.
    pub callback: Function,
    /// How to call it.
    pub call: CallShape,
}

/// The argument list a listener expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallShape {
    /// `(data, metadata)`.
    Data,
    /// `(eventName, data, metadata)`.
    NamedData,
    /// `(eventName, data, channelName)`.
    Global,
    /// `(value)`.
    Single,
}

struct Listener {
    id: u32,
    scope: Scope,
    callback: Function,
}

/// Every listener, in the order they were added.
#[derive(Default)]
pub struct Listeners {
    next_id: u32,
    list: Vec<Listener>,
}

impl Listeners {
    /// Adds a listener; the id removes it again.
    pub fn add(&mut self, scope: Scope, callback: Function) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        self.list.push(Listener {
            id,
            scope,
            callback,
        });
        id
    }

    /// Removes a listener. `false` if there was none with that id.
    pub fn remove(&mut self, id: u32) -> bool {
        let before = self.list.len();
        self.list.retain(|listener| listener.id != id);
        self.list.len() != before
    }

    /// Removes every listener of one channel (it was left: a later subscription to the
    /// same name starts with none, as in pusher-js).
    pub fn remove_channel(&mut self, channel: &str) {
        self.list.retain(|listener| match &listener.scope {
            Scope::Event { channel: c, .. } | Scope::Channel(c) => c != channel,
            _ => true,
        });
    }

    /// Whether a listener is still registered.
    pub fn contains(&self, id: u32) -> bool {
        self.list.iter().any(|listener| listener.id == id)
    }

    /// The listeners that hear an event: on a channel, the event's own listeners first,
    /// then the channel's catch-all ones, then the global ones.
    pub fn audience(&self, audience: Audience<'_>) -> Vec<Chosen> {
        let rank = |scope: &Scope| -> Option<(u8, CallShape)> {
            match (audience, scope) {
                (
                    Audience::Event {
                        channel: Some(channel),
                        event,
                    },
                    Scope::Event {
                        channel: c,
                        event: e,
                    },
                ) if c == channel && e == event => Some((0, CallShape::Data)),
                (
                    Audience::Event {
                        channel: Some(channel),
                        ..
                    },
                    Scope::Channel(c),
                ) if c == channel => Some((1, CallShape::NamedData)),
                (Audience::Event { .. }, Scope::Global) => Some((2, CallShape::Global)),
                (Audience::StateChange, Scope::StateChange) | (Audience::Error, Scope::Error) => {
                    Some((0, CallShape::Single))
                }
                _ => None,
            }
        };
        // One pass per rank keeps the order listeners were added within a rank, without
        // pulling a sort into the module.
        let mut chosen = Vec::new();
        for order in 0..3 {
            for listener in &self.list {
                if let Some((rank, call)) = rank(&listener.scope) {
                    if rank == order {
                        chosen.push(Chosen {
                            id: listener.id,
                            callback: listener.callback.clone(),
                            call,
                        });
                    }
                }
            }
        }
        chosen
    }
}
