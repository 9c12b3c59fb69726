//! `header`: a metadata header some scrapers prepend to the text, such as
//! ` date 2023-08-30 ` before the first sentence. The value moves to `meta.<key>`.
//!
//! Shape: at the very start of the document, a short lowercase key followed by a
//! date-like value (ISO date, optionally with a time), then whitespace. Only date
//! values are taken: a word followed by a number is too common in prose to be safe.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Longest key accepted, in characters.
    pub max_key_chars: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_key_chars: 16 }
    }
}

impl RuleConfig for Config {
    const ID: &'static str = "header";
    const DESCRIPTION: &'static str =
        "leading `key YYYY-MM-DD` metadata header; the value moves to meta.<key>";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        // Between key and value: any whitespace but a line break, exactly what the
        // editor turns into one space, so a header found only after cleaning (e.g.
        // behind a vertical tab) is found before it too: cleaning stays idempotent.
        let pattern = format!(
            r"^\s*([a-z][a-z_]{{0,{}}})[^\S\r\n]*:?[^\S\r\n]+(\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?)(?:\s+|$)",
            self.max_key_chars.saturating_sub(1)
        );
        Ok(Box::new(Header {
            re: Regex::new(&pattern)?,
        }))
    }
}

struct Header {
    re: Regex,
}

impl Rule for Header {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let mut pos = 0;
        // Several headers may follow each other (` date … updated … `).
        while let Some(c) = self.re.captures(&doc.text[pos..]) {
            let (Some(all), Some(key), Some(value)) = (c.get(0), c.get(1), c.get(2)) else {
                break;
            };
            if all.is_empty() {
                break;
            }
            let key = key.as_str();
            let value = value.as_str();
            if !found.meta.contains_key(key) {
                found
                    .meta
                    .insert(key.to_string(), Value::String(value.to_string()));
            }
            found.verdicts.push(
                Verdict::new(Config::ID, pos, pos + all.end())
                    .with_detail(json!({ "key": key, "value": value })),
            );
            pos += all.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, findings, removed};

    #[test]
    fn moves_a_leading_date_header_to_meta() {
        let rule = build(Config::default());
        let text = " date 2023-08-30 Open this photo in gallery: a caption";
        let found = findings(rule.as_ref(), text);
        assert_eq!(found.meta["date"], "2023-08-30");
        assert_eq!(removed(rule.as_ref(), text), [" date 2023-08-30 "]);
        assert_eq!(
            cleaned(rule.as_ref(), text),
            "Open this photo in gallery: a caption"
        );
    }

    #[test]
    fn accepts_other_keys_times_and_colons() {
        let rule = build(Config::default());
        for (text, key, value) in [
            ("published: 2021-01-02 Text", "published", "2021-01-02"),
            (
                "date 2023-08-30T10:15:00Z\nText",
                "date",
                "2023-08-30T10:15:00Z",
            ),
            (
                "updated 2019-12-31 12:00 Text",
                "updated",
                "2019-12-31 12:00",
            ),
        ] {
            let found = findings(rule.as_ref(), text);
            assert_eq!(found.meta[key], value, "{text}");
        }
        let two = findings(rule.as_ref(), "date 2020-01-01 updated 2020-01-02 Body");
        assert_eq!(two.verdicts.len(), 2);
    }

    #[test]
    fn any_horizontal_whitespace_separates_key_and_value() {
        // Found by fuzzing: the editor turns a vertical tab into a space, so a rule
        // that only accepted spaces found the header on the second cleaning only.
        let rule = build(Config::default());
        let text = " date \u{b}\u{b}\u{a0}2023-08-30 Body text";
        assert_eq!(cleaned(rule.as_ref(), text), "Body text");
        assert!(
            findings(rule.as_ref(), "date\n2023-08-30 Body")
                .verdicts
                .is_empty()
        );
    }

    #[test]
    fn leaves_prose_alone() {
        let rule = build(Config::default());
        for text in [
            "The date 2023-08-30 was set for the vote.",
            "On 2023-08-30 the council met.",
            "Results date 2023-08-30 appear below.",
            "DATE 2023-08-30 is shouted, not a header",
            "date: tomorrow, said the spokesman",
            "In 2023 the date moved.",
            "a_very_long_key_name_here 2023-08-30 text",
            "",
        ] {
            assert!(
                findings(rule.as_ref(), text).verdicts.is_empty(),
                "removed from {text:?}"
            );
        }
    }
}
