//! `promo`: newsletter and subscription boxes — `Pick Six Newsletter / Get the day's
//! big stories … / I agree that X can send me the newsletter / Thanks for signing up! /
//! Keep an eye on your inbox`, a paywall's `Get access to … subscription`.
//!
//! Shape: a box grows from an *anchor*, a line of at most `max_line_words` words with
//! `min_anchor_hits` or more of the configured box words (`newsletter`, `inbox`,
//! `subscribe`…), over neighbouring lines with at least one box word, bridging up to
//! `max_bridge` lines without any (the pitch `Get the day's big stories`, a `Sorry!`);
//! a box starts and ends on a line with box words. It goes when it is one line, or when
//! it holds a fragment (a line of at most `max_fragment_words` words that does not end
//! like a sentence: `See All Newsletters`, `Email address`): a run of sentences that all
//! mention email is more likely an article about it. A document whose own prose uses
//! the box words `topic_hits` times or more outside its boxes is about newsletters or
//! subscriptions, and is left alone.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::trim_range;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Words and phrases of a sign-up box, matched whole and ignoring case.
    pub words: Vec<String>,
    /// Box words an anchor line needs.
    pub min_anchor_hits: usize,
    /// Longest line a box holds, in words.
    pub max_line_words: usize,
    /// Lines without box words a box may bridge in a row.
    pub max_bridge: usize,
    /// Longest fragment line, in words (a box of several lines needs one).
    pub max_fragment_words: usize,
    /// Box words in the document's prose outside its boxes that make it a document
    /// about the subject, left alone (0: no such check).
    pub topic_hits: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            words: [
                "newsletter",
                "newsletters",
                "inbox",
                "e-mail",
                "email",
                "subscribe",
                "subscribed",
                "subscribing",
                "subscription",
                "subscriptions",
                "unsubscribe",
                "sign up",
                "signing up",
                "signed up",
                "opt-in",
                "opt in",
            ]
            .map(String::from)
            .to_vec(),
            min_anchor_hits: 2,
            max_line_words: 30,
            max_bridge: 2,
            max_fragment_words: 6,
            topic_hits: 3,
        }
    }
}

impl RuleConfig for Config {
    const ID: &'static str = "promo";
    const DESCRIPTION: &'static str =
        "newsletter and subscription boxes: runs of short lines around a sign-up pitch";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        anyhow::ensure!(
            self.min_anchor_hits >= 1,
            "min_anchor_hits must be at least 1"
        );
        let words: Vec<String> = self
            .words
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .map(|w| regex::escape(w).replace(' ', r"\s+"))
            .collect();
        let word = if words.is_empty() {
            None
        } else {
            Some(Regex::new(&format!(
                r"(?i)(?-u:\b)(?:{})(?-u:\b)",
                words.join("|")
            ))?)
        };
        Ok(Box::new(Promo {
            cfg: self.clone(),
            word,
            reader: Regex::new(r"(?i)(?-u:\b)(?:you|your|yours|our|us|we)(?-u:\b)")?,
        }))
    }
}

/// A line of this many words that ends like a sentence is prose (as `blocks` counts it).
const PROSE_WORDS: usize = 8;

struct Promo {
    cfg: Config,
    word: Option<Regex>,
    /// Words that speak to the reader or for the outlet.
    reader: Regex,
}

impl Promo {
    /// Box words in `line`.
    fn hits(&self, line: &str) -> usize {
        self.word
            .as_ref()
            .map_or(0, |re| re.find_iter(line).count())
    }

    /// The box words in `line`, lowercased, with their spaces folded to one.
    fn box_words(&self, line: &str) -> Vec<String> {
        self.word.as_ref().map_or_else(Vec::new, |re| {
            re.find_iter(line)
                .map(|m| {
                    let w: Vec<&str> = m.as_str().split_whitespace().collect();
                    w.join(" ").to_lowercase()
                })
                .collect()
        })
    }
}

