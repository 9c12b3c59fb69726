//! Step 1, per document and in parallel: turn a cleaned text into a [`Signature`]
//! (exact key, MinHash signatures and shingle sets for the document and for each
//! paragraph long enough to count). Depends on nothing but the text and the settings,
//! and serialises, so signing can run anywhere.

use serde::{Deserialize, Serialize};

use super::minhash::{self, MinHasher};
use super::normalize::exact_key;
use super::shingle::{Shingler, into_set};

/// A shingle set and its MinHash signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    pub minhash: Vec<u32>,
    /// Sorted, deduplicated 32-bit shingle hashes.
    pub shingles: Vec<u32>,
}

/// One paragraph (non-blank line of the clean text) that is long enough to match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphSketch {
    /// Index of the line in the clean text's non-blank lines.
    pub line: u32,
    pub sketch: Sketch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// Hash of the whole text after case, whitespace, quote and dash folding.
    pub exact: Option<[u64; 2]>,
    /// Whole-document sketch; `None` when near-duplicate documents are not looked for
    /// or the text has no words.
    pub doc: Option<Sketch>,
    pub paragraphs: Vec<ParagraphSketch>,
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
    /// Signs a text given as its lines (the clean text's non-blank lines, in order).
    pub fn sign<'a>(&self, text: &str, lines: impl IntoIterator<Item = &'a str>) -> Signature {
        let mut shingler = Shingler::default();
        let mut buf = Vec::new();
        let exact = self.exact.then(|| exact_key(text, &mut buf));
        let mut doc_sig = self.hasher.empty();
        let mut doc_set: Vec<u32> = Vec::new();
        let mut paragraphs = Vec::new();
        let mut line_set = Vec::new();
        if self.doc || self.paragraphs {
            for (i, line) in lines.into_iter().enumerate() {
                line_set.clear();
                let words = shingler.shingles(line, self.shingle_words, &mut line_set);
                if words == 0 {
                    continue;
                }
                into_set(&mut line_set);
                let mut sig = self.hasher.empty();
                self.hasher.update(&mut sig, &line_set);
                if self.doc {
                    minhash::merge(&mut doc_sig, &sig);
                    doc_set.extend_from_slice(&line_set);
                }
                if self.paragraphs && words >= self.paragraph_min_words {
                    paragraphs.push(ParagraphSketch {
                        line: i as u32,
                        sketch: Sketch {
                            minhash: sig,
                            shingles: line_set.clone(),
                        },
                    });
                }
            }
        }
        into_set(&mut doc_set);
        let doc = (self.doc && !doc_set.is_empty()).then_some(Sketch {
            minhash: doc_sig,
            shingles: doc_set,
        });
        Signature {
            exact,
            doc,
            paragraphs,
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
        let sig = s.sign(text, text.lines());
        let doc = sig.doc.expect("doc sketch");
        assert_eq!(doc.shingles.len(), 3 + 1 + 2);
        let lines: Vec<u32> = sig.paragraphs.iter().map(|p| p.line).collect();
        assert_eq!(
            lines,
            [0, 2],
            "the two-word line is too short to be a paragraph"
        );
        let mut expect = s.hasher.empty();
        s.hasher.update(&mut expect, &doc.shingles);
        assert_eq!(doc.minhash, expect);
    }

    #[test]
    fn signature_round_trips_through_json() {
        let text = "one two three four five";
        let sig = signer().sign(text, [text]);
        let json = serde_json::to_string(&sig).expect("serialises");
        let back: Signature = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, sig);
    }
}
