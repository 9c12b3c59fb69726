//! `related`: links to other stories left in the text — gallery links
//! (`<title> – in pictures`), prefixed links (`Related: …`, `READ MORE: …`,
//! `WATCH: …`), and link-list headings (`Recommended Stories`, `More from …`,
//! `Most Popular`) with the short title lines right under them.
//!
//! Shape: a SHORT line (at most `max_words`) that ends in a gallery/video suffix after
//! a dash, or starts with a link prefix followed by `:`, `|` or `»` and a title, or
//! is a list heading alone. Under a heading, following lines that look like link
//! titles (short, no sentence-final punctuation) go too, up to `max_list_lines`.
//! A grid of teaser cards, each closed by its own `Read more` button, goes whole: at
//! least `card_buttons` buttons alone on their lines, each at most `max_card_lines`
//! short lines (title, byline, excerpt) below the one before; above the first button,
//! as many lines as the smallest card holds. Under a heading, the cards can also be
//! opened by a line of their own (a share bar, a date): the line right under the
//! heading, again before each of at least `card_buttons` cards of 1 to
//! `max_card_lines` lines of any length; after the last copy, as many lines as the
//! smallest card holds (two copies in a row end the row at the first).

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::trim_range;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Longest link line, in words.
    pub max_words: usize,
    /// Also remove the link titles listed under a heading such as `Related stories`.
    pub list_after_heading: bool,
    /// Most title lines taken under one heading.
    pub max_list_lines: usize,
    /// Longest title line under a heading, in words.
    pub max_title_words: usize,
    /// Fewest `Read more` buttons in a row of teaser cards (0: off).
    pub card_buttons: usize,
    /// Most lines of one teaser card (above its button).
    pub max_card_lines: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_words: 25,
            list_after_heading: true,
            max_list_lines: 8,
            max_title_words: 16,
            card_buttons: 3,
            max_card_lines: 4,
        }
    }
}

/// `<title> – in pictures`, `<title> - video`.
const GALLERY: &str = r"^[ \t]*\S[^\n]{2,200}?[ \t]+[–—-][ \t]+(?i:in\s+pictures|in\s+photos|in\s+pics|in\s+images|photo\s+essay|photo\s+gallery|gallery|pictures|photos|video|in\s+video|podcast|audio|interactive|in\s+charts|in\s+maps)[ \t]*$";

/// The last word of each [`GALLERY`] kind: a gallery line ends with one of them.
const GALLERY_LAST_WORDS: [&str; 12] = [
    "pictures",
    "photos",
    "pics",
    "images",
    "essay",
    "gallery",
    "video",
    "podcast",
    "audio",
    "interactive",
    "charts",
    "maps",
];

/// Whether `line` may match [`GALLERY`]: it ends, before spaces and tabs, with one of
/// [`GALLERY_LAST_WORDS`] in any case. The pattern runs to the line's end on every
/// line it is tried on; this spares it nearly all of them. The pattern's Unicode case
/// folding also reads `ſ` as an `s` (no other non-ASCII char folds to a letter of
/// these words): a line with one is left to the pattern.
fn may_be_gallery(line: &str) -> bool {
    let t = line.trim_end_matches([' ', '\t']).as_bytes();
    GALLERY_LAST_WORDS
        .iter()
        .any(|w| t.len() >= w.len() && t[t.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes()))
        || line.contains('ſ')
}

/// Link prefixes followed by a separator and a title.
const PREFIX: &str = r"^[ \t]*(?:(?i:related(?:\s+(?:articles?|stories|story|content|coverage|links?|news|reading|video))?|read\s+more|read\s+also|also\s+read|see\s+also|see\s+more|more|read\s+next|up\s+next|next\s+up|don['’]?t\s+miss|must\s+read|recommended(?:\s+for\s+you)?|watch|listen|photos|video|videos|gallery|in\s+pictures|in\s+photos|explainer|opinion|analysis|live(?:\s+(?:updates|results|coverage|blog))?|click\s+here|leia\s+(?:também|mais)|veja\s+também|lea\s+también|lee\s+también|lesen\s+sie\s+auch|mehr\s+zum\s+thema|(?:à\s+)?lire\s+aussi|читайте\s+также|leggi\s+anche|baca\s+juga|zie\s+ook|czytaj\s+(?:także|też)))[ \t]*(?::|\||»|›|>>)[ \t]*\S";

