//! End-to-end encrypted channels (`private-encrypted-`): decrypting events with the
//! channel key, and one re-authorization for a fresh key when decryption fails.

use super::channel::{ChannelKind, MAX_WAITING_FOR_KEY};
use super::client::{AuthPurpose, Client};
use super::crypto::{self, DecryptError, SharedSecret};
use super::frame::Payload;
use super::output::{AuthRequestId, ClientError, Event, Message};
use super::subscriptions::{AuthData, AuthFailure};

impl Client {
    /// An event on an encrypted channel, `raw` being its `{ciphertext, nonce}` data.
    ///
    /// When the key does not open it (the server rotated its master key, or our key is
    /// stale), the event waits while we ask once for a fresh key. A key that came from
    /// such a re-authorization and still fails is not retried: the event is dropped and
    /// the app told, so a bad sender cannot make us hammer the auth endpoint.
    pub(crate) fn receive_encrypted(
        &mut self,
        name: String,
        event: String,
        raw: String,
        user_id: Option<String>,
    ) {
        let Some(channel) = self.channels.get_mut(&name) else {
            return;
        };
        if channel.keyring.rekey.is_some() {
            if channel.keyring.waiting.len() < MAX_WAITING_FOR_KEY {
                channel.keyring.waiting.push((event, raw, user_id));
            } else {
                self.decryption_failed(name, event, DecryptError::Unauthentic);
            }
            return;
        }
        let result = match &channel.keyring.secret {
            Some(secret) => crypto::open(secret, &raw),
            None => Err(DecryptError::Unauthentic),
        };
        match result {
            Ok(plain) => {
                channel.keyring.retried = false;
                self.deliver_plain(name, event, plain, user_id);
            }
            Err(DecryptError::Unauthentic) if !channel.keyring.retried => {
                channel.keyring.waiting.push((event, raw, user_id));
                let request = self.request_auth(AuthPurpose::Rekey(name.clone()));
                if let Some(channel) = self.channels.get_mut(&name) {
                    channel.keyring.rekey = request;
                }
            }
            Err(error) => self.decryption_failed(name, event, error),
        }
    }

    /// The answer to a re-authorization: install the new key and retry the waiting
    /// events with it, once.
    pub(crate) fn finish_rekey(
        &mut self,
        name: &str,
        id: AuthRequestId,
        reply: Result<AuthData, AuthFailure>,
    ) {
        let Some(channel) = self.channels.get_mut(name) else {
            return;
        };
        if channel.kind != ChannelKind::Encrypted || channel.keyring.rekey != Some(id) {
            return;
        }
        channel.keyring.rekey = None;
        let waiting = core::mem::take(&mut channel.keyring.waiting);
        let secret = reply
            .ok()
            .and_then(|data| data.shared_secret)
            .as_deref()
            .and_then(SharedSecret::from_base64);
        if let Some(secret) = secret {
            channel.keyring.secret = Some(secret);
            channel.keyring.retried = true;
        }
        let key = channel.keyring.secret.clone();
        for (event, raw, user_id) in waiting {
            let result = match &key {
                Some(secret) => crypto::open(secret, &raw),
                None => Err(DecryptError::Unauthentic),
            };
            match result {
                Ok(plain) => {
                    if let Some(channel) = self.channels.get_mut(name) {
                        channel.keyring.retried = false;
                    }
                    self.deliver_plain(name.to_owned(), event, plain, user_id);
                }
                Err(error) => self.decryption_failed(name.to_owned(), event, error),
            }
        }
    }

    fn deliver_plain(
        &mut self,
        channel: String,
        event: String,
        plain: String,
        user_id: Option<String>,
    ) {
        self.emit(Event::Message(Message {
            channel: Some(channel),
            event,
            data: Payload::Text(plain),
            user_id,
        }));
    }

    fn decryption_failed(&mut self, channel: String, event: String, error: DecryptError) {
        self.emit(Event::Error(ClientError::Decryption {
            channel,
            event,
            error,
        }));
    }
}
