//! Authorization: asking the app's backend (or the app's own authorizer) to sign a
//! channel subscription or a user sign-in for one socket id.

use crate::prelude::*;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

use super::js_value::{error_message, stringify, ObjectWriter};
use super::Callback;
use crate::protocol::json;
use crate::protocol::{AuthData, AuthFailure, AuthRequest, AuthTarget};

#[wasm_bindgen(module = "/src/web/shell.js")]
extern "C" {
    /// `fetch` → `text()`, answering `back(status, text)` once (see `shell.js`): one
    /// import instead of one per promise step, each with its own callback.
    fn post(url: &str, init: &str, timeout_ms: u32, back: JsValue);
    /// Calls an app authorizer, answering `back(kind, value)` (see `shell.js`).
    fn ask(
        authorizer: &Function,
        params: &JsValue,
        options: &JsValue,
        socket_id: &JsValue,
        back: JsValue,
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

/// Receives the outcome of one authorization, exactly once.
pub type Reply = Box<dyn FnOnce(Result<AuthData, AuthFailure>)>;

impl AuthConfig {
    /// Obtains the authorization `request` asks for and hands it to `reply` — later,
    /// or at once when the app's authorizer answers synchronously or throws.
    pub fn authorize(&self, request: &AuthRequest, reply: Reply) {
        let (source, channel) = match &request.target {
            AuthTarget::Channel(name) => (&self.channel, Some(name.as_str())),
            AuthTarget::User => (&self.user, None),
        };
        match source {
            AuthSource::Http(http) => {
                let init = form(http, &request.socket_id, channel);
                let back = answer(http.endpoint.clone(), reply);
                post(&http.endpoint, &init, self.timeout_ms, back);
            }
            AuthSource::EchoAuthorizer { factory, options } => {
                let channel_object = ObjectWriter::new()
                    .string("name", channel.unwrap_or_default())
                    .into_js();
                let socket_id = JsValue::from_str(&request.socket_id);
                let back = answer(String::new(), reply);
                ask(factory, &channel_object, options, &socket_id, back);
            }
            AuthSource::Handler(handler) => {
                let mut params = ObjectWriter::new().string("socketId", &request.socket_id);
                if let Some(name) = channel {
                    params = params.string("channelName", name);
                }
                let back = answer(String::new(), reply);
                ask(
                    handler,
                    &params.into_js(),
                    &JsValue::UNDEFINED,
                    &JsValue::UNDEFINED,
                    back,
                );
            }
        }
    }
}

fn failure(status: Option<u16>, message: String) -> AuthFailure {
    AuthFailure { status, message }
}

/// The callback for one authorization, `back(kind, value)`, which answers `reply` the
/// first time it is called. An app's authorizer may call its callback late, twice, or
/// never, and keep it: so the JS function owns the closure (wasm-bindgen frees it once
/// the function is garbage-collected) instead of Rust, which could only guess when to.
fn answer(endpoint: String, reply: Reply) -> JsValue {
    let mut reply = Some(reply);
    Callback::wrap(Box::new(move |kind: f64, value: JsValue| {
        if let Some(reply) = reply.take() {
            reply(read(&endpoint, kind, &value));
        }
    }))
    .into_js_value()
}

/// What `back(kind, value)` said: an HTTP status (`0`: the endpoint was not reached)
/// and the body, or what an app's authorizer did (see `shell.js`).
fn read(endpoint: &str, kind: f64, value: &JsValue) -> Result<AuthData, AuthFailure> {
    match kind as i32 {
        // `callback(error)`.
        -1 => {
            let status = Reflect::get(value, &JsValue::from_str("status"))
                .ok()
                .and_then(|status| status.as_f64())
                .map(|status| status as u16);
            Err(failure(status, error_message(value)))
        }
        // `callback(null, data)`.
        -2 => {
            let text = value
                .as_string()
                .or_else(|| stringify(value))
                .unwrap_or_default();
            AuthData::from_json(&text)
        }
        // The authorizer threw.
        -3 => Err(failure(None, error_message(value))),
        0 => {
            let mut message = String::from("Could not reach the auth endpoint ");
            message.push_str(endpoint);
            message.push_str(": ");
            message.push_str(&error_message(value));
            Err(failure(Some(0), message))
        }
        status => read_answer(
            endpoint,
            status as u16,
            &value.as_string().unwrap_or_default(),
        ),
    }
}

/// Reads an auth endpoint's answer, with pusher-js's wording for what went wrong.
fn read_answer(endpoint: &str, status: u16, text: &str) -> Result<AuthData, AuthFailure> {
    if status != 200 {
        let mut message =
            String::from("Unable to retrieve auth string from auth endpoint - received status: ");
        json::write_u64(&mut message, status.into());
        message.push_str(" from ");
        message.push_str(endpoint);
        return Err(failure(Some(status), message));
    }
    AuthData::from_json(text).map_err(|invalid| {
        let mut message = String::from("JSON returned from auth endpoint was invalid (");
        message.push_str(&invalid.message);
        message.push_str("), yet status code was 200");
        failure(Some(200), message)
    })
}

/// The request for `shell.js`'s `post`, as JSON: `fetch`'s init object with the form
/// fields as `[name, value]` pairs. One string across the boundary costs far less than
/// a call per field or header.
fn form(http: &HttpAuth, socket_id: &str, channel: Option<&str>) -> String {
    let mut body = String::from("[");
    let mut field = |name: &str, value: &str| {
        if body.len() > 1 {
            body.push(',');
        }
        body.push('[');
        json::write_string(&mut body, name);
        body.push(',');
        json::write_string(&mut body, value);
        body.push(']');
    };
    field("socket_id", socket_id);
    if let Some(name) = channel {
        field("channel_name", name);
    }
    for (name, value) in &http.params {
        field(name, value);
    }
    body.push(']');

    let mut headers = ObjectWriter::new()
        .string("Content-Type", "application/x-www-form-urlencoded")
        .string("Accept", "application/json");
    for (name, value) in &http.headers {
        headers = headers.string(name, value);
    }
    ObjectWriter::new()
        .string("method", "POST")
        .string("credentials", "same-origin")
        .raw("body", &body)
        .raw("headers", &headers.into_text())
        .into_text()
}
