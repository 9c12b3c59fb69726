//! Hostile input: each case is generated at test time in a temporary directory (big
//! ones are never committed), run through the `chaff` binary, and must be processed
//! or rejected with a reason, with `report.json` balancing (in = kept + rejected).
//! Small hand-made cases live in fixtures/bad_input; these are the ones that are too
//! big, too odd (FIFOs, symlink loops) or too timing-dependent for a fixture.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Run {
    code: i32,
    clean: Vec<Value>,
    rejected: Vec<Value>,
    report: Value,
    stderr: String,
}

/// A finished run's outputs, unparsed (parsing a million records in a debug build
/// takes longer than the run).
struct RawRun {
    code: i32,
    clean: String,
    rejected: String,
    report: Value,
    stderr: String,
}

impl Run {
    fn reasons(&self) -> Vec<String> {
        self.rejected
            .iter()
            .map(|r| r["reason"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("output line is JSON"))
        .collect()
}

/// Runs `chaff clean -q <inputs> --out <tmp>` with an optional config (dedup off), checks that the
/// run finished (report written, no partial files left) and that the report balances.
fn chaff(inputs: &[&Path], config: Option<&str>) -> Run {
    let raw = chaff_raw(inputs, config);
    Run {
        code: raw.code,
        clean: parse_lines(&raw.clean),
        rejected: parse_lines(&raw.rejected),
        report: raw.report,
        stderr: raw.stderr,
    }
}

fn chaff_raw(inputs: &[&Path], config: Option<&str>) -> RawRun {
    let out = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaff"));
    cmd.args(["clean", "-q", "--threads", "2", "--out"])
        .arg(out.path());
    // These cases reuse one text many times; dedup would (rightly) reject the copies
    // and hide what the reader did, so it is off here.
    let cfg = format!(
        "{}\n[dedup]\nexact = false\nnear_documents = false\nnear_paragraphs = false\n",
        config.unwrap_or("")
    );
    let path = out.path().join("config.toml");
    fs::write(&path, cfg).expect("write config");
    cmd.arg("--config").arg(path);
    cmd.args(inputs);
    let output = cmd.output().expect("chaff runs");
    let read = |n: &str| fs::read_to_string(out.path().join(n)).unwrap_or_default();
    let report: Value = serde_json::from_str(&read("report.json")).expect("report.json written");
    let run = RawRun {
        code: output.status.code().unwrap_or(-1),
        clean: read("clean.jsonl"),
        rejected: read("rejected.jsonl"),
        report,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let d = &run.report["documents"];
    let n = |k: &str| d[k].as_u64().expect("count");
    assert_eq!(n("in"), n("kept") + n("rejected"), "report balances");
    assert_eq!(n("kept"), run.clean.lines().count() as u64);
    assert_eq!(n("rejected"), run.rejected.lines().count() as u64);
    assert!(!out.path().join("clean.jsonl.partial").exists());
    run
}

/// A config file with dedup off, for cases that reuse one text on purpose.
fn no_dedup(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("no-dedup.toml");
    fs::write(
        &path,
        "[dedup]\nexact = false\nnear_documents = false\nnear_paragraphs = false\n",
    )
    .expect("write config");
    path
}

fn words(n: usize) -> String {
    (0..n)
        .map(|i| ["alpha", "beta", "gamma", "delta"][i % 4])
        .collect::<Vec<_>>()
        .join(" ")
}

/// `n` distinct lines of `w` words each (distinct, so no rule takes them as repeats).
fn numbered_lines(n: usize, w: usize) -> String {
    (0..n).map(|i| format!("{i} {}\n", words(w))).collect()
}

fn jsonl_doc(text: &str) -> String {
    serde_json::json!({ "text": text }).to_string()
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> PathBuf {
    fs::write(path, bytes).expect("write input");
    path.to_path_buf()
}

/// Peak resident memory of the process `pid` in kB, sampled until it exits.
fn wait_peak_rss_kb(child: &mut std::process::Child) -> (i32, u64) {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = fs::read_to_string(&status_path) {
            for line in s.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kb = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak = peak.max(kb);
                }
            }
        }
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code().unwrap_or(-1), peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn a_200_mb_line_is_rejected_too_large_without_being_held_in_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).expect("create"));
    writeln!(f, "{}", jsonl_doc(&words(20))).expect("write");
    f.write_all(b"{\"text\":\"").expect("write");
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..200 {
        f.write_all(&chunk).expect("write");
    }
    f.write_all(b"\"}\n").expect("write");
    writeln!(f, "{}", jsonl_doc(&words(20))).expect("write");
    drop(f);
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(["clean", "-q", "--threads", "1", "--out"])
        .arg(&out)
        .arg("--config")
        .arg(no_dedup(dir.path()))
        .arg(&path)
        .spawn()
        .expect("chaff runs");
    let (code, peak_kb) = wait_peak_rss_kb(&mut child);
    assert_eq!(code, 1, "a too-large line is an input error");
    // The default max_doc_bytes is 32 MiB: the 200 MB line must never be buffered.
    assert!(peak_kb < 120 * 1024, "peak RSS {peak_kb} kB");
    let rejected = parse_lines(&fs::read_to_string(out.join("rejected.jsonl")).expect("read"));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["reason"], "too_large");
    assert_eq!(rejected[0]["source"]["line"], 2);
    let clean = fs::read_to_string(out.join("clean.jsonl")).expect("read");
    assert_eq!(clean.lines().count(), 2, "the documents around it are kept");
}