/// Headings of link lists, alone on their line. `Related` and `More` take any one word
/// after them (`Related explainers`, `More episodes`): what the list holds varies by
/// site, and an article's own subheading says more than that.
const HEADING: &str = r"^[ \t]*(?i:related(?:\s+\p{L}+)?|recommended(?:\s+(?:stories|articles|reading|videos?|for\s+you))?|more\s+(?:\p{L}+|on\s+this(?:\s+story|\s+topic)?|like\s+this)|more\s+from\s+(?:[\p{Lu}\p{N}][^\s.!?]*[ \t]*){1,4}|you\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in)|also\s+on\s+(?:[\p{Lu}\p{N}][^\s.!?]*[ \t]*){1,4}|most\s+(?:read|popular|viewed|shared|watched)(?:\s+(?:stories|articles|videos|now|today))?|trending(?:\s+(?:now|stories|news))?|(?:trending|popular|most\s+(?:read|popular|viewed))\s+(?:on|in|at)\s+(?:[\p{Lu}\p{N}][^\s.!?]*[ \t]*){1,4}|top\s+stories|latest(?:\s+(?:news|stories|videos|headlines|posts))?|(?:recent|popular|top|featured)\s+posts|recent\s+(?:articles|stories|news)|further\s+reading|read\s+next|more[ \t]*:|don['’]?t\s+miss|must\s+reads?|see\s+also|also\s+read|read\s+also|what\s+to\s+read\s+next|editor'?s\s+picks?|popular(?:\s+(?:now|stories))?|in\s+case\s+you\s+missed\s+it|around\s+the\s+web|from\s+our\s+partners|sponsored(?:\s+(?:content|links|posts|stories))?|paid\s+(?:content|posts?|partner(?:\s+content)?)|promoted(?:\s+(?:content|links|stories))?|partner\s+content|(?:related\s+(?:coverage|stories|articles|content|reading)|more\s+(?:stories|coverage|articles))\s+from\s+[^\n.!?]{1,80}?:|voc[eê]\s+(?:tamb[eé]m\s+)?pode\s+gostar|(?:tambi[eé]n\s+)?te\s+puede\s+interesar|vous\s+aimerez\s+(?:peut-[eê]tre\s+)?aussi|das\s+k[oö]nnte\s+(?:sie|dich)\s+auch\s+interessieren|potrebbe\s+interessarti|ti\s+potrebbe\s+interessare|вам\s+(?:также\s+)?может\s+(?:понравиться|быть\s+интересно)|anda\s+mungkin\s+(?:juga\s+)?(?:suka|tertarik))[ \t]*(?:[:»›]|\.\.\.|…)?[ \t]*$";

/// A card's `Read more` button, alone on its line.
const BUTTON: &str = r"^[ \t]*(?i:read\s+more|continue\s+reading|keep\s+reading|read\s+(?:the\s+)?(?:full\s+)?(?:article|story|post)|view\s+(?:post|article|story)|learn\s+more|weiterlesen|mehr\s+lesen|lire\s+la\s+suite|leia\s+mais|leer\s+m[aá]s|seguir\s+leyendo|leggi\s+(?:tutto|di\s+più)|continua\s+a\s+leggere|lees\s+verder|читать\s+(?:далее|дальше)|подробнее|selengkapnya|baca\s+selengkapnya)[ \t]*[:.!»›>…→]*[ \t]*$";

/// Whether `line` starts with a letter a [`BUTTON`] can start with: one comparison
/// spares most short lines the search.
fn may_be_button(line: &str) -> bool {
    line.trim_start().chars().next().is_some_and(|c| {
        matches!(
            c.to_ascii_lowercase(),
            'r' | 'c' | 'k' | 'v' | 'l' | 'w' | 'm' | 's' | 'b' | 'п' | 'П' | 'ч' | 'Ч'
        )
    })
}

