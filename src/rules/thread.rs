//! `thread`: reader comments and other time-stamped feeds left after the article —
//! `Name / November 19, 2019 at 11:33 am / comment text …` repeated, or a list of
//! latest stories each with `11/20/2019 01:14 PM` under its title.
//!
//! Shape: a *stamp* is a short line that holds both a date (a year, a numeric date,
//! or `<number> <unit> <relative word>` such as `2 days ago`) and a clock time. A
//! feed is a run of at least `min_stamps` stamps, each at most `max_gap_lines` lines
//! after the previous one, that starts after the article has had its say (at least
//! `min_words_before` words of sentence lines before it). The whole run goes as one
//! block: the stamps, everything between them, the short name or title lines just
//! above the first stamp, and the last entry (as many lines after the last stamp as
//! the typical entry is long). Article text rarely has three date-and-time lines a
//! few lines apart, and a live blog's stamps start with its text, before the words
//! an article needs to have said first.
//!
//! Under a comment-section heading (`Comments`, `10 Comments`, `Leave a Reply`, within
//! two lines above the first stamp) the feed is the readers' comments, and a short post
//! (`heading_words_before` words) is enough before it.
//!
//! A feed also closes the article ([`Findings::end_article_at`]): `blocks` looks for
//! the body only above it, so the page's cards and lists after the comments are not
//! taken for the article's last sections.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blocks::ends_like_sentence;
use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::{count_words_cjk, covered, merged_spans};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Fewest stamps that make a feed.
    pub min_stamps: usize,
    /// Most lines from one stamp to the next within a feed.
    pub max_gap_lines: usize,
    /// Longest stamp line, in words.
    pub max_stamp_words: usize,
    /// Words of sentence lines that must come before the feed.
    pub min_words_before: usize,
    /// Words that make `<number> <unit> <word>` a relative date (`2 days ago`).
    pub relative_words: Vec<String>,
    /// Headings of a comment section (`Comments`, `10 Comments`, `Leave a Reply`),
    /// matched whole ignoring case, a count and brackets aside. A feed right under one
    /// (within two lines) is the readers' comments, not a live blog, and needs only
    /// `heading_words_before` words of sentences before it.
    pub headings: Vec<String>,
    pub heading_words_before: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_stamps: 3,
            max_gap_lines: 12,
            max_stamp_words: 12,
            min_words_before: 100,
            relative_words: vec!["ago".into()],
            headings: [
                "comments",
                "comment",
                "responses",
                "replies",
                "reader comments",
                "discussion",
                "join the discussion",
                "join the conversation",
                "leave a reply",
                "leave a comment",
            ]
            .map(String::from)
            .to_vec(),
            heading_words_before: 30,
        }
    }
}

/// A clock time: `11:33`, `07:52 am`, `1:16pm`, `9.42 p.m.` is not taken (too prose-like).
const TIME: &str = r"\b\d{1,2}:\d{2}(?::\d{2})?(?:[^\d:]|$)";

