//! Minimal JSON reading and writing without building a tree.
//!
//! The client decodes only the envelope of each frame (`event`, `channel`, `user_id`,
//! `data`) and a few internal payloads; user payloads stay as raw text handed to JS. So
//! this module validates and slices: every reader returns sub-slices of the input, and
//! only string literals with escapes are ever copied.
//!
//! Validation is iterative (an explicit heap stack of open containers), so hostile input
//! such as a million nested `[` cannot overflow the call stack. Nothing here panics.
//!
//! Written for a small wasm module: one byte-driven scanner does all the reading, with
//! one routine that both checks and decodes string literals, and reads the text byte by
//! byte through a getter that has no failure path to carry around. An error is only
//! where reading stopped: a malformed frame needs a clear one-line reason, not a
//! diagnosis, and every distinct message would cost its bytes in the module.

use crate::prelude::*;
use alloc::borrow::Cow;
use core::num::NonZeroUsize;

/// Why a text is not valid JSON: where reading it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the first byte that cannot continue a valid text, or the text's
    /// length if it ends too early.
    pub offset: usize,
}

impl JsonError {
    /// `invalid JSON at byte N`, built without the `core::fmt` machinery (which costs
    /// kilobytes of wasm).
    pub fn message(&self) -> String {
        let mut out = String::from("invalid JSON at byte ");
        write_u64(&mut out, self.offset as u64);
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

/// `b[i]`, or 0 past the end. A NUL byte is never valid JSON outside a string, so the
/// readers can take 0 for "no further byte".
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `text[start..end]`, or "" if that is not a char range (never, for the ASCII-delimited
/// ranges used here). One function for every slice, so one copy of the boundary checks.
fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or_default()
}

/// The letters of the escapes `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`, and in
/// [`ESCAPED`] the bytes they stand for, in the same order.
const ESCAPES: &[u8; 8] = b"\"\\/bfnrt";
/// The bytes of the [`ESCAPES`].
const ESCAPED: &[u8; 8] = b"\"\\/\x08\x0c\n\r\t";

/// JSON whitespace (`\t` `\n` `\r` and space), for [`Scanner::skip`].
const SPACES: u64 = 1 << b'\t' | 1 << b'\n' | 1 << b'\r' | 1 << b' ';
/// The digits `0`-`9`, for [`Scanner::skip`].
const DIGITS: u64 = 0x3ff << b'0';

/// A position in a JSON text, with the reading routines.
///
/// They return `None` on error with `i` left where reading stopped: one word to test at
/// each `?`, where a `Result<usize, JsonError>` would be three words to copy through
/// every caller.
#[derive(Debug, Clone)]
struct Scanner<'a> {
    text: &'a str,
    /// The next byte to read.
    i: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, i: usize) -> Self {
        Scanner { text, i }
    }

    /// The byte at `i` (0 past the end).
    fn peek(&self) -> u8 {
        at(self.text.as_bytes(), self.i)
    }

    /// Where reading stopped.
    fn error(&self) -> JsonError {
        JsonError { offset: self.i }
    }

