//! `credits`: contributor and source lines at the end of a story — `X contributed to
//! this report`, `Some material came from <agency>`, `Reporting by X; Editing by Y`,
//! `Additional reporting by X`, `-- With assistance from X`, `This article was
//! originally published on X`, and the author's contact (`X can be reached at
//! x@example.com`, `Follow X on Twitter`). They are metadata, not
//! noise to lose: each credit sentence is removed from the text and kept in
//! `meta.credits`.
//!
//! Shape: a sentence that starts at a line start or right after a sentence end and
//! holds a contributor phrase; it and everything after it on the line (further credit
//! sentences) is taken when that tail is short. "Reuters reported that…" and "the
//! data contributed to the report's findings" do not have the shape.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Longest credit tail (from the first credit sentence to the line end), in words.
    pub max_words: usize,
    /// Store the credit sentences in `meta.credits`.
    pub keep_in_meta: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_words: 45,
            keep_in_meta: true,
        }
    }
}

/// Capitalised name words joined by spaces, commas, `and`, `in`, `&`.
const NAMES: &str = r"\p{Lu}[\p{L}\p{M}'’.\-]*(?:(?:\s+|\s*,\s*|\s*&\s*|\s+and\s+|\s+in\s+|\s+(?:de|da|van|von|al|el|bin)\s+)\p{Lu}[\p{L}\p{M}'’.\-]*)*";

/// An email address or a social handle.
const CONTACT: &str = r"(?:[^\s@]+@[\w-]+\.[\w.]+|@\w+)";

fn pattern() -> String {
    let by = r"(?i:(?:additional\s+|with\s+(?:additional\s+)?)?(?:reporting|writing|editing|research|compiled|edited|written|produced|reporting\s+and\s+writing|fact-checking|fact[\s-]checked|(?:medically\s+)?reviewed|graphics|production)\s+by)";
    // `… on November 14, 2019`, `… updated 14 Nov 2019`: the date a byline may end with.
    let on_date = r"(?:,?\s+(?:on|updated(?:\s+on)?)\s+(?:\p{Lu}\p{Ll}{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\p{Lu}\p{Ll}{2,8}\.?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4}))?";
    let by_list = format!(
        r"\(?{by}\s+{NAMES}(?:\s*[;,]\s*(?:and\s+)?{by}\s+{NAMES})*{on_date}\s*\)?(?:[.;]|\s*$)"
    );
    let alternatives = [
        // `X contributed to this report`, `X contributed reporting (from Kyiv)`.
        r"[^.!?\n]+?(?-u:\b)contributed\s+(?:(?:additional\s+)?reporting(?-u:\b)|to\s+(?:this|the)\s+(?:report|story|article|reporting)(?:\s*[.,;)]|\s*$|\s+from(?-u:\b)))",
        // `Some material came from X`, `Information from X was used in this report`.
        r"(?:Some|Additional)\s+(?:material|information|reporting|details)\s+(?:came|comes|was\s+taken|is\s+taken|was\s+drawn)\s+from\s",
        r"(?:Material|Information|Reporting|Details)\s+from\s+[^.!?\n]+?\s+(?:was|were|is|are|has\s+been|have\s+been)\s+(?:used|included|incorporated)\s+in\s+this\s+(?:report|story|article)",
        r"This\s+(?:report|story|article)\s+(?:includes|contains|uses|used)\s+(?:material|information|reporting)\s+from\s",
        // Bloomberg's `--With assistance from X`, `With reporting from X`.
        r"\(?(?:[-–—]{1,2}\s*)?With\s+(?:the\s+)?(?:assistance|reporting|inputs?|files)\s+(?:from|by)\s+(?:\p{Lu}|agencies|wire\s+services|wires)",
        // `AP writers X and Y contributed.`
        r"[^.!?\n]*?(?-u:\b)(?:[Ww]riters?|[Rr]eporters?|[Cc]orrespondents?|[Jj]ournalists?|[Ss]taff)(?-u:\b)[^.!?\n]*?(?-u:\b)contributed(?:\s+(?:reporting|research))?\s*(?:[.)]|$)",
        // `This story was produced by X`, `originally published by X`.
        r"This\s+(?:story|article|report)\s+(?:was|has\s+been)\s+(?:originally\s+)?(?:published|produced|reported|written)\s+(?:by|in\s+partnership\s+with|in\s+collaboration\s+with|with)\s",
        // `This article was originally published on The Conversation.`
        r"This\s+(?:story|article|report|piece|post)\s+(?:was\s+|has\s+been\s+)?(?:originally|first)\s+(?:published|appeared|ran)\s+(?:on|in|at|by)\s+\p{Lu}",
        // Author contact: `Jane Doe can be reached at jane@example.com` (an address or
        // a handle is required: the phrase alone could be prose), `Follow Jane Doe on
        // Twitter`. Not the outlet's own `Follow us on …`, which is page furniture
        // (`marker`'s `follow` removes it), and not `Write to X at …`: on the bench
        // pages that line is as often the boundary `blocks` ends the article at, and
        // cut first it was not there to see.
        &format!(
            r"[^.!?\n]*?(?-u:\b)(?:can|may)\s+be\s+(?:reached|contacted|emailed)\s+(?:at|via|on|by\s+email\s+at)\s+{CONTACT}"
        ),
        &format!(
            r"Follow\s+(?:{NAMES}|him|her|them|the\s+author)\s+on\s+(?:Twitter|X|Instagram|Facebook|LinkedIn|Threads|Bluesky|Mastodon|TikTok)(?-u:\b)"
        ),
        &by_list,
    ];
    // Only at a line start or right after a sentence end (possibly glued).
    format!(
        r#"(?m)(?:^[ \t]*|[.!?"”’)][ \t]*)((?:{}))"#,
        alternatives.join("|")
    )
}

