//! Authorization: asking the app's backend (or the app's own authorizer) to sign a
//! channel subscription or a user sign-in for one socket id.

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::Cell;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Response;

use super::js_value::{error_message, stringify, ObjectWriter};
use crate::protocol::json;
use crate::protocol::{AuthData, AuthFailure, AuthRequest, AuthTarget};

#[wasm_bindgen]
extern "C" {
    /// A promise, as far as this module needs one.
    type Promise;
    #[wasm_bindgen(method, js_name = then)]
    fn then_call(this: &Promise, callback: &JsValue) -> Promise;
    #[wasm_bindgen(static_method_of = Promise, js_name = allSettled)]
    fn all_settled(promises: &js_sys::Array) -> Promise;

    // The global `fetch`, present in windows and workers.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn fetch_with_init(url: &str, init: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_after(ms: u32) -> Result<JsValue, JsValue>;
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
                post_form(http, &request.socket_id, channel, self.timeout_ms, reply);
            }
            AuthSource::EchoAuthorizer { factory, options } => {
                let channel_object = ObjectWriter::new()
                    .string("name", channel.unwrap_or_default())
                    .into_js();
                let socket_id = JsValue::from_str(&request.socket_id);
                with_callback(reply, |callback| {
                    let authorizer = factory.call2(&JsValue::NULL, &channel_object, options)?;
                    let authorize: Function =
                        Reflect::get(&authorizer, &JsValue::from_str("authorize"))?.dyn_into()?;
                    authorize.call2(&authorizer, &socket_id, callback)
                });
            }
            AuthSource::Handler(handler) => {
                let mut params = ObjectWriter::new().string("socketId", &request.socket_id);
                if let Some(name) = channel {
                    params = params.string("channelName", name);
                }
                let params = params.into_js();
                with_callback(reply, |callback| {
                    handler.call2(&JsValue::NULL, &params, callback)
                });
            }
        }
    }
}

fn failure(status: Option<u16>, message: String) -> AuthFailure {
    AuthFailure { status, message }
}

/// Runs an app-supplied authorizer that answers through `callback(error, data)`. A
/// throw, an `error` or unusable data is the channel's auth error.
fn with_callback(reply: Reply, start: impl FnOnce(&JsValue) -> Result<JsValue, JsValue>) {
    // Shared by the callback and the synchronous-throw path: whichever comes first
    // answers. The callback frees itself when called; one the app never calls stays
    // with the page, as the app may still hold it.
    let slot = Rc::new(Cell::new(Some(reply)));
    let callback = {
        let slot = Rc::clone(&slot);
        Closure::once_into_js(move |error: JsValue, data: JsValue| {
            answer_once(&slot, read_callback(&error, &data));
        })
    };
    if let Err(thrown) = start(&callback) {
        answer_once(&slot, Err(failure(None, error_message(&thrown))));
    }
}

fn answer_once(slot: &Cell<Option<Reply>>, result: Result<AuthData, AuthFailure>) {
    if let Some(reply) = slot.take() {
        reply(result);
    }
}

/// What an authorizer's `callback(error, data)` said.
fn read_callback(error: &JsValue, data: &JsValue) -> Result<AuthData, AuthFailure> {
    if !(error.is_null() || error.is_undefined()) {
        let status = Reflect::get(error, &JsValue::from_str("status"))
            .ok()
            .and_then(|status| status.as_f64())
            .map(|status| status as u16);
        return Err(failure(status, error_message(error)));
    }
    let text = data
        .as_string()
        .or_else(|| stringify(data))
        .unwrap_or_default();
    AuthData::from_json(&text)
}

/// Calls `then` once `promise` settles, with its value or its rejection reason.
/// `Promise.allSettled` turns both outcomes into one callback, which is therefore
/// always called exactly once and frees itself afterwards.
fn settle(promise: &Promise, then: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    let callback = Closure::once_into_js(move |results: JsValue| {
        let outcome = Reflect::get_u32(&results, 0).unwrap_or_default();
        let field =
            |name: &str| Reflect::get(&outcome, &JsValue::from_str(name)).unwrap_or_default();
        if field("status").as_string().as_deref() == Some("fulfilled") {
            then(Ok(field("value")));
        } else {
            then(Err(field("reason")));
        }
    });
    let _ = Promise::all_settled(&js_sys::Array::of1(promise)).then_call(&callback);
}

/// `POST`s the form to an HTTP endpoint and reads the JSON answer.
fn post_form(
    http: &HttpAuth,
    socket_id: &str,
    channel: Option<&str>,
    timeout_ms: u32,
    reply: Reply,
) {
    let mut body = String::new();
    let mut field = |name: &str, value: &str| {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(&String::from(js_sys::encode_uri_component(name)));
        body.push('=');
        body.push_str(&String::from(js_sys::encode_uri_component(value)));
    };
    field("socket_id", socket_id);
    if let Some(name) = channel {
        field("channel_name", name);
    }
    for (name, value) in &http.params {
        field(name, value);
    }

    let endpoint = http.endpoint.clone();
    let unreachable = |endpoint: &str, thrown: &JsValue| {
        let mut message = String::from("Could not reach the auth endpoint ");
        message.push_str(endpoint);
        message.push_str(": ");
        message.push_str(&error_message(thrown));
        failure(Some(0), message)
    };
    let request = match send(http, body, timeout_ms) {
        Ok(request) => request,
        Err(thrown) => return reply(Err(unreachable(&endpoint, &thrown))),
    };
    settle(&request, move |outcome| {
        let response: Response = match outcome {
            Ok(response) => response.unchecked_into(),
            Err(thrown) => return reply(Err(unreachable(&endpoint, &thrown))),
        };
        let status = response.status();
        let Ok(text) = response.text() else {
            return reply(Err(failure(
                Some(status),
                "the auth response has no body".to_owned(),
            )));
        };
        settle(&text.unchecked_into(), move |text| {
            let text = text
                .ok()
                .and_then(|text| text.as_string())
                .unwrap_or_default();
            reply(read_answer(&endpoint, status, &text));
        });
    });
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

/// Starts the request: the `fetch` promise. The init object, headers included, is
/// written as JSON and parsed once: `fetch` takes plain objects, and that costs far less
/// than a typed setter call per field.
fn send(http: &HttpAuth, body: String, timeout_ms: u32) -> Result<Promise, JsValue> {
    let mut headers = ObjectWriter::new()
        .string("Content-Type", "application/x-www-form-urlencoded")
        .string("Accept", "application/json");
    for (name, value) in &http.headers {
        headers = headers.string(name, value);
    }
    let init = ObjectWriter::new()
        .string("method", "POST")
        .string("credentials", "same-origin")
        .string("body", &body)
        .raw("headers", &headers.into_text())
        .into_js();
    // Browsers without `AbortSignal.timeout` (before 2022) simply get no timeout.
    if let Ok(signal) = abort_after(timeout_ms) {
        Reflect::set(&init, &JsValue::from_str("signal"), &signal)?;
    }
    fetch_with_init(&http.endpoint, &init)
}
