//! Authorization: asking the app's backend (or the app's own authorizer) to sign a
//! channel subscription or a user sign-in for one socket id.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestCredentials, RequestInit, Response};

use super::js_value::{error_message, stringify, ObjectWriter};
use crate::protocol::json;
use crate::protocol::{AuthData, AuthFailure, AuthRequest, AuthTarget};

#[wasm_bindgen]
extern "C" {
    // The global `fetch`, present in windows and workers.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(url: &str, init: &RequestInit) -> Promise;
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
    /// Obtains the authorization `request` asks for.
    pub async fn authorize(&self, request: &AuthRequest) -> Result<AuthData, AuthFailure> {
        let (source, channel) = match &request.target {
            AuthTarget::Channel(name) => (&self.channel, Some(name.as_str())),
            AuthTarget::User => (&self.user, None),
        };
        match source {
            AuthSource::Http(http) => {
                post_form(http, &request.socket_id, channel, self.timeout_ms).await
            }
            AuthSource::EchoAuthorizer { factory, options } => {
                let channel_object = ObjectWriter::new()
                    .string("name", channel.unwrap_or_default())
                    .into_js();
                let socket_id = JsValue::from_str(&request.socket_id);
                with_callback(|callback| {
                    let authorizer = factory.call2(&JsValue::NULL, &channel_object, options)?;
                    let authorize: Function =
                        Reflect::get(&authorizer, &JsValue::from_str("authorize"))?.dyn_into()?;
                    authorize.call2(&authorizer, &socket_id, callback)
                })
                .await
            }
            AuthSource::Handler(handler) => {
                let mut params = ObjectWriter::new().string("socketId", &request.socket_id);
                if let Some(name) = channel {
                    params = params.string("channelName", name);
                }
                let params = params.into_js();
                with_callback(|callback| handler.call2(&JsValue::NULL, &params, callback)).await
            }
        }
    }
}

fn failure(status: Option<u16>, message: String) -> AuthFailure {
    AuthFailure { status, message }
}

/// Runs an app-supplied authorizer that answers through `callback(error, data)`, and
/// reads its answer. A throw, an `error` or unusable data is the channel's auth error.
async fn with_callback(
    start: impl FnOnce(&JsValue) -> Result<JsValue, JsValue>,
) -> Result<AuthData, AuthFailure> {
    let mut start = Some(start);
    let mut started = Ok(JsValue::UNDEFINED);
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let callback = Closure::once_into_js(move |error: JsValue, data: JsValue| {
            let _ = if error.is_null() || error.is_undefined() {
                resolve.call1(&JsValue::NULL, &data)
            } else {
                reject.call1(&JsValue::NULL, &error)
            };
        });
        if let Some(start) = start.take() {
            started = start(&callback);
        }
    });
    started.map_err(|thrown| failure(None, error_message(&thrown)))?;
    match JsFuture::from(promise).await {
        Ok(data) => {
            let text = data
                .as_string()
                .or_else(|| stringify(&data))
                .unwrap_or_default();
            AuthData::from_json(&text)
        }
        Err(error) => {
            let status = Reflect::get(&error, &JsValue::from_str("status"))
                .ok()
                .and_then(|status| status.as_f64())
                .map(|status| status as u16);
            Err(failure(status, error_message(&error)))
        }
    }
}

/// `POST`s the form to an HTTP endpoint and reads the JSON answer.
async fn post_form(
    http: &HttpAuth,
    socket_id: &str,
    channel: Option<&str>,
    timeout_ms: u32,
) -> Result<AuthData, AuthFailure> {
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

    let response = send(http, body, timeout_ms).await.map_err(|thrown| {
        let mut message = String::from("Could not reach the auth endpoint ");
        message.push_str(&http.endpoint);
        message.push_str(": ");
        message.push_str(&error_message(&thrown));
        failure(Some(0), message)
    })?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    if status != 200 {
        let mut message =
            String::from("Unable to retrieve auth string from auth endpoint - received status: ");
        json::write_u64(&mut message, status.into());
        message.push_str(" from ");
        message.push_str(&http.endpoint);
        return Err(failure(Some(status), message));
    }
    AuthData::from_json(&text).map_err(|invalid| {
        let mut message = String::from("JSON returned from auth endpoint was invalid (");
        message.push_str(&invalid.message);
        message.push_str("), yet status code was 200");
        failure(Some(200), message)
    })
}

async fn send(http: &HttpAuth, body: String, timeout_ms: u32) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    headers.set("Content-Type", "application/x-www-form-urlencoded")?;
    headers.set("Accept", "application/json")?;
    for (name, value) in &http.headers {
        headers.set(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from(body));
    init.set_credentials(RequestCredentials::SameOrigin);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(timeout_ms)));
    Ok(JsFuture::from(fetch_with_init(&http.endpoint, &init))
        .await?
        .unchecked_into())
}
