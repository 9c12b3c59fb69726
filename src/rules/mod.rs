//! Per-document rules. A rule looks at a document and *reports* verdicts (span, rule
//! id, detail); it never edits text. `crate::edit` applies all verdicts at once.
//!
//! Adding a rule is one file: define a config struct implementing [`RuleConfig`]
//! (its id, description and defaults) whose `build` returns the compiled [`Rule`],
//! then list it in [`registry`]. Config loading, `chaff rules`, `chaff config` and the
//! report pick it up from there. Rules run in registry order; each sees the verdicts
//! of the rules before it (and where one found the article over:
//! [`Findings::end_article_at`]), and where verdicts overlap the earlier rule keeps the
//! bytes.

pub mod blocks;
pub mod caption;
pub mod credits;
pub mod encoded;
pub mod header;
pub mod marker;
pub mod promo;
pub mod related;
pub mod repeat;
pub mod thread;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::doc::Findings;
use crate::repetition::LineCounts;
use crate::text::{Line, lines};

/// A document as the rules see it: the original text, split into lines once, and each
/// line's words counted once (most rules compare a line's length with a limit).
pub struct DocView<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub lines: Vec<Line>,
    /// The whitespace-separated words of each of `lines`, as [`crate::text::count_words`]
    /// counts them (CJK text is not split here: see `count_words_cjk`).
    pub words: Vec<u32>,
    /// Line counts over the whole run, when a first pass computed them.
    pub dump: Option<&'a LineCounts>,
    /// What rules carry from one cleaning pass over this document to the next.
    pub carry: Option<&'a Carry>,
}

/// What a rule carries from a cleaning pass over a document to the next pass, over the
/// clean text: facts about lines that depend on their text alone, so that the lines
/// the first pass left as they were need not be worked out again. A rule must give the
/// same verdicts with and without it.
#[derive(Default)]
pub struct Carry {
    pub blocks: std::cell::RefCell<Option<blocks::Carried>>,
}

impl<'a> DocView<'a> {
    pub fn new(id: &'a str, text: &'a str) -> Self {
        Self::with_lines(id, text, lines(text).collect())
    }

    /// A view of some of `text`'s lines only.
    pub fn with_lines(id: &'a str, text: &'a str, lines: Vec<Line>) -> Self {
        let words = lines
            .iter()
            .map(|l| crate::text::count_words(l.text(text)) as u32)
            .collect();
        DocView {
            id,
            text,
            lines,
            words,
            dump: None,
            carry: None,
        }
    }

    /// The words of line `k`, counted no further than `limit`: what
    /// [`crate::text::count_words_upto`] gives for it.
    pub fn words_upto(&self, k: usize, limit: usize) -> usize {
        (self.words[k] as usize).min(limit)
    }

    pub fn with_dump(mut self, dump: Option<&'a LineCounts>) -> Self {
        self.dump = dump;
        self
    }

    pub fn with_carry(mut self, carry: &'a Carry) -> Self {
        self.carry = Some(carry);
        self
    }
}

