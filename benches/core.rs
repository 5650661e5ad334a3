//! Throughput of the protocol core's hot paths, natively, with the size-tuned release
//! profile the wasm build uses. Prints figures; asserts nothing about speed (`make bench`).

use std::hint::black_box;
use std::time::{Duration, Instant as Clock};

use crypto_secretbox::aead::Aead;
use crypto_secretbox::{KeyInit, XSalsa20Poly1305};
use echo_wasm::protocol::{
    frame, AuthData, AuthTarget, Client, Config, Endpoint, EndpointOptions, Event, Instant, Output,
};

/// Runs `f` repeatedly for about `budget` and returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Clock::now();
    let mut calls = 0u64;
    while start.elapsed() < budget {
        for _ in 0..1_000 {
            f();
        }
        calls += 1_000;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn report(what: &str, per_second: f64, bytes: usize) {
    println!(
        "{what:<48} {:>12.0} /s {:>8.1} MB/s",
        per_second,
        per_second * bytes as f64 / 1e6
    );
}

/// A connected client subscribed to `orders` and `private-encrypted-orders`.
fn connected_client(secret_b64: &str) -> Client {
    let mut options = EndpointOptions::new("bench-key");
    options.ws_host = Some("127.0.0.1");
    options.force_tls = Some(false);
    let endpoint = Endpoint::new(&options).expect("valid endpoint");
    let mut client = Client::new(Config::new(endpoint));
    let now = Instant::from_millis(1);
    client.connect(now);
    let mut link = None;
    while let Some(output) = client.poll_output() {
        if let Output::Open { link: l, .. } = output {
            link = Some(l);
        }
    }
    let link = link.expect("socket requested");
    client.handle_socket_open(now, link);
    client.handle_frame(
        now,
        link,
        r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.1\",\"activity_timeout\":120}"}"#,
    );
    client.subscribe(now, "orders").expect("public channel");
    client
        .subscribe(now, "private-encrypted-orders")
        .expect("encrypted channel");
    while let Some(output) = client.poll_output() {
        if let Output::Authorize(request) = output {
            assert_eq!(
                request.target,
                AuthTarget::Channel("private-encrypted-orders".into())
            );
            let data = AuthData {
                auth: "bench-key:sig".into(),
                shared_secret: Some(secret_b64.into()),
                ..AuthData::default()
            };
            client.handle_auth_reply(now, request.id, Ok(data));
        }
    }
    for channel in ["orders", "private-encrypted-orders"] {
        let confirm = format!(
            r#"{{"event":"pusher_internal:subscription_succeeded","channel":"{channel}","data":"{{}}"}}"#
        );
        client.handle_frame(now, link, &confirm);
    }
    while client.poll_output().is_some() {}
    client
}

fn main() {
    let budget = Duration::from_millis(400);
    // A typical Laravel broadcast: a model of a dozen fields, double-encoded.
    let payload = r#"{"order":{"id":1234,"status":"shipped","total":"129.90","currency":"EUR","customer":{"id":77,"name":"Ana Lima","email":"ana@example.test"},"items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"updated_at":"2026-11-23T14:00:00Z"},"socket":null}"#;
    let event = format!(
        r#"{{"event":"App\\Events\\OrderShipped","channel":"orders","data":{}}}"#,
        encode_string(payload)
    );

    println!("echo-wasm protocol core, native, release profile (opt-level z)");
    println!("event frame: {} bytes\n", event.len());

    report(
        "frame::decode (envelope of an event frame)",
        rate(budget, || {
            black_box(frame::decode(black_box(&event)).is_ok());
        }),
        event.len(),
    );

    let key = [7u8; 32];
    let secret_b64 = base64_encode(&key);
    let mut client = connected_client(&secret_b64);
    let link = echo_wasm::protocol::LinkId(1);
    let mut now = 2u64;
    report(
        "Client::handle_frame + poll_output (public event)",
        rate(budget, || {
            now += 1;
            client.handle_frame(Instant::from_millis(now), link, &event);
            while let Some(output) = client.poll_output() {
                black_box(matches!(output, Output::Event(Event::Message(_))));
            }
        }),
        event.len(),
    );

    let cipher = XSalsa20Poly1305::new(&key.into());
    let nonce = [9u8; 24];
    let sealed = cipher
        .encrypt(&nonce.into(), payload.as_bytes())
        .expect("encrypts");
    let data = format!(
        r#"{{"ciphertext":"{}","nonce":"{}"}}"#,
        base64_encode(&sealed),
        base64_encode(&nonce)
    );
    let encrypted = format!(
        r#"{{"event":"App\\Events\\OrderShipped","channel":"private-encrypted-orders","data":{}}}"#,
        encode_string(&data)
    );
    let mut delivered = 0u64;
    report(
        "Client::handle_frame (encrypted event, decrypted)",
        rate(budget, || {
            now += 1;
            client.handle_frame(Instant::from_millis(now), link, &encrypted);
            while let Some(output) = client.poll_output() {
                if matches!(output, Output::Event(Event::Message(_))) {
                    delivered += 1;
                }
            }
        }),
        encrypted.len(),
    );
    assert!(delivered > 0, "encrypted events were delivered");
}

/// JSON string literal of `s` (quotes and backslashes escaped; enough for these inputs).
fn encode_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
