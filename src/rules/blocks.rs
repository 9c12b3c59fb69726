//! `blocks`: off-topic blocks — navigation, sidebars, listicles, fact cards, related
//! story lists, footers — removed as whole units.
//!
//! Every line is scored from its form alone (no word lists): long lines that end like
//! sentences are article-like; short lines without sentence endings, `Key: value`
//! lines, bullets and link-like lines are not. The article body is the contiguous run
//! of lines with the highest total score (a maximum-sum window), so everything before
//! it (menus, headline, byline) and after it (sidebars, footers) is off the body.
//! Inside the body, a run of several non-sentence lines is a block too; it is removed
//! when its evidence says so, cohesion with the body first: a list that shares almost
//! no content words with the article is not part of it. One-line subheadings, quotes
//! and short one-sentence paragraphs inside the body stay.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::trim_range;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// A line with at least this many words that ends like a sentence is article-like.
    pub sentence_words: usize,
    /// A line this long counts as article-like even without a sentence ending.
    pub long_words: usize,
    /// Score of a non-sentence line: -(line_penalty + words * word_penalty).
    pub line_penalty: f64,
    pub word_penalty: f64,
    /// Score of a `Key: value` or bullet line: -structured_penalty.
    pub structured_penalty: f64,
    /// A prose line scores its word count, capped here: one enormous line (a page's
    /// whole description repeated in a meta tag) must not pull far-off junk into the body.
    pub max_line_score: f64,
    /// Score of a short line that ends like a sentence, per word.
    pub short_sentence_weight: f64,
    /// Inside the body, a run of at least this many non-sentence lines is a block.
    pub inner_block_lines: usize,
    /// Inside the body, a lone fragment of at most this many words with text removed
    /// by earlier rules right above and right below it is what is left of a box (0:
    /// off).
    pub orphan_words: usize,
    /// A body segment beyond a gap stays when it shares at least this share of content
    /// words with the core segment.
    pub segment_cohesion: f64,
    /// A body segment with at least this share of the core's prose words stays
    /// whatever its cohesion.
    pub segment_size_ratio: f64,
    /// Inside the body, a run with at least this many `Key: value` lines (and mostly
    /// such lines) is a fact card and removed whatever its cohesion (0: off).
    pub card_lines: usize,
    /// A body segment must also share at least this fraction of the core's own
    /// cohesion (the median share of a core paragraph's content words found in its
    /// other paragraphs) to stay (0: off).
    pub relative_cohesion: f64,
    /// The body's last section (from its last heading-like line) is peeled off when it
    /// holds at most this share of the rest's prose words and fails the cohesion bar
    /// (0: off).
    pub tail_section_share: f64,
    /// A last section with this many prose lines or more is never peeled (0: off).
    pub tail_section_paragraphs: usize,
    /// Non-sentence lines in a row that split the body into segments.
    pub gap_lines: usize,
    /// An inner block sharing fewer content words than this with the body is removed.
    pub min_cohesion: f64,
    /// Words of at least this many characters count as content words for cohesion.
    pub content_word_chars: usize,
    /// A line found in at least this many documents of the run is template text (0:
    /// off, and no first pass over the input is made for this rule).
    pub template_min_docs: u32,
    /// A long sentence-like line must be found in this many documents to count as
    /// template: wire copy reprinted by a few outlets is the deduper's business.
    pub template_min_docs_prose: u32,
    /// Documents with fewer scored lines than this are left alone.
    pub min_lines: usize,
    /// A line of at least this many words ending in `:` right after the body
    /// introduces a list that belongs to the article (`The tour dates:`); the items
    /// under it (non-sentence lines of three words or more, not repeated) stay (0: off).
    pub intro_words: usize,
    /// After the core, a gap holding at least `gap_lines` fragments of this many words
    /// or more (a list of headlines) ends the article: the segment beyond it stays only
    /// when it is substantial, not merely on shared words (0: off).
    pub teaser_words: usize,
    /// A key (`Q`, `A`, a speaker's name) that opens at least this many prose lines is
    /// the voice of an interview or a transcript: its short `Key: value` lines are
    /// exchanges of the same dialogue, not a fact card (0: off).
    pub dialogue_lines: usize,
    /// In a numbered list the article introduces with a colon, up to this many lines
    /// between item `n` and item `n + 1` (a shop link, a price) belong to the item (0: off).
    pub item_lines: usize,
    /// An embedded post (`text` then `— Name (@handle) Month D, YYYY`) quotes up to this
    /// many lines before its attribution line; all of them count as short sentences
    /// (0: off).
    pub embed_lines: usize,
    /// The segment that opens the body window, when it holds at most one sentence
    /// line, stays only when it is substantial (or beyond a listicle gap), not merely
    /// on shared words: a standfirst above the byline block sums up the article, so it
    /// always shares its words.
    pub lead_by_size: bool,
    /// Inside the body, a run whose shape (its lines' forms in order) recurs in at
    /// least this many runs of the body is an item header of a listicle, kept whatever
    /// its cohesion; runs of plain fragments or template lines do not count (0: off).
    pub item_runs: usize,
    /// An author box ends the body: among its last `author_lines` lines, one whose
    /// first words hold a two-word name that stands in a short line before the body or
    /// in a fragment among the body's first `author_lines` lines (the byline) while its
    /// second word appears nowhere else in the body above it; the
    /// section from there (with a heading line right above) goes when it holds at most
    /// `tail_section_share` of the rest's prose words (0: off).
    pub author_lines: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sentence_words: 8,
            long_words: 30,
            line_penalty: 2.0,
            word_penalty: 1.0,
            structured_penalty: 2.0,
            max_line_score: 50.0,
            short_sentence_weight: 0.5,
            inner_block_lines: 2,
            orphan_words: 3,
            gap_lines: 3,
            segment_cohesion: 0.15,
            segment_size_ratio: 0.5,
            relative_cohesion: 0.4,
            tail_section_share: 0.25,
            tail_section_paragraphs: 3,
            card_lines: 3,
            min_cohesion: 0.2,
            content_word_chars: 5,
            min_lines: 3,
            template_min_docs: 5,
            template_min_docs_prose: 50,
            intro_words: 4,
            teaser_words: 4,
            dialogue_lines: 2,
            item_lines: 2,
            embed_lines: 3,
            lead_by_size: true,
            item_runs: 3,
            author_lines: 3,
        }
    }
}

impl RuleConfig for Config {
    const ID: &'static str = "blocks";
    const DESCRIPTION: &'static str = "off-topic blocks (menus, sidebars, lists, fact cards, footers) outside or within the article body";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        Ok(Box::new(Blocks { cfg: self.clone() }))
    }
}

struct Blocks {
    cfg: Config,
}

/// What a line looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Long and ends like a sentence: article-like.
    Prose,
    /// Ends like a sentence but short.
    ShortSentence,
    /// `Key: value` with a short key.
    KeyValue,
    /// Starts with a bullet or list number.
    Bullet,
    /// Short, no sentence ending (headings, menu items, list entries).
    Fragment,
}

struct LineInfo {
    start: usize,
    end: usize,
    words: usize,
    shape: Shape,
    link_like: bool,
    /// A table cell: digits and at most two letters (`63`, `85%`, `3-2`, `$40`).
    numeric: bool,
    /// The same text occurs on another line of this document, or in many documents of
    /// the run (template text).
    repeated: bool,
    template: bool,
    /// A teaser card's headline glued to its blurb (see [`glued_headline`]), next to
    /// another such line.
    glued: bool,
    /// An introduction (a line of `intro_words` or more ending in `:`) or one of the
    /// non-sentence lines right under it (see [`mark_introduced`]).
    introduced: bool,
    /// This line's content-word stems: a range of the document's stem list.
    stems: (u32, u32),
}

impl LineInfo {
    fn is_sentence(&self) -> bool {
        matches!(self.shape, Shape::Prose | Shape::ShortSentence)
    }
}

/// What [`Blocks::describe`], the stems and the template lookup give a line: all of
/// it depends on the line's text alone. (The word count reads CJK only in a document
/// that may have some; a line that may have none counts the same either way, and a
/// line that may have some makes its document one that may.)
#[derive(Clone, Copy)]
struct Facts {
    words: usize,
    shape: Shape,
    link_like: bool,
    numeric: bool,
    template: bool,
}

impl Facts {
    fn line(self, start: usize, end: usize, stems: (u32, u32)) -> LineInfo {
        LineInfo {
            start,
            end,
            words: self.words,
            shape: self.shape,
            link_like: self.link_like,
            numeric: self.numeric,
            repeated: false,
            template: self.template,
            glued: false,
            introduced: false,
            stems,
        }
    }
}

/// The lines one pass described, for the next pass over the clean text (see
/// [`super::Carry`]): most of them are still there, unchanged.
pub struct Carried {
    /// The lines' texts, one after another.
    text: String,
    /// Sorted by hash.
    lines: Vec<CarriedLine>,
    stems: Vec<u64>,
}

struct CarriedLine {
    /// Of the line's text.
    hash: u64,
    /// Where the text is in [`Carried::text`].
    text: (u32, u32),
    facts: Facts,
    /// Where the stems are in [`Carried::stems`].
    stems: (u32, u32),
}

impl Carried {
    fn of(text: &str, lines: &[LineInfo], flat: &[u64]) -> Carried {
        let mut c = Carried {
            text: String::with_capacity(lines.iter().map(|l| l.end - l.start).sum()),
            lines: Vec::with_capacity(lines.len()),
            stems: Vec::with_capacity(flat.len()),
        };
        for l in lines {
            let t = &text[l.start..l.end];
            let at = c.text.len() as u32;
            c.text.push_str(t);
            let from = c.stems.len() as u32;
            c.stems
                .extend_from_slice(&flat[l.stems.0 as usize..l.stems.1 as usize]);
            let facts = Facts {
                words: l.words,
                shape: l.shape,
                link_like: l.link_like,
                numeric: l.numeric,
                template: l.template,
            };
            c.lines.push(CarriedLine {
                hash: xxhash_rust::xxh3::xxh3_64(t.as_bytes()),
                text: (at, c.text.len() as u32),
                facts,
                stems: (from, c.stems.len() as u32),
            });
        }
        c.lines.sort_unstable_by_key(|l| l.hash);
        c
    }

    /// The facts and stems of a line with this text, if the pass before had one.
    fn find(&self, line: &str) -> Option<(Facts, &[u64])> {
        if line.is_empty() {
            return None;
        }
        let hash = xxhash_rust::xxh3::xxh3_64(line.as_bytes());
        let i = self.lines.partition_point(|l| l.hash < hash);
        self.lines[i..]
            .iter()
            .take_while(|l| l.hash == hash)
            .find(|l| &self.text[l.text.0 as usize..l.text.1 as usize] == line)
            .map(|l| (l.facts, &self.stems[l.stems.0 as usize..l.stems.1 as usize]))
    }
}

impl Blocks {
    /// `cjk`: whether the text holds any CJK character (else words are counted by
    /// whitespace alone, which is the same count and one scan less per line).
    /// `words`: the span's whitespace-separated words, when the caller has them.
    fn describe(
        &self,
        text: &str,
        start: usize,
        end: usize,
        cjk: bool,
        words: Option<usize>,
    ) -> Option<LineInfo> {
        let (start, end) = trim_range(text, start, end);
        if start == end {
            return None;
        }
        let line = &text[start..end];
        let words = if cjk {
            crate::text::count_words_cjk(line)
        } else {
            words.unwrap_or_else(|| crate::text::count_words(line))
        };
        // A line cut off with an ellipsis is a teaser of text elsewhere (an excerpt
        // under a related link, a `more...` link), not a sentence of the article.
        let sentence = ends_like_sentence(line) && !ends_with_ellipsis(line);
        let shape = if is_bullet(line) {
            Shape::Bullet
        } else if is_key_value(line) && !(sentence && words >= self.cfg.sentence_words) {
            Shape::KeyValue
        } else if (sentence && words >= self.cfg.sentence_words)
            || (words >= self.cfg.long_words && has_clause_punctuation(line, words))
        {
            Shape::Prose
        } else if sentence && words >= 3 {
            Shape::ShortSentence
        } else {
            Shape::Fragment
        };
        Some(LineInfo {
            start,
            end,
            words,
            shape,
            link_like: is_link_like(line),
            numeric: is_numeric_cell(line),
            repeated: false,
            template: false,
            glued: false,
            introduced: false,
            stems: (0, 0),
        })
    }

    fn score(&self, l: &LineInfo) -> f64 {
        // An introduced list is the article's own: it neither adds to the body nor cuts
        // it, so the prose on either side of it can be one window.
        if l.introduced {
            return 0.0;
        }
        if l.repeated || l.template {
            return -(self.cfg.line_penalty
                + self.cfg.word_penalty * (l.words as f64).min(self.cfg.max_line_score));
        }
        match l.shape {
            Shape::Prose => (l.words as f64).min(self.cfg.max_line_score),
            Shape::ShortSentence => self.cfg.short_sentence_weight * l.words as f64,
            // Cards and lists cost a flat amount per line: inside the body they are judged
            // as blocks, and a long card must not cut the article in two.
            Shape::KeyValue | Shape::Bullet => -self.cfg.structured_penalty,
            Shape::Fragment => -(self.cfg.line_penalty + self.cfg.word_penalty * l.words as f64),
        }
    }
}

