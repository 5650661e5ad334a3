//! Authorization: asking the app's backend (or the app's own authorizer) to sign a
//! channel subscription or a user sign-in for one socket id.

use crate::prelude::*;

use super::js_value::Function;
use wasm_bindgen::prelude::*;

use super::js_value::stringify;
use crate::protocol::json;
use crate::protocol::{AuthData, AuthFailure, AuthRequest, AuthTarget};

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// The whole HTTP request and its pusher-js error messages, answering
    /// `back(source::AUTH, id, code, value)` once (see `shell.js`, and [`read`]): one
    /// import instead of one per step of `fetch` → `text()`, each with a callback of
    /// its own.
    fn post(url: &str, request: &str, timeout_ms: u32, back: &JsValue, id: u32);
    /// Calls an app authorizer, answering `back(source::AUTH, id, code, value)` once
    /// (see `shell.js`).
    fn ask(
        authorizer: &Function,
        options: &JsValue,
        socket_id: &str,
        channel: Option<&str>,
        back: &JsValue,
        id: u32,
    );
}

/// An HTTP auth endpoint, called the way pusher-js and Laravel expect: `POST`, form
/// encoded `socket_id`, `channel_name` and the extra params, with the app's headers,
/// cookies sent to the same origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAuth {
    /// The URL, relative to the page or absolute.
    pub endpoint: String,
    /// Extra request headers (`X-CSRF-TOKEN`, `Authorization`, …).
    pub headers: Vec<(String, String)>,
    /// Extra form fields.
    pub params: Vec<(String, String)>,
}

/// Where authorizations come from.
#[derive(Debug, Clone)]
pub enum AuthSource {
    /// An HTTP endpoint.
    Http(HttpAuth),
    /// laravel-echo's `authorizer(channel, options)`, returning
    /// `{ authorize(socketId, callback(error, data)) }`. Called with `{name}` and the
    /// options object given here.
    EchoAuthorizer {
        /// The factory.
        factory: Function,
        /// Its second argument.
        options: JsValue,
    },
    /// pusher-js's `customHandler({socketId, channelName}, callback(error, data))`.
    Handler(Function),
}

/// How channel authorizations and user sign-ins are obtained.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// For private, presence and encrypted channels.
    pub channel: AuthSource,
    /// For `pusher:signin`.
    pub user: AuthSource,
    /// How long an HTTP request may take before it counts as failed.
    pub timeout_ms: u32,
}

impl AuthConfig {
    /// Obtains the authorization `request` asks for; the answer goes to the client's
    /// callback `back` — later, or at once when the app's authorizer answers
    /// synchronously or throws.
    pub fn authorize(&self, request: &AuthRequest, back: &JsValue) {
        let (source, channel) = match &request.target {
            AuthTarget::Channel(name) => (&self.channel, Some(name.as_str())),
            AuthTarget::User => (&self.user, None),
        };
        let id = request.id.0;
        let socket_id = &request.socket_id;
        let (authorizer, options) = match source {
            AuthSource::Http(http) => {
                let request = form(http, socket_id, channel);
                return post(&http.endpoint, &request, self.timeout_ms, back, id);
            }
            AuthSource::EchoAuthorizer { factory, options } => (factory, options),
            AuthSource::Handler(handler) => (handler, &JsValue::UNDEFINED),
        };
        ask(authorizer, options, socket_id, channel, back, id);
    }
}

/// What an authorization's answer `(code, value)` said (see `shell.js`): `-2` an app
/// authorizer's data, `-3` an endpoint's 200 answer, otherwise a failure's message with
/// its status (`-1`: none).
pub fn read(code: i32, value: &JsValue) -> Result<AuthData, AuthFailure> {
    let text = value
        .as_string()
        .or_else(|| stringify(value))
        .unwrap_or_default();
    let status = match code {
        -2 => return AuthData::from_json(&text),
        -3 => {
            return AuthData::from_json(&text).map_err(|invalid| {
                // pusher-js's wording.
                let mut message = String::from("JSON returned from auth endpoint was invalid (");
                message.push_str(&invalid.message);
                message.push_str("), yet status code was 200");
                AuthFailure {
                    status: Some(200),
                    message,
                }
            });
        }
        -1 => None,
        _ => Some(code as u16),
    };
    Err(AuthFailure {
        status,
        message: text,
    })
}

/// The request for `shell.js`'s `post`: `[headers, fields]` as JSON, both lists of
/// `[name, value]` pairs. One string across the boundary costs far less than a call per
/// field or header.
fn form(http: &HttpAuth, socket_id: &str, channel: Option<&str>) -> String {
    let mut out = String::from("[[");
    for (name, value) in &http.headers {
        pair(&mut out, name, value);
    }
    out.push_str("],[");
    pair(&mut out, "socket_id", socket_id);
    if let Some(name) = channel {
        pair(&mut out, "channel_name", name);
    }
    for (name, value) in &http.params {
        pair(&mut out, name, value);
    }
    out.push_str("]]");
    out
}

/// `[name, value]`, after a comma unless it opens its list.
fn pair(out: &mut String, name: &str, value: &str) {
    if !out.ends_with('[') {
        out.push(',');
    }
    out.push('[');
    json::write_string(out, name);
    out.push(',');
    json::write_string(out, value);
    out.push(']');
}
