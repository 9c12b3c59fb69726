//! Deduplication: exact and near-duplicate documents, and near-duplicate paragraphs
//! (agency copy inside otherwise different articles), as one global stage.
//!
//! ```text
//! sign   (parallel, per document)  clean text → Signature: exact key, MinHash
//!                                  signatures and shingle sets           sign.rs
//! decide (sequential, input order) Signature → Decision: exact lookup, LSH
//!                                  candidates, each verified on the sets  index.rs
//! commit                           index what was kept                    index.rs
//! ```
//!
//! Signatures and decisions are serde types, so the steps can be split across
//! machines later. The copy that is kept is the first in input order; nothing
//! depends on thread timing.

pub mod arena;
mod band;
pub mod index;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod shingle;
pub mod sign;

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::doc::{Reason, Verdict};
use crate::output::Rejection;
use crate::pipeline::{Cleaned, GlobalStage, Prepare};
use arena::SpillOptions;
use index::{AllBands, BandFilter, Banding, Decision, Index, Thresholds};
use minhash::MinHasher;
use sign::{Signature, Signer};

/// The rule id of paragraphs cut as copies of earlier ones.
pub const RULE: &str = "near_duplicate";

/// `[dedup]` in the config.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Reject documents whose text equals an earlier one's after folding case,
    /// whitespace, quote and dash variants (`reason: "duplicate"`).
    pub exact: bool,
    /// Reject verified near-copies of earlier documents (`reason: "near_duplicate"`).
    pub near_documents: bool,
    /// Cut (or annotate) paragraphs that copy a paragraph of an earlier document.
    pub near_paragraphs: bool,
    /// Words per shingle.
    pub shingle_words: usize,
    /// MinHash permutations.
    pub num_perm: usize,
    /// Document LSH: bands × rows must not exceed `num_perm`. 32 bands of 4 rows make
    /// pairs at Jaccard 0.6 candidates with probability 0.999, at 0.5 with 0.88.
    pub bands: usize,
    pub rows: usize,
    /// Paragraph LSH: 12 bands of 2 rows give 0.995 at Jaccard 0.6 for a third of
    /// the memory per paragraph (a paragraph has few shingles, so verifying the
    /// extra candidates is cheap).
    pub paragraph_bands: usize,
    pub paragraph_rows: usize,
    /// A later document is a copy when its Jaccard with an earlier one reaches
    /// `doc_jaccard`, or when this share of its shingles is in the earlier one
    /// (`doc_containment`: catches truncated reprints and added footers).
    pub doc_jaccard: f64,
    pub doc_containment: f64,
    /// The same for paragraphs.
    pub paragraph_jaccard: f64,
    pub paragraph_containment: f64,
    /// Shorter paragraphs (in words) are neither matched nor indexed.
    pub paragraph_min_words: usize,
    /// The stored shingle sets (about 2 KB per kept document, the largest part of the
    /// index) move to an anonymous temporary file once they pass this many MiB; only
    /// candidates' sets are read back. 0 spills from the start.
    pub spill_after_mb: u64,
    /// MiB of spilled sets kept after they are read: candidates recur, so a larger
    /// cache saves reads (system time) for memory. On the 2 GB generated corpus,
    /// 32 MiB gave 1.22 GB peak RSS and 203 s of system time, 128 MiB 1.39 GB and 113 s.
    pub spill_cache_mb: u64,
    /// Directory of that file (default: the system's temporary directory, `TMPDIR`).
    /// It should be on disk, not in memory (tmpfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spill_dir: Option<PathBuf>,
    /// `remove`: reject copied documents and cut copied paragraphs. `annotate`: keep
    /// everything and list the matches under `meta.dedup`.
    pub action: Action,
    /// Which copy is kept. Only `first` (input order): see the README.
    pub keep: Keep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Remove,
    Annotate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    First,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            exact: true,
            near_documents: true,
            near_paragraphs: true,
            shingle_words: 3,
            num_perm: 128,
            bands: 32,
            rows: 4,
            paragraph_bands: 12,
            paragraph_rows: 2,
            doc_jaccard: 0.8,
            doc_containment: 0.8,
            paragraph_jaccard: 0.8,
            paragraph_containment: 0.65,
            paragraph_min_words: 10,
            spill_after_mb: 64,
            spill_cache_mb: 32,
            spill_dir: None,
            action: Action::Remove,
            keep: Keep::First,
        }
    }
}

