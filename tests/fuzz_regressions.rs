//! Every input that ever crashed a fuzz target, replayed through the same checks:
//! `fuzz/regressions/<target>/<name>` (copy a crash from fuzz/artifacts/ there and
//! name it after the bug). Runs in plain `cargo test`, no nightly needed.

#[path = "support/invariants.rs"]
mod invariants;

use std::path::Path;

use chaff::config::Config;
use chaff::pipeline::Cleaner;

type Target = fn(&Cleaner, &[u8]) -> Result<(), String>;

fn replay(target: &str, run: Target) -> usize {
    let cleaner = Cleaner::new(&Config::default()).expect("default config builds");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions directory") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("read regression input");
        if let Err(e) = run(&cleaner, &data) {
            panic!("{}: {e}", path.display());
        }
        n += 1;
    }
    n
}

#[test]
fn clean_target_regressions() {
    assert!(replay("clean", invariants::clean_target) >= 1);
}

#[test]
fn jsonl_target_regressions() {
    replay("jsonl", invariants::jsonl_target);
}

/// The corpus, too: a cheap smoke run of both targets over the committed inputs.
#[test]
fn fuzz_corpus_passes() {
    assert!(replay("../corpus/clean", invariants::clean_target) >= 2);
    assert!(replay("../corpus/jsonl", invariants::jsonl_target) >= 2);
}
