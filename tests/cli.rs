//! The command-line contract: exit codes, messages, output files, stdout mode.

use assert_cmd::Command;
use predicates::prelude::*;

fn chaff() -> Command {
    let mut c = Command::cargo_bin("chaff").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    chaff()
        .args(["clean", "no/such/path", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/path"));
    assert!(
        !out.path().join("clean.jsonl").exists(),
        "no work before usage errors"
    );
}

#[test]
fn bad_config_is_a_usage_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[filter]\nmin_wrds = 3\n").unwrap();
    chaff()
        .args(["clean", "fixtures/seeds/input", "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("filter.min_wrds"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn unknown_flag_and_missing_out_are_usage_errors() {
    chaff().args(["clean", "x", "--bogus"]).assert().code(2);
    chaff()
        .args(["clean", "fixtures/seeds/input"])
        .assert()
        .code(2);
    chaff().assert().code(2);
}

#[test]
fn stdout_mode_streams_clean_records_and_files_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let rejected = dir.path().join("rej.jsonl");
    let assert = chaff()
        .args([
            "clean",
            "-q",
            "fixtures/jsonl/input/dump.jsonl",
            "--out",
            "-",
            "--rejected",
        ])
        .arg(&rejected)
        .assert()
        .code(0);
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 3);
    let rej = std::fs::read_to_string(&rejected).unwrap();
    assert_eq!(rej.lines().count(), 1);
    assert!(rej.contains("\"reason\":\"too_little_text\""));
}

#[test]
fn summary_is_printed_unless_quiet() {
    let out = tempfile::tempdir().unwrap();
    chaff()
        .args(["clean", "fixtures/seeds/input", "--out"])
        .arg(out.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("5 documents in, 5 kept"));
    chaff()
        .args(["clean", "-q", "fixtures/seeds/input", "--out"])
        .arg(out.path())
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
}

#[test]
fn partial_failure_exits_1_and_still_writes_everything() {
    let out = tempfile::tempdir().unwrap();
    chaff()
        .args([
            "clean",
            "-q",
            "fixtures/seeds/input",
            "fixtures/bad_input/input",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("lines.jsonl:2:"));
    let clean = std::fs::read_to_string(out.path().join("clean.jsonl")).unwrap();
    assert!(clean.lines().count() >= 5);
    assert!(out.path().join("report.json").exists());
    assert!(!out.path().join("clean.jsonl.partial").exists());
}

#[test]
fn rules_and_config_list_every_rule() {
    let rules = chaff().arg("rules").assert().code(0);
    let text = String::from_utf8(rules.get_output().stdout.clone()).unwrap();
    for spec in chaff::rules::registry() {
        assert!(text.contains(spec.id), "chaff rules lacks {}", spec.id);
    }
    let cfg = chaff().arg("config").assert().code(0);
    let toml = String::from_utf8(cfg.get_output().stdout.clone()).unwrap();
    assert!(toml.contains("[rules.header]"));
    chaff::config::Config::from_toml(&toml).expect("printed config loads back");
}

#[test]
fn file_vanishing_or_unreadable_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    // A directory named like an input file cannot be read as one.
    std::fs::create_dir(dir.path().join("fake.txt")).unwrap();
    std::fs::write(
        dir.path().join("real.txt"),
        "one two three four five six seven eight nine ten eleven",
    )
    .unwrap();
    let out = dir.path().join("out");
    chaff()
        .args(["clean", "-q"])
        .arg(dir.path().join("fake.txt/"))
        .arg(dir.path().join("real.txt"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let clean = std::fs::read_to_string(out.join("clean.jsonl")).unwrap();
    assert_eq!(clean.lines().count(), 1);
}

#[test]
fn a_line_sketch_too_small_for_its_input_is_warned_about_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for d in 0..300 {
        let lines: Vec<String> = (0..10)
            .map(|l| format!("Line {l} of document {d} says something of its own."))
            .collect();
        input.push_str(
            &serde_json::json!({ "id": d.to_string(), "text": lines.join("\n") }).to_string(),
        );
        input.push('\n');
    }
    let path = dir.path().join("in.jsonl");
    std::fs::write(&path, input).unwrap();
    let narrow = dir.path().join("narrow.toml");
    std::fs::write(&narrow, "[repetition]\nsketch_width_bits = 8\n").unwrap();
    let crowding = |out: &std::path::Path| {
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        report["repetition_crowding"]
            .as_f64()
            .expect("a first pass ran")
    };

    // 3,000 distinct lines in 256 counters a row: almost every counter is full.
    let out = dir.path().join("narrow-out");
    chaff()
        .arg("clean")
        .arg(&path)
        .arg("--config")
        .arg(&narrow)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning: the line sketch is crowded",
        ))
        .stderr(predicate::str::contains("sketch_width_bits (now 8)"));
    assert!(crowding(&out) > 0.5, "{}", crowding(&out));

    // The default sketch has room to spare: no warning.
    let out = dir.path().join("default-out");
    chaff()
        .arg("clean")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("crowded").not());
    assert!(crowding(&out) < 1e-6, "{}", crowding(&out));
}