impl Rule for Promo {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        // The non-blank lines: (index into doc.lines, words (capped), box words).
        let cap = self.cfg.max_line_words.saturating_add(1);
        let lines: Vec<(usize, usize, usize)> = doc
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let s = l.text(text);
                let words = doc.words_upto(i, cap);
                (words > 0).then(|| {
                    let hits = if words <= self.cfg.max_line_words {
                        self.hits(s)
                    } else {
                        0
                    };
                    (i, words, hits)
                })
            })
            .collect();
        if lines.iter().all(|&(_, _, h)| h == 0) {
            return;
        }
        let fits = |k: usize| lines[k].1 <= self.cfg.max_line_words;
        let line_text = |k: usize| doc.lines[lines[k].0].text(text);
        let fragment = |k: usize| {
            lines[k].1 <= self.cfg.max_fragment_words
                && !crate::rules::blocks::ends_like_sentence(line_text(k))
        };
        // A sentence of prose, as `blocks` counts one.
        let prose = |k: usize| {
            lines[k].1 >= PROSE_WORDS && crate::rules::blocks::ends_like_sentence(line_text(k))
        };
        // An anchor: a line with `min_anchor_hits` box words, or the first of
        // fragments that hold that many different box words between them, no more than
        // `max_bridge` lines apart (a box of one-phrase lines: `Newsletter` / `Sign up
        // for The Weekly` / `Enter your email`). Different words: share bars in a row
        // each hold an `Email` button.
        let anchor = |k: usize| {
            if lines[k].2 >= self.cfg.min_anchor_hits {
                return true;
            }
            if lines[k].2 == 0 || !fragment(k) {
                return false;
            }
            let mut seen: Vec<String> = Vec::new();
            let mut last = k;
            for (j, &(_, _, hits)) in lines.iter().enumerate().skip(k) {
                if j - last > self.cfg.max_bridge + 1 || !fits(j) {
                    break;
                }
                if hits == 0 || !fragment(j) {
                    continue;
                }
                last = j;
                for w in self.box_words(line_text(j)) {
                    if !seen.contains(&w) {
                        seen.push(w);
                    }
                }
                if seen.len() >= self.cfg.min_anchor_hits {
                    return true;
                }
            }
            false
        };
        // Boxes as ranges of `lines`, grown from each anchor not yet in a box.
        let mut boxes: Vec<(usize, usize, usize)> = Vec::new(); // (first, last, anchor)
        let mut k = 0;
        while k < lines.len() {
            if boxes.last().is_some_and(|b| k <= b.1) || !anchor(k) {
                k += 1;
                continue;
            }
            let grow = |from: usize, step: isize| -> usize {
                let mut end = from;
                let mut gap = 0;
                let mut j = from as isize + step;
                while j >= 0 && (j as usize) < lines.len() && fits(j as usize) {
                    // Upwards, a sentence of prose with a lone box word is the
                    // article's (`… readers can subscribe for $5.`), not the box's
                    // title: a box opens with its name or its pitch.
                    let k = j as usize;
                    if step < 0 && prose(k) && lines[k].2 < self.cfg.min_anchor_hits {
                        break;
                    }
                    if lines[j as usize].2 > 0 {
                        end = j as usize;
                        gap = 0;
                    } else {
                        gap += 1;
                        if gap > self.cfg.max_bridge {
                            break;
                        }
                    }
                    j += step;
                }
                end
            };
            let first = grow(k, -1).max(boxes.last().map_or(0, |b| b.1 + 1));
            let last = grow(k, 1);
            boxes.push((first, last, k));
            k = last + 1;
        }
        // Boxes of sentences only stay: they are article text that talks about email.
        // A box of one sentence is the outlet's pitch only when it speaks to the reader
        // (`…in your inbox`, `Sign up for our newsletter.`) and quotes nobody: `Residents
        // can sign up for flood warnings by email.` is the article's.
        let pitch = |k: usize| {
            let s = line_text(k);
            !prose(k) || (!s.contains(['"', '“', '”']) && self.reader.is_match(s))
        };
        boxes.retain(|&(first, last, _)| {
            (first == last && pitch(first)) || (first..=last).any(fragment)
        });
        if self.cfg.topic_hits > 0 {
            let inside = |k: usize| boxes.iter().any(|&(a, b, _)| a <= k && k <= b);
            // Prose only: a menu's `Newsletters` and a footer's `Subscribe` say nothing
            // about the subject.
            // Lines within `max_line_words` have their count already; longer ones (not
            // counted, as they can never be in a box) are counted here.
            let outside: usize = (0..lines.len())
                .filter(|&k| !inside(k) && prose(k))
                .map(|k| {
                    if fits(k) {
                        lines[k].2
                    } else {
                        self.hits(line_text(k))
                    }
                })
                .sum();
            if outside >= self.cfg.topic_hits {
                return;
            }
        }
        for (first, last, anchor) in boxes {
            let (s, _) = trim_range(
                text,
                doc.lines[lines[first].0].start,
                doc.lines[lines[first].0].end,
            );
            let (_, e) = trim_range(
                text,
                doc.lines[lines[last].0].start,
                doc.lines[lines[last].0].end,
            );
            let hits: usize = (first..=last).map(|k| lines[k].2).sum();
            found
                .verdicts
                .push(Verdict::new(Config::ID, s, e).with_detail(json!({
                    "lines": last - first + 1,
                    "box_words": hits,
                    "anchor": doc.lines[lines[anchor].0].text(text).trim(),
                })));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, removed};

    const ARTICLE: &str = "The city council voted on Tuesday to expand the bus network across the northern districts.\nOfficials said the new routes would open in spring, linking the districts with the central station.";

    #[test]
    fn removes_sign_up_boxes_in_several_styles() {
        let rule = build(Config::default());
        for promo in [
            // CBS Sports
            "Pick Six Newsletter\nGet the day's big stories + fun stuff you love like mock drafts, picks and power rankings.\nI agree that CBS Sports can send me the \"Pick Six Newsletter\" newsletter.\nSee All Newsletters\nPlease check the opt-in box to acknowledge that you would like to subscribe.\nThanks for signing up!\nKeep an eye on your inbox for the latest sports news.\nSorry!\nThere was an error processing your subscription.",
            // a short promo with an email field
            "Sign up to receive the day's top stories in your inbox.\nEmail address\nSubscribe",
            // IGN-style
            "Want more deals? Join the IGN Deals Newsletter and get offers in your inbox every week.",
            // a box of one-phrase lines, one box word each
            "Newsletter\nSign up for The Weekly Read\nThe best of our long reads, every Sunday.\nEnter your email",
        ] {
            let text = format!("{ARTICLE}\n{promo}\n{ARTICLE}");
            assert_eq!(removed(rule.as_ref(), &text), [promo], "{promo}");
            assert_eq!(
                cleaned(rule.as_ref(), &text),
                format!("{ARTICLE}\n{ARTICLE}")
            );
        }
    }

    #[test]
    fn a_box_does_not_take_the_article_lines_next_to_it() {
        let rule = build(Config::default());
        // The article's last sentence names a box word; the box under it starts below.
        let last = "Readers who subscribe to the council's alerts will hear of closures first.";
        let text = format!("{ARTICLE}\n{last}\nEmail address\nSubscribe");
        assert_eq!(removed(rule.as_ref(), &text), ["Email address\nSubscribe"]);
        let text = format!(
            "{ARTICLE}\nThe reaction\nSign up for our newsletter to get the latest news in your inbox.\nWhat comes next\n{ARTICLE}"
        );
        assert_eq!(
            removed(rule.as_ref(), &text),
            ["Sign up for our newsletter to get the latest news in your inbox."]
        );
    }

    #[test]
    fn leaves_articles_about_newsletters_and_email() {
        let rule = build(Config::default());
        for text in [
            // The subject itself: box words all through the prose.
            "Substack lets writers send newsletters to subscribers by email.\nThe company said paid subscriptions grew 40% last year, and that most readers open the email within a day.\nCritics say the newsletter boom has drawn reporters away from local papers, and that an inbox is no substitute for a newsroom.",
            // One box word in a line is no anchor.
            "She checked her email one last time before the flight, her sister said.",
            "He wanted to sign up for the army at 17, his mother said.",
            "Subscribers will be able to share articles with friends.",
            // The same box word on short lines in a row (share bars) is no box.
            "Share on Facebook Twitter Email\nPhoto: the depot\nShare on Facebook Twitter Email",
            // One sentence with two box words that speaks of others, not to the reader.
            "Residents are still encouraged to sign up for free flood warnings, which can be sent by phone, text or email.",
            // An article's subheading with a box word, over a paragraph with one.
            "Email scams\nPolice said the messages asked residents to confirm their bank details by email.",
        ] {
            assert!(
                removed(rule.as_ref(), text).is_empty(),
                "removed from {text:?}"
            );
        }
    }

    #[test]
    fn the_words_come_from_config() {
        let rule = build(Config {
            words: vec!["Newsletter".into(), "abonnieren".into(), "Postfach".into()],
            ..Config::default()
        });
        let promo = "Unser Newsletter\nJetzt abonnieren und jeden Morgen die Nachrichten im Postfach lesen.";
        let text = format!("{ARTICLE}\n{promo}\n{ARTICLE}");
        assert_eq!(removed(rule.as_ref(), &text), [promo]);
        let none = build(Config {
            words: Vec::new(),
            ..Config::default()
        });
        assert!(removed(none.as_ref(), &text).is_empty());
    }
}
