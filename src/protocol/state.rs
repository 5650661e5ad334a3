//! Connection states: the six public ones of the Pusher protocol, and the richer
//! internal phase each of them is derived from. Every transition is made by one function
//! of [`crate::protocol::Client`]; a combination that makes no sense (a socket id while
//! connecting, a retry time while connected) cannot be written down.

use super::close::describe;
use super::output::LinkId;
use crate::prelude::*;
use alloc::borrow::Cow;

/// The public connection state, as pusher-js names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Created, not yet asked to connect.
    Initialized,
    /// Opening a socket, handshaking, or waiting to retry.
    Connecting,
    /// Connected, with a socket id.
    Connected,
    /// Still trying, but for longer than the unavailable timeout.
    Unavailable,
    /// Cannot work in this environment (no WebSocket, a URL the browser rejects).
    Failed,
    /// Disconnected on purpose: by the app, paused in a hidden tab, or refused by the
    /// server for good.
    Disconnected,
}

impl State {
    /// The pusher-js name of the state, which is also the name of its event.
    pub fn as_str(self) -> &'static str {
        // In the order of the variants: a table rather than a `match`.
        const NAMES: [&str; 6] = [
            "initialized",
            "connecting",
            "connected",
            "unavailable",
            "failed",
            "disconnected",
        ];
        NAMES.get(self as usize).copied().unwrap_or_default()
    }
}

/// Why the connection is `disconnected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The app called `disconnect()`.
    Requested,
    /// The page was hidden for longer than the grace period; becoming visible reconnects.
    Paused,
    /// The server refused the connection in a way retrying cannot fix, or a protocol
    /// error kept repeating. Why, in words, is the reason of the link's end
    /// ([`crate::protocol::Status::last_end`]), not kept a second time here.
    Refused {
        /// The close or error code.
        code: u16,
    },
}

impl DisconnectReason {
    /// A short machine-friendly name: `requested`, `paused` or `refused`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DisconnectReason::Requested => "requested",
            DisconnectReason::Paused => "paused",
            DisconnectReason::Refused { .. } => "refused",
        }
    }
}

/// How the last socket ended, for status displays ("reconnecting: connection lost").
///
/// A code and a reason rather than an enum of cases: every reader wants just those two,
/// and one shape is less code in the wasm than a `match` in each of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEnd {
    /// The WebSocket close code (1006 when the socket simply dropped), or the code of
    /// the server's `pusher:error`; `None` when the client gave up on the socket itself.
    pub code: Option<u16>,
    /// Why, in words: the server's reason (or a description of its code), or what the
    /// client saw.
    pub reason: Cow<'static, str>,
}

impl LinkEnd {
    /// A ping went unanswered.
    pub const PONG_TIMEOUT: LinkEnd = LinkEnd::by_client("no pong in time");
    /// The handshake did not complete in time.
    pub const HANDSHAKE_TIMEOUT: LinkEnd = LinkEnd::by_client("handshake timed out");
    /// The server's handshake could not be understood.
    pub const BAD_HANDSHAKE: LinkEnd = LinkEnd::by_client("invalid handshake");
    /// We closed it: the app disconnected or the page was hidden.
    pub const CLOSED_BY_CLIENT: LinkEnd = LinkEnd::by_client("closed by the client");

    /// Ended by the server, or by the socket closing, with `code`: `reason` if it gave
    /// one, else what the protocol says the code means.
    pub fn with_code(code: u16, reason: &str) -> LinkEnd {
        LinkEnd {
            code: Some(code),
            reason: if reason.is_empty() {
                Cow::Borrowed(describe(code))
            } else {
                Cow::Owned(reason.to_owned())
            },
        }
    }

    const fn by_client(reason: &'static str) -> LinkEnd {
        LinkEnd {
            code: None,
            reason: Cow::Borrowed(reason),
        }
    }

    /// The close or error code, if there was one.
    pub fn code(&self) -> Option<u16> {
        self.code
    }

    /// Why, in words.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Where a connection attempt stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Waiting out a backoff delay (the `Retry` timer).
    Waiting,
    /// The socket was requested and has not opened yet.
    Opening(LinkId),
    /// The socket is open; waiting for `pusher:connection_established`.
    Handshaking(LinkId),
}

/// The internal connection phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Never connected.
    Initialized,
    /// Trying to get connected. `unavailable` once the unavailable timeout has passed
    /// in this series of attempts.
    Connecting { step: Step, unavailable: bool },
    /// Connected.
    Connected(Link),
    /// Disconnected on purpose.
    Disconnected(DisconnectReason),
    /// Cannot work here.
    Failed(String),
}

/// A live, handshaken connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The socket.
    pub id: LinkId,
    /// The server-assigned socket id (`123.456`).
    pub socket_id: String,
    /// When the handshake completed (for "was it stable?").
    pub since: crate::protocol::time::Instant,
    /// Effective activity timeout, in milliseconds.
    pub activity_timeout: u64,
    /// Last inbound frame (for "may the link be stale?").
    pub last_inbound: crate::protocol::time::Instant,
    /// Whether a ping is out, awaiting any frame.
    pub ping_outstanding: bool,
}

impl Phase {
    /// The public state this phase shows.
    pub fn state(&self) -> State {
        match self {
            Phase::Initialized => State::Initialized,
            Phase::Connecting {
                unavailable: false, ..
            } => State::Connecting,
            Phase::Connecting {
                unavailable: true, ..
            } => State::Unavailable,
            Phase::Connected(_) => State::Connected,
            Phase::Disconnected(_) => State::Disconnected,
            Phase::Failed(_) => State::Failed,
        }
    }

    /// The socket currently in use, if any.
    pub fn link(&self) -> Option<LinkId> {
        match self {
            Phase::Connecting {
                step: Step::Opening(link) | Step::Handshaking(link),
                ..
            } => Some(*link),
            Phase::Connected(link) => Some(link.id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_named_as_pusher_js_names_them() {
        let names = [
            State::Initialized,
            State::Connecting,
            State::Connected,
            State::Unavailable,
            State::Failed,
            State::Disconnected,
        ]
        .map(State::as_str);
        assert_eq!(
            names,
            [
                "initialized",
                "connecting",
                "connected",
                "unavailable",
                "failed",
                "disconnected"
            ]
        );
    }
}