impl RuleConfig for Config {
    const ID: &'static str = "credits";
    const DESCRIPTION: &'static str =
        "contributor and source lines (`X contributed to this report`); text moves to meta.credits";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        Ok(Box::new(Credits {
            cfg: self.clone(),
            re: Regex::new(&pattern())?,
        }))
    }
}

struct Credits {
    cfg: Config,
    re: Regex,
}

impl Rule for Credits {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn line_local(&self) -> bool {
        true
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        for line in &doc.lines {
            let l = line.text(text);
            // First credit sentence on the line whose tail is short enough.
            let Some(m) = self
                .re
                .captures_iter(l)
                .filter_map(|c| c.get(1))
                .find(|m| l[m.start()..].split_whitespace().count() <= self.cfg.max_words)
            else {
                continue;
            };
            let start = line.start + m.start();
            let tail = l[m.start()..].trim_end();
            let end = start + tail.len();
            let sentences: Vec<Value> = split_sentences(tail)
                .map(|s| Value::String(s.to_string()))
                .collect();
            let pattern = if tail.contains("contributed") {
                "contributed"
            } else if tail.contains('@') || tail.starts_with("Follow") {
                "contact"
            } else if tail.to_ascii_lowercase().contains(" by ") {
                "by_line"
            } else {
                "source"
            };
            found.verdicts.push(
                Verdict::new(Config::ID, start, end)
                    .with_detail(json!({ "pattern": pattern, "sentences": sentences.len() })),
            );
            if self.cfg.keep_in_meta {
                for s in sentences {
                    found.push_meta("credits", s);
                }
            }
        }
    }
}

