//! The run configuration: a TOML file whose every key has a default. `load` merges
//! the user's file over the defaults, rejects unknown keys by name, and compiles the
//! rules once; nothing is parsed per document.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::rules::{Rule, registry};

pub use crate::dedup::DedupConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub input: InputConfig,
    pub filter: FilterConfig,
    pub repetition: RepetitionConfig,
    /// `[dedup]`: duplicate documents and paragraphs.
    pub dedup: DedupConfig,
    /// `[rules.<id>]`: `enabled` plus the rule's own settings.
    pub rules: BTreeMap<String, toml::Table>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// JSONL field holding the document text.
    pub text_field: String,
    /// JSONL field holding the document id (else `<file>:<line>`).
    pub id_field: String,
    /// Largest document (a `.txt` file or a JSONL line) read; larger ones are
    /// rejected as `too_large` without being held in memory.
    pub max_doc_bytes: u64,
    /// Longest single line inside a document; a document with a longer line is
    /// rejected as `too_large` (protects the line-based rules).
    pub max_line_bytes: u64,
    /// What to do with invalid UTF-8: `replace` (U+FFFD, counted in
    /// `stats.invalid_utf8`), `reject` (reason `invalid_utf8`), or `windows1252`
    /// (a document without a single valid multi-byte UTF-8 sequence is decoded as
    /// Windows-1252, i.e. Latin-1 plus curly quotes; others are replaced; the invalid
    /// sequences are counted either way).
    pub invalid_utf8: Utf8Policy,
    /// Documents per batch handed to the worker threads.
    pub batch_docs: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Utf8Policy {
    Replace,
    Reject,
    Windows1252,
}

/// The first pass that counts, for every line, how many documents of the run contain
/// it (used by rules that recognise template text). Fixed memory:
/// `sketch_depth * 2^sketch_width_bits * 4` bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepetitionConfig {
    pub sketch_depth: usize,
    pub sketch_width_bits: u32,
}

impl Default for RepetitionConfig {
    fn default() -> Self {
        RepetitionConfig {
            sketch_depth: 4,
            sketch_width_bits: 22,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilterConfig {
    /// Documents whose clean text has fewer words are rejected as `too_little_text`
    /// (in Chinese and Japanese, every two characters count as a word).
    pub min_words: usize,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            text_field: "text".into(),
            id_field: "id".into(),
            max_doc_bytes: 32 << 20,
            max_line_bytes: 4 << 20,
            invalid_utf8: Utf8Policy::Replace,
            batch_docs: 1024,
        }
    }
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig { min_words: 10 }
    }
}

impl Default for Config {
    fn default() -> Self {
        let rules = registry()
            .into_iter()
            .map(|s| {
                let mut t = toml::Table::new();
                t.insert("enabled".into(), toml::Value::Boolean(s.enabled));
                t.extend((s.defaults)());
                (s.id.to_string(), t)
            })
            .collect();
        Config {
            input: InputConfig::default(),
            filter: FilterConfig::default(),
            repetition: RepetitionConfig::default(),
            dedup: DedupConfig::default(),
            rules,
        }
    }
}

impl Config {
    /// Reads a TOML config file and merges it over the defaults.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read config", path.display()))?;
        Self::from_toml(&text).with_context(|| format!("{}", path.display()))
    }

    /// Parses TOML and merges it over the defaults; unknown keys are errors.
    pub fn from_toml(text: &str) -> anyhow::Result<Config> {
        let user: toml::Table = text.parse()?;
        let mut merged = toml::Table::try_from(Config::default())?;
        merge(&mut merged, user, "")?;
        let cfg: Config = toml::Value::Table(merged).try_into()?;
        if !(1..=16).contains(&cfg.repetition.sketch_depth)
            || !(8..=30).contains(&cfg.repetition.sketch_width_bits)
        {
            bail!("repetition: sketch_depth must be 1..=16 and sketch_width_bits 8..=30");
        }
        cfg.compile_rules()?; // report rule-level errors now, before any work
        cfg.dedup.validate()?;
        Ok(cfg)
    }

    /// The whole config as TOML, for `chaff config` and the report.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot print config: {e}\n"))
    }

    /// Builds the enabled rules in registry order.
    pub fn compile_rules(&self) -> anyhow::Result<Vec<Box<dyn Rule>>> {
        let specs = registry();
        for id in self.rules.keys() {
            if !specs.iter().any(|s| s.id == id) {
                bail!("unknown rule `rules.{id}` (see `chaff rules`)");
            }
        }
        let mut out = Vec::new();
        for s in specs {
            let mut table = self.rules.get(s.id).cloned().unwrap_or_default();
            let enabled = match table.remove("enabled") {
                None => s.enabled,
                Some(toml::Value::Boolean(b)) => b,
                Some(v) => bail!("rules.{}.enabled: expected true or false, got {v}", s.id),
            };
            // Always validate, so a typo in a disabled rule is still caught; compile
            // only the rules that run.
            let mut full = (s.defaults)();
            full.extend(table);
            let what = |e| anyhow!("rules.{}: {e}", s.id);
            if enabled {
                out.push((s.build)(&full).map_err(what)?);
            } else {
                (s.check)(&full).map_err(what)?;
            }
        }
        Ok(out)
    }
}

/// Deep-merges `user` into `base`. A key that the defaults do not have is an error
/// naming the key.
fn merge(base: &mut toml::Table, user: toml::Table, prefix: &str) -> anyhow::Result<()> {
    for (k, v) in user {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u, &path)?,
            (Some(slot), v) => *slot = v,
            (None, _) if prefix == "rules" => {
                bail!("unknown rule `{path}` (see `chaff rules`)");
            }
            (None, _) => bail!("unknown key `{path}`"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_round_trips() {
        let text = Config::default().to_toml();
        let back = Config::from_toml(&text).expect("default config parses");
        assert_eq!(back.to_toml(), text);
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = Config::from_toml("[input]\ntext_feild = 'x'\n").unwrap_err();
        assert!(format!("{e:#}").contains("input.text_feild"), "{e:#}");
        let e = Config::from_toml("[rules.nope]\nenabled = false\n").unwrap_err();
        assert!(format!("{e:#}").contains("rules.nope"), "{e:#}");
        let e = Config::from_toml("[rules.header]\nmax_key = 3\n").unwrap_err();
        assert!(format!("{e:#}").contains("rules.header.max_key"), "{e:#}");
        let e = Config::from_toml("colour = 1\n").unwrap_err();
        assert!(format!("{e:#}").contains("colour"), "{e:#}");
    }

    #[test]
    fn rules_can_be_switched_off() {
        let cfg = Config::from_toml("[rules.header]\nenabled = false\n").expect("parses");
        let ids: Vec<_> = cfg
            .compile_rules()
            .expect("builds")
            .iter()
            .map(|r| r.id())
            .collect();
        assert!(!ids.contains(&"header"));
        // A disabled rule is not compiled, but its settings are still checked.
        let bad = Config::from_toml("[rules.caption]\nenabled = false\nmax_caption_words = 'x'\n")
            .and_then(|c| c.compile_rules().map(|_| ()));
        let e = bad.expect_err("a wrong type in a disabled rule is an error");
        assert!(format!("{e:#}").contains("rules.caption"), "{e:#}");
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(Config::from_toml("[filter]\nmin_words = 'ten'\n").is_err());
        assert!(Config::from_toml("[input]\ninvalid_utf8 = 'drop'\n").is_err());
    }
}
