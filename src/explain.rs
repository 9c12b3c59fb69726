//! `chaff explain`: one document's original text with every removed span marked in
//! place, each followed by a compact tag built from its rule id and detail. People
//! trust a cleaner once they have seen what it cut; this shows it where they already
//! are, in a terminal.
//!
//! The rendering knows nothing about particular rules: the tag is built from whatever
//! detail object the rule recorded, so a new rule shows up with no change here.

use std::fmt::Write as _;

use serde_json::Value;

use crate::config::Config;
use crate::doc::{BadInput, Item, Removal};
use crate::input::{discover, read_file};
use crate::pipeline::{Cleaned, Cleaner};
use crate::repetition::LineCounts;

/// How removed spans are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `[-removed text-]{rule: evidence}` (then `{+replacement+}` where the editor put
    /// text in its place): for pipes, files and NO_COLOR.
    Plain,
    /// Struck through and coloured by rule, tag in the same colour.
    Ansi,
}

/// Foreground colours for rules; a rule's colour comes from a hash of its id, so it
/// is stable across runs and needs no list of rules.
const COLOURS: [&str; 6] = ["31", "32", "33", "34", "35", "36"];
const RESET: &str = "\x1b[0m";

/// The original `text` with every span of `removed` (sorted by start, not
/// overlapping, as the editor writes them) marked in place.
pub fn render(text: &str, removed: &[Removal], style: Style) -> String {
    let mut out = String::with_capacity(text.len() + removed.len() * 48);
    let mut pos = 0;
    for r in removed {
        let (start, end) = (r.start.max(pos), r.end.min(text.len()));
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        push_safe(&mut out, &text[pos..start]);
        // A span that ends with its line break gets its tag before the break, so the
        // tag stays on the line it explains.
        let span = &text[start..end];
        let body = span.trim_end_matches(['\n', '\r']);
        let breaks = &span[body.len()..];
        let tag = tag(r.rule, r.detail.as_deref());
        match style {
            Style::Plain => {
                out.push_str("[-");
                push_safe(&mut out, body);
                out.push_str("-]{");
                out.push_str(&tag);
                out.push('}');
                if let Some(with) = &r.replacement {
                    out.push_str("{+");
                    push_safe(&mut out, with);
                    out.push_str("+}");
                }
            }
            Style::Ansi => {
                let colour = colour(r.rule);
                // Attributes are set again on every line: pagers reset them at breaks.
                for (i, line) in body.split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    let _ = write!(out, "\x1b[9;{colour}m");
                    push_safe(&mut out, line);
                    out.push_str(RESET);
                }
                let _ = write!(out, "\x1b[2;{colour}m[{tag}]{RESET}");
                if let Some(with) = &r.replacement {
                    let _ = write!(out, "\x1b[4;{colour}m");
                    push_safe(&mut out, with);
                    out.push_str(RESET);
                }
            }
        }
        out.push_str(breaks);
        pos = end;
    }
    push_safe(&mut out, &text[pos..]);
    out
}

/// `rule: key=value key=value word word`: the detail object flattened. Arrays of
/// strings (evidence lists) become their words; nested values stay compact JSON.
pub fn tag(rule: &str, detail: Option<&Value>) -> String {
    let mut out = rule.to_string();
    let Some(detail) = detail else {
        return out;
    };
    let mut words = Vec::new();
    match detail {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::Array(items) if items.iter().all(Value::is_string) => {
                        words.extend(items.iter().filter_map(Value::as_str).map(str::to_string));
                    }
                    Value::String(s) => words.push(format!("{k}={s}")),
                    other => words.push(format!("{k}={other}")),
                }
            }
        }
        other => words.push(other.to_string()),
    }
    if !words.is_empty() {
        out.push_str(": ");
        out.push_str(&words.join(" "));
    }
    out
}

fn colour(rule: &str) -> &'static str {
    let h = rule
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    COLOURS[h as usize % COLOURS.len()]
}

/// Copies text, replacing control characters other than line breaks and tabs, so a
/// document cannot drive the terminal (an ESC in scraped text would).
fn push_safe(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
            out.push('\u{FFFD}');
        } else {
            out.push(c);
        }
    }
}

/// What `chaff explain` shows: documents cleaned one by one, and inputs that could
/// not become documents.
pub struct Explained {
    pub cleaned: Vec<Cleaned>,
    pub bad: Vec<BadInput>,
}

