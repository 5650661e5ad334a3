//! Channels: their kinds (read from the name prefix) and the subscription lifecycle of
//! each one the app wants.

use super::crypto::SharedSecret;
use super::output::{AuthRequestId, Message};
use super::presence::Members;
use super::vec_map::remove_at;
use crate::prelude::*;

/// The kind of a channel, decided by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// No prefix: anyone may subscribe, no authorization.
    Public,
    /// `private-`: authorized per socket.
    Private,
    /// `presence-`: authorized, with a member list.
    Presence,
    /// `private-encrypted-`: authorized; events are end-to-end encrypted.
    Encrypted,
    /// `#server-to-user-{id}`: the signed-in user's own channel (reserved; only the
    /// client itself subscribes to it, after `pusher:signin_success`).
    User,
}

impl ChannelKind {
    /// The kind of the channel called `name`. Cache channels (`private-cache-`, …) are
    /// their base kind.
    pub fn of(name: &str) -> ChannelKind {
        if name.starts_with("private-encrypted-") {
            ChannelKind::Encrypted
        } else if name.starts_with("private-") {
            ChannelKind::Private
        } else if name.starts_with("presence-") {
            ChannelKind::Presence
        } else if name.starts_with('#') {
            ChannelKind::User
        } else {
            ChannelKind::Public
        }
    }

    /// Whether subscribing needs an authorization from the app's server.
    pub fn needs_auth(self) -> bool {
        matches!(
            self,
            ChannelKind::Private | ChannelKind::Presence | ChannelKind::Encrypted
        )
    }

    /// Whether clients may send `client-` events on it. Not on encrypted channels: the
    /// server would relay them in clear text.
    pub fn allows_client_events(self) -> bool {
        matches!(self, ChannelKind::Private | ChannelKind::Presence)
    }
}

/// Where a channel's subscription stands, as the app can observe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelState {
    /// Wanted, waiting for a connection.
    Idle,
    /// Waiting for its authorization.
    Authorizing,
    /// `pusher:subscribe` sent, waiting for the server's answer.
    Pending,
    /// Live.
    Subscribed,
    /// Refused (auth failed or the server said no). Retried on the next connection or
    /// when the app subscribes again.
    Failed,
}

/// The subscription lifecycle of one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subscription {
    /// Wanted, not asked for (no connection yet, or not since the last one dropped).
    Idle,
    /// Waiting for the answer to auth request `request`.
    Authorizing(AuthRequestId),
    /// Subscribe frame sent. `cancelled`: the app left meanwhile, so as soon as the
    /// server confirms, we unsubscribe (the protocol has no way to cancel in flight).
    Pending { cancelled: bool },
    /// Live.
    Subscribed,
    /// Refused.
    Failed,
}

/// Decryption state of an encrypted channel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Keyring {
    /// The key from the last authorization.
    pub secret: Option<SharedSecret>,
    /// The key came from a re-authorization made because decryption failed, and has not
    /// decrypted anything yet: if it fails too, drop the event instead of asking again.
    pub retried: bool,
    /// A re-authorization in flight.
    pub rekey: Option<AuthRequestId>,
    /// Events waiting for the new key, their data still encrypted.
    pub waiting: Vec<Message>,
}

/// At most this many encrypted events wait for a new key; later ones are dropped with
/// an error rather than growing without bound while the auth endpoint hangs.
pub(crate) const MAX_WAITING_FOR_KEY: usize = 64;

/// One channel the app wants (or just left while the subscription was in flight).
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    pub subscription: Subscription,
    /// Has been subscribed before: the next success is a resumption.
    pub was_subscribed: bool,
    /// Presence: the members, once subscribed.
    pub members: Option<Members>,
    /// Presence: this client's `user_id` (as text) from its own `channel_data`.
    pub my_id: Option<String>,
    /// Encrypted: keys and events waiting for one.
    pub keyring: Keyring,
    /// The last `subscription_count`.
    pub count: Option<u64>,
}

impl Subscription {
    /// Subscribed (or being subscribed) although the app has left the channel meanwhile.
    /// A pattern test rather than `==`: the derived `PartialEq` is a function call.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Subscription::Pending { cancelled: true })
    }
}

