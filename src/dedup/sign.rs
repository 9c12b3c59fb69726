//! Step 1, per document and in parallel: turn a cleaned text into a [`Signature`]
//! (exact key, document MinHash, and each line's shingle set, with a MinHash for the
//! lines long enough to count as paragraphs). Depends on nothing but the text and the
//! settings, and serialises, so signing can run anywhere.

use serde::{Deserialize, Serialize};

use super::minhash::{self, MinHasher};
use super::normalize::ExactKey;
use super::shingle::{Shingler, into_set};

/// One non-blank line of the clean text that has words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineSketch {
    /// Index of the line among the clean text's non-blank lines.
    pub line: u32,
    /// Sorted, deduplicated 32-bit shingle hashes.
    pub shingles: Vec<u32>,
    /// MinHash signature, for lines that count as paragraphs.
    pub minhash: Option<Vec<u32>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// Hash of the whole text after case, whitespace, quote and dash folding.
    pub exact: Option<[u64; 2]>,
    /// MinHash of the whole document (the union of its lines' shingles); `None` when
    /// near-duplicate documents are not looked for or the text has no words.
    pub doc: Option<Vec<u32>>,
    /// Every line with words when both documents and paragraphs are compared (the
    /// document's shingle set is their union), else only the paragraphs.
    pub lines: Vec<LineSketch>,
    /// The document's shingle set (sorted, deduplicated) when documents are compared
    /// and `lines` does not hold every line (paragraphs are not compared); else empty.
    #[serde(default)]
    pub doc_set: Vec<u32>,
}

impl Signature {
    pub fn paragraphs(&self) -> impl Iterator<Item = (&LineSketch, &[u32])> {
        self.lines
            .iter()
            .filter_map(|l| l.minhash.as_deref().map(|m| (l, m)))
    }

    /// The document's shingle set: the union of its lines'.
    pub fn doc_shingles(&self, out: &mut Vec<u32>) {
        out.clear();
        if !self.doc_set.is_empty() {
            out.extend_from_slice(&self.doc_set);
            return;
        }
        for l in &self.lines {
            out.extend_from_slice(&l.shingles);
        }
        into_set(out);
    }
}

/// What to compute; built once from the config.
pub struct Signer {
    pub hasher: MinHasher,
    pub shingle_words: usize,
    pub exact: bool,
    pub doc: bool,
    pub paragraphs: bool,
    pub paragraph_min_words: usize,
}

impl Signer {
    /// Signs a cleaned document's clean text.
    pub fn sign_cleaned(&self, c: &crate::pipeline::Cleaned) -> Signature {
        let text = &c.edited.text;
        let lines = c.edited.lines.iter();
        self.sign_sized(lines.map(|l| &text[l.clean_start..l.clean_end]), text.len())
    }

    /// Signs a text given as its lines (the clean text's non-blank lines, in order).
    pub fn sign<'a>(&self, lines: impl IntoIterator<Item = &'a str>) -> Signature {
        self.sign_sized(lines, 0)
    }

    /// [`Signer::sign`] for a text of about `bytes` bytes: the document's shingle list
    /// is allocated once, at about one shingle per five bytes (a word and its space),
    /// instead of growing through copies.
    fn sign_sized<'a>(&self, lines: impl IntoIterator<Item = &'a str>, bytes: usize) -> Signature {
        let mut shingler = Shingler::default();
        shingler.exact = self.exact.then(ExactKey::default);
        let mut doc_sig = self.hasher.empty();
        let mut sketches = Vec::new();
        let mut has_words = false;
        // Documents alone: one set for the whole text, sorted and hashed once.
        let union_only = self.doc && !self.paragraphs;
        let mut set = Vec::with_capacity(if union_only { bytes / 5 } else { 0 });
        for (i, line) in lines.into_iter().enumerate() {
            if union_only {
                has_words |= shingler.shingles(line, self.shingle_words, &mut set) > 0;
                continue;
            }
            set.clear();
            let words = shingler.shingles(line, self.shingle_words, &mut set);
            has_words |= words > 0;
            let paragraph = self.paragraphs && words >= self.paragraph_min_words;
            if words == 0 || (!self.doc && !paragraph) {
                continue;
            }
            into_set(&mut set);
            let minhash = if paragraph {
                let mut sig = self.hasher.empty();
                self.hasher.update(&mut sig, &set);
                if self.doc {
                    minhash::merge(&mut doc_sig, &sig);
                }
                Some(sig)
            } else {
                // The document's signature is the minimum over all its shingles.
                self.hasher.update(&mut doc_sig, &set);
                None
            };
            sketches.push(LineSketch {
                line: i as u32,
                shingles: std::mem::take(&mut set),
                minhash,
            });
        }
        let mut doc_set = Vec::new();
        if union_only {
            into_set(&mut set);
            self.hasher.update(&mut doc_sig, &set);
            doc_set = set;
        }
        let exact = shingler.exact.take().map(ExactKey::finish);
        Signature {
            exact,
            doc: (self.doc && has_words).then_some(doc_sig),
            lines: sketches,
            doc_set,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer {
            hasher: MinHasher::new(32),
            shingle_words: 3,
            exact: true,
            doc: true,
            paragraphs: true,
            paragraph_min_words: 4,
        }
    }

    #[test]
    fn document_sketch_is_the_union_of_its_lines() {
        let s = signer();
        let text = "one two three four five\nsix seven\neight nine ten eleven";
        let sig = s.sign(text.lines());
        let mut doc = Vec::new();
        sig.doc_shingles(&mut doc);
        assert_eq!(doc.len(), 3 + 1 + 2);
        let paras: Vec<u32> = sig.paragraphs().map(|(l, _)| l.line).collect();
        assert_eq!(
            paras,
            [0, 2],
            "the two-word line is too short to be a paragraph"
        );
        let mut expect = s.hasher.empty();
        s.hasher.update(&mut expect, &doc);
        assert_eq!(sig.doc, Some(expect));
    }

    #[test]
    fn without_documents_only_paragraphs_are_kept() {
        let s = Signer {
            doc: false,
            ..signer()
        };
        let text = "one two three four five\nsix seven";
        let sig = s.sign(text.lines());
        assert_eq!(sig.doc, None);
        assert_eq!(sig.lines.len(), 1);
    }

    #[test]
    fn signature_round_trips_through_json() {
        let text = "one two three four five";
        let sig = signer().sign([text]);
        let json = serde_json::to_string(&sig).expect("serialises");
        let back: Signature = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, sig);
    }
}
