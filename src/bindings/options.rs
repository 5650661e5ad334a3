//! Reading the options object the app passes to the constructor.
//!
//! Option names are pusher-js's and laravel-echo's. The object must be plain data, apart
//! from the functions among the options (`authorizer`, `customHandler`) and any other
//! function-valued key (a `Pusher` class), which are skipped: the laravel-echo wrapper
//! passes only what this layer reads. A value of the wrong type is an error naming the
//! option, never silently ignored.

use crate::prelude::*;
use core::time::Duration;

use crate::web::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::json::{self, Kind};
use crate::protocol::{Config, ConfigError, Endpoint, EndpointOptions};
use crate::web::{random_seed, stringify, AuthConfig, AuthSource, HttpAuth};

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

/// One object of options (the top level, `auth`, `backoff`, …): its data as JSON text,
/// read with the core's JSON scanner, and the object itself for the few options that
/// are functions (which JSON leaves out).
struct Reader {
    object: JsValue,
    json: String,
}

impl Reader {
    /// `JSON.stringify` once, instead of a typed JS accessor per option: far fewer bytes.
    fn new(object: JsValue, option: &'static str) -> Result<Reader, ConfigError> {
        let json = stringify(&object)
            .filter(|json| json::kind(json) == Some(Kind::Object))
            .ok_or(invalid(
                option,
                "must be an object of plain data (and functions)",
            ))?;
        Ok(Reader { object, json })
    }

    /// The member's JSON text, with `null` counting as absent.
    fn get(&self, key: &str) -> Option<&str> {
        json::get(&self.json, key).filter(|raw| *raw != "null")
    }

    fn object(&self, key: &'static str) -> Result<Option<Reader>, ConfigError> {
        if self.get(key).is_none() {
            return Ok(None);
        }
        let value = Reflect::get(&self.object, &JsValue::from_str(key)).unwrap_or_default();
        Reader::new(value, key).map(Some)
    }

    fn string(&self, key: &str, option: &'static str) -> Result<Option<String>, ConfigError> {
        self.get(key)
            .map(|raw| text(raw).ok_or(invalid(option, "must be a string")))
            .transpose()
    }

    fn boolean(&self, key: &str, option: &'static str) -> Result<Option<bool>, ConfigError> {
        self.get(key)
            .map(|raw| match raw {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(invalid(option, "must be true or false")),
            })
            .transpose()
    }

    /// A whole number, or a string holding one (ports and timeouts often come straight
    /// from `import.meta.env`, where everything is a string).
    fn number(&self, key: &str, option: &'static str) -> Result<Option<u64>, ConfigError> {
        let Some(raw) = self.get(key) else {
            return Ok(None);
        };
        let digits = match json::kind(raw) {
            Some(Kind::String) => text(raw),
            Some(Kind::Number) => Some(raw.to_owned()),
            _ => None,
        };
        digits
            .filter(|digits| !digits.contains('.'))
            .and_then(|digits| json::parse_u64(&digits))
            .map(Some)
            .ok_or(invalid(option, "must be a whole number, zero or more"))
    }

    fn millis(&self, key: &str, option: &'static str) -> Result<Option<Duration>, ConfigError> {
        Ok(self.number(key, option)?.map(Duration::from_millis))
    }

    fn port(&self, key: &str, option: &'static str) -> Result<Option<u16>, ConfigError> {
        let bad = invalid(option, "must be a whole number between 1 and 65535");
        match self.number(key, option).map_err(|_| bad)? {
            Some(n) => u16::try_from(n)
                .ok()
                .filter(|&n| n > 0)
                .map(Some)
                .ok_or(bad),
            None => Ok(None),
        }
    }

    fn function(&self, key: &str, option: &'static str) -> Result<Option<Function>, ConfigError> {
        let value = Reflect::get(&self.object, &JsValue::from_str(key)).unwrap_or_default();
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        value
            .dyn_into()
            .map(Some)
            .map_err(|_| invalid(option, "must be a function"))
    }

    /// `{name: value}` with string, number or boolean values (headers, form params).
    fn pairs(&self, key: &str, option: &'static str) -> Result<Vec<(String, String)>, ConfigError> {
        let Some(raw) = self.get(key) else {
            return Ok(Vec::new());
        };
        let bad = || invalid(option, "must be an object of strings");
        let mut pairs = Vec::new();
        for entry in json::entries(raw).map_err(|_| bad())? {
            let (name, raw) = entry.map_err(|_| bad())?;
            let value = match json::kind(raw) {
                Some(Kind::String) => text(raw).ok_or_else(bad)?,
                Some(Kind::Number | Kind::Bool) => raw.to_owned(),
                _ => return Err(bad()),
            };
            pairs.push((name.into_owned(), value));
        }
        Ok(pairs)
    }
}

/// The content of a JSON string.
fn text(raw: &str) -> Option<String> {
    match json::kind(raw) {
        Some(Kind::String) => json::parse_string(raw).map(|s| s.into_owned()),
        _ => None,
    }
}

