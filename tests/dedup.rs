//! The dedup stage on real and generated text: the seeds' agency paragraphs, exact
//! copies, precision and recall against exact Jaccard on generated edits, and
//! determinism across thread counts and input splits.

use std::path::PathBuf;
use std::process::Command;

use chaff::config::Config;
use chaff::dedup::index::Decision;
use chaff::dedup::shingle::{Shingler, into_set, overlap};
use chaff::dedup::{Action, Dedup, DedupConfig};
use chaff::doc::{Document, Reason, Source};
use chaff::pipeline::{Cleaned, Cleaner};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cleaned(cleaner: &Cleaner, id: &str, text: &str) -> Cleaned {
    cleaner.clean(Document {
        id: id.into(),
        source: Source {
            path: id.into(),
            line: None,
        },
        text: text.into(),
        meta: Vec::new(),
        bytes_in: text.len() as u64,
        invalid_utf8: 0,
    })
}

/// Runs documents through the cleaner and the dedup stage, in order.
fn run(cfg: &DedupConfig, docs: &[(String, String)]) -> Vec<(Cleaned, Decision)> {
    let config = Config::default();
    let cleaner = Cleaner::new(&config).expect("cleaner");
    let mut dedup = Dedup::new(cfg, config.filter.min_words).expect("dedup");
    docs.iter()
        .map(|(id, text)| {
            let mut c = cleaned(&cleaner, id, text);
            let sig = dedup.sign(&c);
            let d = dedup.decide_and_apply(&mut c, &sig);
            cleaner.judge(&mut c);
            (c, d)
        })
        .collect()
}

fn seeds() -> Vec<(String, String)> {
    let dir = root().join("fixtures/seeds/input");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let id = p.file_stem().expect("stem").to_string_lossy()[..3].to_string();
            (id, std::fs::read_to_string(p).expect("seed"))
        })
        .collect()
}

fn dup_removals(c: &Cleaned) -> Vec<(String, String)> {
    c.edited
        .removed
        .iter()
        .filter(|r| r.rule == "near_duplicate")
        .map(|r| {
            let of = r.detail.as_ref().expect("detail")["of"]
                .as_str()
                .expect("of")
                .to_string();
            (r.text.clone(), of)
        })
        .collect()
}

#[test]
fn seed_agency_paragraphs_are_found_and_reworded_ones_kept() {
    let out = run(&DedupConfig::default(), &seeds());
    for (c, d) in &out {
        assert!(matches!(d, Decision::Keep { .. }), "{}: {d:?}", c.doc.id);
        assert!(c.is_kept(), "{}", c.doc.id);
    }
    let got = dup_removals(&out[1].0);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0]
            .0
            .starts_with("In addition, Kirby said Russian President")
    );
    assert!(
        got[1]
            .0
            .starts_with("Kirby said the U.S. is urging North Korea")
    );
    // The paragraph numbers point at the matching paragraphs of 000's output text.
    assert!(paragraph_of(&out[0].0, &got[0].1).starts_with("Russian President Vladimir Putin"));
    assert!(paragraph_of(&out[0].0, &got[1].1).starts_with("“We urge the DPRK"));
    // 003 rewords the letters paragraph (Jaccard about 0.3): it stays, as does all else.
    for (c, _) in &out[2..] {
        assert_eq!(dup_removals(c), [], "{}", c.doc.id);
    }
}

/// The paragraph `of` (`<id>#<n>`) points at: the n-th non-blank line of `kept`'s
/// clean text.
fn paragraph_of<'a>(kept: &'a Cleaned, of: &str) -> &'a str {
    let (id, n) = of.rsplit_once('#').expect("<id>#<n>");
    assert_eq!(id, kept.doc.id, "{of} points at another document");
    let n: usize = n.parse().expect("number");
    kept.edited
        .text
        .lines()
        .filter(|l| !l.is_empty())
        .nth(n)
        .expect("paragraph exists")
}

