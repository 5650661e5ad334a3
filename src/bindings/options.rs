//! Reading the options object the app passes to the constructor.
//!
//! Option names are pusher-js's and laravel-echo's. The object must be plain data, apart
//! from the functions among the options (`authorizer`, `customHandler`) and any other
//! function-valued key (a `Pusher` class), which are skipped: the laravel-echo wrapper
//! passes only what this layer reads. A value of the wrong type is an error naming the
//! option, never silently ignored.
//!
//! Written for a small wasm module: the object is read with one `JSON.stringify`, every
//! option is looked up in that text by its name from one table ([`NAMES`], [`TYPES`])
//! and checked in one loop with one error path, by rules that are data ([`RULES`],
//! [`PROBLEMS`]); only then are the checked values taken out, with no failure paths
//! left but the endpoint's own checks ([`Endpoint::new`]) and one rule between two
//! options. Measured on the release module, plain loops and small shared helpers came
//! out smaller than iterator chains or one loop that also builds the values.

use crate::prelude::*;
use alloc::borrow::Cow;
use core::time::Duration;

use crate::web::{function_at, secure, Function};
use wasm_bindgen::prelude::*;

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

/// What an option's value must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    /// A string.
    Text,
    /// A port, 1 to 65535 (a number, or a string holding one).
    Port,
    /// `true` or `false`.
    Flag,
    /// Milliseconds: a whole number, zero or more (or a string holding one).
    Millis,
    /// Milliseconds, more than zero. With `backoff.cap` not below `backoff.base`
    /// (checked in [`parse`]), these are the rules of [`Config::validate`], applied here
    /// so that the options need no second pass over the whole configuration.
    Positive,
    /// `pauseWhenHidden`: milliseconds (more than zero), `true` (the default) or
    /// `false` (never).
    Pause,
    /// `{name: value}` with string, number or boolean values (headers, form params).
    Pairs,
    /// A function: plain JSON never holds one, so any other value is wrong.
    Func,
    /// An object of the options that follow it in [`NAMES`] (`backoff`, `auth`, …).
    Group,
}

/// The bit of a JSON kind in the masks of [`RULES`].
const fn bit(kind: Kind) -> u8 {
    1 << kind as u8
}

/// What each [`Type`] accepts, in the order of its variants, as data rather than code:
/// the JSON kinds taken as they are (a mask of [`bit`]s), and the whole numbers taken (a
/// number, or a string holding one), from `.1` to below `2^.2` (none when `.1` is 1 and
/// `.2` is 0): three bytes a type. `Pairs` also checks its members.
const RULES: [(u8, u8, u8); 9] = [
    (bit(Kind::String), 1, 0),
    (0, 1, 16),
    (bit(Kind::Bool), 1, 0),
    (0, 0, 64),
    (0, 1, 64),
    (bit(Kind::Bool), 1, 64),
    (bit(Kind::Object), 1, 0),
    (0, 1, 0),
    (bit(Kind::Object), 1, 0),
];

/// What is wrong with a value that is not of its option's [`Type`], in the order of
/// its variants: one message per type, the option's name comes with the error.
const PROBLEMS: [&str; 9] = [
    "must be a string",
    "must be a whole number between 1 and 65535",
    "must be true or false",
    "must be a whole number",
    "must be a whole number greater than zero",
    "must be true, false or a whole number greater than zero",
    "must be an object of strings",
    "must be a function",
    "must be an object",
];

/// Every option read, by its full name (`group.member` inside a group), separated by
/// spaces: one string rather than a table of pointers, and the name for the error
/// message too. [`TYPES`] gives their types, and the indices below name them. An
/// endpoint given later wins over one before it (`channelAuthorization.endpoint` over
/// `authEndpoint`).
const NAMES: &str = "key cluster wsHost wsPath wsPort wssPort forceTLS activityTimeout pongTimeout unavailableTimeout handshakeTimeout backoff.base backoff.cap backoff.stableAfter backoff authorizer authEndpoint authTimeout pauseWhenHidden auth auth.endpoint auth.headers auth.params channelAuthorization channelAuthorization.endpoint channelAuthorization.headers channelAuthorization.params channelAuthorization.customHandler userAuthentication userAuthentication.endpoint userAuthentication.headers userAuthentication.params userAuthentication.customHandler";