/// Longest line of a teaser card, in words (an excerpt, not an article paragraph).
const MAX_CARD_LINE_WORDS: usize = 60;

impl RuleConfig for Config {
    const ID: &'static str = "related";
    const DESCRIPTION: &'static str = "gallery and related-story links (`… – in pictures`, `READ MORE: …`, `Recommended Stories`) and rows of teaser cards with `Read more` buttons";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        Ok(Box::new(Related {
            cfg: self.clone(),
            gallery: Regex::new(GALLERY)?,
            prefix: Regex::new(PREFIX)?,
            heading: Regex::new(HEADING)?,
            button: Regex::new(BUTTON)?,
        }))
    }
}

struct Related {
    cfg: Config,
    gallery: Regex,
    prefix: Regex,
    heading: Regex,
    button: Regex,
}

/// A line of `words` words that reads like a link title: short, no sentence-final
/// punctuation.
fn is_title(line: &str, words: usize, max_words: usize) -> bool {
    let t = line.trim();
    words >= 2
        && words <= max_words
        && !t.ends_with(['.', '!', ',', ';', ':', '"', '”', '’'])
        && t.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
}

impl Related {
    /// Rows of teaser cards: runs of `card_buttons` or more button lines, each at most
    /// `max_card_lines` short lines below the last. One verdict per row, from the first
    /// card's first line to the last button.
    fn cards(&self, doc: &DocView<'_>, found: &mut Findings) {
        let (need, most) = (self.cfg.card_buttons, self.cfg.max_card_lines);
        if need == 0 || most == 0 {
            return;
        }
        let text = doc.text;
        // The non-blank lines, and which of them are buttons (cheap test first: a
        // button is short).
        let lines: Vec<_> = doc
            .lines
            .iter()
            .filter(|l| !l.text(text).trim().is_empty())
            .collect();
        let buttons: Vec<usize> = (0..lines.len())
            .filter(|&k| {
                let l = lines[k].text(text);
                l.len() < 40 && may_be_button(l) && self.button.is_match(l)
            })
            .collect();
        if buttons.len() < need {
            return;
        }
        let short = |k: usize| {
            crate::text::count_words_upto(lines[k].text(text), MAX_CARD_LINE_WORDS + 1)
                <= MAX_CARD_LINE_WORDS
        };
        // A card: 1..=most short lines between two buttons.
        let card = |a: usize, b: usize| b > a + 1 && b - a - 1 <= most && (a + 1..b).all(short);
        let mut k = 0;
        while k < buttons.len() {
            let mut j = k;
            while j + 1 < buttons.len() && card(buttons[j], buttons[j + 1]) {
                j += 1;
            }
            if j + 1 - k >= need {
                let smallest = (k..j)
                    .map(|m| buttons[m + 1] - buttons[m] - 1)
                    .min()
                    .unwrap_or(1);
                let first = buttons[k];
                let mut top = first;
                while top > 0
                    && first - top < smallest
                    && short(top - 1)
                    && !buttons.contains(&(top - 1))
                {
                    top -= 1;
                }
                let (s, _) = trim_range(text, lines[top].start, lines[top].end);
                let (_, e) = trim_range(text, lines[buttons[j]].start, lines[buttons[j]].end);
                found
                    .verdicts
                    .push(Verdict::new(Config::ID, s, e).with_detail(json!({
                        "pattern": "cards",
                        "cards": j + 1 - k,
                        "button": lines[first].text(text).trim(),
                    })));
            }
            k = j + 1;
        }
    }

