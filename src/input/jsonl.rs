//! JSONL reading: one JSON object per line, plain or compressed. Lines are read with
//! a size cap, so one huge line is skipped (rejected as `too_large`) without being held
//! in memory. Every field but text and id is kept as raw JSON, byte for byte.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::decode_utf8;
use super::discover::{Compression, InputFile, Origin};
use crate::config::InputConfig;
use crate::doc::{BadInput, Document, Item, Reason, Source};

const BUF: usize = 1 << 16;

pub fn read(
    file: &InputFile,
    compression: Compression,
    cfg: &InputConfig,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    let raw: Box<dyn Read> = match &file.origin {
        Origin::Stdin => Box::new(io::stdin()),
        Origin::Path(p) => match File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                emit(file_error(file, None, &e));
                return;
            }
        },
    };
    read_from(raw, file, compression, cfg, emit);
}

/// Reads JSONL from `raw` (compressed as `compression`) as if it were `file`: every
/// non-blank line becomes exactly one item, in order.
pub fn read_from(
    raw: impl Read,
    file: &InputFile,
    compression: Compression,
    cfg: &InputConfig,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    read_lines_from(raw, file, compression, cfg, 0, emit)
}

/// Reads a part of a plain JSONL file that starts at a line boundary, with
/// `lines_before` lines before it, so line numbers (and the ids made from them) are
/// those of the whole file.
pub fn read_part(
    file: &InputFile,
    start: u64,
    end: u64,
    lines_before: u64,
    cfg: &InputConfig,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    use std::io::{Seek, SeekFrom};
    let Origin::Path(p) = &file.origin else {
        emit(file_error(
            file,
            None,
            &io::Error::other("standard input cannot be read in parts"),
        ));
        return;
    };
    match File::open(p).and_then(|mut f| f.seek(SeekFrom::Start(start)).map(|_| f)) {
        Ok(f) => read_lines_from(
            f.take(end - start),
            file,
            Compression::None,
            cfg,
            lines_before,
            emit,
        ),
        Err(e) => {
            emit(file_error(file, Some(lines_before + 1), &e));
        }
    }
}

fn read_lines_from(
    raw: impl Read,
    file: &InputFile,
    compression: Compression,
    cfg: &InputConfig,
    lines_before: u64,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    let mut raw = BufReader::with_capacity(1 << 16, raw);
    if raw.fill_buf().is_ok_and(|b| b.is_empty()) {
        return; // zero bytes: an empty file, whatever the compression
    }
    let reader: Box<dyn Read + '_> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(raw)),
        Compression::Zstd => match zstd::Decoder::with_buffer(raw) {
            Ok(d) => Box::new(d),
            Err(e) => {
                emit(file_error(file, None, &e));
                return;
            }
        },
    };
    let mut reader = BufReader::with_capacity(BUF, reader);
    if let Ok(head) = reader.fill_buf()
        && lines_before == 0
        && (head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF"))
    {
        // Every line would be garbage; one clear rejection says more.
        emit(Item::Bad(BadInput {
            id: file.display.clone(),
            source: Source {
                path: file.display.clone(),
                line: None,
            },
            reason: Reason::Unreadable,
            error: format!(
                "{}: UTF-16 JSONL is not supported; convert it to UTF-8 first",
                file.display
            ),
            bytes_in: 0,
        }));
        return;
    }
    let mut buf = Vec::new();
    let mut line_no: u64 = lines_before;
    loop {
        line_no += 1;
        let item = match read_line(&mut reader, &mut buf, cfg.max_doc_bytes) {
            Ok(Line::Eof) => return,
            Ok(Line::TooLong(len)) => Item::Bad(BadInput {
                id: format!("{}:{line_no}", file.display),
                source: source(file, line_no),
                reason: Reason::TooLarge,
                error: format!(
                    "{}:{line_no}: line of {len} bytes is over input.max_doc_bytes = {}",
                    file.display, cfg.max_doc_bytes
                ),
                bytes_in: len,
            }),
            Ok(Line::Complete) => {
                // A BOM starts the file, or a file concatenated into this one.
                let line = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
                if line.iter().all(|b| b.is_ascii_whitespace()) {
                    continue; // blank lines hold no document
                }
                parse_line(file, line_no, line, cfg)
            }
            Err(e) => {
                emit(file_error(file, Some(line_no), &e));
                return;
            }
        };
        if !emit(item) {
            return;
        }
    }
}

