//! Smoke test: the shortest path from connect to a delivered event.
mod support;
use echo_wasm::protocol::*;
use support::*;

#[test]
fn connects_subscribes_and_delivers() {
    let mut h = Harness::connected("123.456");
    h.subscribe("orders");
    assert_eq!(
        h.take_sent(),
        [r#"{"event":"pusher:subscribe","data":{"channel":"orders","auth":""}}"#]
    );
    h.server(&succeeded("orders"));
    h.server(&frame("App\\\\Events\\\\X", "orders", r#"{"id":1}"#));
    let events = h.take_events();
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Subscribed { channel } if channel == "orders")));
    assert!(
        events.iter().any(
            |e| matches!(e, Event::Message(m) if m.data == Payload::Text(r#"{"id":1}"#.into()))
        ),
        "{events:?}"
    );
}