    /// Moves past the byte `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == c;
        self.i += usize::from(hit);
        hit
    }

    /// Skips JSON whitespace and returns the next byte (0 at the end).
    fn skip_ws(&mut self) -> u8 {
        self.skip(SPACES);
        self.peek()
    }

    /// Moves past the bytes of a class (a set of bytes below 64, as a bit mask); whether
    /// there was at least one. One loop for whitespace and digits.
    fn skip(&mut self, class: u64) -> bool {
        let start = self.i;
        while class.checked_shr(u32::from(self.peek())).unwrap_or(0) & 1 != 0 {
            self.i += 1;
        }
        self.i > start
    }

    /// Skips whitespace, then moves past `c` if it is next.
    fn eat_after_ws(&mut self, c: u8) -> bool {
        self.skip_ws();
        self.eat(c)
    }

    /// After a value: whitespace, then the end of the text.
    fn only_ws_left(&mut self) -> Option<()> {
        self.skip_ws();
        (self.i >= self.text.len()).then_some(())
    }

    /// A run of at least one ASCII digit.
    fn digits(&mut self) -> Option<()> {
        self.skip(DIGITS).then_some(())
    }

    /// A number (its first byte is `-` or a digit).
    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        // A leading zero stands alone: `01` is the number `0` and then other text.
        if !self.eat(b'0') {
            self.digits()?;
        }
        if self.eat(b'.') {
            self.digits()?;
        }
        // `e` or `E`.
        if self.peek() | 0x20 == b'e' {
            self.i += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
        }
        Some(())
    }

    /// `true`, `false` or `null`, chosen by its first byte `c`: read from one table,
    /// where each word starts at the first occurrence of its first letter and ends at a
    /// space.
    fn literal(&mut self, c: u8) -> Option<()> {
        const WORDS: &[u8] = b"true false null ";
        let mut k = WORDS.iter().position(|&w| w == c)?;
        while at(WORDS, k) != b' ' {
            if !self.eat(at(WORDS, k)) {
                return None;
            }
            k += 1;
        }
        Some(())
    }

    /// A string literal. If it has escapes and `out` is given, its decoded content is
    /// appended to `out`, which stays untouched otherwise: then the content is exactly
    /// the text between the quotes.
    ///
    /// One routine for checking and decoding, so the escape grammar exists once in the
    /// wasm. Handles all RFC 8259 escapes including `\uXXXX` surrogate pairs; a lone
    /// surrogate decodes to U+FFFD.
    fn string(&mut self, mut out: Option<&mut String>) -> Option<()> {
        if !self.eat(b'"') {
            return None;
        }
        let text = self.text;
        let b = text.as_bytes();
        let first = self.i;
        // Start of the text not yet copied to `out`.
        let mut run = first;
        loop {
            let i = self.i;
            let c = at(b, i);
            if c == b'"' {
                break;
            }
            // A control character, or the end of the text.
            if c < 0x20 {
                return None;
            }
            if c != b'\\' {
                self.i += 1;
                continue;
            }
            let mut len = 2;
            let e = at(b, i + 1);
            let decoded = match e {
                b'u' => {
                    let mut cp = hex4(b, i + 2);
                    if cp > 0xffff {
                        return None;
                    }
                    len = 6;
                    // A high surrogate and a low one escaped right after it make one char.
                    if (0xd800..0xdc00).contains(&cp)
                        && at(b, i + 6) == b'\\'
                        && at(b, i + 7) == b'u'
                    {
                        let low = hex4(b, i + 8);
                        if (0xdc00..0xe000).contains(&low) {
                            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                            len = 12;
                        }
                    }
                    cp
                }
                // The one-letter escapes: a lookup, smaller than a `match` per letter.
                _ => {
                    let k = ESCAPES.iter().position(|&letter| letter == e)?;
                    u32::from(at(ESCAPED, k))
                }
            };
            if let Some(out) = out.as_deref_mut() {
                out.push_str(slice(text, run, i));
                // Unpaired surrogates are not chars: `from_u32` rejects them.
                out.push(char::from_u32(decoded).unwrap_or('\u{fffd}'));
            }
            self.i += len;
            run = self.i;
        }
        if let Some(out) = out {
            if run != first {
                out.push_str(slice(text, run, self.i));
            }
        }
        self.i += 1;
        Some(())
    }

    /// A member's key and the `:` after it, after optional whitespace; the index just
    /// past the key's closing quote (never 0: a one-word result, returned in a register).
    fn key(&mut self) -> Option<NonZeroUsize> {
        self.skip_ws();
        self.string(None)?;
        let end = NonZeroUsize::new(self.i);
        self.eat_after_ws(b':').then_some(end)?
    }

    /// A whole JSON value after optional whitespace, fully validated per RFC 8259.
    /// Iterative, so nesting depth is bounded only by memory, never by the call stack.
    fn value(&mut self) -> Option<()> {
        // The closing bracket of each open container, innermost last.
        let mut open: Vec<u8> = Vec::new();
        // Whether a member's key comes next (first in an object, or after a `,` in one).
        let mut key = false;
        loop {
            if key {
                self.key()?;
            }
            // A value starts here.
            let c = self.skip_ws();
            match kind_of(c)? {
                Kind::Object | Kind::Array => {
                    self.i += 1;
                    // `}` and `]` are two code points after their opening brackets.
                    let close = c + 2;
                    if !self.eat_after_ws(close) {
                        open.push(close);
                        key = close == b'}';
                        continue;
                    }
                }
                Kind::String => self.string(None)?,
                Kind::Number => self.number()?,
                Kind::Bool | Kind::Null => self.literal(c)?,
            }
            // A value just ended: close containers until one wants another value.
            loop {
                let Some(&close) = open.last() else {
                    return Some(());
                };
                if self.eat_after_ws(close) {
                    open.pop();
                } else if self.eat(b',') {
                    key = close == b'}';
                    break;
                } else {
                    return None;
                }
            }
        }
    }
}

