//! Text normalisation for deduplication, done while hashing so that no per-word
//! strings are built. One scan of the text yields tokens:
//!
//! - words: letters and digits, lowercased. Whitespace and dash variants separate
//!   words (so `Jong-un` and `Jong Un` agree); every other character, quotes
//!   included, is left out of words (so `minister’s`, `minister's` and `ministers`
//!   agree). A word is the 64-bit xxh3 hash of its normalised UTF-8 bytes, built in a
//!   reused buffer. In Chinese and Japanese, written without spaces, every Han,
//!   Hiragana or Katakana character is a word of its own, so shingles are runs of
//!   characters (three, by default).
//! - marks: every other visible character, quote and dash variants folded to ASCII.
//!   Shingles ignore them; the exact key hashes words and marks in order, so exact
//!   duplicates differ at most in case, whitespace, and quote and dash variants.

use crate::text::{common_lower_letter, push_char, push_lowercase as push_lower};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// What the scan reports, in text order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// Hash of a normalised word.
    Word(u64),
    /// A punctuation or symbol character, folded, with its byte offset in the word
    /// being built (marks inside a word do not split it, and are reported before
    /// the word).
    Mark(char, u32),
}

impl Token {
    /// The token as one u64 for the exact key: words with the top bit clear, marks
    /// with it set, so the two never collide.
    pub fn key(self) -> u64 {
        match self {
            Token::Word(h) => h & !(1 << 63),
            Token::Mark(c, at) => (1 << 63) | ((at as u64) << 32) | c as u64,
        }
    }
}

/// Class of each ASCII byte: a lowercase letter or digit is its own lowercase value
/// (below 0x80); everything else is one of the classes below (0x80 and up).
const MARK: u8 = 0x80;
const SPACE: u8 = 0x81;
const DASH: u8 = 0x82;
static ASCII: [u8; 128] = {
    let mut t = [MARK; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        } else if is_ascii_space(c) {
            t[b] = SPACE;
        } else if c == b'-' {
            t[b] = DASH;
        }
        b += 1;
    }
    t
};

/// The hash of a normalised word. A word of up to 16 bytes (nearly all) is zero-padded
/// to 16 and hashed the way xxh3 hashes 9 to 16 bytes (two keyed halves, one
/// 128-bit multiply folded, xxh3's avalanche), with no branch on the length: `xxh3_64`
/// picks one of four paths by length, a branch that running text mispredicts. Longer
/// words go to `xxh3_64`.
#[inline(always)]
pub fn word_hash(word: &[u8]) -> u64 {
    if word.len() > 16 {
        return xxh3_64(word);
    }
    let mut b = [0u8; 16];
    b[..word.len()].copy_from_slice(word);
    short_word_hash(&b, word.len())
}

/// [`word_hash`] of `bytes[..len]`, `len <= 16`, reading 16 bytes of `bytes` (those past
/// `len` are ignored), so a word inside a larger buffer needs no copy.
#[inline(always)]
fn short_word_hash(bytes: &[u8], len: usize) -> u64 {
    let low = |k: usize| {
        if k >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * k)) - 1
        }
    };
    let load = |at: usize| {
        let mut le = [0u8; 8];
        le.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(le)
    };
    let lo = load(0) & low(len.min(8));
    let hi = load(8) & low(len.saturating_sub(8));
    let m = u128::from(lo ^ 0x1CAD_21F7_2C81_017C) * u128::from(hi ^ 0xDB97_9083_E96D_D4DE);
    let acc = (len as u64)
        .wrapping_add(lo.swap_bytes())
        .wrapping_add(hi)
        .wrapping_add(m as u64 ^ (m >> 64) as u64);
    let h = (acc ^ (acc >> 37)).wrapping_mul(0x1656_6791_9E37_79F9);
    h ^ (h >> 32)
}

/// Calls `f` with every token of `text`, in order. `buf` is scratch space reused
/// across calls.
///
/// The text is classified 64 bytes at a time into bit masks (separators, dashes,
/// letters and digits, capitals, other ASCII, non-ASCII), and each run between ASCII
/// separators is then handled from the masks: a run of ASCII letters and digits (most
/// words) is hashed straight from the lowercased block, and one with marks has them
/// reported and is compacted. A run holding non-ASCII bytes, or longer than a block,
/// goes to the char-by-char scan, which gives the same tokens: that scan's only state
/// is the word being built, and it is empty after every ASCII separator.
pub fn tokens(text: &str, buf: &mut Vec<u8>, mut f: impl FnMut(Token)) {
    #[cfg(target_arch = "x86_64")]
    {
        tokens_blocks(text, buf, &mut f)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        tokens_scan(text, buf, &mut f)
    }
}

