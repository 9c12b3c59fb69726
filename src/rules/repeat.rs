//! `repeat`: a long paragraph that appears again, word for word, in the same document.
//! Scraped pages print the same text twice — the summary above the article and again
//! as its lede, a desktop and a mobile copy of the body, a teaser that repeats a
//! paragraph — and a reader wants it once. The first copy stays; later copies go.
//!
//! It runs after `blocks`: a copy another rule already removed does not count, so
//! the copy that survives is the first one still standing (a summary dropped with
//! the page header leaves the lede in the body).
//!
//! Shape: a line of at least `min_words` words whose text, with whitespace runs
//! collapsed, equals an earlier line's. Short lines repeat legitimately (list items,
//! recipe quantities, a refrain); long ones almost never do, so the threshold is set
//! where repeats stop being plausible writing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use xxhash_rust::xxh3::xxh3_128;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::{count_words_cjk, covered, may_have_cjk, merged_spans, trim_range, word_runs};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Shortest line, in words, whose repeats are removed.
    pub min_words: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { min_words: 20 }
    }
}

impl RuleConfig for Config {
    const ID: &'static str = "repeat";
    const DESCRIPTION: &'static str =
        "later word-for-word copies of a long paragraph within the same document";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        anyhow::ensure!(self.min_words >= 1, "min_words must be at least 1");
        Ok(Box::new(Repeat { cfg: self.clone() }))
    }
}

struct Repeat {
    cfg: Config,
}

/// The line's words joined by single spaces, hashed. `buf` is scratch space.
fn key(s: &str, buf: &mut Vec<u8>) -> u128 {
    buf.clear();
    for (a, b) in word_runs(s) {
        if !buf.is_empty() {
            buf.push(b' ');
        }
        buf.extend_from_slice(&s.as_bytes()[a..b]);
    }
    xxh3_128(buf)
}

impl Rule for Repeat {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        let cut = merged_spans(found.verdicts.iter().map(|v| (v.start, v.end)));
        let mut first: HashMap<u128, usize> = HashMap::new();
        let mut buf = Vec::new();
        let cjk = may_have_cjk(text);
        for (n, line) in doc.lines.iter().enumerate() {
            let l = line.text(text);
            // Too short by whitespace, and also as CJK words where the text has any (in
            // a text without, both counts are the same).
            let min = self.cfg.min_words;
            if doc.words_upto(n, min) < min && (!cjk || count_words_cjk(l) < min) {
                continue;
            }
            let k = key(l, &mut buf);
            let (start, end) = trim_range(text, line.start, line.end);
            if covered(&cut, start, end) {
                continue; // an earlier rule took this copy: the next one is the first left
            }
            match first.get(&k) {
                None => {
                    first.insert(k, n);
                }
                Some(&of) => {
                    found.verdicts.push(
                        Verdict::new(Config::ID, start, end)
                            .with_detail(json!({"of_line": of + 1, "words": count_words_cjk(l)})),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, removed};

    fn rule() -> Box<dyn Rule> {
        build(Config::default())
    }

    const LEDE: &str = "The regional rail operator will replace its entire fleet of diesel trains with \
                        battery units by 2030, the transport ministry said on Monday, in a deal worth \
                        about two billion euros.";

    #[test]
    fn a_chinese_paragraph_is_long_enough_to_count() {
        // 30 words as two CJK characters make one; by whitespace, 1.
        let p = "市政府周二宣布，城北地区的三条公交线路将从下月起延长运营时间，方便夜班工人和学生出行。";
        let t = format!("{p}\n交通局表示新的时刻表已经公布。\n{p}\n");
        assert_eq!(removed(&*rule(), &t), [p]);
        // Short lines repeat in any language and stay.
        let short = "交通局表示。";
        assert!(removed(&*rule(), &format!("{short}\n{p}\n{short}\n")).is_empty());
    }

    #[test]
    fn removes_later_copies_of_a_long_paragraph() {
        let texts = [
            // Summary above the article, repeated as its lede.
            format!(
                "{LEDE}\nMinistry announces rail deal\n{LEDE}\nThe first units arrive next year.\n"
            ),
            // Three copies, one with different spacing.
            format!(
                "{LEDE}\nMore text here.\n{}\n{LEDE}\n",
                LEDE.replace(' ', "  ")
            ),
            // A mobile copy of the body after the desktop one.
            format!("{LEDE}\nThe first units arrive next year.\n\n{LEDE}\n"),
        ];
        for t in texts {
            let got = removed(&*rule(), &t);
            assert!(!got.is_empty(), "{t}");
            assert!(
                got.iter().all(|r| r.split_whitespace().count() >= 20),
                "{got:?}"
            );
            assert!(
                cleaned(&*rule(), &t).starts_with(LEDE),
                "the first copy stays"
            );
            assert_eq!(cleaned(&*rule(), &t).matches("diesel").count(), 1);
        }
    }

    #[test]
    fn keeps_short_repeats_and_near_copies() {
        let keep = [
            // Short repeated lines: list items, quantities, refrains.
            "Portion: 1 cup rice, 2 tsp. oil.\nPortion: 1 cup rice, 2 tsp. oil.\n".to_string(),
            "Vote for her on the last page!\nVote for her on the last page!\n".to_string(),
            // The same paragraph with one word changed is not a copy.
            format!("{LEDE}\n{}\n", LEDE.replace("Monday", "Tuesday")),
            // A long paragraph once.
            format!("{LEDE}\n"),
            // The long paragraph inside a longer line is not a copy of the line.
            format!("{LEDE}\nAs reported: {LEDE}\n"),
        ];
        for t in keep {
            assert_eq!(removed(&*rule(), &t), Vec::<String>::new(), "{t}");
        }
    }

    #[test]
    fn a_copy_removed_by_an_earlier_rule_does_not_count() {
        let t = format!("{LEDE}\nThe first units arrive next year.\n{LEDE}\n");
        let view = DocView::new("t", &t);
        let mut found = Findings::default();
        found.verdicts.push(Verdict::new("other", 0, LEDE.len()));
        rule().check(&view, &mut found);
        assert_eq!(
            found.verdicts.len(),
            1,
            "the second copy is now the first left"
        );
    }

    #[test]
    fn min_words_is_configurable() {
        let t = "Vote for her on the last page!\nVote for her on the last page!\n";
        let r = build(Config { min_words: 5 });
        assert_eq!(removed(&*r, t), ["Vote for her on the last page!"]);
    }
}
