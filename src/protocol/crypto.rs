//! NaCl `secretbox` opening for `private-encrypted-` channels.
//!
//! Events on such channels carry `data` of the form `{"ciphertext":"<b64>","nonce":"<b64>"}`,
//! sealed by the server with XSalsa20-Poly1305 under the channel's shared secret (which the
//! auth endpoint hands out). We only ever decrypt, in place, with no randomness.
//!
//! XSalsa20 and Poly1305 are written out here, in their plainest loop-based form (as in
//! TweetNaCl), rather than taken from the RustCrypto crates: their generic block-buffering
//! and SIMD-ready layers cost about 6 KB of wasm for a few dozen lines of arithmetic. The
//! tests check every result against the `crypto_secretbox` crate and NaCl's own test
//! vector.

use super::{base64, frame};
use crate::prelude::*;

/// Length of the Poly1305 tag that NaCl puts in front of the encrypted bytes.
const TAG_LEN: usize = 16;

/// A 32-byte channel key (the `shared_secret` from the channel's authorization).
///
/// Kept in the `Vec` that base64 decoding returns (always 32 bytes long): copying it into
/// an array would take more code than anything here does with it.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret(Vec<u8>);

impl SharedSecret {
    /// From the base64 `shared_secret` of an auth reply; None unless it decodes to
    /// exactly 32 bytes.
    pub fn from_base64(s: &str) -> Option<Self> {
        let mut key = Vec::new();
        (base64::decode_into(s, &mut key) && key.len() == 32).then_some(SharedSecret(key))
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
    let ciphertext = frame::get_str(raw_data, "ciphertext");
    let nonce = frame::get_str(raw_data, "nonce");
    let (Some(ciphertext), Some(nonce)) = (ciphertext, nonce) else {
        return Err(DecryptError::MalformedPayload);
    };
    // Both decoded into one buffer: the sealed bytes, then the nonce.
    let mut bytes = Vec::new();
    if !base64::decode_into(&ciphertext, &mut bytes) {
        return Err(DecryptError::BadBase64);
    }
    let split = bytes.len();
    if !base64::decode_into(&nonce, &mut bytes) {
        return Err(DecryptError::BadBase64);
    }
    let Some((sealed, nonce)) = bytes.split_at_mut_checked(split) else {
        return Err(DecryptError::BadNonce);
    };
    if nonce.len() != 24 {
        return Err(DecryptError::BadNonce);
    }
    if !secretbox_open(&secret.0, nonce, sealed) {
        return Err(DecryptError::Unauthentic);
    }
    utf8(sealed.get(TAG_LEN..).unwrap_or_default()).ok_or(DecryptError::NotUtf8)
}

/// The bytes as a String if they are UTF-8, exactly as `String::from_utf8` decides, but
/// decoded and re-encoded char by char: a fraction of the size of std's fast validator.
fn utf8(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let lead = u32::from(byte(bytes, i));
        // The sequence's length, the payload bits of its lead byte, and the smallest
        // code point it may encode (longer forms of smaller ones are not UTF-8).
        let (len, mut cp, min) = match lead {
            0..=0x7f => (1, lead, 0),
            0xc0..=0xdf => (2, lead & 0x1f, 0x80),
            0xe0..=0xef => (3, lead & 0xf, 0x800),
            0xf0..=0xf7 => (4, lead & 0x7, 0x1_0000),
            _ => return None,
        };
        for k in 1..len {
            // Past the end this reads 0, which is not a continuation byte either.
            let c = u32::from(byte(bytes, i + k));
            if c & 0xc0 != 0x80 {
                return None;
            }
            cp = cp << 6 | (c & 0x3f);
        }
        if cp < min {
            return None;
        }
        // Rejects surrogates and anything above U+10FFFF.
        out.push(char::from_u32(cp)?);
        i += len;
    }
    Some(out)
}

