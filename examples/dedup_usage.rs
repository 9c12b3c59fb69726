//! Measures the dedup index: reads a JSONL corpus (`id`, `text`), runs the default
//! cleaner and dedup stage over it in order, and prints what the index holds per kept
//! document and per kept paragraph (in memory; the shingle sets past
//! `dedup.spill_after_mb` are in the spill file, counted apart). Used by
//! `scripts/bench-dedup` for the README.
//!
//!     cargo run --release --example dedup_usage -- corpus.jsonl

use std::io::BufRead;

use anyhow::Context;
use chaff::config::Config;
use chaff::dedup::Dedup;
use chaff::doc::{Document, Source};
use chaff::pipeline::Cleaner;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: dedup_usage CORPUS.jsonl")?;
    let config = Config::default();
    let cleaner = Cleaner::new(&config)?;
    let mut dedup = Dedup::new(&config.dedup, config.filter.min_words)?;
    let file = std::fs::File::open(&path).with_context(|| format!("{path}: cannot open"))?;
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("{path}:{}", n + 1))?;
        let text = v["text"].as_str().unwrap_or_default().to_string();
        let doc = Document {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            source: Source {
                path: path.clone(),
                line: Some(n as u64 + 1),
            },
            bytes_in: text.len() as u64,
            text,
            meta: Vec::new(),
            invalid_utf8: 0,
        };
        let mut c = cleaner.clean(doc);
        if c.is_kept() {
            let sig = dedup.sign(&c);
            dedup.decide_and_apply(&mut c, &sig);
        }
    }
    let u = dedup.usage();
    let per = |b: usize, n: usize| if n == 0 { 0.0 } else { b as f64 / n as f64 };
    println!(
        "{}",
        serde_json::json!({
            "documents": u.documents,
            "paragraphs": u.paragraphs,
            "document_bytes_per_document": per(u.document_bytes, u.documents).round(),
            "paragraph_bytes_per_paragraph": per(u.paragraph_bytes, u.paragraphs).round(),
            "shingle_bytes_per_document": per(u.shingle_bytes, u.documents).round(),
            "total_bytes_per_document":
                per(u.document_bytes + u.paragraph_bytes + u.shingle_bytes, u.documents).round(),
            "total_mb": (u.document_bytes + u.paragraph_bytes + u.shingle_bytes) as f64 / 1e6,
            "spilled_shingle_bytes_per_document":
                per(u.spilled_shingle_bytes as usize, u.documents).round(),
        })
    );
    Ok(())
}
