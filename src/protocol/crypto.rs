//! NaCl `secretbox` opening for `private-encrypted-` channels.
//!
//! Events on such channels carry `data` of the form `{"ciphertext":"<b64>","nonce":"<b64>"}`,
//! sealed by the server with XSalsa20-Poly1305 under the channel's shared secret (which the
//! auth endpoint hands out). We only ever decrypt, in place, with no allocator-backed AEAD
//! buffers and no randomness.

use crypto_secretbox::aead::AeadInPlace;
use crypto_secretbox::{KeyInit, XSalsa20Poly1305};

use super::{base64, json};

/// Length of the Poly1305 tag that NaCl puts in front of the encrypted bytes.
const TAG_LEN: usize = 16;

/// A 32-byte channel key (the `shared_secret` from the channel's authorization).
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret([u8; 32]);

impl SharedSecret {
    /// From the base64 `shared_secret` of an auth reply; None unless it decodes to
    /// exactly 32 bytes.
    pub fn from_base64(s: &str) -> Option<Self> {
        base64::decode(s)?.try_into().ok().map(SharedSecret)
    }
}

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the key bytes: debug output ends up in logs.
        f.write_str("SharedSecret(..)")
    }
}

/// Why an encrypted event could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecryptError {
    /// `data` is not an object with `ciphertext` and `nonce` strings.
    MalformedPayload,
    /// `ciphertext` or `nonce` is not standard base64.
    BadBase64,
    /// The nonce is not 24 bytes.
    BadNonce,
    /// The MAC check failed (or the ciphertext is shorter than the tag): wrong key or
    /// tampered data.
    Unauthentic,
    /// The plaintext is not UTF-8.
    NotUtf8,
}