#[test]
fn annotate_keeps_the_text_and_records_the_match() {
    let cfg = DedupConfig {
        action: Action::Annotate,
        ..DedupConfig::default()
    };
    let out = run(&cfg, &seeds());
    let c = &out[1].0;
    assert!(dup_removals(c).is_empty());
    let notes = c.found.meta["dedup"].as_array().expect("meta.dedup");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "paragraph");
    // The paragraph it points at is the letters paragraph of 000's clean text.
    let of = notes[0]["of"].as_str().expect("of");
    assert!(
        paragraph_of(&out[0].0, of).starts_with("Russian President Vladimir Putin"),
        "{of}"
    );
    assert!(c.edited.text.contains("In addition, Kirby said"));

    let read = |f: &str| std::fs::read_to_string(root().join("fixtures/reprint/input").join(f));
    let docs = [
        (
            "original".to_string(),
            read("a_original.txt").expect("fixture"),
        ),
        (
            "reprint".to_string(),
            read("b_reprint.txt").expect("fixture"),
        ),
    ];
    let out = run(&cfg, &docs);
    let c = &out[1].0;
    assert!(c.is_kept(), "annotate never rejects");
    let notes = c.found.meta["dedup"].as_array().expect("meta.dedup");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "document");
    assert_eq!(notes[0]["reason"], "near_duplicate");
    assert_eq!(notes[0]["of"], "original");
}

#[test]
fn exact_copies_after_normalisation_are_duplicates() {
    let a = "The council met on “Tuesday” — and voted.\nIt passed the budget with a large majority after a long debate.";
    let b = "the council met on \"TUESDAY\" - and voted.\n\nIt  passed the budget with a large majority after a long debate.";
    let c = "The council met on Tuesday and voted. It passed the budget with a large majority after a long debate!";
    let docs = [a, b, c].map(String::from);
    let cfg = DedupConfig {
        near_documents: false,
        near_paragraphs: false,
        ..DedupConfig::default()
    };
    let out = run(
        &cfg,
        &docs
            .iter()
            .enumerate()
            .map(|(i, t)| (i.to_string(), t.clone()))
            .collect::<Vec<_>>(),
    );
    let r = out[1].0.rejection.as_ref().expect("b is a copy of a");
    assert_eq!(r.reason, Reason::Duplicate);
    assert_eq!(r.duplicate_of.as_deref(), Some("0"));
    assert!(out[2].0.is_kept(), "punctuation differs: not an exact copy");
}

#[test]
fn truncated_reprint_is_a_near_duplicate_by_containment() {
    let seeds = seeds();
    let full = &seeds[0].1;
    let half: String = full.lines().take(14).collect::<Vec<_>>().join("\n");
    let cfg = DedupConfig {
        near_paragraphs: false,
        ..DedupConfig::default()
    };
    let out = run(
        &cfg,
        &[("full".into(), full.clone()), ("half".into(), half)],
    );
    let r = out[1].0.rejection.as_ref().expect("half is a copy");
    assert_eq!(r.reason, Reason::NearDuplicate);
    assert_eq!(r.duplicate_of.as_deref(), Some("full"));
    assert_eq!(r.similarity, Some(1.0));
}

#[test]
fn chinese_reprints_with_small_edits_are_near_duplicates() {
    // Text without spaces: its characters are the words that shingles are made of.
    let a = "北京时间周二，国家统计局发布了最新的经济数据，显示上个月的工业生产增长速度超过了市场预期。\n分析人士认为，这一结果表明政府近期出台的刺激措施正在发挥作用，但消费需求仍然偏弱。\n统计局发言人在新闻发布会上表示，下一阶段将继续密切关注国内外经济形势的变化。";
    // The same story, two words changed and a source line added.
    let b = "北京时间周二，国家统计局公布了最新的经济数据，显示上个月的工业生产增长速度超过了市场预期。\n分析人士认为，这一结果表明政府近期出台的刺激措施正在发挥作用，但消费需求依然偏弱。\n统计局发言人在新闻发布会上表示，下一阶段将继续密切关注国内外经济形势的变化。\n来源：新华社";
    // Another story on the same subject.
    let c = "上海证券交易所周三表示，今年前十个月共有八十家公司在科创板上市，融资总额创下历史新高。\n交易所负责人说，将进一步完善发行制度，提高上市公司质量，保护投资者的合法权益。";
    let cfg = DedupConfig {
        near_paragraphs: false,
        ..DedupConfig::default()
    };
    let docs = [("a", a), ("b", b), ("c", c)].map(|(i, t)| (i.to_string(), t.to_string()));
    let out = run(&cfg, &docs);
    assert!(out[0].0.is_kept());
    let r = out[1].0.rejection.as_ref().expect("b reprints a");
    assert_eq!(r.reason, Reason::NearDuplicate);
    assert_eq!(r.duplicate_of.as_deref(), Some("a"));
    assert!(out[2].0.is_kept(), "another story");
}

