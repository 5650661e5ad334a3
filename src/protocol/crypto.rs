//! NaCl `secretbox` opening for `private-encrypted-` channels.
//!
//! Events on such channels carry `data` of the form `{"ciphertext":"<b64>","nonce":"<b64>"}`,
//! sealed by the server with XSalsa20-Poly1305 under the channel's shared secret (which the
//! auth endpoint hands out). We only ever decrypt, in place, with no randomness.
//!
//! XSalsa20 and Poly1305 are written out here, in their plainest loop-based form, rather
//! than taken from the RustCrypto crates: their generic block-buffering and SIMD-ready
//! layers cost about 6 KB of wasm for a few dozen lines of arithmetic. The tests check
//! every result against the `crypto_secretbox` crate and NaCl's own test vector.

use super::{base64, json};
use crate::prelude::*;

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
    if !secretbox_open_detached(&secret.0, &nonce, tag, message) {
        return Err(DecryptError::Unauthentic);
    }
    buf.drain(..TAG_LEN);
    String::from_utf8(buf).map_err(|_| DecryptError::NotUtf8)
}

/// NaCl `crypto_secretbox_open_detached`: checks `tag` over `message` (the ciphertext)
/// and, only if it is authentic, decrypts `message` in place.
fn secretbox_open_detached(
    key: &[u8; 32],
    nonce: &[u8; 24],
    tag: &[u8],
    message: &mut [u8],
) -> bool {
    let n = |i: usize| le32(nonce, 4 * i);
    let mut key_words = [0u32; 8];
    for (i, word) in key_words.iter_mut().enumerate() {
        *word = le32(key, 4 * i);
    }
    // XSalsa20: HSalsa20 of the key and the first half of the nonce is the Salsa20 key.
    let [z0, _, _, _, _, z5, z6, z7, z8, z9, z10, _, _, _, _, z15] =
        salsa20(&key_words, [n(0), n(1), n(2), n(3)], false);
    let subkey = [z0, z5, z10, z15, z6, z7, z8, z9];
    let block = |counter: usize| {
        let counter = counter as u64;
        salsa20(
            &subkey,
            [n(4), n(5), counter as u32, (counter >> 32) as u32],
            true,
        )
    };
    // Block 0 of the stream: its first 32 bytes are the one-time Poly1305 key, the rest
    // encrypts the start of the message.
    let mut keystream = block(0);
    let mut poly_key = [0u8; 32];
    for (i, b) in poly_key.iter_mut().enumerate() {
        *b = byte(&keystream, i);
    }
    let expected = poly1305(&poly_key, message);
    // Constant time: every byte is compared whatever the earlier ones were.
    let mut diff = 0;
    for (a, b) in expected.iter().zip(tag) {
        diff |= a ^ b;
    }
    if diff != 0 || tag.len() != TAG_LEN {
        return false;
    }
    for (i, b) in message.iter_mut().enumerate() {
        let position = i + 32;
        if position % 64 == 0 {
            keystream = block(position / 64);
        }
        *b ^= byte(&keystream, position % 64);
    }
    true
}

/// The little-endian word at `bytes[at..at + 4]` (zero past the end).
fn le32(bytes: &[u8], at: usize) -> u32 {
    let mut word = 0;
    for i in (at..at + 4).rev() {
        word = word << 8 | u32::from(bytes.get(i).copied().unwrap_or(0));
    }
    word
}

/// Byte `i` of `words` laid out little-endian (zero past the end).
fn byte(words: &[u32], i: usize) -> u8 {
    words.get(i / 4).map_or(0, |w| (w >> (8 * (i % 4))) as u8)
}

/// The value at `i` (zero past the end), for index arithmetic that cannot panic.
fn at(words: &[u32], i: usize) -> u32 {
    words.get(i).copied().unwrap_or(0)
}

