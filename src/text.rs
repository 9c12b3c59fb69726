//! Small text helpers shared by the rules and the editor: line splitting that keeps
//! byte offsets (LF, CRLF and lone CR all end a line) and char-boundary clamping.

/// A line of the original text: `start..end` excludes the line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
}

impl Line {
    pub fn text<'a>(&self, doc: &'a str) -> &'a str {
        &doc[self.start..self.end]
    }
}

/// Iterates the lines of `text` with their byte ranges.
pub fn lines(text: &str) -> Lines<'_> {
    Lines {
        bytes: text.as_bytes(),
        pos: 0,
    }
}

pub struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start = self.pos;
        match memchr::memchr2(b'\n', b'\r', &self.bytes[start..]) {
            Some(i) => {
                let end = start + i;
                let crlf = self.bytes[end] == b'\r' && self.bytes.get(end + 1) == Some(&b'\n');
                self.pos = end + if crlf { 2 } else { 1 };
                Some(Line { start, end })
            }
            None => {
                self.pos = self.bytes.len();
                Some(Line {
                    start,
                    end: self.bytes.len(),
                })
            }
        }
    }
}

/// Largest char boundary `<= i` (clamped to the text length).
pub fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary `>= i` (clamped to the text length).
pub fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `start..end` shrunk so it neither starts nor ends with whitespace.
pub fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}

/// The lowercase of `ch` when it is a Latin-1 or basic Cyrillic letter (the non-ASCII
/// letters news text is full of), found without the Unicode tables; `None` for any
/// other char.
#[inline]
pub fn common_lower_letter(ch: char) -> Option<char> {
    let c = ch as u32;
    let lower = match c {
        0xD7 | 0xF7 => return None, // × and ÷
        0xDF..=0xFF | 0x430..=0x45F => c,
        0xC0..=0xDE | 0x410..=0x42F => c + 0x20,
        0x400..=0x40F => c + 0x50,
        _ => return None,
    };
    char::from_u32(lower)
}

/// Byte classes of eight bytes at once (SWAR): each function returns a word with the
/// top bit of every byte of `x` (little-endian, byte 0 lowest) that is in the class set.
pub mod swar {
    pub const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    pub const HIGH: u64 = 0x8080_8080_8080_8080;

    const fn splat(b: u8) -> u64 {
        b as u64 * 0x0101_0101_0101_0101
    }

    /// `chunk`'s eight bytes as one word.
    #[inline(always)]
    pub fn load(chunk: &[u8]) -> u64 {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        u64::from_le_bytes(le)
    }

    /// ASCII bytes in `lo..=hi`. With the top bit cleared first no sum carries into the
    /// next byte: the top bit of y + (0x80 - lo) says b >= lo, of y + (0x7F - hi) b > hi;
    /// `!x` keeps ASCII bytes only.
    #[inline(always)]
    pub fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
        let y = x & LOW7;
        (y + splat(0x80 - lo)) & !(y + splat(0x7F - hi)) & !x & HIGH
    }

    /// Bytes equal to `b` (exact: no sum carries into the next byte).
    #[inline(always)]
    pub fn eq(x: u64, b: u8) -> u64 {
        let t = x ^ splat(b);
        !(((t & LOW7) + LOW7) | t) & HIGH
    }
}

/// Han ideographs, Hiragana and Katakana: the scripts written without spaces between
/// words. (Hangul is written with spaces, and counts as other letters do.)
#[inline]
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x3134F)
}

