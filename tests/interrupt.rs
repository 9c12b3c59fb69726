//! Interrupted runs: killing chaff part-way (SIGKILL, or SIGINT, which has no handler
//! and so also ends the process at once) leaves no file that looks complete:
//! outputs have `.partial` names until the end, and `report.json`, removed at the
//! start together with any older outputs, is written last. Running again gives
//! output byte-identical to an uninterrupted run.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// ~13 MB of JSONL: kept articles with a header to remove, and short rejected ones.
fn big_input(path: &Path) {
    let mut f = std::io::BufWriter::new(fs::File::create(path).expect("create input"));
    let para = "The committee met on Tuesday and agreed to publish the report next week, \
                after a long debate about the budget and the schedule of the hearings.";
    for i in 0..40_000 {
        let text = if i % 10 == 9 {
            "too short".to_string()
        } else {
            format!(" date 2023-08-{:02} \n{para}\n{para} Item {i}.", i % 28 + 1)
        };
        let line = serde_json::json!({ "id": format!("d{i}"), "text": text });
        writeln!(f, "{line}").expect("write input");
    }
}

fn start(input: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(["clean", "-q", "--threads", "2", "--out"])
        .arg(out)
        .arg(input)
        .stderr(Stdio::null())
        .spawn()
        .expect("chaff starts")
}

fn finish(input: &Path, out: &Path) -> (Vec<u8>, Vec<u8>) {
    let status = start(input, out).wait().expect("chaff runs");
    assert_eq!(status.code(), Some(0));
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).expect("report")).expect("json");
    assert_eq!(report["documents"]["in"], 40_000);
    (
        fs::read(out.join("clean.jsonl")).expect("clean.jsonl"),
        fs::read(out.join("rejected.jsonl")).expect("rejected.jsonl"),
    )
}

/// Starts a run and sends `signal` once it has written part of its output.
fn interrupt(input: &Path, out: &Path, signal: &str) {
    let mut child = start(input, out);
    // Most of these near-identical documents are rejected as duplicates, so it is
    // rejected.jsonl.partial that fills first.
    let partials = [
        out.join("clean.jsonl.partial"),
        out.join("rejected.jsonl.partial"),
    ];
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("run ended ({status}) before it could be interrupted: make the input bigger");
        }
        if partials
            .iter()
            .any(|p| fs::metadata(p).is_ok_and(|m| m.len() > 0))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = child.wait().expect("wait");
    assert!(!status.success(), "{signal}: the run was cut short");
}

fn assert_nothing_looks_complete(out: &Path) {
    for name in ["report.json", "clean.jsonl", "rejected.jsonl"] {
        assert!(
            !out.join(name).exists(),
            "{name} exists after an interrupted run"
        );
    }
    assert!(out.join("clean.jsonl.partial").exists());
}

#[test]
fn killed_runs_leave_no_complete_looking_output_and_rerun_is_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.jsonl");
    big_input(&input);
    let reference = finish(&input, &dir.path().join("reference"));

    // The same output directory throughout: it starts out holding a complete run,
    // which an interrupted run must not leave looking valid.
    let out = dir.path().join("out");
    finish(&input, &out);
    for signal in ["-KILL", "-INT"] {
        interrupt(&input, &out, signal);
        assert_nothing_looks_complete(&out);
    }
    let again = finish(&input, &out);
    assert!(
        again.0 == reference.0,
        "clean.jsonl differs after an interrupted run"
    );
    assert!(
        again.1 == reference.1,
        "rejected.jsonl differs after an interrupted run"
    );
    assert!(!out.join("clean.jsonl.partial").exists());
}
