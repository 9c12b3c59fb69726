//! `chaff review`: one self-contained HTML page built from a run's outputs, so people
//! can look at what was removed instead of reading JSON audits.
//!
//! This module turns `clean.jsonl`, `rejected.jsonl` and `report.json` into the data
//! the page embeds once, as JSON in `<script type="application/json">` elements: a
//! small index (counts, rules, each document's id, outcome and rules) and the documents
//! in chunks. The page itself (`review.html`: markup, style and plain JS) filters on the
//! index and parses a chunk only when it shows its documents, so it stays responsive
//! on large runs.
//!
//! The records hold the clean text and the removed spans with offsets into the
//! original, but not the original: clean text has normalised whitespace, so the
//! original cannot be rebuilt exactly. The page shows the clean text with each removed
//! span inserted where it was cut, placed by its original offset less the bytes removed
//! before it and snapped to the nearest line (or word) boundary of the clean text. The
//! span's exact original offsets are shown in its details.
//!
//! Nothing here knows particular rules: any rule id and any detail object is shown.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const TEMPLATE: &str = include_str!("review.html");

/// Colours for rules, in the order rules are first listed (report order, then any
/// rule only seen in records). Readable on a light background.
const PALETTE: [&str; 10] = [
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#7f7f7f",
];

#[derive(Deserialize)]
struct RecordIn {
    id: String,
    #[serde(default)]
    source: Option<SourceIn>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    removed: Vec<RemovalIn>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    duplicate_of: Option<String>,
    #[serde(default)]
    similarity: Option<f64>,
}

#[derive(Deserialize)]
struct SourceIn {
    path: String,
    #[serde(default)]
    line: Option<u64>,
}

#[derive(Deserialize)]
struct RemovalIn {
    rule: String,
    start: usize,
    end: usize,
    #[serde(default)]
    text: String,
    #[serde(default)]
    detail: Option<Value>,
    #[serde(default)]
    replacement: Option<String>,
}

/// Everything the page embeds.
#[derive(Debug, Serialize, PartialEq)]
pub struct PageData {
    /// `documents`, `bytes`, `rules` and `rejected` of report.json, as written.
    pub report: Map<String, Value>,
    pub rules: Vec<RuleInfo>,
    /// Documents in input order (by source path and line), kept and rejected.
    pub docs: Vec<DocData>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub colour: &'static str,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct DocData {
    pub id: String,
    pub src: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// The clean text cut into pieces, with the index of a removed span (into
    /// `removed`) where that span was.
    pub parts: Vec<Part>,
    pub removed: Vec<SpanData>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Part {
    Text(String),
    Span(usize),
}

#[derive(Debug, Serialize, PartialEq)]
pub struct SpanData {
    /// Index into `PageData::rules`.
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Value>,
    /// What the clean text shows in the span's place, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Placed at the start of a clean line: shown as a line of its own.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub block: bool,
}

/// Reads a run's output directory into the page's data.
pub fn load(dir: &Path) -> anyhow::Result<PageData> {
    let report_path = dir.join("report.json");
    let report: Value = serde_json::from_reader(BufReader::new(
        File::open(&report_path).with_context(|| format!("{}", report_path.display()))?,
    ))
    .with_context(|| format!("{}: not valid JSON", report_path.display()))?;
    let mut records = Vec::new();
    for name in ["clean.jsonl", "rejected.jsonl"] {
        read_records(&dir.join(name), &mut records)?;
    }
    Ok(build(&report, records))
}

fn read_records(path: &Path, out: &mut Vec<RecordIn>) -> anyhow::Result<()> {
    let file = match File::open(path) {
        Ok(f) => f,
        // A run writes both files; a missing one holds no records.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("{}", path.display())),
    };
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let r: RecordIn = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a chaff record", path.display(), i + 1))?;
        out.push(r);
    }
    Ok(())
}

