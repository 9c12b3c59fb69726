//! Sharded runs (`chaff shard …`): concatenated in shard order, the shards' outputs
//! are byte-identical to `chaff clean` on the same input and config, for any shard
//! count; tasks are restartable and do not trust a corrupt intermediate.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chaff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chaff"))
        .current_dir(root())
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(args)
        .output()
        .expect("chaff runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `chaff clean` on `inputs`: (clean, rejected, exit code).
fn single(inputs: &[&str], config: Option<&Path>, out: &Path) -> (Vec<u8>, Vec<u8>, i32) {
    let mut args = vec!["clean", "-q", "-j", "2", "--out", s(out)];
    if let Some(c) = config {
        args.extend(["--config", s(c)]);
    }
    args.extend(inputs);
    let o = chaff(&args);
    read_outputs(out, o.status.code().unwrap_or(-1))
}

fn read_outputs(out: &Path, code: i32) -> (Vec<u8>, Vec<u8>, i32) {
    (
        fs::read(out.join("clean.jsonl")).unwrap_or_default(),
        fs::read(out.join("rejected.jsonl")).unwrap_or_default(),
        code,
    )
}

/// `chaff shard run` with `shards` shards and `bands` band tasks.
fn sharded(
    inputs: &[&str],
    config: Option<&Path>,
    shards: usize,
    bands: usize,
    work: &Path,
    out: &Path,
) -> (Vec<u8>, Vec<u8>, i32) {
    let (n, b) = (shards.to_string(), bands.to_string());
    let mut args = vec![
        "shard",
        "run",
        "-q",
        "-j",
        "2",
        "--work",
        s(work),
        "--shards",
        &n,
        "--band-tasks",
        &b,
        "--out",
        s(out),
    ];
    if let Some(c) = config {
        args.extend(["--config", s(c)]);
    }
    args.extend(inputs);
    let o = chaff(&args);
    read_outputs(out, o.status.code().unwrap_or(-1))
}

fn assert_same(what: &str, a: &(Vec<u8>, Vec<u8>, i32), b: &(Vec<u8>, Vec<u8>, i32)) {
    assert!(a.0 == b.0, "{what}: clean.jsonl differs");
    assert!(a.1 == b.1, "{what}: rejected.jsonl differs");
    assert_eq!(a.2, b.2, "{what}: exit code differs");
}

/// The fixture's config (if any) with a small line-count sketch: the default one is
/// 64 MiB a shard, slow to build in a debug build. Single and sharded runs share it.
fn small_sketch(dir: &Path, config: Option<&Path>) -> PathBuf {
    let mut text = config
        .and_then(|c| fs::read_to_string(c).ok())
        .unwrap_or_default();
    text.push_str("\n[repetition]\nsketch_width_bits = 14\n");
    let path = dir.join("config.toml");
    fs::write(&path, text).expect("write config");
    path
}

#[test]
fn shards_equal_the_single_run_on_every_fixture() {
    for case in [
        "seeds",
        "noise",
        "sidebars",
        "reprint",
        "jsonl",
        "jsonl_gz",
        "jsonl_zst",
        "bad_input",
        "decode",
    ] {
        let dir = root().join("fixtures").join(case);
        let input = dir.join("input");
        let tmp = tempfile::tempdir().expect("tempdir");
        let config = small_sketch(tmp.path(), Some(&dir.join("config.toml")));
        let config = Some(config.as_path());
        let want = single(&[s(&input)], config, &tmp.path().join("single"));
        assert!(
            !want.0.is_empty() || !want.1.is_empty(),
            "{case}: no output"
        );
        for n in [1, 3, 7] {
            let got = sharded(
                &[s(&input)],
                config,
                n,
                2,
                &tmp.path().join(format!("work{n}")),
                &tmp.path().join(format!("out{n}")),
            );
            assert_same(&format!("{case}, {n} shards"), &want, &got);
        }
    }
}

/// A small deterministic generator: made-up paragraphs from the fixtures' words,
/// template lines repeated across documents, planted near-duplicate reprints, exact
/// copies with other case and spacing, wire paragraphs copied into other articles,
/// and lines that are not documents.
struct Gen {
    state: u64,
    words: Vec<String>,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut words = Vec::new();
        for case in ["seeds", "noise", "sidebars"] {
            let dir = root().join("fixtures").join(case).join("input");
            let mut files: Vec<_> = fs::read_dir(&dir)
                .expect("fixture dir")
                .map(|e| e.expect("entry").path())
                .collect();
            files.sort();
            for f in files {
                let text = fs::read_to_string(&f).unwrap_or_default();
                words.extend(
                    text.split_whitespace()
                        .filter(|w| w.chars().all(|c| c.is_alphabetic()) && w.len() > 2)
                        .map(|w| w.to_lowercase()),
                );
            }
        }
        words.sort();
        words.dedup();
        assert!(words.len() > 500, "enough words to make text from");
        Gen {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            words,
        }
    }

    fn next(&mut self, n: usize) -> usize {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % n as u64) as usize
    }

    fn word(&mut self) -> String {
        let k = self.next(self.words.len());
        self.words[k].clone()
    }

    fn paragraph(&mut self) -> String {
        let n = 15 + self.next(40);
        let mut p: Vec<String> = (0..n).map(|_| self.word()).collect();
        p[0] = p[0][..1].to_uppercase() + &p[0][1..];
        p.join(" ") + "."
    }

    /// `count` documents as (JSON line) strings, some of them not documents.
    fn corpus(&mut self, count: usize) -> Vec<String> {
        let templates = [
            "Sign up for our daily newsletter and never miss a story",
            "Follow us on social media for the latest updates",
            "Home | News | Sport | Business | Culture",
        ];
        let mut texts: Vec<String> = Vec::new();
        let mut lines = Vec::new();
        for i in 0..count {
            let roll = self.next(100);
            let text = if roll < 12 && !texts.is_empty() {
                // A reprint: a few words changed, another footer.
                let src = texts[self.next(texts.len())].clone();
                let mut w: Vec<String> = src.split(' ').map(String::from).collect();
                for _ in 0..3 {
                    let k = self.next(w.len());
                    w[k] = self.word();
                }
                w.join(" ") + "\nThis story was reprinted with permission."
            } else if roll < 16 && !texts.is_empty() {
                // The same text in other case and spacing.
                let src = texts[self.next(texts.len())].clone();
                src.to_uppercase().replace(' ', "  ")
            } else {
                let mut paras: Vec<String> =
                    (0..3 + self.next(6)).map(|_| self.paragraph()).collect();
                if roll < 30 && !texts.is_empty() {
                    // Wire copy: a paragraph of an earlier article.
                    let src = texts[self.next(texts.len())].clone();
                    let ps: Vec<&str> = src.lines().filter(|l| l.len() > 80).collect();
                    if !ps.is_empty() {
                        let k = self.next(paras.len());
                        paras.insert(k, ps[self.next(ps.len())].to_string());
                    }
                }
                if roll.is_multiple_of(3) {
                    paras.insert(0, templates[self.next(templates.len())].to_string());
                    paras.push(templates[self.next(templates.len())].to_string());
                }
                paras.join("\n")
            };
            texts.push(text.clone());
            match self.next(50) {
                0 => lines.push("{\"text\": broken json".to_string()),
                1 => lines.push(String::new()),
                2 => lines.push("{\"body\": \"no text field\"}".to_string()),
                _ => {}
            }
            let rec = if i % 2 == 0 {
                serde_json::json!({"id": format!("doc-{i}"), "text": text, "date": "2026-11-22"})
            } else {
                serde_json::json!({"text": text})
            };
            lines.push(rec.to_string());
        }
        lines
    }
}