/// NaCl `crypto_secretbox_open`: `sealed` is the Poly1305 tag followed by the
/// ciphertext. Checks the tag over the ciphertext and, only if it is authentic, decrypts
/// the ciphertext in place. False if `sealed` is shorter than the tag.
fn secretbox_open(key: &[u8], nonce: &[u8], sealed: &mut [u8]) -> bool {
    let Some((tag, message)) = sealed.split_at_mut_checked(TAG_LEN) else {
        return false;
    };
    // The Salsa20 input: the constant words on the diagonal, the key words, the nonce
    // (and counter) words, at these positions in that order.
    const AT: [u8; 16] = [0, 5, 10, 15, 1, 2, 3, 4, 11, 12, 13, 14, 6, 7, 8, 9];
    let at = |j: usize| usize::from(byte(&AT, j));
    let mut input = [0; 16];
    for j in 0..16 {
        let value = match j {
            // "expand 32-byte k".
            0..4 => word(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574], j),
            4..12 => le32(key, 4 * (j - 4)),
            _ => le32(nonce, 4 * (j - 12)),
        };
        set(&mut input, at(j), value);
    }
    // XSalsa20: the HSalsa20 of the key and the first 16 nonce bytes (its words on the
    // diagonal, then at the nonce positions) is the Salsa20 key for the last 8.
    let z = salsa20(&input, false);
    for j in 4..12 {
        set(
            &mut input,
            at(j),
            word(&z, at(if j < 8 { j - 4 } else { j + 4 })),
        );
    }
    // Then the last 8 nonce bytes and the block counter, 0.
    for j in 0..4 {
        set(&mut input, 6 + j, le32(nonce, 16 + 4 * j));
    }
    // Block 0 of the stream: its first 32 bytes are the one-time Poly1305 key, the rest
    // encrypts the start of the message.
    let mut stream = salsa20(&input, true);
    let expected = poly1305(&stream, message);
    // Constant time: every byte is compared whatever the earlier ones were.
    let mut diff = 0;
    for (i, t) in tag.iter().enumerate() {
        diff |= stream_byte(&expected, i) ^ *t;
    }
    if diff != 0 {
        return false;
    }
    for (i, b) in message.iter_mut().enumerate() {
        let position = i + 32;
        if position % 64 == 0 {
            // The block counter's low word: messages stay far below 2^32 blocks.
            set(&mut input, 8, (position / 64) as u32);
            stream = salsa20(&input, true);
        }
        *b ^= stream_byte(&stream, position % 64);
    }
    true
}