    /// Under a heading, a row of cards each opened by the same short line (a share bar,
    /// a date, a `Read more` button above its card): the first line below the heading
    /// at least `card_buttons` times, each copy 1 to `max_card_lines` lines after the
    /// one before. The cards may be long (quotes, excerpts): the heading already says
    /// they are other stories. Returns the row's last line (past the last opener, as
    /// many lines as the smallest card holds) and the number of cards.
    fn opened_cards(&self, doc: &DocView<'_>, from: usize) -> Option<(usize, usize)> {
        let (need, most) = (self.cfg.card_buttons, self.cfg.max_card_lines);
        if need == 0 || most == 0 {
            return None;
        }
        // A line seen once repeats nothing, whatever `card_buttons` says.
        let need = need.max(2);
        let text = doc.text;
        // The non-blank lines from `from` on, read only as far as the row goes.
        let mut rows = (from..doc.lines.len()).filter(|&k| doc.words[k] > 0);
        let first = rows.next()?;
        if doc.words[first] as usize > self.cfg.max_title_words {
            return None;
        }
        let opener = doc.lines[first].text(text).trim();
        // `card`: the non-blank lines since the last opener, at `last`.
        let (mut openers, mut last, mut card, mut smallest) = (1, first, Vec::new(), usize::MAX);
        for k in rows.by_ref() {
            if doc.lines[k].text(text).trim() != opener {
                card.push(k);
                if card.len() > most {
                    break;
                }
                continue;
            }
            if card.is_empty() {
                // Two openers in a row: the row ends at the first, which opens no card.
                return (openers > need).then_some((last, openers - 1));
            }
            smallest = smallest.min(card.len());
            (openers, last) = (openers + 1, k);
            card.clear();
        }
        if openers < need {
            return None;
        }
        // The last card: as many lines as the smallest, of those read after the last
        // opener (the loop stops one past a card too long) and those after them.
        card.extend(rows.take(smallest.saturating_sub(card.len())));
        card.truncate(smallest);
        Some((card.last().copied().unwrap_or(last), openers))
    }
}

impl Rule for Related {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        self.cards(doc, found);
        let text = doc.text;
        let mut i = 0;
        while i < doc.lines.len() {
            let (line, n) = (doc.lines[i], doc.words[i] as usize);
            i += 1;
            let l = line.text(text);
            if n == 0 || n > self.cfg.max_words {
                continue;
            }
            let (s, e) = trim_range(text, line.start, line.end);
            let kind = if self.heading.is_match(l) {
                "heading"
            } else if may_be_gallery(l) && self.gallery.is_match(l) {
                "gallery"
            } else if self.prefix.is_match(l) {
                "prefix"
            } else {
                continue;
            };
            let mut end = e;
            let mut titles = 0;
            let mut cards = 0;
            let list = kind == "heading" && self.cfg.list_after_heading;
            if let Some((last, n)) = list.then(|| self.opened_cards(doc, i)).flatten() {
                cards = n;
                end = trim_range(text, doc.lines[last].start, doc.lines[last].end).1;
                i = last + 1;
            } else if list {
                // Take the title lines under the heading; blank lines between them are
                // part of the list, the first line that is not a title ends it.
                let mut j = i;
                while j < doc.lines.len() && titles < self.cfg.max_list_lines {
                    let next = doc.lines[j].text(text);
                    if next.trim().is_empty() {
                        j += 1;
                        continue;
                    }
                    if !is_title(next, doc.words[j] as usize, self.cfg.max_title_words) {
                        break;
                    }
                    titles += 1;
                    end = trim_range(text, doc.lines[j].start, doc.lines[j].end).1;
                    j += 1;
                    i = j;
                }
            }
            let mut detail = json!({
                "pattern": kind,
                "line": l.trim(),
                "titles": titles,
            });
            if cards > 0 {
                detail["cards"] = json!(cards);
            }
            found
                .verdicts
                .push(Verdict::new(Config::ID, s, end).with_detail(detail));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, findings, removed};

    const P: &str = "The vote was delayed until next week, officials said.";