impl Rule for Blocks {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn line_count_need(&self) -> Option<u32> {
        (self.cfg.template_min_docs > 0).then(|| {
            self.cfg
                .template_min_docs
                .min(self.cfg.template_min_docs_prose)
        })
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        // Lines as they stand after earlier rules: what they removed is not scored.
        let mut removed: Vec<(usize, usize)> =
            found.verdicts.iter().map(|v| (v.start, v.end)).collect();
        removed.sort_unstable();
        let mut lines = Vec::with_capacity(doc.lines.len());
        let cjk = crate::text::may_have_cjk(text);
        // Each line's stems, hashed once: cohesion is measured several times over.
        // Seeds and bench pages have a content word in every 11 to 14 bytes: room for
        // one in eight is set aside once instead of growing a doubling at a time.
        let mut flat: Vec<u64> = Vec::with_capacity(text.len() / 8);
        // Lines the pass before described have the same shape, stems and template test
        // here: they depend on a line's text alone. The others are worked out, and
        // `fresh` lists them for the template lookups.
        let before = doc.carry.and_then(|c| c.blocks.borrow_mut().take());
        let mut fresh = Vec::new();
        for (k, l) in doc.lines.iter().enumerate() {
            for (s, e) in kept_pieces(l.start, l.end, &removed) {
                if let Some(before) = &before {
                    let (start, end) = trim_range(text, s, e);
                    if let Some((facts, stems)) = before.find(&text[start..end]) {
                        let from = flat.len() as u32;
                        flat.extend_from_slice(stems);
                        lines.push(facts.line(start, end, (from, flat.len() as u32)));
                        continue;
                    }
                }
                // A whole line's words are counted already (trimming changes no count).
                let words = (s == l.start && e == l.end).then(|| doc.words[k] as usize);
                if let Some(mut info) = self.describe(text, s, e, cjk, words) {
                    let from = flat.len() as u32;
                    stems(
                        &text[info.start..info.end],
                        self.cfg.content_word_chars,
                        |h| flat.push(h),
                    );
                    info.stems = (from, flat.len() as u32);
                    fresh.push(lines.len());
                    lines.push(info);
                }
            }
        }
        if let Some(dump) = doc.dump.filter(|_| self.cfg.template_min_docs > 0) {
            let template = dump.each_at_least(fresh.iter().map(|&i| {
                let l = &lines[i];
                let need = if l.shape == Shape::Prose {
                    self.cfg.template_min_docs_prose
                } else {
                    self.cfg.template_min_docs
                };
                (&text[l.start..l.end], need)
            }));
            for (&i, t) in fresh.iter().zip(template) {
                lines[i].template = t;
            }
        }
        if let Some(carry) = doc.carry {
            *carry.blocks.borrow_mut() = Some(Carried::of(text, &lines, &flat));
        }
        mark_repeated(text, &mut lines);
        mark_glued(text, &mut lines);
        if self.cfg.intro_words > 0 {
            mark_introduced(text, &mut lines, self.cfg.intro_words);
        }
        if self.cfg.dialogue_lines > 0 {
            mark_dialogue(text, &mut lines, self.cfg.dialogue_lines);
        }
        if self.cfg.embed_lines > 0 {
            mark_embeds(text, &mut lines, self.cfg.embed_lines);
        }
        if lines.len() < self.cfg.min_lines || !lines.iter().any(|l| l.shape == Shape::Prose) {
            return;
        }
        // Where an earlier rule found the article over (a comment feed), the body is
        // looked for only above that place, and everything below it is after the body.
        let article_lines = found
            .article_end
            .map(|at| lines.partition_point(|l| l.start < at))
            .filter(|&n| lines[..n].iter().any(|l| l.shape == Shape::Prose))
            .unwrap_or(lines.len());
        let scores: Vec<f64> = lines[..article_lines]
            .iter()
            .map(|l| self.score(l))
            .collect();
        let (window_start, window_end) = max_window(&scores);
        let (body_start, body_end, vocab) =
            self.trim_body(text, &flat, &lines, window_start, window_end);
        // An author box at the body's end is cut off before anything else looks there.
        let (body_end, author) = match self.author_box(text, &lines, body_start, body_end) {
            Some((k, name)) => (k, Some((body_end, name))),
            None => (body_end, None),
        };

        // A list the article introduces with a colon belongs to it.
        let mut after = body_end;
        if let Some((end, name)) = &author {
            let run = &lines[body_end..*end];
            let mut ev = evidence(run, "after_body");
            ev.push(format!("byline_name:{name}"));
            push(found, run, cohesion(run, &flat, &vocab), ev);
            after = *end;
        } else if self.cfg.intro_words > 0
            && after < article_lines
            && introduces(text, &lines[after], self.cfg.intro_words)
        {
            after += 1;
            // Its items: non-sentence lines of a few words, not page template. In a
            // numbered list, whatever stands between item `n` and item `n + 1` (a
            // link, a price) is part of item `n`.
            let mut number: Option<u32> = None;
            // An earlier rule's cut between two lines ends the list (as in
            // `mark_introduced`): what it removed was not the list.
            while after < article_lines && !cut_between(text, &lines[after - 1], &lines[after]) {
                let item = &lines[after];
                let n = list_number(&text[item.start..item.end]);
                if n.is_some() && (number.is_none() || n == number.map(|m| m + 1)) {
                    number = n;
                    after += 1;
                    continue;
                }
                if (item.is_sentence() && !continues(text, item))
                    || item.words < 3
                    || item.repeated
                    || item.template
                {
                    let next = number.and_then(|m| {
                        let reach = (after + 1 + self.cfg.item_lines).min(article_lines);
                        (after + 1..reach).find(|&k| {
                            lines[k].shape == Shape::Bullet
                                && list_number(&text[lines[k].start..lines[k].end]) == Some(m + 1)
                        })
                    });
                    let Some(k) = next.filter(|&k| lines[after..k].iter().all(|l| !l.template))
                    else {
                        break;
                    };
                    after = k;
                    continue;
                }
                after += 1;
                if item.is_sentence() {
                    break; // the last item closed the sentence
                }
            }
        }

        // Before and after the body: every run is off the body.
        self.emit_runs(&flat, &lines[..body_start], "before_body", &vocab, found);
        self.emit_runs(&flat, &lines[after..], "after_body", &vocab, found);

        // Inside the body: runs of non-sentence lines long enough to be blocks.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut i = body_start;
        while i < body_end {
            if lines[i].is_sentence() {
                i += 1;
                continue;
            }
            let run_start = i;
            while i < body_end && !lines[i].is_sentence() {
                i += 1;
            }
            if i - run_start >= self.cfg.inner_block_lines {
                runs.push((run_start, i));
            } else if i - run_start == 1 && self.is_orphan(text, &lines, run_start) {
                let run = &lines[run_start..i];
                let mut ev = evidence(run, "inside_body");
                ev.push("between_removals".to_string());
                push(found, run, cohesion(run, &flat, &vocab), ev);
            } // else a subheading
        }
        // A listicle's item header (a name, a photo credit, a handle) has the same
        // shape from item to item; teaser lists of plain fragments and template lines
        // look alike from card to card too, so they do not count.
        let signature = |&(a, b): &(usize, usize)| -> Option<Vec<(Shape, bool, bool)>> {
            let run = &lines[a..b];
            if run.iter().any(|l| l.template)
                || run.iter().all(|l| l.shape == Shape::Fragment && !l.numeric)
            {
                return None;
            }
            Some(
                run.iter()
                    .map(|l| (l.shape, l.numeric, l.link_like))
                    .collect(),
            )
        };
        let signatures: Vec<_> = runs.iter().map(signature).collect();
        for (k, &(run_start, run_end)) in runs.iter().enumerate() {
            let run = &lines[run_start..run_end];
            let item = self.cfg.item_runs > 0
                && signatures[k].is_some()
                && signatures.iter().filter(|s| **s == signatures[k]).count() >= self.cfg.item_runs;
            let shared = cohesion(run, &flat, &vocab);
            // A card of `Key: value` lines is a fact box even when it is about the story,
            // unless the article introduced them (`It will open in three phases:`).
            let card = run
                .iter()
                .filter(|l| l.shape == Shape::KeyValue && !l.introduced)
                .count();
            let is_card =
                self.cfg.card_lines > 0 && card >= self.cfg.card_lines && 2 * card >= run.len();
            // A list the article introduces belongs to it, whatever words it uses.
            let introduced = run[0].introduced;
            // A grid of cards repeats its button (`Check availability`, `Buy now`) inside
            // the one run: a widget, whatever it shares with the article, up to the last
            // copy of the button; what follows it (a subheading) is judged on its own.
            // (A table's repeated header cells, `Pos` / `Player`, are single words.)
            let grid = (!introduced && !is_card)
                .then(|| {
                    (1..run.len()).rev().find(|&b| {
                        let l = &run[b];
                        !l.numeric
                            && l.words >= 2
                            && run[..b]
                                .iter()
                                .any(|m| text[m.start..m.end] == text[l.start..l.end])
                    })
                })
                .flatten();
            if let Some(b) = grid {
                let (cards, rest) = run.split_at(b + 1);
                let mut ev = evidence(cards, "inside_body");
                ev.push("repeated_in_run".to_string());
                push(found, cards, cohesion(cards, &flat, &vocab), ev);
                let shared = cohesion(rest, &flat, &vocab);
                if rest.len() >= self.cfg.inner_block_lines && shared < self.cfg.min_cohesion {
                    let mut ev = evidence(rest, "inside_body");
                    ev.push("low_cohesion".to_string());
                    push(found, rest, shared, ev);
                }
            } else if (shared < self.cfg.min_cohesion && !item && !introduced) || is_card {
                let mut ev = evidence(run, "inside_body");
                ev.push(if is_card { "card" } else { "low_cohesion" }.to_string());
                push(found, run, shared, ev);
            }
        }
    }
}

