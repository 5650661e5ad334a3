//! Wire frames: decoding the envelope of what the server sends, encoding what we send.
//!
//! Only the envelope (`event`, `channel`, `user_id`, `data`) is decoded. The payload of
//! an application event is never turned into Rust values: it stays text and is handed to
//! JavaScript, which parses it once. Internal frames (`pusher:*`, `pusher_internal:*`)
//! read the few fields they need straight from that text with [`json`].

use crate::prelude::*;
use alloc::borrow::Cow;

use super::json;

/// An inbound frame, borrowing from the text it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The event name, e.g. `pusher:connection_established` or `App\Events\OrderShipped`.
    pub event: Cow<'a, str>,
    /// The channel the event belongs to, if any.
    pub channel: Option<Cow<'a, str>>,
    /// The sender of a client event on a presence channel (added by the server), as text
    /// whether the server wrote it as a string or a number.
    pub user_id: Option<Cow<'a, str>>,
    /// The payload, still encoded.
    pub data: RawData<'a>,
}

/// The `data` member of a frame, as it appeared on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawData<'a> {
    /// No `data` member.
    Absent,
    /// A JSON value other than a string (usually an object), as raw JSON text.
    Value(&'a str),
    /// A JSON string: the decoded content, usually itself JSON text (server SDKs
    /// double-encode payloads), but possibly any text.
    Encoded(Cow<'a, str>),
}

impl<'a> RawData<'a> {
    /// The JSON text internal frames parse their fields from: the raw value, or the
    /// content of the string. `None` when absent.
    pub fn json_text(&self) -> Option<&str> {
        match self {
            RawData::Absent => None,
            RawData::Value(raw) => Some(raw),
            RawData::Encoded(text) => Some(text),
        }
    }

    /// Takes ownership, for delivery to the app.
    pub fn into_payload(self) -> Payload {
        match self {
            RawData::Absent => Payload::Absent,
            RawData::Value(raw) => Payload::Json(raw.to_owned()),
            RawData::Encoded(text) => Payload::Text(text.into_owned()),
        }
    }
}

/// An event's payload as delivered to the app. The shell turns it into a JS value:
/// `Json` with `JSON.parse`, `Text` with `JSON.parse` falling back to the string itself
/// (the rule of the protocol for double-encoded data), keeping the raw string available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The frame had no data.
    Absent,
    /// Valid JSON text.
    Json(String),
    /// Text that is usually JSON but need not be.
    Text(String),
}

/// Why an inbound frame could not be decoded: a one-line reason, such as
/// `frame is not JSON`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError(pub &'static str);

/// The text is not JSON.
const NOT_JSON: FrameError = FrameError("frame is not JSON");

impl FrameError {
    /// The reason, as the text of a [`ClientError`](super::ClientError).
    pub fn message(&self) -> String {
        self.0.to_owned()
    }
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// Decodes the envelope of one text frame in a single validating pass over it (the
/// member walk checks the whole text). The first occurrence of a member wins.
///
/// The pass only keeps the members' raw values; they are checked and decoded once the
/// whole text is known to be valid. So no error path has a decoded (possibly allocated)
/// value to free, which keeps this function small in wasm.
pub fn decode(text: &str) -> Result<Frame<'_>, FrameError> {
    let Ok(members) = json::entries(text) else {
        // Cold path: tell "not JSON" from "JSON, but not an object".
        return Err(match json::single_value(text) {
            Ok(_) => FrameError("frame is not a JSON object"),
            Err(_) => NOT_JSON,
        });
    };
    let mut event = None;
    let mut channel = None;
    let mut user_id = None;
    let mut data = None;
    for member in members {
        let (key, value) = member.map_err(|_| NOT_JSON)?;
        let slot = match key.as_ref() {
            "event" => &mut event,
            "channel" => &mut channel,
            "user_id" => &mut user_id,
            "data" => &mut data,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    // Every value is valid JSON now: decoding fails only for a value of the wrong type.
    Ok(Frame {
        event: event
            .and_then(json::parse_string)
            .ok_or(FrameError("frame has no \"event\" string"))?,
        channel: match channel {
            None => None,
            Some(raw) => Some(
                json::parse_string(raw)
                    .ok_or(FrameError("frame member \"channel\" is not a string"))?,
            ),
        },
        user_id: match user_id {
            None => None,
            Some(raw) => Some(id_text(raw).ok_or(FrameError(
                "frame member \"user_id\" is not a string or number",
            ))?),
        },
        data: match data {
            None => RawData::Absent,
            Some(raw) => match json::parse_string(raw) {
                Some(text) => RawData::Encoded(text),
                None => RawData::Value(raw),
            },
        },
    })
}

/// A user id as text: the content of a JSON string, or the literal of a JSON number.
/// Servers and Laravel apps use both (`"42"` and `42`).
pub fn id_text(raw: &str) -> Option<Cow<'_, str>> {
    match json::kind(raw)? {
        json::Kind::String => json::parse_string(raw),
        json::Kind::Number => Some(Cow::Borrowed(json::trim_unicode(raw))),
        _ => None,
    }
}

/// A JSON string member of a raw object, decoded.
pub fn get_str<'a>(raw_object: &'a str, key: &str) -> Option<Cow<'a, str>> {
    json::parse_string(json::get(raw_object, key)?)
}