    #[test]
    fn removes_gallery_and_prefixed_links_in_many_styles() {
        let rule = build(Config::default());
        for link in [
            "Floods across southern Europe – in pictures", // Guardian
            "Wildfires rage in Canada - in photos",        // Al Jazeera
            "Inside the new stadium – video",              // Guardian
            "READ MORE: Prime minister faces fresh revolt over budget", // Express
            "Related: Why the central bank raised rates again", // Guardian US
            "WATCH: Moment the bridge collapsed",          // Sky / ABC
            "Read more » Police name suspect in shooting", // Telegraph
            "ALSO READ | Monsoon arrives early in Kerala", // Indian outlets
            "See also: The 10 best beaches in Portugal",   // Reuters/AFP blogs
            "MORE: Stocks slide as oil jumps",             // ABC News
            "SEE MORE: Students under siege in university", // Express
            "Leia também: Governo anuncia novo pacote",    // Brazilian outlets
            "Lesen Sie auch: Regierung plant neues Gesetz", // German outlets
            "Читайте также: Правительство объявило новые меры", // Russian outlets
            "Baca juga: Pemerintah umumkan paket baru",    // Indonesian outlets
            "LIVE RESULTS: See every race in the county",  // election nights
            "LIVE UPDATES: Storm makes landfall",
        ] {
            let text = format!("{P}\n{link}\n{P}");
            assert_eq!(removed(rule.as_ref(), &text), [link], "{link}");
            assert_eq!(cleaned(rule.as_ref(), &text), format!("{P}\n{P}"));
        }
    }

    #[test]
    fn removes_a_heading_with_the_titles_under_it() {
        let rule = build(Config::default());
        let text = format!(
            "{P}\nRecommended Stories\nStorm batters east coast\n\nMarkets rally on rate hopes\nThe mayor said the road would reopen on Friday.\n"
        );
        assert_eq!(
            cleaned(rule.as_ref(), &text),
            format!("{P}\nThe mayor said the road would reopen on Friday.")
        );
        let found = findings(rule.as_ref(), &text);
        assert_eq!(found.verdicts[0].detail.as_ref().unwrap()["titles"], 2);
        // An ad slot inside the article: the sponsored teaser and its button go, the
        // article's next paragraph stays.
        let ad = format!(
            "{P}\nSponsored Content\nThese 5 Cards Are Paying Savers Up To $500\nCompare Offers\n{P}"
        );
        assert_eq!(cleaned(rule.as_ref(), &ad), format!("{P}\n{P}"));
        for heading in [
            "More from Business",
            "Most Popular",
            "You may also like",
            "DON'T MISS",
            "Must reads",
            "See also",
            "More:",
            "Recent Posts",
            "Popular posts",
            "Related coverage from How to Do Everything: Money:",
            "Sponsored Content",
            "Trending on Starwire",
            "Most read in Sport",
            "sponsored links",
            "Paid Partner Content",
            "Promoted Stories",
            "Partner content",
            "Você pode gostar...",
            "También te puede interesar",
            "Vous aimerez aussi",
            "Das könnte Sie auch interessieren",
            "Вам также может понравиться",
            "Related explainers",
            "More episodes",
        ] {
            let t = format!("{P}\n{heading}\n{P}");
            assert_eq!(removed(rule.as_ref(), &t), [heading], "{heading}");
        }
        // A subheading of the article that opens with `More` or `Related` says more.
        for subheading in ["More arrests expected", "Related charges dropped"] {
            let t = format!("{P}\n{subheading}\n{P}");
            assert!(removed(rule.as_ref(), &t).is_empty(), "{subheading}");
        }
    }

    /// Cards each opened by `opener`: a long quote, a title over its blurb, an excerpt
    /// cut off with an ellipsis.
    fn opened_cards(opener: &str) -> String {
        let quote = "Courage is not the absence of fear but the decision that something else \
                     matters more, and every morning asks us to make that decision again.";
        [
            opener,
            quote,
            opener,
            "On gratitude",
            "Gratitude turns what we have into enough, and it costs nothing to give.",
            opener,
            "The garden teaches patience: nothing you plant today will be ready tomorrow…",
        ]
        .join("\n")
    }

    #[test]
    fn a_heading_takes_the_cards_its_repeated_opener_starts() {
        let rule = build(Config::default());
        for opener in [
            "Whatsapp Facebook Pinterest Download",
            "Share this quote",
            "12 May 2019",
        ] {
            let cards = opened_cards(opener);
            let text = format!("{P}\n{P}\nYou may also like\n{cards}");
            assert_eq!(
                cleaned(rule.as_ref(), &text),
                format!("{P}\n{P}"),
                "{opener}"
            );
            let found = findings(rule.as_ref(), &text);
            let detail = found.verdicts[0].detail.as_ref().unwrap();
            assert_eq!(detail["pattern"], "heading");
            assert_eq!(detail["cards"], 3);
            // The last card holds as many lines as the smallest: what follows it stays.
            let text =
                format!("{P}\nYou may also like\n{cards}\nThe council meets again in March.");
            assert_eq!(
                cleaned(rule.as_ref(), &text),
                format!("{P}\nThe council meets again in March."),
                "{opener}"
            );
        }
    }