/// One block's classes, a bit per byte (bit `j` is byte `j` of the block).
#[cfg(target_arch = "x86_64")]
struct Masks {
    /// ASCII whitespace and `-`: the separators a run ends at.
    sep: u64,
    /// `-`.
    dash: u64,
    /// ASCII letters and digits.
    alnum: u64,
    /// Bytes of 0x80 and up.
    high: u64,
    /// Any other ASCII byte (a mark).
    mark: u64,
}

/// Classifies the 64 bytes of `block`, and writes them to `lower` with ASCII capitals
/// lowercased.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64], lower: &mut [u8; LOWER]) -> Masks {
    use std::arch::x86_64::*;
    let (mut ws, mut dash, mut alnum, mut high) = (0u64, 0u64, 0u64, 0u64);
    for part in 0..4 {
        // SAFETY: SSE2 is part of every x86_64 CPU; the loads and stores stay inside
        // the two 64-byte arrays (16 bytes at offsets 0, 16, 32, 48).
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * part).cast());
            let set = |b: u8| _mm_set1_epi8(b as i8);
            // `lo <= x <= lo + span`, unsigned: min(x - lo, span) == x - lo.
            let within = |x: __m128i, lo: u8, span: u8| {
                let t = _mm_sub_epi8(x, set(lo));
                _mm_cmpeq_epi8(_mm_min_epu8(t, set(span)), t)
            };
            let space = _mm_or_si128(_mm_cmpeq_epi8(v, set(b' ')), within(v, 9, 4));
            let minus = _mm_cmpeq_epi8(v, set(b'-'));
            let upper = within(v, b'A', 25);
            let letter = within(_mm_or_si128(v, set(0x20)), b'a', 25);
            let an = _mm_or_si128(letter, within(v, b'0', 9));
            let lowered = _mm_or_si128(v, _mm_and_si128(upper, set(0x20)));
            _mm_storeu_si128(lower.as_mut_ptr().add(16 * part).cast(), lowered);
            let bits = |m: __m128i| (_mm_movemask_epi8(m) as u32 as u64) << (16 * part);
            ws |= bits(space);
            dash |= bits(minus);
            alnum |= bits(an);
            high |= bits(v);
        }
    }
    let sep = ws | dash;
    Masks {
        sep,
        dash,
        alnum,
        high,
        mark: !(sep | alnum | high),
    }
}

/// The lowercased block, with 16 bytes of room after it so that a word near the
/// block's end can be read 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
const LOWER: usize = 64 + 16;

/// [`word_hash`] of `lower[s..e]`, read in place.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_word_hash(lower: &[u8; LOWER], s: usize, e: usize) -> u64 {
    if e - s > 16 {
        return xxh3_64(&lower[s..e]);
    }
    short_word_hash(&lower[s..s + 16], e - s)
}

