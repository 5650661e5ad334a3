//! What the core asks of its embedder: I/O to perform and events to tell the app about.

use super::crypto::DecryptError;
use super::frame::Payload;
use super::presence::Member;
use super::state::State;
use super::timers::ShaperId;
use crate::prelude::*;

/// Identifies one WebSocket the core asked for. Reports about any other socket than the
/// current one are ignored, so a late message from a socket the core already gave up on
/// can never confuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u32);

/// Identifies one authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuthRequestId(pub u32);

/// The next thing the embedder must do, drained with
/// [`crate::protocol::Client::poll_output`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a WebSocket to `url`, and report what happens to it with `link`.
    Open {
        /// Tag for the reports about this socket.
        link: LinkId,
        /// The full `ws://` / `wss://` URL.
        url: String,
    },
    /// Send one text frame on socket `link`.
    Send {
        /// The socket.
        link: LinkId,
        /// The frame.
        text: String,
    },
    /// Close socket `link` with code 1000 (normal closure) and stop listening to it. The
    /// core has already moved on.
    Close {
        /// The socket.
        link: LinkId,
        /// A short reason for the close frame.
        reason: &'static str,
    },
    /// Ask the auth endpoint (or the app's authorizer) for an authorization, then answer
    /// with [`crate::protocol::Client::handle_auth_reply`].
    Authorize(AuthRequest),
    /// Something the app should hear about.
    Event(Event),
}

/// A request for an authorization signature, valid for one socket id only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// Pass this back with the reply.
    pub id: AuthRequestId,
    /// The socket id to sign for.
    pub socket_id: String,
    /// Channel authorization or user authentication.
    pub target: AuthTarget,
}

/// What an authorization is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthTarget {
    /// Subscribing to (or re-keying) this private, presence or encrypted channel:
    /// `POST authEndpoint` with `socket_id` and `channel_name`.
    Channel(String),
    /// Signing the user in (`pusher:signin`): `POST userAuthentication.endpoint` with
    /// `socket_id`.
    User,
}

/// An event for the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The connection state changed. `connected` carries the socket id.
    StateChange {
        /// The state left.
        previous: State,
        /// The state entered.
        current: State,
    },
    /// Something went wrong; the client carries on where it can.
    Error(ClientError),
    /// An event on a channel, or a connection-level event when `channel` is `None`.
    Message(Message),
    /// `pusher:subscription_succeeded`: the channel is live. For presence channels the
    /// member list is ready ([`crate::protocol::Client::members`]).
    Subscribed {
        /// The channel.
        channel: String,
    },
    /// The channel was subscribed again after the connection had been lost or paused:
    /// events may have been missed, refetch. Follows the `Subscribed` event.
    Resumed {
        /// The channel.
        channel: String,
    },
    /// `pusher:subscription_error`: the channel could not be subscribed.
    SubscriptionError {
        /// The channel.
        channel: String,
        /// Why.
        error: SubscriptionError,
    },
    /// `pusher:subscription_count`: how many connections are subscribed.
    SubscriptionCount {
        /// The channel.
        channel: String,
        /// The count.
        count: u64,
    },
    /// `pusher:member_added` on a presence channel (also sent when a known member's info
    /// changes).
    MemberAdded {
        /// The channel.
        channel: String,
        /// The member.
        member: Member,
    },
    /// `pusher:member_removed` on a presence channel.
    MemberRemoved {
        /// The channel.
        channel: String,
        /// The member as it was.
        member: Member,
    },
    /// `pusher:signin_success`: the user is signed in; `user_data` is raw JSON.
    SignedIn {
        /// The user data the server confirmed.
        user_data: String,
    },
    /// A watchlist event (`online` / `offline`) for users the signed-in user watches.
    Watchlist {
        /// `online` or `offline`.
        name: String,
        /// The users concerned: a JSON array of their ids, each as a string (servers
        /// send numbers too), ready for JS to parse.
        user_ids: String,
    },
    /// A debounced or throttled listener must be called now with what the shell held.
    Flush {
        /// The listener's shaper.
        shaper: ShaperId,
    },
}

/// An event delivered to listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The channel, or `None` for connection-level events.
    pub channel: Option<String>,
    /// The event name as sent.
    pub event: String,
    /// The payload, for JS to parse once.
    pub data: Payload,
    /// The sender of a client event on a presence channel.
    pub user_id: Option<String>,
}

/// A subscription failure, shaped like pusher-js's `{type, error, status}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionError {
    /// `AuthError` for authorization failures, or the server's `type`.
    pub kind: String,
    /// A readable explanation.
    pub error: String,
    /// The HTTP status of a failed auth request, or the server's `status`.
    pub status: Option<u16>,
}

/// An error reported to the app. None of these stop the client on their own; the
/// connection state says whether it is still working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The server sent `pusher:error`.
    Server {
        /// The error code, if any (see the close-code table).
        code: Option<u16>,
        /// The server's message.
        message: String,
    },
    /// The connection was closed and will not be retried (see
    /// [`crate::protocol::DisconnectReason::Refused`]).
    Refused {
        /// The close or error code.
        code: u16,
        /// Why, in words.
        message: String,
    },
    /// A frame from the server could not be understood and was ignored.
    MalformedFrame {
        /// What was wrong.
        reason: String,
    },
    /// An event on an encrypted channel could not be decrypted, even with a fresh key,
    /// and was dropped.
    Decryption {
        /// The channel.
        channel: String,
        /// The event name.
        event: String,
        /// What failed.
        error: DecryptError,
    },
    /// User sign-in failed.
    SignIn {
        /// Why.
        message: String,
    },
}