/// The kind of the value that starts with the byte `c`, if one can.
fn kind_of(c: u8) -> Option<Kind> {
    // A lookup: smaller than a `match` with ranges.
    let k = b"{[\"-0123456789tfn".iter().position(|&first| first == c)?;
    KINDS.get(k).copied()
}

/// The kinds of the values starting with the bytes in [`kind_of`]'s table, in order.
const KINDS: [Kind; 17] = {
    use Kind::*;
    [
        Object, Array, String, Number, Number, Number, Number, Number, Number, Number, Number,
        Number, Number, Number, Bool, Bool, Null,
    ]
};

/// Value of the four ASCII hex digits at `b[i..i + 4]`, or above 0xffff if they are
/// not all hex digits (a bit above the four digits, shifted along): a plain number
/// comes back in a register, an `Option<u32>` through memory.
fn hex4(b: &[u8], i: usize) -> u32 {
    let mut value = 0;
    for j in i..i + 4 {
        value = value << 4 | char::from(at(b, j)).to_digit(16).unwrap_or(0x1_0000);
    }
    value
}

/// Exactly `str::trim` (Unicode `White_Space`), on the bytes: the few whitespace chars
/// are matched in their UTF-8 form, which needs neither std's char decoding (in both
/// directions) nor its Unicode property table. A text of whitespace only trims to the
/// empty text at its end (`config` tells whether a text starts with whitespace by the
/// address of its trimmed part).
pub(crate) fn trim_unicode(s: &str) -> &str {
    let b = s.as_bytes();
    // One pass forward: `start` and `end` enclose the chars seen that are not spaces.
    let mut start = b.len();
    let mut end = 0;
    let mut i = 0;
    while i < b.len() {
        let n = space_len(b, i);
        // Byte by byte through other chars: their continuation bytes are not spaces
        // either, so `end` ends up past a char's last byte.
        if n == 0 {
            start = start.min(i);
            end = i + 1;
        }
        i += n.max(1);
    }
    slice(s, start, end.max(start))
}

/// Byte length of the `White_Space` char at `b[i]` (valid UTF-8), or 0 for any other
/// char. Matched on the UTF-8 bytes of U+0009–000D, U+0020, U+0085, U+00A0, U+1680,
/// U+2000–200A, U+2028, U+2029, U+202F, U+205F and U+3000, with no decoding.
fn space_len(b: &[u8], i: usize) -> usize {
    match (at(b, i), at(b, i + 1), at(b, i + 2)) {
        (0x09..=0x0d | 0x20, _, _) => 1,
        (0xc2, 0x85 | 0xa0, _) => 2,
        (0xe1, 0x9a, 0x80)
        | (0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf)
        | (0xe2, 0x81, 0x9f)
        | (0xe3, 0x80, 0x80) => 3,
        _ => 0,
    }
}

/// Index just past the JSON value that starts at or after `start` (leading whitespace
/// skipped). Fully validates per RFC 8259, iteratively, so nesting depth is bounded only
/// by memory, never by the call stack. What follows the value is not examined.
pub fn value_end(text: &str, start: usize) -> Result<usize, JsonError> {
    let mut s = Scanner::new(text, start);
    match s.value() {
        Some(()) => Ok(s.i),
        None => Err(s.error()),
    }
}

/// The single JSON value that makes up `text` (surrounding whitespace trimmed), or why not.
pub fn single_value(text: &str) -> Result<&str, JsonError> {
    let mut s = Scanner::new(text, 0);
    s.skip_ws();
    let start = s.i;
    let read = s.value().and_then(|()| {
        let end = s.i;
        s.only_ws_left()?;
        Some(end)
    });
    match read {
        Some(end) => Ok(slice(text, start, end)),
        None => Err(s.error()),
    }
}

/// Kind of a raw value slice (by first non-whitespace byte); None for empty/garbage.
pub fn kind(raw: &str) -> Option<Kind> {
    kind_of(Scanner::new(raw, 0).skip_ws())
}

/// Decodes a raw JSON string literal (including its quotes; surrounding whitespace is
/// allowed) into its content, borrowing when it has no escapes. Handles all RFC 8259
/// escapes including `\uXXXX` surrogate pairs; a lone surrogate becomes U+FFFD. None if
/// `raw` is not exactly one valid string literal.
pub fn parse_string(raw: &str) -> Option<Cow<'_, str>> {
    // The validator finds the value; decoding it fails if it is not a string.
    let raw = single_value(raw).ok()?;
    let mut out = String::new();
    Scanner::new(raw, 0).string(Some(&mut out))?;
    // An escape always decodes to at least one char.
    Some(if out.is_empty() {
        Cow::Borrowed(slice(raw, 1, raw.len() - 1))
    } else {
        Cow::Owned(out)
    })
}