impl DedupConfig {
    pub fn enabled(&self) -> bool {
        self.exact || self.near_documents || self.near_paragraphs
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.shingle_words == 0 {
            bail!("dedup.shingle_words must be at least 1");
        }
        for (name, bands, rows) in [
            ("", self.bands, self.rows),
            ("paragraph_", self.paragraph_bands, self.paragraph_rows),
        ] {
            if bands == 0 || rows == 0 || bands * rows > self.num_perm {
                bail!(
                    "dedup: {name}bands × {name}rows ({bands} × {rows}) must be between 1 \
                     and num_perm ({})",
                    self.num_perm
                );
            }
        }
        for (name, t) in [
            ("doc_jaccard", self.doc_jaccard),
            ("doc_containment", self.doc_containment),
            ("paragraph_jaccard", self.paragraph_jaccard),
            ("paragraph_containment", self.paragraph_containment),
        ] {
            if !(t > 0.0 && t <= 1.0) {
                bail!("dedup.{name} must be in (0, 1], got {t}");
            }
        }
        Ok(())
    }
}

/// The global stage: signs in `prepare`, decides and indexes in `decide`.
pub struct Dedup {
    signer: Arc<Signer>,
    index: Index,
    action: Action,
    min_words: usize,
}

impl Dedup {
    /// `min_words` is the filter's: a document left with fewer words is rejected by
    /// the pipeline, so its paragraphs must not enter the index.
    pub fn new(cfg: &DedupConfig, min_words: usize) -> anyhow::Result<Dedup> {
        cfg.validate()?;
        Ok(Dedup {
            signer: Arc::new(Signer {
                hasher: MinHasher::new(cfg.num_perm),
                shingle_words: cfg.shingle_words,
                exact: cfg.exact,
                doc: cfg.near_documents,
                paragraphs: cfg.near_paragraphs,
                paragraph_min_words: cfg.paragraph_min_words,
            }),
            index: Index::new(
                (
                    Banding {
                        bands: cfg.bands,
                        rows: cfg.rows,
                    },
                    Thresholds {
                        jaccard: cfg.doc_jaccard,
                        containment: cfg.doc_containment,
                    },
                ),
                (
                    Banding {
                        bands: cfg.paragraph_bands,
                        rows: cfg.paragraph_rows,
                    },
                    Thresholds {
                        jaccard: cfg.paragraph_jaccard,
                        containment: cfg.paragraph_containment,
                    },
                ),
            )
            .with_spill(SpillOptions {
                after_bytes: Some(cfg.spill_after_mb.saturating_mul(1 << 20)),
                dir: cfg.spill_dir.clone(),
                cache_bytes: usize::try_from(cfg.spill_cache_mb.saturating_mul(1 << 20))
                    .unwrap_or(usize::MAX),
            }),
            action: cfg.action,
            min_words,
        })
    }

    pub fn sign(&self, c: &Cleaned) -> Signature {
        self.signer.sign_cleaned(c)
    }

    /// Decides about one document, applies the decision to it, and indexes it if it
    /// is kept.
    pub fn decide_and_apply(&mut self, c: &mut Cleaned, sig: &Signature) -> Decision {
        self.decide_and_apply_with(c, sig, &AllBands)
    }

    /// [`Dedup::decide_and_apply`] with candidates looked up only in the bands `f`
    /// allows (see [`BandFilter`]).
    pub fn decide_and_apply_with(
        &mut self,
        c: &mut Cleaned,
        sig: &Signature,
        f: &dyn BandFilter,
    ) -> Decision {
        let decision = self.index.decide_with(sig, f);
        self.apply(c, &decision);
        if let Decision::Keep { paragraphs } = &decision {
            // Only text that stays in the output is indexed: a document the filter
            // will reject for too few words must not be matched against.
            let enough = crate::text::has_words(&c.edited.text, self.min_words);
            if enough {
                let removed = self.action == Action::Remove;
                self.index
                    .commit_with(&c.doc.id, sig, paragraphs, removed, f);
            }
        }
        decision
    }