#[cfg(target_arch = "x86_64")]
fn tokens_blocks(text: &str, buf: &mut Vec<u8>, f: &mut impl FnMut(Token)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut block = [b' '; 64];
    let mut lower = [0u8; LOWER];
    // Invariant: `p` is 0 or follows an ASCII separator, so no word is being built.
    let mut p = 0;
    while p < n {
        let len = (n - p).min(64);
        if len == 64 {
            block.copy_from_slice(&bytes[p..p + 64]);
        } else {
            // The tail, padded with spaces (which end a word and give no token).
            block = [b' '; 64];
            block[..len].copy_from_slice(&bytes[p..]);
        }
        let m = classify(&block, &mut lower);
        let body = !m.sep;
        let mut events = (body & !(body << 1)) | m.dash;
        let mut next = p + 64;
        while events != 0 {
            let k = events.trailing_zeros();
            events &= events - 1;
            let bit = 1u64 << k;
            if m.dash & bit != 0 {
                f(Token::Mark('-', 0));
                continue;
            }
            let after = m.sep & !(bit - 1);
            if after == 0 {
                if k > 0 {
                    // The run goes on past this block: the next block starts with it.
                    next = p + k as usize;
                } else {
                    // A run longer than a block (a URL, say).
                    let end = bytes[p..]
                        .iter()
                        .position(|&b| b < 0x80 && matches!(ASCII[b as usize], SPACE | DASH))
                        .map_or(n, |e| p + e);
                    tokens_scan(&text[p..end], buf, &mut *f);
                    next = end;
                }
                break;
            }
            let e = after.trailing_zeros();
            let run = (!(bit - 1)) & ((1u64 << e) - 1);
            let (s, e) = (k as usize, e as usize);
            // The run's ASCII letters and digits, from its start: `len` of them lead.
            let lead = (m.alnum & run) >> s;
            let len = lead.trailing_ones() as usize;
            if (m.mark | m.high) & run == 0 {
                f(Token::Word(block_word_hash(&lower, s, e)));
            } else if m.high & run == 0 && len > 0 && lead >> len == 0 {
                // A word with ASCII marks after it (`word,` `end.”` is not: the quote
                // is not ASCII), the commonest run with marks: the marks, placed at the
                // word's end, then the word, as `run_with_marks` reports them.
                for &b in &lower[s + len..e] {
                    let ch = if b == b'`' { '\'' } else { b as char };
                    f(Token::Mark(ch, len as u32));
                }
                f(Token::Word(block_word_hash(&lower, s, s + len)));
            } else if !run_with_marks(&lower[..e], s, m.alnum, buf, f) {
                tokens_scan(&text[p + s..p + e], buf, &mut *f);
            }
        }
        p = next;
    }
}

/// The tokens of the run `lower[s..]` (no ASCII separator in it; `alnum` marks its
/// ASCII letters and digits), when every non-ASCII char in it is a common letter (see
/// [`common_lower_letter`]) or a General Punctuation mark (curly quotes, ellipsis):
/// marks first, in order, then the word. Returns false, having reported nothing, for
/// any other char (a Unicode space or dash splits the run; rarer letters need the
/// Unicode tables), or for more than 16 marks: the caller then scans the run char by
/// char.
#[inline]
fn run_with_marks(
    lower: &[u8],
    s: usize,
    alnum: u64,
    buf: &mut Vec<u8>,
    f: &mut impl FnMut(Token),
) -> bool {
    // Runs with more marks than this (rare) go to the scan.
    let mut marks = [('\0', 0u32); 16];
    let mut n_marks = 0;
    buf.clear();
    let mut j = s;
    while j < lower.len() {
        let b = lower[j];
        if alnum & (1 << j) != 0 {
            buf.push(b);
            j += 1;
            continue;
        }
        let (ch, len) = if b < 0x80 {
            (if b == b'`' { '\'' } else { b as char }, 1)
        } else if (0xC2..=0xDF).contains(&b) {
            let c = (u32::from(b & 0x1F) << 6) | u32::from(lower[j + 1] & 0x3F);
            match char::from_u32(c).and_then(common_lower_letter) {
                Some(lc) => {
                    push_char(buf, lc);
                    j += 2;
                    continue;
                }
                None => return false,
            }
        } else if b == 0xE2 && (lower[j + 1] == 0x80 || lower[j + 1] == 0x81) {
            let c = 0x2000 | (u32::from(lower[j + 1] & 0x3F) << 6) | u32::from(lower[j + 2] & 0x3F);
            match char::from_u32(c) {
                Some(ch) if ch <= '\u{206F}' && !is_space_punct(ch) && !is_dash(ch) => {
                    (fold_quote(ch).unwrap_or(ch), 3)
                }
                _ => return false,
            }
        } else {
            return false;
        };
        if n_marks == marks.len() {
            return false;
        }
        marks[n_marks] = (ch, buf.len() as u32);
        n_marks += 1;
        j += len;
    }
    for &(ch, at) in &marks[..n_marks] {
        f(Token::Mark(ch, at));
    }
    if !buf.is_empty() {
        f(Token::Word(word_hash(buf)));
        buf.clear();
    }
    true
}

/// The General Punctuation chars that are whitespace.
fn is_space_punct(ch: char) -> bool {
    ch <= '\u{200A}' || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}')
}

