//! `encoded`: markup that leaked into the text undecoded — percent-encoded blobs
//! (`%3Cp%3E%3Cstrong%3EDirector%3A…`, sidebar titles like `Some%20title`), HTML entity
//! soup (`&nbsp;&amp;…`) and leftover tags (`<p>`, `</strong>`, `<a href="…">`).
//!
//! Shape of a blob: a run of non-space tokens carrying valid `%XX` escapes, at least
//! one of them an escape that prose never writes (space, `<`, `>`, quote, line break),
//! dense enough (`min_density` of the token's bytes are escapes), and not a URL. The
//! blob is decoded to classify it (`encoded_html` when it holds tags, `encoded_title`
//! for a short line of its own, `encoded_text` otherwise) and to preview it in the
//! audit. With `mode = "decode"` the blob is replaced by its decoded, tag-stripped
//! text instead (for dumps whose article text itself was stored encoded).
//!
//! Whole lines of leaked script, JSON or CSS (`{"@context":…}`, `window.x = {…};`,
//! `.caption { color: #666; }`) and base64 data go too, as kind `code`: a long line
//! dense with code punctuation or quoted keys that does not end like a sentence.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Drop blobs, entity soup and tags.
    Remove,
    /// Put the decoded, tag-stripped text in place of a blob or entity run.
    Decode,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub mode: Mode,
    /// Fewest valid `%XX` escapes in a blob.
    pub min_escapes: usize,
    /// Least share of a token's bytes that must be escapes (3 bytes each).
    pub min_density: f64,
    /// A blob alone on its line decoding to at most this many words is a title.
    pub max_title_words: usize,
    /// Handle HTML entities: runs of `min_entity_run` or more, and lone `&nbsp;`.
    pub entities: bool,
    pub min_entity_run: usize,
    /// Remove leftover HTML tags (the text between them stays).
    pub tags: bool,
    /// Characters of decoded text shown in the audit detail.
    pub preview_chars: usize,
    /// Remove whole lines of inline script, JSON or CSS and base64 data that leaked
    /// in with the text (see [`code_kind`]).
    pub code: bool,
    /// Shortest such line, in bytes: a line of a code sample in a how-to article is
    /// short; leaked markup is one long minified line.
    pub min_code_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Remove,
            min_escapes: 1,
            min_density: 0.1,
            max_title_words: 12,
            entities: true,
            min_entity_run: 2,
            tags: true,
            preview_chars: 60,
            code: true,
            min_code_bytes: 60,
        }
    }
}

/// Tag names worth recognising; `<b and c>` in prose has no `=` attributes and is left.
const TAG: &str = r"</?(?i:a|abbr|article|aside|b|blockquote|br|button|caption|cite|code|dd|div|dl|dt|em|figcaption|figure|footer|h[1-6]|header|hr|i|iframe|img|input|label|li|link|meta|nav|noscript|ol|p|picture|pre|q|s|section|small|source|span|strong|sub|sup|table|tbody|td|th|thead|time|tr|u|ul|video)(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*\s*=\s*(?:\x22[^\x22\n]*\x22|'[^'\n]*'|[^\s\x22'<>]+))*\s*/?>";
const ENTITY: &str = r"&(?:[a-zA-Z][a-zA-Z0-9]{1,9}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});";

impl RuleConfig for Config {
    const ID: &'static str = "encoded";
    const DESCRIPTION: &'static str =
        "percent-encoded blobs (encoded HTML, sidebar titles), HTML entity soup and leftover tags";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        if !(0.0..=1.0).contains(&self.min_density) {
            anyhow::bail!("rules.encoded.min_density must be within 0..=1");
        }
        Ok(Box::new(Encoded {
            cfg: self.clone(),
            tag: Regex::new(TAG)?,
            entity: Regex::new(ENTITY)?,
        }))
    }
}

struct Encoded {
    cfg: Config,
    tag: Regex,
    entity: Regex,
}