/// Byte `i` of `bytes` (zero past the end).
fn byte(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

/// The value at `i` of `words` (zero past the end).
fn word(words: &[u32], i: usize) -> u32 {
    words.get(i).copied().unwrap_or(0)
}

/// Stores `value` at `i` of `words` (nowhere past the end).
fn set(words: &mut [u32], i: usize, value: u32) {
    if let Some(w) = words.get_mut(i) {
        *w = value;
    }
}

/// The little-endian word at `bytes[at..at + 4]` (zero past the end).
fn le32(bytes: &[u8], at: usize) -> u32 {
    let mut w = 0;
    for i in (at..at + 4).rev() {
        w = w << 8 | u32::from(byte(bytes, i));
    }
    w
}

/// Byte `i` of `words` laid out little-endian (zero past the end).
fn stream_byte(words: &[u32], i: usize) -> u8 {
    (word(words, i / 4) >> (8 * (i % 4))) as u8
}

/// The Salsa20 core (20 rounds) over its 16 input words (constants, key, nonce and
/// counter, laid out by the caller). With `add_input` it is the Salsa20 block function;
/// without, the HSalsa20 core.
///
/// Written with plain index loops: a row round is a column round of the transposed
/// matrix, so one loop nest computes the words of both from the quarter round's number,
/// instead of unrolled round functions.
fn salsa20(input: &[u32; 16], add_input: bool) -> [u32; 16] {
    let mut x = *input;
    for round in 0..20 {
        for q in 0..4 {
            // Word `m` of quarter round `q`: row `q`, column `q + m` (a row round), or
            // transposed (a column round).
            // (`% 16` tells the compiler the index is in bounds.)
            let index = |m: usize| {
                let column = (q + m) % 4;
                (if round % 2 == 0 {
                    4 * column + q
                } else {
                    4 * q + column
                }) % 16
            };
            // y1 ^= (y0 + y3) <<< 7, y2 ^= (y1 + y0) <<< 9, y3 ^= (y2 + y1) <<< 13,
            // y0 ^= (y3 + y2) <<< 18.
            for m in 0..4 {
                let sum = word(&x, index(m)).wrapping_add(word(&x, index(m + 3)));
                let next = index(m + 1);
                let value = word(&x, next) ^ sum.rotate_left(word(&[7, 9, 13, 18], m));
                set(&mut x, next, value);
            }
        }
    }
    if add_input {
        for i in 0..16 {
            let sum = word(&x, i).wrapping_add(word(input, i));
            set(&mut x, i, sum);
        }
    }
    x
}

/// Poly1305 of `message` under the one-time key in the first 32 bytes of `key`
/// (little-endian words): the tag, as four little-endian words.
///
/// Monocypher's formulation, as loops: 32-bit limbs and 64-bit products, with the
/// reduction modulo 2^130 - 5 folded into precomputed multiples of `r` (its clamped
/// limbs are multiples of 4, so `r_k / 4 * 5` is exact). Less code than TweetNaCl's 17
/// byte limbs, and many times faster.
fn poly1305(key: &[u32], message: &[u8]) -> [u32; 4] {
    const LOW: u64 = 0xffff_ffff;
    // r, clamped.
    let mut r = [0; 4];
    for i in 0..4 {
        let ri = u64::from(word(key, i)) & if i == 0 { 0x0fff_ffff } else { 0x0fff_fffc };
        set64(&mut r, i, ri);
    }
    let mut h = [0; 5];
    let mut start = 0;
    while start < message.len() {
        // The block with a 1 byte appended (2^128 for a full block), and h added: the
        // fifth word holds the bits from 2^128 up.
        let len = (message.len() - start).min(16);
        let mut block = [0; 20];
        for (j, b) in block.iter_mut().enumerate() {
            if j < len {
                *b = byte(message, start + j);
            } else if j == len {
                *b = 1;
            }
        }
        start += 16;
        for j in 0..5 {
            let sum = get64(&h, j) + u64::from(le32(&block, 4 * j));
            set64(&mut h, j, sum);
        }
        // h * r, without carries: a product that reaches 2^128 comes back times 5 / 4
        // (exact: the clamped limbs of r are multiples of 4, but for the lowest, whose
        // low bits are added back below).
        let mut x = [0; 4];
        for i in 0..4 {
            let mut sum = 0;
            for j in 0..5 {
                let rk = get64(&r, (i + 8 - j) % 4);
                sum += get64(&h, j) * if j <= i { rk } else { (rk >> 2) * 5 };
            }
            set64(&mut x, i, sum);
        }
        // Partial reduction: the bits from 2^130 up come back to the bottom times 5.
        let top = get64(&h, 4) * (get64(&r, 0) & 3) + (get64(&x, 3) >> 32);
        let mut u = (top >> 2) * 5 + (get64(&x, 0) & LOW);
        set64(&mut h, 0, u & LOW);
        for i in 1..4 {
            u = (u >> 32) + (get64(&x, i) & LOW) + (get64(&x, i - 1) >> 32);
            set64(&mut h, i, u & LOW);
        }
        set64(&mut h, 4, (u >> 32) + (top & 3));
    }
    // Whether h >= 2^130 - 5: then the carry of h + 5 reaches 2^130, and h - p is h + 5
    // mod 2^130. Then plus s, the second half of the key, mod 2^128.
    let mut c = 5;
    for i in 0..4 {
        c = (c + get64(&h, i)) >> 32;
    }
    c = ((c + get64(&h, 4)) >> 2) * 5;
    let mut tag = [0; 4];
    for (i, t) in tag.iter_mut().enumerate() {
        c += get64(&h, i) + u64::from(word(key, 4 + i));
        *t = c as u32;
        c >>= 32;
    }
    tag
}

/// The value at `i` of `words` (zero past the end).
fn get64(words: &[u64], i: usize) -> u64 {
    words.get(i).copied().unwrap_or(0)
}

/// Stores `value` at `i` of `words` (nowhere past the end).
fn set64(words: &mut [u64], i: usize, value: u64) {
    if let Some(w) = words.get_mut(i) {
        *w = value;
    }
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
        let mut opened = sealed.clone();
        assert!(secretbox_open(&FIRSTKEY, &NONCE, &mut opened));
        assert_eq!(opened[TAG_LEN..], plaintext[..]);
        let mut tampered = sealed.clone();
        tampered[TAG_LEN + 130] ^= 1;
        assert!(!secretbox_open(&FIRSTKEY, &NONCE, &mut tampered));
        assert_eq!(
            tampered[..TAG_LEN + 130],
            sealed[..TAG_LEN + 130],
            "not decrypted"
        );
        assert!(!secretbox_open(
            &FIRSTKEY,
            &NONCE,
            &mut sealed.clone()[..TAG_LEN - 1]
        ));
        assert_eq!(
            open(&secret(FIRSTKEY), &payload(&sealed, &NONCE)),
            Err(DecryptError::NotUtf8)
        );
    }

    /// Our Poly1305 over a 32-byte key, with the tag as bytes.
    fn mac(key: &[u8; 32], message: &[u8]) -> Vec<u8> {
        let words: Vec<u32> = key
            .chunks(4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
            .collect();
        poly1305(&words, message)
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect()
    }

    #[test]
    fn poly1305_vectors() {
        // RFC 8439 §2.5.2, then the edge cases of its appendix A.3 (#5 to #9): partial
        // reductions, `s` overflowing 2^128, results of exactly 2^130 - 5 and - 6.
        let key = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        let key: [u8; 32] = key.try_into().unwrap();
        assert_eq!(
            mac(&key, b"Cryptographic Forum Research Group"),
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
            assert_eq!(mac(&key, &hex(&message)), hex(&tag), "{message}");
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
        assert_eq!(s, SharedSecret(FIRSTKEY.to_vec()));
        assert_eq!(std::format!("{s:?}"), "SharedSecret(..)");
        assert_eq!(SharedSecret::from_base64(&STANDARD.encode([0u8; 31])), None);
        assert_eq!(SharedSecret::from_base64(&STANDARD.encode([0u8; 33])), None);
        assert_eq!(SharedSecret::from_base64(""), None);
        assert_eq!(SharedSecret::from_base64("not base64!"), None);
    }

    #[test]
    fn utf8_edges() {
        for bytes in [
            &b""[..],
            b"a\0\x7f",
            "é€😀\u{10ffff}".as_bytes(),
            b"\xc0\x80",
            b"\xc1\xbf",
            b"\xc2",
            b"\xe0\x9f\xbf",
            b"\xed\xa0\x80",
            b"\xed\x9f\xbf",
            b"\xee\x80\x80",
            b"\xf0\x8f\xbf\xbf",
            b"\xf4\x8f\xbf\xbf",
            b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80",
            b"\xf8\x88\x80\x80\x80",
            b"\x80",
            b"\xbf",
            b"\xff",
            b"\xe2\x82",
            b"\xe2\x82a",
            b"\xf0\x9f\x98",
        ] {
            assert_eq!(
                utf8(bytes),
                String::from_utf8(bytes.to_vec()).ok(),
                "{bytes:?}"
            );
        }
    }

    /// Bytes that are mostly UTF-8 sequences, whole or broken.
    fn utf8ish() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                any::<char>().prop_map(|c| c.to_string().into_bytes()),
                proptest::collection::vec(any::<u8>(), 1..3),
                proptest::collection::vec(0x80u8..0xc0, 1..3),
                (0xc0u8..0xf8).prop_map(|b| vec![b]),
            ],
            0..12,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn utf8_is_from_utf8(bytes in utf8ish()) {
            prop_assert_eq!(utf8(&bytes), String::from_utf8(bytes.clone()).ok());
        }

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
