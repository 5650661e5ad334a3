//! Reading the options object the app passes to the constructor.
//!
//! Option names are pusher-js's and laravel-echo's. Values are read one by one with
//! `Reflect.get`, so an options object that also carries things we do not read (a
//! `Pusher` class, a `client` instance, Vue-reactive wrappers) is fine. A value of the
//! wrong type is an error naming the option, never silently ignored.

use crate::prelude::*;
use core::time::Duration;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::json;
use crate::protocol::{Config, ConfigError, Endpoint, EndpointOptions};
use crate::web::{random_seed, AuthConfig, AuthSource, HttpAuth};

/// Laravel's default channel authorization route.
pub const DEFAULT_AUTH_ENDPOINT: &str = "/broadcasting/auth";
/// Laravel's default user authentication route.
pub const DEFAULT_USER_AUTH_ENDPOINT: &str = "/broadcasting/user-auth";
/// How long an auth request may take, unless `authTimeout` says otherwise.
pub const DEFAULT_AUTH_TIMEOUT_MS: u32 = 10_000;

/// Everything the options say.
pub struct Options {
    /// The core's configuration.
    pub config: Config,
    /// How authorizations are obtained.
    pub auth: AuthConfig,
}

fn invalid(option: &'static str, problem: &'static str) -> ConfigError {
    ConfigError { option, problem }
}

/// One object of options (the top level, `auth`, `backoff`, …).
struct Reader {
    object: JsValue,
}

impl Reader {
    /// `object[key]`, with `null` counting as absent.
    fn get(&self, key: &str) -> Option<JsValue> {
        let value = Reflect::get(&self.object, &JsValue::from_str(key)).ok()?;
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn object(&self, key: &'static str) -> Result<Option<Reader>, ConfigError> {
        match self.get(key) {
            Some(value) if value.is_object() => Ok(Some(Reader { object: value })),
            Some(_) => Err(invalid(key, "must be an object")),
            None => Ok(None),
        }
    }

    fn string(&self, key: &str, option: &'static str) -> Result<Option<String>, ConfigError> {
        self.get(key)
            .map(|value| value.as_string().ok_or(invalid(option, "must be a string")))
            .transpose()
    }

    fn boolean(&self, key: &str, option: &'static str) -> Result<Option<bool>, ConfigError> {
        self.get(key)
            .map(|value| {
                value
                    .as_bool()
                    .ok_or(invalid(option, "must be true or false"))
            })
            .transpose()
    }

    /// A number, or a string holding one (ports and timeouts often come straight from
    /// `import.meta.env`, where everything is a string).
    fn number(&self, key: &str, option: &'static str) -> Result<Option<f64>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let number = match value.as_string() {
            Some(text) => json::parse_u64(text.trim()).map(|n| n as f64),
            None => value.as_f64(),
        };
        match number {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => Err(invalid(option, "must be a number, zero or more")),
        }
    }

    fn millis(&self, key: &str, option: &'static str) -> Result<Option<Duration>, ConfigError> {
        Ok(self
            .number(key, option)?
            .map(|ms| Duration::from_millis(ms as u64)))
    }

    fn port(&self, key: &str, option: &'static str) -> Result<Option<u16>, ConfigError> {
        let bad = invalid(option, "must be a whole number between 1 and 65535");
        match self.number(key, option).map_err(|_| bad)? {
            Some(n) if (1.0..=65535.0).contains(&n) && n == (n as u16) as f64 => Ok(Some(n as u16)),
            Some(_) => Err(bad),
            None => Ok(None),
        }
    }

    fn function(&self, key: &str, option: &'static str) -> Result<Option<Function>, ConfigError> {
        self.get(key)
            .map(|value| {
                value
                    .dyn_into()
                    .map_err(|_| invalid(option, "must be a function"))
            })
            .transpose()
    }

    /// `{name: value}` with string, number or boolean values (headers, form params).
    fn pairs(&self, key: &str, option: &'static str) -> Result<Vec<(String, String)>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        let bad = || invalid(option, "must be an object of strings");
        let text = crate::web::stringify(&value).ok_or_else(bad)?;
        let mut pairs = Vec::new();
        for entry in json::entries(&text).map_err(|_| bad())? {
            let (name, raw) = entry.map_err(|_| bad())?;
            let value = match json::kind(raw) {
                Some(json::Kind::String) => json::parse_string(raw).ok_or_else(bad)?.into_owned(),
                Some(json::Kind::Number | json::Kind::Bool) => raw.to_owned(),
                _ => return Err(bad()),
            };
            pairs.push((name.into_owned(), value));
        }
        Ok(pairs)
    }
}

