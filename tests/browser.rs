//! The browser suite: the exported client in headless Chromium against a real sockudo
//! server, with the helper server of `tests/browser/harness` signing auth requests and
//! triggering events. Run by `make test` (`make test-browser`), which starts both
//! servers first and hands their addresses to this file at compile time.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use echo_wasm::bindings::JsClient;
use echo_wasm::web::Function;
use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const WS_HOST: Option<&str> = option_env!("ECHO_TEST_WS_HOST");
const WS_PORT: Option<&str> = option_env!("ECHO_TEST_WS_PORT");
const APP_KEY: Option<&str> = option_env!("ECHO_TEST_APP_KEY");
const HELPER: Option<&str> = option_env!("ECHO_TEST_HELPER");

#[wasm_bindgen(inline_js = r#"
export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
export async function helperCall(base, method, path, body) {
    const response = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok || answer.ok === false) {
        throw new Error(`${method} ${path} failed: ${response.status} ${JSON.stringify(answer)}`);
    }
    return answer;
}
// customHandlers that misbehave: one answers twice (then throws), one throws.
export function misbehavingHandlers() {
    return [
        (params, callback) => {
            callback(null, 'not json');
            callback(null, {});
            throw new Error('ignored');
        },
        () => {
            throw new Error('thrown by the app');
        },
    ];
}
export function countWebSockets() {
    return globalThis.__openSockets ? globalThis.__openSockets.size : -1;
}
// Counts the WebSockets of this page that are not closed, to prove a dropped client
// leaves none open behind it.
export function trackWebSockets() {
    if (globalThis.__openSockets) return;
    globalThis.__openSockets = new Set();
    const Native = globalThis.WebSocket;
    globalThis.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            globalThis.__openSockets.add(this);
            this.addEventListener('close', () => globalThis.__openSockets.delete(this));
        }
        close(...args) {
            globalThis.__openSockets.delete(this);
            return super.close(...args);
        }
    };
}
"#)]
extern "C" {
    fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = helperCall, catch)]
    fn helper_call(
        base: &str,
        method: &str,
        path: &str,
        body: JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = misbehavingHandlers)]
    fn misbehaving_handlers() -> js_sys::Array;
    #[wasm_bindgen(js_name = countWebSockets)]
    fn count_web_sockets() -> i32;
    #[wasm_bindgen(js_name = trackWebSockets)]
    fn track_web_sockets();
}

// ----- plumbing ------------------------------------------------------------------------

fn env(value: Option<&'static str>, name: &str) -> &'static str {
    value.unwrap_or_else(|| {
        panic!("{name} was not set at compile time: run this suite through `make test-browser`")
    })
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|e| panic!("bad JSON in test: {text}: {e:?}"))
}

fn stringify(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "undefined".into())
}

fn set(object: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(object, &key.into(), value).unwrap();
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

async fn pause(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

/// Calls the helper server; panics with its answer if it fails.
async fn helper(method: &str, path: &str, body: Option<JsValue>) -> JsValue {
    let promise = helper_call(
        env(HELPER, "ECHO_TEST_HELPER"),
        method,
        path,
        body.unwrap_or(JsValue::UNDEFINED),
    )
    .unwrap();
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("helper call {method} {path}: {}", error_text(&e)))
}

fn error_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| stringify(value))
}

/// Triggers `event` with `data_json` on `channel` through the server's HTTP API.
async fn trigger(channel: &str, event: &str, data_json: &str) {
    let body = json(&format!(
        r#"{{"channel":{},"event":{},"data":{data_json}}}"#,
        JSON::stringify(&channel.into()).unwrap(),
        JSON::stringify(&event.into()).unwrap()
    ));
    helper("POST", "/trigger", Some(body)).await;
}

/// Polls `condition` every 20 ms for up to `timeout_ms`; panics with `what` if it never
/// holds.
async fn wait_until(what: &str, timeout_ms: u32, mut condition: impl FnMut() -> bool) {
    let mut waited = 0;
    while !condition() {
        if waited >= timeout_ms {
            panic!("timed out after {timeout_ms} ms waiting for: {what}");
        }
        pause(20).await;
        waited += 20;
    }
}

/// Options for the test server, plus `extra` (a JSON object) merged in.
fn options(extra: &str) -> JsValue {
    let base = json(&format!(
        r#"{{"key":"{}","wsHost":"{}","wsPort":{},"forceTLS":false,"authEndpoint":"{}/broadcasting/auth",
            "userAuthentication":{{"endpoint":"{}/broadcasting/user-auth"}},
            "backoff":{{"base":200,"cap":1000}}}}"#,
        env(APP_KEY, "ECHO_TEST_APP_KEY"),
        env(WS_HOST, "ECHO_TEST_WS_HOST"),
        env(WS_PORT, "ECHO_TEST_WS_PORT"),
        env(HELPER, "ECHO_TEST_HELPER"),
        env(HELPER, "ECHO_TEST_HELPER"),
    ));
    let extra = json(extra);
    js_sys::Object::assign(
        base.unchecked_ref::<js_sys::Object>(),
        extra.unchecked_ref::<js_sys::Object>(),
    )
    .into()
}