impl RuleConfig for Config {
    const ID: &'static str = "thread";
    const DESCRIPTION: &'static str = "reader comments and time-stamped feeds: runs of short date-and-time lines after the article";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        anyhow::ensure!(self.min_stamps >= 2, "min_stamps must be at least 2");
        anyhow::ensure!(self.max_gap_lines >= 1, "max_gap_lines must be at least 1");
        let mut date = String::from(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b");
        let words: Vec<String> = self
            .relative_words
            .iter()
            .filter(|w| !w.trim().is_empty())
            .map(|w| regex::escape(w.trim()))
            .collect();
        if !words.is_empty() {
            date.push_str(&format!(r"|\b\d+\s+\p{{L}}+\s+(?i:{})\b", words.join("|")));
        }
        let headings = self
            .headings
            .iter()
            .map(|h| {
                h.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .filter(|h| !h.is_empty())
            .collect();
        Ok(Box::new(Thread {
            cfg: self.clone(),
            headings,
            time: Regex::new(TIME)?,
            date: Regex::new(&date)?,
        }))
    }
}

struct Thread {
    cfg: Config,
    /// `cfg.headings`, lowercased, one space between words.
    headings: Vec<String>,
    time: Regex,
    date: Regex,
}

impl Thread {
    /// Whether `line` is a comment-section heading: one of the headings, a count
    /// (`10 Comments`, `Comments (10)`) and closing marks aside.
    fn is_heading(&self, line: &str) -> bool {
        if self.headings.is_empty() || line.len() > 60 {
            return false;
        }
        let words: Vec<String> = line
            .split(|c: char| c.is_whitespace() || "()[]:.!".contains(c))
            .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_lowercase)
            .collect();
        !words.is_empty() && self.headings.contains(&words.join(" "))
    }

    /// Whether line `k` of `doc` is a comment's date stamp.
    fn is_stamp(&self, doc: &DocView<'_>, k: usize) -> bool {
        let s = doc.lines[k].text(doc.text);
        let n = doc.words_upto(k, self.cfg.max_stamp_words.saturating_add(1));
        n > 0 && n <= self.cfg.max_stamp_words && self.time.is_match(s) && self.date.is_match(s)
    }
}

impl Rule for Thread {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        let cut = merged_spans(found.verdicts.iter().map(|v| (v.start, v.end)));
        // Non-blank lines still standing, as indices into doc.lines.
        let live: Vec<usize> = (0..doc.lines.len())
            .filter(|&i| {
                let l = &doc.lines[i];
                !l.text(text).trim().is_empty() && !covered(&cut, l.start, l.end)
            })
            .collect();
        let stamps: Vec<usize> = (0..live.len())
            .filter(|&k| self.is_stamp(doc, live[k]))
            .collect();
        if stamps.len() < self.cfg.min_stamps {
            return;
        }
        // Runs of stamps close to each other, as positions in `live`.
        let mut runs: Vec<&[usize]> = Vec::new();
        let mut from = 0;
        for i in 1..=stamps.len() {
            if i == stamps.len() || stamps[i] - stamps[i - 1] > self.cfg.max_gap_lines {
                runs.push(&stamps[from..i]);
                from = i;
            }
        }
        let mut taken_to = 0; // first `live` position not yet inside a feed
        for run in runs {
            if run.len() < self.cfg.min_stamps {
                continue;
            }
            let mut gaps: Vec<usize> = run.windows(2).map(|w| w[1] - w[0]).collect();
            gaps.sort_unstable();
            let entry = gaps[gaps.len() / 2];
            // Short name or title lines just above the first stamp belong to its entry.
            let mut first = run[0];
            while first > taken_to && run[0] - (first - 1) < entry {
                let s = doc.lines[live[first - 1]].text(text);
                if ends_like_sentence(s)
                    || doc.words_upto(live[first - 1], 2 * self.cfg.max_stamp_words + 1)
                        > 2 * self.cfg.max_stamp_words
                {
                    break;
                }
                first -= 1;
            }
            let before: usize = live[..first]
                .iter()
                .map(|&i| doc.lines[i].text(text))
                .filter(|s| ends_like_sentence(s))
                .map(count_words_cjk)
                .sum();
            // The nearest lines above the first stamp, removed or not (a `Comments`
            // heading is often taken by `marker` already).
            let above = doc.lines[..live[run[0]]]
                .iter()
                .rev()
                .map(|l| l.text(text))
                .filter(|s| !s.trim().is_empty())
                .take(2);
            let heading = above.into_iter().find(|s| self.is_heading(s));
            let need = if heading.is_some() {
                self.cfg.heading_words_before.min(self.cfg.min_words_before)
            } else {
                self.cfg.min_words_before
            };
            if before < need {
                continue;
            }
            let last = (run[run.len() - 1] + entry - 1).min(live.len() - 1);
            let (start, end) = (doc.lines[live[first]].start, doc.lines[live[last]].end);
            let mut detail = json!({
                "stamps": run.len(),
                "lines": last - first + 1,
                "words_before": before,
            });
            if let Some(h) = heading {
                detail["heading"] = json!(h.trim());
            }
            found
                .verdicts
                .push(Verdict::new(Config::ID, start, end).with_detail(detail));
            // A feed that follows the article closes it: what comes after the comments
            // is the page around them.
            found.end_article_at(start);
            taken_to = last + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, removed};