    #[test]
    fn cards_need_a_heading_and_an_opener_before_each() {
        let rule = build(Config::default());
        let opener = "Share this quote";
        // No heading: a listicle with a share line under each item keeps its items (the
        // line itself is other rules' business).
        let text = format!("{P}\n{}", opened_cards(opener));
        assert_eq!(cleaned(rule.as_ref(), &text), text);
        // Two openers are no row: the heading goes with its title lines only.
        let text = format!("{P}\nYou may also like\n{opener}\n{P}\n{opener}\n{P}");
        assert_eq!(
            cleaned(rule.as_ref(), &text),
            format!("{P}\n{P}\n{opener}\n{P}")
        );
        // One opener is no row, even where one button would be.
        let one = build(Config {
            card_buttons: 1,
            ..Config::default()
        });
        let text = format!("{P}\nYou may also like\n{opener}\n{P}\n{P}");
        // (The heading takes the opener as a title line; the paragraphs stay.)
        assert_eq!(cleaned(one.as_ref(), &text), format!("{P}\n{P}\n{P}"));
        // Openers in a row end the row at the first of them.
        let cards = opened_cards(opener);
        let text = format!("{P}\nYou may also like\n{cards}\n{opener}\n{opener}\n{P}");
        assert_eq!(cleaned(rule.as_ref(), &text), format!("{P}\n{opener}\n{P}"));
        let found = findings(rule.as_ref(), &text);
        assert_eq!(found.verdicts[0].detail.as_ref().unwrap()["cards"], 3);
        // Openers in a row hold no card; a card longer than `max_card_lines` ends the row.
        for gap in [0, 5] {
            let card = vec![P; gap].join("\n");
            let text = format!(
                "{P}\nYou may also like\n{opener}\n{P}\n{opener}\n{card}\n{opener}\n{P}\n{opener}\n{P}"
            )
            .replace("\n\n", "\n");
            let found = findings(rule.as_ref(), &text);
            let detail = found.verdicts[0].detail.as_ref().unwrap();
            assert!(detail.get("cards").is_none(), "gap {gap}: {detail}");
        }
    }

    #[test]
    fn removes_a_row_of_teaser_cards_with_their_buttons() {
        let rule = build(Config::default());
        let cards = [
            "How ferries cut harbour traffic",
            "The harbour ferry now carries more commuters than the bridge, and the city wants…",
            "Read more",
            "Ten years of the northern bus lanes",
            "Bus lanes opened a decade ago changed how the districts commute. Here is what the data shows.",
            "Read more",
            "Why the tram extension stalled",
            "By John Doe",
            "Costs doubled after the tunnel survey, officials say.",
            "Read more »",
        ]
        .join("\n");
        let text = format!("{P}\n{P}\n{cards}\n{P}");
        assert_eq!(cleaned(rule.as_ref(), &text), format!("{P}\n{P}\n{P}"));
        let found = findings(rule.as_ref(), &text);
        let detail = found.verdicts[0].detail.as_ref().unwrap();
        assert_eq!(detail["pattern"], "cards");
        assert_eq!(detail["cards"], 3);
        // Other languages' buttons.
        for button in [
            "Weiterlesen",
            "Lire la suite",
            "Leia mais",
            "Leer más",
            "Читать далее",
        ] {
            let t = format!(
                "{P}\nTitle one\nExcerpt one…\n{button}\nTitle two\nExcerpt two…\n{button}\nTitle three\nExcerpt three…\n{button}\n{P}"
            );
            assert_eq!(cleaned(rule.as_ref(), &t), format!("{P}\n{P}"), "{button}");
        }
    }