/// Everything a listener saw: `(event or label, data as JSON text)`.
#[derive(Clone, Default)]
struct Log(Rc<RefCell<Vec<(String, String)>>>);

impl Log {
    fn push(&self, label: &str, data: &JsValue) {
        self.0
            .borrow_mut()
            .push((label.to_owned(), stringify(data)));
    }
    fn entries(&self) -> Vec<(String, String)> {
        self.0.borrow().clone()
    }
    fn count(&self, label: &str) -> usize {
        self.0.borrow().iter().filter(|(l, _)| l == label).count()
    }
    fn data_of(&self, label: &str) -> Vec<String> {
        self.0
            .borrow()
            .iter()
            .filter(|(l, _)| l == label)
            .map(|(_, d)| d.clone())
            .collect()
    }
}

/// A listener as the tests write them: up to three arguments, the rest ignored.
type Listener = Closure<dyn FnMut(JsValue, JsValue, JsValue)>;

/// A client under test, the closures it was handed (kept alive) and what they saw.
struct Probe {
    client: JsClient,
    log: Log,
    closures: Vec<Listener>,
}

impl Probe {
    fn new(extra: &str) -> Probe {
        Probe::from_options(options(extra))
    }

    fn from_options(options: JsValue) -> Probe {
        let client = JsClient::new(options).unwrap_or_else(|e| {
            panic!("constructing the client: {}", error_text(&JsValue::from(e)))
        });
        let mut probe = Probe {
            client,
            log: Log::default(),
            closures: Vec::new(),
        };
        let log = probe.log.clone();
        let on_state = probe.callback(move |change, _, _| {
            log.push("state", &get(&change, "current"));
        });
        probe.client.on_state_change(&on_state);
        let log = probe.log.clone();
        let on_error = probe.callback(move |error, _, _| log.push("error", &error));
        probe.client.on_error(&on_error);
        probe
    }

    fn callback(&mut self, f: impl FnMut(JsValue, JsValue, JsValue) + 'static) -> Function {
        let closure = Listener::new(f);
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        self.closures.push(closure);
        function
    }

    /// Records `event` on `channel` under the label `channel/event`.
    fn record(&mut self, channel: &str, event: &str) -> u32 {
        let log = self.log.clone();
        let label = format!("{channel}/{event}");
        let callback = self.callback(move |data, _, _| log.push(&label, &data));
        self.client.bind(channel, event, &callback)
    }

    async fn connected(&self) -> String {
        let client = &self.client;
        wait_until("state connected", 10_000, || client.state() == "connected").await;
        client.socket_id().expect("a socket id while connected")
    }

    async fn subscribed(&self, channel: &str) {
        let client = &self.client;
        wait_until(&format!("{channel} subscribed"), 10_000, || {
            client.channel_state(channel).as_deref() == Some("subscribed")
        })
        .await;
    }

    async fn saw(&self, label: &str, times: usize) {
        let log = &self.log;
        wait_until(&format!("{times}× {label}"), 10_000, || {
            log.count(label) >= times
        })
        .await;
    }
}

async fn connected_probe(extra: &str) -> Probe {
    let probe = Probe::new(extra);
    probe.client.connect();
    probe.connected().await;
    probe
}

// ----- connection ----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn connects_and_gets_a_socket_id() {
    let probe = Probe::new("{}");
    assert_eq!(probe.client.state(), "initialized");
    assert_eq!(probe.client.socket_id(), None);
    probe.client.connect();
    let socket_id = probe.connected().await;
    let (left, right) = socket_id.split_once('.').expect("socket id is `n.n`");
    assert!(
        !left.is_empty() && left.bytes().all(|b| b.is_ascii_digit()),
        "{socket_id}"
    );
    assert!(
        !right.is_empty() && right.bytes().all(|b| b.is_ascii_digit()),
        "{socket_id}"
    );
    assert_eq!(
        probe.log.data_of("state"),
        vec![r#""connecting""#, r#""connected""#]
    );
    let status = probe.client.status();
    assert_eq!(
        get(&status, "state").as_string().as_deref(),
        Some("connected")
    );
    assert_eq!(get(&status, "socketId").as_string(), Some(socket_id));
    probe.client.disconnect();
    assert_eq!(probe.client.state(), "disconnected");
    assert_eq!(
        get(&probe.client.status(), "reason").as_string().as_deref(),
        Some("requested")
    );
}