/// Escapes that decode to characters prose does not percent-encode by accident.
fn is_structural(hi: u8, lo: u8) -> bool {
    matches!(
        (hi.to_ascii_uppercase(), lo.to_ascii_uppercase()),
        (b'2', b'0')
            | (b'3', b'C')
            | (b'3', b'E')
            | (b'2', b'2')
            | (b'0', b'A')
            | (b'0', b'D')
            | (b'0', b'9')
    )
}

/// (valid escapes, structural escapes, escapes glued to a letter on the left) in `token`.
fn count_escapes(token: &[u8]) -> (usize, usize, usize) {
    let (mut all, mut structural, mut after_letter) = (0, 0, 0);
    let mut i = 0;
    while i + 2 < token.len() {
        if token[i] == b'%' && token[i + 1].is_ascii_hexdigit() && token[i + 2].is_ascii_hexdigit()
        {
            all += 1;
            if i > 0 && (token[i - 1].is_ascii_alphabetic() || token[i - 1] == b')') {
                after_letter += 1;
            }
            if is_structural(token[i + 1], token[i + 2]) {
                structural += 1;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    (all, structural, after_letter)
}

fn is_url(token: &str) -> bool {
    token.contains("://") || token.starts_with("www.") || token.starts_with("mailto:")
}

/// What kind of leaked code a whole (trimmed) line is, if any: `json` (three or more
/// quoted keys, `"key":`), `script` (braces and at least one byte in twelve of
/// `{}[];=`), or `base64` (one token of the base64 alphabet with capitals, small
/// letters and digits). A line that ends like a sentence is prose that quotes code.
fn code_kind(line: &str) -> Option<&'static str> {
    let b = line.as_bytes();
    if matches!(b.last(), Some(b'.' | b'!' | b'?' | b':')) {
        return None;
    }
    // JSON and script need a brace or a bracket, base64 is one token: most lines, prose
    // with spaces and no braces, are out after two byte searches.
    if memchr::memchr2(b'{', b'[', b).is_none() && memchr::memchr(b' ', b).is_some() {
        return None;
    }
    // One pass: quoted keys, code punctuation, and the base64 alphabet's classes.
    let (mut keys, mut punct, mut open, mut close, mut bracket) = (0, 0, false, false, false);
    let (mut base64, mut upper, mut lower, mut digit) = (true, false, false, false);
    let mut prev = 0u8;
    for &c in b {
        if c == b':' && (prev == b'"' || prev == b'\'') {
            keys += 1;
        }
        match c {
            b'{' => open = true,
            b'}' => close = true,
            b'[' => bracket = true,
            _ => {}
        }
        if b"{}[];=".contains(&c) {
            punct += 1;
        }
        upper |= c.is_ascii_uppercase();
        lower |= c.is_ascii_lowercase();
        digit |= c.is_ascii_digit();
        base64 &= c.is_ascii_alphanumeric() || b"+/=".contains(&c);
        prev = c;
    }
    if keys >= 3 && (open || bracket) {
        Some("json")
    } else if open && close && punct >= 6 && 12 * punct >= b.len() {
        Some("script")
    } else if base64 && upper && lower && digit {
        Some("base64")
    } else {
        None
    }
}

impl Encoded {
    fn code(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        for line in &doc.lines {
            if line.end - line.start < self.cfg.min_code_bytes {
                continue;
            }
            let (s, e) = crate::text::trim_range(text, line.start, line.end);
            if e - s < self.cfg.min_code_bytes {
                continue;
            }
            if let Some(kind) = code_kind(&text[s..e]) {
                let preview: String = text[s..e].chars().take(self.cfg.preview_chars).collect();
                found.verdicts.push(
                    Verdict::new(Config::ID, s, e)
                        .with_detail(json!({ "kind": "code", "code": kind, "preview": preview })),
                );
            }
        }
    }

    fn is_blob(&self, token: &str) -> bool {
        if is_url(token) {
            return false;
        }
        let (all, structural, after_letter) = count_escapes(token.as_bytes());
        // One escape is a blob only inside a word (`Some%20title`), never after a
        // number (`20%20`), where it is more likely a typo in prose.
        all >= self.cfg.min_escapes
            && structural > 0
            && (all >= 2 || after_letter > 0)
            && (3 * all) as f64 >= self.cfg.min_density * token.len() as f64
    }

    fn blobs(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        let bytes = text.as_bytes();
        for line in &doc.lines {
            let l = &bytes[line.start..line.end];
            if memchr::memchr(b'%', l).is_none() {
                continue;
            }
            // Merge neighbouring blob tokens on the line into one span.
            let mut span: Option<(usize, usize)> = None;
            let mut pos = line.start;
            while pos < line.end {
                while pos < line.end && bytes[pos].is_ascii_whitespace() {
                    pos += 1;
                }
                let start = pos;
                while pos < line.end && !bytes[pos].is_ascii_whitespace() {
                    pos += 1;
                }
                if start == pos {
                    break;
                }
                if self.is_blob(&text[start..pos]) {
                    span = Some(match span {
                        Some((s, _)) => (s, pos),
                        None => (start, pos),
                    });
                } else if let Some((s, e)) = span.take() {
                    self.report_blob(text, s, e, false, found);
                }
            }
            if let Some((s, e)) = span {
                let whole = text[line.start..line.end].trim() == &text[s..e];
                self.report_blob(text, s, e, whole, found);
            }
        }
    }

    fn report_blob(&self, text: &str, s: usize, e: usize, whole_line: bool, found: &mut Findings) {
        let raw = &text[s..e];
        let decoded = percent_decode_str(raw).decode_utf8_lossy();
        let has_tags = self.tag.is_match(&decoded);
        let plain = strip_markup(&self.tag, &self.entity, &decoded);
        let kind = if has_tags {
            "encoded_html"
        } else if whole_line && plain.split_whitespace().count() <= self.cfg.max_title_words {
            "encoded_title"
        } else {
            "encoded_text"
        };
        let preview: String = plain.chars().take(self.cfg.preview_chars).collect();
        let mut v =
            Verdict::new(Config::ID, s, e).with_detail(json!({ "kind": kind, "preview": preview }));
        if self.cfg.mode == Mode::Decode {
            v = v.with_replacement(plain);
        }
        found.verdicts.push(v);
    }

    fn entities(&self, text: &str, found: &mut Findings) {
        let mut run: Option<(usize, usize, usize)> = None; // start, end, count
        for m in self.entity.find_iter(text) {
            match run {
                Some((s, e, n)) if text[e..m.start()].bytes().all(|b| b == b' ' || b == b'\t') => {
                    run = Some((s, m.end(), n + 1));
                }
                _ => {
                    if let Some(r) = run.take() {
                        self.report_entities(text, r, found);
                    }
                    run = Some((m.start(), m.end(), 1));
                }
            }
        }
        if let Some(r) = run {
            self.report_entities(text, r, found);
        }
    }

    fn report_entities(&self, text: &str, (s, e, n): (usize, usize, usize), found: &mut Findings) {
        let raw = &text[s..e];
        let kind = if n >= self.cfg.min_entity_run {
            "entity_soup"
        } else if decode_entity(raw).is_some_and(|c| c.is_whitespace()) {
            "entity_space"
        } else if self.cfg.mode == Mode::Decode && decode_entity(raw).is_some() {
            "entity"
        } else {
            return;
        };
        let mut v = Verdict::new(Config::ID, s, e).with_detail(json!({ "kind": kind, "count": n }));
        if self.cfg.mode == Mode::Decode {
            v = v.with_replacement(decode_entities(&self.entity, raw).into_owned());
        }
        found.verdicts.push(v);
    }
}

impl Rule for Encoded {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        if self.cfg.code {
            self.code(doc, found);
        }
        self.blobs(doc, found);
        // Tags before entities, so an entity inside a tag's attribute goes with the tag.
        let text = doc.text;
        if self.cfg.tags && memchr::memchr(b'<', text.as_bytes()).is_some() {
            for m in self.tag.find_iter(text) {
                let name: String = m
                    .as_str()
                    .trim_start_matches(['<', '/'])
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                found.verdicts.push(
                    Verdict::new(Config::ID, m.start(), m.end())
                        .with_detail(json!({ "kind": "tag", "tag": name.to_ascii_lowercase() })),
                );
            }
        }
        if self.cfg.entities && memchr::memchr(b'&', text.as_bytes()).is_some() {
            self.entities(text, found);
        }
    }
}

/// The character a single entity stands for, for the entities scraped text carries.
fn decode_entity(e: &str) -> Option<char> {
    let body = e.strip_prefix('&')?.strip_suffix(';')?;
    if let Some(num) = body.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return match char::from_u32(n)? {
            '\u{a0}' => Some(' '),
            c => Some(c),
        };
    }
    Some(match body {
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "laquo" => '«',
        "raquo" => '»',
        _ => return None,
    })
}