/// A non-negative integer literal as u64 (`120` → 120). A fraction is truncated
/// (`120.7` → 120); a negative number, an exponent, a non-number or overflow → None.
pub fn parse_u64(raw: &str) -> Option<u64> {
    // The validator checks the number's form: then only its bytes need a look.
    let mut n = 0u64;
    let mut fraction = false;
    for c in single_value(raw).ok()?.bytes() {
        if c == b'.' {
            fraction = true;
            continue;
        }
        // Any other byte than a digit: a sign, an exponent or another kind of value.
        let digit = u64::from(c.wrapping_sub(b'0'));
        if digit > 9 {
            return None;
        }
        // Not `checked_mul`: on wasm32 it multiplies through the 128-bit `__multi3`.
        if !fraction {
            if n > (u64::MAX - digit) / 10 {
                return None;
            }
            n = n * 10 + digit;
        }
    }
    Some(n)
}

/// Where an [`Entries`] or [`Elements`] walk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// Before the first item.
    First,
    /// After an item.
    Next,
    /// Past the closing bracket, or stopped at an error.
    Done,
}

/// The position shared by [`Entries`] and [`Elements`]: one stepping routine for both, so
/// the wasm carries a single copy of the object/array walking code.
#[derive(Debug, Clone)]
struct Cursor<'a> {
    s: Scanner<'a>,
    /// `}` or `]`.
    close: u8,
    walk: Walk,
}

impl<'a> Cursor<'a> {
    /// Just past the opening `bracket` of `raw`, or an error.
    fn open(raw: &'a str, bracket: u8) -> Result<Self, JsonError> {
        let mut s = Scanner::new(raw, 0);
        if !s.eat_after_ws(bracket) {
            return Err(s.error());
        }
        Ok(Cursor {
            s,
            close: bracket + 2,
            walk: Walk::First,
        })
    }

    /// The next item: the raw key (objects; empty for arrays) and the raw value. Yields
    /// one error on malformed input, then `None`.
    fn next(&mut self) -> Option<Result<(&'a str, &'a str), JsonError>> {
        if self.walk == Walk::Done {
            return None;
        }
        let step = self.step();
        self.walk = match step {
            Some(Some(_)) => Walk::Next,
            _ => Walk::Done,
        };
        match step {
            Some(item) => item.map(Ok),
            None => Some(Err(self.s.error())),
        }
    }

    /// `None` on error, `Some(None)` at the closing bracket.
    fn step(&mut self) -> Option<Option<(&'a str, &'a str)>> {
        let s = &mut self.s;
        if s.eat_after_ws(self.close) {
            // `{}` / `[]`, or the end after at least one item: the end of the text too.
            return s.only_ws_left().map(|()| None);
        }
        if self.walk == Walk::Next && !s.eat(b',') {
            return None;
        }
        let mut key = "";
        if self.close == b'}' {
            s.skip_ws();
            let start = s.i;
            let end = s.key()?;
            key = slice(s.text, start, end.get());
        }
        s.skip_ws();
        let start = s.i;
        s.value()?;
        Some(Some((key, slice(s.text, start, s.i))))
    }
}

/// Iterator over the members of a raw JSON object: yields (decoded key, raw value slice).
/// Validates as it goes, up to the end of the text (only whitespace may follow the
/// object); yields `Some(Err(..))` once on malformed input and then `None`.
#[derive(Debug, Clone)]
pub struct Entries<'a>(Cursor<'a>);

/// Starts iterating the members of the object `raw`; errors if `raw` (whitespace allowed
/// around) does not start with `{`.
pub fn entries(raw: &str) -> Result<Entries<'_>, JsonError> {
    Cursor::open(raw, b'{').map(Entries)
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<(Cow<'a, str>, &'a str), JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        // The key is valid: decoding it cannot fail.
        Some(
            self.0
                .next()?
                .map(|(key, value)| (parse_string(key).unwrap_or_default(), value)),
        )
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

/// Iterator over the elements (raw slices) of a raw JSON array. Validates as it goes, up
/// to the end of the text (only whitespace may follow the array); yields `Some(Err(..))`
/// once on malformed input and then `None`.
#[derive(Debug, Clone)]
pub struct Elements<'a>(Cursor<'a>);