    fn rule() -> Box<dyn Rule> {
        build(Config::default())
    }

    /// An article of about 120 words in sentence lines.
    fn article() -> String {
        let p = "The council voted on Tuesday to expand the bus network across the northern districts, \
                 a plan that officials said would cut commuting times for thousands of residents.";
        format!("{p}\n{p}\n{p}\n{p}\n")
    }

    fn comments(stamps: &[&str]) -> String {
        let mut s = String::from("12 comments\n");
        for (i, st) in stamps.iter().enumerate() {
            s.push_str(&format!(
                "reader{i} says:\n{st}\nI disagree with the plan, it will not help anyone here.\n"
            ));
        }
        s
    }

    #[test]
    fn removes_comment_threads_in_several_stamp_styles() {
        for stamps in [
            [
                "November 19, 2019 at 11:33 am",
                "November 19, 2019 at 11:46 am",
                "November 20, 2019 at 9:02 pm",
            ],
            [
                "2 days ago at 07:52 am",
                "2 days ago at 07:47 am",
                "3 days ago at 10:01 pm",
            ],
            [
                "19 Nov 2019, 9:42am",
                "19 Nov 2019, 9:25pm",
                "18 Nov 2019, 4:33pm",
            ],
            [
                "11/20/2019 01:14 PM",
                "11/20/2019 10:08 AM",
                "11/19/2019 09:39 AM",
            ],
            ["2019-11-20 13:14", "2019-11-20 15:01", "2019-11-21 08:00"],
            [
                "20.11.2019 um 13:14",
                "20.11.2019 um 15:01",
                "21.11.2019 um 08:00",
            ],
        ] {
            let text = format!("{}{}", article(), comments(&stamps));
            let got = removed(&*rule(), &text);
            assert_eq!(got.len(), 1, "{stamps:?}: {got:?}");
            assert!(got[0].starts_with("12 comments\nreader0 says:"), "{got:?}");
            assert!(got[0].ends_with("help anyone here."), "{got:?}");
            assert!(!got[0].contains("council"), "{got:?}");
        }
    }

    #[test]
    fn a_feed_under_a_chinese_article_goes() {
        // About 130 words as two CJK characters make one; by whitespace, 4.
        let p = "市政府周二宣布，城北地区的三条公交线路将从下月起延长运营时间，方便夜班工人和学生出行，交通局表示新的时刻表已经在各个车站公布。";
        let article = format!("{p}\n{p}\n{p}\n{p}\n");
        let feed: String = ["2019-11-20 13:14", "2019-11-20 15:01", "2019-11-21 08:00"]
            .iter()
            .enumerate()
            .map(|(i, st)| format!("网友{i}\n{st}\n这个计划很好，希望早点实施。\n"))
            .collect();
        let text = format!("{article}{feed}");
        let got = removed(&*rule(), &text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("网友0"), "{got:?}");
    }

    #[test]
    fn a_feed_marks_where_the_article_ends() {
        let stamps = [
            "November 19, 2019 at 11:33 am",
            "November 19, 2019 at 11:46 am",
            "November 20, 2019 at 9:02 pm",
        ];
        let text = format!("{}{}", article(), comments(&stamps));
        let found = crate::rules::testing::findings(&*rule(), &text);
        assert_eq!(found.article_end, text.find("12 comments"));
        let plain = crate::rules::testing::findings(&*rule(), &article());
        assert_eq!(plain.article_end, None);
    }

