//! `report.json`: counts that add up. Every field is a sum over documents, so reports
//! of parts of a run merge by addition.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Report {
    pub documents: DocCounts,
    pub bytes: ByteCounts,
    /// Spans and bytes removed, per rule id.
    pub rules: BTreeMap<String, RuleCount>,
    /// Rejected documents, per reason id.
    pub rejected: BTreeMap<String, u64>,
    pub files: FileCounts,
    /// Documents seen by the first pass that counts repeated lines across the run;
    /// null when no rule asked for it or the input could not be read twice (stdin).
    pub repetition_pass: Option<u64>,
    /// After that pass: the chance that a line seen in one document reads as in enough
    /// documents to be template text (`LineCounts::crowding`); the run warns above
    /// 0.01. Null when there was no pass, and in a sharded run's report (its
    /// `merge-counts` task logs the warning instead).
    pub repetition_crowding: Option<f64>,
    pub timings: Timings,
    pub throughput: Throughput,
    pub threads: usize,
    pub config: serde_json::Value,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct DocCounts {
    #[serde(rename = "in")]
    pub input: u64,
    pub kept: u64,
    pub rejected: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ByteCounts {
    /// Text bytes of every document read (for unreadable input, what was known).
    #[serde(rename = "in")]
    pub input: u64,
    /// Text bytes written to clean.jsonl.
    pub out: u64,
    /// Bytes removed by rules from kept documents.
    pub removed: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct RuleCount {
    pub spans: u64,
    pub bytes: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct FileCounts {
    pub read: u64,
    /// Entries met while walking directories that are not inputs (other extensions,
    /// FIFOs, symlinked directories).
    pub skipped: u64,
    /// Paths that could not be listed or hold no input.
    pub errors: u64,
    /// Files read that held no document at all (zero bytes, or only blank lines).
    pub empty: u64,
}

/// Seconds spent per stage, summed over batches; `wall` is the whole run.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Timings {
    /// The first pass: line counts across the run.
    pub repetition: f64,
    /// Reading and parsing, on the reader thread (time it was busy).
    pub read: f64,
    /// Cleaning and the global stages' per-document preparation (dedup signing), on
    /// the pool, per batch.
    pub clean: f64,
    /// The global stages' decisions in input order, on the writer thread.
    pub global: f64,
    /// Serialising and writing records, on the writer thread.
    pub write: f64,
    pub wall: f64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Throughput {
    pub mb_per_s: f64,
    pub docs_per_s: f64,
}

impl Report {
    /// Adds the counts and stage times of a report of another part of the run.
    /// Wall time, throughput, threads and config are the caller's to set.
    pub fn add(&mut self, o: &Report) {
        self.documents.input += o.documents.input;
        self.documents.kept += o.documents.kept;
        self.documents.rejected += o.documents.rejected;
        self.bytes.input += o.bytes.input;
        self.bytes.out += o.bytes.out;
        self.bytes.removed += o.bytes.removed;
        for (k, v) in &o.rules {
            let e = self.rules.entry(k.clone()).or_default();
            e.spans += v.spans;
            e.bytes += v.bytes;
        }
        for (k, v) in &o.rejected {
            *self.rejected.entry(k.clone()).or_default() += v;
        }
        self.files.read += o.files.read;
        self.files.skipped += o.files.skipped;
        self.files.errors += o.files.errors;
        self.files.empty += o.files.empty;
        if let Some(n) = o.repetition_pass {
            self.repetition_pass = Some(self.repetition_pass.unwrap_or(0).max(n));
        }
        if let Some(c) = o.repetition_crowding {
            self.repetition_crowding = Some(self.repetition_crowding.unwrap_or(0.0).max(c));
        }
        self.timings.repetition += o.timings.repetition;
        self.timings.read += o.timings.read;
        self.timings.clean += o.timings.clean;
        self.timings.global += o.timings.global;
        self.timings.write += o.timings.write;
    }

    pub fn finish(&mut self, wall: f64) {
        self.timings.wall = wall;
        let secs = wall.max(1e-9);
        self.throughput = Throughput {
            mb_per_s: round3(self.bytes.input as f64 / 1e6 / secs),
            docs_per_s: round3(self.documents.input as f64 / secs),
        };
        for t in [
            &mut self.timings.repetition,
            &mut self.timings.read,
            &mut self.timings.clean,
            &mut self.timings.global,
            &mut self.timings.write,
            &mut self.timings.wall,
        ] {
            *t = round3(*t);
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