/// Reads and validates the constructor's options.
pub fn parse(options: &JsValue) -> Result<Options, ConfigError> {
    if !options.is_object() {
        return Err(invalid("options", "must be an object with at least `key`"));
    }
    let top = Reader {
        object: options.clone(),
    };
    let endpoint = Endpoint::new(&EndpointOptions {
        key: top.string("key", "key")?.unwrap_or_default(),
        cluster: top.string("cluster", "cluster")?,
        ws_host: top.string("wsHost", "wsHost")?,
        ws_port: top.port("wsPort", "wsPort")?,
        wss_port: top.port("wssPort", "wssPort")?,
        ws_path: top.string("wsPath", "wsPath")?,
        force_tls: top.boolean("forceTLS", "forceTLS")?,
        page_is_https: page_is_https(),
    })?;

    let mut config = Config::new(endpoint);
    config.jitter_seed = random_seed();
    let timings = [
        ("activityTimeout", &mut config.activity_timeout),
        ("pongTimeout", &mut config.pong_timeout),
        ("unavailableTimeout", &mut config.unavailable_timeout),
        ("handshakeTimeout", &mut config.handshake_timeout),
    ];
    for (option, slot) in timings {
        if let Some(value) = top.millis(option, option)? {
            *slot = value;
        }
    }
    match top.get("pauseWhenHidden") {
        None => {}
        Some(value) if value.as_bool() == Some(false) => config.pause_when_hidden = None,
        Some(value) if value.as_bool() == Some(true) => {}
        Some(_) => config.pause_when_hidden = top.millis("pauseWhenHidden", "pauseWhenHidden")?,
    }
    if let Some(backoff) = top.object("backoff")? {
        let policy = &mut config.backoff;
        let fields = [
            ("base", "backoff.base", &mut policy.base),
            ("cap", "backoff.cap", &mut policy.cap),
            (
                "stableAfter",
                "backoff.stableAfter",
                &mut policy.stable_after,
            ),
        ];
        for (key, option, slot) in fields {
            if let Some(value) = backoff.millis(key, option)? {
                *slot = value;
            }
        }
    }
    config.validate()?;

    let timeout_ms = top
        .number("authTimeout", "authTimeout")?
        .map_or(DEFAULT_AUTH_TIMEOUT_MS, |ms| ms.min(u32::MAX as f64) as u32);
    let auth = AuthConfig {
        channel: channel_auth(&top, options)?,
        user: user_auth(&top)?,
        timeout_ms,
    };
    Ok(Options { config, auth })
}

/// Channel authorization: laravel-echo's `authorizer`, pusher-js's
/// `channelAuthorization.customHandler`, or the HTTP endpoint (`authEndpoint` with
/// `auth.headers` / `auth.params`, or pusher-js's `channelAuthorization`).
fn channel_auth(top: &Reader, options: &JsValue) -> Result<AuthSource, ConfigError> {
    if let Some(factory) = top.function("authorizer", "authorizer")? {
        return Ok(AuthSource::EchoAuthorizer {
            factory,
            options: options.clone(),
        });
    }
    let pusher_form = top.object("channelAuthorization")?;
    if let Some(form) = &pusher_form {
        if let Some(handler) =
            form.function("customHandler", "channelAuthorization.customHandler")?
        {
            return Ok(AuthSource::Handler(handler));
        }
    }
    let mut http = HttpAuth {
        endpoint: top
            .string("authEndpoint", "authEndpoint")?
            .unwrap_or_else(|| DEFAULT_AUTH_ENDPOINT.to_owned()),
        headers: Vec::new(),
        params: Vec::new(),
    };
    if let Some(auth) = top.object("auth")? {
        http.headers = auth.pairs("headers", "auth.headers")?;
        http.params = auth.pairs("params", "auth.params")?;
    }
    if let Some(form) = pusher_form {
        if let Some(endpoint) = form.string("endpoint", "channelAuthorization.endpoint")? {
            http.endpoint = endpoint;
        }
        http.headers
            .extend(form.pairs("headers", "channelAuthorization.headers")?);
        http.params
            .extend(form.pairs("params", "channelAuthorization.params")?);
    }
    Ok(AuthSource::Http(http))
}

/// User authentication for `signIn()`: pusher-js's `userAuthentication`.
fn user_auth(top: &Reader) -> Result<AuthSource, ConfigError> {
    let Some(form) = top.object("userAuthentication")? else {
        return Ok(AuthSource::Http(HttpAuth {
            endpoint: DEFAULT_USER_AUTH_ENDPOINT.to_owned(),
            headers: Vec::new(),
            params: Vec::new(),
        }));
    };
    if let Some(handler) = form.function("customHandler", "userAuthentication.customHandler")? {
        return Ok(AuthSource::Handler(handler));
    }
    Ok(AuthSource::Http(HttpAuth {
        endpoint: form
            .string("endpoint", "userAuthentication.endpoint")?
            .unwrap_or_else(|| DEFAULT_USER_AUTH_ENDPOINT.to_owned()),
        headers: form.pairs("headers", "userAuthentication.headers")?,
        params: form.pairs("params", "userAuthentication.params")?,
    }))
}

/// Whether the page was served over https (then only `wss://` is allowed).
fn page_is_https() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("location"))
        .and_then(|location| Reflect::get(&location, &JsValue::from_str("protocol")))
        .ok()
        .and_then(|protocol| protocol.as_string())
        .is_some_and(|protocol| protocol == "https:")
}
