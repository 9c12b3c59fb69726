//! The one place that cuts text. Rules report verdicts; `apply` resolves overlaps
//! (a byte belongs to the first verdict that claimed it, so every removed byte traces
//! to exactly one rule), builds the audit, and builds the clean text.
//!
//! Clean text is the original minus the removed spans, with whitespace normalised:
//! runs of spaces collapse to one, lines are trimmed, a line left empty by a removal
//! disappears with its line ending, runs of blank lines become one blank line, and a
//! cut between two glued words leaves a single space. No other byte changes.

use crate::doc::{Removal, Verdict};
use crate::text::{ceil_boundary, floor_boundary, lines, word_runs};

/// The result of editing one document.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Edited {
    pub text: String,
    /// Removed spans, sorted by `start`, never overlapping.
    pub removed: Vec<Removal>,
    /// For each line of `text`: its byte range there and the range of the original
    /// text it came from (first to last kept byte), so global stages can turn a clean
    /// line back into a verdict on the original.
    pub lines: Vec<LineMap>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMap {
    pub clean_start: usize,
    pub clean_end: usize,
    pub orig_start: usize,
    pub orig_end: usize,
}

/// Resolves `verdicts` against `original` and builds the clean text and audit.
pub fn apply(original: &str, verdicts: &[Verdict]) -> Edited {
    let removed = claim(original, verdicts);
    let (text, lines) = render(original, &removed, None);
    Edited {
        text,
        removed,
        lines,
    }
}

/// Gives each byte to the first verdict that asks for it; a later verdict keeps only
/// the pieces nobody claimed before it. A replacement goes with the first piece of its
/// verdict, so it appears once, where the verdict's span began.
fn claim(original: &str, verdicts: &[Verdict]) -> Vec<Removal> {
    // Claimed intervals, kept sorted and disjoint.
    let mut taken: Vec<(usize, usize, usize, bool)> = Vec::new(); // (start, end, verdict, first piece)
    for (vi, v) in verdicts.iter().enumerate() {
        let start = floor_boundary(original, v.start);
        let end = ceil_boundary(original, v.end.max(v.start));
        if start >= end {
            continue;
        }
        let mut pieces = Vec::new();
        let mut pos = start;
        let first = taken.partition_point(|t| t.1 <= start);
        for t in &taken[first..] {
            if t.0 >= end {
                break;
            }
            if t.0 > pos {
                pieces.push((pos, t.0));
            }
            pos = pos.max(t.1);
        }
        if pos < end {
            pieces.push((pos, end));
        }
        // A verdict split by earlier claims keeps only pieces with text in them: a lone
        // line ending between two other rules' spans is not worth an audit entry.
        if pieces.len() > 1 {
            pieces.retain(|&(s, e)| !original[s..e].trim().is_empty());
        }
        for (i, (s, e)) in pieces.into_iter().enumerate() {
            let at = taken.partition_point(|t| t.0 < s);
            taken.insert(at, (s, e, vi, i == 0));
        }
    }
    taken
        .into_iter()
        .map(|(start, end, vi, first)| Removal {
            rule: verdicts[vi].rule,
            start,
            end,
            text: original[start..end].to_string(),
            replacement: if first {
                verdicts[vi].replacement.clone()
            } else {
                None
            },
            detail: verdicts[vi].detail.clone(),
        })
        .collect()
}

/// Where each non-whitespace char of a clean text came from: (clean offset, original
/// start, original end), in clean order. A char of a replacement maps to the whole
/// span it replaced.
pub type CharMap = Vec<(usize, usize, usize)>;

/// The clean text of `edited` as a map back to `original` (built only on demand: the
/// cleaner needs it when it cleans a clean text again).
pub fn char_map(original: &str, edited: &Edited) -> CharMap {
    let mut map = Vec::new();
    render(original, &edited.removed, Some(&mut map));
    map
}

/// Maps the clean range `start..end` back to the original: from the first kept char at
/// or after `start` to the end of the last one before `end`.
pub fn to_original(map: &CharMap, start: usize, end: usize) -> Option<(usize, usize)> {
    let first = map.partition_point(|m| m.0 < start);
    let last = map.partition_point(|m| m.0 < end);
    if first >= last {
        return None;
    }
    let s = map[first..last].iter().map(|m| m.1).min()?;
    let e = map[first..last].iter().map(|m| m.2).max()?;
    Some((s, e))
}

/// One line of clean text being built: words from kept pieces and replacements, joined
/// by single spaces, with where each char came from.
struct LineOut {
    text: String,
    need_space: bool,
    first: Option<usize>,
    last: usize,
    record: bool,
    map: CharMap,
}

impl LineOut {
    fn start(&mut self, at: usize, record: bool) {
        self.text.clear();
        self.map.clear();
        self.need_space = false;
        self.first = None;
        self.last = at;
        self.record = record;
    }

    /// A cut, or whitespace: the next word is separated by one space.
    fn space(&mut self) {
        self.need_space = !self.text.is_empty();
    }