/// The type of each option of [`NAMES`], in the same order.
const TYPES: [Type; 33] = [
    Type::Text,
    Type::Text,
    Type::Text,
    Type::Text,
    Type::Port,
    Type::Port,
    Type::Flag,
    Type::Positive,
    Type::Positive,
    Type::Positive,
    Type::Positive,
    Type::Positive,
    Type::Positive,
    Type::Millis,
    Type::Group,
    Type::Func,
    Type::Text,
    Type::Millis,
    Type::Pause,
    Type::Group,
    Type::Text,
    Type::Pairs,
    Type::Pairs,
    Type::Group,
    Type::Text,
    Type::Pairs,
    Type::Pairs,
    Type::Func,
    Type::Group,
    Type::Text,
    Type::Pairs,
    Type::Pairs,
    Type::Func,
];

// Indices in `NAMES`: `KEY` to `KEY + 3` are key, cluster, wsHost and wsPath;
// `ACTIVITY_TIMEOUT` to `ACTIVITY_TIMEOUT + 6` the timings, in the order of `timings`
// in `parse`.
const KEY: usize = 0;
const WS_PORT: usize = 4;
const FORCE_TLS: usize = 6;
const ACTIVITY_TIMEOUT: usize = 7;
/// `authorizer`, read as a form whose only member is its endpoint: `authEndpoint`
/// follows it, then two options that are never objects (checked below).
const AUTHORIZER: usize = 15;
const AUTH_TIMEOUT: usize = 17;
const PAUSE_WHEN_HIDDEN: usize = 18;
const AUTH: usize = 19;
const CHANNEL_AUTHORIZATION: usize = 23;
const USER_AUTHENTICATION: usize = 28;
/// Offsets of a form's members from the form's group.
const ENDPOINT: usize = 1;
const HEADERS: usize = 2;
const PARAMS: usize = 3;

/// Whether `name` is the option at `index` in [`NAMES`]. Only evaluated at compile time
/// (below), where an index out of range is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const fn is_name(index: usize, name: &str) -> bool {
    let (names, name) = (NAMES.as_bytes(), name.as_bytes());
    let (mut i, mut seen) = (0, 0);
    while seen < index {
        if names[i] == b' ' {
            seen += 1;
        }
        i += 1;
    }
    let mut j = 0;
    while j < name.len() {
        if names[i + j] != name[j] {
            return false;
        }
        j += 1;
    }
    i + j == names.len() || names[i + j] == b' '
}

// The indices above, the table of types and the names must agree: checked when the
// crate is built, so a name added in the middle cannot silently shift them.
const _: () = assert!(
    is_name(KEY, "key")
        && is_name(WS_PORT, "wsPort")
        && is_name(FORCE_TLS, "forceTLS")
        && is_name(ACTIVITY_TIMEOUT, "activityTimeout")
        && is_name(ACTIVITY_TIMEOUT + 6, "backoff.stableAfter")
        && is_name(PAUSE_WHEN_HIDDEN, "pauseWhenHidden")
        && is_name(AUTH_TIMEOUT, "authTimeout")
        && is_name(AUTHORIZER, "authorizer")
        && is_name(AUTHORIZER + ENDPOINT, "authEndpoint")
        && !matches!(TYPES[AUTHORIZER + HEADERS], Type::Pairs | Type::Group)
        && !matches!(TYPES[AUTHORIZER + PARAMS], Type::Pairs | Type::Group)
        && is_name(AUTH + HEADERS, "auth.headers")
        && is_name(
            CHANNEL_AUTHORIZATION + PARAMS,
            "channelAuthorization.params"
        )
        && is_name(
            USER_AUTHENTICATION + ENDPOINT,
            "userAuthentication.endpoint"
        )
        && is_name(TYPES.len() - 1, "userAuthentication.customHandler")
);

/// The raw JSON text of every option given (not `null`) by index in [`NAMES`], ""
/// when absent.
type Raw<'a> = [&'a str; TYPES.len()];

/// `path` split at its first `separator`: `("auth", "headers")` at `.`, or
/// `("key", "")`.
fn split(path: &str, separator: u8) -> (&str, &str) {
    let b = path.as_bytes();
    let mut at = 0;
    while at < b.len() && b.get(at) != Some(&separator) {
        at += 1;
    }
    (
        path.get(..at).unwrap_or_default(),
        path.get(at + 1..).unwrap_or_default(),
    )
}