    #[test]
    fn a_feed_under_a_comments_heading_goes_after_a_short_post() {
        // About 40 words: too few for a feed without a heading (a live blog's opening).
        let post = "Our quarterly open thread is a chance for readers to raise questions \
                    about our research in the comments below. We will try to answer \
                    every question within a week, and you can also email the team.\n";
        let stamps = [
            "Milan on September 12, 2018 at 4:47 pm said:",
            "Catherine on September 13, 2018 at 5:23 pm said:",
            "Alex on September 17, 2018 at 6:34 am said:",
        ];
        let feed: String = stamps
            .iter()
            .map(|st| format!("{st}\nThanks for the update, I have a question about the report.\n"))
            .collect();
        for heading in ["Comments", "10 Comments", "Comments (10)", "Leave a Reply"] {
            let text = format!("{post}Previous Post\nNext Post\n{heading}\n{feed}");
            let found = crate::rules::testing::findings(&*rule(), &text);
            assert_eq!(found.verdicts.len(), 1, "{heading}");
            let d = found.verdicts[0].detail.as_ref().unwrap();
            assert_eq!(d["heading"], heading);
            assert!(found.article_end.is_some());
        }
        // No heading, or another one: the short post may be a live blog's opening.
        for heading in ["", "Latest updates\n", "Comments from the minister\n"] {
            let text = format!("{post}{heading}{feed}");
            assert!(removed(&*rule(), &text).is_empty(), "{heading:?}");
        }
        // The heading only lowers the bar, it does not remove it.
        let text = format!("Open thread\nComments\n{feed}");
        assert!(removed(&*rule(), &text).is_empty());
    }

    #[test]
    fn a_feed_of_titles_with_stamps_goes_too() {
        let text = format!(
            "{}Latest news\nMinister resigns over budget row\nBy Staff\n11/20/2019 01:14 PM\n\
             Storm closes the coast road\nBy Staff\n11/20/2019 10:08 AM\n\
             Court rules on the harbour case\nBy Staff\n11/20/2019 09:39 AM\n",
            article()
        );
        let got = removed(&*rule(), &text);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("Minister resigns"), "{got:?}");
    }

    #[test]
    fn keeps_articles_with_times_dates_or_too_few_stamps() {
        let keep = [
            // Two stamps only.
            format!(
                "{}{}",
                article(),
                comments(&["May 1, 2020 at 9:00 am", "May 1, 2020 at 9:30 am"])
            ),
            // An agenda: times without dates.
            format!(
                "{}09:00 Registration\n10:30 Keynote\n12:00 Lunch\n14:00 Panel\n",
                article()
            ),
            // Sentences with dates and times, but long ones.
            format!(
                "{a}The polls opened on November 5, 2019 at 7:00 am in every district of the state.\n\
                 Counting began on November 5, 2019 at 9:00 pm after the last station closed.\n\
                 Results were certified on November 12, 2019 at 10:00 am by the election board.\n",
                a = article()
            ),
            // A live blog: stamped entries from the start, before the article said much.
            format!(
                "Live: flood warnings\n{}{}",
                comments(&[
                    "20 Nov 2019 10:43",
                    "20 Nov 2019 11:02",
                    "20 Nov 2019 11:30"
                ]),
                "The river peaked at noon.\n"
            ),
            // Stamps too far apart.
            format!(
                "{a}May 1, 2020 at 9:00 am\n{a}May 2, 2020 at 9:00 am\n{a}May 3, 2020 at 9:00 am\n",
                a = article().repeat(4)
            ),
        ];
        for text in keep {
            assert_eq!(removed(&*rule(), &text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn relative_words_come_from_config() {
        let stamps = [
            "vor 2 Tagen 07:52",
            "vor 3 Tagen 07:47",
            "vor 4 Tagen 10:01",
        ];
        let text = format!("{}{}", article(), comments(&stamps));
        assert!(
            removed(&*rule(), &text).is_empty(),
            "no year, no relative word: not a stamp"
        );
        let stamps = ["2 Tage her 07:52", "3 Tage her 07:47", "4 Tage her 10:01"];
        let text = format!("{}{}", article(), comments(&stamps));
        let cfg = Config {
            relative_words: vec!["her".into()],
            ..Config::default()
        };
        assert_eq!(removed(&*build(cfg), &text).len(), 1);
    }

    #[test]
    fn lines_removed_by_earlier_rules_are_not_counted() {
        let text = format!(
            "{}{}",
            article(),
            comments(&[
                "May 1, 2020 at 9:00 am",
                "May 1, 2020 at 9:30 am",
                "May 1, 2020 at 9:45 am"
            ])
        );
        let view = DocView::new("t", &text);
        let mut found = Findings::default();
        // An earlier rule took the article: nothing said before the feed.
        found
            .verdicts
            .push(Verdict::new("other", 0, article().len()));
        rule().check(&view, &mut found);
        assert_eq!(found.verdicts.len(), 1);
    }
}