#[test]
fn a_document_over_max_doc_bytes_is_rejected_not_truncated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = words(2000); // ~11 kB
    let txt = write(&dir.path().join("big.txt"), &big);
    let jsonl = write(
        &dir.path().join("big.jsonl"),
        format!("{}\n{}\n", jsonl_doc(&big), jsonl_doc(&words(20))),
    );
    let run = chaff(&[&txt, &jsonl], Some("[input]\nmax_doc_bytes = 4096\n"));
    assert_eq!(run.code, 1);
    assert_eq!(run.reasons(), ["too_large", "too_large"]);
    assert!(
        run.rejected[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("max_doc_bytes")
    );
    assert_eq!(run.clean.len(), 1);
}

#[test]
fn a_line_over_max_line_bytes_rejects_its_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{}\n{}\n", words(10), "y".repeat(5000));
    let path = write(&dir.path().join("long_line.txt"), text);
    let run = chaff(&[&path], Some("[input]\nmax_line_bytes = 1000\n"));
    assert_eq!(run.code, 1);
    assert_eq!(run.reasons(), ["too_large"]);
    assert!(
        run.rejected[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("max_line_bytes")
    );
}

#[test]
fn a_million_one_word_documents_all_arrive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut body = String::with_capacity(20 << 20);
    for i in 0..1_000_000 {
        body.push_str(if i % 2 == 0 {
            "{\"text\":\"word\"}\n"
        } else {
            "{\"text\":\"w\"}\n"
        });
    }
    let path = write(&dir.path().join("million.jsonl"), body);
    let run = chaff_raw(&[&path], Some("[filter]\nmin_words = 1\n"));
    assert_eq!(run.code, 0);
    assert_eq!(run.report["documents"]["in"], 1_000_000);
    assert_eq!(run.clean.lines().count(), 1_000_000);
    // In input order, every line once.
    for (i, line) in run.clean.lines().enumerate().step_by(99_991) {
        let r: Value = serde_json::from_str(line).expect("record");
        assert_eq!(r["source"]["line"], i as u64 + 1);
        assert_eq!(r["text"], if i % 2 == 0 { "word" } else { "w" });
    }
}

#[test]
fn a_line_of_a_million_percent_signs_is_processed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pct = "%".repeat(1_000_000);
    let txt = write(
        &dir.path().join("pct.txt"),
        format!("{}\n{pct}\n", words(12)),
    );
    let jsonl = write(&dir.path().join("pct.jsonl"), jsonl_doc(&pct) + "\n");
    let run = chaff(&[&txt, &jsonl], None);
    assert_eq!(run.code, 0);
    assert_eq!(run.report["documents"]["in"], 2);
    // The prose survives; a document of nothing but `%` has too little text.
    assert!(
        run.clean
            .iter()
            .all(|c| c["text"].as_str().unwrap_or("").contains("alpha"))
    );
    assert!(run.reasons().iter().all(|r| r == "too_little_text"));
}

