//! Repetition across the dump: how many documents of this run contain a given line.
//! Template text (menus, footers, cookie notices, newsletter boxes) repeats across the
//! pages of a site; article text does not. The counts come from an explicit first pass
//! over the input, before any document is cleaned, so they are the same whatever the
//! thread count or batch size.
//!
//! Memory is fixed: a count-min sketch (`depth` rows of `width` counters) answers "in how
//! many documents does this line occur" with a small overestimate at worst, never an
//! underestimate. Documents are hashed in parallel and counted in input order.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::text::{push_char, push_lowercase, word_runs};

/// Counters per row that [`LineCounts::crowding`] reads (all of a narrower row).
pub const CROWDING_SAMPLE: usize = 1 << 16;

/// Lines ahead whose counters are prefetched: a line's `depth` counters are in flight
/// while this many lines before it are read.
const PREFETCH_AHEAD: usize = 4;

pub struct LineCounts {
    rows: Vec<Vec<u32>>,
    mask: u64,
    docs: u32,
}

impl LineCounts {
    /// A sketch of `depth` rows of 2^`width_bits` counters (4 bytes each).
    pub fn new(depth: usize, width_bits: u32) -> Self {
        let width = 1usize << width_bits;
        LineCounts {
            rows: (0..depth.max(1)).map(|_| vec![0; width]).collect(),
            mask: (width as u64) - 1,
            docs: 0,
        }
    }