/// A dump in several files: a big plain JSONL (cut inside by the plan), a gzipped
/// one (read whole), and a directory of .txt files.
fn generated_dump(dir: &Path) -> Vec<String> {
    let mut g = Gen::new(7);
    let lines = g.corpus(700);
    let (a, b) = lines.split_at(520);
    fs::write(dir.join("a.jsonl"), a.join("\n") + "\n").expect("write");
    gzip(&dir.join("b.jsonl.gz"), (b.join("\n") + "\n").as_bytes());
    let txt = dir.join("c");
    fs::create_dir_all(&txt).expect("mkdir");
    for i in 0..12 {
        let text = (0..4)
            .map(|_| g.paragraph())
            .collect::<Vec<_>>()
            .join("\n\n");
        fs::write(txt.join(format!("{i:02}.txt")), text).expect("write");
    }
    vec![
        s(&dir.join("a.jsonl")).to_string(),
        s(&dir.join("b.jsonl.gz")).to_string(),
        s(&txt).to_string(),
    ]
}

fn gzip(path: &Path, bytes: &[u8]) {
    let f = fs::File::create(path).expect("create");
    let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    gz.write_all(bytes).expect("write");
    gz.finish().expect("gzip");
}

#[test]
fn shards_equal_the_single_run_on_a_generated_dump() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let inputs = generated_dump(tmp.path());
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let config = small_sketch(tmp.path(), None);
    let config = Some(config.as_path());
    let want = single(&inputs, config, &tmp.path().join("single"));
    // The dump exercises what sharding could break: document and paragraph dedup
    // across shards, template lines counted over the whole run, bad lines.
    let rejected = String::from_utf8_lossy(&want.1);
    let clean = String::from_utf8_lossy(&want.0);
    for reason in ["\"near_duplicate\"", "\"duplicate\"", "\"invalid_json\""] {
        assert!(
            rejected.contains(reason),
            "no {reason} rejection in the dump"
        );
    }
    assert!(
        clean.contains("\"rule\":\"near_duplicate\""),
        "no paragraph cut"
    );
    assert!(
        clean.contains("\"rule\":\"blocks\"") || clean.contains("\"rule\":\"related\""),
        "no template line removed"
    );
    for (n, bands) in [(1, 1), (3, 2), (7, 3)] {
        let got = sharded(
            &inputs,
            config,
            n,
            bands,
            &tmp.path().join(format!("work{n}")),
            &tmp.path().join(format!("out{n}")),
        );
        assert_same(&format!("{n} shards, {bands} band tasks"), &want, &got);
    }
    // The plan cut the big JSONL inside: some shard starts in the middle of it.
    let plan = fs::read_to_string(tmp.path().join("work7/plan.json")).expect("plan");
    let plan: serde_json::Value = serde_json::from_str(&plan).expect("json");
    let mid_file = plan["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .flat_map(|p| p.as_array().expect("shard parts"))
        .any(|p| p["start"].as_u64() > Some(0));
    assert!(mid_file, "no shard starts inside a file: {plan}");
}

