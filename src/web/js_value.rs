//! Moving values across the boundary cheaply.
//!
//! Structured values go to JS as JSON text and come out of one `JSON.parse`: the core
//! already writes JSON, and one parse call costs far fewer bytes of glue than building
//! objects property by property.

use crate::prelude::*;
use wasm_bindgen::prelude::*;

use crate::protocol::json;

// The few built-ins the shell calls, declared here rather than taken from `js-sys`:
// linking `js-sys` brings along an exported task poller for its futures support (dead
// code, but an export, so no optimizer removes it), and its declarations are generic.
#[wasm_bindgen]
extern "C" {
    /// A JS function (a listener, an authorizer).
    #[wasm_bindgen(typescript_type = "Function")]
    #[derive(Debug, Clone)]
    pub type Function;
}

// JSON both ways, the exceptions caught in JS: no `catch` glue per call, no fallback
// code here.
#[wasm_bindgen(inline_js = r#"
export function parse(text) {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export function stringify(value) {
    try {
        return JSON.stringify(value);
    } catch {}
}
"#)]
extern "C" {
    /// `JSON.parse(text)`, or the text itself when it is not JSON.
    #[wasm_bindgen(js_name = parse)]
    pub fn parse_json(text: &str) -> JsValue;

    /// `JSON.stringify(value)`; `None` for values JSON cannot represent (`undefined`, a
    /// function, a cycle, a `toJSON` that throws).
    pub fn stringify(value: &JsValue) -> Option<String>;
}

/// Writes one flat JSON object, member by member.
pub struct ObjectWriter {
    out: String,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter {
            out: String::from("{"),
        }
    }
}

impl ObjectWriter {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Escaped: keys are not always constants (a presence channel's member ids).
    fn key(&mut self, key: &str) -> &mut String {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        json::write_string(&mut self.out, key);
        self.out.push(':');
        &mut self.out
    }

    /// `"key": "value"`.
    pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
        json::write_string(self.key(key), value);
        self
    }

    /// `"key": value` for a value that is already JSON text.
    pub fn raw(&mut self, key: &str, raw_json: &str) -> &mut Self {
        self.key(key).push_str(raw_json);
        self
    }

    /// `"key": n`.
    pub fn number(&mut self, key: &str, n: u64) -> &mut Self {
        json::write_u64(self.key(key), n);
        self
    }

    /// The JSON text.
    pub fn into_text(mut self) -> String {
        self.out.push('}');
        self.out
    }
}
