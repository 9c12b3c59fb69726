//! Reading inputs into documents, in order: `.txt` files (one document each), JSONL
//! (plain, gzip, zstd, stdin; one document per line). Anything that cannot become a
//! document becomes a [`BadInput`] with a reason, so it reaches `rejected.jsonl`
//! instead of vanishing, and reading goes on with the next line or file.

pub mod discover;
mod jsonl;

use std::fs::File;
use std::io::{self, Read};

use crate::config::{InputConfig, Utf8Policy};
use crate::doc::{BadInput, Document, Item, Reason, Source};
pub use discover::{Discovery, InputFile, Origin, discover};
pub use jsonl::{read_from as read_jsonl_from, read_part as read_jsonl_part};

/// Reads one input file, handing each item to `emit` in order. `emit` returns false
/// when the consumer has gone away; reading then stops.
pub fn read_file(file: &InputFile, cfg: &InputConfig, emit: &mut dyn FnMut(Item) -> bool) {
    match file.format {
        discover::Format::Text => {
            emit(read_text(file, cfg));
        }
        discover::Format::Jsonl(c) => jsonl::read(file, c, cfg, emit),
    }
}

fn read_text(file: &InputFile, cfg: &InputConfig) -> Item {
    let name = file.display.rsplit('/').next().unwrap_or(&file.display);
    let id = name.strip_suffix(".txt").unwrap_or(name).to_string();
    let source = Source {
        path: file.display.clone(),
        line: None,
    };
    let bad = |reason, error: String, bytes_in| {
        Item::Bad(BadInput {
            id: id.clone(),
            source: source.clone(),
            reason,
            error: format!("{}: {error}", file.display),
            bytes_in,
        })
    };
    let mut bytes = Vec::new();
    let read = match &file.origin {
        Origin::Stdin => io::stdin()
            .lock()
            .take(cfg.max_doc_bytes + 1)
            .read_to_end(&mut bytes),
        Origin::Path(p) => {
            File::open(p).and_then(|f| f.take(cfg.max_doc_bytes + 1).read_to_end(&mut bytes))
        }
    };
    if let Err(e) = read {
        return bad(Reason::Unreadable, e.to_string(), 0);
    }
    if bytes.len() as u64 > cfg.max_doc_bytes {
        let size = file.size.unwrap_or(bytes.len() as u64);
        return bad(
            Reason::TooLarge,
            format!(
                "document of {size} bytes is over input.max_doc_bytes = {}",
                cfg.max_doc_bytes
            ),
            size,
        );
    }
    let bytes_in = bytes.len() as u64;
    match decode(bytes, cfg.invalid_utf8) {
        Ok((text, invalid_utf8)) => Item::Doc(Document {
            id,
            source,
            text,
            meta: Vec::new(),
            bytes_in,
            invalid_utf8,
        }),
        Err((reason, msg)) => bad(reason, msg, bytes_in),
    }
}

/// Decodes a text file's bytes: UTF-8 (BOM dropped) or UTF-16 with a BOM. Files with
/// NUL bytes are binary. Invalid UTF-8 is replaced or rejected as configured; the
/// count of replaced sequences is returned.
pub fn decode(bytes: Vec<u8>, policy: Utf8Policy) -> Result<(String, u64), (Reason, String)> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(decode_utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(decode_utf16(rest, u16::from_be_bytes));
    }
    if memchr::memchr(0, &bytes).is_some() {
        return Err((Reason::Binary, "binary data (NUL bytes)".into()));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    decode_utf8(bytes, policy)
}

/// UTF-8 with invalid sequences replaced (counted) or rejected.
pub fn decode_utf8(bytes: Vec<u8>, policy: Utf8Policy) -> Result<(String, u64), (Reason, String)> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, 0)),
        Err(e) => {
            let bytes = e.into_bytes();
            if policy == Utf8Policy::Reject {
                let at = std::str::from_utf8(&bytes)
                    .err()
                    .map_or(0, |e| e.valid_up_to());
                return Err((
                    Reason::InvalidUtf8,
                    format!("invalid UTF-8 at byte {at} (input.invalid_utf8 = \"reject\")"),
                ));
            }
            let chunks = || bytes.utf8_chunks();
            let bad = chunks().filter(|c| !c.invalid().is_empty()).count() as u64;
            if policy == Utf8Policy::Windows1252 && chunks().all(|c| c.valid().is_ascii()) {
                // Not one valid multi-byte sequence: almost surely a single-byte
                // encoding, and Windows-1252 is what such web text nearly always is.
                return Ok((decode_windows1252(&bytes), bad));
            }
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in chunks() {
                out.push_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    out.push(char::REPLACEMENT_CHARACTER);
                }
            }
            Ok((out, bad))
        }
    }
}

/// Windows-1252 as browsers decode it (WHATWG): Latin-1, except 0x80–0x9F, which are
/// mostly typographic characters; the five unassigned bytes stay C1 controls.
fn decode_windows1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, u64) {
    let units = bytes
        .chunks(2)
        .map(|c| unit([c[0], *c.get(1).unwrap_or(&0)]));
    let mut bad = 0;
    let text = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                bad += 1;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    (text, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_counts_replacements() {
        let ok = |b: &[u8]| decode(b.to_vec(), Utf8Policy::Replace).expect("decodes");
        assert_eq!(ok(b"\xEF\xBB\xBFhi"), ("hi".into(), 0));
        assert_eq!(ok(b"\xFF\xFEh\0i\0"), ("hi".into(), 0));
        assert_eq!(ok(b"\xFE\xFF\0h\0i"), ("hi".into(), 0));
        assert_eq!(ok(b"caf\xE9 ol\xE9"), ("caf\u{FFFD} ol\u{FFFD}".into(), 2));
    }

    #[test]
    fn windows1252_only_when_no_valid_multibyte_sequence() {
        let w = |b: &[u8]| decode(b.to_vec(), Utf8Policy::Windows1252).expect("decodes");
        assert_eq!(
            w(b"caf\xE9 \x93ol\xE9\x94 \x80"),
            ("café “olé” €".into(), 4)
        );
        assert_eq!(w(b"plain ascii"), ("plain ascii".into(), 0));
        // One valid UTF-8 sequence: this is UTF-8 with damage, not Windows-1252.
        assert_eq!(
            w("“caf\u{e9}” "
                .as_bytes()
                .iter()
                .chain(b"ol\xE9")
                .copied()
                .collect::<Vec<_>>()
                .as_slice()),
            ("“café” ol\u{FFFD}".into(), 1)
        );
        // Valid UTF-8 is never touched.
        assert_eq!(w("naïve".as_bytes()), ("naïve".into(), 0));
    }

    #[test]
    fn rejects_binary_and_invalid_utf8_when_asked() {
        let err = decode(b"a\0b".to_vec(), Utf8Policy::Replace).unwrap_err();
        assert_eq!(err.0, Reason::Binary);
        let err = decode(b"ab\xE9".to_vec(), Utf8Policy::Reject).unwrap_err();
        assert_eq!(err.0, Reason::InvalidUtf8);
        assert!(err.1.contains("byte 2"), "{}", err.1);
    }
}