/// Opens the `data` of an event on an encrypted channel.
///
/// `raw_data` is the JSON text `{"ciphertext":"<b64>","nonce":"<b64>"}`; the ciphertext
/// is NaCl/tweetnacl `secretbox` output (16-byte Poly1305 tag, then the XSalsa20-encrypted
/// bytes). Returns the plaintext as a String; the caller decides whether it is JSON.
pub fn open(secret: &SharedSecret, raw_data: &str) -> Result<String, DecryptError> {
    let field = |name| {
        json::get(raw_data, name)
            .and_then(json::parse_string)
            .ok_or(DecryptError::MalformedPayload)
    };
    let ciphertext = field("ciphertext")?;
    let nonce = field("nonce")?;
    let mut buf = base64::decode(&ciphertext).ok_or(DecryptError::BadBase64)?;
    let nonce = base64::decode(&nonce).ok_or(DecryptError::BadBase64)?;
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| DecryptError::BadNonce)?;
    let (tag, message) = buf
        .split_at_mut_checked(TAG_LEN)
        .ok_or(DecryptError::Unauthentic)?;
    let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| DecryptError::Unauthentic)?;
    XSalsa20Poly1305::new(&secret.0.into())
        .decrypt_in_place_detached(&nonce.into(), b"", message, &tag.into())
        .map_err(|_| DecryptError::Unauthentic)?;
    buf.drain(..TAG_LEN);
    String::from_utf8(buf).map_err(|_| DecryptError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::engine::general_purpose::STANDARD;
    use ::base64::Engine;
    use crypto_secretbox::aead::Aead;
    use proptest::prelude::*;

    /// `firstkey` from NaCl's tests/secretbox.c.
    const FIRSTKEY: [u8; 32] = [
        0x1b, 0x27, 0x55, 0x64, 0x73, 0xe9, 0x85, 0xd4, 0x62, 0xcd, 0x51, 0x19, 0x7a, 0x9a, 0x46,
        0xc7, 0x60, 0x09, 0x54, 0x9e, 0xac, 0x64, 0x74, 0xf2, 0x06, 0xc4, 0xee, 0x08, 0x44, 0xf6,
        0x83, 0x89,
    ];
    /// `nonce` from NaCl's tests/secretbox.c.
    const NONCE: [u8; 24] = [
        0x69, 0x69, 0x6e, 0xe9, 0x55, 0xb6, 0x2b, 0x73, 0xcd, 0x62, 0xbd, 0xa8, 0x75, 0xfc, 0x73,
        0xd6, 0x82, 0x19, 0xe0, 0x03, 0x6b, 0x7a, 0x0b, 0x37,
    ];
    /// The 131-byte message `m` of tests/secretbox.c (after its 32 zero bytes).
    const PLAINTEXT: &str =
        "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a\
        1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057\
        e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040\
        e082f937763848645e0705";
    /// tests/secretbox.out: tag then ciphertext (147 bytes).
    const SEALED: &str =
        "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4\
        476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738\
        b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de\
        56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn payload(ciphertext: &[u8], nonce: &[u8]) -> String {
        std::format!(
            r#"{{"ciphertext":"{}","nonce":"{}"}}"#,
            STANDARD.encode(ciphertext),
            STANDARD.encode(nonce)
        )
    }

    fn seal(key: &[u8; 32], nonce: &[u8; 24], plaintext: &[u8]) -> Vec<u8> {
        XSalsa20Poly1305::new(key.into())
            .encrypt(nonce.into(), plaintext)
            .unwrap()
    }

    fn secret(key: [u8; 32]) -> SharedSecret {
        SharedSecret::from_base64(&STANDARD.encode(key)).unwrap()
    }

    #[test]
    fn nacl_known_answer() {
        let plaintext = hex(PLAINTEXT);
        let sealed = hex(SEALED);
        assert_eq!(plaintext.len(), 131);
        assert_eq!(sealed.len(), 131 + TAG_LEN);
        // The reference implementation agrees with the vector...
        assert_eq!(seal(&FIRSTKEY, &NONCE, &plaintext), sealed);
        // ...and so does ours (the plaintext is not UTF-8, so open the bytes directly).
        let mut buf = sealed.clone();
        let (tag, message) = buf.split_at_mut(TAG_LEN);
        let tag: [u8; 16] = (&*tag).try_into().unwrap();
        XSalsa20Poly1305::new(&FIRSTKEY.into())
            .decrypt_in_place_detached(&NONCE.into(), b"", message, &tag.into())
            .unwrap();
        assert_eq!(&buf[TAG_LEN..], &plaintext[..]);
        assert_eq!(
            open(&secret(FIRSTKEY), &payload(&sealed, &NONCE)),
            Err(DecryptError::NotUtf8)
        );
    }

    #[test]
    fn round_trip() {
        for text in [
            "",
            "x",
            "{\"message\":\"héllo 😀\",\"n\":[1,2,3]}",
            &"long ".repeat(1000),
        ] {
            let sealed = seal(&FIRSTKEY, &NONCE, text.as_bytes());
            let data = payload(&sealed, &NONCE);
            assert_eq!(open(&secret(FIRSTKEY), &data).as_deref(), Ok(text));
        }
        // Whitespace and member order do not matter; unpadded base64 is accepted.
        let sealed = seal(&FIRSTKEY, &NONCE, b"hi");
        let data = std::format!(
            " {{ \"nonce\" : \"{}\" , \"ciphertext\" : \"{}\" }} ",
            STANDARD.encode(NONCE).trim_end_matches('='),
            STANDARD.encode(&sealed)
        );
        assert_eq!(open(&secret(FIRSTKEY), &data).as_deref(), Ok("hi"));
        // Escaped `/` in the JSON string (as PHP's json_encode writes it) is decoded.
        let data = payload(&sealed, &NONCE).replace('/', "\\/");
        assert_eq!(open(&secret(FIRSTKEY), &data).as_deref(), Ok("hi"));
    }

    #[test]
    fn wrong_key_or_tampering_is_unauthentic() {
        let sealed = seal(&FIRSTKEY, &NONCE, b"{\"a\":1}");
        let mut other = FIRSTKEY;
        other[0] ^= 1;
        let data = payload(&sealed, &NONCE);
        assert_eq!(open(&secret(other), &data), Err(DecryptError::Unauthentic));
        for bit in [0, 7, 8 * TAG_LEN, 8 * sealed.len() - 1] {
            let mut flipped = sealed.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let data = payload(&flipped, &NONCE);
            assert_eq!(
                open(&secret(FIRSTKEY), &data),
                Err(DecryptError::Unauthentic)
            );
        }
        let mut nonce = NONCE;
        nonce[23] ^= 0x80;
        let data = payload(&sealed, &nonce);
        assert_eq!(
            open(&secret(FIRSTKEY), &data),
            Err(DecryptError::Unauthentic)
        );
        // Shorter than the tag.
        let data = payload(&sealed[..TAG_LEN - 1], &NONCE);
        assert_eq!(
            open(&secret(FIRSTKEY), &data),
            Err(DecryptError::Unauthentic)
        );
        let data = payload(&[], &NONCE);
        assert_eq!(
            open(&secret(FIRSTKEY), &data),
            Err(DecryptError::Unauthentic)
        );
    }

    #[test]
    fn malformed_inputs() {
        let key = secret(FIRSTKEY);
        let sealed = seal(&FIRSTKEY, &NONCE, b"hi");
        let ct = STANDARD.encode(&sealed);
        let nonce = STANDARD.encode(NONCE);
        use DecryptError::*;
        let cases = [
            (String::new(), MalformedPayload),
            ("null".to_string(), MalformedPayload),
            ("\"x\"".to_string(), MalformedPayload),
            ("[]".to_string(), MalformedPayload),
            ("{}".to_string(), MalformedPayload),
            (std::format!(r#"{{"ciphertext":"{ct}"}}"#), MalformedPayload),
            (std::format!(r#"{{"nonce":"{nonce}"}}"#), MalformedPayload),
            (
                std::format!(r#"{{"ciphertext":1,"nonce":"{nonce}"}}"#),
                MalformedPayload,
            ),
            (
                std::format!(r#"{{"ciphertext":"{ct}","nonce":null}}"#),
                MalformedPayload,
            ),
            (std::format!(r#"{{"ciphertext":"{ct}""#), MalformedPayload),
            (
                std::format!(r#"{{"ciphertext":"{ct}!","nonce":"{nonce}"}}"#),
                BadBase64,
            ),
            (
                std::format!(r#"{{"ciphertext":"{ct}","nonce":"{nonce} "}}"#),
                BadBase64,
            ),
            (
                std::format!(r#"{{"ciphertext":"{ct}","nonce":"AAAA"}}"#),
                BadNonce,
            ),
            (payload(&sealed, &NONCE[..23]), BadNonce),
            (payload(&sealed, &[0; 25]), BadNonce),
            (payload(&sealed, &[]), BadNonce),
        ];
        for (data, want) in cases {
            assert_eq!(open(&key, &data), Err(want), "{data:?}");
        }
        let sealed = seal(&FIRSTKEY, &NONCE, &[0xff, 0xfe, b'a']);
        assert_eq!(open(&key, &payload(&sealed, &NONCE)), Err(NotUtf8));
    }

    #[test]
    fn shared_secret_parsing_and_debug() {
        let b64 = STANDARD.encode(FIRSTKEY);
        let s = SharedSecret::from_base64(&b64).unwrap();
        assert_eq!(s, SharedSecret(FIRSTKEY));
        assert_eq!(std::format!("{s:?}"), "SharedSecret(..)");
        assert_eq!(SharedSecret::from_base64(&STANDARD.encode([0u8; 31])), None);
        assert_eq!(SharedSecret::from_base64(&STANDARD.encode([0u8; 33])), None);
        assert_eq!(SharedSecret::from_base64(""), None);
        assert_eq!(SharedSecret::from_base64("not base64!"), None);
    }

    proptest! {
        #[test]
        fn open_never_panics(s in any::<String>()) {
            let _ = open(&secret(FIRSTKEY), &s);
        }

        #[test]
        fn open_never_panics_on_near_misses(
            ct in proptest::collection::vec(any::<u8>(), 0..64),
            nonce in proptest::collection::vec(any::<u8>(), 0..30),
            junk in "[\"{}:, A-Za-z0-9+/=]{0,6}",
        ) {
            let data = payload(&ct, &nonce) + &junk;
            let r = open(&secret(FIRSTKEY), &data);
            prop_assert!(r.is_err());
        }

        #[test]
        fn round_trips(text in any::<String>(), key in any::<[u8; 32]>(), nonce in any::<[u8; 24]>()) {
            let data = payload(&seal(&key, &nonce, text.as_bytes()), &nonce);
            prop_assert_eq!(open(&secret(key), &data), Ok(text));
        }
    }
}