/// CJK punctuation (`。`, `、`, `「`, `！`…): a word boundary, as a space is.
#[inline]
fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// Whether `text` may hold a CJK character or punctuation mark: every one is encoded
/// with a lead byte of 0xE3 or more (curly quotes and dashes have 0xE2, Latin and
/// Cyrillic letters less). 64 bytes a step, without an early exit inside a step, so the
/// test compiles to vector compares.
pub fn may_have_cjk(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut chunks = bytes.chunks_exact(64);
    for c in chunks.by_ref() {
        if c.iter().fold(false, |m, &b| m | (b >= 0xE3)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| b >= 0xE3)
}

/// [`count_words`], but a text in a script written without spaces counts too: every
/// two CJK characters in a row are a word (one left over at the end of a run counts as
/// one), about the length of a Chinese or Japanese word, and CJK punctuation separates
/// words as whitespace does. `北京时间周二，统计局发布了数据。` is 7 words, where
/// whitespace alone finds 1. Text with no CJK byte costs [`count_words`] and one scan.
pub fn count_words_cjk(line: &str) -> usize {
    count_words_cjk_upto(line, usize::MAX)
}

/// `count_words_cjk(line).min(limit)`, stopping at the `limit`-th word.
pub fn count_words_cjk_upto(line: &str, limit: usize) -> usize {
    if !may_have_cjk(line) {
        return count_words_upto(line, limit);
    }
    let (mut words, mut in_word, mut run) = (0, false, 0usize);
    for c in line.chars() {
        if words >= limit {
            return limit;
        }
        if is_cjk(c) {
            in_word = false;
            run += 1;
            words += run % 2;
        } else {
            run = 0;
            if c.is_whitespace() || is_cjk_punct(c) {
                in_word = false;
            } else if !in_word {
                in_word = true;
                words += 1;
            }
        }
    }
    words
}

/// Whether `text` holds at least `n` words as [`count_words_cjk`] counts them, reading
/// only as far as the `n`-th.
pub fn has_words(text: &str, n: usize) -> bool {
    let mut seen = 0;
    for line in text.split('\n') {
        if seen >= n {
            break;
        }
        seen += count_words_cjk_upto(line, n - seen);
    }
    seen >= n
}

/// `ch.is_alphanumeric()`, answered for the Basic Multilingual Plane from a bitmap
/// filled from std's own answers (so the two agree by construction), 64 chars at a
/// time as they are first asked for: std searches its Unicode tables for every char
/// outside ASCII, and the dedup tokenizer asks for every letter of text in other
/// scripts (Arabic, Hebrew, Devanagari, Thai…). Threads that fill the same word at
/// once store the same bits; the release/acquire pair on the filled flag makes a
/// reader that sees the flag see the bits too.
pub fn is_alphanumeric(ch: char) -> bool {
    use std::sync::atomic::{
        AtomicU64,
        Ordering::{Acquire, Relaxed, Release},
    };
    static BITS: [AtomicU64; 1024] = [const { AtomicU64::new(0) }; 1024];
    static FILLED: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];
    let c = ch as u32;
    if c < 0x80 {
        return ch.is_ascii_alphanumeric();
    }
    if c >= 0x1_0000 {
        return ch.is_alphanumeric();
    }
    let word = (c >> 6) as usize;
    let flag = 1u64 << (word & 63);
    if FILLED[word >> 6].load(Acquire) & flag == 0 {
        let base = (word as u32) << 6;
        let bits = (0..64u32)
            .filter(|i| char::from_u32(base + i).is_some_and(char::is_alphanumeric))
            .fold(0u64, |b, i| b | 1 << i);
        BITS[word].store(bits, Relaxed);
        FILLED[word >> 6].fetch_or(flag, Release);
    }
    BITS[word].load(Relaxed) >> (c & 63) & 1 != 0
}

/// Appends `ch` to `buf` as UTF-8.
#[inline]
pub fn push_char(buf: &mut Vec<u8>, ch: char) {
    let mut tmp = [0u8; 4];
    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
}

/// Appends the lowercase of `ch` to `buf` as UTF-8.
#[inline]
pub fn push_lowercase(buf: &mut Vec<u8>, ch: char) {
    if let Some(lc) = common_lower_letter(ch) {
        return push_char(buf, lc);
    }
    for lc in ch.to_lowercase() {
        push_char(buf, lc);
    }
}

/// The maximal runs of `s` that are words joined by single spaces, as byte ranges;
/// what lies between them (and around them) is whitespace. Joining the runs with one
/// space gives the words of `s` joined by one space, as `split_whitespace` sees them,
/// but a clean line costs one scan of eight bytes a step instead of a step per char.
pub fn word_runs(s: &str) -> WordRuns<'_> {
    WordRuns { s, i: 0 }
}

pub struct WordRuns<'a> {
    s: &'a str,
    i: usize,
}

impl Iterator for WordRuns<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let (s, bytes) = (self.s, self.s.as_bytes());
        let mut i = self.i;
        while let Some(n) = (i < bytes.len()).then(|| is_space_at(s, i)).flatten() {
            i += n;
        }
        if i >= bytes.len() {
            self.i = i;
            return None;
        }
        // Up to the next whitespace char that is not one space before a word.
        let mut j = i + 1;
        loop {
            j = plain_run_end(bytes, j);
            let Some(&b) = bytes.get(j) else { break };
            if b == b' ' {
                if j + 1 < bytes.len() && is_space_at(s, j + 1).is_none() {
                    j += 1;
                    continue;
                }
                break;
            }
            // Continuation bytes never start a char, so never whitespace.
            if (b & 0xC0) != 0x80 && is_space_at(s, j).is_some() {
                break;
            }
            j += 1;
        }
        self.i = j;
        Some((i, j))
    }
}