#[test]
fn deeply_nested_json_is_rejected_cleanly_and_long_values_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let text = words(12);
    let lines = [
        // Nested past serde_json's recursion limit (128): rejected, not a stack overflow.
        format!("{{\"text\":\"{text}\",\"x\":{}}}", deep(100_000)),
        deep(100_000),
        "{".repeat(100_000),
        // Nested within the limit: kept, and the value is carried byte for byte.
        format!("{{\"text\":\"{text}\",\"x\":{}}}", deep(100)),
        // A 5 MB metadata value and a 6 MB text.
        format!(
            "{{\"text\":\"{text}\",\"blob\":\"{}\"}}",
            "b".repeat(5 << 20)
        ),
        jsonl_doc(&numbered_lines(20_000, 50)),
    ];
    let path = write(&dir.path().join("nested.jsonl"), lines.join("\n"));
    let run = chaff(&[&path], None);
    assert_eq!(run.code, 1);
    // The top level must be an object; a field nested deeper than readers of the
    // output could parse is refused (serde_json would not even parse the record).
    assert_eq!(
        run.reasons(),
        ["invalid_record", "invalid_record", "invalid_json"]
    );
    let err = run.rejected[0]["error"].as_str().unwrap_or("");
    assert!(err.contains("field \"x\" nests deeper than"), "{err}");
    assert_eq!(run.clean.len(), 3);
    assert_eq!(run.clean[0]["meta"]["x"].to_string(), deep(100));
    assert_eq!(
        run.clean[1]["meta"]["blob"].as_str().map(str::len),
        Some(5 << 20)
    );
    let long = run.clean[2]["text"].as_str().unwrap_or("");
    assert_eq!(long.lines().count(), 20_000);
}

#[test]
fn nul_bytes_are_binary_in_text_files_and_invalid_json_raw_in_jsonl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = words(12);
    let jsonl = write(
        &dir.path().join("nul.jsonl"),
        format!("{{\"text\":\"{text}\u{0}\"}}\n{{\"text\":\"{text}\\u0000\"}}\n\u{0}\u{0}\u{0}\n"),
    );
    let run = chaff(&[&jsonl], None);
    assert_eq!(run.code, 1);
    // A raw NUL is not allowed in a JSON string; an escaped one is just a character.
    assert_eq!(run.reasons(), ["invalid_json", "invalid_json"]);
    assert_eq!(run.clean.len(), 1);
    assert!(
        run.clean[0]["text"]
            .as_str()
            .unwrap_or("")
            .starts_with("alpha")
    );
}

#[test]
fn boms_crlf_and_lone_cr_in_jsonl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = jsonl_doc(&words(12));
    // BOM at the start, and again mid-file where two files were concatenated.
    let bom = write(
        &dir.path().join("a_bom.jsonl"),
        format!("\u{FEFF}{doc}\r\n{doc}\r\n\u{FEFF}{doc}\r\n"),
    );
    // Lone CR does not end a JSONL line: the file is one line, rejected with a hint.
    let cr = write(&dir.path().join("b_cr.jsonl"), format!("{doc}\r{doc}\r"));
    let run = chaff(&[&bom, &cr], None);
    assert_eq!(run.code, 1);
    assert_eq!(run.clean.len(), 3);
    assert_eq!(run.reasons(), ["invalid_json"]);
    let err = run.rejected[0]["error"].as_str().unwrap_or("");
    assert!(err.contains("lone CR"), "{err}");
}

#[test]
fn utf16_jsonl_is_rejected_once_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = jsonl_doc(&words(12)) + "\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in doc.repeat(3).encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let path = write(&dir.path().join("utf16.jsonl"), bytes);
    let run = chaff(&[&path], None);
    assert_eq!(run.code, 1);
    assert_eq!(run.reasons(), ["unreadable"]);
    assert!(
        run.rejected[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("UTF-16")
    );
}