/// The char-by-char scan behind [`tokens`] (and its definition).
fn tokens_scan(text: &str, buf: &mut Vec<u8>, mut f: impl FnMut(Token)) {
    buf.clear();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            let class = ASCII[b as usize];
            if class < 0x80 {
                if buf.is_empty() {
                    // Fast path, most words: a run of lowercase ASCII letters and
                    // digits that ends at a separator, possibly after ASCII marks
                    // ("word," "end."), is hashed where it lies. Marks inside a word
                    // come before it, placed at its end.
                    let start = i;
                    i = lower_run_end(bytes, i);
                    let mut j = i;
                    while j < n && bytes[j] < 0x80 && ASCII[bytes[j] as usize] == MARK {
                        j += 1;
                    }
                    let ends = j == n
                        || (bytes[j] < 0x80 && matches!(ASCII[bytes[j] as usize], SPACE | DASH));
                    if ends && i > start {
                        for &m in &bytes[i..j] {
                            let ch = if m == b'`' { '\'' } else { m as char };
                            f(Token::Mark(ch, (i - start) as u32));
                        }
                        f(Token::Word(word_hash(&bytes[start..i])));
                        i = j;
                    } else {
                        buf.extend_from_slice(&bytes[start..i]);
                    }
                    if i > start {
                        continue;
                    }
                } else if b == class {
                    // Inside a word (after a capital, say): the rest of its lowercase
                    // run at once.
                    let end = lower_run_end(bytes, i);
                    buf.extend_from_slice(&bytes[i..end]);
                    i = end;
                    continue;
                }
                buf.push(class);
                i += 1;
                continue;
            }
            i += 1;
            match class {
                SPACE => flush(buf, &mut f),
                DASH => {
                    flush(buf, &mut f);
                    f(Token::Mark('-', 0));
                }
                _ => {
                    let ch = if b == b'`' { '\'' } else { b as char };
                    f(Token::Mark(ch, buf.len() as u32));
                }
            }
            continue;
        }
        // Non-ASCII: decode one char. `text` is valid UTF-8, so this always succeeds.
        let Some(ch) = text[i..].chars().next() else {
            break;
        };
        i += ch.len_utf8();
        if let Some(lc) = common_lower_letter(ch) {
            push_char(buf, lc);
        } else if ('\u{2000}'..='\u{206F}').contains(&ch) {
            // General Punctuation (curly quotes, dashes, spaces): the common case,
            // decided without the Unicode tables.
            if is_space_punct(ch) {
                flush(buf, &mut f);
            } else if is_dash(ch) {
                flush(buf, &mut f);
                f(Token::Mark('-', 0));
            } else {
                f(Token::Mark(fold_quote(ch).unwrap_or(ch), buf.len() as u32));
            }
        } else if crate::text::is_cjk(ch) {
            // Chinese and Japanese have no spaces between words: each character is a
            // word of its own, so shingles are runs of characters.
            flush(buf, &mut f);
            push_char(buf, ch);
            flush(buf, &mut f);
        } else if crate::text::is_alphanumeric(ch) {
            push_lower(buf, ch);
        } else if ch.is_whitespace() {
            flush(buf, &mut f);
        } else if is_dash(ch) {
            flush(buf, &mut f);
            f(Token::Mark('-', 0));
        } else {
            f(Token::Mark(fold_quote(ch).unwrap_or(ch), buf.len() as u32));
        }
    }
    flush(buf, &mut f);
}

