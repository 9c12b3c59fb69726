//! Times each rule of the default config over a JSONL corpus (`text` field), on one
//! thread: the first cleaning pass over the original texts, then a second pass over
//! the clean texts of the documents that changed (every rule on every line, as a
//! worst case for the second pass). Also times the first pass's line counting. For
//! finding what to optimise; not a benchmark of the whole run (see `scripts/bench`).
//!
//!     cargo run --release --example rule_timing -- corpus.jsonl

use std::time::{Duration, Instant};

use anyhow::Context;
use chaff::config::Config;
use chaff::doc::Findings;
use chaff::repetition::LineCounts;
use chaff::rules::DocView;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: rule_timing CORPUS.jsonl")?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("{path}: cannot read"))?;
    let config = Config::default();
    let rules = config.compile_rules()?;
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{path}:{}", n + 1))?;
        docs.push(v["text"].as_str().unwrap_or_default().to_string());
    }
    let r = &config.repetition;
    let mut counts = LineCounts::new(r.sketch_depth, r.sketch_width_bits);
    let t = Instant::now();
    for d in &docs {
        counts.add_document(d);
    }
    println!("line counts (first pass): {:?}", t.elapsed());

    let mut first = vec![Duration::ZERO; rules.len()];
    let mut second = vec![Duration::ZERO; rules.len()];
    let (mut changed, mut more_found) = (0, 0);
    for d in &docs {
        let view = DocView::new("doc", d).with_dump(Some(&counts));
        let mut found = Findings::default();
        for (rule, spent) in rules.iter().zip(&mut first) {
            let t = Instant::now();
            rule.check(&view, &mut found);
            *spent += t.elapsed();
        }
        let edited = chaff::edit::apply(d, &found.verdicts);
        if edited.text == *d {
            continue;
        }
        changed += 1;
        let view = DocView::new("doc", &edited.text).with_dump(Some(&counts));
        let mut more = Findings::default();
        for (rule, spent) in rules.iter().zip(&mut second) {
            let t = Instant::now();
            rule.check(&view, &mut more);
            *spent += t.elapsed();
        }
        more_found += usize::from(!more.verdicts.is_empty());
    }
    println!(
        "{} documents, {changed} changed by the first pass, {more_found} with more found by the second",
        docs.len()
    );
    println!("{:10} {:>12} {:>12}", "rule", "first pass", "second pass");
    for ((rule, a), b) in rules.iter().zip(first).zip(second) {
        println!("{:10} {:>12.1?} {:>12.1?}", rule.id(), a, b);
    }
    Ok(())
}