    /// The distinct line keys of a document (the part worth doing in parallel).
    pub fn document_keys(text: &str) -> Vec<u64> {
        let mut keys: Vec<u64> = crate::text::lines(text)
            .filter_map(|l| line_key(l.text(text)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Counts one document given its distinct line keys.
    pub fn add_keys(&mut self, keys: &[u64]) {
        for (i, &k) in keys.iter().enumerate() {
            if let Some(&ahead) = keys.get(i + PREFETCH_AHEAD) {
                self.prefetch_key(ahead);
            }
            for r in 0..self.rows.len() {
                let slot = self.slot(k, r);
                self.rows[r][slot] = self.rows[r][slot].saturating_add(1);
            }
        }
        self.docs += 1;
    }

    /// Counts one document: each distinct line once.
    pub fn add_document(&mut self, text: &str) {
        self.add_keys(&Self::document_keys(text));
    }

    /// Documents (an upper bound) that contain `line`; 0 for blank lines.
    pub fn count(&self, line: &str) -> u32 {
        let Some(k) = line_key(line) else {
            return 0;
        };
        self.rows
            .iter()
            .enumerate()
            .map(|(r, row)| row[self.slot(k, r)])
            .min()
            .unwrap_or(0)
    }

    /// Whether `line` occurs in at least `need` documents, as `count(line) >= need`
    /// says, but stopping at the first row below `need`: most lines occur once, and
    /// each row is a cache miss in a sketch of tens of megabytes.
    pub fn at_least(&self, line: &str, need: u32) -> bool {
        need == 0 || line_key(line).is_some_and(|k| self.key_at_least(k, need))
    }

    /// [`LineCounts::at_least`] for a line's [`line_key`].
    fn key_at_least(&self, key: u64, need: u32) -> bool {
        self.rows
            .iter()
            .enumerate()
            .all(|(r, row)| row[self.slot(key, r)] >= need)
    }

    /// [`LineCounts::at_least`] for each of `lines`, each with its own `need`. Each
    /// counter is a cache miss: the lines are hashed first, and each line's counters
    /// are loaded while the lines before it are looked up.
    pub fn each_at_least<'a>(&self, lines: impl IntoIterator<Item = (&'a str, u32)>) -> Vec<bool> {
        let keys: Vec<(Option<u64>, u32)> = lines
            .into_iter()
            .map(|(line, need)| (line_key(line), need))
            .collect();
        (0..keys.len())
            .map(|i| {
                if let Some(&(Some(ahead), _)) = keys.get(i + PREFETCH_AHEAD) {
                    self.prefetch_key(ahead);
                }
                let (key, need) = keys[i];
                need == 0 || key.is_some_and(|k| self.key_at_least(k, need))
            })
            .collect()
    }

    /// Starts loading `key`'s counters (a hint only).
    fn prefetch_key(&self, key: u64) {
        for (r, row) in self.rows.iter().enumerate() {
            crate::hint::prefetch(&row[self.slot(key, r)]);
        }
    }

    /// The chance that a line counted in one document reads as in `need` or more:
    /// in each row, the share of counters already at `need - 1` or more (where such a
    /// line would land), multiplied over the rows. Near 0 while the sketch is wide
    /// enough for its input; it grows quickly once the average counter passes 1.
    ///
    /// Each row's share is read off its first [`CROWDING_SAMPLE`] counters: slots are
    /// hashes, so any block of them is a fair sample, and a contiguous one touches a
    /// few pages where the whole row would fault in tens of megabytes on every run.
    pub fn crowding(&self, need: u32) -> f64 {
        if need <= 1 {
            return 0.0; // every line seen at all reads as 1 or more: nothing to misread
        }
        self.rows
            .iter()
            .map(|row| {
                let sample = &row[..row.len().min(CROWDING_SAMPLE)];
                sample.iter().filter(|&&c| c >= need - 1).count() as f64 / sample.len() as f64
            })
            .product()
    }

    /// Adds another sketch of the same shape, as if its documents had been counted
    /// here: counts of a run split into parts merge into the counts of the whole run.
    pub fn merge(&mut self, other: &LineCounts) -> anyhow::Result<()> {
        if self.rows.len() != other.rows.len() || self.mask != other.mask {
            anyhow::bail!("line count sketches of different shapes cannot be merged");
        }
        for (mine, theirs) in self.rows.iter_mut().zip(&other.rows) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a = a.saturating_add(*b);
            }
        }
        self.docs = self.docs.saturating_add(other.docs);
        Ok(())
    }

    /// The sketch as bytes: depth, width bits, documents, then the counters (all
    /// little-endian u32).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.bytes());
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.mask + 1).trailing_zeros().to_le_bytes());
        out.extend_from_slice(&self.docs.to_le_bytes());
        for row in &self.rows {
            for c in row {
                out.extend_from_slice(&c.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<LineCounts> {
        let word = |i: usize| -> anyhow::Result<u32> {
            let b = bytes
                .get(i * 4..i * 4 + 4)
                .ok_or_else(|| anyhow::anyhow!("line count sketch is truncated"))?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let (depth, bits, docs) = (word(0)? as usize, word(1)?, word(2)?);
        if !(1..=16).contains(&depth) || !(8..=30).contains(&bits) {
            anyhow::bail!("line count sketch has a bad header ({depth} × 2^{bits})");
        }
        let width = 1usize << bits;
        if bytes.len() != 12 + depth * width * 4 {
            anyhow::bail!("line count sketch has the wrong size");
        }
        let mut counts = LineCounts::new(depth, bits);
        counts.docs = docs;
        for (r, row) in counts.rows.iter_mut().enumerate() {
            let start = 12 + r * width * 4;
            for (c, b) in row
                .iter_mut()
                .zip(bytes[start..start + width * 4].chunks_exact(4))
            {
                *c = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        Ok(counts)
    }

    pub fn documents(&self) -> u32 {
        self.docs
    }

    pub fn bytes(&self) -> usize {
        self.rows.iter().map(|r| r.len() * 4).sum()
    }

    fn slot(&self, key: u64, row: usize) -> usize {
        // Row r uses bits of a re-mixed key, so rows collide independently.
        let h =
            key.rotate_left((row as u32) * 17) ^ (row as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 20 & self.mask) as usize
    }
}

/// The length of the ASCII prefix of `b`, eight bytes at a time.
fn ascii_prefix(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        let high = u64::from_le_bytes(le) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..].iter().take_while(|b| b.is_ascii()).count()
}

/// Hash of a line with whitespace collapsed and case folded; None for blank lines.
pub fn line_key(line: &str) -> Option<u64> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        buf.reserve(line.len());
        for (a, b) in word_runs(line) {
            if !buf.is_empty() {
                buf.push(b' ');
            }
            let mut run = &line[a..b];
            while !run.is_empty() {
                // ASCII goes in lowercased as one slice; a non-ASCII char on its own.
                let ascii = ascii_prefix(run.as_bytes());
                let at = buf.len();
                buf.extend_from_slice(&run.as_bytes()[..ascii]);
                buf[at..].make_ascii_lowercase();
                run = &run[ascii..];
                let Some(c) = run.chars().next() else { break };
                run = &run[c.len_utf8()..];
                // Curly quotes and dashes (General Punctuation) have no case.
                if ('\u{2000}'..='\u{206F}').contains(&c) {
                    push_char(&mut buf, c);
                } else {
                    push_lowercase(&mut buf, c);
                }
            }
        }
        (!buf.is_empty()).then(|| xxh3_64_with_seed(&buf, 0x6368_6166))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_documents_not_occurrences() {
        let mut c = LineCounts::new(4, 12);
        c.add_document("Menu\nMenu\nStory one.");
        c.add_document("menu\n  Story two.");
        c.add_document("Other");
        assert_eq!(c.count("Menu"), 2);
        assert_eq!(c.count("MENU "), 2);
        assert_eq!(c.count("Story one."), 1);
        assert_eq!(c.count("never seen"), 0);
        assert_eq!(c.count("   "), 0);
        assert_eq!(c.documents(), 3);
    }

    #[test]
    fn crowding_is_the_share_of_counters_a_line_seen_once_would_misread() {
        let mut c = LineCounts::new(1, 8);
        assert_eq!(c.crowding(5), 0.0);
        for _ in 0..4 {
            c.add_document("Menu");
        }
        // One counter of 256 holds 4: a line seen once landing there reads 5.
        assert_eq!(c.crowding(5), 1.0 / 256.0);
        assert_eq!(c.crowding(6), 0.0);
        assert_eq!(c.crowding(1), 0.0);

        // The same documents in a narrow and a wide sketch of four rows.
        let (mut narrow, mut wide) = (LineCounts::new(4, 8), LineCounts::new(4, 16));
        for d in 0..300 {
            let text: Vec<String> = (0..10).map(|l| format!("line {l} of {d}")).collect();
            narrow.add_document(&text.join("\n"));
            wide.add_document(&text.join("\n"));
        }
        assert!(narrow.crowding(5) > 0.9, "{}", narrow.crowding(5));
        assert!(wide.crowding(5) < 1e-9, "{}", wide.crowding(5));
    }

    #[test]
    fn at_least_is_the_count_compared() {
        // A narrow sketch, so that rows collide and disagree.
        let mut c = LineCounts::new(4, 8);
        for d in 0..300 {
            c.add_document(&format!("Menu\nline {}\nline {}", d % 7, d % 101));
        }
        let lines = ["Menu", "line 3", "line 50", "line 5000", "never seen", "  "];
        let needs = [0, 1, 2, 3, 4, 40, 43, 300, 301];
        for line in lines {
            for need in needs {
                assert_eq!(
                    c.at_least(line, need),
                    c.count(line) >= need,
                    "{line:?} {need}"
                );
            }
        }
        // Many lines at once, each with its own need, in order.
        let pairs: Vec<(&str, u32)> = (lines.iter().cycle().zip(needs.iter().cycle()))
            .take(lines.len() * needs.len())
            .map(|(&l, &n)| (l, n))
            .collect();
        let each: Vec<bool> = pairs.iter().map(|&(l, n)| c.count(l) >= n).collect();
        assert_eq!(c.each_at_least(pairs.iter().copied()), each);
    }

    #[test]
    fn parts_merge_into_the_whole_and_round_trip() {
        let docs = [
            "Menu\nStory one.",
            "menu\nStory two.",
            "Menu\nOther",
            "Story one.",
        ];
        let mut whole = LineCounts::new(3, 10);
        docs.iter().for_each(|d| whole.add_document(d));
        let mut a = LineCounts::new(3, 10);
        let mut b = LineCounts::new(3, 10);
        docs[..1].iter().for_each(|d| a.add_document(d));
        docs[1..].iter().for_each(|d| b.add_document(d));
        let mut merged = LineCounts::from_bytes(&a.to_bytes()).expect("round trips");
        merged
            .merge(&LineCounts::from_bytes(&b.to_bytes()).expect("round trips"))
            .expect("same shape");
        assert_eq!(merged.to_bytes(), whole.to_bytes());
        assert_eq!(merged.count("Menu"), 3);
        assert_eq!(merged.documents(), 4);
        assert!(merged.merge(&LineCounts::new(2, 10)).is_err());
        let bytes = whole.to_bytes();
        assert!(LineCounts::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The byte-level fast paths give the key of the plain definition: words split
        /// at Unicode whitespace, lowercased char by char, joined by one space.
        #[test]
        fn line_key_is_the_hash_of_the_folded_line(
            line in "([a-zA-Z0-9]{1,12}|[ÀÉØÞßàéÿЀДЯдя]|[ΣΑσ]|İ|[“”—]|\u{1}|\u{7f}|[ \t\r\u{b}\u{c}]|\u{a0}|\u{2003}|\u{3000}){0,40}",
        ) {
            let folded: Vec<String> = line
                .split_whitespace()
                .map(|w| w.chars().flat_map(char::to_lowercase).collect())
                .collect();
            let folded = folded.join(" ");
            let expect = (!folded.is_empty()).then(|| xxh3_64_with_seed(folded.as_bytes(), 0x6368_6166));
            prop_assert_eq!(line_key(&line), expect);
        }
    }
}