    /// The kept piece `s`, which starts at `base` in the original: words go in whole.
    fn push_str(&mut self, s: &str, base: usize) {
        if self.record {
            for (i, ch) in s.char_indices() {
                self.push(ch, base + i, base + i + ch.len_utf8());
            }
            return;
        }
        let mut at = 0;
        for (i, j) in word_runs(s) {
            if i > at {
                self.space();
            }
            if self.need_space {
                self.text.push(' ');
                self.need_space = false;
            }
            self.text.push_str(&s[i..j]);
            self.first.get_or_insert(base + i);
            self.last = self.last.max(base + j);
            at = j;
        }
        if at < s.len() {
            self.space();
        }
    }

    /// `ch`, which stands for `from..to` of the original.
    fn push(&mut self, ch: char, from: usize, to: usize) {
        if ch.is_whitespace() {
            self.space();
            return;
        }
        if self.need_space {
            self.text.push(' ');
            self.need_space = false;
        }
        if self.record {
            self.map.push((self.text.len(), from, to));
        }
        self.text.push(ch);
        self.first.get_or_insert(from);
        self.last = self.last.max(to);
    }
}

fn render(
    original: &str,
    removed: &[Removal],
    mut record: Option<&mut CharMap>,
) -> (String, Vec<LineMap>) {
    let mut out = String::with_capacity(original.len());
    let mut maps = Vec::new();
    let mut line_out = LineOut {
        text: String::new(),
        need_space: false,
        first: None,
        last: 0,
        record: false,
        map: Vec::new(),
    };
    let mut pending_blank = false;
    let mut r = 0;
    // Removals before this index have had their replacement written (a span that
    // crosses lines is visited once per line, its replacement goes in once).
    let mut replaced_upto = 0;
    for line in lines(original) {
        while r < removed.len() && removed[r].end <= line.start {
            r += 1;
        }
        let content = line.text(original);
        if content.trim().is_empty() {
            // A blank line inside a removed block is part of that block.
            let inside = removed[r..]
                .first()
                .is_some_and(|x| x.start <= line.start && x.end >= line.end);
            if !inside && !out.is_empty() {
                pending_blank = true;
            }
            continue;
        }
        if record.is_none() && removed.get(r).is_none_or(|x| x.start >= line.end) {
            // Nothing cut from this line (most lines): its words go straight to `out`,
            // one space apart, as `LineOut::push_str` would join them.
            let mut runs = word_runs(content);
            let Some((first, mut last)) = runs.next() else {
                continue;
            };
            if !out.is_empty() {
                out.push_str(if pending_blank { "\n\n" } else { "\n" });
            }
            pending_blank = false;
            let clean_start = out.len();
            out.push_str(&content[first..last]);
            for (i, j) in runs {
                out.push(' ');
                out.push_str(&content[i..j]);
                last = j;
            }
            maps.push(LineMap {
                clean_start,
                clean_end: out.len(),
                orig_start: line.start + first,
                orig_end: line.start + last,
            });
            continue;
        }
        line_out.start(line.start, record.is_some());
        let mut pos = line.start;
        let mut k = r;
        loop {
            let cut = removed.get(k).filter(|x| x.start < line.end);
            let piece_end = cut.map_or(line.end, |x| x.start.max(pos));
            line_out.push_str(&original[pos..piece_end], pos);
            let Some(x) = cut else { break };
            line_out.space();
            if let Some(rep) = x.replacement.as_deref().filter(|_| k >= replaced_upto) {
                replaced_upto = k + 1;
                for ch in rep.chars() {
                    line_out.push(ch, x.start, x.end);
                }
                line_out.space();
            }
            pos = x.end.min(line.end).max(pos);
            k += 1;
        }
        let Some(first_kept) = line_out.first else {
            continue;
        };
        if !out.is_empty() {
            out.push_str(if pending_blank { "\n\n" } else { "\n" });
        }
        pending_blank = false;
        if let Some(rec) = record.as_deref_mut() {
            rec.extend(line_out.map.iter().map(|&(c, s, e)| (c + out.len(), s, e)));
        }
        maps.push(LineMap {
            clean_start: out.len(),
            clean_end: out.len() + line_out.text.len(),
            orig_start: first_kept,
            orig_end: line_out.last,
        });
        out.push_str(&line_out.text);
    }
    (out, maps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(rule: &'static str, s: usize, e: usize) -> Verdict {
        Verdict::new(rule, s, e)
    }

    #[test]
    fn no_verdicts_only_normalises_whitespace() {
        let e = apply("  a  b \r\n\n\n c\n", &[]);
        assert_eq!(e.text, "a b\n\nc");
        assert!(e.removed.is_empty());
    }

    #[test]
    fn removed_line_takes_its_line_ending() {
        let t = "one\nnoise\ntwo";
        let e = apply(t, &[v("r", 4, 9)]);
        assert_eq!(e.text, "one\ntwo");
        assert_eq!(e.removed[0].text, "noise");
    }

    #[test]
    fn removed_paragraph_leaves_one_blank_line() {
        let t = "one\n\nnoise\n\ntwo";
        let e = apply(t, &[v("r", 5, 10)]);
        assert_eq!(e.text, "one\n\ntwo");
    }

    #[test]
    fn block_with_inner_blank_lines_does_not_split_paragraphs() {
        let t = "one\nA\n\nB\ntwo";
        let e = apply(t, &[v("r", 4, 9)]);
        assert_eq!(e.text, "one\ntwo");
    }

    #[test]
    fn glued_cut_leaves_a_space() {
        let t = "end.Marker Next";
        let e = apply(t, &[v("r", 4, 10)]);
        assert_eq!(e.text, "end. Next");
        let e = apply("end.MarkerNext", &[v("r", 4, 10)]);
        assert_eq!(e.text, "end. Next");
    }

    #[test]
    fn overlaps_go_to_the_first_claim() {
        let t = "0123456789";
        let e = apply(t, &[v("a", 2, 5), v("b", 4, 8), v("c", 0, 10)]);
        let got: Vec<_> = e.removed.iter().map(|r| (r.rule, r.start, r.end)).collect();
        assert_eq!(got, [("c", 0, 2), ("a", 2, 5), ("b", 5, 8), ("c", 8, 10)]);
        assert_eq!(e.text, "");
    }

    #[test]
    fn split_verdicts_drop_whitespace_only_pieces() {
        let t = "A\nB\nC";
        let e = apply(t, &[v("a", 0, 1), v("a", 2, 3), v("b", 0, 5)]);
        let got: Vec<_> = e
            .removed
            .iter()
            .map(|r| (r.rule, r.text.as_str()))
            .collect();
        assert_eq!(got, [("a", "A"), ("a", "B"), ("b", "\nC")]);
        assert_eq!(e.text, "");
    }

    #[test]
    fn offsets_snap_to_char_boundaries() {
        let t = "a“b”c";
        let e = apply(t, &[v("r", 2, 3)]);
        assert_eq!(e.removed[0].text, "“");
        assert_eq!(&t[e.removed[0].start..e.removed[0].end], "“");
    }

    #[test]
    fn replacement_takes_the_place_of_the_span() {
        let t = "Intro.\nThe%20blob%0Aline\nEnd.";
        let blob = t.find("The%20").unwrap();
        let end = blob + "The%20blob%0Aline".len();
        let e = apply(
            t,
            &[v("r", blob, end).with_replacement("The blob\nline".into())],
        );
        // Inserted text is whitespace-normalised like kept text.
        assert_eq!(e.text, "Intro.\nThe blob line\nEnd.");
        assert_eq!(e.removed[0].text, &t[blob..end]);
        assert_eq!(e.removed[0].replacement.as_deref(), Some("The blob\nline"));
        assert_eq!(apply(&e.text, &[]).text, e.text);
        let m = e.lines[1];
        assert_eq!((m.orig_start, m.orig_end), (blob, end));
    }

    #[test]
    fn replacement_is_written_once_for_a_split_or_multiline_span() {
        let t = "a b\nc d";
        // An earlier claim splits the replacing verdict in two pieces.
        let e = apply(
            t,
            &[v("x", 2, 3), v("r", 0, 5).with_replacement("Z".into())],
        );
        assert_eq!(e.text, "Z\nd");
        let reps: Vec<_> = e
            .removed
            .iter()
            .filter_map(|r| r.replacement.clone())
            .collect();
        assert_eq!(reps, ["Z"]);
        assert_eq!(
            e.removed.iter().map(|r| r.rule).collect::<Vec<_>>(),
            ["r", "x", "r"]
        );
        // A glued replacement is separated by single spaces.
        let e = apply("x%20yEnd", &[v("r", 0, 5).with_replacement("x y".into())]);
        assert_eq!(e.text, "x y End");
    }

    #[test]
    fn line_maps_point_back_into_the_original() {
        let t = "xx one\nnoise\n  two  ";
        let e = apply(t, &[v("r", 0, 3), v("r", 7, 12)]);
        assert_eq!(e.text, "one\ntwo");
        let m = e.lines[1];
        assert_eq!(&e.text[m.clean_start..m.clean_end], "two");
        assert_eq!(&t[m.orig_start..m.orig_end], "two");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time path (no char map) builds the same text and line maps
        /// as the char-at-a-time path, for any mix of Unicode whitespace and cuts.
        #[test]
        fn fast_render_matches_char_render(
            text in "([a-zé€ .,]|[a-z~!\\x7fдé“]{5,20}|\u{1680}|\u{a0}|\u{2003}|\u{b}|\u{c}|\r|\t|\n|\u{85}|\u{3000}){0,80}",
            cuts in proptest::collection::vec((0usize..90, 0usize..12), 0..4),
        ) {
            let verdicts: Vec<Verdict> = cuts
                .iter()
                .map(|&(s, n)| Verdict::new("cut", s.min(text.len()), (s + n).min(text.len())))
                .collect();
            let removed = claim(&text, &verdicts);
            let mut map = Vec::new();
            let slow = render(&text, &removed, Some(&mut map));
            let fast = render(&text, &removed, None);
            prop_assert_eq!(slow, fast);
        }
    }
}
