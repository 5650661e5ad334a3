//! Minimal JSON reading and writing without building a tree.
//!
//! The client decodes only the envelope of each frame (`event`, `channel`, `user_id`,
//! `data`) and a few internal payloads; user payloads stay as raw text handed to JS. So
//! this module validates and slices: every reader returns sub-slices of the input, and
//! only string literals with escapes are ever copied.
//!
//! Validation is iterative (an explicit heap stack of open containers), so hostile input
//! such as a million nested `[` cannot overflow the call stack. Nothing here panics.

use crate::prelude::*;
use alloc::borrow::Cow;

/// Why a text is not valid JSON, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the text where the problem was found.
    pub offset: usize,
    /// What was wrong there.
    pub reason: &'static str,
}

impl JsonError {
    /// `invalid JSON at byte N: reason`, built without the `core::fmt` machinery (which
    /// costs kilobytes of wasm) so the core can report it cheaply.
    pub fn message(&self) -> String {
        let mut out = String::from("invalid JSON at byte ");
        write_u64(&mut out, self.offset as u64);
        out.push_str(": ");
        out.push_str(self.reason);
        out
    }
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for JsonError {}

/// The kind of a raw JSON value, read from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// `-1.5e3` and friends.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

fn fail<T>(offset: usize, reason: &'static str) -> Result<T, JsonError> {
    Err(JsonError { offset, reason })
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// First index at or after `i` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_ws(c)) {
        i += 1;
    }
    i
}

/// `s` without leading and trailing JSON whitespace. Byte-wise: JSON whitespace is ASCII,
/// and a char-pattern trim would pull in UTF-8 decoding in both directions.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let start = skip_ws(b, 0);
    let mut end = b.len();
    while end > start && b.get(end - 1).is_some_and(|&c| is_ws(c)) {
        end -= 1;
    }
    s.get(start..end).unwrap_or_default()
}

/// Exactly `str::trim` (Unicode whitespace), in one forward pass over the chars: the
/// std version also decodes UTF-8 backwards from the end, which costs extra wasm.
pub(crate) fn trim_unicode(s: &str) -> &str {
    let mut start = s.len();
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if !c.is_whitespace() {
            start = start.min(i);
            end = i + c.len_utf8();
        }
    }
    s.get(start..end).unwrap_or_default()
}

/// Index past the run of ASCII digits starting at `i`.
fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// `b[i]` is `"`; index just past the closing quote.
fn string_end(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    i += 1;
    loop {
        match b.get(i) {
            None => return fail(i, "unterminated string"),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    if b.get(i + 2..i + 6).and_then(hex4).is_none() {
                        return fail(i, "invalid \\u escape");
                    }
                    i += 6;
                }
                _ => return fail(i, "invalid escape"),
            },
            Some(&c) if c < 0x20 => return fail(i, "control character in string"),
            Some(_) => i += 1,
        }
    }
}

/// A number starts at `i`; index just past it.
fn number_end(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i),
        _ => return fail(i, "invalid number"),
    }
    if b.get(i) == Some(&b'.') {
        let j = digits(b, i + 1);
        if j == i + 1 {
            return fail(j, "expected a digit after the decimal point");
        }
        i = j;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = digits(b, i);
        if j == i {
            return fail(j, "expected a digit in the exponent");
        }
        i = j;
    }
    Ok(i)
}

/// At `i` (a non-whitespace byte) expects `"key"` `:`; returns the index of the value
/// (whitespace skipped) and the end of the key literal.
fn member_key(b: &[u8], i: usize) -> Result<(usize, usize), JsonError> {
    if b.get(i) != Some(&b'"') {
        return fail(i, "expected a string key");
    }
    let key_end = string_end(b, i)?;
    let colon = skip_ws(b, key_end);
    if b.get(colon) != Some(&b':') {
        return fail(colon, "expected ':'");
    }
    Ok((skip_ws(b, colon + 1), key_end))
}