/// A small deterministic generator (xorshift64*), so the test needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn word(rng: &mut Rng) -> String {
    let len = 3 + rng.below(6);
    (0..len)
        .map(|_| (b'a' + rng.below(26) as u8) as char)
        .collect()
}

fn shingles(text: &str) -> Vec<u32> {
    let mut s = Shingler::default();
    let mut out = Vec::new();
    for line in text.lines() {
        s.shingles(line, 3, &mut out);
    }
    into_set(&mut out);
    out
}

#[test]
fn precision_and_recall_against_exact_jaccard() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let vocab: Vec<String> = (0..3000).map(|_| word(&mut rng)).collect();
    let mut docs: Vec<(String, String)> = Vec::new();
    let bases = 400;
    for i in 0..bases {
        let paras: Vec<String> = (0..4)
            .map(|_| {
                (0..40)
                    .map(|_| vocab[rng.below(vocab.len())].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        docs.push((format!("base{i}"), paras.join("\n\n")));
    }
    // Each base gets one copy with 0 to 14 word substitutions: Jaccard from 1 down to
    // about 0.6, densest around the 0.8 threshold.
    for i in 0..bases {
        let mut words: Vec<String> = docs[i].1.split(' ').map(String::from).collect();
        let edits = rng.below(15);
        for _ in 0..edits {
            let at = rng.below(words.len());
            let w = &mut words[at];
            let nl = w.contains('\n');
            let fresh = word(&mut rng);
            *w = if nl {
                w.replace(|c: char| c != '\n', "") + &fresh
            } else {
                fresh
            };
        }
        docs.push((format!("copy{i}"), words.join(" ")));
    }
    let cfg = DedupConfig {
        exact: false,
        near_paragraphs: false,
        doc_jaccard: 0.8,
        doc_containment: 1.0,
        ..DedupConfig::default()
    };
    let out = run(&cfg, &docs);
    let (mut tp, mut fp, mut fneg, mut positives) = (0, 0, 0, 0);
    for i in 0..bases {
        let truth = overlap(&shingles(&docs[i].1), &shingles(&docs[bases + i].1)).jaccard;
        let base_kept = out[i].0.is_kept();
        assert!(base_kept, "base{i} must be kept");
        let r = out[bases + i].0.rejection.as_ref();
        let predicted = r.is_some_and(|r| r.reason == Reason::NearDuplicate);
        if predicted {
            let of = r.and_then(|r| r.duplicate_of.clone());
            if truth >= 0.8 && of.as_deref() == Some(format!("base{i}").as_str()) {
                tp += 1;
            } else {
                fp += 1;
            }
        }
        if truth >= 0.8 {
            positives += 1;
            if !predicted {
                fneg += 1;
            }
        }
    }
    assert!(
        positives > 100 && positives < bases - 50,
        "{positives} positives"
    );
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fneg) as f64;
    assert!(precision >= 0.99, "precision {precision}");
    assert!(
        recall >= 0.99,
        "recall {recall} ({fneg} missed of {positives})"
    );
}

fn chaff(args: &[&str], cwd: &std::path::Path) -> (String, String) {
    let out = tempfile::tempdir().expect("tempdir");
    let status = Command::new(env!("CARGO_BIN_EXE_chaff"))
        .current_dir(cwd)
        .args(["clean", "--quiet", "--out"])
        .arg(out.path())
        .args(args)
        .status()
        .expect("chaff runs");
    assert!(status.success());
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).expect("output");
    (read("clean.jsonl"), read("rejected.jsonl"))
}

/// Records without `source`, which names the file a document came from.
fn strip_source(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
            v.as_object_mut().expect("object").remove("source");
            v
        })
        .collect()
}

