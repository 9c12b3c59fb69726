//! Steps 2 and 3, sequential and in input order: look a [`Signature`] up in the
//! index of kept documents and paragraphs, verify every LSH candidate on the real
//! shingle sets, and return a [`Decision`]; then `commit` what was kept.
//!
//! Only kept text is indexed, and a match is always a verified match against kept
//! text, so duplicates never chain: C is never dropped because it resembles B, which
//! resembled A. Where several candidates pass, the most similar wins, ties going to
//! the earliest.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::lsh::Lsh;
use super::shingle::{Overlap, overlap};
use super::sign::{Signature, Sketch};

/// When a later set counts as a copy of an earlier one.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub jaccard: f64,
    pub containment: f64,
}

impl Thresholds {
    /// The similarity to report if `o` passes: the Jaccard where it clears its
    /// threshold, else the containment.
    fn passes(&self, o: Overlap) -> Option<f64> {
        if o.jaccard >= self.jaccard {
            Some(o.jaccard)
        } else if o.containment >= self.containment {
            Some(o.containment)
        } else {
            None
        }
    }
}

/// The outcome for one document. Serialisable, so decisions can be shipped and
/// replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Not a copy; `paragraphs` lists its paragraphs that are.
    Keep { paragraphs: Vec<ParagraphMatch> },
    /// Same text as `of` after normalisation.
    Duplicate { of: String },
    /// Verified near-copy of `of`.
    NearDuplicate { of: String, similarity: f64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphMatch {
    /// The paragraph's line index in this document's clean text.
    pub line: u32,
    /// `<id>#<paragraph>` of the kept paragraph it copies (index in that document's
    /// output text).
    pub of: String,
    pub similarity: f64,
}

/// Kept sketches of one level (documents or paragraphs): the LSH bands plus the
/// shingle sets, back to back in one arena.
struct Store {
    lsh: Lsh,
    offsets: Vec<usize>,
    arena: Vec<u32>,
    /// Per item: (document slot, paragraph index).
    owners: Vec<(u32, u32)>,
}

impl Store {
    fn new(bands: usize, rows: usize) -> Store {
        Store {
            lsh: Lsh::new(bands, rows),
            offsets: vec![0],
            arena: Vec::new(),
            owners: Vec::new(),
        }
    }

    fn insert(&mut self, sketch: &Sketch, owner: (u32, u32)) {
        self.lsh.insert(&sketch.minhash);
        self.arena.extend_from_slice(&sketch.shingles);
        self.offsets.push(self.arena.len());
        self.owners.push(owner);
    }

    fn set(&self, item: u32) -> &[u32] {
        let i = item as usize;
        &self.arena[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The best verified match for `sketch`: (item, similarity).
    fn best(&self, sketch: &Sketch, t: Thresholds, cands: &mut Vec<u32>) -> Option<(u32, f64)> {
        self.lsh.candidates(&sketch.minhash, cands);
        let mut best: Option<(u32, f64)> = None;
        for &c in cands.iter() {
            let Some(sim) = t.passes(overlap(self.set(c), &sketch.shingles)) else {
                continue;
            };
            // Candidates come in ascending order, so `>` keeps the earliest on ties.
            if best.is_none_or(|(_, s)| sim > s) {
                best = Some((c, sim));
            }
        }
        best
    }

    fn heap_bytes(&self) -> usize {
        self.lsh.heap_bytes()
            + self.offsets.capacity() * size_of::<usize>()
            + self.arena.capacity() * 4
            + self.owners.capacity() * 8
    }
}

/// Memory held by the index, for the README's bytes-per-item figures.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    pub documents: usize,
    pub document_bytes: usize,
    pub paragraphs: usize,
    pub paragraph_bytes: usize,
    /// Exact keys and document ids.
    pub other_bytes: usize,
}

pub struct Index {
    exact: HashMap<[u64; 2], u32>,
    docs: Store,
    paragraphs: Store,
    ids: Vec<Box<str>>,
    doc_t: Thresholds,
    paragraph_t: Thresholds,
    cands: Vec<u32>,
}

impl Index {
    pub fn new(bands: usize, rows: usize, doc: Thresholds, paragraph: Thresholds) -> Index {
        Index {
            exact: HashMap::new(),
            docs: Store::new(bands, rows),
            paragraphs: Store::new(bands, rows),
            ids: Vec::new(),
            doc_t: doc,
            paragraph_t: paragraph,
            cands: Vec::new(),
        }
    }

    /// Decides about a document against everything kept so far. Does not change
    /// the index: call [`Index::commit`] once the document is known to be kept.
    pub fn decide(&mut self, sig: &Signature) -> Decision {
        if let Some(&slot) = sig.exact.as_ref().and_then(|k| self.exact.get(k)) {
            return Decision::Duplicate {
                of: self.ids[slot as usize].to_string(),
            };
        }
        if let Some(doc) = &sig.doc
            && let Some((item, sim)) = self.docs.best(doc, self.doc_t, &mut self.cands)
        {
            let slot = self.docs.owners[item as usize].0;
            return Decision::NearDuplicate {
                of: self.ids[slot as usize].to_string(),
                similarity: round(sim),
            };
        }
        let mut paragraphs = Vec::new();
        for p in &sig.paragraphs {
            if let Some((item, sim)) =
                self.paragraphs
                    .best(&p.sketch, self.paragraph_t, &mut self.cands)
            {
                let (slot, para) = self.paragraphs.owners[item as usize];
                paragraphs.push(ParagraphMatch {
                    line: p.line,
                    of: format!("{}#{para}", self.ids[slot as usize]),
                    similarity: round(sim),
                });
            }
        }
        Decision::Keep { paragraphs }
    }

    /// Indexes a kept document: its exact key, its sketch, and its paragraphs that
    /// matched nothing. `removed` says whether matched paragraphs were cut from the
    /// text, which shifts the paragraph numbers of the ones after them.
    pub fn commit(&mut self, id: &str, sig: &Signature, matched: &[ParagraphMatch], removed: bool) {
        let slot = self.ids.len() as u32;
        self.ids.push(id.into());
        if let Some(k) = sig.exact {
            self.exact.entry(k).or_insert(slot);
        }
        if let Some(doc) = &sig.doc {
            self.docs.insert(doc, (slot, 0));
        }
        let mut m = 0;
        for p in &sig.paragraphs {
            while m < matched.len() && matched[m].line < p.line {
                m += 1;
            }
            if matched.get(m).is_some_and(|x| x.line == p.line) {
                continue;
            }
            let shift = if removed { m as u32 } else { 0 };
            self.paragraphs.insert(&p.sketch, (slot, p.line - shift));
        }
    }

    pub fn usage(&self) -> Usage {
        Usage {
            documents: self.docs.owners.len(),
            document_bytes: self.docs.heap_bytes(),
            paragraphs: self.paragraphs.owners.len(),
            paragraph_bytes: self.paragraphs.heap_bytes(),
            other_bytes: self.exact.capacity() * 25
                + self.ids.iter().map(|s| s.len() + 16).sum::<usize>(),
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