/// `pusher:ping`, sent when the link has been silent for the activity timeout.
pub const PING: &str = r#"{"event":"pusher:ping","data":{}}"#;
/// `pusher:pong`, the answer to a server's ping.
pub const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

/// `{"event":<event>,"data":{<members>}}`, the shape of every client frame but client
/// events. One writer for all of them, so each encoder is just its list of members.
fn data_frame(event: &str, members: &[(&str, &str)]) -> String {
    let mut out = String::from(r#"{"event":"#);
    json::write_string(&mut out, event);
    out.push_str(r#","data":"#);
    let mut separator = '{';
    for (key, value) in members {
        out.push(separator);
        json::write_string(&mut out, key);
        out.push(':');
        json::write_string(&mut out, value);
        separator = ',';
    }
    out.push_str("}}");
    out
}

/// `pusher:subscribe`. Public channels pass `auth = ""` and no channel data; presence
/// channels pass the `channel_data` string from their authorization unchanged.
pub fn subscribe(channel: &str, auth: &str, channel_data: Option<&str>) -> String {
    let members = [
        ("channel", channel),
        ("auth", auth),
        ("channel_data", channel_data.unwrap_or_default()),
    ];
    // One call with the list cut short, rather than two calls with two lists.
    let count = if channel_data.is_some() { 3 } else { 2 };
    data_frame("pusher:subscribe", members.get(..count).unwrap_or_default())
}

/// `pusher:unsubscribe`.
pub fn unsubscribe(channel: &str) -> String {
    data_frame("pusher:unsubscribe", &[("channel", channel)])
}

/// `pusher:signin` with the user authentication's `auth` and `user_data` (a JSON string).
pub fn signin(auth: &str, user_data: &str) -> String {
    data_frame("pusher:signin", &[("auth", auth), ("user_data", user_data)])
}

/// A client event. `data_json` must already be one valid JSON value (checked by the
/// caller); it is sent as a value, not double-encoded.
pub fn client_event(channel: &str, event: &str, data_json: &str) -> String {
    let mut out = String::from(r#"{"event":"#);
    json::write_string(&mut out, event);
    out.push_str(r#","channel":"#);
    json::write_string(&mut out, channel);
    out.push_str(r#","data":"#);
    out.push_str(data_json);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_double_encoded_data() {
        let f = decode(r#"{"event":"App\\Events\\X","channel":"c","data":"{\"a\":1}"}"#).unwrap();
        assert_eq!(f.event, "App\\Events\\X");
        assert_eq!(f.channel.as_deref(), Some("c"));
        assert_eq!(f.data, RawData::Encoded(Cow::Borrowed("{\"a\":1}")).clone());
        assert_eq!(f.data.json_text(), Some(r#"{"a":1}"#));
    }

    #[test]
    fn decodes_object_data_and_numeric_user_id() {
        let f = decode(r#" {"data": {"a" : [1]} ,"user_id":42,"event":"client-x"} "#).unwrap();
        assert_eq!(f.data, RawData::Value(r#"{"a" : [1]}"#));
        assert_eq!(f.user_id.as_deref(), Some("42"));
        assert_eq!(f.channel, None);
    }

    /// The reason `decode` gives for `text`.
    fn reason(text: &str) -> &'static str {
        decode(text).unwrap_err().0
    }

    #[test]
    fn rejects_bad_envelopes() {
        let cases = [
            ("nope", "frame is not JSON"),
            ("", "frame is not JSON"),
            ("[1]", "frame is not a JSON object"),
            ("\"x\"", "frame is not a JSON object"),
            ("{}", "frame has no \"event\" string"),
            (r#"{"channel":"c"}"#, "frame has no \"event\" string"),
            (r#"{"event":1}"#, "frame has no \"event\" string"),
            (
                r#"{"event":1,"event":"e"}"#,
                "frame has no \"event\" string",
            ),
            (
                r#"{"event":"e","channel":5}"#,
                "frame member \"channel\" is not a string",
            ),
            (
                r#"{"event":"e","user_id":{}}"#,
                "frame member \"user_id\" is not a string or number",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(reason(text), message, "{text}");
            assert_eq!(decode(text).unwrap_err().to_string(), message);
            assert_eq!(decode(text).unwrap_err().message(), message);
        }
    }

    #[test]
    fn validates_the_whole_text_in_one_pass() {
        assert!(decode("{\"event\":\"x\"} \r\n").is_ok());
        for bad in [
            "{\"event\":\"x\"} junk",
            "{\"event\":\"x\"}}",
            "{\"event\":\"x\",}",
            "{\"event\":\"x\",\"data\":{\"a\":}}",
            "{\"event\":\"x\"",
            // Malformed JSON is reported as such, whatever the members before it.
            "{\"event\":1,\"data\":x}",
        ] {
            assert_eq!(reason(bad), "frame is not JSON", "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn accepts_only_valid_json(text in "[{}\\[\\]\",:a-z0-9 ]{0,40}") {
            if decode(&text).is_ok() {
                proptest::prop_assert!(json::single_value(&text).is_ok());
            }
        }

        #[test]
        fn accepts_every_valid_object_with_an_event(extra in "[a-z]{0,8}", n in 0u32..1000) {
            let text = std::format!(
                "{{ \"data\" : {{\"{extra}\":[{n},\"{extra}\",null]}}, \"event\":\"{extra}\" }}"
            );
            let frame = decode(&text).unwrap();
            proptest::prop_assert_eq!(frame.event.as_ref(), extra.as_str());
        }
    }

    #[test]
    fn encodes_client_frames() {
        assert_eq!(
            subscribe("presence-a", "k:s", Some(r#"{"user_id":1}"#)),
            r#"{"event":"pusher:subscribe","data":{"channel":"presence-a","auth":"k:s","channel_data":"{\"user_id\":1}"}}"#
        );
        assert_eq!(
            subscribe("a", "", None),
            r#"{"event":"pusher:subscribe","data":{"channel":"a","auth":""}}"#
        );
        assert_eq!(
            unsubscribe("a\"b"),
            r#"{"event":"pusher:unsubscribe","data":{"channel":"a\"b"}}"#
        );
        assert_eq!(
            client_event("private-a", "client-typing", r#"{"x":1}"#),
            r#"{"event":"client-typing","channel":"private-a","data":{"x":1}}"#
        );
        assert_eq!(
            signin("k:s", "{\"id\":\"1\"}"),
            r#"{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{\"id\":\"1\"}"}}"#
        );
        for frame in [PING, PONG] {
            assert!(decode(frame).is_ok());
        }
    }

    #[test]
    fn encoded_frames_decode_back() {
        let text = subscribe("private-é\n", "k:\u{1}", Some("{}"));
        let f = decode(&text).unwrap();
        let data = f.data.json_text().unwrap();
        assert_eq!(get_str(data, "channel").as_deref(), Some("private-é\n"));
        assert_eq!(get_str(data, "auth").as_deref(), Some("k:\u{1}"));
        assert_eq!(get_str(data, "channel_data").as_deref(), Some("{}"));
    }
}