/// A compiled rule, built once from its config and shared by all worker threads.
pub trait Rule: Send + Sync {
    fn id(&self) -> &'static str;
    fn check(&self, doc: &DocView<'_>, found: &mut Findings);
    /// Whether the rule's verdicts on a line depend on nothing but that line's text
    /// (no neighbours, no position, no earlier verdicts, no run-wide counts). When
    /// the cleaner looks at a clean text again, such a rule sees only the lines that
    /// differ from the original line they came from: on the others it found nothing
    /// the first time and would find nothing again.
    fn line_local(&self) -> bool {
        false
    }
    /// Whether the rule uses line counts over the whole run (a first pass over the input).
    fn wants_line_counts(&self) -> bool {
        self.line_count_need().is_some()
    }
    /// For a rule that uses line counts: the fewest documents a line must be in for the
    /// rule to count it as repeated. The run measures how often a line seen once would
    /// read as that many in the sketch, and warns when the sketch is too crowded.
    fn line_count_need(&self) -> Option<u32> {
        None
    }
}

/// A rule's configuration: `[rules.<ID>]` in the TOML config. Unknown keys must be an
/// error, so implementors use `#[serde(deny_unknown_fields, default)]`.
pub trait RuleConfig: Serialize + DeserializeOwned + Default {
    const ID: &'static str;
    const DESCRIPTION: &'static str;
    /// Whether the rule runs when the config does not mention it.
    const ENABLED: bool = true;
    fn build(&self) -> anyhow::Result<Box<dyn Rule>>;
}

/// A registry entry: everything the CLI and config loader need to know about a rule.
pub struct RuleSpec {
    pub id: &'static str,
    pub description: &'static str,
    pub enabled: bool,
    /// The rule's default settings (without `enabled`).
    pub defaults: fn() -> toml::Table,
    /// Checks a settings table (without `enabled`) and compiles the rule.
    pub build: fn(&toml::Table) -> anyhow::Result<Box<dyn Rule>>,
    /// Only checks a settings table: for a disabled rule, whose compiled patterns
    /// would go unused.
    pub check: fn(&toml::Table) -> anyhow::Result<()>,
}

fn spec<C: RuleConfig>() -> RuleSpec {
    RuleSpec {
        id: C::ID,
        description: C::DESCRIPTION,
        enabled: C::ENABLED,
        defaults: || match toml::Table::try_from(C::default()) {
            Ok(t) => t,
            Err(e) => panic!("default config of rule {} does not serialize: {e}", C::ID),
        },
        build: |table| {
            let cfg: C = toml::Value::Table(table.clone()).try_into()?;
            cfg.build()
        },
        check: |table| {
            let _: C = toml::Value::Table(table.clone()).try_into()?;
            Ok(())
        },
    }
}

/// Every rule, in the order they run.
pub fn registry() -> Vec<RuleSpec> {
    vec![
        spec::<header::Config>(),
        spec::<encoded::Config>(),
        spec::<credits::Config>(),
        spec::<caption::Config>(),
        spec::<marker::Config>(),
        spec::<related::Config>(),
        spec::<promo::Config>(),
        spec::<thread::Config>(),
        spec::<blocks::Config>(),
        spec::<repeat::Config>(),
    ]
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for rule unit tests: run one rule on a text and look at what it removed.
    use super::*;
    use crate::edit;

    /// Every fixture document's text (JSONL records' texts, whole text files), in the
    /// directories that hold articles.
    pub fn fixture_texts() -> Vec<String> {
        let mut out = Vec::new();
        for dir in ["seeds", "noise", "sidebars", "reprint", "outlets", "cjk"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(dir)
                .join("input");
            let mut paths: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            for path in paths {
                let file = std::fs::read_to_string(&path).unwrap();
                if path.extension().is_some_and(|e| e == "jsonl") {
                    for l in file.lines() {
                        let v: serde_json::Value = serde_json::from_str(l).unwrap();
                        out.push(v["text"].as_str().unwrap().to_string());
                    }
                } else {
                    out.push(file);
                }
            }
        }
        out
    }

    pub fn build<C: RuleConfig>(cfg: C) -> Box<dyn Rule> {
        match cfg.build() {
            Ok(r) => r,
            Err(e) => panic!("rule {} failed to build: {e}", C::ID),
        }
    }

    pub fn findings(rule: &dyn Rule, text: &str) -> Findings {
        let view = DocView::new("test", text);
        let mut found = Findings::default();
        rule.check(&view, &mut found);
        found
    }

    /// The removed texts, in order.
    pub fn removed(rule: &dyn Rule, text: &str) -> Vec<String> {
        let found = findings(rule, text);
        edit::apply(text, &found.verdicts)
            .removed
            .into_iter()
            .map(|r| r.text)
            .collect()
    }

    /// The clean text after applying only this rule.
    pub fn cleaned(rule: &dyn Rule, text: &str) -> String {
        edit::apply(text, &findings(rule, text).verdicts).text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case_and_defaults_build() {
        let specs = registry();
        let mut seen = std::collections::BTreeSet::new();
        for s in &specs {
            assert!(seen.insert(s.id), "duplicate rule id {}", s.id);
            assert!(
                s.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "rule id {} is not snake_case",
                s.id
            );
            assert!(!s.description.is_empty());
            let rule = (s.build)(&(s.defaults)()).expect("defaults build");
            assert_eq!(rule.id(), s.id);
        }
    }

    #[test]
    fn a_view_counts_each_of_its_lines_words() {
        let text = "  one two\n\nthree\u{a0}four  five \r\n\t\nsix";
        let view = DocView::new("d", text);
        assert_eq!(view.words, [2, 0, 3, 0, 1]);
        for (k, l) in view.lines.iter().enumerate() {
            for limit in 0..5 {
                let capped = crate::text::count_words_upto(l.text(text), limit);
                assert_eq!(view.words_upto(k, limit), capped);
            }
        }
        // A view of some lines counts those.
        let some = DocView::with_lines("d", text, vec![view.lines[4], view.lines[2]]);
        assert_eq!(some.words, [1, 3]);
    }
}