/// The end of the run from `i` that is already normal text: printable ASCII (`!` to
/// `~`), non-ASCII chars that cannot be whitespace, and single spaces with a printable
/// byte after them. Eight bytes at a time; it may stop early (at a byte that is fine
/// after all), never late.
#[inline(always)]
fn plain_run_end(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bytes equal to zero get their top bit set (and, after a borrow, sometimes the
    // byte above them too: a false stop, which is allowed).
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    while i + 8 < bytes.len() {
        let mut le = [0u8; 8];
        le.copy_from_slice(&bytes[i..i + 8]);
        let x = u64::from_le_bytes(le);
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let del = zero(x ^ (ONES * 0x7F));
        let space = zero(x ^ (ONES * 0x20)) & HIGH;
        let two_spaces = space & (space >> 8);
        // Non-ASCII whitespace (U+0085, U+00A0, U+1680, U+2000.., U+3000) starts with
        // one of these lead bytes; any other non-ASCII char is part of a word.
        let may_space = zero(x ^ (ONES * 0xC2))
            | zero(x ^ (ONES * 0xE1))
            | zero(x ^ (ONES * 0xE2))
            | zero(x ^ (ONES * 0xE3));
        let stop = (control | del | two_spaces | may_space) & HIGH;
        if stop != 0 {
            let at = i + (stop.trailing_zeros() / 8) as usize;
            // A space before the stop is judged with the byte after it.
            return if at > i && bytes[at - 1] == b' ' {
                at - 1
            } else {
                at
            };
        }
        // A space that ends the chunk needs a printable byte after it.
        if bytes[i + 7] == b' ' && !(0x21..0x7F).contains(&bytes[i + 8]) {
            return i + 7;
        }
        i += 8;
    }
    while i < bytes.len() && (0x21..0x7F).contains(&bytes[i]) {
        i += 1;
    }
    i
}

/// Whether `c` is whitespace; ASCII bytes answer without decoding.
#[inline(always)]
fn is_space_at(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r').then_some(1);
    }
    let c = s[i..].chars().next()?;
    c.is_whitespace().then_some(c.len_utf8())
}

/// `line.split_whitespace().count()`, fast: the rules count the words of nearly every
/// line, twice per document.
pub fn count_words(line: &str) -> usize {
    count_words_upto(line, usize::MAX)
}

/// `count_words(line).min(limit)`, stopping near the `limit`-th word: a rule that only
/// asks "at most n words?" need not read a long paragraph to its end.
///
/// 32 bytes at a time: a whitespace bit mask is built for the block and a word starts
/// at each byte that is not whitespace or inside a char and follows whitespace.
pub fn count_words_upto(line: &str, limit: usize) -> usize {
    const BLOCK: usize = 32;
    // char::is_whitespace on ASCII: \t \n \x0B \x0C \r and space.
    let ascii_space = |b: u8| b == b' ' || b.wrapping_sub(b'\t') < 5;
    let bytes = line.as_bytes();
    let mut words = 0;
    let mut after_space = true;
    let mut i = 0;
    while i < bytes.len() && words < limit {
        if let Some(block) = bytes.get(i..i + BLOCK)
            && let Some((space, cont)) = block_spaces(line, i, block, after_space)
        {
            // A word starts at a byte that is not whitespace, not inside a char, and
            // follows whitespace.
            let before = space << 1 | u32::from(after_space);
            words += (!space & !cont & before).count_ones() as usize;
            after_space = space >> (BLOCK - 1) == 1;
            i += BLOCK;
            continue;
        }
        let end = (i + BLOCK).min(bytes.len());
        while i < end {
            let b = bytes[i];
            i += 1;
            let space = match b {
                0..=0x7F => ascii_space(b),
                // A continuation byte belongs to the char before it.
                0x80..=0xBF => continue,
                // Only chars led by these bytes can be whitespace (U+0085, U+00A0,
                // U+1680, U+2000..U+205F, U+3000); any other char is not.
                0xC2 | 0xE1 | 0xE2 | 0xE3 => line[i - 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_whitespace),
                _ => false,
            };
            words += usize::from(after_space && !space);
            after_space = space;
        }
    }
    words.min(limit)
}

