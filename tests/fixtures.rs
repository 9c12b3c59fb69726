//! Golden fixtures: `fixtures/<case>/input/` (or `fixtures/<case>/stdin.jsonl`, fed on
//! standard input) with optional `config.toml`, and `expected/{clean.jsonl,
//! rejected.jsonl,exit_code}`. Every case runs with 1 and with 4 threads, and the
//! two runs must be byte-identical before they are compared with the expectation.
//!
//! `CHAFF_BLESS=1` rewrites the expectations (see `scripts/bless`); read the diff first.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Outcome {
    clean: String,
    rejected: String,
    exit_code: i32,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_case(case: &str, threads: usize) -> Outcome {
    let dir = Path::new("fixtures").join(case);
    let out = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaff"));
    cmd.current_dir(root())
        .arg("clean")
        .arg("--quiet")
        .arg("--threads")
        .arg(threads.to_string())
        .arg("--out")
        .arg(out.path());
    if root().join(&dir).join("config.toml").exists() {
        cmd.arg("--config").arg(dir.join("config.toml"));
    }
    let stdin = root().join(&dir).join("stdin.jsonl");
    if stdin.exists() {
        cmd.arg("-")
            .stdin(std::fs::File::open(&stdin).expect("stdin fixture"));
    } else {
        cmd.arg(dir.join("input")).stdin(Stdio::null());
    }
    let status = cmd.status().expect("chaff runs");
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap_or_default();
    let outcome = Outcome {
        clean: read("clean.jsonl"),
        rejected: read("rejected.jsonl"),
        exit_code: status.code().unwrap_or(-1),
    };
    let report: serde_json::Value =
        serde_json::from_str(&read("report.json")).expect("report.json is written");
    let docs = &report["documents"];
    assert_eq!(
        docs["in"].as_u64(),
        Some(docs["kept"].as_u64().unwrap_or(0) + docs["rejected"].as_u64().unwrap_or(0)),
        "{case}: report does not balance"
    );
    assert_eq!(
        docs["kept"].as_u64(),
        Some(outcome.clean.lines().count() as u64)
    );
    assert_eq!(
        docs["rejected"].as_u64(),
        Some(outcome.rejected.lines().count() as u64)
    );
    outcome
}

fn check(case: &str) {
    let one = run_case(case, 1);
    let four = run_case(case, 4);
    assert_eq!(
        one.clean, four.clean,
        "{case}: clean.jsonl differs with 4 threads"
    );
    assert_eq!(
        one.rejected, four.rejected,
        "{case}: rejected.jsonl differs with 4 threads"
    );
    assert_eq!(one.exit_code, four.exit_code);

    let expected = root().join("fixtures").join(case).join("expected");
    if std::env::var_os("CHAFF_BLESS").is_some() {
        std::fs::create_dir_all(&expected).expect("create expected/");
        std::fs::write(expected.join("clean.jsonl"), &one.clean).expect("write");
        std::fs::write(expected.join("rejected.jsonl"), &one.rejected).expect("write");
        std::fs::write(expected.join("exit_code"), format!("{}\n", one.exit_code)).expect("write");
        return;
    }
    let read = |name: &str| {
        std::fs::read_to_string(expected.join(name))
            .unwrap_or_else(|e| panic!("{case}: expected/{name}: {e} (run scripts/bless {case})"))
    };
    assert_eq!(
        one.exit_code.to_string(),
        read("exit_code").trim(),
        "{case}: exit code"
    );
    assert_eq!(
        one.clean,
        read("clean.jsonl"),
        "{case}: clean.jsonl (scripts/bless {case})"
    );
    assert_eq!(
        one.rejected,
        read("rejected.jsonl"),
        "{case}: rejected.jsonl (scripts/bless {case})"
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(#[test] fn $name() { check(stringify!($name)); })*
    };
}

cases!(
    seeds, reprint, jsonl, jsonl_gz, jsonl_zst, stdin, bad_input, no_inputs, sidebars, noise,
    decode, outlets, cjk, introduced, furniture
);

/// Every directory under fixtures/ is a case above and has expected output.
#[test]
fn every_fixture_is_tested_and_has_expected_output() {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    for d in &dirs {
        assert!(
            CASES.contains(&d.as_str()),
            "fixtures/{d} is not listed in cases!()"
        );
        for f in ["clean.jsonl", "rejected.jsonl", "exit_code"] {
            assert!(
                root()
                    .join("fixtures")
                    .join(d)
                    .join("expected")
                    .join(f)
                    .exists(),
                "fixtures/{d}/expected/{f} is missing (run scripts/bless {d})"
            );
        }
    }
}

/// Offsets in every fixture's audit point at exactly the recorded text of the input.
#[test]
fn seed_offsets_match_the_original() {
    let out = run_case("seeds", 2);
    for line in out.clean.lines().chain(out.rejected.lines()) {
        let r: serde_json::Value = serde_json::from_str(line).expect("record is JSON");
        let path = root().join(r["source"]["path"].as_str().expect("path"));
        let original = std::fs::read_to_string(path).expect("seed readable");
        for rm in r["removed"].as_array().expect("removed") {
            let (s, e) = (
                rm["start"].as_u64().unwrap() as usize,
                rm["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&original[s..e], rm["text"].as_str().unwrap());
        }
    }
}