impl Channel {
    /// Out of line: both callers would otherwise hold a copy of the whole initializer.
    #[inline(never)]
    pub fn new(name: String) -> Self {
        Channel {
            kind: ChannelKind::of(&name),
            name,
            subscription: Subscription::Idle,
            was_subscribed: false,
            members: None,
            my_id: None,
            keyring: Keyring::default(),
            count: None,
        }
    }

    pub fn state(&self) -> ChannelState {
        match self.subscription {
            Subscription::Idle => ChannelState::Idle,
            Subscription::Authorizing(_) => ChannelState::Authorizing,
            Subscription::Pending { .. } => ChannelState::Pending,
            Subscription::Subscribed => ChannelState::Subscribed,
            Subscription::Failed => ChannelState::Failed,
        }
    }

    /// The connection dropped: nothing of the subscription survives but the wish.
    pub fn reset(&mut self) {
        self.subscription = Subscription::Idle;
        self.members = None;
        self.keyring.rekey = None;
        self.keyring.waiting.clear();
    }
}

/// The channels the app wants, in the order it first asked for them (the order they are
/// subscribed again in).
///
/// A plain list that each channel's own name is looked up in: every lookup goes through
/// one out-of-line [`Channels::index`], where a generic map kept a copy of each key and
/// a search loop per method in the wasm. Pages hold a handful of channels.
#[derive(Debug, Clone, Default)]
pub(crate) struct Channels(Vec<Channel>);

impl Channels {
    /// Where the channel called `name` is.
    #[inline(never)]
    pub fn index(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|channel| channel.name == name)
    }

    /// The channel called `name`.
    pub fn get(&self, name: &str) -> Option<&Channel> {
        self.at(self.index(name)?)
    }

    /// The channel at `index`, in order. Out of line, like [`Channels::at_mut`].
    #[inline(never)]
    pub fn at(&self, index: usize) -> Option<&Channel> {
        self.0.get(index)
    }

    /// The channel at `index`, mutably. Out of line: the handlers reach their channel
    /// through it at a dozen places.
    #[inline(never)]
    pub fn at_mut(&mut self, index: usize) -> Option<&mut Channel> {
        self.0.get_mut(index)
    }

    /// How many channels there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds `channel` last, and says where that is. The caller has made sure no
    /// channel has its name.
    pub fn push(&mut self, channel: Channel) -> usize {
        self.0.push(channel);
        self.0.len() - 1
    }

    /// Forgets the channel at `index`, keeping the order of the others. By place: the
    /// callers have already found it.
    pub fn remove(&mut self, index: usize) {
        remove_at(&mut self.0, index);
    }

    /// Keeps only the channels for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&mut Channel) -> bool) {
        let mut index = 0;
        while let Some(channel) = self.0.get_mut(index) {
            if keep(channel) {
                index += 1;
            } else {
                remove_at(&mut self.0, index);
            }
        }
    }

    /// Every channel, in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Channel> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_prefix() {
        assert_eq!(ChannelKind::of("orders"), ChannelKind::Public);
        assert_eq!(ChannelKind::of("private-orders.1"), ChannelKind::Private);
        assert_eq!(ChannelKind::of("presence-room"), ChannelKind::Presence);
        assert_eq!(
            ChannelKind::of("private-encrypted-x"),
            ChannelKind::Encrypted
        );
        assert_eq!(ChannelKind::of("private-cache-x"), ChannelKind::Private);
        assert_eq!(ChannelKind::of("#server-to-user-1"), ChannelKind::User);
        assert!(!ChannelKind::Encrypted.allows_client_events());
        assert!(ChannelKind::Presence.allows_client_events());
        assert!(!ChannelKind::Public.needs_auth());
    }

    #[test]
    fn channels_keep_their_order() {
        let mut channels = Channels::default();
        for name in ["b", "a", "c"] {
            channels.push(Channel::new(name.into()));
        }
        channels.at_mut(0).unwrap().count = Some(3);
        let names = |c: &Channels| c.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&channels), ["b", "a", "c"]);
        assert_eq!(channels.get("b").unwrap().count, Some(3));
        let a = channels.index("a").unwrap();
        channels.at_mut(a).unwrap().count = Some(1);
        assert_eq!(channels.at(1).unwrap().count, Some(1));
        channels.remove(0);
        channels.remove(2);
        assert_eq!(names(&channels), ["a", "c"]);
        channels.retain(|c| c.count.is_none());
        assert_eq!(names(&channels), ["c"]);
        assert!(channels.get("a").is_none() && channels.at(1).is_none());
    }
}