fn build(report: &Value, mut records: Vec<RecordIn>) -> PageData {
    let mut summary = Map::new();
    for key in ["documents", "bytes", "rules", "rejected"] {
        if let Some(v) = report.get(key) {
            summary.insert(key.to_string(), v.clone());
        }
    }
    let mut rule_ids: Vec<String> = report
        .get("rules")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for r in &records {
        for s in &r.removed {
            if !rule_ids.contains(&s.rule) {
                rule_ids.push(s.rule.clone());
            }
        }
    }
    let index: BTreeMap<&str, usize> = rule_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();

    // Input order: files are read sorted by path, lines in order. The sort is stable,
    // so records without a source keep their file order.
    records.sort_by(|a, b| {
        let key = |r: &RecordIn| r.source.as_ref().map(|s| (s.path.clone(), s.line));
        key(a).cmp(&key(b))
    });
    let docs = records
        .into_iter()
        .map(|mut r| {
            r.removed.sort_by_key(|s| s.start);
            let at = anchors(&r.text, &r.removed);
            let mut parts = Vec::new();
            let mut pos = 0;
            let mut removed = Vec::with_capacity(r.removed.len());
            for (i, (s, &a)) in r.removed.into_iter().zip(&at).enumerate() {
                if a > pos {
                    parts.push(Part::Text(r.text[pos..a].to_string()));
                    pos = a;
                }
                parts.push(Part::Span(i));
                // At the very end of the clean text it is shown on its own line too: there
                // is no later text it could have been glued to.
                let block = is_line_start(&r.text, a);
                removed.push(SpanData {
                    rule: index.get(s.rule.as_str()).copied().unwrap_or(0),
                    start: s.start,
                    end: s.end,
                    text: s.text,
                    detail: s.detail,
                    replacement: s.replacement,
                    block,
                });
            }
            if pos < r.text.len() {
                parts.push(Part::Text(r.text[pos..].to_string()));
            }
            let src = match &r.source {
                Some(SourceIn {
                    path,
                    line: Some(l),
                }) => format!("{path}:{l}"),
                Some(s) => s.path.clone(),
                None => String::new(),
            };
            DocData {
                id: r.id,
                src,
                reason: r.reason,
                error: r.error,
                duplicate_of: r.duplicate_of,
                similarity: r.similarity,
                parts,
                removed,
            }
        })
        .collect();
    PageData {
        report: summary,
        rules: rule_ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| RuleInfo {
                id,
                colour: PALETTE[i % PALETTE.len()],
            })
            .collect(),
        docs,
    }
}

/// Where each removed span (sorted by start) goes in the clean text: its original
/// offset less the bytes removed before it (net of replacements), snapped to a line start for spans that
/// cover line breaks or sit next to one, else to a word boundary. Never decreasing.
fn anchors(clean: &str, removed: &[RemovalIn]) -> Vec<usize> {
    let mut out = Vec::with_capacity(removed.len());
    let mut before = 0usize;
    let mut last = 0usize;
    for r in removed {
        let est = r.start.saturating_sub(before).min(clean.len());
        let line = nearest(clean, est, 64, is_line_start);
        let word = nearest(clean, est, 64, is_word_boundary);
        let dist = |p: Option<usize>| p.map_or(usize::MAX, |p| p.abs_diff(est));
        let at = if line.is_some() && (r.text.contains('\n') || dist(line) <= dist(word) + 2) {
            line
        } else {
            word
        };
        let at = at.unwrap_or_else(|| crate::text::floor_boundary(clean, est));
        let at = at.max(last);
        out.push(at);
        last = at;
        let kept = r.replacement.as_ref().map_or(0, String::len);
        before = (before + r.end.saturating_sub(r.start)).saturating_sub(kept);
    }
    out
}

fn nearest(s: &str, at: usize, reach: usize, ok: fn(&str, usize) -> bool) -> Option<usize> {
    (0..=reach).find_map(|d| {
        [at.checked_sub(d), at.checked_add(d)]
            .into_iter()
            .flatten()
            .find(|&p| p <= s.len() && ok(s, p))
    })
}