impl Blocks {
    /// The window may have bridged a gap into text that is not the article (an author
    /// box, a teaser of another story). Split it at gaps of non-sentence lines, take the
    /// segment with the most prose as the core, and extend outwards only over segments
    /// that share enough content words with the core.
    fn trim_body(
        &self,
        text: &str,
        flat: &[u64],
        lines: &[LineInfo],
        start: usize,
        end: usize,
    ) -> (usize, usize, Vocab) {
        // The words of the sentence lines in `a..b`.
        let sentence_words = |a: usize, b: usize| -> usize {
            lines[a..b]
                .iter()
                .filter(|l| l.is_sentence())
                .map(|l| l.words)
                .sum()
        };
        let prose_words = |seg: &(usize, usize)| -> usize {
            lines[seg.0..seg.1]
                .iter()
                .filter(|l| l.shape == Shape::Prose && !l.repeated)
                .map(|l| l.words)
                .sum()
        };
        let vocab_of = |a: usize, b: usize| {
            content_words(lines[a..b].iter().filter(|l| l.shape == Shape::Prose), flat)
        };
        // Segments: split where `gap_lines` or more non-sentence lines follow each other.
        let mut segments: Vec<(usize, usize)> = Vec::new();
        let mut seg_start = start;
        let mut i = start;
        while i < end {
            if lines[i].is_sentence() {
                i += 1;
                continue;
            }
            // Table cells (`63`, `85%`) do not widen a gap: a stats table's rows are
            // a label, a name and numbers, and must not cut the article into pieces.
            // Nor does a list the article introduces (`Here is how I make it:`).
            let gap_start = i;
            let mut gap = 0;
            while i < end && !lines[i].is_sentence() {
                if !lines[i].numeric && !lines[i].introduced {
                    gap += 1;
                }
                i += 1;
            }
            if gap >= self.cfg.gap_lines && gap_start > seg_start && i < end {
                segments.push((seg_start, gap_start));
                seg_start = i;
            }
        }
        segments.push((seg_start, end));
        let Some(core) =
            (0..segments.len()).max_by_key(|&k| (prose_words(&segments[k]), std::cmp::Reverse(k)))
        else {
            return (start, end, vocab_of(start, end));
        };
        let vocab = vocab_of(segments[core].0, segments[core].1);
        let core_words = prose_words(&segments[core]) as f64;
        // A segment stays if it shares the core's vocabulary, or if it is nearly as
        // substantial as the core itself (an article's second half after a fact box need
        // not repeat the lede's words; an author box or a teaser is small).
        // How much the core's own paragraphs share with each other: a long article has a
        // large vocabulary that any text on a nearby subject meets, so a segment must
        // come within `relative_cohesion` of the article's own level, not just pass the
        // absolute floor.
        let own = self_cohesion(&lines[segments[core].0..segments[core].1], flat);
        let need = self
            .cfg
            .segment_cohesion
            .max(self.cfg.relative_cohesion * own);
        let cohesive = |seg: &(usize, usize)| {
            prose_words(seg) as f64 >= self.cfg.segment_size_ratio * core_words
                || cohesion(&lines[seg.0..seg.1], flat, &vocab) >= need
        };
        // A listicle repeats its item header (a name, a price, a shop link) between
        // paragraphs that share few words with each other: once a gap of one shape is
        // inside the body, the same shape again is the same structure, and the segment
        // beyond it belongs too. Gaps of lines repeated elsewhere on the page (share
        // bars, menus) do not count, nor gaps of plain fragments only: a teaser list's
        // kicker, title and source line look alike from card to card too.
        let gap_shape = |a: usize, b: usize| -> Option<Vec<(Shape, bool)>> {
            let gap = &lines[a..b];
            if gap.iter().any(|l| l.template)
                || gap.iter().all(|l| l.repeated)
                || gap.iter().all(|l| l.shape == Shape::Fragment && !l.numeric)
            {
                return None;
            }
            Some(gap.iter().map(|l| (l.shape, l.numeric)).collect())
        };
        let mut crossed: Vec<Vec<(Shape, bool)>> = Vec::new();
        let mut first = core;
        let mut last = core;
        loop {
            let mut grew = false;
            if first > 0 {
                let shape = gap_shape(segments[first - 1].1, segments[first].0);
                let same = shape.as_ref().is_some_and(|g| crossed.contains(g));
                let prev = &segments[first - 1];
                // A standfirst: one sentence opening the window, then a gap.
                let sentences = lines[prev.0..prev.1]
                    .iter()
                    .filter(|l| l.is_sentence())
                    .count();
                let ok = if self.cfg.lead_by_size && sentences <= 1 && first == 1 {
                    prose_words(prev) as f64 >= self.cfg.segment_size_ratio * core_words
                } else {
                    cohesive(prev)
                };
                if same || ok {
                    crossed.extend(shape);
                    first -= 1;
                    grew = true;
                }
            }
            if last + 1 < segments.len() {
                let shape = gap_shape(segments[last].1, segments[last + 1].0);
                let same = shape.as_ref().is_some_and(|g| crossed.contains(g));
                let next = &segments[last + 1];
                let ok = if self.is_headline_list(text, &lines[segments[last].1..next.0]) {
                    prose_words(next) as f64 >= self.cfg.segment_size_ratio * core_words
                } else {
                    cohesive(next)
                };
                if same || ok {
                    crossed.extend(shape);
                    last += 1;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        let (b_start, mut b_end) = (segments[first].0, segments[last].1);
        // The body's last section — a heading (a fragment or a `Key: value` line) and
        // the few lines under it — may be an author box, a company's boilerplate, a
        // disclosure or a teaser card with no gap before it.
        // Peel such sections while they are small and far less cohesive with the rest
        // of the body than the article is with itself.
        if self.cfg.tail_section_share > 0.0 {
            // An `About <Name>` heading opens the company's or the outlet's boilerplate
            // (and what follows it: a disclaimer, a contact): it is about the same
            // company as the release, so it shares its words, and only its size
            // decides: it goes unless it is substantial (`segment_size_ratio` of the
            // rest, as a segment beyond a gap).
            let small = |head: usize| {
                (sentence_words(head, b_end) as f64)
                    < self.cfg.segment_size_ratio * prose_words(&(b_start, head)) as f64
            };
            if let Some(head) = (b_start + 1..b_end).rev().find(|&k| {
                lines[k].shape == Shape::Fragment
                    && lines[k].words <= ABOUT_HEADING_WORDS
                    && is_about_heading(&text[lines[k].start..lines[k].end])
            }) && small(head)
            {
                b_end = head;
            }
            let need = self
                .cfg
                .segment_cohesion
                .max(self.cfg.relative_cohesion * own);
            while let Some(mut head) = (b_start + 1..b_end)
                .rev()
                .find(|&k| matches!(lines[k].shape, Shape::Fragment | Shape::KeyValue))
            {
                // An item of an introduced list is no heading: the section starts at
                // the introduction.
                while head > b_start + 1 && lines[head].introduced && lines[head - 1].introduced {
                    head -= 1;
                }
                // A listicle's last item is no tail: its header has the shape crossed.
                let mut g = head;
                while g > b_start && !lines[g - 1].is_sentence() {
                    g -= 1;
                }
                let mut e = head;
                while e < b_end && !lines[e].is_sentence() {
                    e += 1;
                }
                if gap_shape(g, e).is_some_and(|s| crossed.contains(&s)) {
                    break;
                }
                let section = &lines[head..b_end];
                let words = sentence_words(head, b_end);
                let rest = prose_words(&(b_start, head));
                if words == 0 || words as f64 > self.cfg.tail_section_share * rest as f64 {
                    break;
                }
                // Three paragraphs under a heading are the article's closing section (a
                // review's `Where it falters`); a box or a teaser is one or two.
                let paragraphs = section.iter().filter(|l| l.shape == Shape::Prose).count();
                if self.cfg.tail_section_paragraphs > 0
                    && paragraphs >= self.cfg.tail_section_paragraphs
                {
                    break;
                }
                let c = cohesion(section, flat, &vocab_of(b_start, head));
                if c >= need {
                    break;
                }
                b_end = head;
            }
        }
        // Most bodies are their core segment: its vocabulary is already built.
        if (b_start, b_end) == segments[core] {
            return (b_start, b_end, vocab);
        }
        (b_start, b_end, vocab_of(b_start, b_end))
    }

    /// Whether line `k` is what an earlier rule's cuts left of a box: a fragment of at
    /// most `orphan_words` words with removed text right above and right below it (the
    /// `Copied!` between a removed share bar and a removed newsletter box).
    fn is_orphan(&self, text: &str, lines: &[LineInfo], k: usize) -> bool {
        self.cfg.orphan_words > 0
            && k > 0
            && k + 1 < lines.len()
            && lines[k].shape == Shape::Fragment
            && lines[k].words <= self.cfg.orphan_words
            && cut_between(text, &lines[k - 1], &lines[k])
            && cut_between(text, &lines[k], &lines[k + 1])
    }

    /// Where an author box starts among the body's last lines, and the byline name that
    /// gave it away (see [`Config::author_lines`]).
    fn author_box(
        &self,
        text: &str,
        lines: &[LineInfo],
        start: usize,
        end: usize,
    ) -> Option<(usize, String)> {
        if self.cfg.author_lines == 0 || end <= start + 1 {
            return None;
        }
        let line = |l: &LineInfo| &text[l.start..l.end];
        // Bylines: short lines before the body, and fragments among its first
        // `author_lines` lines (a byline under the standfirst).
        let top = (start + self.cfg.author_lines).min(end);
        let in_body =
            |k: usize| k < top && lines[k].shape == Shape::Fragment && lines[k].words <= 12;
        let bylines: Vec<&str> = lines[..start]
            .iter()
            .filter(|l| l.words <= 12)
            .chain((start..top).filter(|&k| in_body(k)).map(|k| &lines[k]))
            .map(line)
            .collect();
        if bylines.is_empty() {
            return None;
        }
        let capitalised = |w: &str| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase) && cs.any(char::is_lowercase)
        };
        let from = end.saturating_sub(self.cfg.author_lines).max(start + 1);
        for k in from..end {
            let words: Vec<&str> = line(&lines[k]).split_whitespace().take(4).collect();
            for pair in words.windows(2) {
                // Nothing but a name's own marks may stand between its two words
                // (`Privacy Policy, Terms` is no name).
                let first = pair[0].trim_start_matches(|c: char| !c.is_alphanumeric());
                let last = pair[1].trim_end_matches(|c: char| !c.is_alphanumeric());
                let plain = first
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-'’.".contains(c));
                if !(plain && capitalised(first) && capitalised(last)) {
                    continue;
                }
                let name = format!("{first} {last}");
                if !bylines.iter().any(|b| b.contains(&name))
                    || (start..k).any(|j| !in_body(j) && line(&lines[j]).contains(last))
                {
                    continue;
                }
                // The section, with a heading line right above it.
                let head = if k > start + 1 && lines[k - 1].shape == Shape::Fragment {
                    k - 1
                } else {
                    k
                };
                let words: usize = lines[head..end].iter().map(|l| l.words).sum();
                let rest: usize = lines[start..head]
                    .iter()
                    .filter(|l| l.shape == Shape::Prose)
                    .map(|l| l.words)
                    .sum();
                if words as f64 <= self.cfg.tail_section_share * rest as f64 {
                    return Some((head, name));
                }
            }
        }
        None
    }

    /// A gap of fragments, at least `gap_lines` of them headline-shaped (headline-long
    /// and opening with a capital letter): a teaser list under a heading. Short labels
    /// (a route map's stops, a menu) and quantities (a recipe's `2 cups flour, sifted`)
    /// do not count.
    fn is_headline_list(&self, text: &str, gap: &[LineInfo]) -> bool {
        let headline = |l: &LineInfo| {
            l.words >= self.cfg.teaser_words
                && text[l.start..l.end]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
        };
        self.cfg.teaser_words > 0
            && gap.iter().all(|l| l.shape == Shape::Fragment && !l.numeric)
            && gap.iter().filter(|l| headline(l)).count() >= self.cfg.gap_lines
    }

    /// Splits off-body lines into blocks (a new block starts at a fragment that follows
    /// a non-fragment) and reports each.
    fn emit_runs(
        &self,
        flat: &[u64],
        lines: &[LineInfo],
        position: &'static str,
        vocab: &Vocab,
        found: &mut Findings,
    ) {
        let mut start = 0;
        for i in 1..=lines.len() {
            let split = i == lines.len()
                || (lines[i].shape == Shape::Fragment && lines[i - 1].shape != Shape::Fragment);
            if split {
                let run = &lines[start..i];
                if !run.is_empty() {
                    let c = cohesion(run, flat, vocab);
                    push(found, run, c, evidence(run, position));
                }
                start = i;
            }
        }
    }
}

fn push(found: &mut Findings, run: &[LineInfo], cohesion: f64, evidence: Vec<String>) {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return;
    };
    // One verdict for the whole block: where an earlier rule already removed text inside
    // it, the editor keeps that text attributed to the earlier rule.
    let score = (cohesion * 1000.0).round() / 1000.0;
    found.verdicts.push(
        Verdict::new(Config::ID, first.start, last.end).with_detail(json!({
            "lines": run.len(),
            "cohesion": score,
            "evidence": evidence,
        })),
    );
}

fn evidence(run: &[LineInfo], position: &str) -> Vec<String> {
    let mut ev = vec![position.to_string()];
    let n = run.len();
    let count = |s: Shape| run.iter().filter(|l| l.shape == s).count();
    for (shape, name) in [
        (Shape::Fragment, "fragments"),
        (Shape::KeyValue, "key_value"),
        (Shape::Bullet, "bullets"),
        (Shape::ShortSentence, "short_sentences"),
        (Shape::Prose, "prose"),
    ] {
        let c = count(shape);
        if c > 0 {
            ev.push(format!("{name}:{c}/{n}"));
        }
    }
    let repeated = run.iter().filter(|l| l.repeated).count();
    if repeated > 0 {
        ev.push(format!("repeated_in_doc:{repeated}/{n}"));
    }
    let template = run.iter().filter(|l| l.template).count();
    if template > 0 {
        ev.push(format!("template_in_dump:{template}/{n}"));
    }
    let links = run.iter().filter(|l| l.link_like).count();
    if links > 0 {
        ev.push(format!("link_like:{links}/{n}"));
    }
    let glued = run.iter().filter(|l| l.glued).count();
    if glued > 0 {
        ev.push(format!("glued_headlines:{glued}/{n}"));
    }
    ev
}

/// Flags lines whose text occurs more than once in the document: article paragraphs
/// do not repeat, but menus, titles echoed in meta blocks and share bars do.
fn mark_repeated(text: &str, lines: &mut [LineInfo]) {
    let mut seen: std::collections::HashMap<&str, usize, LineHasher> =
        std::collections::HashMap::default();
    for l in lines.iter() {
        *seen.entry(&text[l.start..l.end]).or_default() += 1;
    }
    for l in lines.iter_mut() {
        l.repeated = seen.get(&text[l.start..l.end]).is_some_and(|&n| n > 1);
    }
}

/// Hashes a line in one xxh3 call (SipHash, the std default, was a visible cost and
/// needs no DoS resistance here).
#[derive(Default)]
struct LineHasher;

impl std::hash::BuildHasher for LineHasher {
    type Hasher = OneShot;
    fn build_hasher(&self) -> OneShot {
        OneShot(0)
    }
}

struct OneShot(u64);

/// Stems are FNV hashes already: one multiply spreads them over a table's buckets.
type StemHasher = std::hash::BuildHasherDefault<crate::dedup::lsh::KeyHasher>;