/// Index just past the JSON value that starts at or after `start` (leading whitespace
/// skipped). Fully validates per RFC 8259, iteratively, so nesting depth is bounded only
/// by memory, never by the call stack. What follows the value is not examined.
pub fn value_end(text: &str, start: usize) -> Result<usize, JsonError> {
    let b = text.as_bytes();
    // Open containers, innermost last: `true` for an object, `false` for an array.
    let mut stack: Vec<bool> = Vec::new();
    let mut i = skip_ws(b, start);
    loop {
        // `i` is at the first byte of a value.
        match b.get(i) {
            Some(b'{') => {
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    stack.push(true);
                    i = member_key(b, i)?.0;
                    continue;
                }
            }
            Some(b'[') => {
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    stack.push(false);
                    continue;
                }
            }
            Some(b'"') => i = string_end(b, i)?,
            Some(b'-' | b'0'..=b'9') => i = number_end(b, i)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            None => return fail(i, "unexpected end of input"),
            Some(_) => return fail(i, "expected a value"),
        }
        // A value just ended at `i`: close containers until one wants another value.
        loop {
            let Some(&is_object) = stack.last() else {
                return Ok(i);
            };
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws(b, i + 1);
                    if is_object {
                        i = member_key(b, i)?.0;
                    }
                    break;
                }
                Some(b'}') if is_object => {
                    stack.pop();
                    i += 1;
                }
                Some(b']') if !is_object => {
                    stack.pop();
                    i += 1;
                }
                None => return fail(i, "unterminated object or array"),
                Some(_) if is_object => return fail(i, "expected ',' or '}'"),
                Some(_) => return fail(i, "expected ',' or ']'"),
            }
        }
    }
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, JsonError> {
    let end = i + word.len();
    if b.get(i..end) == Some(word) {
        Ok(end)
    } else {
        fail(i, "invalid literal")
    }
}

/// The single JSON value that makes up `text` (surrounding whitespace trimmed), or why not.
pub fn single_value(text: &str) -> Result<&str, JsonError> {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    let end = value_end(text, start)?;
    let after = skip_ws(b, end);
    if after != b.len() {
        return fail(after, "unexpected text after the value");
    }
    text.get(start..end).ok_or(JsonError {
        offset: start,
        reason: "invalid slice",
    })
}

/// Kind of a raw value slice (by first non-whitespace byte); None for empty/garbage.
pub fn kind(raw: &str) -> Option<Kind> {
    let b = raw.as_bytes();
    Some(match b.get(skip_ws(b, 0))? {
        b'{' => Kind::Object,
        b'[' => Kind::Array,
        b'"' => Kind::String,
        b'-' | b'0'..=b'9' => Kind::Number,
        b't' | b'f' => Kind::Bool,
        b'n' => Kind::Null,
        _ => return None,
    })
}

/// Value of four ASCII hex digits.
fn hex4(h: &[u8]) -> Option<u32> {
    if h.len() != 4 {
        return None;
    }
    h.iter().try_fold(0, |acc, &c| {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        Some(acc << 4 | u32::from(digit))
    })
}

/// Decodes a raw JSON string literal (including its quotes; surrounding whitespace is
/// allowed) into its content, borrowing when it has no escapes. Handles all RFC 8259
/// escapes including `\uXXXX` surrogate pairs; a lone surrogate becomes U+FFFD. None if
/// `raw` is not exactly one valid string literal.
pub fn parse_string(raw: &str) -> Option<Cow<'_, str>> {
    let raw = trim(raw);
    let b = raw.as_bytes();
    if b.first() != Some(&b'"') || string_end(b, 0).ok()? != b.len() {
        return None;
    }
    let content = raw.get(1..b.len() - 1)?;
    let c = content.as_bytes();
    // Byte scans rather than `str::find`: the escape character is ASCII.
    if !c.contains(&b'\\') {
        return Some(Cow::Borrowed(content));
    }
    let mut out = String::with_capacity(content.len());
    let mut start = 0;
    let mut i = 0;
    while let Some(&byte) = c.get(i) {
        if byte != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(content.get(start..i)?);
        let esc = c.get(i + 1..)?;
        let (ch, used) = match esc.first()? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            b'u' => {
                let mut cp = hex4(esc.get(1..5)?)?;
                let mut used = 5;
                if (0xD800..0xDC00).contains(&cp) && esc.get(5..7) == Some(b"\\u") {
                    if let Some(lo) = esc.get(7..11).and_then(hex4) {
                        if (0xDC00..0xE000).contains(&lo) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            used = 11;
                        }
                    }
                }
                // Unpaired surrogates are not chars: `from_u32` rejects them.
                (char::from_u32(cp).unwrap_or('\u{FFFD}'), used)
            }
            _ => return None,
        };
        out.push(ch);
        i += 1 + used;
        start = i;
    }
    out.push_str(content.get(start..)?);
    Some(Cow::Owned(out))
}

