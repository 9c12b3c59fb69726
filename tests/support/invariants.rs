//! The invariants every cleaned document and every JSONL read must satisfy. Shared by
//! the property and hostile-input tests (`mod support`) and by the fuzz targets
//! (`fuzz/fuzz_targets/*.rs` include this file by path), so all of them check the
//! same thing. Each check returns the first violation as a message.

#![allow(dead_code)] // each includer uses a different subset

use chaff::doc::{Document, Item, Source};
use chaff::pipeline::{Cleaned, Cleaner};

/// A document with `text`, as the reader would build it.
pub fn document(text: String) -> Document {
    Document {
        id: "doc".into(),
        source: Source {
            path: "test".into(),
            line: None,
        },
        bytes_in: text.len() as u64,
        text,
        meta: Vec::new(),
        invalid_utf8: 0,
    }
}

fn non_whitespace(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

/// Checks one cleaned document: the audit is exact (`original[start..end] == text`,
/// on char boundaries), sorted and disjoint; kept plus removed non-whitespace chars
/// are exactly the original's; cleaning the clean text again removes nothing and
/// changes nothing.
pub fn check_cleaned(cleaner: &Cleaner, c: &Cleaned) -> Result<(), String> {
    let original = &c.doc.text;
    let mut last_end = 0;
    for r in &c.edited.removed {
        if r.start >= r.end || r.end > original.len() {
            return Err(format!("bad span {}..{} ({})", r.start, r.end, r.rule));
        }
        if !original.is_char_boundary(r.start) || !original.is_char_boundary(r.end) {
            return Err(format!(
                "span {}..{} splits a char ({})",
                r.start, r.end, r.rule
            ));
        }
        if original[r.start..r.end] != r.text {
            return Err(format!(
                "span {}..{} text differs ({})",
                r.start, r.end, r.rule
            ));
        }
        if r.start < last_end {
            return Err(format!(
                "span {}..{} overlaps or is out of order ({})",
                r.start, r.end, r.rule
            ));
        }
        last_end = r.end;
    }
    let kept = non_whitespace(&c.edited.text);
    let removed: usize = c
        .edited
        .removed
        .iter()
        .map(|r| non_whitespace(&r.text))
        .sum();
    let all = non_whitespace(original);
    if kept + removed != all {
        return Err(format!(
            "non-whitespace chars: kept {kept} + removed {removed} != original {all}"
        ));
    }
    let again = cleaner.clean(document(c.edited.text.clone()));
    if let Some(r) = again.edited.removed.first() {
        return Err(format!(
            "not idempotent: cleaning the clean text again removes {:?} ({})",
            r.text, r.rule
        ));
    }
    if again.edited.text != c.edited.text {
        return Err("not idempotent: cleaning the clean text again changes it".into());
    }
    Ok(())
}

/// The line numbers (1-based) that must each yield exactly one item when `input` is
/// read as JSONL with `max_doc_bytes = limit`: every line over the limit, and every
/// other line that is not blank (a leading UTF-8 BOM does not count). Input that
/// starts with a UTF-16 BOM is rejected as a whole: one item.
pub fn expected_jsonl_lines(input: &[u8], limit: u64) -> Vec<u64> {
    let mut out = Vec::new();
    if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
        return vec![0];
    }
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    if input.is_empty() {
        return out;
    }
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let n = i as u64 + 1;
        if raw.len() as u64 > limit {
            out.push(n);
            continue;
        }
        let line = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            out.push(n);
        }
    }
    out
}

/// Checks that reading `input` gave exactly one item per expected line, in order.
pub fn check_jsonl(input: &[u8], limit: u64, items: &[Item]) -> Result<(), String> {
    let expected = expected_jsonl_lines(input, limit);
    let got: Vec<u64> = items
        .iter()
        .map(|i| match i {
            Item::Doc(d) => d.source.line.unwrap_or(0),
            Item::Bad(b) => b.source.line.unwrap_or(0),
        })
        .collect();
    if got != expected {
        return Err(format!("items for lines {got:?}, expected {expected:?}"));
    }
    Ok(())
}

/// The `clean` fuzz target: bytes decoded the way `.txt` inputs are (BOMs, UTF-16,
/// invalid UTF-8 replaced; binary input with NULs blanked so the rules still meet
/// it), cleaned, checked.
pub fn clean_target(cleaner: &Cleaner, data: &[u8]) -> Result<(), String> {
    let text = match chaff::input::decode(data.to_vec(), chaff::config::Utf8Policy::Replace) {
        Ok((text, _)) => text,
        Err(_) => String::from_utf8_lossy(data).replace('\0', " "),
    };
    let cleaned = cleaner.clean(document(text));
    check_cleaned(cleaner, &cleaned).map_err(|e| format!("{e}\ntext: {:?}", cleaned.doc.text))
}

/// The `jsonl` fuzz target: the first byte picks `max_doc_bytes` (small values
/// exercise the too-long path), the rest is read as JSONL; every expected line must
/// give exactly one item, and every document is cleaned and checked.
pub fn jsonl_target(cleaner: &Cleaner, data: &[u8]) -> Result<(), String> {
    use chaff::input::discover::{Compression, Format};
    let Some((&first, input)) = data.split_first() else {
        return Ok(());
    };
    let limit = if first < 128 {
        u64::from(first)
    } else {
        1 << 20
    };
    let cfg = chaff::config::InputConfig {
        max_doc_bytes: limit,
        ..chaff::config::InputConfig::default()
    };
    let file = chaff::input::InputFile {
        origin: chaff::input::Origin::Stdin,
        display: "fuzz.jsonl".into(),
        format: Format::Jsonl(Compression::None),
        size: None,
    };
    let mut items = Vec::new();
    chaff::input::read_jsonl_from(input, &file, Compression::None, &cfg, &mut |item| {
        items.push(item);
        true
    });
    check_jsonl(input, limit, &items)?;
    for item in items {
        if let Item::Doc(d) = item {
            let cleaned = cleaner.clean(d);
            check_cleaned(cleaner, &cleaned)
                .map_err(|e| format!("{e}\ntext: {:?}", cleaned.doc.text))?;
        }
    }
    Ok(())
}