fn decode_entities<'a>(entity: &Regex, s: &'a str) -> Cow<'a, str> {
    entity.replace_all(s, |c: &regex::Captures<'_>| match decode_entity(&c[0]) {
        Some(ch) => ch.to_string(),
        None => String::new(),
    })
}

/// Decoded text without tags or entities, whitespace collapsed.
fn strip_markup(tag: &Regex, entity: &Regex, s: &str) -> String {
    let no_tags = tag.replace_all(s, " ");
    let plain = decode_entities(entity, &no_tags);
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, findings, removed};

    fn kinds(rule: &dyn Rule, text: &str) -> Vec<String> {
        findings(rule, text)
            .verdicts
            .iter()
            .filter_map(|v| v.detail.as_ref()?.get("kind")?.as_str().map(String::from))
            .collect()
    }

    #[test]
    fn removes_encoded_html_titles_and_text_in_many_styles() {
        let rule = build(Config::default());
        for (text, kind) in [
            (
                "%3Cp%3E%3Cstrong%3EDirector%3A%3C%2Fstrong%3E%20Jane%20Roe%3C%2Fp%3E%0A",
                "encoded_html",
            ),
            ("Best%20of%20the%20decade", "encoded_title"),
            ("Inception%20(2010)", "encoded_title"),
            (
                "%3Cdiv%20class%3D%22fact-box%22%3EPopulation%3A%201.2m%3C%2Fdiv%3E",
                "encoded_html",
            ),
            ("%3Cbr%3E", "encoded_html"),
            (
                "%3Cul%3E%3Cli%3EEngine%3A%202.0L%3C%2Fli%3E%3Cli%3EPower%3A%20250hp%3C%2Fli%3E%3C%2Ful%3E",
                "encoded_html",
            ),
            (
                "Lorem%20ipsum%20dolor%20sit%20amet%2C%20consectetur%20adipiscing%20elit%20sed%20do%20eiusmod%20tempor%20incididunt",
                "encoded_text",
            ),
            ("The%20Big%20Interview%3A%20Part%202", "encoded_title"),
        ] {
            let doc = format!("Intro sentence stays.\n{text}\nClosing sentence stays.");
            assert_eq!(kinds(rule.as_ref(), &doc), [kind], "{text}");
            assert_eq!(
                cleaned(rule.as_ref(), &doc),
                "Intro sentence stays.\nClosing sentence stays.",
                "{text}"
            );
        }
    }

    #[test]
    fn detail_previews_the_decoded_text() {
        let rule = build(Config::default());
        let found = findings(
            rule.as_ref(),
            "%3Cp%3E%3Cstrong%3EStars%3A%3C%2Fstrong%3E%20A%20B%26nbsp%3B%3C%2Fp%3E",
        );
        let d = found.verdicts[0].detail.as_ref().unwrap();
        assert_eq!(d["preview"], "Stars: A B");
    }

    #[test]
    fn decode_mode_replaces_the_blob_with_its_text() {
        let rule = build(Config {
            mode: Mode::Decode,
            ..Config::default()
        });
        let text = "Head.\n%3Cp%3EThe%20article%20body%20was%20stored%20encoded.%3C%2Fp%3E\nTail &amp;&nbsp;more.";
        let e = crate::edit::apply(text, &findings(rule.as_ref(), text).verdicts);
        assert_eq!(
            e.text,
            "Head.\nThe article body was stored encoded.\nTail & more."
        );
        assert!(e.removed[0].text.starts_with("%3Cp%3E"));
        assert_eq!(
            e.removed[0].replacement.as_deref(),
            Some("The article body was stored encoded.")
        );
    }

    #[test]
    fn removes_entity_soup_and_leftover_tags() {
        let rule = build(Config::default());
        assert_eq!(
            removed(rule.as_ref(), "Text&nbsp;&amp;&#8217; here"),
            ["&nbsp;&amp;&#8217;"]
        );
        assert_eq!(
            cleaned(
                rule.as_ref(),
                "<p>Body text with <strong>bold</strong> words.</p><br/>"
            ),
            "Body text with bold words."
        );
        assert_eq!(
            cleaned(
                rule.as_ref(),
                r#"See <a href="https://x.org/a" target='_blank'>the report</a>."#
            ),
            "See the report ."
        );
        assert_eq!(cleaned(rule.as_ref(), "A&nbsp;B"), "A B");
    }

    #[test]
    fn removes_lines_of_leaked_script_json_css_and_base64() {
        let rule = build(Config::default());
        let p = "The council voted on Tuesday to expand the bus network.";
        for (line, code) in [
            (
                r#"{"@context":"https://schema.org","@type":"NewsArticle","headline":"Council expands bus network","datePublished":"2019-11-19"}"#,
                "json",
            ),
            (
                r#"window.__INITIAL_STATE__={"article":{"id":12345,"title":"Council expands bus network","tags":["transport"]}};"#,
                "json",
            ),
            (
                ".article-body p { margin: 0 0 1em; font-size: 18px; } .caption { color: #666; }",
                "script",
            ),
            (
                "var googletag = googletag || {}; googletag.cmd = googletag.cmd || []; googletag.cmd.push(function() { googletag.display('ad-1'); });",
                "script",
            ),
            (
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
                "base64",
            ),
        ] {
            let text = format!("{p}\n{line}\n{p}");
            assert_eq!(removed(rule.as_ref(), &text), [line], "{line}");
            let found = findings(rule.as_ref(), &text);
            assert_eq!(found.verdicts[0].detail.as_ref().unwrap()["code"], code);
            assert_eq!(cleaned(rule.as_ref(), &text), format!("{p}\n{p}"));
        }
    }

    #[test]
    fn leaves_code_samples_and_prose_about_code() {
        let rule = build(Config::default());
        for text in [
            // A how-to article's code sample: short lines.
            "for (int i = 0; i < n; i++) { sum += a[i]; }",
            "let config = { retries: 3, timeout: 30 };",
            // Prose that quotes code ends like a sentence.
            r#"The file held {"name": "x", "size": 3, "type": "y"} and nothing else, the researchers said in their report."#,
            "Set the value with x = {a; b; c} [1] [2] = 3 in the editor window, then press the save button twice.",
            // Long words and identifiers are not data.
            "Pneumonoultramicroscopicsilicovolcanoconiosis is the longest word in English dictionaries",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP",
        ] {
            assert!(
                findings(rule.as_ref(), text).verdicts.is_empty(),
                "flagged {text:?}"
            );
        }
    }

    #[test]
    fn leaves_prose_percent_signs_urls_and_lone_entities() {
        let rule = build(Config::default());
        for text in [
            "Inflation rose 5% in March, up from 4.2% in February.",
            "The 100%-renewable target was dropped.",
            "Visit https://example.com/search?q=climate%20change for the data.",
            "Shares fell 20%20 minutes after the bell.",
            "Stocks gained 3%.A rally followed.",
            "Tom &amp; Jerry is a cartoon.",
            "If a <b and c> d then the inequality holds.",
            "AT&T; and R&D; spending rose.",
            "The ratio was 1%3 by volume.",
            "Use www.example.org/a%20b as the mirror.",
        ] {
            assert!(
                findings(rule.as_ref(), text).verdicts.is_empty(),
                "flagged {text:?}"
            );
        }
    }
}
