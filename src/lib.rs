//! chaff turns scraped text dumps into clean, deduplicated JSONL records, each with an
//! audit of what was removed and why.
//!
//! The pipeline, in one screen:
//!
//! ```text
//! input::discover   inputs → sorted file list (usage errors surface here)
//! input::read_file  files → Items (Document | BadInput), in order, on a reader thread
//! pipeline          batches → rayon: Cleaner::clean per document
//!                     rules::*   each rule reports Verdicts (span, rule id, detail)
//!                     edit       one editor resolves overlaps, cuts, builds the audit
//!                     + each GlobalStage's Prepare (dedup: sign), same task
//!                   → writer: GlobalStage::decide in input order, serialise, write
//!                     dedup      decide + index in order
//! output            records → clean.jsonl / rejected.jsonl, then report.json
//! shard             the same as restartable stages over a work directory, for clusters
//! ```
//!
//! Invariants: every document read lands in exactly one output; every removed span
//! satisfies `original[start..end] == text`; output does not depend on thread count.

pub mod config;
pub mod dedup;
pub mod doc;
pub mod edit;
pub mod explain;
mod hint;
pub mod input;
pub mod output;
pub mod pipeline;
pub mod repetition;
pub mod review;
pub mod rules;
pub mod shard;
pub mod text;