fn is_line_start(s: &str, p: usize) -> bool {
    p == 0 || p == s.len() || (p < s.len() && s.as_bytes()[p - 1] == b'\n')
}

fn is_word_boundary(s: &str, p: usize) -> bool {
    let b = s.as_bytes();
    p == 0
        || p == b.len()
        || (p < b.len() && (b[p - 1].is_ascii_whitespace() || b[p].is_ascii_whitespace()))
}

/// Documents per embedded chunk. The page parses a chunk only when it shows (or
/// searches) its documents, and no single string gets near the browser's limits.
const CHUNK_DOCS: usize = 500;
const INDEX_SLOT: &str = "{{INDEX}}";
const CHUNKS_SLOT: &str = "<!--{{CHUNKS}}-->";

/// What the page needs to filter and count without parsing document bodies.
#[derive(Serialize)]
struct Index<'a> {
    report: &'a Map<String, Value>,
    rules: &'a [RuleInfo],
    chunk: usize,
    docs: Vec<IndexDoc<'a>>,
}

#[derive(Serialize)]
struct IndexDoc<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    /// Indexes of the rules with a span in the document, ascending.
    rules: Vec<usize>,
}

/// The page for `data`: the template with an index (summary, rules, per document its
/// id, outcome and rules) and the documents in chunks, each a
/// `<script type="application/json">`. Every `<` in the JSON is written `\u003c`, so no
/// text (a `</script>` or `<!--` in a document) can end a script element early.
pub fn html(data: &PageData) -> anyhow::Result<String> {
    let index = Index {
        report: &data.report,
        rules: &data.rules,
        chunk: CHUNK_DOCS,
        docs: data
            .docs
            .iter()
            .map(|d| {
                let mut rules: Vec<usize> = d.removed.iter().map(|s| s.rule).collect();
                rules.sort_unstable();
                rules.dedup();
                IndexDoc {
                    id: &d.id,
                    reason: d.reason.as_deref(),
                    rules,
                }
            })
            .collect(),
    };
    let (head, rest) = TEMPLATE
        .split_once(INDEX_SLOT)
        .context("review template has no index slot")?;
    let (middle, tail) = rest
        .split_once(CHUNKS_SLOT)
        .context("review template has no chunks slot")?;
    let mut page = String::with_capacity(TEMPLATE.len() + data.docs.len() * 4096);
    page.push_str(head);
    page.push_str(&script_json(&index)?);
    page.push_str(middle);
    for chunk in data.docs.chunks(CHUNK_DOCS) {
        page.push_str(r#"<script type="application/json" class="chunk">"#);
        page.push_str(&script_json(&chunk)?);
        page.push_str("</script>\n");
    }
    page.push_str(tail);
    Ok(page)
}

fn script_json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string(value)?.replace('<', "\\u003c"))
}