/// The Salsa20 core (20 rounds) over the key and the four nonce and counter words. With
/// `add_input` it is the Salsa20 block function; without, the HSalsa20 core.
///
/// Written as in TweetNaCl, with plain index loops: each round reads the columns and
/// writes them back transposed (a row round is a column round of the transposed matrix),
/// so the whole cipher is one small loop nest instead of unrolled round functions.
fn salsa20(key: &[u32; 8], nonce: [u32; 4], add_input: bool) -> [u32; 16] {
    let [k0, k1, k2, k3, k4, k5, k6, k7] = *key;
    let [n0, n1, n2, n3] = nonce;
    // The constants spell "expand 32-byte k".
    let (c0, c1, c2, c3) = (0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574);
    let input = [
        c0, k0, k1, k2, k3, c1, n0, n1, n2, n3, c2, k4, k5, k6, k7, c3,
    ];
    let mut x = input;
    let mut w = [0u32; 16];
    for _ in 0..20 {
        for j in 0..4 {
            let t = |m: usize| at(&x, (5 * j + 4 * m) % 16);
            let (mut t0, mut t1, mut t2, mut t3) = (t(0), t(1), t(2), t(3));
            t1 ^= t0.wrapping_add(t3).rotate_left(7);
            t2 ^= t1.wrapping_add(t0).rotate_left(9);
            t3 ^= t2.wrapping_add(t1).rotate_left(13);
            t0 ^= t3.wrapping_add(t2).rotate_left(18);
            for (m, value) in [t0, t1, t2, t3].iter().enumerate() {
                if let Some(slot) = w.get_mut(4 * j + (j + m) % 4) {
                    *slot = *value;
                }
            }
        }
        x = w;
    }
    if add_input {
        for (word, init) in x.iter_mut().zip(&input) {
            *word = word.wrapping_add(*init);
        }
    }
    x
}

/// Adds `c` to `h`, both little-endian numbers in 17 limbs of 8 bits.
fn add1305(h: &mut [u32; 17], c: &[u32; 17]) {
    let mut u = 0;
    for (hj, cj) in h.iter_mut().zip(c) {
        u += *hj + cj;
        *hj = u & 255;
        u >>= 8;
    }
}

