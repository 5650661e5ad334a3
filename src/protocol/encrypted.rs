//! End-to-end encrypted channels (`private-encrypted-`): decrypting events with the
//! channel key, and one re-authorization for a fresh key when decryption fails.

use super::channel::MAX_WAITING_FOR_KEY;
use super::client::Client;
use super::crypto::{self, DecryptError, SharedSecret};
use super::frame::Payload;
use super::output::{AuthTarget, ClientError, Event, Message};
use super::subscriptions::{AuthData, AuthFailure};
use crate::prelude::*;

impl Client {
    /// An event on the encrypted channel at `index`, its data still the `{ciphertext, nonce}` text.
    ///
    /// When the key does not open it (the server rotated its master key, or our key is
    /// stale), the event waits while we ask once for a fresh key. A key that came from
    /// such a re-authorization and still fails is not retried: the event is dropped and
    /// the app told, so a bad sender cannot make us hammer the auth endpoint.
    pub(crate) fn receive_encrypted(&mut self, index: usize, message: Message) {
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        let keyring = &mut channel.keyring;
        if keyring.rekey.is_some() {
            if keyring.waiting.len() < MAX_WAITING_FOR_KEY {
                keyring.waiting.push(message);
            } else {
                self.deliver_opened(index, message, Err(DecryptError::Unauthentic));
            }
            return;
        }
        let opened = open_with(keyring.secret.as_ref(), &message.data);
        if matches!(opened, Err(DecryptError::Unauthentic)) && !keyring.retried {
            keyring.waiting.push(message);
            let target = AuthTarget::Channel(channel.name.clone());
            let request = self.request_auth(target);
            if let Some(channel) = self.channels.at_mut(index) {
                channel.keyring.rekey = request;
            }
            return;
        }
        self.deliver_opened(index, message, opened);
    }

    /// The answer to the re-authorization the channel at `index` waits for: install the
    /// new key and retry the waiting events with it, once.
    pub(crate) fn finish_rekey(&mut self, index: usize, reply: &Result<AuthData, AuthFailure>) {
        let Some(channel) = self.channels.at_mut(index) else {
            return;
        };
        channel.keyring.rekey = None;
        let waiting = core::mem::take(&mut channel.keyring.waiting);
        let secret = reply
            .as_ref()
            .ok()
            .and_then(|data| data.shared_secret.as_deref())
            .and_then(SharedSecret::from_base64);
        if let Some(secret) = secret {
            channel.keyring.secret = Some(secret);
            channel.keyring.retried = true;
        }
        for message in waiting {
            // The key is read anew for each event rather than copied once: nothing
            // changes it meanwhile.
            let key = self
                .channels
                .at(index)
                .and_then(|c| c.keyring.secret.as_ref());
            let opened = open_with(key, &message.data);
            self.deliver_opened(index, message, opened);
        }
    }

    /// Delivers a decrypted event of the channel at `index` (the key works: a later
    /// failure may ask for a fresh one again), or tells the app why it could not be opened.
    /// The one place both paths end, so the wasm holds a single copy of it.
    fn deliver_opened(
        &mut self,
        index: usize,
        mut message: Message,
        opened: Result<String, DecryptError>,
    ) {
        let event = match opened {
            Ok(plain) => {
                if let Some(channel) = self.channels.at_mut(index) {
                    channel.keyring.retried = false;
                }
                message.data = Payload::Text(plain);
                Event::Message(message)
            }
            Err(error) => Event::Error(ClientError::Decryption {
                channel: message.channel.unwrap_or_default(),
                event: message.event,
                error,
            }),
        };
        self.emit(event);
    }
}

/// Opens an event's data with the channel key, if there is one.
fn open_with(secret: Option<&SharedSecret>, data: &Payload) -> Result<String, DecryptError> {
    let raw = match data {
        Payload::Json(text) | Payload::Text(text) => text,
        Payload::Absent => "",
    };
    secret.map_or(Err(DecryptError::Unauthentic), |secret| {
        crypto::open(secret, raw)
    })
}