/// The raw JSON of the member at `path` (`auth.headers`) of the object `json`; "" if
/// absent or `null`.
fn member<'a>(json: &'a str, path: &str) -> &'a str {
    let (head, rest) = split(path, b'.');
    let value = json::get(json, head).unwrap_or_default();
    match (rest, value) {
        (_, "null") => "",
        ("", value) => value,
        (rest, value) => member(value, rest),
    }
}

/// The content of a JSON string, `None` for anything else (or absent).
fn text(raw: &str) -> Option<String> {
    json::parse_string(raw).map(Cow::into_owned)
}

/// A whole number, or a string holding one (ports and timeouts often come straight
/// from `import.meta.env`, where everything is a string).
fn number(raw: &str) -> Option<u64> {
    // A number in a string has no escapes: its digits are between the quotes.
    let digits = match json::kind(raw)? {
        Kind::String => raw.get(1..raw.len() - 1)?,
        Kind::Number => raw,
        _ => return None,
    };
    // `parse_u64` drops a fraction; here it is an error. Nothing after a `.` is the one
    // case this lets through, and there `parse_u64` wants a digit.
    if !split(digits, b'.').1.is_empty() {
        return None;
    }
    json::parse_u64(digits)
}

/// Appends the members of the object `raw` to `out` as text: `{name: value}` with
/// string, number or boolean values (headers, form params). False if `raw` is anything
/// else (or absent).
fn pairs(raw: &str, out: &mut Vec<(String, String)>) -> bool {
    let Ok(mut entries) = json::entries(raw) else {
        return false;
    };
    // `JSON.stringify` wrote the text: it is valid JSON.
    while let Some(Ok((name, value))) = entries.next() {
        let value = match json::kind(value) {
            Some(Kind::Number | Kind::Bool) => value.to_owned(),
            _ => match text(value) {
                Some(value) => value,
                None => return false,
            },
        };
        out.push((name.into_owned(), value));
    }
    true
}

