//! Client events (`client-*`): sent by one browser to the others on a private or
//! presence channel, checked here so that a mistake is a clear error rather than the
//! server cutting the connection.

use core::fmt;
use core::time::Duration;

use super::channel::{ChannelKind, Subscription};
use super::client::Client;
use super::frame;
use super::json;
use super::time::Instant;

/// The server allows this many client events per connection…
pub const MAX_CLIENT_EVENTS: usize = 10;
/// …in any window of this length; beyond it, it closes the connection with 4301.
pub const CLIENT_EVENT_WINDOW: Duration = Duration::from_secs(1);

/// Why a client event was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerError {
    /// The event name does not start with `client-`.
    NotClientEvent,
    /// The app has not subscribed to the channel.
    UnknownChannel,
    /// Client events only exist on private and presence channels.
    PublicChannel,
    /// Client events are not allowed on encrypted channels (they would travel in clear).
    EncryptedChannel,
    /// Not connected, or the channel is not subscribed yet.
    NotSubscribed,
    /// More than 10 client events in the last second.
    RateLimited,
    /// The data is not one JSON value.
    InvalidData,
}

impl TriggerError {
    /// Why, in words (without `core::fmt`, which would cost the wasm module kilobytes).
    pub fn message(self) -> &'static str {
        // In the order of the variants: a table rather than a `match`.
        const MESSAGES: [&str; 7] = [
            "client event names must start with `client-`",
            "not subscribed to this channel",
            "client events need a private or presence channel",
            "no client events on encrypted channels",
            "the channel is not subscribed yet",
            "more than 10 client events per second",
            "client event data must be one JSON value",
        ];
        MESSAGES.get(self as usize).copied().unwrap_or_default()
    }
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// When each of the last [`MAX_CLIENT_EVENTS`] client events leaves the window, as a
/// ring.
///
/// A fixed array rather than a growing list: the slot about to be overwritten belongs to
/// the oldest of the last ten sends, which is all the limit needs to know, and no `Vec`
/// of another element type is instantiated for it. A slot never used frees at zero.
#[derive(Debug, Clone, Default)]
pub struct RateWindow {
    frees_at: [Instant; MAX_CLIENT_EVENTS],
    next: usize,
}

impl RateWindow {
    /// Records a send at `now` if it keeps every window under the limit: the send ten
    /// sends ago must have left the window.
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        match self.frees_at.get_mut(self.next) {
            Some(slot) if now >= *slot => {
                *slot = now.plus(CLIENT_EVENT_WINDOW.as_millis() as u64);
                self.next = (self.next + 1) % MAX_CLIENT_EVENTS;
                true
            }
            _ => false,
        }
    }
}

impl Client {
    /// Sends client event `event` with `data_json` (one JSON value, as text) on
    /// `channel`.
    pub fn trigger(
        &mut self,
        now: Instant,
        channel: &str,
        event: &str,
        data_json: &str,
    ) -> Result<(), TriggerError> {
        if !event.starts_with("client-") {
            return Err(TriggerError::NotClientEvent);
        }
        let state = self
            .channels
            .get(channel)
            .ok_or(TriggerError::UnknownChannel)?;
        match state.kind {
            ChannelKind::Private | ChannelKind::Presence => {}
            ChannelKind::Encrypted => return Err(TriggerError::EncryptedChannel),
            ChannelKind::Public | ChannelKind::User => return Err(TriggerError::PublicChannel),
        }
        // Subscribed implies connected: every subscription ends with the connection.
        if !matches!(state.subscription, Subscription::Subscribed) {
            return Err(TriggerError::NotSubscribed);
        }
        let data = json::single_value(data_json).map_err(|_| TriggerError::InvalidData)?;
        if !self.rate.try_acquire(now) {
            return Err(TriggerError::RateLimited);
        }
        self.send(frame::client_event(channel, event, data));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_own_message() {
        let said = |error: TriggerError, words: &str| assert!(error.message().contains(words));
        said(TriggerError::NotClientEvent, "`client-`");
        said(
            TriggerError::UnknownChannel,
            "not subscribed to this channel",
        );
        said(TriggerError::PublicChannel, "private or presence");
        said(TriggerError::EncryptedChannel, "encrypted");
        said(TriggerError::NotSubscribed, "not subscribed yet");
        said(TriggerError::RateLimited, "10 client events");
        said(TriggerError::InvalidData, "JSON value");
    }

    #[test]
    fn sliding_window_allows_ten_per_second() {
        let mut w = RateWindow::default();
        for ms in 0..10 {
            assert!(w.try_acquire(Instant::from_millis(ms * 10)));
        }
        assert!(!w.try_acquire(Instant::from_millis(500)));
        assert!(!w.try_acquire(Instant::from_millis(999)));
        assert!(w.try_acquire(Instant::from_millis(1000)));
        assert!(!w.try_acquire(Instant::from_millis(1005)));
        assert!(w.try_acquire(Instant::from_millis(1010)));
    }
}