#[test]
fn empty_and_truncated_compressed_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zst = write(&dir.path().join("a_empty.jsonl.zst"), b"");
    let gz = write(&dir.path().join("b_empty.jsonl.gz"), b"");
    let jsonl = write(&dir.path().join("c_empty.jsonl"), b"");
    let blank = write(&dir.path().join("d_blank.jsonl"), b"\n  \n");
    // A valid zstd stream cut in half.
    let doc = (jsonl_doc(&words(12)) + "\n").repeat(50);
    let full = zstd::encode_all(doc.as_bytes(), 3).expect("zstd");
    let cut = write(&dir.path().join("e_cut.jsonl.zst"), &full[..full.len() / 2]);
    let run = chaff(&[&zst, &gz, &jsonl, &blank, &cut], None);
    assert_eq!(run.code, 1, "the truncated stream is an input error");
    assert_eq!(run.reasons(), ["unreadable"]);
    assert!(
        run.rejected[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("e_cut.jsonl.zst")
    );
    // Empty files hold no documents, but are counted and named, without failing the run.
    assert_eq!(run.report["files"]["empty"], 4);
    for name in [
        "a_empty.jsonl.zst",
        "b_empty.jsonl.gz",
        "c_empty.jsonl",
        "d_blank.jsonl",
    ] {
        assert!(
            run.stderr.contains(name),
            "{name} not named in: {}",
            run.stderr
        );
    }
}

#[test]
fn empty_file_alone_is_visible_but_not_a_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl = write(&dir.path().join("empty.jsonl"), b"");
    let run = chaff(&[&jsonl], None);
    assert_eq!(run.code, 0);
    assert_eq!(run.report["documents"]["in"], 0);
    assert_eq!(run.report["files"]["empty"], 1);
    assert!(
        run.stderr.contains("empty.jsonl: no documents"),
        "{}",
        run.stderr
    );
}

#[test]
fn symlink_loops_and_fifos_in_a_directory_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("in");
    fs::create_dir_all(root.join("sub")).expect("mkdir");
    write(&root.join("doc.txt"), words(12));
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink("self.txt", root.join("self.txt")).expect("symlink");
    let fifo = root.join("pipe.jsonl");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success());
    let run = chaff(&[&root], None);
    assert_eq!(run.code, 0);
    assert_eq!(run.clean.len(), 1);
    assert_eq!(run.report["files"]["read"], 1);
    assert_eq!(
        run.report["files"]["skipped"], 3,
        "loop, self-link and FIFO"
    );
}

#[test]
fn a_file_that_disappears_after_listing_is_unreadable() {
    use chaff::config::Config;
    use chaff::output::{Sink, SinkTarget};
    use chaff::pipeline::{Pipeline, RunOptions};

    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("in");
    fs::create_dir(&root).expect("mkdir");
    write(&root.join("a.txt"), words(12));
    let gone_txt = write(&root.join("b.txt"), words(12));
    let gone_jsonl = write(&root.join("c.jsonl"), jsonl_doc(&words(12)));
    let discovery = chaff::input::discover(&[root.display().to_string()]).expect("lists");
    fs::remove_file(gone_txt).expect("rm");
    fs::remove_file(gone_jsonl).expect("rm");
    let out = dir.path().join("out");
    let sink = Sink::open(&SinkTarget::Dir(out.clone())).expect("sink");
    let opts = RunOptions {
        threads: 2,
        on_error: Box::new(|_| {}),
        on_progress: Box::new(|_, _| {}),
    };
    let (report, errors) = Pipeline::new(Config::default())
        .expect("pipeline")
        .run(discovery, sink, opts)
        .expect("runs");
    assert_eq!(errors, 2);
    assert_eq!(report.documents.input, 3);
    assert_eq!(report.documents.kept, 1);
    assert_eq!(report.rejected.get("unreadable"), Some(&2));
    let rejected = fs::read_to_string(out.join("rejected.jsonl")).expect("read");
    assert!(rejected.contains("b.txt") && rejected.contains("c.jsonl"));
}

#[test]
fn latin1_is_replaced_and_counted_by_default_or_decoded_when_configured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut latin1 = words(12).into_bytes();
    latin1.extend_from_slice(b" caf\xE9 \x93quoted\x94 na\xEFve");
    let txt = write(&dir.path().join("a.txt"), &latin1);
    let mut line = b"{\"text\":\"".to_vec();
    line.extend_from_slice(&latin1);
    line.extend_from_slice(b"\"}\n");
    let jsonl = write(&dir.path().join("b.jsonl"), &line);

    let run = chaff(&[&txt, &jsonl], None);
    assert_eq!(run.code, 0);
    for c in &run.clean {
        assert!(
            c["text"]
                .as_str()
                .unwrap_or("")
                .ends_with("caf\u{FFFD} \u{FFFD}quoted\u{FFFD} na\u{FFFD}ve")
        );
        assert_eq!(c["stats"]["invalid_utf8"], 4);
    }

    let run = chaff(
        &[&txt, &jsonl],
        Some("[input]\ninvalid_utf8 = \"windows1252\"\n"),
    );
    assert_eq!(run.code, 0);
    assert_eq!(run.clean.len(), 2);
    for c in &run.clean {
        assert!(
            c["text"]
                .as_str()
                .unwrap_or("")
                .ends_with("café “quoted” naïve"),
            "{c}"
        );
        assert_eq!(
            c["stats"]["invalid_utf8"], 4,
            "the count still says what was invalid"
        );
    }
}

