//! Text normalisation for deduplication, done while hashing so that no per-word
//! strings are built.
//!
//! Words: letters and digits, lowercased. Whitespace and dash variants separate words
//! (so `Jong-un` and `Jong Un` agree); every other character, quotes included, is
//! dropped (so `minister’s`, `minister's` and `ministers` agree). Each word becomes a
//! 64-bit xxh3 hash of its normalised UTF-8 bytes, built in a reused buffer.
//!
//! Exact keys: the whole text lowercased, whitespace runs collapsed, quote and dash
//! variants folded to ASCII; punctuation is kept, so only true copies share a key.

use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

/// Calls `f` with the hash of every normalised word of `text`, in order. `buf` is
/// scratch space reused across calls.
pub fn for_each_word(text: &str, buf: &mut Vec<u8>, mut f: impl FnMut(u64)) {
    buf.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            if b.is_ascii_alphanumeric() {
                buf.push(b.to_ascii_lowercase());
            } else if b.is_ascii_whitespace() || b == b'-' {
                flush(buf, &mut f);
            }
            continue;
        }
        // Non-ASCII: decode one char. `text` is valid UTF-8, so this always succeeds.
        let Some(ch) = text[i..].chars().next() else {
            break;
        };
        i += ch.len_utf8();
        if ch.is_alphanumeric() {
            let mut tmp = [0u8; 4];
            for lc in ch.to_lowercase() {
                buf.extend_from_slice(lc.encode_utf8(&mut tmp).as_bytes());
            }
        } else if ch.is_whitespace() || is_dash(ch) {
            flush(buf, &mut f);
        }
    }
    flush(buf, &mut f);
}

fn flush(buf: &mut Vec<u8>, f: &mut impl FnMut(u64)) {
    if !buf.is_empty() {
        f(xxh3_64(buf));
        buf.clear();
    }
}

fn is_dash(ch: char) -> bool {
    matches!(
        ch,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '\u{00AD}'
    )
}

fn fold_quote(ch: char) -> Option<char> {
    match ch {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{FF07}' | '`' => {
            Some('\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' | '\u{FF02}' => Some('"'),
        _ => None,
    }
}

/// A 128-bit key equal for texts that differ only in case, whitespace, or quote and
/// dash variants.
pub fn exact_key(text: &str, buf: &mut Vec<u8>) -> [u64; 2] {
    buf.clear();
    let mut space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            space = !buf.is_empty();
            continue;
        }
        if space {
            buf.push(b' ');
            space = false;
        }
        if ch.is_ascii() {
            buf.push((ch as u8).to_ascii_lowercase());
        } else if let Some(q) = fold_quote(ch) {
            buf.push(q as u8);
        } else if is_dash(ch) {
            buf.push(b'-');
        } else {
            let mut tmp = [0u8; 4];
            for lc in ch.to_lowercase() {
                buf.extend_from_slice(lc.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
    let h = xxh3_128(buf);
    [(h >> 64) as u64, h as u64]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<u64> {
        let mut out = Vec::new();
        for_each_word(t, &mut Vec::new(), |h| out.push(h));
        out
    }

    #[test]
    fn case_quotes_and_punctuation_do_not_matter() {
        assert_eq!(
            words("The minister’s visit."),
            words("the MINISTER'S visit")
        );
        assert_eq!(words("U.S. “said”"), words("us said"));
    }

    #[test]
    fn dashes_separate_words() {
        assert_eq!(words("Kim Jong-un"), words("kim jong un"));
        assert_eq!(words("a — b"), words("a b"));
        assert_eq!(words("a–b"), words("a b"));
    }

    #[test]
    fn different_words_differ() {
        assert_ne!(words("colour"), words("color"));
        assert_eq!(words("Ünïcode Straße").len(), 2);
        assert_eq!(words("ünïcode"), words("ÜNÏCODE"));
        assert!(words(" ... — !!").is_empty());
    }

    #[test]
    fn exact_key_folds_only_variants() {
        let mut b = Vec::new();
        let k = exact_key("He said “no” — twice.", &mut b);
        assert_eq!(k, exact_key("he  said\n\"no\" - TWICE.", &mut b));
        assert_ne!(k, exact_key("he said no twice", &mut b));
    }
}
