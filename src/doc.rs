//! The data that flows through the pipeline: documents as read, verdicts as rules
//! report them, removals as the editor records them, and reject reasons.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Where a document came from: the input path and, for JSONL, the 1-based line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Source {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// A document as read from the input. `text` is the original text: every byte offset
/// in the audit points into it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub source: Source,
    pub text: String,
    /// Input fields other than text and id, carried through byte for byte.
    pub meta: Vec<(String, Box<RawValue>)>,
    /// Byte length of the input before decoding (differs from `text.len()` only when
    /// invalid UTF-8 was replaced or another encoding was decoded).
    pub bytes_in: u64,
    /// Number of invalid UTF-8 sequences replaced by U+FFFD while decoding.
    pub invalid_utf8: u64,
}

/// An input unit that could not become a document: it goes straight to `rejected.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BadInput {
    pub id: String,
    pub source: Source,
    pub reason: Reason,
    pub error: String,
    pub bytes_in: u64,
}

/// What the reader yields, in input order.
#[derive(Debug, Clone)]
pub enum Item {
    Doc(Document),
    Bad(BadInput),
}

/// A span a rule wants removed, in byte offsets of the original text. Rules only
/// report verdicts; the editor decides what is cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub start: usize,
    pub end: usize,
    pub rule: &'static str,
    /// Shared with the audit's removals: every edit of the document hands it on
    /// without copying the JSON.
    pub detail: Option<Arc<Value>>,
    /// Text the editor puts in place of the span (e.g. a decoded blob) instead of
    /// dropping it. The audit still records the original bytes.
    pub replacement: Option<String>,
}

impl Verdict {
    pub fn new(rule: &'static str, start: usize, end: usize) -> Self {
        Verdict {
            start,
            end,
            rule,
            detail: None,
            replacement: None,
        }
    }

    pub fn with_replacement(mut self, text: String) -> Self {
        self.replacement = Some(text);
        self
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = Some(Arc::new(detail));
        self
    }
}

/// A verdict as read back from a file (a sharded run's intermediate).
#[derive(Deserialize)]
struct StoredVerdict {
    start: usize,
    end: usize,
    rule: String,
    detail: Option<Value>,
    replacement: Option<String>,
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Verdict, D::Error> {
        let v = StoredVerdict::deserialize(d)?;
        Ok(Verdict {
            start: v.start,
            end: v.end,
            rule: rule_id(v.rule),
            detail: v.detail.map(Arc::new),
            replacement: v.replacement,
        })
    }
}

/// Rule ids are `&'static str` (every rule has a constant one); a verdict read back
/// gets the same static string, interned once per distinct id.
fn rule_id(s: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static IDS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let mut known: HashSet<&'static str> =
            crate::rules::registry().iter().map(|r| r.id).collect();
        known.insert(crate::dedup::RULE);
        Mutex::new(known)
    });
    let mut ids = ids.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&id) = ids.get(s.as_str()) {
        return id;
    }
    let id: &'static str = Box::leak(s.into_boxed_str());
    ids.insert(id);
    id
}

/// What the per-document rules found: verdicts in the order they were reported, and
/// metadata they lifted out of the text (a date header, credits).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Findings {
    pub verdicts: Vec<Verdict>,
    pub meta: Map<String, Value>,
    /// Where a rule found that the article is over (a reader-comment feed starts
    /// here): later rules take nothing from here on for the article's body.
    #[serde(skip)]
    pub article_end: Option<usize>,
}

impl Findings {
    /// Records that the article is over by byte `at` (the earliest such place wins).
    pub fn end_article_at(&mut self, at: usize) {
        self.article_end = Some(self.article_end.map_or(at, |e| e.min(at)));
    }

    /// Appends `value` to the list stored under `key` in the lifted metadata.
    pub fn push_meta(&mut self, key: &str, value: Value) {
        let slot = self
            .meta
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        match slot {
            Value::Array(items) => items.push(value),
            other => *other = Value::Array(vec![other.take(), value]),
        }
    }
}

/// One removed span in the audit: `original[start..end] == text`. When the verdict
/// asked for a replacement, `replacement` is what the clean text shows in its place.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Removal {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Arc<Value>>,
}

/// Why a document is in `rejected.jsonl`. The serialized names are stable ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The document had no text at all.
    Empty,
    /// Too little text was left after cleaning.
    TooLittleText,
    /// Exact copy (after normalisation) of an earlier document.
    Duplicate,
    /// Verified near-copy of an earlier document.
    NearDuplicate,
    /// A JSONL line that is not valid JSON.
    InvalidJson,
    /// Valid JSON, but not an object with a string text field.
    InvalidRecord,
    /// Not valid UTF-8 and the config says to reject rather than replace.
    InvalidUtf8,
    /// The input looks binary (NUL bytes, control characters).
    Binary,
    /// Over the configured document or line size limit.
    TooLarge,
    /// The file could not be opened, read or decompressed.
    Unreadable,
    /// Cleaning the document panicked: a bug in chaff, reported with its message.
    InternalError,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::TooLittleText => "too_little_text",
            Reason::Duplicate => "duplicate",
            Reason::NearDuplicate => "near_duplicate",
            Reason::InvalidJson => "invalid_json",
            Reason::InvalidRecord => "invalid_record",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::Binary => "binary",
            Reason::TooLarge => "too_large",
            Reason::Unreadable => "unreadable",
            Reason::InternalError => "internal_error",
        }
    }

    /// Input that could not be read or parsed: the run exits 1 when any occurred.
    /// Documents rejected as noise or duplicates are a normal outcome.
    pub fn is_input_error(self) -> bool {
        matches!(
            self,
            Reason::InvalidJson
                | Reason::InvalidRecord
                | Reason::InvalidUtf8
                | Reason::Binary
                | Reason::TooLarge
                | Reason::Unreadable
                | Reason::InternalError
        )
    }
}