#[test]
fn many_big_documents_do_not_pile_up_in_memory() {
    // 40 documents of 3 MB: within every limit, but a batch of 1024 of them would
    // hold all 120 MB (several times over, as JSON, text and clean text). Batches are
    // also cut by bytes, so only a few documents are in memory at once.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big_docs.jsonl");
    let text = numbered_lines(8_000, 60);
    let line = jsonl_doc(&text) + "\n";
    fs::write(&path, line.repeat(40)).expect("write input");
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(["clean", "-q", "--threads", "2", "--out"])
        .arg(&out)
        .arg("--config")
        .arg(no_dedup(dir.path()))
        .arg(&path)
        .spawn()
        .expect("chaff runs");
    let (code, peak_kb) = wait_peak_rss_kb(&mut child);
    assert_eq!(code, 0);
    // Measured: ~160 MB (release) with batches cut at 8 MB of text, ~350 MB when all 40
    // are one batch.
    assert!(
        peak_kb < 250 * 1024,
        "peak RSS {peak_kb} kB for 40 documents of 3 MB"
    );
    let clean = fs::read_to_string(out.join("clean.jsonl")).expect("read");
    assert_eq!(clean.lines().count(), 40);
}

#[test]
fn a_panicking_rule_rejects_its_document_and_the_run_goes_on() {
    use chaff::config::Config;
    use chaff::doc::Findings;
    use chaff::output::{Sink, SinkTarget};
    use chaff::pipeline::{Cleaner, Pipeline, RunOptions};
    use chaff::rules::{DocView, Rule};

    struct Boom;
    impl Rule for Boom {
        fn id(&self) -> &'static str {
            "boom"
        }
        fn check(&self, doc: &DocView<'_>, _: &mut Findings) {
            assert!(!doc.text.contains("boom"), "rule bug on {}", doc.id);
        }
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let lines: Vec<String> = (0..30)
        .map(|i| {
            let extra = if i % 10 == 3 { " boom" } else { "" };
            jsonl_doc(&format!("{}{extra}", words(12)))
        })
        .collect();
    let input = write(&dir.path().join("in.jsonl"), lines.join("\n"));
    let cfg = Config::default();
    let pipeline = Pipeline {
        cleaner: Cleaner::with_rules(&cfg, vec![Box::new(Boom)]),
        config: cfg,
        global: Vec::new(),
    };
    let out = dir.path().join("out");
    let discovery = chaff::input::discover(&[input.display().to_string()]).expect("lists");
    let sink = Sink::open(&SinkTarget::Dir(out.clone())).expect("sink");
    let opts = RunOptions {
        threads: 2,
        on_error: Box::new(|_| {}),
        on_progress: Box::new(|_, _| {}),
    };
    let (report, errors) = pipeline
        .run(discovery, sink, opts)
        .expect("the run completes");
    assert_eq!(errors, 3, "each panic is an error: exit 1");
    assert_eq!((report.documents.input, report.documents.kept), (30, 27));
    let rejected = parse_lines(&fs::read_to_string(out.join("rejected.jsonl")).expect("read"));
    let lines: Vec<_> = rejected
        .iter()
        .map(|r| r["source"]["line"].clone())
        .collect();
    assert_eq!(lines, [4, 14, 24]);
    assert!(rejected.iter().all(|r| r["reason"] == "internal_error"));
    let err = rejected[0]["error"].as_str().unwrap_or("");
    assert!(
        err.contains("in.jsonl:4") && err.contains("rule bug on"),
        "{err}"
    );
    assert!(out.join("report.json").exists());
}