    /// Applies a decision to its document: a rejection, cut paragraphs or, with
    /// `action = "annotate"`, notes under `meta.dedup`.
    pub fn apply(&self, c: &mut Cleaned, decision: &Decision) {
        let annotate = self.action == Action::Annotate;
        match &decision {
            Decision::Duplicate { of } | Decision::NearDuplicate { of, .. } => {
                let (reason, similarity) = match *decision {
                    Decision::NearDuplicate { similarity, .. } => {
                        (Reason::NearDuplicate, Some(similarity))
                    }
                    _ => (Reason::Duplicate, None),
                };
                if annotate {
                    c.found.push_meta(
                        "dedup",
                        json!({"level": "document", "reason": reason, "of": of,
                               "similarity": similarity}),
                    );
                } else {
                    let mut r = Rejection::new(reason);
                    r.duplicate_of = Some(of.clone());
                    r.similarity = similarity;
                    c.rejection = Some(r);
                }
            }
            Decision::Keep { paragraphs } => {
                if annotate {
                    for m in paragraphs {
                        c.found.push_meta(
                            "dedup",
                            json!({"level": "paragraph", "paragraph": m.line, "of": m.of,
                                   "similarity": m.similarity}),
                        );
                    }
                } else if !paragraphs.is_empty() {
                    let verdicts: Vec<Verdict> = paragraphs
                        .iter()
                        .filter_map(|m| {
                            let l = c.edited.lines.get(m.line as usize)?;
                            Some(
                                Verdict::new(RULE, l.orig_start, l.orig_end)
                                    .with_detail(json!({"of": m.of, "similarity": m.similarity})),
                            )
                        })
                        .collect();
                    c.add_verdicts(verdicts);
                }
            }
        }
    }

    /// The first I/O error of the index's spill file since the last call: decisions
    /// made since then may have missed a match, so the run must stop.
    pub fn take_error(&mut self) -> Option<std::io::Error> {
        self.index.take_error()
    }

    pub fn usage(&self) -> index::Usage {
        self.index.usage()
    }
}

impl Prepare for Signer {
    fn prepare(&self, doc: &Cleaned) -> Box<dyn Any + Send> {
        Box::new(self.sign_cleaned(doc))
    }
}

impl GlobalStage for Dedup {
    fn preparer(&self) -> Arc<dyn Prepare> {
        self.signer.clone()
    }

    fn decide(&mut self, doc: &mut Cleaned, prepared: Box<dyn Any + Send>) -> anyhow::Result<()> {
        match prepared.downcast::<Signature>() {
            Ok(sig) => {
                self.decide_and_apply(doc, &sig);
            }
            Err(_) => {
                // `prepare` above is the only producer; a mismatch is a wiring bug.
                debug_assert!(false, "dedup: prepared value is not a Signature");
            }
        }
        match self.take_error() {
            Some(e) => Err(e).with_context(|| format!("{}: dedup index", doc.doc.id)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn config_errors_name_the_key() {
        let e = Config::from_toml("[dedup]\nbandz = 3\n").unwrap_err();
        assert!(format!("{e:#}").contains("dedup.bandz"), "{e:#}");
        let e = Config::from_toml("[dedup]\nbands = 64\nrows = 4\n").unwrap_err();
        assert!(format!("{e:#}").contains("bands × rows"), "{e:#}");
        let e = Config::from_toml("[dedup]\nparagraph_containment = 1.5\n").unwrap_err();
        assert!(format!("{e:#}").contains("paragraph_containment"), "{e:#}");
        assert!(Config::from_toml("[dedup]\naction = 'drop'\n").is_err());
        assert!(Config::from_toml("[dedup]\nkeep = 'date'\n").is_err());
        let ok = Config::from_toml("[dedup]\naction = 'annotate'\nnear_paragraphs = false\n");
        assert!(ok.is_ok());
    }
}