/// Poly1305 of `message` under the one-time `key`.
///
/// TweetNaCl's formulation: 17 limbs of 8 bits and a schoolbook multiplication. Slower
/// than wider limbs (encrypted events are small), but a fraction of the code.
fn poly1305(key: &[u8; 32], message: &[u8]) -> [u8; 16] {
    let mut r = [0u32; 17];
    for (i, (ri, k)) in r.iter_mut().zip(key).enumerate() {
        // Clamping: clear the top 4 bits of bytes 3, 7, 11, 15 and the low 2 of 4, 8, 12.
        let mask = match i {
            3 | 7 | 11 | 15 => 15,
            4 | 8 | 12 => 252,
            16 => 0,
            _ => 255,
        };
        *ri = u32::from(*k) & mask;
    }
    let mut h = [0u32; 17];
    let mut rest = message;
    while !rest.is_empty() {
        // `chunks(16)` without its panic path.
        let (chunk, tail) = rest.split_at_checked(16).unwrap_or((rest, &[]));
        rest = tail;
        // The block with a 1 byte appended (2^128 for a full block).
        let mut c = [0u32; 17];
        for (j, cj) in c.iter_mut().enumerate() {
            *cj = match chunk.get(j) {
                Some(b) => u32::from(*b),
                None => u32::from(j == chunk.len()),
            };
        }
        add1305(&mut h, &c);
        // h * r mod 2^130 - 5: limbs past the 17th wrap around times 5 · 2^-130 · 2^136 = 320.
        let mut x = [0u32; 17];
        for (i, xi) in x.iter_mut().enumerate() {
            for (j, hj) in h.iter().enumerate() {
                let (k, factor) = if j <= i {
                    (i - j, 1)
                } else {
                    (i + 17 - j, 320)
                };
                *xi += hj * at(&r, k) * factor;
            }
        }
        // Partial reduction: carry through the limbs, then fold everything from 2^130 up
        // back into the bottom times 5 (2^130 = 5 mod p) and carry once more.
        let mut u = 0;
        for (hj, xj) in h.iter_mut().zip(&x) {
            u += xj;
            *hj = u & 255;
            u >>= 8;
        }
        let top = u << 8 | h[16];
        h[16] = top & 3;
        let mut u = 5 * (top >> 2);
        for hj in h.iter_mut() {
            u += *hj;
            *hj = u & 255;
            u >>= 8;
        }
    }
    // Full reduction: h - p if that is not negative, chosen in constant time.
    let g = h;
    let mut minus_p = [0u32; 17];
    minus_p[0] = 5;
    minus_p[16] = 252;
    add1305(&mut h, &minus_p);
    let negative = 0u32.wrapping_sub(h[16] >> 7);
    for (hj, gj) in h.iter_mut().zip(&g) {
        *hj ^= negative & (gj ^ *hj);
    }
    // Plus s, the second half of the key, mod 2^128.
    let mut s = [0u32; 17];
    for (sj, k) in s.iter_mut().zip(key.iter().skip(16)) {
        *sj = u32::from(*k);
    }
    add1305(&mut h, &s);
    let mut tag = [0u8; 16];
    for (t, hj) in tag.iter_mut().zip(&h) {
        *t = *hj as u8;
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::engine::general_purpose::STANDARD;
    use ::base64::Engine;
    use crypto_secretbox::aead::{Aead, AeadInPlace};
    use crypto_secretbox::{KeyInit, XSalsa20Poly1305};
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
        let mut buf = sealed.clone();
        let (tag, message) = buf.split_at_mut(TAG_LEN);
        let tag: [u8; 16] = (&*tag).try_into().unwrap();
        XSalsa20Poly1305::new(&FIRSTKEY.into())
            .decrypt_in_place_detached(&NONCE.into(), b"", message, &tag.into())
            .unwrap();
        assert_eq!(&buf[TAG_LEN..], &plaintext[..]);
        // ...and so does ours (the plaintext is not UTF-8, so open the bytes directly).
        let (tag, message) = sealed.split_at(TAG_LEN);
        let mut message = message.to_vec();
        assert!(secretbox_open_detached(
            &FIRSTKEY,
            &NONCE,
            tag,
            &mut message
        ));
        assert_eq!(message, plaintext);
        let mut tampered = sealed[TAG_LEN..].to_vec();
        tampered[130] ^= 1;
        assert!(!secretbox_open_detached(
            &FIRSTKEY,
            &NONCE,
            tag,
            &mut tampered
        ));
        assert_eq!(
            tampered[..130],
            sealed[TAG_LEN..TAG_LEN + 130],
            "not decrypted"
        );
        assert_eq!(
            open(&secret(FIRSTKEY), &payload(&sealed, &NONCE)),
            Err(DecryptError::NotUtf8)
        );
    }

    #[test]
    fn poly1305_vectors() {
        // RFC 8439 §2.5.2, then the edge cases of its appendix A.3 (#5 to #9): partial
        // reductions, `s` overflowing 2^128, results of exactly 2^130 - 5 and - 6.
        let key = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        let key: [u8; 32] = key.try_into().unwrap();
        assert_eq!(
            poly1305(&key, b"Cryptographic Forum Research Group").to_vec(),
            hex("a8061dc1305136c6c22b8baf0c0127a9")
        );
        let zeros = "00000000000000000000000000000000";
        let ones = "ffffffffffffffffffffffffffffffff";
        let r2 = std::format!("02{}", &zeros[2..]);
        let r1 = std::format!("01{}", &zeros[2..]);
        let cases = [
            (
                std::format!("{r2}{zeros}"),
                ones.to_owned(),
                std::format!("03{}", &zeros[2..]),
            ),
            (
                std::format!("{r2}{ones}"),
                r2.clone(),
                std::format!("03{}", &zeros[2..]),
            ),
            (
                std::format!("{r1}{zeros}"),
                std::format!("{ones}f0ffffffffffffffffffffffffffffff11{}", &zeros[2..]),
                std::format!("05{}", &zeros[2..]),
            ),
            (
                std::format!("{r1}{zeros}"),
                std::format!(
                    "{ones}fbfefefefefefefefefefefefefefefe01010101010101010101010101010101"
                ),
                zeros.to_owned(),
            ),
            (
                std::format!("{r2}{zeros}"),
                std::format!("fd{}", &ones[2..]),
                std::format!("fa{}", &ones[2..]),
            ),
        ];
        for (key, message, tag) in cases {
            let key: [u8; 32] = hex(&key).try_into().unwrap();
            assert_eq!(
                poly1305(&key, &hex(&message)).to_vec(),
                hex(&tag),
                "{message}"
            );
        }
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