/// Reads and validates the constructor's options.
pub fn parse(options: &JsValue) -> Result<Options, ConfigError> {
    let json = stringify(options)
        .filter(|json| json::kind(json) == Some(Kind::Object))
        .ok_or(ConfigError {
            option: "options",
            problem: "must be an object",
        })?;
    let mut raw: Raw = [""; TYPES.len()];
    // The whole numbers among them (or strings holding one), read once.
    let mut numbers = [None; TYPES.len()];
    // The functions among the options, in the order of `NAMES`.
    let mut functions: [Option<Function>; 3] = Default::default();
    let mut next_function = functions.iter_mut();
    let mut names = NAMES;
    for (i, &t) in TYPES.iter().enumerate() {
        let (name, rest) = split(names, b' ');
        names = rest;
        let value = member(&json, name);
        if t == Type::Func && value.is_empty() {
            if let Some(slot) = next_function.next() {
                *slot = function_at(options, name);
            }
        }
        if value.is_empty() {
            continue;
        }
        // Valid: a JSON kind of the type (for `Pairs`, with valid members), or a whole
        // number in its range.
        let n = number(value);
        let (kinds, min, bits) = RULES.get(t as usize).copied().unwrap_or_default();
        let valid = json::kind(value).is_some_and(|kind| kinds & bit(kind) != 0)
            && (t != Type::Pairs || pairs(value, &mut Vec::new()))
            || n.is_some_and(|n| {
                n >= u64::from(min) && n.checked_shr(bits.into()).unwrap_or(0) == 0
            });
        if !valid {
            return Err(ConfigError {
                option: name,
                problem: PROBLEMS.get(t as usize).copied().unwrap_or_default(),
            });
        }
        if let (Some(slot), Some(number)) = (raw.get_mut(i), numbers.get_mut(i)) {
            *slot = value;
            *number = n;
        }
    }
    let [authorizer, channel_handler, user_handler] = functions;
    // Everything given is valid from here on: the values are taken out without checks.
    let at = |i: usize| raw.get(i).copied().unwrap_or_default();
    let number_at = |i: usize| numbers.get(i).copied().flatten();
    let millis_at = |i| number_at(i).map(Duration::from_millis);

    let key = json::parse_string(at(KEY));
    let cluster = json::parse_string(at(KEY + 1));
    let ws_host = json::parse_string(at(KEY + 2));
    let ws_path = json::parse_string(at(KEY + 3));
    let mut endpoint = EndpointOptions::new(key.as_deref().unwrap_or_default());
    endpoint.cluster = cluster.as_deref();
    endpoint.ws_host = ws_host.as_deref();
    endpoint.ws_path = ws_path.as_deref();
    // In range: checked above.
    endpoint.ws_port = number_at(WS_PORT).map(|n| n as u16);
    endpoint.wss_port = number_at(WS_PORT + 1).map(|n| n as u16);
    // A checked flag is `true` or `false`: told apart by their length.
    endpoint.force_tls = match at(FORCE_TLS).len() {
        0 => None,
        n => Some(n == 4),
    };
    endpoint.page_is_https = secure();

    let mut config = Config::new(Endpoint::new(&endpoint)?);
    config.jitter_seed = random_seed();
    let policy = &mut config.backoff;
    let timings = [
        &mut config.activity_timeout,
        &mut config.pong_timeout,
        &mut config.unavailable_timeout,
        &mut config.handshake_timeout,
        &mut policy.base,
        &mut policy.cap,
        &mut policy.stable_after,
    ];
    for (i, slot) in timings.into_iter().enumerate() {
        if let Some(value) = millis_at(ACTIVITY_TIMEOUT + i) {
            *slot = value;
        }
    }
    match at(PAUSE_WHEN_HIDDEN).bytes().next() {
        None | Some(b't') => {}
        Some(b'f') => config.pause_when_hidden = None,
        _ => config.pause_when_hidden = millis_at(PAUSE_WHEN_HIDDEN),
    }
    // The one rule between two options (the others of `Config::validate` are types).
    if config.backoff.cap < config.backoff.base {
        return Err(ConfigError {
            option: "backoff.cap",
            problem: "must not be smaller than `backoff.base`",
        });
    }

    let timeout_ms = number_at(AUTH_TIMEOUT).map_or(DEFAULT_AUTH_TIMEOUT_MS, |ms| {
        u32::try_from(ms).unwrap_or(u32::MAX)
    });
    // Channel authorization: laravel-echo's `authorizer`, pusher-js's
    // `channelAuthorization.customHandler`, or the HTTP endpoint (`authEndpoint` with
    // `auth.headers` / `auth.params`, and pusher-js's `channelAuthorization`).
    let channel = match authorizer {
        Some(factory) => AuthSource::EchoAuthorizer {
            factory,
            options: options.clone(),
        },
        None => source(
            channel_handler,
            &raw,
            &[AUTHORIZER, AUTH, CHANNEL_AUTHORIZATION],
            DEFAULT_AUTH_ENDPOINT,
        ),
    };
    // User authentication for `signIn()`: pusher-js's `userAuthentication`.
    let user = source(
        user_handler,
        &raw,
        &[USER_AUTHENTICATION],
        DEFAULT_USER_AUTH_ENDPOINT,
    );
    let auth = AuthConfig {
        channel,
        user,
        timeout_ms,
    };
    Ok(Options { config, auth })
}

/// `handler` if there is one, else the HTTP endpoint read from the forms
/// `{endpoint, headers, params}` at `forms` in [`NAMES`] (laravel-echo's `auth`,
/// pusher-js's `channelAuthorization` and `userAuthentication`): the last endpoint given
/// wins over `default`, the headers and params of every form are kept.
fn source(handler: Option<Function>, raw: &Raw, forms: &[usize], default: &str) -> AuthSource {
    if let Some(handler) = handler {
        return AuthSource::Handler(handler);
    }
    let mut http = HttpAuth {
        endpoint: default.to_owned(),
        headers: Vec::new(),
        params: Vec::new(),
    };
    for &form in forms {
        // The form's group, then its members in the order of `ENDPOINT`, `HEADERS` and
        // `PARAMS`.
        if let Some(&[_, endpoint, headers, params]) = raw.get(form..form + 4) {
            if let Some(endpoint) = text(endpoint) {
                http.endpoint = endpoint;
            }
            pairs(headers, &mut http.headers);
            pairs(params, &mut http.params);
        }
    }
    AuthSource::Http(http)
}