/// A non-negative integer literal as u64 (`120` → 120). A fraction is truncated
/// (`120.7` → 120); a negative number, an exponent, a non-number or overflow → None.
pub fn parse_u64(raw: &str) -> Option<u64> {
    let b = trim(raw).as_bytes();
    if number_end(b, 0).ok()? != b.len() {
        return None;
    }
    // One pass over a valid literal: digits before the point count, the fraction is
    // ignored, a sign or an exponent rejects.
    let mut n = 0u64;
    let mut fraction = false;
    for &c in b {
        match c {
            b'.' => fraction = true,
            b'0'..=b'9' if !fraction => n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?,
            b'0'..=b'9' => {}
            _ => return None,
        }
    }
    Some(n)
}

/// The position shared by [`Entries`] and [`Elements`]: one stepping routine for both, so
/// the wasm carries a single copy of the object/array walking code.
#[derive(Debug, Clone)]
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    first: bool,
    done: bool,
}

impl<'a> Cursor<'a> {
    /// Just past the opening `bracket` of `raw`, or an error.
    fn open(raw: &'a str, bracket: u8, reason: &'static str) -> Result<Self, JsonError> {
        let b = raw.as_bytes();
        let i = skip_ws(b, 0);
        if b.get(i) != Some(&bracket) {
            return fail(i, reason);
        }
        Ok(Cursor {
            text: raw,
            pos: i + 1,
            first: true,
            done: false,
        })
    }

    /// The next item: the raw key literal (objects; empty for arrays) and the raw value.
    /// Yields one error on malformed input, then `None`.
    fn next(&mut self, object: bool) -> Option<Result<(&'a str, &'a str), JsonError>> {
        if self.done {
            return None;
        }
        match self.step(object) {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn step(&mut self, object: bool) -> Result<Option<(&'a str, &'a str)>, JsonError> {
        let text = self.text;
        let b = text.as_bytes();
        let (close, reason, invalid) = if object {
            (b'}', "expected ',' or '}'", "invalid member")
        } else {
            (b']', "expected ',' or ']'", "invalid element")
        };
        let mut i = skip_ws(b, self.pos);
        if b.get(i) == Some(&close) {
            // `{}` / `[]`, or the end after at least one item.
            return Ok(None);
        }
        if !self.first {
            if b.get(i) != Some(&b',') {
                return fail(i, reason);
            }
            i = skip_ws(b, i + 1);
        }
        let (value_start, key_end) = if object { member_key(b, i)? } else { (i, i) };
        let value_stop = value_end(text, value_start)?;
        let bad = JsonError {
            offset: i,
            reason: invalid,
        };
        let key = text.get(i..key_end).ok_or(bad)?;
        let value = text.get(value_start..value_stop).ok_or(bad)?;
        self.pos = value_stop;
        self.first = false;
        Ok(Some((key, value)))
    }
}

/// Iterator over the members of a raw JSON object: yields (decoded key, raw value slice).
/// Validates as it goes; yields `Some(Err(..))` once on malformed input and then `None`.
#[derive(Debug, Clone)]
pub struct Entries<'a>(Cursor<'a>);

/// Starts iterating the members of the object `raw`; errors if `raw` (whitespace allowed
/// around) does not start with `{`.
pub fn entries(raw: &str) -> Result<Entries<'_>, JsonError> {
    Cursor::open(raw, b'{', "expected an object").map(Entries)
}

impl Entries<'_> {
    /// Once the iterator has returned `None` without an error: the index just past the
    /// object's closing `}`. Lets a caller validate and read an object in one pass.
    pub fn end(&self) -> Option<usize> {
        let Cursor {
            text, pos, done, ..
        } = self.0;
        if !done {
            return None;
        }
        let i = skip_ws(text.as_bytes(), pos);
        (text.as_bytes().get(i) == Some(&b'}')).then_some(i + 1)
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<(Cow<'a, str>, &'a str), JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (key, value) = match self.0.next(true)? {
            Ok(item) => item,
            Err(e) => return Some(Err(e)),
        };
        // The key literal was validated by the step; decoding it cannot fail.
        match parse_string(key) {
            Some(key) => Some(Ok((key, value))),
            None => {
                self.0.done = true;
                Some(fail(self.0.pos, "invalid member"))
            }
        }
    }
}

