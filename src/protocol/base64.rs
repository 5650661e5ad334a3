//! Standard-alphabet base64 decoding (RFC 4648 §4), for the `ciphertext`, `nonce` and
//! `shared_secret` of encrypted channels.
//!
//! A few dozen lines instead of the `base64` crate, which costs kilobytes of wasm.

use crate::prelude::*;

/// Value of one base64 character of the standard alphabet.
fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes standard base64 (alphabet `A–Z a–z 0–9 + /`).
///
/// Padding is optional but, if present, must be correct (`=` or `==` making the length a
/// multiple of 4). Any other character, including whitespace and the URL-safe `-`/`_`,
/// makes it `None`, as does a length that cannot be base64 (`4n + 1` characters).
/// Non-zero trailing bits in the last character are tolerated, like the browser's `atob`
/// that pusher-js relies on; the secretbox MAC authenticates the bytes anyway.
///
/// One pass that counts the padding as it goes (no suffix slicing), for a small wasm.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    decode_into(s, &mut out).then_some(out)
}

/// [`decode`], appending the bytes to `out`; false (with `out` holding some of them)
/// where `decode` would be `None`.
pub fn decode_into(s: &str, out: &mut Vec<u8>) -> bool {
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut padding = 0;
    for c in s.bytes() {
        if c == b'=' {
            padding += 1;
            continue;
        }
        // Only more padding may follow padding.
        if padding > 0 {
            return false;
        }
        // Bits above the last 8 still needed fall off the top: no overflow, no mask.
        let Some(sextet) = sextet(c) else {
            return false;
        };
        acc = acc << 6 | sextet;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    let len = s.len();
    padding <= 2 && (padding == 0 || len % 4 == 0) && (len - padding) % 4 != 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    use ::base64::Engine;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        for (enc, dec) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ] {
            assert_eq!(decode(enc).as_deref(), Some(dec.as_bytes()), "{enc:?}");
            let unpadded = enc.trim_end_matches('=');
            assert_eq!(
                decode(unpadded).as_deref(),
                Some(dec.as_bytes()),
                "{unpadded:?}"
            );
        }
    }

    #[test]
    fn full_alphabet() {
        let all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        assert_eq!(decode(all), STANDARD.decode(all).ok());
        assert_eq!(decode("+/+/").as_deref(), Some(&[0xfb, 0xff, 0xbf][..]));
    }

    #[test]
    fn trailing_bits_are_tolerated() {
        assert_eq!(decode("Zh==").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode("Zm9=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode("Zh").as_deref(), Some(&b"f"[..]));
    }

    #[test]
    fn rejects_invalid() {
        for s in [
            "Z", "Zm9vY", "=", "==", "===", "====", "Zg=", "Zg===", "Zm8==", "Zm9v=", "Z===",
            "Zg==Zg==", "Z=g=", "=Zg=", "Zm 9v", " Zm9v", "Zm9v\n", "Zm-_", "Zm9v_w==", "Zm.v",
            "Zm9vé", "\0\0\0\0",
        ] {
            assert_eq!(decode(s), None, "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn matches_base64_crate(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let padded = STANDARD.encode(&bytes);
            prop_assert_eq!(decode(&padded), Some(bytes.clone()));
            let unpadded = STANDARD_NO_PAD.encode(&bytes);
            prop_assert_eq!(decode(&unpadded), Some(bytes));
        }

        #[test]
        fn never_panics_and_agrees_when_canonical(s in "[A-Za-z0-9+/=_ -]{0,40}") {
            let ours = decode(&s);
            if let Ok(theirs) = STANDARD.decode(&s) {
                prop_assert_eq!(ours, Some(theirs));
            }
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in any::<String>()) {
            let _ = decode(&s);
        }
    }
}