    #[test]
    fn keeps_the_article_around_read_more_buttons() {
        let rule = build(Config::default());
        // Two buttons are no row; nor are buttons with the article's paragraphs between.
        for text in [
            format!(
                "{P}\nTitle one\nExcerpt one…\nRead more\nTitle two\nExcerpt two…\nRead more\n{P}"
            ),
            format!(
                "{P}\nRead more\n{P}\n{P}\n{P}\n{P}\n{P}\nRead more\n{P}\n{P}\n{P}\n{P}\n{P}\nRead more\n{P}"
            ),
            // An article paragraph is no card line.
            format!(
                "{P}\nRead more\n{long}\nRead more\n{long}\nRead more\n{P}",
                long = [P; 7].join(" ")
            ),
        ] {
            assert!(
                removed(rule.as_ref(), &text).is_empty(),
                "removed from {text:?}"
            );
        }
    }

    proptest::proptest! {
        /// The gate never turns away a line the gallery pattern matches.
        #[test]
        fn the_gallery_gate_passes_every_gallery_line(
            title in "[A-Za-zé ]{3,30}",
            dash in "[-–—]",
            kind in "(?i)(in pictures|in photos|in pics|in images|photo essay|photo gallery|gallery|pictures|photos|video|in video|podcast|audio|interactive|in charts|in maps)",
            odd in "[ſKé]?",
            tail in "[ \t]{0,3}",
        ) {
            let re = Regex::new(GALLERY).unwrap();
            let mut swapped = kind.clone();
            if !odd.is_empty() {
                swapped.pop();
                swapped.push_str(&odd);
            }
            for kind in [kind, swapped] {
                let line = format!("{title} {dash} {kind}{tail}");
                if re.is_match(&line) {
                    proptest::prop_assert!(may_be_gallery(&line), "{line:?}");
                }
            }
        }
    }

    #[test]
    fn every_gallery_kind_ends_with_a_gate_word() {
        let kinds = GALLERY
            .split("(?i:")
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap();
        for kind in kinds.split('|') {
            let last = kind.rsplit(r"\s+").next().unwrap();
            assert!(GALLERY_LAST_WORDS.contains(&last), "{kind}");
        }
        assert_eq!(kinds.split('|').count(), 16);
    }

    #[test]
    fn only_the_long_s_folds_to_a_gallery_word_letter() {
        let letters: String = GALLERY_LAST_WORDS.concat();
        let any = Regex::new(&format!("(?i)^[{letters}]$")).unwrap();
        let folding: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|c| any.is_match(&c.to_string()))
            .collect();
        assert_eq!(folding, ['ſ']);
    }

    #[test]
    fn the_gallery_gate_turns_away_other_lines() {
        assert!(may_be_gallery("Floods across Europe – IN PICTURES \t"));
        assert!(may_be_gallery("Floods across Europe – in pictureſ"));
        assert!(!may_be_gallery(
            "The vote was delayed until next week, officials said."
        ));
        assert!(!may_be_gallery(""));
        assert!(!may_be_gallery("Рецепт пирога с капустой"));
    }

    #[test]
    fn leaves_prose_that_looks_like_links() {
        let rule = build(Config::default());
        for text in [
            "Related: the two cases were linked by the same lab, police said, and the inquiry into both is expected to last well into next year according to people familiar with it.",
            "More than 200 people were evacuated.",
            "Watch the skies tonight for the meteor shower, astronomers say.",
            "Read more books, the report recommends.",
            "The exhibition, titled Life in pictures, opens in May.",
            "He said the video – which was filmed in 2019 – was authentic.",
            "Recommended dose is two tablets a day.",
            "Latest figures show inflation at 4%.",
            "More from the minister was expected on Tuesday.",
            "Listen carefully and you can hear the sea.",
            "More — much more — is needed, the report says.",
            "More",
            "Don't miss the final episode on Sunday, fans were told.",
            "See more of the city by bike, the guide suggests.",
            "Related coverage from the local paper was sparse: it ran two stories.",
            "Vous aimerez aussi la vue depuis la terrasse, promet le guide.",
        ] {
            assert!(
                removed(rule.as_ref(), text).is_empty(),
                "removed from {text:?}"
            );
        }
    }
}