/// For the eight bytes of `x`, bit masks of: ASCII whitespace, lead bytes of the
/// non-ASCII whitespace chars (C2, E1, E2, E3), and continuation bytes. Exact: no
/// sum or difference carries from one byte into the next.
#[inline(always)]
fn byte_classes(x: u64) -> (u32, u32, u32) {
    const L7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const H: u64 = 0x8080_8080_8080_8080;
    const fn splat(b: u8) -> u64 {
        b as u64 * 0x0101_0101_0101_0101
    }
    // High bit of each byte that equals `b`.
    let eq = |b: u8| {
        let y = x ^ splat(b);
        !(((y & L7) + L7) | y) & H
    };
    // High bit of each ASCII byte in lo..=hi.
    let y = x & L7;
    let in_range = |lo: u8, hi: u8| (y + splat(0x80 - lo)) & !(y + splat(0x7F - hi)) & !x & H;
    let space = eq(b' ') | in_range(b'\t', b'\r');
    let lead = eq(0xC2) | eq(0xE1) | eq(0xE2) | eq(0xE3);
    let cont = x & !(x << 1) & H;
    // Gather the eight high bits into the low byte.
    let bits = |m: u64| ((m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32;
    (bits(space), bits(lead), bits(cont))
}

/// The whitespace bytes and the continuation bytes of the 32-byte `block` at `at` in
/// `line`, as bit masks (the compiler vectorises the scan). Non-ASCII whitespace chars are decoded where
/// their lead byte is; `None` when one crosses the block's end (the caller then goes
/// a byte at a time). The continuation bytes that open the block belong to a
/// whitespace char exactly when the block before ended in whitespace.
#[inline(always)]
fn block_spaces(line: &str, at: usize, block: &[u8], after_space: bool) -> Option<(u32, u32)> {
    let (mut space, mut lead, mut cont) = (0u32, 0u32, 0u32);
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        let m = byte_classes(u64::from_le_bytes(le));
        space |= m.0 << (8 * k);
        lead |= m.1 << (8 * k);
        cont |= m.2 << (8 * k);
    }
    if after_space {
        let n = cont.trailing_ones();
        space |= ((1u64 << n) - 1) as u32;
    }
    while lead != 0 {
        let j = lead.trailing_zeros() as usize;
        lead &= lead - 1;
        let c = line[at + j..].chars().next()?;
        if c.is_whitespace() {
            let n = c.len_utf8();
            if j + n > block.len() {
                return None;
            }
            space |= (((1u64 << n) - 1) << j) as u32;
        }
    }
    Some((space, cont))
}

/// Spans sorted and merged where they touch or overlap.
pub fn merged_spans(spans: impl Iterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = spans.collect();
    v.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Whether `start..end` lies inside one of the merged spans.
pub fn covered(cut: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = cut.partition_point(|&(s, _)| s <= start);
    i > 0 && cut[i - 1].1 >= end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_text_has_words() {
        assert_eq!(count_words_cjk("北京时间周二，统计局发布了数据。"), 7);
        // Latin words inside Japanese text, and a single character left over.
        assert_eq!(count_words_cjk("Kindle for PCの起動ホットキー"), 7);
        assert_eq!(count_words_cjk("日本"), 1);
        assert_eq!(count_words_cjk("日本語"), 2);
        // Text without CJK counts as before; Hangul is written with spaces.
        for t in [
            "The vote was delayed.",
            "  — “quoted” text  ",
            "정부는 오늘 발표했다",
            "",
        ] {
            assert_eq!(count_words_cjk(t), count_words(t), "{t}");
        }
        let zh =
            "北京时间周二，国家统计局发布了最新的经济数据。\n分析人士认为，刺激措施正在发挥作用。";
        assert!(has_words(zh, 10));
        assert!(!has_words("短い。", 10));
        assert!(has_words(
            "one two three four five six seven eight nine ten",
            10
        ));
        assert!(!has_words(
            "one two three four five six seven eight nine",
            10
        ));
        // Counted across lines, and mixed scripts line by line.
        assert!(has_words(
            "one two three\nfour five six seven\neight nine ten",
            10
        ));
        assert!(has_words("one two three four\n日本語の文章です", 7));
        assert!(!has_words("one two three four\n日本語の文章です", 9));
    }

    #[test]
    fn alphanumeric_bitmap_agrees_with_std() {
        for c in 0..=0x10_FFFFu32 {
            if let Some(ch) = char::from_u32(c) {
                assert_eq!(is_alphanumeric(ch), ch.is_alphanumeric(), "U+{c:04X}");
            }
        }
    }

    #[test]
    fn splits_every_line_ending() {
        let t = "a\nb\r\nc\rd";
        let got: Vec<&str> = lines(t).map(|l| l.text(t)).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
    }

    #[test]
    fn keeps_empty_lines_and_no_phantom_last_line() {
        let t = "a\n\nb\n";
        let got: Vec<&str> = lines(t).map(|l| l.text(t)).collect();
        assert_eq!(got, ["a", "", "b"]);
    }

    #[test]
    fn boundaries_never_split_a_char() {
        let t = "a“b";
        assert_eq!(floor_boundary(t, 2), 1);
        assert_eq!(ceil_boundary(t, 2), 4);
        assert_eq!(ceil_boundary(t, 99), t.len());
    }

    #[test]
    fn count_words_agrees_with_split_whitespace() {
        for t in [
            "",
            "   ",
            "one",
            " two  words ",
            "a\u{b}b\u{c}c\td\re\nf",
            "x\u{a0}y\u{3000}z\u{2009}w",
            "“quoted” café 日本語 — dash",
            "é",
            "a é b",
            "é\u{2003}é  x",
            " \u{a0}",
            "\u{85}a\u{1680}b\u{2028}c\u{205f}d\u{3000}",
            "Ωμέγα ὁ κόσμος ｆｕｌｌ",
            // Longer than one 32-byte block, words across block edges, mixed blocks.
            "The council approved the new budget on Tuesday after a long debate.",
            "abcdefghijklmnopqrstuvwxyz01234 5 abcdefghijklmnopqrstuvwxyz0123456 x",
            "                               a                                b   ",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa “quoted” text\u{a0}and more words here to pass",
            "\t\u{b}\u{c}\r\n word word word word word word word word word word word word",
        ] {
            let n = t.split_whitespace().count();
            assert_eq!(count_words(t), n, "{t:?}");
            for limit in 0..20 {
                assert_eq!(
                    count_words_upto(t, limit),
                    n.min(limit),
                    "{t:?} upto {limit}"
                );
            }
        }
    }

    #[test]
    fn trim_range_drops_edge_whitespace() {
        let t = "  ab c \n";
        assert_eq!(trim_range(t, 0, t.len()), (2, 6));
        assert_eq!(trim_range(t, 0, 2), (0, 0));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Word runs joined by one space are the words joined by one space.
        #[test]
        fn word_runs_join_to_the_words(
            s in "([a-z~!\\x7fдé“]{1,20}|[ .,]|\u{1680}|\u{a0}|\u{2003}|\u{b}|\u{c}|\r|\t|\n|\u{85}|\u{3000}|\u{1}){0,60}",
        ) {
            let runs: Vec<&str> = word_runs(&s).map(|(a, b)| &s[a..b]).collect();
            let words: Vec<&str> = s.split_whitespace().collect();
            prop_assert_eq!(runs.join(" "), words.join(" "));
        }

        /// Word counts, at every limit, match split_whitespace over long mixed text
        /// (blocks of 32 bytes cut through multi-byte chars and whitespace).
        #[test]
        fn count_words_upto_counts_like_split_whitespace(
            s in "([a-z]{1,9}|[дé“]{1,5}|[ .,]|\u{1680}|\u{a0}|\u{2003}|\u{2029}|\u{b}|\t|\n|\u{85}|\u{3000}|\u{1}){0,90}",
            limit in 0usize..40,
        ) {
            let n = s.split_whitespace().count();
            prop_assert_eq!(count_words(&s), n);
            prop_assert_eq!(count_words_upto(&s, limit), n.min(limit));
        }

        #[test]
        fn cjk_counts_stop_at_the_limit(
            s in "([a-z]{1,9}|[日本語中文]{1,7}|[ 、。，]|\n|\u{3000}){0,60}",
            limit in 0usize..40,
        ) {
            prop_assert_eq!(count_words_cjk_upto(&s, limit), count_words_cjk(&s).min(limit));
        }
    }
}
