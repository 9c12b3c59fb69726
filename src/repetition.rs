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
        for &k in keys {
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

/// Hash of a line with whitespace collapsed and case folded; None for blank lines.
pub fn line_key(line: &str) -> Option<u64> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        buf.reserve(line.len());
        let mut space = false;
        let bytes = line.as_bytes();
        let mut i = 0;
        // ASCII bytes are handled one by one; anything else a char at a time.
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if b.is_ascii_whitespace() {
                    space = !buf.is_empty();
                    i += 1;
                    continue;
                }
                // A run of other ASCII bytes goes in at once.
                let run = bytes[i..]
                    .iter()
                    .position(|&b| b >= 0x80 || b.is_ascii_whitespace())
                    .map_or(bytes.len(), |n| i + n);
                if space {
                    buf.push(b' ');
                    space = false;
                }
                buf.extend(bytes[i..run].iter().map(u8::to_ascii_lowercase));
                i = run;
                continue;
            }
            let Some(c) = line[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            if c.is_whitespace() {
                space = !buf.is_empty();
                continue;
            }
            if space {
                buf.push(b' ');
                space = false;
            }
            let mut tmp = [0u8; 4];
            // Curly quotes and dashes (General Punctuation) have no case.
            if ('\u{2000}'..='\u{206F}').contains(&c) {
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                continue;
            }
            for l in c.to_lowercase() {
                buf.extend_from_slice(l.encode_utf8(&mut tmp).as_bytes());
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
}
