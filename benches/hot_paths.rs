//! Criterion benches for the per-document hot paths: line segmentation, the whole
//! default rule set on one document (`Cleaner::clean`, both passes), and dedup signing
//! (shingling + MinHash). Whole runs are `scripts/bench`'s business.
//!
//! Inputs are the real seed pages in `fixtures/seeds/input/`, read at bench time; when
//! they are missing (a partial checkout) a built-in page stands in, so
//! `cargo bench --no-run` and `clippy --all-targets` never depend on data files.

use std::hint::black_box;
use std::path::Path;

use chaff::config::Config;
use chaff::dedup::Dedup;
use chaff::doc::{Document, Source};
use chaff::pipeline::Cleaner;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A stand-in page with the usual noise: menu, caption, ad marker, related links.
const FALLBACK: &str = "Home\nNews\nSport\nWeather\n\n\
The council approved the new budget on Tuesday after a long debate about school funding.\n\
Image caption: The town hall in spring (Photo: Jane Doe/Reuters)\n\
Advertisement\n\
Officials said the plan would add teachers, repair roofs and extend bus routes next year.\n\
Critics argued that the spending rise was too steep, given the fall in tax receipts.\n\n\
Related stories\nBudget vote delayed again\nSchools warn of cuts\n\n\
Share this article\nFacebook Twitter Email\n";

fn pages() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds/input");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "txt"));
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if texts.is_empty() {
        eprintln!("{}: no seed pages, benching a built-in page", dir.display());
        vec![FALLBACK.to_string()]
    } else {
        texts
    }
}

fn document(i: usize, text: &str) -> Document {
    Document {
        id: format!("bench-{i}"),
        source: Source {
            path: "bench".into(),
            line: None,
        },
        text: text.to_string(),
        meta: Vec::new(),
        bytes_in: text.len() as u64,
        invalid_utf8: 0,
    }
}

fn hot_paths(c: &mut Criterion) {
    let pages = pages();
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    let cfg = Config::default();
    let cleaner = match Cleaner::new(&cfg) {
        Ok(c) => c,
        Err(e) => panic!("default config does not build: {e}"),
    };
    let mut group = c.benchmark_group("per_document");
    group.throughput(Throughput::Bytes(bytes));

    group.bench_function("segment_lines", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|p| chaff::text::lines(black_box(p)).count())
                .sum::<usize>()
        })
    });

    let docs: Vec<Document> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| document(i, p))
        .collect();
    group.bench_function("clean_all_rules", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| cleaner.clean(black_box(d.clone())).edited.text.len())
                .sum::<usize>()
        })
    });

    let cleaned: Vec<_> = docs.iter().map(|d| cleaner.clean(d.clone())).collect();
    let dedup = match Dedup::new(&cfg.dedup, cfg.filter.min_words) {
        Ok(d) => d,
        Err(e) => panic!("default dedup config does not build: {e}"),
    };
    group.bench_function("shingle_minhash_sign", |b| {
        b.iter(|| {
            for c in &cleaned {
                black_box(dedup.sign(black_box(c)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
