//! Client configuration: where to connect and the timing policy, with the documented
//! defaults of the Pusher protocol and our own for backoff and hidden-tab pausing.

use crate::prelude::*;
use core::time::Duration;

use super::backoff::BackoffPolicy;
use super::json;

/// The name this client reports in the connection URL's `client` parameter.
pub const CLIENT_NAME: &str = "echo-wasm";
/// Protocol version spoken (the `protocol` URL parameter).
pub const PROTOCOL_VERSION: u32 = 7;

/// Where the server is, as the app configures it (pusher-js / laravel-echo option names
/// in the comments). Borrowed: the options reader hands over slices of the options'
/// JSON text, without copying them first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointOptions<'a> {
    /// `key`: the app key. Required.
    pub key: &'a str,
    /// `cluster`: hosted Pusher cluster, used for the default host.
    pub cluster: Option<&'a str>,
    /// `wsHost`: host name; defaults to `ws-{cluster}.pusher.com`.
    pub ws_host: Option<&'a str>,
    /// `wsPort`: port for `ws://` (default 80).
    pub ws_port: Option<u16>,
    /// `wssPort`: port for `wss://` (default 443).
    pub wss_port: Option<u16>,
    /// `wsPath`: a prefix before `/app` (default empty).
    pub ws_path: Option<&'a str>,
    /// `forceTLS`: `None` means "not given", which means TLS.
    pub force_tls: Option<bool>,
    /// Whether the page itself was served over https (then TLS is always used: browsers
    /// refuse `ws://` from a secure page).
    pub page_is_https: bool,
}

impl<'a> EndpointOptions<'a> {
    /// Options with just a key, everything else default.
    pub fn new(key: &'a str) -> Self {
        EndpointOptions {
            key,
            cluster: None,
            ws_host: None,
            ws_port: None,
            wss_port: None,
            ws_path: None,
            force_tls: None,
            page_is_https: false,
        }
    }
}

/// A configuration value the client cannot work with; names the option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    /// The option, by its JS name (`key`, `wsHost`, …).
    pub option: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl ConfigError {
    /// "invalid option `wsPort`: …", built without `core::fmt`.
    pub fn message(&self) -> String {
        let mut out = String::from("invalid option `");
        out.push_str(self.option);
        out.push_str("`: ");
        out.push_str(self.problem);
        out
    }
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

/// A validated endpoint: everything needed to build the WebSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The host name, the part of the URL before the port.
    host: String,
    /// Everything after the port: `{path}/app/{key}?…`, built once.
    tail: String,
    ws_port: u16,
    wss_port: u16,
    tls: bool,
}

impl Endpoint {
    /// Validates the options and applies the protocol's defaults. Nothing is built
    /// before every check has passed.
    pub fn new(options: &EndpointOptions) -> Result<Self, ConfigError> {
        let fail = |option, problem| ConfigError { option, problem };
        let key = checked(options.key, "is required").map_err(|p| fail("key", p))?;
        // `wsHost`, or the cluster of `ws-{cluster}.pusher.com`.
        let host = match options.ws_host {
            Some(host) => strip_scheme(host),
            None => options.cluster.unwrap_or(""),
        };
        let name =
            checked(host, "is required, or `cluster` for Pusher").map_err(|p| fail("wsHost", p))?;
        let mut path = options.ws_path.unwrap_or("");
        while let Some(rest) = path.strip_suffix("/") {
            path = rest;
        }
        if path.bytes().next().is_some_and(|c| c != b'/') {
            return Err(ConfigError {
                option: "wsPath",
                problem: "must start with `/`",
            });
        }
        if options.ws_port == Some(0) || options.wss_port == Some(0) {
            return Err(ConfigError {
                option: if options.ws_port == Some(0) {
                    "wsPort"
                } else {
                    "wssPort"
                },
                problem: "must be a whole number between 1 and 65535",
            });
        }
        // `wsHost` as it is, or the cluster's host: one path for both.
        let (before, after) = match options.ws_host {
            Some(_) => ("", ""),
            None => ("ws-", ".pusher.com"),
        };
        let mut host = String::from(before);
        host.push_str(name);
        host.push_str(after);
        let mut tail = String::from(path);
        tail.push_str("/app/");
        tail.push_str(key);
        // `PROTOCOL_VERSION` and `CLIENT_NAME`, written out so that the query is one
        // constant (a test checks that they agree).
        tail.push_str(concat!(
            "?protocol=7&client=echo-wasm&version=",
            env!("CARGO_PKG_VERSION"),
            "&flash=false"
        ));
        Ok(Endpoint {
            host,
            tail,
            ws_port: options.ws_port.unwrap_or(80),
            wss_port: options.wss_port.unwrap_or(443),
            tls: options.page_is_https || options.force_tls != Some(false),
        })
    }

    /// Whether connections use `wss://`.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// Switches to TLS for good (the server answered 4000, "SSL only").
    pub fn require_tls(&mut self) {
        self.tls = true;
    }

