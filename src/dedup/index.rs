//! Steps 2 and 3, sequential and in input order: look a [`Signature`] up in the
//! index of kept documents and paragraphs, verify every LSH candidate on the real
//! shingle sets, and return a [`Decision`]; then `commit` what was kept.
//!
//! Only kept text is indexed, and a match is always a verified match against kept
//! text, so duplicates never chain: C is never dropped because it resembles B, which
//! resembled A. Where several candidates pass, the most similar wins, ties going to
//! the earliest.
//!
//! Memory: each kept line's shingle set is stored once (4 bytes a shingle, in 1 MiB
//! chunks so nothing is over-allocated); a document's set is the union of its lines',
//! rebuilt only when it is a candidate. On top come the LSH bands (see `lsh`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::lsh::Lsh;
use super::shingle::{Overlap, intersection_reaching, into_set, overlap_from};
use super::sign::Signature;

/// When a later set counts as a copy of an earlier one.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub jaccard: f64,
    pub containment: f64,
}

impl Thresholds {
    /// The similarity of `later` to `earlier` if it passes: the Jaccard where it
    /// clears its threshold, else the containment. Gives up early on candidates whose
    /// intersection cannot reach either threshold; the outcome is the same.
    fn check(&self, earlier: &[u32], later: &[u32]) -> Option<f64> {
        let (a, b) = (earlier.len() as f64, later.len() as f64);
        // J ≥ j ⇔ |A∩B| ≥ j(|A|+|B|)/(1+j); containment ≥ c ⇔ |A∩B| ≥ c|B|. The
        // small slack keeps float rounding from skipping a pair exactly at a threshold.
        let need = (self.jaccard * (a + b) / (1.0 + self.jaccard)).min(self.containment * b);
        let inter = intersection_reaching(earlier, later, need - 1e-6)?;
        self.passes(overlap_from(earlier, later, inter))
    }

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

/// Banding for one level.
#[derive(Debug, Clone, Copy)]
pub struct Banding {
    pub bands: usize,
    pub rows: usize,
}

const CHUNK: usize = 1 << 18;

/// Shingle sets back to back in fixed-size chunks: no doubling slack.
#[derive(Default)]
struct Arena {
    chunks: Vec<Vec<u32>>,
    /// Per set: (chunk, start, len).
    sets: Vec<(u32, u32, u32)>,
}

impl Arena {
    fn push(&mut self, set: &[u32]) -> u32 {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= set.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(CHUNK.max(set.len())));
        }
        let chunk = self.chunks.len() - 1;
        let c = &mut self.chunks[chunk];
        let start = c.len();
        c.extend_from_slice(set);
        self.sets
            .push((chunk as u32, start as u32, set.len() as u32));
        (self.sets.len() - 1) as u32
    }

    fn get(&self, i: u32) -> &[u32] {
        let (c, s, n) = self.sets[i as usize];
        &self.chunks[c as usize][s as usize..(s + n) as usize]
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity() * 4).sum::<usize>() + self.sets.capacity() * 12
    }
}

/// Memory held by the index, for the README's bytes-per-item figures.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    pub documents: usize,
    /// Document LSH and per-document bookkeeping (ids, exact keys, line ranges).
    pub document_bytes: usize,
    pub paragraphs: usize,
    /// Paragraph LSH and per-paragraph bookkeeping.
    pub paragraph_bytes: usize,
    /// Stored line shingle sets (shared by both levels).
    pub shingle_bytes: usize,
}

/// Which LSH bands a document's items may meet candidates in. A single-machine run
/// looks in every band ([`AllBands`]). A sharded run first finds the buckets that hold
/// more than one item over the whole input (the `bands` stage); a band whose bucket
/// holds only this item can never yield a candidate, so skipping it changes no
/// decision, and an item with no shared band need not be indexed at all.
pub trait BandFilter {
    fn document(&self, band: usize) -> bool;
    /// For the paragraph on clean line `line`.
    fn paragraph(&self, line: u32, band: usize) -> bool;
}

pub struct AllBands;

impl BandFilter for AllBands {
    fn document(&self, _: usize) -> bool {
        true
    }
    fn paragraph(&self, _: u32, _: usize) -> bool {
        true
    }
}

pub struct Index {
    exact: HashMap<[u64; 2], u32>,
    ids: Vec<Box<str>>,
    lines: Arena,
    doc_lsh: Lsh,
    /// Per indexed document: its slot and its stored lines `first..end`.
    docs: Vec<(u32, u32, u32)>,
    paragraph_lsh: Lsh,
    /// Per indexed paragraph: stored line, document slot, paragraph number.
    paragraphs: Vec<(u32, u32, u32)>,
    doc_t: Thresholds,
    paragraph_t: Thresholds,
    cands: Vec<u32>,
    scratch: Vec<u32>,
    query: Vec<u32>,
}

impl Index {
    pub fn new(doc: (Banding, Thresholds), paragraph: (Banding, Thresholds)) -> Index {
        Index {
            exact: HashMap::new(),
            ids: Vec::new(),
            lines: Arena::default(),
            doc_lsh: Lsh::new(doc.0.bands, doc.0.rows),
            docs: Vec::new(),
            paragraph_lsh: Lsh::new(paragraph.0.bands, paragraph.0.rows),
            paragraphs: Vec::new(),
            doc_t: doc.1,
            paragraph_t: paragraph.1,
            cands: Vec::new(),
            scratch: Vec::new(),
            query: Vec::new(),
        }
    }

    /// Decides about a document against everything kept so far. Does not change
    /// what is indexed: call [`Index::commit`] once the document is known to be kept.
    pub fn decide(&mut self, sig: &Signature) -> Decision {
        self.decide_with(sig, &AllBands)
    }