/// Raw value of the first member named `key` of a raw object; None if absent, not an
/// object, or malformed before it is found.
pub fn get<'a>(raw_object: &'a str, key: &str) -> Option<&'a str> {
    for entry in entries(raw_object).ok()? {
        let (k, v) = entry.ok()?;
        if k == key {
            return Some(v);
        }
    }
    None
}

/// Iterator over the elements (raw slices) of a raw JSON array. Validates as it goes;
/// yields `Some(Err(..))` once on malformed input and then `None`.
#[derive(Debug, Clone)]
pub struct Elements<'a>(Cursor<'a>);

/// Starts iterating the elements of the array `raw`; errors if `raw` (whitespace allowed
/// around) does not start with `[`.
pub fn elements(raw: &str) -> Result<Elements<'_>, JsonError> {
    Cursor::open(raw, b'[', "expected an array").map(Elements)
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<&'a str, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.0.next(false)?.map(|(_, value)| value))
    }
}

/// Appends `s` as a JSON string literal: quotes, escapes for `"` `\` and control
/// characters below 0x20 (`\n` `\r` `\t` `\b` `\f`, else `\u00XX`). Non-ASCII is written
/// as-is (UTF-8).
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.bytes().enumerate() {
        let esc = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "\\u00",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slices fall on char boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        out.push_str(esc);
        if esc == "\\u00" {
            out.push(char::from(b'0' + (c >> 4)));
            let low = c & 0xf;
            out.push(char::from(if low < 10 {
                b'0' + low
            } else {
                b'a' + low - 10
            }));
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Appends the decimal digits of `n` without going through `core::fmt`.
pub fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in buf.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) {
        assert_eq!(single_value(s), Ok(s.trim()), "should accept {s:?}");
    }

    fn bad(s: &str) {
        assert!(single_value(s).is_err(), "should reject {s:?}");
    }

    #[test]
    fn trim_unicode_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}\u{3000}é b\u{2028}\n",
            "\u{85}",
            "x\u{200b}",
            "\t\u{1680}😀",
        ] {
            assert_eq!(trim_unicode(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn accepts_valid_documents() {
        for s in [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1",
            "-1",
            "120",
            "1.5",
            "-0.25",
            "1e5",
            "1E+5",
            "1e-5",
            "0.5e10",
            "123456789012345678901234567890",
            "\"\"",
            "\"abc\"",
            "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
            "\"ünïcødé 😀\"",
            "{}",
            "[]",
            "{ }",
            "[ ]",
            "[1,2,3]",
            "{\"a\":1}",
            "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}",
            " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n",
            "[[],[[]],{}]",
            "[\"]\",\"}\",\"[\",\"{\"]",
        ] {
            ok(s);
        }
    }

    #[test]
    fn rejects_invalid_documents() {
        for s in [
            "",
            "   ",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "{,}",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":}",
            "{a:1}",
            "{1:1}",
            "{\"a\":1 \"b\":2}",
            "01",
            "-01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "0x10",
            "NaN",
            "Infinity",
            "\"abc",
            "\"abc\\\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"\\U1234\"",
            "\"a\nb\"",
            "\"a\u{1}b\"",
            "\"a\tb\"",
            "'a'",
            "tru",
            "truex",
            "nul",
            "False",
            "[",
            "]",
            "{",
            "}",
            "[1}",
            "{\"a\":1]",
            "[1]]",
            "{} {}",
            "1 2",
        ] {
            bad(s);
        }
    }

    #[test]
    fn value_end_offsets() {
        assert_eq!(value_end("  [1, 2] tail", 0), Ok(8));
        assert_eq!(value_end("xx\"a\"yy", 2), Ok(5));
        assert_eq!(value_end("123abc", 0), Ok(3));
        assert_eq!(
            value_end("[]", 99).map_err(|e| e.reason),
            Err("unexpected end of input")
        );
        let e = value_end("[1,]", 0).unwrap_err();
        assert_eq!(e.offset, 3);
        let e = value_end("\"a\nb\"", 0).unwrap_err();
        assert_eq!(e.offset, 2);
        assert_eq!(
            e.to_string(),
            "invalid JSON at byte 2: control character in string"
        );
    }

    #[test]
    fn deep_nesting_is_iterative() {
        let n = 1_000_000;
        let valid = "[".repeat(n) + &"]".repeat(n);
        assert_eq!(value_end(&valid, 0), Ok(2 * n));
        let valid = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
        ok(&valid);
        let unterminated = "[".repeat(n);
        assert!(value_end(&unterminated, 0).is_err());
        let unterminated = "[".repeat(100_000) + &"]".repeat(99_999);
        bad(&unterminated);
        let mismatched = "[{".repeat(100_000);
        bad(&mismatched);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind(" {}"), Some(Kind::Object));
        assert_eq!(kind("[1]"), Some(Kind::Array));
        assert_eq!(kind("\"x\""), Some(Kind::String));
        assert_eq!(kind("-1"), Some(Kind::Number));
        assert_eq!(kind("7"), Some(Kind::Number));
        assert_eq!(kind("true"), Some(Kind::Bool));
        assert_eq!(kind("false"), Some(Kind::Bool));
        assert_eq!(kind("null"), Some(Kind::Null));
        assert_eq!(kind(""), None);
        assert_eq!(kind("  "), None);
        assert_eq!(kind("x"), None);
    }

    #[test]
    fn strings() {
        assert_eq!(parse_string("\"abc\""), Some(Cow::Borrowed("abc")));
        assert!(matches!(parse_string("\"abc\""), Some(Cow::Borrowed(_))));
        assert_eq!(parse_string(" \"\" "), Some(Cow::Borrowed("")));
        assert_eq!(
            parse_string(r#""a\"b\\c\/d\be\ff\ng\rh\ti""#).as_deref(),
            Some("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti")
        );
        assert_eq!(parse_string(r#""\u00e9\u20AC""#).as_deref(), Some("é€"));
        assert_eq!(parse_string(r#""\ud83d\ude00!""#).as_deref(), Some("😀!"));
        assert_eq!(parse_string(r#""\uD834\uDD1E""#).as_deref(), Some("𝄞"));
        assert_eq!(parse_string(r#""\ud83d""#).as_deref(), Some("\u{FFFD}"));
        assert_eq!(parse_string(r#""\ude00x""#).as_deref(), Some("\u{FFFD}x"));
        assert_eq!(
            parse_string(r#""\ud83d\u0041""#).as_deref(),
            Some("\u{FFFD}A")
        );
        assert_eq!(
            parse_string(r#""\ud83d\ud83d\ude00""#).as_deref(),
            Some("\u{FFFD}😀")
        );
        assert_eq!(parse_string(r#""\ud83d\n""#).as_deref(), Some("\u{FFFD}\n"));
        assert_eq!(parse_string(r#""\u0000""#).as_deref(), Some("\0"));
        assert_eq!(parse_string("\"ü\\n😀\"").as_deref(), Some("ü\n😀"));
        for s in [
            "",
            "\"",
            "abc",
            "\"abc",
            "\"a\"b\"",
            "\"a\" x",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\n\"",
            "1",
            "null",
        ] {
            assert_eq!(parse_string(s), None, "{s:?}");
        }
    }

    #[test]
    fn u64s() {
        assert_eq!(parse_u64("120"), Some(120));
        assert_eq!(parse_u64(" 0 "), Some(0));
        assert_eq!(parse_u64("120.7"), Some(120));
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        for s in [
            "-1", "-0", "1e3", "1E3", "01", "1.", "", "x", "\"1\"", "null", "1 2",
        ] {
            assert_eq!(parse_u64(s), None, "{s:?}");
        }
    }

    #[test]
    fn object_entries() {
        let raw = " { \"event\" : \"pusher:ping\", \"data\":{\"a\":[1,2]} ,\"n\":1.5,\"e\\u0041\":null } ";
        let got: Vec<_> = entries(raw).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            vec![
                (Cow::Borrowed("event"), "\"pusher:ping\""),
                (Cow::Borrowed("data"), "{\"a\":[1,2]}"),
                (Cow::Borrowed("n"), "1.5"),
                (Cow::Owned("eA".to_string()), "null"),
            ]
        );
        assert_eq!(entries("{}").unwrap().count(), 0);
        assert_eq!(entries(" { } ").unwrap().count(), 0);
        assert!(entries("[]").is_err());
        assert!(entries("").is_err());

        let mut it = entries("{\"a\":1,}").unwrap();
        assert_eq!(it.next(), Some(Ok((Cow::Borrowed("a"), "1"))));
        assert!(matches!(it.next(), Some(Err(_))));
        assert_eq!(it.next(), None);

        for s in [
            "{\"a\"}",
            "{\"a\":1",
            "{\"a\":1 \"b\":2}",
            "{,\"a\":1}",
            "{1:2}",
            "{\"a\":[}",
        ] {
            let items: Vec<_> = entries(s).unwrap().collect();
            assert!(matches!(items.last(), Some(Err(_))), "{s:?}");
            assert_eq!(items.iter().filter(|r| r.is_err()).count(), 1);
        }
    }

    #[test]
    fn get_members() {
        let raw =
            r#"{"event":"e","data":"{\"x\":1}","channel":"c","dup":1,"dup":2,"user_id":null}"#;
        assert_eq!(get(raw, "event"), Some("\"e\""));
        assert_eq!(get(raw, "data"), Some(r#""{\"x\":1}""#));
        assert_eq!(get(raw, "user_id"), Some("null"));
        assert_eq!(get(raw, "dup"), Some("1"));
        assert_eq!(get(raw, "missing"), None);
        assert_eq!(get("[1]", "a"), None);
        assert_eq!(get("\"a\"", "a"), None);
        assert_eq!(get(r#"{"a":1,"b":}"#, "a"), Some("1"));
        assert_eq!(get(r#"{"a":,"b":1}"#, "b"), None);
        assert_eq!(get(r#"{"\u0061":5}"#, "a"), Some("5"));
        assert_eq!(get(r#"{"a" : [ 1 ] }"#, "a"), Some("[ 1 ]"));
    }

    #[test]
    fn array_elements() {
        let got: Vec<_> = elements(" [ 1 , \"two\" ,{\"x\":[]}, [ ], null ] ")
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, vec!["1", "\"two\"", "{\"x\":[]}", "[ ]", "null"]);
        assert_eq!(elements("[]").unwrap().count(), 0);
        assert_eq!(elements("[ \n ]").unwrap().count(), 0);
        assert!(elements("{}").is_err());
        for s in ["[1,]", "[1 2]", "[,]", "[1", "[01]", "[\"a]"] {
            let items: Vec<_> = elements(s).unwrap().collect();
            assert!(matches!(items.last(), Some(Err(_))), "{s:?}");
            assert_eq!(items.iter().filter(|r| r.is_err()).count(), 1);
        }
    }

    #[test]
    fn writing() {
        let mut out = String::new();
        write_string(
            &mut out,
            "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{0}i\u{1f}j\u{7f}ü😀/",
        );
        assert_eq!(
            out,
            "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0000i\\u001fj\u{7f}ü😀/\""
        );
        let mut out = String::from("x");
        write_string(&mut out, "");
        assert_eq!(out, "x\"\"");
        for n in [0, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            let mut out = String::new();
            write_u64(&mut out, n);
            assert_eq!(out, n.to_string());
            assert_eq!(parse_u64(&out), Some(n));
        }
    }

    /// Optional JSON whitespace.
    fn ws() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just(' '), Just('\t'), Just('\n'), Just('\r')],
            0..3,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    /// A serialized JSON string literal, built independently of `write_string`.
    fn json_string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            any::<char>()
                .prop_filter("needs escaping", |c| *c >= ' ' && *c != '"' && *c != '\\')
                .prop_map(String::from),
            prop_oneof![
                Just("\\\""),
                Just("\\\\"),
                Just("\\/"),
                Just("\\b"),
                Just("\\f"),
                Just("\\n"),
                Just("\\r"),
                Just("\\t"),
            ]
            .prop_map(String::from),
            (any::<u16>(), any::<bool>()).prop_map(|(u, upper)| if upper {
                std::format!("\\u{u:04X}")
            } else {
                std::format!("\\u{u:04x}")
            }),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|v| std::format!("\"{}\"", v.concat()))
    }

    fn json_number() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,20}"],
            proptest::option::of("[0-9]{1,5}"),
            proptest::option::of(("[eE]", "[+-]?", "[0-9]{1,3}")),
        )
            .prop_map(|(neg, int, frac, exp)| {
                let mut s = String::new();
                if neg {
                    s.push('-');
                }
                s.push_str(&int);
                if let Some(f) = frac {
                    s.push('.');
                    s.push_str(&f);
                }
                if let Some((e, sign, d)) = exp {
                    s.push_str(&e);
                    s.push_str(&sign);
                    s.push_str(&d);
                }
                s
            })
    }

    fn json_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            json_number(),
            json_string(),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec((ws(), inner.clone(), ws()), 0..6).prop_map(|items| {
                    let body: Vec<String> =
                        items.into_iter().map(|(a, v, b)| a + &v + &b).collect();
                    std::format!("[{}]", body.join(","))
                }),
                proptest::collection::vec((ws(), json_string(), ws(), ws(), inner, ws()), 0..6)
                    .prop_map(|items| {
                        let body: Vec<String> = items
                            .into_iter()
                            .map(|(a, k, b, c, v, d)| a + &k + &b + ":" + &c + &v + &d)
                            .collect();
                        std::format!("{{{}}}", body.join(","))
                    }),
            ]
        })
    }

    /// Strings made mostly of JSON's structural characters, to reach deep paths.
    fn jsonish() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", "\"", "\\", "u", "0", "1", "-", ".", "e", "+",
                    " ", "\n", "true", "null", "fals", "\"a\"", "\\u", "d83d", "\u{0}", "é", "😀",
                ])
                .prop_map(String::from),
                any::<char>().prop_map(String::from),
            ],
            0..40,
        )
        .prop_map(|v| v.concat())
    }

    fn exercise(s: &str) {
        let _ = value_end(s, 0);
        let _ = value_end(s, s.len() / 2);
        let _ = single_value(s);
        let _ = kind(s);
        let _ = parse_string(s);
        let _ = parse_u64(s);
        if let Ok(it) = entries(s) {
            let items: Vec<_> = it.collect();
            assert!(items.iter().filter(|r| r.is_err()).count() <= 1);
        }
        if let Ok(it) = elements(s) {
            let items: Vec<_> = it.collect();
            assert!(items.iter().filter(|r| r.is_err()).count() <= 1);
        }
        let _ = get(s, "a");
        // Whatever is accepted, its slices must themselves be single values.
        if let Ok(v) = single_value(s) {
            assert_eq!(single_value(v), Ok(v));
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in any::<String>()) {
            exercise(&s);
        }

        #[test]
        fn never_panics_on_jsonish_text(s in jsonish()) {
            exercise(&s);
        }

        #[test]
        fn write_string_round_trips(s in any::<String>()) {
            let mut out = String::new();
            write_string(&mut out, &s);
            prop_assert_eq!(single_value(&out), Ok(out.as_str()));
            let parsed = parse_string(&out);
            prop_assert_eq!(parsed.as_deref(), Some(s.as_str()));
        }

        #[test]
        fn trim_unicode_matches_std(s in any::<String>()) {
            prop_assert_eq!(trim_unicode(&s), s.trim());
        }

        #[test]
        fn write_u64_round_trips(n in any::<u64>()) {
            let mut out = String::new();
            write_u64(&mut out, n);
            prop_assert_eq!(&out, &n.to_string());
            prop_assert_eq!(parse_u64(&out), Some(n));
        }

        #[test]
        fn accepts_generated_json((lead, v, trail) in (ws(), json_value(), ws())) {
            let text = lead + &v + &trail;
            prop_assert_eq!(single_value(&text), Ok(v.as_str()));
            prop_assert_eq!(value_end(&text, 0), Ok(text.len() - trail.len()));
            // Every member / element slice is itself a complete value.
            if let Ok(it) = entries(&v) {
                for item in it {
                    let (k, raw) = item.unwrap();
                    prop_assert_eq!(single_value(raw), Ok(raw));
                    prop_assert!(get(&v, &k).is_some());
                }
            }
            if let Ok(it) = elements(&v) {
                for item in it {
                    let raw = item.unwrap();
                    prop_assert_eq!(single_value(raw), Ok(raw));
                }
            }
        }

        #[test]
        fn rejects_truncated_generated_json(v in json_value(), cut in any::<prop::sample::Index>()) {
            // Any strict prefix of a container or string is incomplete.
            if v.starts_with(['[', '{', '"']) {
                let mut at = cut.index(v.len());
                while !v.is_char_boundary(at) {
                    at -= 1;
                }
                prop_assert!(single_value(&v[..at]).is_err());
            }
        }
    }
}