/// Builds the page for the run in `dir` and writes it to `out`. Returns the number
/// of documents in it.
pub fn write_page(dir: &Path, out: &Path) -> anyhow::Result<usize> {
    let data = load(dir)?;
    let page = html(&data)?;
    std::fs::write(out, page).with_context(|| format!("{}: cannot write", out.display()))?;
    Ok(data.docs.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::input::discover;
    use crate::output::{Sink, SinkTarget};
    use crate::pipeline::{Pipeline, RunOptions};
    use serde_json::json;

    fn run_seeds(dir: &Path) {
        let pipeline = Pipeline::new(Config::default()).unwrap();
        let discovery = discover(&["fixtures/seeds/input".to_string()]).unwrap();
        let sink = Sink::open(&SinkTarget::Dir(dir.to_path_buf())).unwrap();
        let opts = RunOptions {
            threads: 1,
            on_error: Box::new(|_| {}),
            on_progress: Box::new(|_, _| {}),
        };
        pipeline.run(discovery, sink, opts).unwrap();
    }

    /// The data embedded in a page, parsed back and put together again.
    fn embedded(page: &str) -> Value {
        let script = |from: usize, tag: &str| -> (usize, Value) {
            let start = from + page[from..].find(tag).unwrap() + tag.len();
            let end = start + page[start..].find("</script>").unwrap();
            (end, serde_json::from_str(&page[start..end]).unwrap())
        };
        let (mut at, mut index) = script(0, r#"<script type="application/json" id="index">"#);
        let chunk_tag = r#"<script type="application/json" class="chunk">"#;
        let mut docs = Vec::new();
        while page[at..].contains(chunk_tag) {
            let (end, chunk) = script(at, chunk_tag);
            docs.extend(chunk.as_array().unwrap().iter().cloned());
            at = end;
        }
        let ids: Vec<&Value> = index["docs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["id"])
            .collect();
        assert_eq!(ids, docs.iter().map(|d| &d["id"]).collect::<Vec<_>>());
        let index = index.as_object_mut().unwrap();
        index.remove("chunk");
        index.insert("docs".into(), Value::Array(docs));
        Value::Object(index.clone())
    }

    #[test]
    fn seeds_page_counts_match_the_report_and_hold_every_span() {
        let dir = tempfile::tempdir().unwrap();
        run_seeds(dir.path());
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
                .unwrap();
        let data = load(dir.path()).unwrap();
        let docs = &data.docs;
        let kept = docs.iter().filter(|d| d.reason.is_none()).count() as u64;
        assert_eq!(
            docs.len() as u64,
            report["documents"]["in"].as_u64().unwrap()
        );
        assert_eq!(kept, report["documents"]["kept"].as_u64().unwrap());
        assert!(kept > 0);

        // Bytes per rule over kept documents equal the report's.
        let mut bytes: BTreeMap<&str, u64> = BTreeMap::new();
        for d in docs.iter().filter(|d| d.reason.is_none()) {
            for s in &d.removed {
                *bytes.entry(data.rules[s.rule].id.as_str()).or_default() +=
                    (s.end - s.start) as u64;
            }
        }
        let rules = report["rules"].as_object().unwrap();
        assert!(!rules.is_empty());
        for (id, c) in rules {
            assert_eq!(bytes.get(id.as_str()).copied(), c["bytes"].as_u64(), "{id}");
        }

        // Every removed span of every record is in the page data, each exactly once in
        // the parts, and the parts' text is the clean text.
        let clean = std::fs::read_to_string(dir.path().join("clean.jsonl")).unwrap();
        let page = embedded(&html(&data).unwrap());
        for line in clean.lines() {
            let rec: Value = serde_json::from_str(line).unwrap();
            let doc = page["docs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["id"] == rec["id"])
                .unwrap();
            assert_eq!(
                doc["removed"].as_array().unwrap().len(),
                rec["removed"].as_array().unwrap().len()
            );
            for (got, want) in doc["removed"]
                .as_array()
                .unwrap()
                .iter()
                .zip(rec["removed"].as_array().unwrap())
            {
                assert_eq!(got["text"], want["text"]);
                assert_eq!(got["start"], want["start"]);
                assert_eq!(got["detail"], want["detail"]);
                assert_eq!(
                    page["rules"][got["rule"].as_u64().unwrap() as usize]["id"],
                    want["rule"]
                );
            }
            let mut text = String::new();
            let mut spans = Vec::new();
            for p in doc["parts"].as_array().unwrap() {
                match p {
                    Value::String(s) => text.push_str(s),
                    n => spans.push(n.as_u64().unwrap()),
                }
            }
            assert_eq!(text, rec["text"].as_str().unwrap());
            assert_eq!(spans, (0..spans.len() as u64).collect::<Vec<_>>());
        }
    }

    fn record(v: Value) -> RecordIn {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn script_end_in_text_or_detail_cannot_break_out() {
        let nasty = "a </script><script>alert(1)</script> <!-- b";
        let report = json!({"documents": {"in": 1, "kept": 1, "rejected": 0},
                            "rules": {"odd</script>": {"spans": 1, "bytes": 3}}});
        let rec = record(
            json!({"id": "x</script>", "source": {"path": "p"}, "text": nasty,
            "removed": [{"rule": "odd</script>", "start": 0, "end": 3, "text": "</s",
                         "detail": {"why": "</script>"}}]}),
        );
        let data = build(&report, vec![rec]);
        let page = html(&data).unwrap();
        assert_eq!(
            page.matches("</script>").count(),
            TEMPLATE.matches("</script>").count() + 1,
            "the template's scripts and one chunk"
        );
        assert!(!page.contains("<!-- b"));
        let back = embedded(&page);
        assert_eq!(back, serde_json::to_value(&data).unwrap());
        assert_eq!(back["docs"][0]["parts"][1], nasty);
    }

    #[test]
    fn documents_are_split_into_chunks_that_keep_their_order() {
        let n = CHUNK_DOCS * 2 + 7;
        let report = json!({"documents": {"in": n, "kept": n, "rejected": 0}, "rules": {}});
        let recs = (0..n)
            .map(|i| {
                record(
                    json!({"id": format!("d{i}"), "source": {"path": "f", "line": i + 1},
                    "text": "Some text.", "removed": []}),
                )
            })
            .collect();
        let data = build(&report, recs);
        let page = html(&data).unwrap();
        assert_eq!(page.matches(r#"class="chunk""#).count(), 3);
        let back = embedded(&page);
        assert_eq!(back["docs"].as_array().unwrap().len(), n);
        assert_eq!(back, serde_json::to_value(&data).unwrap());
    }

    #[test]
    fn spans_are_placed_at_line_starts_and_word_boundaries() {
        // Original: "Menu\nBody one.\nAd here\nBody two.\n"; clean lost a trailing
        // space, so offsets drift by one and must snap back.
        let clean = "Body one.\nBody two.";
        let removed = vec![
            span(json!({"rule": "a", "start": 0, "end": 4, "text": "Menu"})),
            span(json!({"rule": "a", "start": 15, "end": 22, "text": "Ad here"})),
        ];
        assert_eq!(anchors(clean, &removed), vec![0, 10]);
        let glued = vec![span(
            json!({"rule": "m", "start": 11, "end": 25, "text": "Advertisement "}),
        )];
        assert_eq!(anchors("Prices up. Shares fell.", &glued), vec![11]);
    }

    fn span(v: Value) -> RemovalIn {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn unknown_rules_and_reasons_get_colours_and_keep_order() {
        let report = json!({"documents": {"in": 2, "kept": 1, "rejected": 1}, "rules": {}});
        let recs = vec![
            record(
                json!({"id": "b", "source": {"path": "f", "line": 2}, "text": "",
                "reason": "near_duplicate", "duplicate_of": "a", "similarity": 0.93, "removed": []}),
            ),
            record(
                json!({"id": "a", "source": {"path": "f", "line": 1}, "text": "One.\nTwo.",
                "removed": [{"rule": "brand_new", "start": 5, "end": 9, "text": "Xyz\n",
                             "detail": {"of": "z#0", "similarity": 0.9}}]}),
            ),
        ];
        let data = build(&report, recs);
        assert_eq!(data.docs[0].id, "a");
        assert_eq!(data.docs[1].duplicate_of.as_deref(), Some("a"));
        assert_eq!(data.rules.len(), 1);
        assert_eq!(data.rules[0].id, "brand_new");
        assert_eq!(
            data.docs[0].parts,
            vec![
                Part::Text("One.\n".into()),
                Part::Span(0),
                Part::Text("Two.".into())
            ]
        );
        assert!(data.docs[0].removed[0].block);
    }
}
