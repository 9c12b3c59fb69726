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
//! chunks so nothing is over-allocated, spilled to a temporary file past a size: see
//! `arena`); a document's set is the union of its lines', rebuilt only when it is a
//! candidate. On top come the LSH bands (see `lsh`) and, per indexed paragraph, a
//! 32-byte summary of its set that rules most candidates out unread (see `Bits`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::arena::{Arena, SpillOptions};
use super::lsh::Lsh;
use super::shingle::{Overlap, intersection_reaching, into_set, overlap_from};
use super::sign::Signature;
use crate::hint::prefetch;

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
        let need = self.need(earlier.len(), later.len());
        let inter = intersection_reaching(earlier, later, need)?;
        self.passes(overlap_from(earlier, later, inter))
    }

    /// The intersection a pair of these sizes needs to pass.
    fn need(&self, earlier: usize, later: usize) -> f64 {
        let (a, b) = (earlier as f64, later as f64);
        // J ≥ j ⇔ |A∩B| ≥ j(|A|+|B|)/(1+j); containment ≥ c ⇔ |A∩B| ≥ c|B|. The
        // small slack keeps float rounding from skipping a pair exactly at a threshold.
        (self.jaccard * (a + b) / (1.0 + self.jaccard)).min(self.containment * b) - 1e-6
    }

    /// Whether sets of these sizes can pass at all: `check` gives `None` when not,
    /// so a stored set need not be read to rule it out.
    fn reachable(&self, earlier: usize, later: usize) -> bool {
        earlier.min(later) as f64 >= self.need(earlier, later)
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

/// A 256-bit summary of a shingle set: bit `h >> 24` is set for each shingle hash `h`
/// (hashes are mixed, so their top byte is uniform). A shingle two sets share sets the
/// same bit in both, which bounds their intersection from the summaries alone
/// ([`Bits::shared_at_most`]): a candidate that only shares a common phrase or two with
/// the query is ruled out without reading its set, which on a large index sits in the
/// spill file. The bound is exact, so no decision changes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Bits([u64; 4]);

impl Bits {
    fn of(set: &[u32]) -> Bits {
        let mut b = [0u64; 4];
        for &h in set {
            let bit = h >> 24;
            b[(bit >> 6) as usize] |= 1 << (bit & 63);
        }
        Bits(b)
    }

    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// An upper bound on `|A ∩ B|` for a set A of `len` shingles summarised by `self`
    /// and a set B of `other_len` summarised by `other`. Every shared shingle lies in
    /// a bit both summaries have. A set's shingles in some `k` of its bits number at
    /// most `k` plus its shingles that share a bit with another of its own
    /// (`len - self.count()`); that holds for either set, so the smaller bound counts.
    fn shared_at_most(&self, len: usize, other: &Bits, other_len: usize) -> usize {
        let both: usize = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum();
        let crowded = |len: usize, bits: &Bits| len.saturating_sub(bits.count());
        both + crowded(len, self).min(crowded(other_len, other))
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

/// An indexed paragraph: everything a candidate check reads before the set itself, in
/// one 48-byte record. On a large index each candidate is a cache miss; kept in three
/// arrays (location, set length, summary) it was three.
/// `repr(C)` keeps `bits` first and `para` last, so prefetching those two fields loads
/// every cache line of the record.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Paragraph {
    /// The summary of its shingle set.
    bits: Bits,
    /// Its stored line in the arena.
    at: u32,
    /// The length of that set (`Arena::set_len(at)`).
    len: u32,
    /// Its document's slot.
    slot: u32,
    /// Its paragraph number in that document's output text.
    para: u32,
}

/// How many candidates ahead a paragraph lookup asks for the record it will check.
const PREFETCH_AHEAD: usize = 4;

/// Banding for one level.
#[derive(Debug, Clone, Copy)]
pub struct Banding {
    pub bands: usize,
    pub rows: usize,
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
    /// Stored line shingle sets (shared by both levels), in memory.
    pub shingle_bytes: usize,
    /// Stored line shingle sets written to the spill file.
    pub spilled_shingle_bytes: u64,
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
    /// Per indexed paragraph, everything a candidate check reads, in one record.
    paragraphs: Vec<Paragraph>,
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
            lines: Arena::new(SpillOptions::default()),
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

    /// Lets the stored shingle sets spill to a temporary file (see `arena`).
    pub fn with_spill(mut self, options: SpillOptions) -> Index {
        self.lines = Arena::new(options);
        self
    }

    /// The first I/O error of the stored sets since the last call. A candidate whose
    /// set could not be read counts as no match, so a run must stop on this error.
    pub fn take_error(&mut self) -> Option<std::io::Error> {
        self.lines.take_error()
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
            let query = Bits::of(&line.shingles);
            let mut best: Option<(u32, f64)> = None;
            for (i, &c) in self.cands.iter().enumerate() {
                // Records are read in ascending order, each a cache miss on a large
                // index: ask for a later one's while this one is checked.
                if let Some(&ahead) = self.cands.get(i + PREFETCH_AHEAD) {
                    // 48 bytes may straddle two cache lines: ask for both ends.
                    let r = &self.paragraphs[ahead as usize];
                    prefetch(&r.bits);
                    prefetch(&r.para);
                }
                let p = self.paragraphs[c as usize];
                let (stored_len, len) = (p.len as usize, line.shingles.len());
                // Ruled out by size, or by the summaries, without reading the set
                // (most candidates share a common phrase or two and nothing more).
                let t = &self.paragraph_t;
                if !t.reachable(stored_len, len)
                    || (p.bits.shared_at_most(stored_len, &query, len) as f64)
                        < t.need(stored_len, len)
                {
                    continue;
                }
                let Some(stored) = self.lines.get(p.at) else {
                    continue; // unreadable: the error is kept for `take_error`
                };
                let Some(sim) = self.paragraph_t.check(stored, &line.shingles) else {
                    continue;
                };
                // Candidates come in ascending order, so `>` keeps the earliest on ties.
                if best.is_none_or(|(_, s)| sim > s) {
                    best = Some((c, sim));
                }
            }
            if let Some((c, sim)) = best {
                let Paragraph { slot, para, .. } = self.paragraphs[c as usize];
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
                let read = self.lines.extend_with(first..end, &mut self.scratch);
                into_set(&mut self.scratch);
                read.then_some(&self.scratch[..])
            };
            let Some(stored) = stored else {
                continue; // unreadable: the error is kept for `take_error`
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
        let first = self.lines.len() as u32;
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
                self.paragraphs.push(Paragraph {
                    bits: Bits::of(&l.shingles),
                    at: stored,
                    len: l.shingles.len() as u32,
                    slot,
                    para: l.line - shift,
                });
            }
        }
        if doc.is_some() && !sig.doc_set.is_empty() {
            self.lines.push(&sig.doc_set);
        }
        if let Some(minhash) = doc {
            self.doc_lsh.insert_where(minhash, |b| f.document(b));
            self.docs.push((slot, first, self.lines.len() as u32));
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
            paragraph_bytes: self.paragraph_lsh.heap_bytes()
                + self.paragraphs.capacity() * std::mem::size_of::<Paragraph>(),
            shingle_bytes: self.lines.heap_bytes(),
            spilled_shingle_bytes: self.lines.spilled_bytes(),
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::minhash::MinHasher;
    use crate::dedup::sign::Signer;

    /// Documents of generated paragraphs: fresh ones, near-copies of earlier
    /// paragraphs (a word or two changed) and near-copies of whole documents.
    fn documents() -> Vec<Vec<String>> {
        let mut x = 12345u32;
        let mut random = move |n: usize| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as usize % n
        };
        let word = |k: usize| format!("w{k}x");
        let mut paragraphs: Vec<Vec<usize>> = Vec::new();
        let mut docs: Vec<Vec<String>> = Vec::new();
        for d in 0..300 {
            let doc: Vec<Vec<usize>> = if d > 10 && random(5) == 0 {
                let mut copy = docs_words(&docs[random(docs.len())]);
                if random(2) == 0 {
                    let last = copy.len() - 1;
                    copy[last][0] = random(5000);
                }
                copy
            } else {
                (0..3 + random(5))
                    .map(|_| {
                        if paragraphs.len() > 5 && random(3) == 0 {
                            let mut p = paragraphs[random(paragraphs.len())].clone();
                            let at = random(p.len());
                            p[at] = random(5000);
                            p
                        } else {
                            (0..12 + random(30)).map(|_| random(5000)).collect()
                        }
                    })
                    .collect()
            };
            paragraphs.extend(doc.iter().cloned());
            docs.push(
                doc.iter()
                    .map(|p| p.iter().map(|&k| word(k)).collect::<Vec<_>>().join(" "))
                    .collect(),
            );
        }
        docs
    }

    fn docs_words(doc: &[String]) -> Vec<Vec<usize>> {
        doc.iter()
            .map(|p| {
                p.split(' ')
                    .filter_map(|w| w.trim_start_matches('w').trim_end_matches('x').parse().ok())
                    .collect()
            })
            .collect()
    }

    fn index() -> Index {
        let t = Thresholds {
            jaccard: 0.8,
            containment: 0.65,
        };
        Index::new(
            (Banding { bands: 32, rows: 4 }, t),
            (Banding { bands: 12, rows: 2 }, t),
        )
    }

    fn signer() -> Signer {
        Signer {
            hasher: MinHasher::new(128),
            shingle_words: 3,
            exact: true,
            doc: true,
            paragraphs: true,
            paragraph_min_words: 10,
        }
    }

    #[test]
    fn spilled_and_in_memory_indexes_decide_the_same() {
        let signer = signer();
        let mut memory = index();
        let mut spilled = index();
        spilled.lines = Arena::new(SpillOptions {
            after_bytes: Some(0),
            dir: None,
            cache_bytes: 4 << 10,
        })
        .with_chunk(64);
        let (mut near, mut paragraph_copies) = (0, 0);
        for (n, doc) in documents().iter().enumerate() {
            let sig = signer.sign(doc.iter().map(String::as_str));
            let decision = memory.decide(&sig);
            assert_eq!(spilled.decide(&sig), decision, "document {n}");
            match &decision {
                Decision::Keep { paragraphs } => {
                    paragraph_copies += paragraphs.len();
                    let id = n.to_string();
                    memory.commit(&id, &sig, paragraphs, true);
                    spilled.commit(&id, &sig, paragraphs, true);
                }
                Decision::NearDuplicate { .. } => near += 1,
                Decision::Duplicate { .. } => {}
            }
        }
        assert!(spilled.take_error().is_none());
        assert!(
            near > 5 && paragraph_copies > 10,
            "{near} {paragraph_copies}"
        );
        let (m, s) = (memory.usage(), spilled.usage());
        assert_eq!(m.spilled_shingle_bytes, 0);
        assert!(s.spilled_shingle_bytes > 100_000, "{s:?}");
        assert!(s.shingle_bytes < m.shingle_bytes, "{s:?} {m:?}");
    }

    /// The summaries only skip candidates that could not pass: an index whose
    /// summaries rule out nothing (every bit set) decides every document the same.
    #[test]
    fn summaries_change_no_decision() {
        let signer = signer();
        let (mut with, mut without) = (index(), index());
        let mut copies = 0;
        for (n, doc) in documents().iter().enumerate() {
            let sig = signer.sign(doc.iter().map(String::as_str));
            let decision = with.decide(&sig);
            assert_eq!(without.decide(&sig), decision, "document {n}");
            if let Decision::Keep { paragraphs } = &decision {
                copies += paragraphs.len();
                with.commit(&n.to_string(), &sig, paragraphs, true);
                without.commit(&n.to_string(), &sig, paragraphs, true);
                for p in &mut without.paragraphs {
                    p.bits = Bits([u64::MAX; 4]);
                }
            }
        }
        assert!(copies > 10, "{copies}");
    }

    fn shingles(text: &str) -> Vec<u32> {
        let mut set = Vec::new();
        crate::dedup::shingle::Shingler::default().shingles(text, 3, &mut set);
        into_set(&mut set);
        set
    }

    #[test]
    fn a_shared_phrase_alone_is_ruled_out_by_the_summaries() {
        let a = shingles(
            "The council approved the new budget on Tuesday after a long debate about \
             road repairs, school funding and the cost of the new library, according to \
             the minutes published by the city clerk later that evening.",
        );
        let b = shingles(
            "Fans queued for hours outside the stadium before the final, and several \
             said the ticket prices were too high, according to the minutes published \
             by the supporters' club, which has asked the league to step in.",
        );
        let t = Thresholds {
            jaccard: 0.8,
            containment: 0.65,
        };
        let shared = intersection_reaching(&a, &b, 0.0).unwrap_or(0);
        assert!(shared >= 3, "the two share a phrase: {shared}");
        assert!(
            t.reachable(a.len(), b.len()),
            "sizes alone do not rule it out"
        );
        let bound = Bits::of(&a).shared_at_most(a.len(), &Bits::of(&b), b.len());
        assert!((bound as f64) < t.need(a.len(), b.len()), "bound {bound}");
        // A near-copy is not ruled out.
        let c = shingles(
            "The council approved the new budget on Tuesday after a long debate about \
             road repairs, school funding and the cost of the new library, the minutes \
             published by the city clerk that evening show.",
        );
        let bound = Bits::of(&a).shared_at_most(a.len(), &Bits::of(&c), c.len());
        assert!((bound as f64) >= t.need(a.len(), c.len()), "bound {bound}");
    }

    proptest::proptest! {
        /// The bound is never below the real intersection, also when many shingles
        /// share a bit (hashes drawn from few top bytes).
        #[test]
        fn summary_bound_is_at_least_the_intersection(
            a in proptest::collection::btree_set((0u32..12, 0u32..50), 0..120),
            b in proptest::collection::btree_set((0u32..12, 0u32..50), 0..120),
        ) {
            let set = |s: &std::collections::BTreeSet<(u32, u32)>| {
                let mut v: Vec<u32> = s.iter().map(|&(top, low)| top << 24 | low).collect();
                v.sort_unstable();
                v
            };
            let (a, b) = (set(&a), set(&b));
            let shared = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
            let bound = Bits::of(&a).shared_at_most(a.len(), &Bits::of(&b), b.len());
            proptest::prop_assert!(bound >= shared, "{} < {}", bound, shared);
        }
    }
}