impl std::hash::Hasher for OneShot {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(29) ^ xxhash_rust::xxh3::xxh3_64(bytes);
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = self.0.rotate_left(29) ^ u64::from(b);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Pieces of `start..end` not covered by `removed` (sorted).
fn kept_pieces(start: usize, end: usize, removed: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    for &(s, e) in removed {
        if e <= pos || s >= end {
            continue;
        }
        if s > pos {
            out.push((pos, s));
        }
        pos = pos.max(e);
    }
    if pos < end {
        out.push((pos, end));
    }
    out
}

/// The contiguous window with the largest total score (Kadane); empty-safe.
fn max_window(scores: &[f64]) -> (usize, usize) {
    let mut best = (0, 0, f64::MIN);
    let mut cur_start = 0;
    let mut cur = 0.0;
    for (i, &s) in scores.iter().enumerate() {
        if cur <= 0.0 {
            cur = 0.0;
            cur_start = i;
        }
        cur += s;
        if cur > best.2 {
            best = (cur_start, i + 1, cur);
        }
    }
    (best.0, best.1)
}

/// A set of content-word stems, as sorted hashes.
type Vocab = Vec<u64>;

/// `c.to_lowercase()`'s first char; curly quotes and dashes (General Punctuation) have
/// no case, and skipping the table lookup for them is a visible saving.
fn lower(c: char) -> char {
    if ('\u{2000}'..='\u{206F}').contains(&c) {
        return c;
    }
    c.to_lowercase().next().unwrap_or(c)
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Curly quotes and dashes (General Punctuation) are common and never letters.
    !('\u{2000}'..='\u{206F}').contains(&c) && c.is_alphanumeric()
}

/// Each ASCII byte's lowercase when it is a letter or digit, else 0.
static ASCII_WORD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            t[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Calls `f` with the stem hash of every content word of `s`: words of at least
/// `min_chars` characters, lower-cased and cut to their first `min_chars` characters, a
/// crude language-independent stemmer that lets "island" meet "islands" and "council"
/// meet "councillors". Hashing avoids building a string per word. Chinese and Japanese
/// have no spaces to find words by: there every two Han or Katakana characters in a row
/// are a content word (`統計局` gives `統計` and `計局`), and Hiragana, which mostly
/// writes particles and endings, only separates them.
fn stems(s: &str, min_chars: usize, mut f: impl FnMut(u64)) {
    // One pass over the bytes: ASCII is classified a byte at a time, anything else a char
    // at a time. A word's hash is emitted once its `min_chars`-th char is in, which is
    // the order `split` on non-word chars would give.
    const SEED: u64 = 0xcbf2_9ce4_8422_2325;
    if min_chars == 0 {
        return;
    }
    let bytes = s.as_bytes();
    let mut h = SEED;
    let mut n = 0;
    let mut i = 0;
    // The last Han or Katakana character, when the one before this was one.
    let mut prev: Option<char> = None;
    while i < bytes.len() {
        let b = bytes[i];
        let lc = if b < 0x80 {
            i += 1;
            prev = None;
            let lc = ASCII_WORD[b as usize];
            if lc == 0 {
                h = SEED;
                n = 0;
                continue;
            }
            if n >= min_chars {
                continue; // the stem is out; the rest of the word does not count
            }
            lc as char
        } else {
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            if crate::text::is_cjk(c) {
                h = SEED;
                n = 0;
                if is_hiragana(c) {
                    prev = None;
                } else {
                    if let Some(p) = prev {
                        f(cjk_bigram(p, c));
                    }
                    prev = Some(c);
                }
                continue;
            }
            prev = None;
            // Latin-1 and Cyrillic letters, most non-ASCII words, skip the tables.
            if let Some(lc) = crate::text::common_lower_letter(c) {
                lc
            } else if !is_word_char(c) {
                h = SEED;
                n = 0;
                continue;
            } else {
                lower(c)
            }
        };
        if n < min_chars {
            h = (h ^ lc as u64).wrapping_mul(0x0100_0000_01b3);
            n += 1;
            if n == min_chars {
                f(h);
            }
        }
    }
}

fn is_hiragana(c: char) -> bool {
    ('\u{3040}'..='\u{309F}').contains(&c)
}

/// The stem hash of two CJK characters in a row (never a Latin stem's: those fold
/// characters into an FNV hash, this mixes the pair's code points).
fn cjk_bigram(a: char, b: char) -> u64 {
    let mut h = ((a as u64) << 32 | b as u64) ^ 0x9E37_79B9_7F4A_7C15;
    h = (h ^ (h >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

fn content_words<'a>(lines: impl Iterator<Item = &'a LineInfo>, flat: &[u64]) -> Vocab {
    let mut v = Vec::new();
    for l in lines {
        v.extend_from_slice(&flat[l.stems.0 as usize..l.stems.1 as usize]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// The median, over the run's prose lines (three or more), of the share of a line's
/// content words found in another prose line of the run: how cohesive the article is
/// with itself. 0 for a run with fewer prose lines.
fn self_cohesion(run: &[LineInfo], flat: &[u64]) -> f64 {
    let prose: Vec<&LineInfo> = run
        .iter()
        .filter(|l| l.shape == Shape::Prose && !l.repeated && l.stems.1 > l.stems.0)
        .collect();
    if prose.len() < 3 {
        return 0.0;
    }
    // For each stem, the last line it was seen in and the number of lines it occurs
    // in: one hash lookup per stem (a sort of (stem, line) pairs and a binary search
    // per stem were a visible part of the rule).
    let total: usize = prose.iter().map(|l| (l.stems.1 - l.stems.0) as usize).sum();
    let mut lines_of: HashMap<u64, (u32, u32), StemHasher> =
        HashMap::with_capacity_and_hasher(total, StemHasher::default());
    for (k, l) in prose.iter().enumerate() {
        for &h in &flat[l.stems.0 as usize..l.stems.1 as usize] {
            let e = lines_of.entry(h).or_insert((u32::MAX, 0));
            if e.0 != k as u32 {
                *e = (k as u32, e.1 + 1);
            }
        }
    }
    let mut shares: Vec<f64> = prose
        .iter()
        .map(|l| {
            let stems = &flat[l.stems.0 as usize..l.stems.1 as usize];
            let shared = stems.iter().filter(|h| lines_of[h].1 > 1).count();
            shared as f64 / stems.len() as f64
        })
        .collect();
    shares.sort_unstable_by(f64::total_cmp);
    shares[shares.len() / 2]
}

/// Share of the run's content words that also occur in the body's prose.
fn cohesion(run: &[LineInfo], flat: &[u64], vocab: &Vocab) -> f64 {
    let mut total = 0usize;
    let mut shared = 0usize;
    for l in run {
        for h in &flat[l.stems.0 as usize..l.stems.1 as usize] {
            total += 1;
            if vocab.binary_search(h).is_ok() {
                shared += 1;
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        shared as f64 / total as f64
    }
}

/// Ends with . ! ? … possibly followed by closing quotes or brackets (`.”`, `.)`, `»`).
pub fn ends_like_sentence(line: &str) -> bool {
    let t = line.trim_end_matches(|c: char| {
        matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*') || c.is_whitespace()
    });
    if t.len() < line.trim_end().len() && line.trim_end().ends_with('»') {
        return true;
    }
    t.ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

/// Ends with `...`, `…` or `[…]`, possibly followed by closing quotes or brackets.
fn ends_with_ellipsis(line: &str) -> bool {
    let t = line.trim_end_matches(|c: char| {
        matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']') || c.is_whitespace()
    });
    t.ends_with("...") || t.ends_with('…')
}

/// Long running text has commas or full stops every few dozen words; a tag cloud or a
/// keyword list does not.
fn has_clause_punctuation(line: &str, words: usize) -> bool {
    let marks = line
        .chars()
        .filter(|c| matches!(c, '.' | ',' | ';' | '!' | '?' | '，' | '。' | '、'))
        .count();
    marks * 40 >= words
}

/// The number of a numbered list item (`3. `, `12) `).
fn list_number(line: &str) -> Option<u32> {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0
        || digits > 3
        || !matches!(t.as_bytes().get(digits), Some(b'.') | Some(b')'))
        || t.as_bytes().get(digits + 1) != Some(&b' ')
    {
        return None;
    }
    t[..digits].parse().ok()
}

/// A teaser card flattened without a space between its headline and its blurb:
/// `Tape Gaffe Ends Hamlin's Title RunDenny Hamlin's championship run was foiled…`.
/// The headline is three to sixteen words, most of them capitalised; it is joined to
/// the blurb inside one whitespace-separated word, where a lowercase letter, a digit
/// or a closing mark (`?`, `!`, `’`, `)`) runs into an ASCII capital followed by a
/// lowercase letter; the part before the join has four letters or digits at least
/// (`MacBook`, `LeBron`, `McDonald`, `YouTube`, `AirPods` have fewer); and six words at
/// least follow.
fn glued_headline(line: &str) -> bool {
    // Cheap test first: a join needs a capital right after a lowercase letter, digit,
    // closing mark or non-ASCII byte, which most lines of prose never have.
    if !may_join(line.as_bytes()) {
        return false;
    }
    let (mut words, mut capitalised) = (0usize, 0usize);
    let mut tokens = line.split_whitespace();
    for token in tokens.by_ref().take(17) {
        words += 1;
        if token
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
        {
            capitalised += 1;
        }
        if words < 3 || (capitalised as f64) < 0.7 * words as f64 || !may_join(token.as_bytes()) {
            continue;
        }
        // The first join in this word with four letters or digits before it.
        let mut before = 0;
        let mut it = token.chars().peekable();
        let mut prev: Option<char> = None;
        let mut joined = false;
        while let Some(c) = it.next() {
            if let (Some(a), Some(&next)) = (prev, it.peek()) {
                let joins = (a.is_lowercase() || a.is_numeric() || "?!’)".contains(a))
                    && c.is_uppercase()
                    && next.is_lowercase();
                if joins && before >= 4 {
                    joined = true;
                    break;
                }
            }
            if c.is_alphanumeric() {
                before += 1;
            }
            prev = Some(c);
        }
        if joined {
            // The blurb: the rest of this word and at least five words after it.
            return tokens.take(5).count() == 5;
        }
    }
    false
}

/// The bytes a join may follow: ASCII lowercase letters and digits, `?`, `!`, `)`,
/// and the last byte of a non-ASCII char but for the opening quotes `“`, `‘` and `«`
/// (which stand before a capital all the time; the few letters that end in the same
/// byte, such as `ë`, are missed as joins).
fn joins_after(b: u8) -> bool {
    b.is_ascii_lowercase()
        || b.is_ascii_digit()
        || (b >= 0x80 && !matches!(b, 0x98 | 0x9C | 0xAB))
        || b"?!)".contains(&b)
}

/// Whether an ASCII capital follows a [`joins_after`] byte somewhere in `bytes`: eight
/// bytes a step, each class found for all eight at once ([`crate::text::swar`]), the
/// last byte of a step carried into the next.
fn may_join(bytes: &[u8]) -> bool {
    use crate::text::swar::{HIGH, eq, in_range, load};
    // The top bit of the previous step's last byte, moved to the first byte, when
    // that byte is one a join may follow.
    let mut carry = 0u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let x = load(chunk);
        let upper = in_range(x, b'A', b'Z');
        let after = in_range(x, b'a', b'z')
            | in_range(x, b'0', b'9')
            | in_range(x, b'?', b'?')
            | in_range(x, b'!', b'!')
            | in_range(x, b')', b')')
            | (x & HIGH & !eq(x, 0x98) & !eq(x, 0x9C) & !eq(x, 0xAB));
        if upper & (after << 8 | carry) != 0 {
            return true;
        }
        carry = after >> 56;
    }
    let mut prev = carry != 0;
    for &b in chunks.remainder() {
        if prev && b.is_ascii_uppercase() {
            return true;
        }
        prev = joins_after(b);
    }
    false
}

/// Marks the lines that are [`glued_headline`]s with another one at most two lines
/// away, and makes them fragments: a run of cards, not an article sentence that
/// happens to hold a brand name like `PlayStation`.
fn mark_glued(text: &str, lines: &mut [LineInfo]) {
    // A glued line reads as a sentence of nine words at least (three of headline, six of
    // blurb); no other needs looking at.
    let glued: Vec<usize> = (0..lines.len())
        .filter(|&k| {
            let l = &lines[k];
            l.is_sentence() && l.words >= 9 && glued_headline(&text[l.start..l.end])
        })
        .collect();
    for (j, &k) in glued.iter().enumerate() {
        let near = |other: Option<&usize>| other.is_some_and(|&o| o.abs_diff(k) <= 2);
        if near(j.checked_sub(1).and_then(|p| glued.get(p))) || near(glued.get(j + 1)) {
            let l = &mut lines[k];
            l.glued = true;
            if l.is_sentence() {
                l.shape = Shape::Fragment;
            }
        }
    }
}

/// Whether an earlier rule removed text between lines `a` and `b` (one after the
/// other): anything but whitespace between them.
fn cut_between(text: &str, a: &LineInfo, b: &LineInfo) -> bool {
    !text[a.end..b.start].trim().is_empty()
}

/// Whether `l` opens in lower case: a list item punctuated as the end of the sentence
/// that introduced the list (`a light rain jacket, even in summer.`), not a sentence
/// of its own.
fn continues(text: &str, l: &LineInfo) -> bool {
    text[l.start..l.end]
        .chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_lowercase)
}

/// Longest `About <Name>` heading, in words.
const ABOUT_HEADING_WORDS: usize = 6;

/// Whether `line` reads `About <Name>` (or the same in another language): the heading
/// of a boilerplate paragraph about a company, an outlet or an author.
fn is_about_heading(line: &str) -> bool {
    [
        "About ",
        "Über ",
        "À propos de ",
        "À propos d’",
        "Acerca de ",
        "Sobre ",
    ]
    .iter()
    .find_map(|p| line.strip_prefix(p))
    .map(|rest| {
        ["the ", "The ", "la ", "le ", "l'"]
            .iter()
            .find_map(|a| rest.strip_prefix(a))
            .unwrap_or(rest)
    })
    .filter(|rest| rest.starts_with(|c: char| c.is_uppercase() || c.is_numeric()))
    // A name: no lowercase word of four letters or more (`About 40,000 homes remain
    // without power` is a live blog entry's headline); `of`, `de`, `und` may join it.
    .is_some_and(|rest| {
        rest.split_whitespace()
            .all(|w| w.chars().count() < 4 || !w.starts_with(char::is_lowercase))
    })
}

/// A line of `intro_words` or more words that ends in `:` introduces what follows.
fn introduces(text: &str, l: &LineInfo, intro_words: usize) -> bool {
    l.words >= intro_words && text[l.start..l.end].ends_with(':')
}

/// A line of `intro_words` or more that ends in `:` (`Here is how I make it:`,
/// `It opens:`) introduces what follows; the non-sentence lines right under it (an
/// ingredient list, the lines of a quoted poem) are its list, and so is a sentence-shaped
/// line that opens in lower case (the last item, ending the introducing sentence with
/// a full stop, after which the list is over). Items stop at the first other sentence,
/// at a line repeated in the
/// document or across the dump, and where an
/// earlier rule removed text between two lines: what it removed (a share bar) was not
/// the list, and what follows need not be either.
fn mark_introduced(text: &str, lines: &mut [LineInfo], intro_words: usize) {
    let plain = |l: &LineInfo| !l.is_sentence() && !l.repeated && !l.template;
    let item =
        |l: &LineInfo| !l.repeated && !l.template && (!l.is_sentence() || continues(text, l));
    let mut k = 0;
    while k < lines.len() {
        let l = &lines[k];
        if !(plain(l) && introduces(text, l, intro_words)) {
            k += 1;
            continue;
        }
        let mut end = k + 1;
        while end < lines.len()
            && item(&lines[end])
            && !cut_between(text, &lines[end - 1], &lines[end])
        {
            end += 1;
            if lines[end - 1].is_sentence() {
                break; // the last item closed the sentence
            }
        }
        if end > k + 1 {
            for l in &mut lines[k..end] {
                l.introduced = true;
            }
        }
        k = end;
    }
}

/// Short `Key: value` lines whose key also opens several prose lines (`Q:` and `A:` of
/// an interview, a speaker in a transcript) are turns of the article's dialogue: they
/// count as short sentences, not as a fact card.
fn mark_dialogue(text: &str, lines: &mut [LineInfo], min_lines: usize) {
    let mut voices: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for l in lines
        .iter()
        .filter(|l| l.shape == Shape::Prose && !l.repeated)
    {
        if let Some(key) = key_of(&text[l.start..l.end]) {
            *voices.entry(key).or_default() += 1;
        }
    }
    voices.retain(|_, n| *n >= min_lines);
    if voices.is_empty() {
        return;
    }
    for l in lines.iter_mut().filter(|l| l.shape == Shape::KeyValue) {
        if key_of(&text[l.start..l.end]).is_some_and(|k| voices.contains_key(k)) {
            l.shape = Shape::ShortSentence;
        }
    }
}

/// An embedded social post's attribution line: a dash, a name, `(@handle)` and a date
/// ending in a year (`— Jane Roe (@jroe) November 18, 2019`).
fn is_embed_attribution(line: &str) -> bool {
    let t = line.trim();
    let Some(rest) = t.strip_prefix(['—', '–', '-']) else {
        return false;
    };
    if !rest.starts_with(char::is_whitespace) || crate::text::count_words(t) > 16 {
        return false;
    }
    let Some(at) = rest.find("(@") else {
        return false;
    };
    let handle = &rest[at + 2..];
    let Some(close) = handle.find(')') else {
        return false;
    };
    let ok_handle = close > 0
        && handle[..close]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    let year = t.bytes().rev().take_while(u8::is_ascii_digit).count() == 4;
    ok_handle && year
}

/// An embedded post is quoted text of the article: its attribution line and the
/// non-sentence lines just above it (the post, cut into lines, with its links) count as
/// short sentences, so neither a low-cohesion block nor the end of the body.
fn mark_embeds(text: &str, lines: &mut [LineInfo], max_lines: usize) {
    for k in 0..lines.len() {
        if !is_embed_attribution(&text[lines[k].start..lines[k].end]) {
            continue;
        }
        let mut j = k;
        while j > 0 && k - j < max_lines && !lines[j - 1].is_sentence() {
            if is_embed_attribution(&text[lines[j - 1].start..lines[j - 1].end]) {
                break;
            }
            j -= 1;
        }
        for l in &mut lines[j..=k] {
            if !l.repeated && !l.template {
                l.shape = Shape::ShortSentence;
            }
        }
    }
}

fn is_bullet(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['-', '•', '*', '·', '–', '▪', '►', '»']) {
        return t.chars().nth(1).is_some_and(char::is_whitespace);
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && digits <= 3
        && matches!(t.as_bytes().get(digits), Some(b'.') | Some(b')'))
        && t.as_bytes().get(digits + 1).is_some_and(|b| *b == b' ')
}

/// `Key: value`, with a key of at most four words that starts with a letter.
fn is_key_value(line: &str) -> bool {
    key_of(line).is_some()
}

/// The key of a `Key: value` line.
fn key_of(line: &str) -> Option<&str> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let value = line[colon + 1..].trim();
    if key.is_empty() || value.is_empty() || key.ends_with(' ') {
        return None;
    }
    if !key.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    // "http://…" is a link, not a key.
    if value.starts_with("//") {
        return None;
    }
    (key.split_whitespace().count() <= 4 && key.chars().count() <= 32).then_some(key)
}

/// Digits and at most two letters: a table cell, a score, a price, a time.
fn is_numeric_cell(line: &str) -> bool {
    let mut digits = false;
    let mut letters = 0;
    for c in line.chars() {
        if c.is_ascii_digit() {
            digits = true;
        } else if c.is_alphabetic() {
            letters += 1;
            if letters > 2 {
                return false;
            }
        }
    }
    digits
}

fn is_link_like(line: &str) -> bool {
    // Every pattern but "www." needs a '/' or a '|': one scan settles most lines.
    if memchr::memchr2(b'/', b'|', line.as_bytes()).is_none() {
        return line.contains("www.");
    }
    line.contains("http://")
        || line.contains("https://")
        || line.contains("www.")
        || line.matches(" / ").count() >= 2
        || line.matches(" | ").count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Findings;
    use crate::rules::DocView;
    use crate::rules::testing::{build, cleaned, findings, fixture_texts, removed};

    #[test]
    fn sentence_endings_include_quotes_and_brackets() {
        for l in [
            "He said.",
            "“It works,” he said.",
            "It ended.”",
            "(See above.)",
            "Really?’",
            "« Oui. »",
        ] {
            assert!(ends_like_sentence(l), "{l}");
        }
        for l in ["Famous people", "Rating: 3.5/5", "Tech / Cars", "Subscribe"] {
            assert!(!ends_like_sentence(l), "{l}");
        }
    }

    #[test]
    fn what_a_pass_carries_changes_no_verdict() {
        use crate::repetition::LineCounts;
        use crate::rules::Carry;
        let rule = build(Config::default());
        let texts = fixture_texts();
        assert!(texts.len() > 20, "{} fixture documents", texts.len());
        // Some lines are template text (in five documents or more), most are not.
        let mut counts = LineCounts::new(4, 16);
        for (k, t) in texts.iter().enumerate() {
            for _ in 0..if k % 4 == 0 { 5 } else { 1 } {
                counts.add_document(t);
            }
        }
        let check = |text: &str, carry: Option<&Carry>| {
            let mut view = DocView::new("d", text).with_dump(Some(&counts));
            if let Some(c) = carry {
                view = view.with_carry(c);
            }
            let mut found = Findings::default();
            rule.check(&view, &mut found);
            found.verdicts
        };
        let (mut carried, mut described) = (0, 0);
        for text in &texts {
            let first = check(text, None);
            let clean = crate::edit::apply(text, &first).text;
            // The next pass's text, and one where every third line changed (a word
            // added) or went: lines the pass before saw and lines it did not.
            let edited: String = clean
                .lines()
                .enumerate()
                .filter(|(k, _)| k % 6 != 5)
                .map(|(k, l)| {
                    if k % 3 == 0 {
                        format!("{l} more\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            for next in [&clean, &edited] {
                let carry = Carry::default();
                assert_eq!(check(text, Some(&carry)), first, "the first pass");
                let c = carry.blocks.borrow();
                let before = c.as_ref().expect("the first pass leaves its lines");
                for line in next.lines() {
                    let (s, e) = crate::text::trim_range(line, 0, line.len());
                    match before.find(&line[s..e]) {
                        Some(_) => carried += 1,
                        None => described += 1,
                    }
                }
                drop(c);
                assert_eq!(check(next, Some(&carry)), check(next, None), "{next}");
            }
        }
        // Both paths ran: lines found in what the pass before carried, and new ones.
        assert!(
            carried > 100 && described > 50,
            "{carried} carried, {described} new"
        );
    }

    #[test]
    fn shapes() {
        assert!(is_key_value("Date started: 2013"));
        assert!(is_key_value("Founder/CEO: Someone Here"));
        assert!(!is_key_value("Note : spaced key"));
        assert!(!is_key_value("Warning:"));
        assert!(!is_key_value("http://example.com/x"));
        assert!(is_bullet("- Item"));
        assert!(is_bullet("12) Thing"));
        assert!(!is_bullet("2019 was a year"));
    }

    fn article() -> String {
        [
            "The city council voted on Tuesday to expand the bus network across the northern districts.",
            "Officials said the plan would add twelve routes and extend service hours on weekends.",
            "“We have listened to residents for two years,” the transport director said.",
        ]
        .join("\n")
    }

    fn article_continued() -> String {
        [
            "Funding will come from a regional grant approved last spring by the state legislature.",
            "Critics argued the council had not studied the cost of new depots for the expanded fleet.",
            "The first new routes are expected to open in the northern districts next spring.",
        ]
        .join("\n")
    }

    #[test]
    fn removes_menus_before_and_lists_after_the_body() {
        let rule = build(Config::default());
        let body = format!("{}\n{}", article(), article_continued());
        let text = format!(
            "Home\nNews\nSport\nWeather\nCouncil expands buses\n{body}\nMost popular\nA celebrity wedding in Rome\nTen recipes for autumn\nStocks fall again\n© 2024 Example Media"
        );
        assert_eq!(cleaned(rule.as_ref(), &text), body);
        let found = findings(rule.as_ref(), &text);
        assert_eq!(
            found.verdicts.len(),
            2,
            "one verdict per block: {:?}",
            found.verdicts
        );
        let detail = found.verdicts[1].detail.as_ref().expect("detail");
        assert_eq!(detail["evidence"][0], "after_body");
    }

    #[test]
    fn removes_fact_cards_and_unrelated_lists_inside() {
        let rule = build(Config::default());
        let card =
            "Car specs\nEngine: 2.0-litre turbo\nPower: 250hp\nPrice: from £40,000\nOn sale: now";
        let text = format!("{}\n{card}\n{}", article(), article_continued());
        let out = cleaned(rule.as_ref(), &text);
        assert!(!out.contains("Engine:"), "{out}");
        assert!(out.contains("regional grant"), "{out}");
        assert!(out.contains("bus network"), "{out}");
    }

    #[test]
    fn a_key_value_list_the_article_introduces_is_no_fact_card() {
        let rule = build(Config::default());
        // The article's own list, in `Label: text` lines under its introduction, with a
        // subheading above: none of it is a fact card.
        let phases = "Timeline\nThe depots will be built in three phases, the director said:\nPhase 1: the northern depot, from the spring of next year\nPhase 2: the harbour depot and its charging yard\nPhase 3: a workshop for the electric fleet";
        let text = format!("{}\n{phases}\n{}", article(), article_continued());
        assert_eq!(cleaned(rule.as_ref(), &text), text);
        // The same lines with no introduction are a card.
        let card = phases.replace(
            "\nThe depots will be built in three phases, the director said:",
            "",
        );
        let out = cleaned(
            rule.as_ref(),
            &format!("{}\n{card}\n{}", article(), article_continued()),
        );
        assert!(!out.contains("Phase 2"), "{out}");
        assert!(out.contains("regional grant"), "{out}");
    }

    /// `text` cleaned by the rule after an earlier rule removed each of `cuts`.
    fn cleaned_after(rule: &dyn Rule, text: &str, cuts: &[&str]) -> String {
        let view = DocView::new("t", text);
        let mut found = Findings::default();
        for cut in cuts {
            let at = text.find(cut).expect("a cut is in the text");
            found
                .verdicts
                .push(Verdict::new("earlier", at, at + cut.len()));
        }
        rule.check(&view, &mut found);
        crate::edit::apply(text, &found.verdicts).text
    }

    #[test]
    fn a_fragment_left_between_two_cuts_goes() {
        let rule = build(Config::default());
        let text = format!(
            "{}\nShare this article\nCopied!\nNewsletter\nGet our best stories in your inbox\n{}",
            article(),
            article_continued()
        );
        let cuts = [
            "Share this article",
            "Newsletter\nGet our best stories in your inbox",
        ];
        let body = format!("{}\n{}", article(), article_continued());
        assert_eq!(cleaned_after(rule.as_ref(), &text, &cuts), body);
        // A subheading with a cut above it only, or one too long to be a leftover,
        // stays.
        let above_only = format!(
            "{}\nShare this article\nWhat comes next\n{}",
            article(),
            article_continued()
        );
        let too_long = text.replace("Copied!", "What the council plans next");
        for (text, line, cuts) in [
            (above_only, "What comes next", &cuts[..1]),
            (too_long, "What the council plans next", &cuts[..]),
        ] {
            let out = cleaned_after(rule.as_ref(), &text, cuts);
            assert!(out.contains(line), "{out}");
        }
    }

    #[test]
    fn a_cut_after_an_introduced_list_ends_it() {
        let rule = build(Config::default());
        let body = format!("{}\n{}", article(), article_continued());
        let list = "The new routes and their first departures are:\nRoute 41 – Northern loop, 5:40am\nRoute 42 – Harbour and depot, 6:05am";
        let text = format!(
            "{body}\n{list}\nShare on Facebook\nBuy this issue\nHome\nContact\n© 2024 Example Media"
        );
        let out = cleaned_after(rule.as_ref(), &text, &["Share on Facebook"]);
        assert_eq!(out, format!("{body}\n{list}"));
    }

    #[test]
    fn an_about_heading_opens_boilerplate_however_many_words_it_shares() {
        let rule = build(Config::default());
        let body = long_article();
        // The company's boilerplate is about the council's buses too.
        let about = "About Northern Buses\nNorthern Buses runs the bus network across the northern districts for the city council, with twelve routes and a fleet of electric buses.";
        let out = cleaned(rule.as_ref(), &format!("{body}\n{about}"));
        assert_eq!(out, body);
        // In Portuguese, and over a disclaimer after it.
        let sobre = format!(
            "Sobre Northern Buses\n{}\nForward-looking statements\nThis release contains statements about the bus network that may change.",
            about.lines().nth(1).unwrap()
        );
        assert_eq!(cleaned(rule.as_ref(), &format!("{body}\n{sobre}")), body);
        // Not a name after `About`, or a section as long as the article, stays.
        let face = about.replace("About Northern Buses", "About face");
        assert!(cleaned(rule.as_ref(), &format!("{body}\n{face}")).contains("electric buses"));
        // Nor a headline that opens with `About` and a number (a live blog's entry).
        let homes = about.replace(
            "About Northern Buses",
            "About 40,000 homes remain without power",
        );
        assert!(cleaned(rule.as_ref(), &format!("{body}\n{homes}")).contains("electric buses"));
        let long = format!(
            "About Northern Buses\n{}\n{}",
            article(),
            article_continued()
        );
        let out = cleaned(rule.as_ref(), &format!("{body}\n{long}"));
        assert!(out.contains("About Northern Buses"), "{out}");
    }

    #[test]
    fn a_grid_of_cards_inside_the_body_goes_up_to_its_last_button() {
        let rule = build(Config::default());
        // A booking widget on the article's own subject: it shares its words.
        let grid = "Where to ride in the northern districts\nNorthern loop bus pass\nfrom $12 a week\nCheck availability\nHarbour and depot bus pass\nfrom $15 a week\nCheck availability";
        let lines = long_article_lines();
        let (head, tail) = (lines[..3].join("\n"), lines[3..].join("\n"));
        let text = format!("{head}\n{grid}\nThe depots\n{tail}");
        let out = cleaned(rule.as_ref(), &text);
        assert!(!out.contains("Check availability"), "{out}");
        assert!(!out.contains("Northern loop bus pass"), "{out}");
        // The subheading after the last button is the article's.
        assert_eq!(out, format!("{head}\nThe depots\n{tail}"));
        // A table repeats its one-word header cells: no grid.
        let table =
            "Route\nStops\nRoute\nStops\nNorthern districts loop\n12\nNorthern districts depot\n9";
        let text = format!("{head}\n{table}\n{tail}");
        assert_eq!(cleaned(rule.as_ref(), &text), text);
    }

    #[test]
    fn removes_an_author_box_after_a_gap() {
        let rule = build(Config::default());
        let text = format!(
            "{}\n{}\nShare this\nFacebook\nTwitter\nAbout the author\nJane Roe is a freelance writer based in Lisbon whose work on food and travel has appeared in many magazines.",
            article(),
            article_continued()
        );
        let out = cleaned(rule.as_ref(), &text);
        assert!(!out.contains("freelance"), "{out}");
        assert!(out.ends_with("next spring."), "{out}");
    }

    #[test]
    fn keeps_subheadings_quotes_and_short_paragraphs() {
        let rule = build(Config::default());
        let text = format!(
            "{}\nWhat happens next\nThe vote is final.\n“It is a good day,” she said.\n{}",
            article(),
            article_continued()
        );
        assert!(
            removed(rule.as_ref(), &text).is_empty(),
            "{:?}",
            removed(rule.as_ref(), &text)
        );
    }

    #[test]
    fn keeps_an_in_article_list_that_shares_the_topic() {
        let rule = build(Config::default());
        let list = "New routes\n- Northern districts loop\n- Weekends service extension\n- Council depots shuttle";
        let text = format!("{}\n{list}\n{}", article(), article_continued());
        assert!(
            removed(rule.as_ref(), &text).is_empty(),
            "{:?}",
            removed(rule.as_ref(), &text)
        );
    }

    #[test]
    fn keeps_a_list_the_article_introduces_with_a_colon() {
        let rule = build(Config::default());
        let body = format!("{}\n{}", article(), article_continued());
        let list = "The new routes and their first departures are:\nRoute 41 – Northern loop, 5:40am\nRoute 42 – Harbour and depot, 6:05am\nRoute 43 – Stadium via market, 6:15am";
        let text = format!("{body}\n{list}\nHome\nContact\n© 2024 Example Media");
        assert_eq!(cleaned(rule.as_ref(), &text), format!("{body}\n{list}"));
        // The last item may end the introducing sentence with a full stop; a card
        // after it is not the list's.
        let list = "Before the first trip, riders should remember to bring:\na valid ticket or a bank card;\na photo card for the concession fare;\nsome patience for the first few weeks.";
        let text = format!(
            "{body}\n{list}\nDon't try to drive.\nPlan your trip\nBook your flight: find cheap flights\nBook your hotel: compare prices\nGet travel insurance: from $45/month\n© 2024 Example Media"
        );
        let out = cleaned(rule.as_ref(), &text);
        assert!(out.starts_with(&format!("{body}\n{list}")), "{out}");
        assert!(!out.contains("Plan your trip"), "{out}");
        let out = cleaned(rule.as_ref(), &text.replace("Don't try to drive.\n", ""));
        assert_eq!(out, format!("{body}\n{list}"));
    }

    #[test]
    fn a_list_the_article_introduces_does_not_end_it() {
        let rule = build(Config::default());
        // An interview with a recipe in it: the ingredients (two of them only two or
        // three words) must not cut the answers after them off as "after the body".
        let interview = [
            "Home cooks throw away the most flavourful parts of their vegetables, says Lena Hart, whose new book argues that a good stock needs nothing more than scraps and patience.",
            "We spoke to her about waste, shortcuts and the one soup she makes every week.",
            "What got you started on stock?",
            "My grandmother. She kept a bag in the freezer for onion skins, carrot ends and parsley stalks, and every Sunday it became soup. I thought everyone did that until I moved out.",
            "Is a stock cube really so bad?",
            "It is not bad, it is just salt and flavouring. You lose the body that comes from slow cooking, and you pay for something you were about to throw in the bin.",
            "What is the one soup you make every week?",
            "A simple leek and potato soup. Here is how I make it:",
            "2 large leeks, sliced",
            "3 medium potatoes, peeled and diced",
            "1 litre vegetable stock",
            "30g butter",
            "Salt and pepper",
            "Melt the butter, soften the leeks for ten minutes, add the potatoes and stock, and simmer until the potatoes fall apart. Blend half of it and stir it back in.",
            "Any last advice?",
            "Taste as you go. Nobody ever ruined a soup by tasting it too often.",
        ]
        .join("\n");
        // A news story quoting the first lines of a poem: they share no words with the
        // report, and must not push its lede out of the body either.
        let poem = [
            "The city's poet laureate unveiled a new poem on Saturday to mark 300 years since the founding of the town, reading it aloud from the steps of the old town hall to a crowd of several hundred people.",
            "The poem, called \"Harbour Light\", traces the city's history from a fishing village to a port. It opens:",
            "Before the cranes, before the stone,",
            "the tide came in and went alone,",
            "and men with nets and salt-cracked hands",
            "made homes along the shifting sands.",
            "Organisers said copies would be printed on posters and displayed at bus stops across the city throughout the anniversary year.",
            "\"Poetry belongs in public,\" the laureate said. \"It should be where people wait, not only where they study.\"",
        ]
        .join("\n");
        for article in [interview, poem] {
            assert_eq!(cleaned(rule.as_ref(), &article), article);
        }
    }

    #[test]
    fn an_introduction_lists_only_the_lines_right_under_it() {
        let b = Blocks {
            cfg: Config::default(),
        };
        let text = "It opens with these lines:\nBefore the cranes\nthe tide came in\nShare on Facebook\nMost read stories\nThe figures he gave were these:\nA sentence of the article that ends here.\nShare this:\nFacebook";
        // The lines as the rule sees them when an earlier rule removed the share button.
        let (mut lines, mut at) = (Vec::new(), 0);
        for l in text.split('\n') {
            if l != "Share on Facebook" {
                lines.extend(b.describe(text, at, at + l.len(), false, None));
            }
            at += l.len() + 1;
        }
        mark_introduced(text, &mut lines, 4);
        let got: Vec<bool> = lines.iter().map(|l| l.introduced).collect();
        // The list stops where the removed text was; an introduction with a sentence
        // under it lists nothing; `Share this:` is too short to introduce.
        assert_eq!(got, [true, true, true, false, false, false, false, false]);
    }

    #[test]
    fn an_introduced_list_after_the_body_is_kept_or_cut_whole() {
        let rule = build(Config::default());
        let teaser = "A famous chef has opened a bakery in the old harbour warehouse, selling sourdough loaves and cinnamon buns to queues of tourists every morning.";
        let text = format!(
            "{}\nYou might also be interested in these stories:\nChef opens bakery in harbour warehouse\nFootball club signs new striker\n{teaser}",
            long_article()
        );
        let out = cleaned(rule.as_ref(), &text);
        // The teaser after the list is another story: introducing the list does not
        // make what follows it article text.
        assert!(!out.contains("sourdough"), "{out}");
        assert_eq!(
            out.contains("Chef opens"),
            out.contains("Football club"),
            "{out}"
        );
    }

    #[test]
    fn a_short_label_with_a_colon_is_not_an_introduction() {
        let rule = build(Config::default());
        let body = format!("{}\n{}", article(), article_continued());
        for tail in [
            // Too short to introduce anything.
            "Share this:\nFacebook page of the paper\nTwitter feed of the paper\nEmail this to a friend",
            // An introduction, but what follows is a menu of one- and two-word lines.
            "More from our transport desk below:\nHome\nNews\nContact us",
        ] {
            let out = cleaned(rule.as_ref(), &format!("{body}\n{tail}"));
            assert!(
                !out.contains("Facebook") && !out.contains("Contact"),
                "{out}"
            );
        }
    }

    #[test]
    fn repeated_lines_and_tag_clouds_are_not_the_body() {
        let rule = build(Config::default());
        let cloud = "politics city council buses transport weather sport culture music film books travel food health science business money markets jobs property cars gaming technology";
        let text = format!(
            "{cloud}\nMenu\nMenu\n{}\n{}",
            article(),
            article_continued()
        );
        let out = cleaned(rule.as_ref(), &text);
        assert!(!out.contains("gaming"), "{out}");
        assert!(!out.contains("Menu"), "{out}");
    }

    #[test]
    fn nothing_after_the_place_an_earlier_rule_ended_the_article_is_body() {
        let rule = build(Config::default());
        // Guides on the article's own subject, after (what was) a comment feed: a title
        // and a one-sentence blurb each, the shape of a body with subheadings.
        let guides = [
            "Bus routes in the north",
            "The council plans twelve new bus routes across the northern districts next spring.",
            "Weekend service hours",
            "Officials said weekend bus service hours would be extended on the new routes.",
            "Depots for the fleet",
            "Critics said the council had not studied the cost of new depots for the fleet.",
        ]
        .join("\n");
        let body = format!("{}\n{}", article(), article_continued());
        let text = format!("{body}\n{guides}");
        // Without the mark they read as the article's last sections.
        assert_eq!(cleaned(rule.as_ref(), &text), text);
        let view = DocView::new("t", &text);
        let mut found = Findings::default();
        found.end_article_at(body.len() + 1);
        rule.check(&view, &mut found);
        let out = crate::edit::apply(&text, &found.verdicts).text;
        assert_eq!(out, body);
        let detail = found.verdicts[0].detail.as_ref().expect("detail");
        assert_eq!(detail["evidence"][0], "after_body");
        // A mark above all the prose is ignored: there would be no body to keep.
        let mut found = Findings::default();
        found.end_article_at(0);
        rule.check(&view, &mut found);
        assert_eq!(crate::edit::apply(&text, &found.verdicts).text, text);
    }

    #[test]
    fn lines_repeated_across_the_dump_are_template() {
        use crate::repetition::LineCounts;
        let rule = build(Config::default());
        let footer = "Our journalism is funded by readers like you, and we would be grateful for your support today.";
        let mut counts = LineCounts::new(4, 12);
        for i in 0..60 {
            counts.add_document(&format!(
                "Story number {i} is different.\n{footer}\nSign up"
            ));
        }
        let text = format!("{}\n{}\n{footer}\nSign up", article(), article_continued());
        let view = DocView::new("t", &text).with_dump(Some(&counts));
        let mut found = Findings::default();
        rule.check(&view, &mut found);
        let out = crate::edit::apply(&text, &found.verdicts).text;
        assert!(!out.contains("journalism"), "{out}");
        assert!(out.contains("regional grant"));
        // Without the counts, the same footer is indistinguishable from prose.
        assert!(cleaned(rule.as_ref(), &text).contains("journalism"));
    }

    fn long_article() -> String {
        long_article_lines().join("\n")
    }

    fn long_article_lines() -> Vec<&'static str> {
        vec![
            "The city council voted on Tuesday to expand the bus network across the northern districts of the city.",
            "Council officials said the expanded bus network would add twelve routes in the northern districts by spring.",
            "The new routes will link the northern districts with the central station and the hospital, officials said.",
            "Residents of the northern districts have asked the council for better bus routes for more than a decade.",
            "The council expects the expanded network to carry forty thousand passengers a day once all routes open.",
            "Funding for the bus routes will come from a regional grant the council secured for the northern districts.",
        ]
    }

    #[test]
    fn a_tail_segment_on_another_subject_goes_even_when_it_shares_some_words() {
        let rule = build(Config::default());
        // After a list of headlines, a teaser for another story: it meets the article's
        // vocabulary here and there (city, council, spring), which clears the absolute
        // floor, but far less than the article's paragraphs meet each other.
        let tail = "More stories\nA museum reopens its doors\nNew bakery opens downtown\nWeekend weather outlook\nThe city museum reopens this spring after a renovation of its painting galleries and sculpture garden.\nVisitors can book tickets online, and the council says entry stays free for children under twelve.";
        let text = format!("{}\n{tail}", long_article());
        let out = cleaned(rule.as_ref(), &text);
        assert_eq!(out, long_article());
        let off = build(Config {
            relative_cohesion: 0.0,
            ..Config::default()
        });
        assert!(
            cleaned(off.as_ref(), &text).contains("museum reopens this spring"),
            "the absolute floor alone keeps the teaser"
        );
    }

    #[test]
    fn a_headline_list_ends_the_article_even_on_its_subject() {
        // Teasers for the outlet's other stories on the same beat: the excerpt after the
        // headlines shares the article's words, but a list of headlines is no part of it.
        let tail = "More local stories\nCouncil approves the regional grant for buses\nNew hospital shuttle starts its first runs\nDrivers wanted for the expanded bus network\nThe council says the northern districts will get new bus routes and a hospital shuttle next spring, officials said.\nResidents of the northern districts have asked the council for better bus routes to the central station for years.";
        let text = format!("{}\n{tail}", long_article());
        let rule = build(Config::default());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        let off = build(Config {
            teaser_words: 0,
            ..Config::default()
        });
        assert!(
            cleaned(off.as_ref(), &text).contains("get new bus routes"),
            "cohesion alone keeps the teaser"
        );
    }

    /// Asserts that the article's two-paragraph continuation on the same subject stays
    /// when `gap` (lines that are not sentences) stands between it and the article.
    fn assert_continuation_kept_after(gap: &str) {
        let rule = build(Config::default());
        let continuation = "The first of the new bus routes in the northern districts opens in spring, the council said.\nThe remaining routes follow once the council has hired more drivers for the network.";
        let text = format!("{}\n{gap}\n{continuation}", long_article());
        let out = cleaned(rule.as_ref(), &text);
        assert!(out.contains("first of the new bus routes"), "{out}");
        assert!(out.contains("remaining routes follow"), "{out}");
    }

    #[test]
    fn a_list_of_quantities_does_not_end_the_article() {
        // A recipe's ingredients are fragments as long as headlines, but they open with
        // amounts: the method after them is still the article.
        assert_continuation_kept_after(
            "Ingredients\n2 cups of cooked bus routes, chopped\n1 large council grant, sliced thin\n3 tbsp northern district spice mix",
        );
    }

    #[test]
    fn a_continuation_on_the_same_subject_stays_after_a_gap() {
        assert_continuation_kept_after("Route map\nNorth loop\nStation link\nHospital shuttle");
    }

    #[test]
    fn peels_an_author_box_at_the_end_of_the_body() {
        let rule = build(Config::default());
        let bio = "About Jane Roe\nJane Roe writes about food and travel from Lisbon, and her essays on regional cooking have appeared in magazines across Europe.";
        let text = format!("{}\n{bio}", long_article());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        let off = build(Config {
            tail_section_share: 0.0,
            ..Config::default()
        });
        assert!(cleaned(off.as_ref(), &text).contains("regional cooking"));
    }

    #[test]
    fn three_paragraphs_under_the_last_heading_are_the_article() {
        let rule = build(Config::default());
        // A review's closing section shares few of the body's words, but it is three
        // paragraphs long: no box or teaser is.
        let body = format!("{}\n{}\n{}", long_article(), article(), article_continued());
        let section = [
            "Where it falters",
            "The middle chapters drag, with a subplot that adds little.",
            "Readers may skim them without missing much of value.",
            "Still, the ending lands with quiet force and great care.",
        ];
        let text = format!("{body}\n{}", section.join("\n"));
        assert!(
            removed(rule.as_ref(), &text).is_empty(),
            "{:?}",
            removed(rule.as_ref(), &text)
        );
        // Two paragraphs under it are a box's size, and go.
        let two = format!("{body}\n{}", section[..3].join("\n"));
        assert_eq!(cleaned(rule.as_ref(), &two), body);
        let off = build(Config {
            tail_section_paragraphs: 0,
            ..Config::default()
        });
        assert_eq!(cleaned(off.as_ref(), &text), body);
    }

    #[test]
    fn a_key_value_line_heads_a_tail_section_too() {
        // A review's spec line, then the outlet's affiliate disclosure: no fragment
        // heading stands before it, but the `Key: value` line ends the article as one.
        let rule = build(Config::default());
        let tail = "Version tested: PC\nSometimes we include links to online retail stores. If you click on one and make a purchase we may receive a small commission.";
        let text = format!("{}\n{tail}", long_article());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        // The same section on the article's subject stays: see
        // `keeps_a_closing_section_on_the_article_subject`.
    }

    #[test]
    fn an_author_box_named_in_the_byline_ends_the_body() {
        let rule = build(Config::default());
        let bio = "Jane Roe writes about transport and cities for the Gazette, and lives in Leeds with her two cats.";
        let text = format!("By Jane Roe\n{}\n{bio}", long_article());
        let found = findings(rule.as_ref(), &text);
        let out = crate::edit::apply(&text, &found.verdicts).text;
        assert_eq!(out, long_article());
        let v = found
            .verdicts
            .iter()
            .find(|v| text[v.start..v.end].contains("two cats"))
            .unwrap();
        let ev = &v.detail.as_ref().unwrap()["evidence"];
        assert!(
            ev.as_array()
                .unwrap()
                .contains(&json!("byline_name:Jane Roe")),
            "{ev}"
        );
        // With a heading above it, the heading goes too.
        let text = format!("By Jane Roe\n{}\nAbout the author\n{bio}", long_article());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        // The byline may stand under a standfirst, inside the body's first lines.
        let lines = long_article_lines();
        let under = format!(
            "{}\nBy Jane Roe\n{}\n{bio}",
            lines[0],
            lines[1..].join("\n")
        );
        let out = cleaned(rule.as_ref(), &under);
        assert!(!out.contains("two cats"), "{out}");
        assert!(
            out.contains(lines[0]) && out.contains(lines[lines.len() - 1]),
            "{out}"
        );
        // A name the article's prose uses above the box is its subject: the closing
        // paragraph about her stays.
        let subject = under.replace(lines[2], &format!("{} Jane Roe agreed.", lines[2]));
        assert!(cleaned(rule.as_ref(), &subject).contains("two cats"));
        let off = build(Config {
            author_lines: 0,
            ..Config::default()
        });
        assert!(
            cleaned(
                off.as_ref(),
                &format!("By Jane Roe\n{}\n{bio}", long_article())
            )
            .contains("two cats")
        );
    }

    #[test]
    fn a_closing_paragraph_about_the_person_in_the_headline_stays() {
        let rule = build(Config::default());
        // The headline names her and the body calls her Roe: the last paragraph is
        // the article's.
        let body = long_article().replace(
            "Council officials said",
            "Council leader Jane Roe, who proposed the plan, and officials said",
        );
        let end = "Jane Roe will present the first timetable to residents of the northern districts in March.";
        let text = format!("Jane Roe wins vote on buses\n{body}\n{end}");
        let out = cleaned(rule.as_ref(), &text);
        assert!(out.contains("present the first timetable"), "{out}");
        // No byline: a closing paragraph that merely opens with a name stays.
        let text = format!(
            "{}\nJane Roe writes about transport for the Gazette.",
            long_article()
        );
        assert!(cleaned(rule.as_ref(), &text).contains("writes about transport"));
    }

    #[test]
    fn keeps_a_closing_section_on_the_article_subject() {
        let rule = build(Config::default());
        // Under a fragment heading or a `Key: value` one.
        for heading in ["What happens next", "Next step: timetables"] {
            let end = format!(
                "{heading}\nThe council will publish the timetable for the new bus routes in the northern districts next month."
            );
            let text = format!("{}\n{end}", long_article());
            assert!(
                removed(rule.as_ref(), &text).is_empty(),
                "{heading}: {:?}",
                removed(rule.as_ref(), &text)
            );
        }
    }

    #[test]
    fn a_stats_table_does_not_cut_the_article_in_pieces() {
        let rule = build(Config::default());
        let before = [
            "The defensive line pressured the quarterback on almost every snap of Sunday's game.",
            "Garrett played most of the defensive snaps and finished with three tackles and a sack.",
            "Smith came off the bench behind Garrett and added pressure on the quarterback late.",
        ]
        .join("\n");
        let table = "DL\nMyles Garrett\n57\n77%\nTwo assists, four hurries.\nDL\nChris Smith\n29\n39%\nOne assist, two hurries.";
        let after = "Garrett and Smith will need more help from the defensive line against a stronger quarterback next week.\nThe defensive coaches said the line would rotate more players to keep Garrett fresh for the fourth quarter.";
        let text = format!("{before}\n{table}\n{after}");
        let out = cleaned(rule.as_ref(), &text);
        assert!(out.contains("Garrett and Smith will need"), "{out}");
        assert!(out.contains("39%") && out.contains("two hurries"), "{out}");
    }

    #[test]
    fn numbers_in_a_menu_do_not_hide_the_gap_before_a_teaser() {
        let rule = build(Config::default());
        let tail = "Scores\n3-1\nLatest results\n2-2\nWeather\nContact us\nA celebrity chef opens a seaside restaurant with a tasting menu of twelve courses and local wines.";
        let text = format!("{}\n{tail}", long_article());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
    }

    #[test]
    fn numeric_cells() {
        for l in ["63", "85%", "3-2", "$40", "1:00 PM", "12 km"] {
            assert!(is_numeric_cell(l), "{l}");
        }
        for l in ["Home", "DL", "Week 11 results", "iPhone 11"] {
            assert!(!is_numeric_cell(l), "{l}");
        }
    }

    #[test]
    fn excerpts_cut_off_with_an_ellipsis_are_teasers() {
        let rule = build(Config::default());
        let tail = "Council approves new cycle lanes\nThe city council approved a network of protected cycle lanes along the northern districts' main roads on Monday, and officials said the first…\nHarbour ferry timetable changes\nFrom next month the harbour ferry will run every twenty minutes at peak times, the transport director said, while the evening services...";
        let text = format!("{}\n{tail}", long_article());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        assert!(ends_with_ellipsis("and the first…"));
        assert!(ends_with_ellipsis("Read more...”"));
        assert!(!ends_with_ellipsis("It ended."));
    }

    proptest::proptest! {
        /// The eight-bytes-a-step test says what a byte-by-byte scan says.
        #[test]
        fn may_join_is_the_plain_scan(s in "[a-zA-Z09?!)\"( .,éë’“‘«\u{301}日И]{0,40}") {
            let b = s.as_bytes();
            let plain = b.windows(2).any(|w| joins_after(w[0]) && w[1].is_ascii_uppercase());
            proptest::prop_assert_eq!(may_join(b), plain, "{:?}", s);
        }
    }

    #[test]
    fn glued_headlines_are_teaser_cards() {
        for l in [
            "Harbour Ferry Adds Late Sailings For The SummerThe ferry company will run two more evening crossings from June, its director said.",
            "Is The Old Mill Worth Saving?Preservation groups and the owner disagree on what the building is worth after years of neglect.",
            "City Hands Out 2,500Residents who applied before March will receive the grant by the end of the month, officials said.",
            "Ten Best Bakeries In The Old QuarterBakers crunched the numbers and picked the loaves that sell out first every morning.",
        ] {
            assert!(glued_headline(l), "{l}");
        }
        for l in [
            // Brands written in camel case, in headlines and in sentences.
            "The New York Times' YouTube channel said on Monday it would stream the debate live.",
            "Apple's New MacBook Pro ships next week with a larger screen and a better keyboard.",
            "Los Angeles Lakers' LeBron James scored 30 points as his team beat the Clippers.",
            "He Works At McDonald's and saves every cent he earns for his college tuition fees.",
            "Maya Johnson, A Rising Star At The Club, signed on Tuesday for three more seasons.",
            // Too little after the join: a title alone.
            "Fans Queue Overnight For The New PlayStation Console",
            // Sentence case: the words before the join are not a headline.
            "Sony said the PlayStation 5 sold four and a half million units in its first weeks.",
        ] {
            assert!(!glued_headline(l), "{l}");
        }
        let rule = build(Config::default());
        let cards = [
            "Harbour Ferry Adds Late Sailings For The SummerThe ferry company will run two more evening crossings from June, its director said.",
            "Is The Old Mill Worth Saving?Preservation groups and the owner disagree on what the building is worth after years of neglect.",
            "Ten Best Bakeries In The Old QuarterBakers crunched the numbers and picked the loaves that sell out first every morning.",
        ];
        let text = format!("{}\n{}", long_article(), cards.join("\n"));
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        let f = findings(rule.as_ref(), &text);
        let detail = f.verdicts[0].detail.as_ref().unwrap().to_string();
        assert!(detail.contains("glued_headlines:3/3"), "{detail}");
        // One such line inside the article stays a sentence of it.
        let mut lines: Vec<&str> = long_article_lines();
        lines.insert(3, cards[0]);
        let text = lines.join("\n");
        assert!(
            removed(rule.as_ref(), &text).is_empty(),
            "{:?}",
            removed(rule.as_ref(), &text)
        );
    }

    #[test]
    fn an_ellipsis_inside_the_article_is_harmless() {
        let rule = build(Config::default());
        let text = format!(
            "{}\nHere is what the director had to say…\n“We waited... and then the money came,” the transport director said.\n{}",
            article(),
            article_continued()
        );
        assert!(
            removed(rule.as_ref(), &text).is_empty(),
            "{:?}",
            removed(rule.as_ref(), &text)
        );
    }

    fn gift_guide() -> String {
        [
            "Our editors picked the gadgets they used most this year, from headphones to drones, and found the best prices for each of them.",
            "Prices were checked on Monday morning and may change during the holiday sales that start this week.",
            "Every product on this list was tested by our reviewers for at least a month before we recommended it.",
            "Acme",
            "Acme Buds Pro for $235",
            "See it now: Shopmart",
            "Noise cancellation finally arrives in a compact case, and the fit is better than the older model thanks to silicone tips in three sizes, a transparency mode for conversations and a charging case that adds a day of music.",
            "Zephyr",
            "Zephyr Mini drone for $399",
            "See it now: Flyshop",
            "A capable flyer in a small package with a range of four kilometres and a camera that records sharp video in wind.",
            "Lumo",
            "Lumo desk lamp for $60",
            "See it now: Homestore",
            "Warm light that dims with a touch, and a base that charges a phone overnight without any cables on the desk.",
        ]
        .join("\n")
    }

    #[test]
    fn keeps_listicle_items_behind_repeated_item_headers() {
        let rule = build(Config::default());
        let text = gift_guide();
        let out = cleaned(rule.as_ref(), &text);
        assert!(out.contains("Warm light that dims"), "{out}");
        assert!(out.contains("Zephyr Mini drone for $399"), "{out}");
    }

    #[test]
    fn teaser_cards_of_plain_fragments_are_not_a_listicle() {
        let rule = build(Config::default());
        let cards = "READ NEXT\nA Museum Reopens Its Doors\nartsdaily.example Culture\nThe city museum reopens after a renovation of its painting galleries and sculpture garden, with free entry for children this spring.\nFOOD\nThe Bakery That Sells Out By Nine\nfoodnews.example Cooking\nA family bakery opens at dawn and sells its sourdough loaves within three hours, and the queue starts before the doors open at six.";
        let text = format!("{}\n{cards}", long_article());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
    }

    #[test]
    fn leaves_documents_without_prose_alone() {
        let rule = build(Config::default());
        assert!(removed(rule.as_ref(), "Milk\nEggs\nBread\nButter").is_empty());
    }

    fn interview() -> String {
        [
            "The city council named a new transport director on Tuesday, and we asked her about the bus plan.",
            "Q: What will change first for riders in the northern districts when the new routes open?",
            "A: Twelve new routes open in spring, and weekend service runs until midnight on every line.",
            "Q: How will the council pay for the expanded fleet and the new depots it needs?",
            "A: A regional grant covers the buses, and the depots come from the council's own budget.",
            "Q: Favourite bus route?",
            "A: The harbour loop",
            "Q: Favourite city?",
            "A: Lisbon, Porto and Seville",
        ]
        .join("\n")
    }

    #[test]
    fn keeps_the_short_turns_of_an_interview() {
        // Quick-fire questions at the end of an interview look like a fact card, but
        // their keys are the voices of the article's own prose.
        let text = format!("{}\nHome\nContact\n© 2024 Example Media", interview());
        let rule = build(Config::default());
        assert_eq!(cleaned(rule.as_ref(), &text), interview());
        let off = build(Config {
            dialogue_lines: 0,
            ..Config::default()
        });
        assert!(!cleaned(off.as_ref(), &text).contains("harbour loop"));
    }

    #[test]
    fn a_card_with_other_keys_after_an_interview_still_goes() {
        let card =
            "Car specs\nEngine: 2.0-litre turbo\nPower: 250hp\nPrice: from £40,000\nOn sale: now";
        let text = format!("{}\n{card}", interview());
        let out = cleaned(build(Config::default()).as_ref(), &text);
        assert!(out.contains("The harbour loop"), "{out}");
        assert!(!out.contains("Engine"), "{out}");
    }

    fn numbered_list() -> String {
        [
            "The shop's best deals for collectors this week, picked by our editors, are these:",
            "1) Model tram of the northern line, scale 1:87",
            "https://shop.example/a1",
            "2) Poster of the 1962 bus network map",
            "https://shop.example/b2",
            "3) Conductor's ticket punch, restored",
            "https://shop.example/c3",
        ]
        .join("\n")
    }

    #[test]
    fn keeps_the_links_between_the_items_of_an_introduced_numbered_list() {
        let body = format!("{}\n{}", article(), article_continued());
        let list = numbered_list();
        // The last item's link has no item after it: it goes with the footer.
        let text = format!("{body}\n{list}\nHome\nContact\n© 2024 Example Media");
        let rule = build(Config::default());
        assert_eq!(
            cleaned(rule.as_ref(), &text),
            format!("{body}\n{}", list.rsplit_once("\n").unwrap().0)
        );
        let off = build(Config {
            item_lines: 0,
            ..Config::default()
        });
        assert!(!cleaned(off.as_ref(), &text).contains("Poster"));
    }

    #[test]
    fn a_numbered_list_out_of_sequence_is_not_continued() {
        // Item 1, a link, then item 5: not the same list; nor is a list without an
        // introduction.
        let body = format!("{}\n{}", article(), article_continued());
        let rule = build(Config::default());
        let skip = "These are the collectors' deals of the week from the shop:\n1) Model tram of the northern line\nhttps://shop.example/a1\n5) Poster of the bus map\nhttps://shop.example/b2";
        let out = cleaned(rule.as_ref(), &format!("{body}\n{skip}"));
        assert!(!out.contains("Poster"), "{out}");
        let bare = numbered_list().split_once("\n").unwrap().1.to_string();
        let out = cleaned(rule.as_ref(), &format!("{body}\n{bare}"));
        assert_eq!(out, body);
    }

    #[test]
    fn embed_attributions() {
        assert!(is_embed_attribution(
            "— Jane Roe (@jane_roe) November 18, 2019"
        ));
        assert!(is_embed_attribution("- Transit Desk (@transit) 3 May 2021"));
        // No handle, no year, or not opened by a dash: a byline, a signature.
        assert!(!is_embed_attribution("— Jane Roe, November 18, 2019"));
        assert!(!is_embed_attribution("— Jane Roe (@jane_roe)"));
        assert!(!is_embed_attribution(
            "Jane Roe (@jane_roe) November 18, 2019"
        ));
        assert!(!is_embed_attribution(
            "— Jane Roe (@jane roe) November 18, 2019"
        ));
    }

    #[test]
    fn keeps_embedded_posts_inside_and_at_the_end_of_the_body() {
        let post = "Who pays for the lasagna at the depot party? https://t.co/AbC123\n— Jane Roe (@jane_roe) November 18, 2019";
        let last = "Honestly the best bus driver in town is my cat pic.twitter.com/XyZ789\n— Sam Poe (@sampoe) November 19, 2019";
        let body = format!("{}\n{post}\n{}\n{last}", article(), article_continued());
        let text = format!("{body}\nHome\nContact\n© 2024 Example Media");
        let rule = build(Config::default());
        assert_eq!(cleaned(rule.as_ref(), &text), body);
        let off = build(Config {
            embed_lines: 0,
            ..Config::default()
        });
        let out = cleaned(off.as_ref(), &text);
        assert!(!out.contains("lasagna") && !out.contains("my cat"), "{out}");
    }

    #[test]
    fn a_list_without_an_attribution_is_no_embedded_post() {
        // The same two lines, signed without a handle: an off-topic block as before.
        let post = "Who pays for the lasagna at the depot party? https://t.co/AbC123\n— Jane Roe, November 18, 2019";
        let text = format!("{}\n{post}\n{}", article(), article_continued());
        let out = cleaned(build(Config::default()).as_ref(), &text);
        assert!(!out.contains("lasagna"), "{out}");
    }

    #[test]
    fn a_standfirst_before_the_byline_goes_though_it_is_on_the_subject() {
        // One sentence summing up the article, then the byline block, then the body:
        // the summary shares the body's words, but it is no part of it.
        let dek = "The council will add twelve bus routes in the northern districts next spring, funded by a regional grant for the expanded network.";
        let text = format!(
            "{dek}\nBy Jane Roe\nNov. 19, 2019\nShare this\n{}",
            long_article()
        );
        let rule = build(Config::default());
        assert_eq!(cleaned(rule.as_ref(), &text), long_article());
        let off = build(Config {
            lead_by_size: false,
            ..Config::default()
        });
        assert!(cleaned(off.as_ref(), &text).starts_with("The council will add"));
    }

    #[test]
    fn an_opening_of_several_paragraphs_before_a_gap_stays() {
        // Two paragraphs, then a photo block, then the rest: the opening is the
        // article's, by its cohesion, even though it is smaller than what follows.
        let opening = "The council will add twelve bus routes in the northern districts next spring, officials said.\nThe expanded network will be funded by a regional grant the council secured last year.";
        let text = format!("{opening}\nGallery\nPhoto 1\nEnlarge\n{}", long_article());
        let rule = build(Config::default());
        assert_eq!(
            cleaned(rule.as_ref(), &text),
            format!("{opening}\n{}", long_article())
        );
    }

    fn bakers(header: impl Fn(usize) -> String) -> String {
        let paras = [
            "She bakes sourdough loaves every night and sells them at the market before dawn.",
            "His rye bread won the regional fair twice, and the queue starts before six.",
            "Their pastries use butter from a farm two valleys away, delivered each morning.",
        ];
        let mut out = vec![
            "We asked three bakers how they started and what they bake on Sundays.".to_string(),
        ];
        for (k, p) in paras.iter().enumerate() {
            out.push(header(k));
            out.push(p.to_string());
        }
        out.join("\n")
    }

    #[test]
    fn keeps_item_headers_that_recur_through_a_listicle() {
        // Each item opens with a name, a photo line and a handle: no content word in
        // common with the text, but the same shape three times over.
        let names = ["Anna Petrova", "Ivan Sokolov", "Maria Lind"];
        let text = bakers(|k| format!("{}\nPhoto: family album\nAccount: @baker{k}", names[k]));
        let rule = build(Config::default());
        assert_eq!(cleaned(rule.as_ref(), &text), text);
        let off = build(Config {
            item_runs: 0,
            ..Config::default()
        });
        assert!(!cleaned(off.as_ref(), &text).contains("Anna Petrova"));
    }

    #[test]
    fn teasers_of_plain_fragments_inside_the_body_still_go() {
        // Recurring, but plain headline fragments: inline teaser links.
        let text = bakers(|k| format!("More stories\nA celebrity wedding {k}"));
        let out = cleaned(build(Config::default()).as_ref(), &text);
        assert!(!out.contains("celebrity"), "{out}");
        assert!(out.contains("butter from a farm"), "{out}");
    }
}

#[cfg(test)]
mod cohesion_props {
    use super::*;
    use proptest::prelude::*;

    /// The plain definition of `stems`: words are runs of letters and digits; each of
    /// at least `min_chars` chars gives the FNV hash of its first `min_chars` chars,
    /// lowercased.
    /// The definition: Latin-style words are runs of word chars other than CJK, their
    /// stem emitted at their `min_chars`-th char; CJK bigrams are pairs of Han or
    /// Katakana chars in a row, emitted at the second; in text order.
    fn stems_plain(s: &str, min_chars: usize) -> Vec<u64> {
        if min_chars == 0 {
            return Vec::new();
        }
        let lc = |c: char| crate::text::common_lower_letter(c).unwrap_or_else(|| lower(c));
        let chars: Vec<char> = s.chars().collect();
        let mut events: Vec<(usize, u64)> = Vec::new();
        let latin = |c: char| is_word_char(c) && !crate::text::is_cjk(c);
        let mut k = 0;
        while k < chars.len() {
            if !latin(chars[k]) {
                k += 1;
                continue;
            }
            let start = k;
            while k < chars.len() && latin(chars[k]) {
                k += 1;
            }
            if k - start >= min_chars {
                let h = chars[start..start + min_chars]
                    .iter()
                    .fold(0xcbf2_9ce4_8422_2325, |h, &c| {
                        (h ^ lc(c) as u64).wrapping_mul(0x0100_0000_01b3)
                    });
                events.push((start + min_chars - 1, h));
            }
        }
        let han = |c: char| crate::text::is_cjk(c) && !is_hiragana(c);
        for k in 1..chars.len() {
            if han(chars[k - 1]) && han(chars[k]) {
                events.push((k, cjk_bigram(chars[k - 1], chars[k])));
            }
        }
        events.sort_by_key(|e| e.0);
        events.into_iter().map(|e| e.1).collect()
    }

    #[test]
    fn stems_of_ascii_and_mixed_words() {
        let mut got = Vec::new();
        stems(
            "Islands, island; CAFÉS cafés Councillors 12345 a-b x",
            5,
            |h| got.push(h),
        );
        assert_eq!(got, stems_plain("islan islan cafés cafés counc 12345", 5));
        assert_eq!(got[0], got[1]);
        assert_eq!(got[2], got[3]);
    }

    /// The plain definition: for each prose line, the share of its stems (with
    /// repeats) that occur in some other prose line; the median of those shares.
    fn self_cohesion_plain(run: &[LineInfo], flat: &[u64]) -> f64 {
        let prose: Vec<&[u64]> = run
            .iter()
            .filter(|l| l.shape == Shape::Prose && !l.repeated && l.stems.1 > l.stems.0)
            .map(|l| &flat[l.stems.0 as usize..l.stems.1 as usize])
            .collect();
        if prose.len() < 3 {
            return 0.0;
        }
        let mut shares: Vec<f64> = (0..prose.len())
            .map(|k| {
                let shared = prose[k]
                    .iter()
                    .filter(|h| (0..prose.len()).any(|j| j != k && prose[j].contains(h)))
                    .count();
                shared as f64 / prose[k].len() as f64
            })
            .collect();
        shares.sort_unstable_by(f64::total_cmp);
        shares[shares.len() / 2]
    }

    fn line(shape: Shape, repeated: bool, stems: (u32, u32)) -> LineInfo {
        LineInfo {
            glued: false,
            introduced: false,
            start: 0,
            end: 0,
            words: 0,
            shape,
            link_like: false,
            numeric: false,
            repeated,
            template: false,
            stems,
        }
    }

    proptest! {
        /// Words of ASCII and non-ASCII letters, digits, quotes, dashes and spaces.
        #[test]
        fn stems_are_the_plain_definition(
            s in "[a-zA-Z0-9éÉжЖ’'\\- .,\u{301}ß日本語統計カナひら。]{0,60}",
            min_chars in 0usize..7,
        ) {
            let mut got = Vec::new();
            stems(&s, min_chars, |h| got.push(h));
            prop_assert_eq!(got, stems_plain(&s, min_chars));
        }

        // Small stem alphabets make shared and repeated stems common.
        #[test]
        fn self_cohesion_is_the_plain_median(
            spec in proptest::collection::vec(
                (0u8..4, any::<bool>(), proptest::collection::vec(0u64..12, 0..9)),
                0..12,
            )
        ) {
            let mut flat = Vec::new();
            let run: Vec<LineInfo> = spec
                .iter()
                .map(|(shape, repeated, stems)| {
                    let from = flat.len() as u32;
                    flat.extend(stems.iter().map(|s| s.wrapping_mul(0x51_7cc1_b727_220a)));
                    let shape = if *shape == 0 { Shape::Fragment } else { Shape::Prose };
                    line(shape, *repeated, (from, flat.len() as u32))
                })
                .collect();
            prop_assert_eq!(self_cohesion(&run, &flat), self_cohesion_plain(&run, &flat));
        }
    }
}