/// Reads the first `n` documents of `input` (a `.txt` file, a JSONL file or `-` for
/// JSONL on stdin) and cleans each with the same [`Cleaner`] as `chaff clean`.
/// Global stages (dedup) compare documents across a run, so they do not apply here;
/// the repetition counts some rules use come from these `n` documents, as they would
/// in a run over the same input.
pub fn clean_first(input: &str, n: usize, cfg: &Config) -> anyhow::Result<Explained> {
    let discovery = discover(&[input.to_string()]).map_err(|e| anyhow::anyhow!(e))?;
    let mut items = Vec::new();
    for file in &discovery.files {
        if items.len() >= n {
            break;
        }
        read_file(file, &cfg.input, &mut |item| {
            items.push(item);
            items.len() < n
        });
    }
    let mut cleaner = Cleaner::new(cfg)?;
    if cleaner.wants_line_counts() && discovery.files.iter().all(|f| f.size.is_some()) {
        let r = &cfg.repetition;
        let mut counts = LineCounts::new(r.sketch_depth, r.sketch_width_bits);
        for item in &items {
            if let Item::Doc(d) = item {
                counts.add_document(&d.text);
            }
        }
        cleaner.set_line_counts(counts);
    }
    let mut out = Explained {
        cleaned: Vec::new(),
        bad: Vec::new(),
    };
    for item in items {
        match item {
            Item::Doc(d) => out.cleaned.push(cleaner.clean(d)),
            Item::Bad(b) => out.bad.push(b),
        }
    }
    Ok(out)
}

/// A one-line heading for a cleaned document: id, where it came from, the outcome.
pub fn heading(c: &Cleaned) -> String {
    let place = match c.doc.source.line {
        Some(l) => format!("{}:{l}", c.doc.source.path),
        None => c.doc.source.path.clone(),
    };
    let outcome = match &c.rejection {
        None => "kept".to_string(),
        Some(r) => format!("rejected: {}", r.reason.as_str()),
    };
    let bytes: usize = c.edited.removed.iter().map(|r| r.end - r.start).sum();
    format!(
        "=== {} ({place}): {outcome}; {} spans, {bytes} of {} bytes removed ===",
        c.doc.id,
        c.edited.removed.len(),
        c.doc.text.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn removal(rule: &'static str, text: &str, start: usize, end: usize, d: Value) -> Removal {
        Removal {
            rule,
            start,
            end,
            text: text[start..end].to_string(),
            detail: Some(std::sync::Arc::new(d)),
            replacement: None,
        }
    }

    #[test]
    fn plain_marks_each_span_with_its_tag() {
        let text = "2023-08-30\nBody text here.\nSee also: more\n";
        let removed = vec![
            removal(
                "header",
                text,
                0,
                11,
                json!({"key": "date", "value": "2023-08-30"}),
            ),
            removal(
                "blocks",
                text,
                27,
                41,
                json!({"lines": 1, "cohesion": 0.25, "evidence": ["after_body", "fragments:1/1"]}),
            ),
        ];
        assert_eq!(
            render(text, &removed, Style::Plain),
            "[-2023-08-30-]{header: key=date value=2023-08-30}\nBody text here.\n\
             [-See also: more-]{blocks: lines=1 cohesion=0.25 after_body fragments:1/1}\n"
        );
    }

    #[test]
    fn any_rule_and_detail_shape_gets_a_tag() {
        let d = json!({"of": "doc-1#3", "similarity": 0.91});
        assert_eq!(
            tag("near_duplicate", Some(&d)),
            "near_duplicate: of=doc-1#3 similarity=0.91"
        );
        assert_eq!(tag("marker", None), "marker");
        assert_eq!(tag("x", Some(&json!({"n": {"a": 1}}))), "x: n={\"a\":1}");
        assert_eq!(tag("x", Some(&json!(7))), "x: 7");
    }

    #[test]
    fn text_without_removals_is_unchanged_and_escapes_are_neutralised() {
        assert_eq!(render("a\nb\n", &[], Style::Plain), "a\nb\n");
        assert_eq!(render("a\x1b[2Jb", &[], Style::Plain), "a\u{FFFD}[2Jb");
    }

    #[test]
    fn replacement_follows_the_tag() {
        let text = "a%20b rest";
        let mut r = removal("encoded", text, 0, 5, json!({"mode": "decode"}));
        r.replacement = Some("a b".into());
        assert_eq!(
            render(text, &[r], Style::Plain),
            "[-a%20b-]{encoded: mode=decode}{+a b+} rest"
        );
    }

    #[test]
    fn inline_span_keeps_surrounding_text() {
        let text = "Prices rose. Advertisement Shares fell.";
        let removed = vec![removal("marker", text, 13, 27, json!({"pattern": "glued"}))];
        assert_eq!(
            render(text, &removed, Style::Plain),
            "Prices rose. [-Advertisement -]{marker: pattern=glued}Shares fell."
        );
    }

    #[test]
    fn ansi_strikes_every_line_of_a_span() {
        let text = "keep\nnoise one\nnoise two\nkeep\n";
        let removed = vec![removal("blocks", text, 5, 24, json!({"lines": 2}))];
        let out = render(text, &removed, Style::Ansi);
        assert_eq!(out.matches("\x1b[9;").count(), 2, "{out:?}");
        assert!(out.contains("[blocks: lines=2]"));
        assert!(out.starts_with("keep\n") && out.ends_with("\nkeep\n"));
    }
}