fn stage(work: &Path, args: &[&str]) -> Output {
    let mut all = vec!["shard", args[0], "--work", s(work)];
    all.extend(&args[1..]);
    chaff(&all)
}

fn ok(o: Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(0), "{err}");
    err
}

/// Every stage run on its own, as a driver would, tasks of a stage in any order.
fn run_stages(work: &Path, shards: usize, bands: usize) -> Vec<String> {
    let mut logs = Vec::new();
    for st in [
        "count",
        "merge-counts",
        "prepare",
        "bands",
        "decide",
        "apply",
    ] {
        let n = match st {
            "merge-counts" | "decide" => 0,
            "bands" => bands,
            _ => shards,
        };
        if n == 0 {
            logs.push(ok(stage(work, &[st])));
        }
        for i in (0..n).rev() {
            let spec = format!("{i}/{n}");
            logs.push(ok(stage(work, &[st, "--shard", &spec])));
        }
    }
    logs
}

#[test]
fn tasks_restart_and_never_trust_a_corrupt_intermediate() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let inputs = generated_dump(tmp.path());
    let config = small_sketch(tmp.path(), None);
    let want = single(
        &inputs.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(&config),
        &tmp.path().join("single"),
    );
    assert_eq!(want.2, 1, "the dump has bad lines: the run is partial");
    let work = tmp.path().join("work");
    let mut plan = vec![
        "plan",
        "--shards",
        "3",
        "--band-tasks",
        "2",
        "--config",
        s(&config),
    ];
    plan.extend(inputs.iter().map(String::as_str));
    ok(stage(&work, &plan));
    // The same plan again is a no-op; another plan in the same directory is refused.
    ok(stage(&work, &plan));
    let mut other = vec!["plan", "--shards", "4", "--config", s(&config)];
    other.extend(inputs.iter().map(String::as_str));
    let o = stage(&work, &other);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different plan"));

    run_stages(&work, 3, 2);
    let out = tmp.path().join("out");
    let o = stage(&work, &["merge-report", "-q", "--out", s(&out)]);
    let code = o.status.code().unwrap_or(-1);
    assert_same("stage by stage", &want, &read_outputs(&out, code));

    // A relaunch runs nothing that is done.
    let logs = run_stages(&work, 3, 2);
    assert!(logs.iter().all(|l| l.contains("already done")), "{logs:?}");
    let status = chaff(&["shard", "status", "--work", s(&work)]);
    assert_eq!(status.status.code(), Some(0));

    // A task whose marker is gone runs again; the others are skipped.
    fs::remove_file(work.join("done/apply-1.json")).expect("rm marker");
    let status = chaff(&["shard", "status", "--work", s(&work)]);
    assert_eq!(status.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&status.stdout).contains("missing apply-1"));
    let logs = run_stages(&work, 3, 2);
    let reran: Vec<_> = logs
        .iter()
        .filter(|l| !l.contains("already done"))
        .collect();
    assert_eq!(reran.len(), 1, "{logs:?}");

    // A flipped byte in an intermediate: its consumer fails and names it, and the
    // producing task no longer counts as done.
    let prepared = work.join("prepared/2.bin");
    let mut bytes = fs::read(&prepared).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    fs::write(&prepared, &bytes).expect("write");
    let o = stage(&work, &["apply", "--shard", "2/3", "--force"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("prepared/2.bin") && err.contains("corrupt"),
        "{err}"
    );
    assert!(
        !work.join("done/apply-2.json").exists(),
        "failed task left a marker"
    );
    // Truncated, too.
    fs::write(&prepared, &bytes[..mid]).expect("write");
    let o = stage(&work, &["decide", "--force"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("truncated"));
    // The relaunch reruns prepare 2 (its output no longer checks) and what follows.
    ok(stage(&work, &["prepare", "--shard", "2/3"]));
    ok(stage(&work, &["decide", "--force"]));
    for i in 0..3 {
        ok(stage(
            &work,
            &["apply", "--shard", &format!("{i}/3"), "--force"],
        ));
    }
    let out2 = tmp.path().join("out2");
    let o = stage(&work, &["merge-report", "-q", "--out", s(&out2)]);
    let code = o.status.code().unwrap_or(-1);
    assert_same("after repair", &want, &read_outputs(&out2, code));
}

#[test]
fn task_numbers_come_from_the_flag_or_the_scheduler() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let work = tmp.path().join("work");
    // No plan yet: a usage error.
    let o = stage(&work, &["count", "--shard", "0/2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no plan"));
    let config = small_sketch(tmp.path(), None);
    ok(stage(
        &work,
        &[
            "plan",
            "--shards",
            "2",
            "--config",
            s(&config),
            "fixtures/seeds/input",
        ],
    ));
    for bad in ["2/2", "0/3", "x"] {
        let o = stage(&work, &["count", "--shard", bad]);
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
    }
    let o = stage(&work, &["count"]);
    assert_eq!(o.status.code(), Some(2), "no task number at all");
    // A Slurm array numbered from 1.
    let o = Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(["shard", "count", "--work", s(&work)])
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "2")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0));
    assert!(work.join("done/count-1.json").exists());
    assert!(!work.join("done/count-0.json").exists());
    // A Kubernetes indexed job.
    let o = Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(["shard", "count", "--work", s(&work)])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("JOB_COMPLETION_INDEX", "0")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0));
    assert!(work.join("done/count-0.json").exists());
}
