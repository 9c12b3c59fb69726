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

/// The fields of one output line, in their output order. Written by [`push`], not
/// by serde: the text is most of every line, and [`push_json_str`] escapes it a word
/// at a time where serde_json goes byte by byte.
struct Record<'a> {
    id: &'a str,
    source: &'a Source,
    text: &'a str,
    meta: Meta<'a>,
    removed: &'a [Removal],
    stats: Stats,
    reason: Option<Reason>,
    error: Option<&'a str>,
    duplicate_of: Option<&'a str>,
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

/// Appends `record` as one JSON object and a newline: the same bytes serde_json would
/// write for the fields in this order, absent options left out.
fn push(out: &mut Vec<u8>, record: &Record<'_>) {
    // Serializing our own types into a Vec cannot fail; keep the line well-formed if
    // it ever did.
    if push_fields(out, record).is_err() {
        out.extend_from_slice(b"{\"error\":\"record could not be serialized\"}");
    }
    out.push(b'\n');
}

fn push_fields(out: &mut Vec<u8>, r: &Record<'_>) -> serde_json::Result<()> {
    let start = out.len();
    let result = (|| {
        out.extend_from_slice(b"{\"id\":");
        push_json_str(out, r.id);
        out.extend_from_slice(b",\"source\":");
        serde_json::to_writer(&mut *out, r.source)?;
        out.extend_from_slice(b",\"text\":");
        push_json_str(out, r.text);
        out.extend_from_slice(b",\"meta\":");
        serde_json::to_writer(&mut *out, &r.meta)?;
        out.extend_from_slice(b",\"removed\":");
        serde_json::to_writer(&mut *out, r.removed)?;
        out.extend_from_slice(b",\"stats\":");
        serde_json::to_writer(&mut *out, &r.stats)?;
        if let Some(reason) = r.reason {
            out.extend_from_slice(b",\"reason\":");
            serde_json::to_writer(&mut *out, &reason)?;
        }
        if let Some(error) = r.error {
            out.extend_from_slice(b",\"error\":");
            push_json_str(out, error);
        }
        if let Some(of) = r.duplicate_of {
            out.extend_from_slice(b",\"duplicate_of\":");
            push_json_str(out, of);
        }
        if let Some(x) = r.similarity {
            out.extend_from_slice(b",\"similarity\":");
            serde_json::to_writer(&mut *out, &x)?;
        }
        out.push(b'}');
        Ok(())
    })();
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it: `"`, `\\`
/// and control characters (the short forms `\b \t \n \f \r` where they exist, else
/// `\u00xx`); everything else, non-ASCII included, as it is. Runs of bytes that need
/// no escape are found eight bytes a step and copied whole.
pub fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let (mut run, mut i) = (0, 0);
    loop {
        // The next byte to escape at or after `i`, or the end.
        while let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            // Per byte: below 0x20, or equal to `"` or `\`. Each test may also flag
            // bytes above its own first hit (borrows carry upwards), never below, so
            // the lowest flag of the three is exact.
            let control = w.wrapping_sub(LOW * 0x20) & !w;
            let quote = (w ^ (LOW * b'"' as u64)).wrapping_sub(LOW) & !(w ^ (LOW * b'"' as u64));
            let slash = (w ^ (LOW * b'\\' as u64)).wrapping_sub(LOW) & !(w ^ (LOW * b'\\' as u64));
            let hits = (control | quote | slash) & HIGH;
            if hits != 0 {
                i += (hits.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        while i < b.len() && !needs_escape(b[i]) {
            i += 1;
        }
        out.extend_from_slice(&b[run..i.min(b.len())]);
        let Some(&c) = b.get(i) else {
            break;
        };
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\x08' => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\x0c' => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 0xF) as usize]);
            }
        }
        i += 1;
        run = i;
    }
    out.push(b'"');
}

fn needs_escape(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        push_json_str(&mut out, s);
        String::from_utf8(out).expect("escaping keeps UTF-8")
    }

    #[test]
    fn escapes_like_serde_json() {
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "\u{0}\u{1f}\u{7f}\t\n\r\u{8}\u{c}",
            "“curly” é ж 🦀",
        ] {
            assert_eq!(escaped(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    proptest! {
        /// Same bytes as serde_json for any text, with escapes at every position of
        /// the eight-byte steps (the regex draws mostly the bytes that need one).
        #[test]
        fn escaping_matches_serde_json(s in "([\"\\\\\u{0}-\u{1f}]|[a-z ]{0,9}|[é“🦀\u{7f}\u{80}])*") {
            prop_assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