/// Sentences of a credit tail: split after `.`/`!`/`?` followed by a space and a
/// capital, except after a lone initial (`J. Smith`). Parentheses around the whole
/// tail (`(Reporting by …)`) are dropped.
fn split_sentences(s: &str) -> impl Iterator<Item = &str> {
    let s = s.trim();
    let s = match s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        Some(inner) if !inner.contains('(') => inner,
        _ => s,
    };
    let bytes = s.as_bytes();
    let mut cuts = Vec::new();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1) == Some(&b' ')
            && bytes.get(i + 2).is_some_and(|c| c.is_ascii_uppercase())
        {
            let word_start = s[..i].rfind(' ').map_or(0, |p| p + 1);
            if i - word_start <= 1 {
                continue; // an initial
            }
            cuts.push((from, i + 1));
            from = i + 2;
        }
    }
    cuts.push((from, s.len()));
    cuts.into_iter()
        .map(move |(a, b)| s[a..b].trim())
        .filter(|x| !x.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, findings, removed};

    #[test]
    fn removes_contributor_lines_in_many_styles_and_keeps_them_in_meta() {
        let rule = build(Config::default());
        for (text, credit) in [
            // AP
            (
                "The vote is set for Tuesday.\nAssociated Press writer Jane Doe in Lagos contributed to this report.",
                "Associated Press writer Jane Doe in Lagos contributed to this report.",
            ),
            // Reuters
            (
                "Markets closed lower.\n(Reporting by Anna Smith in London; Additional reporting by Li Wei in Beijing; Editing by Tom Brown)",
                "Reporting by Anna Smith in London; Additional reporting by Li Wei in Beijing; Editing by Tom Brown",
            ),
            // CNN, glued to the last paragraph
            (
                "The storm weakened overnight.CNN's Maria Lopez contributed reporting.",
                "CNN's Maria Lopez contributed reporting.",
            ),
            // Bloomberg
            (
                "Yields rose.\n--With assistance from Peter Jones and Sam Lee.",
                "--With assistance from Peter Jones and Sam Lee.",
            ),
            // AFP / wires
            (
                "Talks resume next week. Some material came from AFP and Reuters.",
                "Some material came from AFP and Reuters.",
            ),
            // BBC-style
            (
                "The council declined to comment.\nAdditional reporting by Sarah O'Neill.",
                "Additional reporting by Sarah O'Neill.",
            ),
            // Guardian / agencies
            (
                "Police are investigating.\nInformation from the Press Association was used in this report",
                "Information from the Press Association was used in this report",
            ),
            // Al Jazeera / partnership
            (
                "The trial continues.\nThis story was produced in partnership with The Fuller Project.",
                "This story was produced in partnership with The Fuller Project.",
            ),
            // Indian outlets
            (
                "The hearing was adjourned.\n(With inputs from agencies)",
                "With inputs from agencies",
            ),
            // health sites: a dated byline, a medical reviewer
            (
                "Talk to a doctor first.\nWritten by Rachael Link, MS, RD on November 14, 2019",
                "Written by Rachael Link, MS, RD on November 14, 2019",
            ),
            (
                "Talk to a doctor first.\nMedically reviewed by Kaitlynn Greenberg, RD, LD",
                "Medically reviewed by Kaitlynn Greenberg, RD, LD",
            ),
            (
                "The claim is false.\nFact checked by Jane Doe, updated 14 Nov 2019.",
                "Fact checked by Jane Doe, updated 14 Nov 2019.",
            ),
            // AP, short form
            (
                "Rescue work continued.\nAssociated Press writers Ana Ruiz and Tom Fay contributed.",
                "Associated Press writers Ana Ruiz and Tom Fay contributed.",
            ),
            // Reuters, short form
            (
                "Oil fell 2%.\nWriting by J. Smith; Editing by Mark Heinrich",
                "Writing by J. Smith; Editing by Mark Heinrich",
            ),
            // Republished pieces
            (
                "The study is ongoing.\nThis article was originally published on The Conversation.",
                "This article was originally published on The Conversation.",
            ),
            // Author contact lines
            (
                "The show runs until May.\nHave a tip? Amy Kuperinsky may be reached at akuperinsky@example.com.",
                "Amy Kuperinsky may be reached at akuperinsky@example.com.",
            ),
            (
                "The show runs until May.\nFollow Jane Doe on Twitter @janedoe.",
                "Follow Jane Doe on Twitter @janedoe.",
            ),
        ] {
            let found = findings(rule.as_ref(), text);
            let credits = found
                .meta
                .get("credits")
                .and_then(|c| c.as_array())
                .cloned();
            let credits = credits.unwrap_or_else(|| panic!("no credits in {text:?}"));
            assert_eq!(credits[0], credit, "{text}");
            assert_eq!(found.verdicts.len(), 1, "{text}");
            assert!(
                !cleaned(rule.as_ref(), text).contains(&credit[5..]),
                "{text}"
            );
        }
    }

    #[test]
    fn splits_a_line_of_two_credits() {
        let rule = build(Config::default());
        let text = "Body.\nVOA's Jane Roe contributed to this report. Some material came from Reuters and The Associated Press";
        let found = findings(rule.as_ref(), text);
        assert_eq!(
            found.meta["credits"],
            json!([
                "VOA's Jane Roe contributed to this report.",
                "Some material came from Reuters and The Associated Press"
            ])
        );
        assert_eq!(cleaned(rule.as_ref(), text), "Body.");
    }

    #[test]
    fn leaves_prose_about_reporting_and_agencies() {
        let rule = build(Config::default());
        for text in [
            "Reuters reported that the talks had stalled.",
            "Reporting by The Washington Post revealed the payments in 2019.",
            "Heavy rain contributed to the report's bleak conclusions.",
            "Several factors contributed to the decline, analysts said.",
            "Some material came loose from the roof during the storm.",
            "The agency said information from satellites was used to plan the rescue.",
            "With assistance from neighbours, the family rebuilt the house.",
            "The Associated Press first reported the deal on Monday.",
            "Editing by hand took the monks decades, the curator said.",
            "Staff contributed to the fundraiser for the injured driver.",
            "With inputs from local farmers, the plan was redrawn.",
            "Written by hand, the letter ran to four pages.",
            "Written by Jane Austen in 1813, the novel sold well.",
            "Reviewed by the board on Tuesday, the plan was approved.",
            "Reviewed by Jane Doe on November 14, 2019, the claim was later withdrawn by the firm.",
            "Officials can be reached at the town hall during office hours.",
            "This article was first read aloud at the meeting on Monday.",
            "This story was first published in 2019 and has been updated.",
            "Follow the money, the senator told reporters on Twitter.",
            "Contact him at once, the officer said, if the car comes back.",
            "Follow us on Twitter",
            "She contributed to this report's data collection as a volunteer, and then left the agency to found a startup that now employs more than two hundred people across four countries in the region.",
        ] {
            assert!(
                removed(rule.as_ref(), text).is_empty(),
                "removed from {text:?}"
            );
        }
    }
}