fn source(file: &InputFile, line: u64) -> Source {
    Source {
        path: file.display.clone(),
        line: Some(line),
    }
}

/// A read or decompression failure: the rest of the file is lost, and that is said.
fn file_error(file: &InputFile, line: Option<u64>, e: &io::Error) -> Item {
    let (id, where_) = match line {
        Some(l) if l > 1 => (
            format!("{}:{l}", file.display),
            format!("{}:{l}: read failed, rest of file skipped", file.display),
        ),
        _ => (file.display.clone(), file.display.clone()),
    };
    Item::Bad(BadInput {
        id,
        source: Source {
            path: file.display.clone(),
            line,
        },
        reason: Reason::Unreadable,
        error: format!("{where_}: {e}"),
        bytes_in: 0,
    })
}

enum Line {
    Eof,
    Complete,
    TooLong(u64),
}

/// Reads one line into `buf` (without its `\n` / `\r\n`). A line longer than `limit`
/// is consumed and discarded, and its length returned.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, limit: u64) -> io::Result<Line> {
    buf.clear();
    let mut len: u64 = 0;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        len += take as u64;
        if len <= limit {
            buf.extend_from_slice(&chunk[..take]);
        } else if !buf.is_empty() {
            buf.clear();
            buf.shrink_to(BUF);
        }
        r.consume(take + usize::from(done));
        if done {
            break;
        }
    }
    if !any {
        return Ok(Line::Eof);
    }
    if len > limit {
        return Ok(Line::TooLong(len));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Line::Complete)
}

fn parse_line(file: &InputFile, line_no: u64, line: &[u8], cfg: &InputConfig) -> Item {
    let bytes_in = line.len() as u64;
    let place = format!("{}:{line_no}", file.display);
    let bad = |reason, error: String| {
        Item::Bad(BadInput {
            id: place.clone(),
            source: source(file, line_no),
            reason,
            error: format!("{place}: {error}"),
            bytes_in,
        })
    };
    // Valid UTF-8 (nearly every line) is parsed where it lies; only a line that needs
    // repair is copied.
    let (json, invalid_utf8) = match simdutf8::basic::from_utf8(line) {
        Ok(s) => (Cow::Borrowed(s), 0),
        Err(_) => match decode_utf8(line.to_vec(), cfg.invalid_utf8) {
            Ok((s, n)) => (Cow::Owned(s), n),
            Err((reason, msg)) => return bad(reason, msg),
        },
    };
    let fields = match serde_json::from_str::<Fields>(&json) {
        Ok(f) => f.0,
        Err(e) if e.is_data() => {
            return bad(
                Reason::InvalidRecord,
                format!("expected a JSON object: {e}"),
            );
        }
        Err(e) if line.contains(&b'\r') => {
            return bad(
                Reason::InvalidJson,
                format!("{e} (lone CR line endings? JSONL lines end with LF or CRLF)"),
            );
        }
        Err(e) => return bad(Reason::InvalidJson, e.to_string()),
    };
    let mut text = None;
    let mut id = None;
    let mut meta = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        // Only arrays and objects nest; a string (the text) is not scanned.
        if v.get().starts_with(['[', '{']) && nesting_depth(v.get()) > MAX_NESTING {
            return bad(
                Reason::InvalidRecord,
                format!("field \"{k}\" nests deeper than {MAX_NESTING} levels"),
            );
        }
        if k == cfg.text_field && text.is_none() {
            text = Some(v);
        } else if k == cfg.id_field && id.is_none() {
            id = Some(v);
        } else {
            meta.push((k, v.to_owned()));
        }
    }
    let Some(text) = text else {
        return bad(
            Reason::InvalidRecord,
            format!("missing field \"{}\"", cfg.text_field),
        );
    };
    let raw = text.get();
    // Decoded here in one pass (the parser has checked it); what `unescape` leaves
    // (surrogate escapes) goes to serde_json.
    let parsed = unescape(raw).map_or_else(|| serde_json::from_str::<String>(raw), Ok);
    let text: String = match parsed {
        Ok(t) => t,
        Err(_) => {
            return bad(
                Reason::InvalidRecord,
                format!("expected string in field \"{}\"", cfg.text_field),
            );
        }
    };
    let id = match id.map(RawValue::get) {
        None | Some("null") => place.clone(),
        Some(raw) => serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string()),
    };
    Item::Doc(Document {
        id,
        source: source(file, line_no),
        bytes_in: text.len() as u64,
        text,
        meta,
        invalid_utf8,
    })
}