/// Starts iterating the elements of the array `raw`; errors if `raw` (whitespace allowed
/// around) does not start with `[`.
pub fn elements(raw: &str) -> Result<Elements<'_>, JsonError> {
    Cursor::open(raw, b'[').map(Elements)
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<&'a str, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.0.next()?.map(|(_, value)| value))
    }
}

/// Appends an ASCII byte. The mask tells the compiler the char is one byte, which drops
/// `String::push`'s multi-byte encoding path.
fn push_ascii(out: &mut String, c: u8) {
    out.push(char::from(c & 0x7f));
}

/// Appends `s` as a JSON string literal: quotes, escapes for `"` `\` and control
/// characters below 0x20 (`\n` `\r` `\t` `\b` `\f`, else `\u00XX`). Non-ASCII is written
/// as-is (UTF-8).
pub fn write_string(out: &mut String, s: &str) {
    push_ascii(out, b'"');
    let mut start = 0;
    for (i, c) in s.bytes().enumerate() {
        if c >= 0x20 && c != b'"' && c != b'\\' {
            continue;
        }
        // The escape letter, from the table the reader uses.
        let esc = ESCAPED
            .iter()
            .position(|&byte| byte == c)
            .map_or(b'u', |k| at(ESCAPES, k));
        // `i` is at an ASCII byte, so both slices fall on char boundaries.
        out.push_str(slice(s, start, i));
        push_ascii(out, b'\\');
        push_ascii(out, esc);
        if esc == b'u' {
            out.push_str("00");
            push_ascii(out, b'0' + (c >> 4));
            push_ascii(out, at(b"0123456789abcdef", usize::from(c & 0xf)));
        }
        start = i + 1;
    }
    out.push_str(slice(s, start, s.len()));
    push_ascii(out, b'"');
}

/// Appends the decimal digits of `n` without going through `core::fmt`. Recursion (at
/// most 20 deep) is the shortest code: no digit buffer to fill backwards.
pub fn write_u64(out: &mut String, n: u64) {
    if n >= 10 {
        write_u64(out, n / 10);
    }
    push_ascii(out, b'0' + (n % 10) as u8);
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
        // Whitespace only: the empty text at the end, past the whitespace.
        for s in ["", " ", "\u{a0}\n", "\u{3000}"] {
            assert_eq!(trim_unicode(s).as_ptr(), s[s.len()..].as_ptr(), "{s:?}");
        }
    }

    #[test]
    fn trim_unicode_knows_every_space() {
        // Every char, alone and around another char: whitespace exactly as `char`
        // defines it.
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for s in [c.to_string(), std::format!("x{c}"), std::format!("{c}x")] {
                assert_eq!(trim_unicode(&s), s.trim(), "{s:?}");
            }
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
        assert_eq!(value_end("[]", 99), Err(JsonError { offset: 99 }));
        // Errors are where reading stopped.
        for (text, offset) in [
            ("[1,]", 3),
            ("\"a\nb\"", 2),
            ("[1 2]", 3),
            ("{\"a\" 1}", 5),
            ("nope", 1),
            ("[1,", 3),
            ("\"abc", 4),
        ] {
            assert_eq!(value_end(text, 0), Err(JsonError { offset }), "{text:?}");
        }
        assert_eq!(
            value_end("\"a\nb\"", 0).unwrap_err().to_string(),
            "invalid JSON at byte 2"
        );
        assert_eq!(
            single_value("{} x").unwrap_err().message(),
            "invalid JSON at byte 3"
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
            "\"\\ud83d\\u12\"",
            "\"\\ud83d\\uzzzz\"",
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
        assert_eq!(parse_u64("\t0.5\n"), Some(0));
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        for s in [
            "-1", "-0", "1e3", "1E3", "1.5e3", "01", "1.", "", "x", "\"1\"", "null", "1 2", "00",
            "[1]", "1.5E3", "1.5e+3",
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
        // Only whitespace may follow the object.
        let items: Vec<_> = entries("{\"a\":1} x").unwrap().collect();
        assert_eq!(
            items,
            vec![Ok((Cow::Borrowed("a"), "1")), Err(JsonError { offset: 8 })]
        );
        let items: Vec<_> = elements("[1]]").unwrap().collect();
        assert_eq!(items, vec![Ok("1"), Err(JsonError { offset: 3 })]);

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