/// Reads and validates the constructor's options.
pub fn parse(options: &JsValue) -> Result<Options, ConfigError> {
    if !options.is_object() {
        return Err(invalid("options", "must be an object with at least `key`"));
    }
    let top = Reader::new(options.clone(), "options")?;
    let mut endpoint = EndpointOptions::new(top.string("key", "key")?.unwrap_or_default());
    // Options of one type are read in a loop over their slots: one call site each
    // instead of one per option.
    for (option, slot) in [
        ("cluster", &mut endpoint.cluster),
        ("wsHost", &mut endpoint.ws_host),
        ("wsPath", &mut endpoint.ws_path),
    ] {
        *slot = top.string(option, option)?;
    }
    for (option, slot) in [
        ("wsPort", &mut endpoint.ws_port),
        ("wssPort", &mut endpoint.wss_port),
    ] {
        *slot = top.port(option, option)?;
    }
    endpoint.force_tls = top.boolean("forceTLS", "forceTLS")?;
    endpoint.page_is_https = page_is_https();

    let mut config = Config::new(Endpoint::new(&endpoint)?);
    config.jitter_seed = random_seed();
    let backoff = top.object("backoff")?;
    let policy = &mut config.backoff;
    for (reader, key, option, slot) in [
        (
            Some(&top),
            "activityTimeout",
            "activityTimeout",
            &mut config.activity_timeout,
        ),
        (
            Some(&top),
            "pongTimeout",
            "pongTimeout",
            &mut config.pong_timeout,
        ),
        (
            Some(&top),
            "unavailableTimeout",
            "unavailableTimeout",
            &mut config.unavailable_timeout,
        ),
        (
            Some(&top),
            "handshakeTimeout",
            "handshakeTimeout",
            &mut config.handshake_timeout,
        ),
        (backoff.as_ref(), "base", "backoff.base", &mut policy.base),
        (backoff.as_ref(), "cap", "backoff.cap", &mut policy.cap),
        (
            backoff.as_ref(),
            "stableAfter",
            "backoff.stableAfter",
            &mut policy.stable_after,
        ),
    ] {
        if let Some(value) = reader.map(|r| r.millis(key, option)).transpose()?.flatten() {
            *slot = value;
        }
    }
    match top.get("pauseWhenHidden") {
        None | Some("true") => {}
        Some("false") => config.pause_when_hidden = None,
        Some(_) => config.pause_when_hidden = top.millis("pauseWhenHidden", "pauseWhenHidden")?,
    }
    config.validate()?;

    let timeout_ms = top
        .number("authTimeout", "authTimeout")?
        .map_or(DEFAULT_AUTH_TIMEOUT_MS, |ms| {
            u32::try_from(ms).unwrap_or(u32::MAX)
        });
    let auth = AuthConfig {
        channel: channel_auth(&top, options)?,
        user: user_auth(&top)?,
        timeout_ms,
    };
    Ok(Options { config, auth })
}

/// The option names of one place `{endpoint, headers, params, customHandler}` can be
/// given, for error messages.
struct FormNames {
    form: &'static str,
    endpoint: &'static str,
    headers: &'static str,
    params: &'static str,
    handler: &'static str,
}

/// Reads `{endpoint, headers, params}` into `http`: laravel-echo's `auth`, pusher-js's
/// `channelAuthorization` and `userAuthentication`. Returns the form's `customHandler`.
fn read_form(
    top: &Reader,
    names: &FormNames,
    http: &mut HttpAuth,
) -> Result<Option<Function>, ConfigError> {
    let Some(form) = top.object(names.form)? else {
        return Ok(None);
    };
    if let Some(endpoint) = form.string("endpoint", names.endpoint)? {
        http.endpoint = endpoint;
    }
    http.headers.extend(form.pairs("headers", names.headers)?);
    http.params.extend(form.pairs("params", names.params)?);
    form.function("customHandler", names.handler)
}

fn http(endpoint: &str) -> HttpAuth {
    HttpAuth {
        endpoint: endpoint.to_owned(),
        headers: Vec::new(),
        params: Vec::new(),
    }
}

/// Channel authorization: laravel-echo's `authorizer`, pusher-js's
/// `channelAuthorization.customHandler`, or the HTTP endpoint (`authEndpoint` with
/// `auth.headers` / `auth.params`, and pusher-js's `channelAuthorization`).
fn channel_auth(top: &Reader, options: &JsValue) -> Result<AuthSource, ConfigError> {
    if let Some(factory) = top.function("authorizer", "authorizer")? {
        return Ok(AuthSource::EchoAuthorizer {
            factory,
            options: options.clone(),
        });
    }
    let mut http = http(DEFAULT_AUTH_ENDPOINT);
    if let Some(endpoint) = top.string("authEndpoint", "authEndpoint")? {
        http.endpoint = endpoint;
    }
    let echo_form = FormNames {
        form: "auth",
        endpoint: "auth.endpoint",
        headers: "auth.headers",
        params: "auth.params",
        handler: "auth.customHandler",
    };
    let pusher_form = FormNames {
        form: "channelAuthorization",
        endpoint: "channelAuthorization.endpoint",
        headers: "channelAuthorization.headers",
        params: "channelAuthorization.params",
        handler: "channelAuthorization.customHandler",
    };
    read_form(top, &echo_form, &mut http)?;
    Ok(match read_form(top, &pusher_form, &mut http)? {
        Some(handler) => AuthSource::Handler(handler),
        None => AuthSource::Http(http),
    })
}

/// User authentication for `signIn()`: pusher-js's `userAuthentication`.
fn user_auth(top: &Reader) -> Result<AuthSource, ConfigError> {
    let mut http = http(DEFAULT_USER_AUTH_ENDPOINT);
    let names = FormNames {
        form: "userAuthentication",
        endpoint: "userAuthentication.endpoint",
        headers: "userAuthentication.headers",
        params: "userAuthentication.params",
        handler: "userAuthentication.customHandler",
    };
    Ok(match read_form(top, &names, &mut http)? {
        Some(handler) => AuthSource::Handler(handler),
        None => AuthSource::Http(http),
    })
}

/// Whether the page was served over https (then only `wss://` is allowed).
fn page_is_https() -> bool {
    Reflect::get(&crate::web::global(), &JsValue::from_str("location"))
        .and_then(|location| Reflect::get(&location, &JsValue::from_str("protocol")))
        .ok()
        .and_then(|protocol| protocol.as_string())
        .is_some_and(|protocol| protocol == "https:")
}
