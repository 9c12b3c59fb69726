//! The record schema. Clean and rejected records share one shape; rejected ones add
//! `reason` (a stable snake_case id) and, where it applies, `error`, `duplicate_of`
//! and `similarity`.

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::doc::{BadInput, Reason, Removal, Source};
use crate::pipeline::Cleaned;

/// Why a document that was read is not in the clean output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub reason: Reason,
    pub error: Option<String>,
    pub duplicate_of: Option<String>,
    pub similarity: Option<f64>,
}

impl Rejection {
    pub fn new(reason: Reason) -> Self {
        Rejection {
            reason,
            error: None,
            duplicate_of: None,
            similarity: None,
        }
    }
}

#[derive(Serialize)]
struct Record<'a> {
    id: &'a str,
    source: &'a Source,
    text: &'a str,
    meta: Meta<'a>,
    removed: &'a [Removal],
    stats: Stats,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f64>,
}

#[derive(Serialize)]
struct Stats {
    bytes_in: u64,
    bytes_out: u64,
    #[serde(skip_serializing_if = "is_zero")]
    invalid_utf8: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The input's own fields first, untouched, then what rules lifted out of the text
/// (an input field of the same name wins).
struct Meta<'a> {
    input: &'a [(String, Box<RawValue>)],
    lifted: Option<&'a Map<String, Value>>,
}

impl Serialize for Meta<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.input {
            m.serialize_entry(k, v)?;
        }
        for (k, v) in self.lifted.into_iter().flatten() {
            if !self.input.iter().any(|(ik, _)| ik == k) {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

/// Appends a document's record (clean or rejected) and a newline to `out`.
pub fn write_cleaned(out: &mut Vec<u8>, c: &Cleaned) {
    // Room for the text, the removed spans and the fields around them at once, so the
    // buffer is not regrown (and copied) several times while the record is written.
    let removed: usize = c.edited.removed.iter().map(|r| r.text.len() + 96).sum();
    out.reserve(c.edited.text.len() + removed + 256);
    let r = c.rejection.as_ref();
    let record = Record {
        id: &c.doc.id,
        source: &c.doc.source,
        text: &c.edited.text,
        meta: Meta {
            input: &c.doc.meta,
            lifted: Some(&c.found.meta),
        },
        removed: &c.edited.removed,
        stats: Stats {
            bytes_in: c.doc.bytes_in,
            bytes_out: c.edited.text.len() as u64,
            invalid_utf8: c.doc.invalid_utf8,
        },
        reason: r.map(|r| r.reason),
        error: r.and_then(|r| r.error.as_deref()),
        duplicate_of: r.and_then(|r| r.duplicate_of.as_deref()),
        similarity: r.and_then(|r| r.similarity),
    };
    push(out, &record);
}

/// Appends the rejected record of an input that never became a document.
pub fn write_bad(out: &mut Vec<u8>, b: &BadInput) {
    let record = Record {
        id: &b.id,
        source: &b.source,
        text: "",
        meta: Meta {
            input: &[],
            lifted: None,
        },
        removed: &[],
        stats: Stats {
            bytes_in: b.bytes_in,
            bytes_out: 0,
            invalid_utf8: 0,
        },
        reason: Some(b.reason),
        error: Some(&b.error),
        duplicate_of: None,
        similarity: None,
    };
    push(out, &record);
}

fn push(out: &mut Vec<u8>, record: &Record<'_>) {
    // Serializing our own types into a Vec cannot fail; keep the line well-formed if
    // it ever did.
    if serde_json::to_writer(&mut *out, record).is_err() {
        out.extend_from_slice(b"{\"error\":\"record could not be serialized\"}");
    }
    out.push(b'\n');
}