/// The end of the run of lowercase ASCII letters and digits starting at `i`. Eight
/// bytes at a time, so a word of up to eight bytes costs one step and the loop's exit
/// is predictable.
#[inline(always)]
fn lower_run_end(bytes: &[u8], mut i: usize) -> usize {
    use crate::text::swar::{HIGH, in_range, load};
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = load(chunk);
        let ok = in_range(x, b'a', b'z') | in_range(x, b'0', b'9');
        if ok != HIGH {
            return i + ((!ok & HIGH).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i] < 0x80 && ASCII[bytes[i] as usize] == bytes[i] {
        i += 1;
    }
    i
}

/// Calls `f` with the hash of every normalised word of `text`, in order.
pub fn for_each_word(text: &str, buf: &mut Vec<u8>, mut f: impl FnMut(u64)) {
    tokens(text, buf, |t| {
        if let Token::Word(h) = t {
            f(h)
        }
    });
}

fn flush(buf: &mut Vec<u8>, f: &mut impl FnMut(Token)) {
    if !buf.is_empty() {
        f(Token::Word(word_hash(buf)));
        buf.clear();
    }
}

/// Hashes exact-key tokens (see [`Token::key`]) into a 128-bit key.
pub fn exact_key(keys: &[u64]) -> [u64; 2] {
    let mut key = ExactKey::default();
    for &k in keys {
        key.push(k);
    }
    key.finish()
}

/// [`exact_key`] fed one token at a time, as the scan yields them: the same digest as
/// one call over all the tokens' bytes, without holding them.
#[derive(Clone)]
pub struct ExactKey {
    hasher: Xxh3,
    block: [u8; 512],
    len: usize,
}

impl Default for ExactKey {
    fn default() -> ExactKey {
        ExactKey {
            hasher: Xxh3::new(),
            block: [0; 512],
            len: 0,
        }
    }
}

impl ExactKey {
    #[inline]
    pub fn push(&mut self, key: u64) {
        if self.len == self.block.len() {
            self.hasher.update(&self.block);
            self.len = 0;
        }
        self.block[self.len..self.len + 8].copy_from_slice(&key.to_le_bytes());
        self.len += 8;
    }

    pub fn finish(mut self) -> [u64; 2] {
        self.hasher.update(&self.block[..self.len]);
        let h = self.hasher.digest128();
        [(h >> 64) as u64, h as u64]
    }
}

const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<u64> {
        let mut out = Vec::new();
        for_each_word(t, &mut Vec::new(), |h| out.push(h));
        out
    }

    #[test]
    fn every_cjk_character_is_a_word() {
        assert_eq!(words("统计局发布。").len(), 5);
        assert_eq!(
            words("Kindle for PCの起動"),
            words("kindle for pc の 起 動")
        );
        // Hangul is written with spaces: its words stay whole.
        assert_eq!(words("서울시는 밝혔다").len(), 2);
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
    fn short_words_hash_apart() {
        // Every word of one to three letters or digits, and words either side of the
        // 16-byte switch to xxh3, get distinct hashes.
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut words: Vec<Vec<u8>> = Vec::new();
        for &a in alphabet {
            words.push(vec![a]);
            for &b in alphabet {
                words.push(vec![a, b]);
                for &c in alphabet {
                    words.push(vec![a, b, c]);
                }
            }
        }
        for n in 7..=18 {
            words.push(vec![b'x'; n]);
            words.push([vec![b'x'; n - 1], vec![b'y']].concat());
        }
        let mut hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), words.len());
    }

    #[test]
    fn fast_lowercase_agrees_with_unicode() {
        for c in (0xC0..=0xFF).chain(0x400..=0x45F) {
            let ch = char::from_u32(c).expect("char");
            if let Some(lc) = common_lower_letter(ch) {
                assert!(ch.is_alphanumeric(), "{ch}");
                assert_eq!(
                    ch.to_lowercase().collect::<String>(),
                    lc.to_string(),
                    "{ch}"
                );
            } else {
                assert!(!ch.is_alphanumeric(), "{ch} needs the slow path");
            }
        }
    }

    /// The scan without the fast path: every word built byte by byte in `buf`.
    fn tokens_reference(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        let emit = |buf: &mut Vec<u8>, out: &mut Vec<Token>| {
            if !buf.is_empty() {
                out.push(Token::Word(word_hash(buf)));
                buf.clear();
            }
        };
        for ch in text.chars() {
            if ch.is_ascii_alphanumeric() {
                buf.push(ch.to_ascii_lowercase() as u8);
            } else if ch.is_ascii() && is_ascii_space(ch as u8) {
                emit(&mut buf, &mut out);
            } else if ch == '-' {
                emit(&mut buf, &mut out);
                out.push(Token::Mark('-', 0));
            } else if ch.is_ascii() {
                let c = if ch == '`' { '\'' } else { ch };
                out.push(Token::Mark(c, buf.len() as u32));
            } else if crate::text::is_cjk(ch) {
                emit(&mut buf, &mut out);
                push_char(&mut buf, ch);
                emit(&mut buf, &mut out);
            } else if ch.is_alphanumeric() {
                push_lower(&mut buf, ch);
            } else if ch.is_whitespace() {
                emit(&mut buf, &mut out);
            } else if is_dash(ch) {
                emit(&mut buf, &mut out);
                out.push(Token::Mark('-', 0));
            } else {
                out.push(Token::Mark(fold_quote(ch).unwrap_or(ch), buf.len() as u32));
            }
        }
        emit(&mut buf, &mut out);
        out
    }

    #[test]
    fn fast_path_agrees_with_the_byte_by_byte_scan() {
        let pieces = [
            "a", "Ab", "zz9", "Q", "x", " ", "\n", "\t", "-", "'", "`", ".", ",", "\u{0}", "é",
            "É", "’", "—", "\u{00A0}", "ж", "ǅ", "İ", "日本", "\u{2009}", "«", "1",
        ];
        let mut state = 7u64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let mut got = Vec::new();
            tokens(&text, &mut Vec::new(), |t| got.push(t));
            assert_eq!(got, tokens_reference(&text), "{text:?}");
            state = state.wrapping_add(1);
        }
    }

    proptest::proptest! {
        /// Long texts, so that runs cross the 64-byte blocks and some outgrow them, made
        /// of what each path of the block scan handles: plain and capitalised words,
        /// ASCII marks inside and around words, Latin-1 and Cyrillic letters, curly
        /// quotes and other General Punctuation, Unicode spaces and dashes, rarer
        /// letters, and every ASCII separator.
        #[test]
        fn block_scan_agrees_with_the_byte_by_byte_scan(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "a", "word", "Word", "WORD", "x9", "U.S.", "don't", "it`s", "(see", "end.",
                "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789",
                "https://example.com/a/b?c=d&e=f", "é", "É", "Straße", "ж", "Ж", "Ёлка",
                "’", "‘", "“", "”", "…", "‰", "«", "»", "—", "–", "\u{2009}", "\u{2028}",
                "\u{a0}", "\u{3000}", "ǅ", "İ", "Ω", "日本", "e\u{301}", "\u{0}", "\u{7f}",
                " ", " ", " ", "  ", "\n", "\t", "\r\n", "\u{b}", "\u{c}", "-", "--", ",",
                "so,", "No.)", "!!!!!!!!!!!!!!!!!!!!", "ок.", "ש", "ع", "क्", "ก",
            ]), 0..120)
        ) {
            let text: String = pieces.concat();
            let mut got = Vec::new();
            tokens(&text, &mut Vec::new(), |t| got.push(t));
            proptest::prop_assert_eq!(got, tokens_reference(&text), "{:?}", text);
        }
    }

    #[test]
    fn word_runs_end_where_the_byte_by_byte_scan_ends() {
        let slow = |b: &[u8], mut i: usize| {
            while i < b.len() && b[i] < 0x80 && ASCII[b[i] as usize] == b[i] {
                i += 1;
            }
            i
        };
        for b in 0..=255u8 {
            for at in 0..12 {
                let mut text = b"abcdefgh0123456789xyzw".to_vec();
                text[at] = b;
                for start in 0..4 {
                    assert_eq!(
                        lower_run_end(&text, start),
                        slow(&text, start),
                        "{b} at {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn streamed_exact_key_is_the_one_shot_hash() {
        let keys: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for n in [0, 1, 63, 64, 65, 1000] {
            let bytes: Vec<u8> = keys[..n].iter().flat_map(|k| k.to_le_bytes()).collect();
            let h = xxhash_rust::xxh3::xxh3_128(&bytes);
            assert_eq!(
                exact_key(&keys[..n]),
                [(h >> 64) as u64, h as u64],
                "{n} keys"
            );
        }
    }

    fn key(t: &str) -> [u64; 2] {
        let mut keys = Vec::new();
        tokens(t, &mut Vec::new(), |t| keys.push(t.key()));
        exact_key(&keys)
    }

    #[test]
    fn exact_key_folds_only_variants() {
        let k = key("He said “no” — twice.");
        assert_eq!(k, key("he  said\n\"no\" - TWICE."));
        assert_eq!(key("it’s `x´"), key("it's 'x´"));
        assert_ne!(k, key("he said no twice"));
        assert_ne!(k, key("He said “no” — twice!"));
        assert_ne!(
            key("it's"),
            key("its'"),
            "a mark's place in its word counts"
        );
    }
}