#[test]
fn output_does_not_depend_on_threads_or_file_split() {
    // Seeds plus edited copies, interleaved, in JSONL.
    let seeds = seeds();
    let mut rng = Rng(7);
    let mut lines = Vec::new();
    for round in 0..6 {
        for (id, text) in &seeds {
            let mut t = text.clone();
            if round > 0 {
                for _ in 0..round * 3 {
                    let at = rng.below(t.len());
                    let at = (0..=at).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
                    t.insert_str(at, " x ");
                }
            }
            lines.push(serde_json::json!({"id": format!("{id}-{round}"), "text": t}).to_string());
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let one = dir.path().join("one");
    let split = dir.path().join("split");
    std::fs::create_dir_all(&one).expect("mkdir");
    std::fs::create_dir_all(&split).expect("mkdir");
    std::fs::write(one.join("all.jsonl"), lines.join("\n") + "\n").expect("write");
    for (name, range) in [
        ("a.jsonl", 0..3),
        ("b.jsonl", 3..17),
        ("c.jsonl", 17..lines.len()),
    ] {
        std::fs::write(split.join(name), lines[range].join("\n") + "\n").expect("write");
    }
    std::fs::write(dir.path().join("small.toml"), "[input]\nbatch_docs = 4\n").expect("write");
    let base = chaff(&["--threads", "1", "one"], dir.path());
    let (clean, rejected) = &base;
    assert!(
        rejected.contains("\"near_duplicate\""),
        "the copies are found"
    );
    assert!(
        clean.contains("\"near_duplicate\""),
        "paragraph copies are cut"
    );
    for args in [
        &["--threads", "4", "one"][..],
        &["--threads", "4", "--config", "small.toml", "one"],
        &["--threads", "1", "split"],
        &["--threads", "4", "--config", "small.toml", "split"],
    ] {
        let (c, r) = chaff(args, dir.path());
        assert_eq!(strip_source(&c), strip_source(clean), "{args:?}");
        assert_eq!(strip_source(&r), strip_source(rejected), "{args:?}");
    }
}

#[test]
fn matches_never_chain_through_a_rejected_copy() {
    let mut rng = Rng(99);
    let a: Vec<String> = (0..300).map(|_| word(&mut rng)).collect();
    let substitute = |words: &[String], rng: &mut Rng, n: usize| {
        let mut w = words.to_vec();
        for _ in 0..n {
            let at = rng.below(w.len());
            w[at] = word(rng);
        }
        w
    };
    let b = substitute(&a, &mut rng, 9);
    let c = substitute(&b, &mut rng, 9);
    let sets: Vec<Vec<u32>> = [&a, &b, &c]
        .iter()
        .map(|w| shingles(&w.join(" ")))
        .collect();
    assert!(overlap(&sets[0], &sets[1]).jaccard >= 0.8);
    assert!(overlap(&sets[1], &sets[2]).jaccard >= 0.8);
    assert!(overlap(&sets[0], &sets[2]).jaccard < 0.8);
    let cfg = DedupConfig {
        near_paragraphs: false,
        doc_containment: 1.0,
        ..DedupConfig::default()
    };
    let docs = [("a", &a), ("b", &b), ("c", &c)].map(|(id, w)| (id.to_string(), w.join(" ")));
    let out = run(&cfg, &docs);
    let r = out[1].0.rejection.as_ref().expect("b copies a");
    assert_eq!(r.duplicate_of.as_deref(), Some("a"));
    assert!(
        out[2].0.is_kept(),
        "c resembles only the rejected b: it stays"
    );
}

#[test]
fn paragraph_numbers_count_the_output_text_of_the_kept_document() {
    let mut rng = Rng(2024);
    let mut para = || {
        (0..30)
            .map(|_| word(&mut rng))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (p0, p1, p2, p3, p4) = (para(), para(), para(), para(), para());
    // b's second paragraph copies a's; c copies b's last paragraph, which is
    // paragraph 1 of b's output once the copy is cut.
    let a = format!("{p0}\n\n{p1}");
    let b = format!("{p2}\n\n{p1}\n\n{p3}");
    let c = format!("{p4}\n\n{p3}");
    let out = run(
        &DedupConfig::default(),
        &[("a".into(), a), ("b".into(), b), ("c".into(), c)],
    );
    assert_eq!(dup_removals(&out[1].0), [(p1.clone(), "a#1".to_string())]);
    assert_eq!(dup_removals(&out[2].0), [(p3.clone(), "b#1".to_string())]);
    let b_out: Vec<&str> = out[1]
        .0
        .edited
        .text
        .lines()
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(b_out[1], p3);
}