/// Decodes a JSON string literal that the parser has already checked (quotes
/// included) into a string allocated once at its final size: serde_json would build
/// it in a growing scratch buffer and then copy it. `None` for what it leaves to
/// serde_json: surrogate escapes (pairs and lone halves) and anything unexpected.
fn unescape(raw: &str) -> Option<String> {
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    // Cut only at ASCII backslashes, so every slice is on a char boundary.
    while let Some(k) = memchr::memchr(b'\\', &body.as_bytes()[i..]) {
        out.push_str(&body[i..i + k]);
        i += k;
        let c = match *body.as_bytes().get(i + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = body.get(i + 2..i + 6)?;
                i += 4;
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            _ => return None,
        };
        out.push(c);
        i += 2;
    }
    out.push_str(&body[i..]);
    Some(out)
}

/// Deepest array/object nesting accepted in a field. Raw values are parsed without a
/// recursion limit, but they are written back inside a record, and readers of the
/// output (serde_json: 128 levels, most others similar) must be able to parse it.
const MAX_NESTING: usize = 100;

/// Deepest nesting of arrays and objects in `json` (valid JSON), without recursion.
fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in json.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// A JSON object's fields in file order, values left as raw JSON borrowed from the
/// line (only the ones kept as metadata are copied).
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(kv) = map.next_entry::<String, &'de RawValue>()? {
                    out.push(kv);
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], limit: u64) -> Vec<Result<String, u64>> {
        let mut r = BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line(&mut r, &mut buf, limit).expect("reads") {
                Line::Eof => return out,
                Line::Complete => out.push(Ok(String::from_utf8_lossy(&buf).into_owned())),
                Line::TooLong(n) => out.push(Err(n)),
            }
        }
    }

    #[test]
    fn reads_lines_across_buffer_edges_and_caps_length() {
        assert_eq!(
            lines(b"ab\r\nlong line here\nc", 8),
            [Ok("ab".into()), Err(14), Ok("c".into())]
        );
        assert_eq!(lines(b"", 8), []);
        assert_eq!(lines(b"\n", 8), [Ok(String::new())]);
    }

    #[test]
    fn nesting_depth_ignores_brackets_in_strings() {
        assert_eq!(nesting_depth("1"), 0);
        assert_eq!(nesting_depth(r#"[{"a":[1]},[]]"#), 3);
        assert_eq!(nesting_depth(r#"["[[[", "\"[{"]"#), 1);
    }

    #[test]
    fn unescape_decodes_every_escape_and_leaves_surrogates_to_serde() {
        let raw = r#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4e2d é""#;
        assert_eq!(
            unescape(raw).as_deref(),
            Some("a\"b\\c/d\u{8}\u{c}\n\r\tAé中 é")
        );
        assert_eq!(unescape(r#""\ud83d\ude00""#), None, "a surrogate pair");
        assert_eq!(unescape(r#""\udc00""#), None, "a lone surrogate");
        assert_eq!(unescape("5"), None, "not a string");
    }

    proptest::proptest! {
        /// On what serde_json writes, and on the same text with every character
        /// written as a `\u` escape, `unescape` decodes what serde_json decodes.
        #[test]
        fn unescape_agrees_with_serde_json(s in "\\PC*|[\\x00-\\x1f\"\\\\/ é]*") {
            let written = serde_json::to_string(&s).unwrap();
            proptest::prop_assert_eq!(unescape(&written), Some(s.clone()));
            let mut escaped = String::from('"');
            for c in s.chars() {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    escaped.push_str(&format!("\\u{u:04X}"));
                }
            }
            escaped.push('"');
            let serde: String = serde_json::from_str(&escaped).unwrap();
            proptest::prop_assert_eq!(&serde, &s);
            if let Some(ours) = unescape(&escaped) {
                proptest::prop_assert_eq!(ours, s);
            } else {
                let astral = s.chars().any(|c| u32::from(c) > 0xFFFF);
                proptest::prop_assert!(astral);
            }
        }
    }
}