    /// `ws[s]://{host}:{port}{path}/app/{key}?protocol=7&client=…&version=…&flash=false`.
    /// The port is always written.
    pub fn url(&self) -> String {
        let mut url = String::from(if self.tls { "wss://" } else { "ws://" });
        url.push_str(&self.host);
        url.push(':');
        let port = if self.tls {
            self.wss_port
        } else {
            self.ws_port
        };
        json::write_u64(&mut url, u64::from(port));
        url.push_str(&self.tail);
        url
    }
}

/// `part` without the whitespace around it, or what is wrong with it: `missing` when
/// nothing is left.
fn checked<'a>(part: &'a str, missing: &'static str) -> Result<&'a str, &'static str> {
    let part = json::trim_unicode(part);
    if part.is_empty() {
        Err(missing)
    } else if !is_url_safe(part) {
        Err("must not contain spaces, `/`, `?`, `#` or `%`")
    } else {
        Ok(part)
    }
}

/// Accepts `ws://host`, `https://host`… as a host (a common mistake), keeping the host.
/// Looks for the separator byte-wise: `str::split_once` with a string pattern brings the
/// whole two-way substring searcher into the wasm.
fn strip_scheme(host: &str) -> &str {
    let mut at = 0;
    while at < host.len() {
        if host.as_bytes().get(at..at + 3) == Some(b"://") {
            return host.get(at + 3..).unwrap_or(host);
        }
        at += 1;
    }
    host
}

/// Whether `s` has no whitespace, no control char and none of `/`, `?`, `#`, `%`
/// (`char::is_whitespace`, `char::is_control`). Matched on the UTF-8 bytes rather than on
/// `chars()`, which would keep std's char decoder and its Unicode whitespace table in
/// the wasm: whitespace is what [`json::trim_unicode`] would trim at a char's start, and
/// the controls are C0, DEL and C1 (U+0080–009F, `0xc2 0x80..=0x9f`). A continuation
/// byte (`10xxxxxx`) is never taken for the start of a char. A plain loop, like
/// [`strip_scheme`]'s: iterator chains come out larger in the release module.
fn is_url_safe(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        let next = b.get(i + 1).copied().unwrap_or(0);
        let space = s
            .get(i..)
            .is_some_and(|rest| json::trim_unicode(rest).as_ptr() != rest.as_ptr());
        if matches!(c, 0x00..=0x20 | 0x7f | b'/' | b'?' | b'#' | b'%')
            || c == 0xc2 && next < 0xa0
            || space
        {
            return false;
        }
        i += 1;
    }
    true
}

/// Everything the core needs to know, with defaults from [`Config::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to connect.
    pub endpoint: Endpoint,
    /// `activityTimeout`: silence after which we ping. The server's own value, if lower,
    /// wins. Default 120 s.
    pub activity_timeout: Duration,
    /// `pongTimeout`: how long to wait for any frame after a ping. Default 30 s.
    pub pong_timeout: Duration,
    /// `unavailableTimeout`: time spent connecting before the state becomes
    /// `unavailable`. Default 10 s.
    pub unavailable_timeout: Duration,
    /// How long one attempt may take from opening the socket to
    /// `pusher:connection_established` before it is abandoned and retried. Default 15 s.
    pub handshake_timeout: Duration,
    /// Delays between reconnection attempts.
    pub backoff: BackoffPolicy,
    /// `pauseWhenHidden`: after the page has been hidden this long, the connection is
    /// closed on purpose and reopened when the page is visible again. `None` never
    /// pauses. Default 5 minutes.
    pub pause_when_hidden: Option<Duration>,
    /// Seed for the jitter of reconnection delays. The shell passes a random one so
    /// that browsers do not retry in lockstep; tests pass a fixed one.
    pub jitter_seed: u64,
}

impl Config {
    /// The defaults, for this endpoint.
    pub fn new(endpoint: Endpoint) -> Self {
        Config {
            endpoint,
            activity_timeout: Duration::from_secs(120),
            pong_timeout: Duration::from_secs(30),
            unavailable_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(15),
            backoff: BackoffPolicy::default(),
            pause_when_hidden: Some(Duration::from_secs(5 * 60)),
            jitter_seed: 0x5EED_EC40,
        }
    }