#[wasm_bindgen_test]
fn bad_options_throw_an_error_naming_the_option() {
    let cases = [
        (r#"{"key":""}"#, "`key`"),
        (r#"{"key":"k","wsHost":"h","wsPort":"eighty"}"#, "`wsPort`"),
        (r#"{"key":"k","wsHost":"h","wsPort":70000}"#, "`wsPort`"),
        (r#"{"key":"k","wsHost":"h","forceTLS":"yes"}"#, "`forceTLS`"),
        (
            r#"{"key":"k","wsHost":"h","activityTimeout":0}"#,
            "`activityTimeout`",
        ),
        (
            r#"{"key":"k","wsHost":"h","auth":{"headers":{"X":{}}}}"#,
            "`auth.headers`",
        ),
        (
            r#"{"key":"k","wsHost":"h","authorizer":42}"#,
            "`authorizer`",
        ),
        (r#"{"key":"k"}"#, "`wsHost`"),
        (r#"{"key":"k","wsHost":"h","wssPort":"0"}"#, "`wssPort`"),
        (
            r#"{"key":"k","wsHost":"h","pongTimeout":"1.5"}"#,
            "`pongTimeout`",
        ),
        (r#"{"key":"k","wsHost":"h","backoff":5}"#, "`backoff`"),
        (
            r#"{"key":"k","wsHost":"h","backoff":{"base":500,"cap":100}}"#,
            "`backoff.cap`",
        ),
        (
            r#"{"key":"k","wsHost":"h","pauseWhenHidden":0}"#,
            "`pauseWhenHidden`",
        ),
        (
            r#"{"key":"k","wsHost":"h","channelAuthorization":{"params":{"a":[]}}}"#,
            "`channelAuthorization.params`",
        ),
    ];
    for (options, option) in cases {
        let error = match JsClient::new(json(options)) {
            Ok(_) => panic!("{options} was accepted"),
            Err(error) => JsValue::from(error),
        };
        assert!(
            error.is_instance_of::<js_sys::Error>(),
            "{options}: not an Error"
        );
        let message = error_text(&error);
        assert!(message.contains(option), "{options}: {message}");
        if option == "`wsPort`" {
            assert!(message.contains("between 1 and 65535"), "{message}");
        }
    }
    assert!(JsClient::new(JsValue::from_str("key")).is_err());
    // Ports from `import.meta.env` are strings: accepted.
    let client = JsClient::new(json(r#"{"key":"k","wsHost":"h","wsPort":"8080"}"#));
    assert!(client.is_ok());
    // Every kind of value each option takes; `null` counts as not given.
    let client = JsClient::new(json(
        r#"{"key":"k","cluster":"eu","wsHost":null,"wsPath":"/ws/","wssPort":8443,
            "forceTLS":true,"activityTimeout":"30000","backoff":{"stableAfter":0},
            "pauseWhenHidden":false,"authTimeout":0,"auth":{"headers":{"X-A":"1","X-B":2},
            "params":{"c":true}},"userAuthentication":{"endpoint":"/u","params":{}}}"#,
    ));
    assert!(client.is_ok());
}

// ----- channels ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn public_event_arrives_with_its_payload_intact() {
    let mut probe = connected_probe("{}").await;
    probe.record("news", "Published");
    probe.record("news", "pusher:subscription_succeeded");
    probe.client.subscribe("news").unwrap();
    probe.subscribed("news").await;
    probe.saw("news/pusher:subscription_succeeded", 1).await;

    let payload = r#"{"title":"Grüße, 世界 🎉","n":42,"nested":{"list":[1,2.5,null,true]},"quote":"\"x\"\n"}"#;
    trigger("news", "Published", payload).await;
    probe.saw("news/Published", 1).await;
    let expected = stringify(&json(payload));
    assert_eq!(probe.log.data_of("news/Published"), vec![expected]);

    // A payload that is not JSON arrives as the string it was.
    trigger("news", "Published", r#""plain text, not JSON""#).await;
    probe.saw("news/Published", 2).await;
    assert_eq!(
        probe.log.data_of("news/Published")[1],
        r#""plain text, not JSON""#
    );
}

#[wasm_bindgen_test]
async fn private_channel_sends_the_configured_auth_headers_and_params() {
    let channel = "private-orders.7";
    let mut probe = connected_probe(
        r#"{"auth":{"headers":{"X-CSRF-TOKEN":"csrf-123","Authorization":"Bearer tok"},"params":{"team":"blue"}}}"#,
    )
    .await;
    probe.record(channel, "OrderShipped");
    probe.client.subscribe(channel).unwrap();
    probe.subscribed(channel).await;

    let recorded = helper("GET", &format!("/auth-requests?channel={channel}"), None).await;
    let requests: js_sys::Array = get(&recorded, "requests").unchecked_into();
    let last = requests.get(requests.length() - 1);
    let headers = get(&last, "headers");
    let params = get(&last, "params");
    assert_eq!(
        get(&headers, "x-csrf-token").as_string().as_deref(),
        Some("csrf-123")
    );
    assert_eq!(
        get(&headers, "authorization").as_string().as_deref(),
        Some("Bearer tok")
    );
    assert!(get(&headers, "content-type")
        .as_string()
        .unwrap_or_default()
        .starts_with("application/x-www-form-urlencoded"));
    assert_eq!(
        get(&params, "channel_name").as_string().as_deref(),
        Some(channel)
    );
    assert_eq!(
        get(&params, "socket_id").as_string(),
        probe.client.socket_id()
    );
    assert_eq!(get(&params, "team").as_string().as_deref(), Some("blue"));

    trigger(channel, "OrderShipped", r#"{"id":7}"#).await;
    probe.saw(&format!("{channel}/OrderShipped"), 1).await;
    assert_eq!(
        probe.log.data_of(&format!("{channel}/OrderShipped")),
        vec![r#"{"id":7}"#]
    );
}

#[wasm_bindgen_test]
async fn refused_auth_is_the_channels_error_and_other_channels_keep_working() {
    let mut probe = connected_probe("{}").await;
    probe.record("private-forbidden-1", "pusher:subscription_error");
    probe.record("private-bad-json-1", "pusher:subscription_error");
    probe.record("private-ok-1", "Ping");
    probe.record("public-ok-1", "Ping");
    for channel in [
        "private-forbidden-1",
        "private-bad-json-1",
        "private-ok-1",
        "public-ok-1",
    ] {
        probe.client.subscribe(channel).unwrap();
    }
    probe
        .saw("private-forbidden-1/pusher:subscription_error", 1)
        .await;
    probe
        .saw("private-bad-json-1/pusher:subscription_error", 1)
        .await;

    let forbidden = json(
        &probe
            .log
            .data_of("private-forbidden-1/pusher:subscription_error")[0],
    );
    assert_eq!(
        get(&forbidden, "type").as_string().as_deref(),
        Some("AuthError")
    );
    assert_eq!(get(&forbidden, "status").as_f64(), Some(403.0));
    assert!(get(&forbidden, "error")
        .as_string()
        .unwrap()
        .contains("403"));
    let bad_json = json(
        &probe
            .log
            .data_of("private-bad-json-1/pusher:subscription_error")[0],
    );
    assert_eq!(get(&bad_json, "status").as_f64(), Some(200.0));
    assert_eq!(
        probe.client.channel_state("private-forbidden-1").as_deref(),
        Some("failed")
    );

    probe.subscribed("private-ok-1").await;
    probe.subscribed("public-ok-1").await;
    trigger("private-ok-1", "Ping", "1").await;
    trigger("public-ok-1", "Ping", "2").await;
    probe.saw("private-ok-1/Ping", 1).await;
    probe.saw("public-ok-1/Ping", 1).await;
    assert_eq!(probe.client.state(), "connected");
    assert_eq!(probe.log.count("error"), 0, "{:?}", probe.log.entries());
}

#[wasm_bindgen_test]
async fn app_authorizer_in_laravel_echo_form_is_used() {
    let seen = Log::default();
    let seen_in_authorizer = seen.clone();
    // authorizer(channel, options) => ({ authorize(socketId, callback) }), answering
    // through the helper's endpoint like an app using axios would.
    let authorize_factory = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
        move |channel: JsValue, _options: JsValue| {
            seen_in_authorizer.push("authorizer", &get(&channel, "name"));
            let object = js_sys::Object::new();
            let authorize = Closure::<dyn FnMut(JsValue, JsValue)>::new(
                move |socket_id: JsValue, callback: JsValue| {
                    let name = get(&channel, "name").as_string().unwrap();
                    let socket_id = socket_id.as_string().unwrap();
                    wasm_bindgen_futures::spawn_local(async move {
                        let body = format!("socket_id={socket_id}&channel_name={name}");
                        let init = web_sys::RequestInit::new();
                        init.set_method("POST");
                        init.set_body(&body.into());
                        let headers = web_sys::Headers::new().unwrap();
                        headers
                            .set("content-type", "application/x-www-form-urlencoded")
                            .unwrap();
                        init.set_headers(&headers);
                        let url = format!("{}/broadcasting/auth", env(HELPER, "ECHO_TEST_HELPER"));
                        let window = web_sys::window().unwrap();
                        let response: web_sys::Response =
                            JsFuture::from(window.fetch_with_str_and_init(&url, &init))
                                .await
                                .unwrap()
                                .unchecked_into();
                        let data = JsFuture::from(response.json().unwrap()).await.unwrap();
                        let callback: js_sys::Function = callback.unchecked_into();
                        callback
                            .call2(&JsValue::NULL, &JsValue::NULL, &data)
                            .unwrap();
                    });
                },
            );
            set(&object, "authorize", authorize.as_ref());
            authorize.forget(); // test-only: one per authorization
            object.into()
        },
    );
    let options = options("{}");
    set(&options, "authorizer", authorize_factory.as_ref());
    let mut probe = Probe::from_options(options);
    probe.record("private-custom-1", "Hello");
    probe.client.connect();
    probe.client.subscribe("private-custom-1").unwrap();
    probe.subscribed("private-custom-1").await;
    assert_eq!(seen.data_of("authorizer"), vec![r#""private-custom-1""#]);
    trigger("private-custom-1", "Hello", r#"{"ok":true}"#).await;
    probe.saw("private-custom-1/Hello", 1).await;
    drop(authorize_factory);
}

#[wasm_bindgen_test]
async fn authorizer_errors_become_the_channels_subscription_error() {
    let handler =
        Closure::<dyn FnMut(JsValue, JsValue)>::new(|_params: JsValue, callback: JsValue| {
            let callback: js_sys::Function = callback.unchecked_into();
            let error = js_sys::Error::new("not allowed by the app");
            callback
                .call2(&JsValue::NULL, &error, &JsValue::NULL)
                .unwrap();
        });
    let options = options("{}");
    let authorization = js_sys::Object::new();
    set(&authorization, "customHandler", handler.as_ref());
    set(&options, "channelAuthorization", &authorization);
    let mut probe = Probe::from_options(options);
    probe.record("private-denied-by-app", "pusher:subscription_error");
    probe.client.connect();
    probe.client.subscribe("private-denied-by-app").unwrap();
    probe
        .saw("private-denied-by-app/pusher:subscription_error", 1)
        .await;
    let error = json(
        &probe
            .log
            .data_of("private-denied-by-app/pusher:subscription_error")[0],
    );
    assert_eq!(
        get(&error, "type").as_string().as_deref(),
        Some("AuthError")
    );
    assert_eq!(
        get(&error, "error").as_string().as_deref(),
        Some("not allowed by the app")
    );
    drop(handler);
}

#[wasm_bindgen_test]
async fn a_throwing_authorizer_and_an_unreachable_endpoint_are_subscription_errors() {
    // One answers, answers again, then throws: only the first answer counts.
    let handlers = misbehaving_handlers();
    let mut probes = Vec::new();
    for (handler, channel) in handlers
        .iter()
        .zip(["private-answers-twice", "private-throws"])
    {
        let options = options("{}");
        let authorization = js_sys::Object::new();
        set(&authorization, "customHandler", &handler);
        set(&options, "channelAuthorization", &authorization);
        let mut probe = Probe::from_options(options);
        probe.record(channel, "pusher:subscription_error");
        probe.client.connect();
        probe.client.subscribe(channel).unwrap();
        probes.push((probe, channel));
    }
    let mut unreachable = connected_probe(r#"{"authEndpoint":"http://127.0.0.1:1/auth"}"#).await;
    unreachable.record("private-unreachable", "pusher:subscription_error");
    unreachable.client.subscribe("private-unreachable").unwrap();
    probes.push((unreachable, "private-unreachable"));

    let mut errors = Vec::new();
    for (probe, channel) in &probes {
        let label = format!("{channel}/pusher:subscription_error");
        probe.saw(&label, 1).await;
        pause(100).await; // a second answer would be reported by now
        assert_eq!(probe.log.count(&label), 1, "{:?}", probe.log.entries());
        errors.push(json(&probe.log.data_of(&label)[0]));
    }
    assert!(get(&errors[0], "error")
        .as_string()
        .unwrap()
        .contains("JSON"));
    assert_eq!(
        get(&errors[1], "error").as_string().as_deref(),
        Some("thrown by the app")
    );
    assert!(get(&errors[1], "status").is_undefined());
    assert!(get(&errors[2], "error")
        .as_string()
        .unwrap()
        .starts_with("Could not reach the auth endpoint http://127.0.0.1:1/auth: "));
    assert_eq!(get(&errors[2], "status").as_f64(), Some(0.0));
}

// ----- presence ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn presence_members_join_and_leave_between_two_clients() {
    let channel = "presence-room-1";
    let mut alice = connected_probe(r#"{"auth":{"params":{"user_id":"alice"}}}"#).await;
    alice.record(channel, "pusher:subscription_succeeded");
    alice.record(channel, "pusher:member_added");
    alice.record(channel, "pusher:member_removed");
    alice.client.subscribe(channel).unwrap();
    alice
        .saw(&format!("{channel}/pusher:subscription_succeeded"), 1)
        .await;
    let members = alice.client.members(channel);
    assert_eq!(get(&members, "count").as_f64(), Some(1.0));
    assert_eq!(
        stringify(&get(&members, "me")),
        r#"{"id":"alice","info":{"name":"User alice"}}"#
    );

    let mut bob = connected_probe(r#"{"auth":{"headers":{"X-User-Id":"bob"}}}"#).await;
    bob.record(channel, "pusher:subscription_succeeded");
    bob.client.subscribe(channel).unwrap();
    bob.saw(&format!("{channel}/pusher:subscription_succeeded"), 1)
        .await;
    let seen_by_bob = json(
        &bob.log
            .data_of(&format!("{channel}/pusher:subscription_succeeded"))[0],
    );
    assert_eq!(get(&seen_by_bob, "count").as_f64(), Some(2.0));
    // The server's hash has no particular order.
    let hash = get(&seen_by_bob, "members");
    assert_eq!(
        js_sys::Object::keys(hash.unchecked_ref::<js_sys::Object>()).length(),
        2
    );
    assert_eq!(stringify(&get(&hash, "alice")), r#"{"name":"User alice"}"#);
    assert_eq!(stringify(&get(&hash, "bob")), r#"{"name":"User bob"}"#);

    alice
        .saw(&format!("{channel}/pusher:member_added"), 1)
        .await;
    assert_eq!(
        alice.log.data_of(&format!("{channel}/pusher:member_added")),
        vec![r#"{"id":"bob","info":{"name":"User bob"}}"#]
    );
    assert_eq!(
        get(&alice.client.members(channel), "count").as_f64(),
        Some(2.0)
    );

    bob.client.unsubscribe(channel);
    alice
        .saw(&format!("{channel}/pusher:member_removed"), 1)
        .await;
    assert_eq!(
        alice
            .log
            .data_of(&format!("{channel}/pusher:member_removed")),
        vec![r#"{"id":"bob","info":{"name":"User bob"}}"#]
    );
    assert_eq!(
        get(&alice.client.members(channel), "count").as_f64(),
        Some(1.0)
    );
    assert!(bob.client.members(channel).is_undefined());
}

// ----- client events -------------------------------------------------------------------

#[wasm_bindgen_test]
async fn client_events_go_between_two_clients_and_are_refused_on_public_channels() {
    let channel = "private-chat-1";
    let mut sender = connected_probe("{}").await;
    let mut receiver = connected_probe("{}").await;
    sender.record(channel, "client-typing");
    receiver.record(channel, "client-typing");
    sender.client.subscribe(channel).unwrap();
    receiver.client.subscribe(channel).unwrap();
    sender.subscribed(channel).await;
    receiver.subscribed(channel).await;

    sender
        .client
        .trigger(
            channel,
            "client-typing",
            &json(r#"{"name":"Ada","typing":true}"#),
        )
        .map_err(JsValue::from)
        .unwrap();
    receiver.saw(&format!("{channel}/client-typing"), 1).await;
    assert_eq!(
        receiver.log.data_of(&format!("{channel}/client-typing")),
        vec![r#"{"name":"Ada","typing":true}"#]
    );

    sender.client.subscribe("public-lobby").unwrap();
    sender.subscribed("public-lobby").await;
    let refusals = [
        ("public-lobby", "client-typing", "private or presence"),
        (channel, "typing", "client-"),
        ("private-encrypted-x", "client-typing", "not subscribed"),
    ];
    for (on, event, reason) in refusals {
        let error = sender
            .client
            .trigger(on, event, &json("{}"))
            .map_err(JsValue::from)
            .expect_err("refused");
        let message = error_text(&error);
        assert!(message.contains(reason), "{on} {event}: {message}");
    }
    // Unserializable data is refused before anything is sent.
    let cyclic = js_sys::Object::new();
    set(&cyclic, "me", &cyclic);
    assert!(sender.client.trigger(channel, "client-x", &cyclic).is_err());

    // The server does not echo to the sender; give it time to prove it.
    pause(300).await;
    assert_eq!(sender.log.count(&format!("{channel}/client-typing")), 0);
    assert_eq!(sender.client.state(), "connected");
}

// ----- encrypted channels --------------------------------------------------------------

#[wasm_bindgen_test]
async fn encrypted_channel_events_are_decrypted() {
    let channel = "private-encrypted-vault-1";
    let mut probe = connected_probe("{}").await;
    probe.record(channel, "Secret");
    probe.client.subscribe(channel).unwrap();
    probe.subscribed(channel).await;
    trigger(channel, "Secret", r#"{"code":"1234","note":"naïve ✓"}"#).await;
    probe.saw(&format!("{channel}/Secret"), 1).await;
    assert_eq!(
        probe.log.data_of(&format!("{channel}/Secret")),
        vec![r#"{"code":"1234","note":"naïve ✓"}"#]
    );
    let error = probe
        .client
        .trigger(channel, "client-x", &json("{}"))
        .map_err(JsValue::from)
        .expect_err("no client events on encrypted channels");
    assert!(error_text(&error).contains("encrypted"));
}

// ----- resilience ----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn reconnects_after_a_server_restart_and_every_channel_flows_again() {
    let channels = ["restart-public", "private-restart", "presence-restart"];
    let mut probe = connected_probe("{}").await;
    for channel in channels {
        probe.record(channel, "Tick");
        probe.record(channel, "echo-wasm:resumed");
        probe.client.subscribe(channel).unwrap();
    }
    for channel in channels {
        probe.subscribed(channel).await;
    }
    let first_socket = probe.client.socket_id().unwrap();

    helper("POST", "/server/restart", Some(json(r#"{"downMs":600}"#))).await;
    let log = probe.log.clone();
    wait_until("the client noticed the drop", 10_000, || {
        log.data_of("state")
            .iter()
            .filter(|s| *s == r#""connecting""#)
            .count()
            >= 2
    })
    .await;
    let second_socket = probe.connected().await;
    assert_ne!(first_socket, second_socket);
    for channel in channels {
        probe.subscribed(channel).await;
        probe.saw(&format!("{channel}/echo-wasm:resumed"), 1).await;
    }
    for channel in channels {
        trigger(channel, "Tick", r#"{"after":"restart"}"#).await;
    }
    for channel in channels {
        probe.saw(&format!("{channel}/Tick"), 1).await;
    }
    let status = probe.client.status();
    assert!(
        get(&status, "lastClose").is_object(),
        "{}",
        stringify(&status)
    );
}

#[wasm_bindgen_test]
async fn a_dropped_client_leaves_nothing_behind() {
    track_web_sockets();
    let channel = "presence-drop-1";
    let mut watcher = connected_probe(r#"{"auth":{"params":{"user_id":"watcher"}}}"#).await;
    watcher.record(channel, "pusher:member_removed");
    watcher.client.subscribe(channel).unwrap();
    watcher.subscribed(channel).await;
    let sockets_before = count_web_sockets();

    let mut doomed = connected_probe(r#"{"auth":{"params":{"user_id":"doomed"}}}"#).await;
    let calls = Log::default();
    let calls_in_listener = calls.clone();
    let callback = doomed.callback(move |data, _, _| calls_in_listener.push("after-drop", &data));
    doomed.client.bind("drop-public", "Tick", &callback);
    doomed.client.subscribe("drop-public").unwrap();
    doomed.client.subscribe(channel).unwrap();
    doomed.subscribed(channel).await;
    doomed.subscribed("drop-public").await;
    assert_eq!(count_web_sockets(), sockets_before + 1);

    let Probe {
        client,
        log,
        closures,
    } = doomed;
    let states_at_drop = log.count("state");
    drop(client);
    // The socket is closed at once, and the server tells the others.
    assert_eq!(count_web_sockets(), sockets_before);
    watcher
        .saw(&format!("{channel}/pusher:member_removed"), 1)
        .await;
    // Online/offline and visibility listeners are gone too: firing them reaches nobody.
    let window = web_sys::window().unwrap();
    for name in ["online", "offline", "pageshow"] {
        window
            .dispatch_event(&web_sys::Event::new(name).unwrap())
            .unwrap();
    }
    trigger("drop-public", "Tick", "1").await;
    pause(1500).await; // longer than any timer a live client would have armed here
    assert_eq!(calls.count("after-drop"), 0);
    assert_eq!(log.count("state"), states_at_drop, "{:?}", log.entries());

    // A client constructed after the dropped one works normally.
    let mut next = connected_probe("{}").await;
    next.record("drop-public", "Tick");
    next.client.subscribe("drop-public").unwrap();
    next.subscribed("drop-public").await;
    trigger("drop-public", "Tick", "2").await;
    next.saw("drop-public/Tick", 1).await;
    assert_eq!(calls.count("after-drop"), 0);
    drop(closures);
}

#[wasm_bindgen_test]
async fn listeners_may_leave_the_channel_from_inside_a_callback() {
    let mut probe = connected_probe("{}").await;
    let client = Rc::new(RefCell::new(None::<JsClient>));
    // The listener needs the client: hand it over through a shared slot.
    let log = probe.log.clone();
    let slot = Rc::clone(&client);
    let first = probe.callback(move |data, _, _| {
        log.push("first", &data);
        if let Some(client) = slot.borrow().as_ref() {
            client.unsubscribe("reentrant");
        }
    });
    let log = probe.log.clone();
    let second = probe.callback(move |data, _, _| log.push("second", &data));
    let log = probe.log.clone();
    let throwing = probe.callback(move |data, _, _| {
        log.push("throwing", &data);
        wasm_bindgen::throw_str("a listener that throws");
    });
    probe.client.bind("reentrant", "Tick", &throwing);
    probe.client.bind("reentrant", "Tick", &first);
    probe.client.bind("reentrant", "Tick", &second);
    probe.client.subscribe("reentrant").unwrap();
    probe.subscribed("reentrant").await;
    let Probe {
        client: inner,
        log,
        closures,
    } = probe;
    *client.borrow_mut() = Some(inner);

    trigger("reentrant", "Tick", "1").await;
    wait_until("first listener", 10_000, || log.count("first") == 1).await;
    // The throwing listener did not stop the next one; the one after the
    // unsubscription was not called, as its channel was left before its turn.
    assert_eq!(log.count("throwing"), 1);
    assert_eq!(log.count("second"), 0);
    trigger("reentrant", "Tick", "2").await;
    pause(300).await;
    assert_eq!(log.count("first"), 1);
    let client = client.borrow();
    let client = client.as_ref().unwrap();
    assert_eq!(client.channel_state("reentrant"), None);
    assert_eq!(client.state(), "connected");
    drop(closures);
}

#[wasm_bindgen_test]
async fn an_event_reaches_its_listeners_in_order_and_not_those_bound_meanwhile() {
    let mut probe = connected_probe("{}").await;
    let heard = |who: &'static str| JsValue::from_str(who);
    let log = probe.log.clone();
    let global = probe.callback(move |event, _, _| {
        if event.as_string().as_deref() == Some("Tick") {
            log.push("order", &heard("global"));
        }
    });
    let log = probe.log.clone();
    let all = probe.callback(move |event, _, _| {
        if event.as_string().as_deref() == Some("Tick") {
            log.push("order", &heard("all"));
        }
    });
    let log = probe.log.clone();
    let late = probe.callback(move |_, _, _| log.push("order", &heard("late")));
    // The event's own listener binds another one for the same event while the event is
    // being delivered: that one hears the next event, not this one.
    let client = Rc::new(RefCell::new(None::<JsClient>));
    let slot = Rc::clone(&client);
    let late = RefCell::new(Some(late));
    let log = probe.log.clone();
    let own = probe.callback(move |_, _, _| {
        log.push("order", &heard("own"));
        if let (Some(client), Some(late)) = (slot.borrow().as_ref(), late.borrow_mut().take()) {
            client.bind("ordered", "Tick", &late);
        }
    });
    // Bound in the reverse order of delivery.
    probe.client.bind_global(&global);
    probe.client.bind_all("ordered", &all);
    probe.client.bind("ordered", "Tick", &own);
    probe.client.subscribe("ordered").unwrap();
    probe.subscribed("ordered").await;
    let Probe {
        client: inner,
        log,
        closures,
    } = probe;
    *client.borrow_mut() = Some(inner);

    trigger("ordered", "Tick", "1").await;
    wait_until("three listeners", 10_000, || log.count("order") >= 3).await;
    pause(300).await;
    assert_eq!(
        log.data_of("order"),
        [r#""own""#, r#""all""#, r#""global""#]
    );
    trigger("ordered", "Tick", "2").await;
    wait_until("four more", 10_000, || log.count("order") >= 7).await;
    assert_eq!(
        log.data_of("order")[3..],
        [r#""own""#, r#""late""#, r#""all""#, r#""global""#]
    );
    drop(closures);
}

#[wasm_bindgen_test]
async fn user_sign_in_is_confirmed_by_the_server() {
    let options = options("{}");
    let user_auth = json(&format!(
        r#"{{"endpoint":"{}/broadcasting/user-auth","headers":{{"X-User-Id":"42"}}}}"#,
        env(HELPER, "ECHO_TEST_HELPER")
    ));
    set(&options, "userAuthentication", &user_auth);
    let mut probe = Probe::from_options(options);
    let log = probe.log.clone();
    let global = probe.callback(move |event, data, _| {
        if event.as_string().as_deref() == Some("pusher:signin_success") {
            log.push("signin", &data);
        }
    });
    probe.client.bind_global(&global);
    probe.client.connect();
    probe.client.sign_in();
    probe.saw("signin", 1).await;
    let client = &probe.client;
    wait_until("user id", 5_000, || client.user_id().is_some()).await;
    assert_eq!(probe.client.user_id().as_deref(), Some("42"));
}

#[wasm_bindgen_test]
async fn catch_all_and_global_listeners_hear_everything_until_unbound() {
    let mut probe = connected_probe("{}").await;
    let log = probe.log.clone();
    let all = probe.callback(move |event, data, _| {
        log.push(&format!("all:{}", event.as_string().unwrap()), &data);
    });
    let log = probe.log.clone();
    let global = probe.callback(move |event, data, channel| {
        let label = format!(
            "global:{}:{}",
            channel.as_string().unwrap_or_default(),
            event.as_string().unwrap()
        );
        log.push(&label, &data);
    });
    let all_id = probe.client.bind_all("catch-all", &all);
    let global_id = probe.client.bind_global(&global);
    probe.client.subscribe("catch-all").unwrap();
    probe.subscribed("catch-all").await;
    probe.saw("all:pusher:subscription_succeeded", 1).await;

    trigger("catch-all", "First", r#"{"n":1}"#).await;
    probe.saw("all:First", 1).await;
    probe.saw("global:catch-all:First", 1).await;
    assert_eq!(probe.log.data_of("all:First"), vec![r#"{"n":1}"#]);
    assert_eq!(
        probe.log.data_of("global:catch-all:First"),
        vec![r#"{"n":1}"#]
    );

    assert!(probe.client.unbind(all_id));
    assert!(
        !probe.client.unbind(all_id),
        "a second unbind finds nothing"
    );
    assert!(probe.client.unbind(global_id));
    trigger("catch-all", "Second", "2").await;
    // A bound listener proves the event arrived; the unbound ones must not have heard it.
    probe.record("catch-all", "Second");
    trigger("catch-all", "Second", "3").await;
    probe.saw("catch-all/Second", 1).await;
    assert_eq!(probe.log.count("all:Second"), 0);
    assert_eq!(probe.log.count("global:catch-all:Second"), 0);
}

#[wasm_bindgen_test]
async fn status_tells_when_the_next_attempt_is_while_the_server_is_down() {
    let mut probe = connected_probe(r#"{"backoff":{"base":20000,"cap":20000}}"#).await;
    probe.record("status-public", "Back");
    probe.client.subscribe("status-public").unwrap();
    probe.subscribed("status-public").await;

    helper("POST", "/server/stop", None).await;
    let client = &probe.client;
    // Wait for a scheduled retry far enough away to tell an immediate reconnection from
    // a scheduled one (each failed attempt draws a new delay in [0, 20 s]).
    let mut next_retry_in = 0.0;
    wait_until("a retry scheduled more than 4 s ahead", 60_000, || {
        let status = client.status();
        next_retry_in = get(&status, "nextRetryIn").as_f64().unwrap_or(0.0);
        next_retry_in > 4_000.0
    })
    .await;
    let status = probe.client.status();
    assert_ne!(probe.client.state(), "connected");
    assert!(
        get(&status, "attempt").as_f64().unwrap() >= 1.0,
        "{}",
        stringify(&status)
    );
    assert!(
        get(&status, "lastClose").is_object(),
        "{}",
        stringify(&status)
    );
    assert_eq!(probe.client.socket_id(), None);

    // The network is back: `online` retries at once instead of waiting out the delay.
    helper("POST", "/server/start", None).await;
    let window = web_sys::window().unwrap();
    window
        .dispatch_event(&web_sys::Event::new("online").unwrap())
        .unwrap();
    wait_until("connected again before the scheduled retry", 3_000, || {
        client.state() == "connected"
    })
    .await;
    probe.subscribed("status-public").await;
    trigger("status-public", "Back", "1").await;
    probe.saw("status-public/Back", 1).await;
}