    /// [`Index::decide`], looking for candidates only in the bands `f` allows.
    pub fn decide_with(&mut self, sig: &Signature, f: &dyn BandFilter) -> Decision {
        if let Some(&slot) = sig.exact.as_ref().and_then(|k| self.exact.get(k)) {
            return Decision::Duplicate {
                of: self.ids[slot as usize].to_string(),
            };
        }
        if let Some(best) = self.best_document(sig, f) {
            return best;
        }
        let mut paragraphs = Vec::new();
        for (line, minhash) in sig.paragraphs() {
            self.paragraph_lsh.candidates_where(
                minhash,
                |b| f.paragraph(line.line, b),
                &mut self.cands,
            );
            let mut best: Option<(u32, f64)> = None;
            for &c in &self.cands {
                let stored = self.lines.get(self.paragraphs[c as usize].0);
                let Some(sim) = self.paragraph_t.check(stored, &line.shingles) else {
                    continue;
                };
                // Candidates come in ascending order, so `>` keeps the earliest on ties.
                if best.is_none_or(|(_, s)| sim > s) {
                    best = Some((c, sim));
                }
            }
            if let Some((c, sim)) = best {
                let (_, slot, para) = self.paragraphs[c as usize];
                paragraphs.push(ParagraphMatch {
                    line: line.line,
                    of: format!("{}#{para}", self.ids[slot as usize]),
                    similarity: round(sim),
                });
            }
        }
        Decision::Keep { paragraphs }
    }

    fn best_document(&mut self, sig: &Signature, f: &dyn BandFilter) -> Option<Decision> {
        let minhash = sig.doc.as_ref()?;
        self.doc_lsh
            .candidates_where(minhash, |b| f.document(b), &mut self.cands);
        if self.cands.is_empty() {
            return None;
        }
        sig.doc_shingles(&mut self.query);
        let mut best: Option<(u32, f64)> = None;
        for &c in &self.cands {
            let (_, first, end) = self.docs[c as usize];
            // One stored set is already sorted and deduplicated: the whole document
            // (stored as one set when paragraphs are not indexed) or its only line.
            let stored = if end - first == 1 {
                self.lines.get(first)
            } else {
                self.scratch.clear();
                for l in first..end {
                    self.scratch.extend_from_slice(self.lines.get(l));
                }
                into_set(&mut self.scratch);
                &self.scratch
            };
            let Some(sim) = self.doc_t.check(stored, &self.query) else {
                continue;
            };
            if best.is_none_or(|(_, s)| sim > s) {
                best = Some((c, sim));
            }
        }
        let (c, sim) = best?;
        Some(Decision::NearDuplicate {
            of: self.ids[self.docs[c as usize].0 as usize].to_string(),
            similarity: round(sim),
        })
    }

    /// Indexes a kept document: its exact key, its lines, and its paragraphs that
    /// matched nothing. `removed` says whether matched paragraphs were cut from the
    /// text, which shifts the numbers of the paragraphs after them.
    pub fn commit(&mut self, id: &str, sig: &Signature, matched: &[ParagraphMatch], removed: bool) {
        self.commit_with(id, sig, matched, removed, &AllBands)
    }

    /// [`Index::commit`], indexing items only in the bands `f` allows; an item with
    /// no allowed band is not stored at all.
    pub fn commit_with(
        &mut self,
        id: &str,
        sig: &Signature,
        matched: &[ParagraphMatch],
        removed: bool,
        f: &dyn BandFilter,
    ) {
        let doc_bands = self.doc_lsh.bands();
        let paragraph_bands = self.paragraph_lsh.bands();
        let doc = sig
            .doc
            .as_ref()
            .filter(|_| (0..doc_bands).any(|b| f.document(b)));
        let slot = self.ids.len() as u32;
        self.ids.push(id.into());
        if let Some(k) = sig.exact {
            self.exact.entry(k).or_insert(slot);
        }
        let first = self.lines.sets.len() as u32;
        let mut m = 0;
        for l in &sig.lines {
            while m < matched.len() && matched[m].line < l.line {
                m += 1;
            }
            let is_copy = matched.get(m).is_some_and(|x| x.line == l.line);
            let paragraph = l
                .minhash
                .as_ref()
                .filter(|_| !is_copy && (0..paragraph_bands).any(|b| f.paragraph(l.line, b)));
            if doc.is_none() && paragraph.is_none() {
                continue; // stored lines serve the document level or a paragraph
            }
            let stored = self.lines.push(&l.shingles);
            if let Some(minhash) = paragraph {
                let shift = if removed { m as u32 } else { 0 };
                self.paragraph_lsh
                    .insert_where(minhash, |b| f.paragraph(l.line, b));
                self.paragraphs.push((stored, slot, l.line - shift));
            }
        }
        if doc.is_some() && !sig.doc_set.is_empty() {
            self.lines.push(&sig.doc_set);
        }
        if let Some(minhash) = doc {
            self.doc_lsh.insert_where(minhash, |b| f.document(b));
            self.docs.push((slot, first, self.lines.sets.len() as u32));
        }
    }

    pub fn usage(&self) -> Usage {
        Usage {
            documents: self.docs.len(),
            document_bytes: self.doc_lsh.heap_bytes()
                + self.docs.capacity() * 12
                + self.exact.capacity() * 25
                + self.ids.iter().map(|s| s.len() + 16).sum::<usize>(),
            paragraphs: self.paragraphs.len(),
            paragraph_bytes: self.paragraph_lsh.heap_bytes() + self.paragraphs.capacity() * 12,
            shingle_bytes: self.lines.heap_bytes(),
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