    /// Checks the timing options (by their JS names), so that a bad value is an error
    /// when the client is created rather than a ping storm or a reconnect loop later.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // The option names are a constant table beside the values, so only the durations
        // are copied at run time.
        const POSITIVE: [&str; 5] = [
            "activityTimeout",
            "pongTimeout",
            "unavailableTimeout",
            "handshakeTimeout",
            "backoff.base",
        ];
        let values = [
            self.activity_timeout,
            self.pong_timeout,
            self.unavailable_timeout,
            self.handshake_timeout,
            self.backoff.base,
        ];
        // By reference: iterating an array by value instantiates `array::IntoIter`.
        for (&option, value) in POSITIVE.iter().zip(&values) {
            if value.is_zero() {
                return Err(ConfigError {
                    option,
                    problem: "must be greater than zero",
                });
            }
        }
        if self.backoff.cap < self.backoff.base {
            return Err(ConfigError {
                option: "backoff.cap",
                problem: "must not be smaller than `backoff.base`",
            });
        }
        if self.pause_when_hidden.is_some_and(|grace| grace.is_zero()) {
            return Err(ConfigError {
                option: "pauseWhenHidden",
                problem: "must be greater than zero, or `false` to never pause",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_safe_bytes_agree_with_chars() {
        let by_char =
            |c: char| !(c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '%'));
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for s in [
                format!("{c}"),
                format!("a{c}"),
                format!("{c}é"),
                format!("é{c}b"),
            ] {
                assert_eq!(is_url_safe(&s), by_char(c), "{c:?} in {s:?}");
            }
        }
        assert!(is_url_safe("") && is_url_safe("ws.example.com") && !is_url_safe("a b"));
    }

    fn reverb() -> EndpointOptions<'static> {
        EndpointOptions {
            ws_host: Some("localhost"),
            ws_port: Some(8080),
            force_tls: Some(false),
            ..EndpointOptions::new("app-key")
        }
    }

    #[test]
    fn builds_reverb_url_with_port() {
        let url = Endpoint::new(&reverb()).unwrap().url();
        assert_eq!(
            url,
            concat!(
                "ws://localhost:8080/app/app-key?protocol=7&client=echo-wasm&version=",
                env!("CARGO_PKG_VERSION"),
                "&flash=false"
            )
        );
    }

    #[test]
    fn url_query_agrees_with_the_constants() {
        let url = Endpoint::new(&reverb()).unwrap().url();
        let query = format!("?protocol={PROTOCOL_VERSION}&client={CLIENT_NAME}&version=");
        assert!(url.contains(&query), "{url}");
    }

    #[test]
    fn tls_by_default_and_on_https_pages() {
        let mut o = reverb();
        o.force_tls = None;
        assert!(Endpoint::new(&o)
            .unwrap()
            .url()
            .starts_with("wss://localhost:443/app/"));
        let mut o = reverb();
        o.page_is_https = true;
        o.wss_port = Some(8443);
        assert!(Endpoint::new(&o)
            .unwrap()
            .url()
            .starts_with("wss://localhost:8443/app/"));
    }

    #[test]
    fn cluster_host_and_path() {
        let o = EndpointOptions {
            cluster: Some("eu"),
            ws_path: Some("/ws/"),
            ..EndpointOptions::new("k")
        };
        assert!(Endpoint::new(&o)
            .unwrap()
            .url()
            .starts_with("wss://ws-eu.pusher.com:443/ws/app/k?protocol=7&"));
    }

    #[test]
    fn errors_name_the_option() {
        let cases: [(EndpointOptions<'static>, &str); 8] = [
            (EndpointOptions::new(" "), "key"),
            (EndpointOptions::new("k"), "wsHost"),
            (
                EndpointOptions {
                    ws_host: Some(" "),
                    cluster: Some("eu"),
                    ..reverb()
                },
                "wsHost",
            ),
            (
                EndpointOptions {
                    cluster: Some("\u{3000}"),
                    ..EndpointOptions::new("k")
                },
                "wsHost",
            ),
            (
                EndpointOptions {
                    wss_port: Some(0),
                    ..reverb()
                },
                "wssPort",
            ),
            (
                EndpointOptions {
                    ws_path: Some("ws"),
                    ..reverb()
                },
                "wsPath",
            ),
            (
                EndpointOptions {
                    ws_port: Some(0),
                    ..reverb()
                },
                "wsPort",
            ),
            (
                EndpointOptions {
                    ws_host: Some("a/b"),
                    ..reverb()
                },
                "wsHost",
            ),
        ];
        for (options, name) in cases {
            let err = Endpoint::new(&options).unwrap_err();
            assert_eq!(err.option, name);
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn timing_options_are_validated() {
        let base = Config::new(Endpoint::new(&reverb()).unwrap());
        assert_eq!(base.validate(), Ok(()));
        type Breaker = fn(&mut Config);
        let cases: [(Breaker, &str); 4] = [
            (|c| c.activity_timeout = Duration::ZERO, "activityTimeout"),
            (|c| c.pong_timeout = Duration::ZERO, "pongTimeout"),
            (|c| c.backoff.cap = Duration::from_millis(10), "backoff.cap"),
            (
                |c| c.pause_when_hidden = Some(Duration::ZERO),
                "pauseWhenHidden",
            ),
        ];
        for (break_it, option) in cases {
            let mut config = base.clone();
            break_it(&mut config);
            assert_eq!(config.validate().unwrap_err().option, option);
        }
        let mut never = base.clone();
        never.pause_when_hidden = None;
        assert_eq!(never.validate(), Ok(()));
    }

    #[test]
    fn scheme_in_host_is_tolerated() {
        let o = EndpointOptions {
            ws_host: Some("https://example.test"),
            ..reverb()
        };
        assert!(Endpoint::new(&o)
            .unwrap()
            .url()
            .starts_with("ws://example.test:8080/"));
    }
}
