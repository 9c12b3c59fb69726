//! `caption`: photo captions and credits — `Caption text.NAME NAME/Agency`,
//! `… (Photo: Getty Images)`, `(Name/AP)`, `Name/AFP via Getty Images`,
//! `Photo by X/Y | License Photo`, `Image caption …`, `Pictured: …`, `FILE - …`,
//! `1 of 12`. A line that is only a named credit (`Name/Agency`, `Name | Agency`,
//! `(Image: X)`, `Photo: Jane Doe`) takes the caption-sized line right above it along.
//!
//! Shapes, not words: a *credit* is a photo keyword followed by a source
//! (`Photo: X`, `Credit: X`, `(Image: X)`), or capitalised names joined to a known
//! picture agency by `/`, `|` or `via` (`Name/Reuters`, `REUTERS/Name`,
//! `X | Bloomberg | Getty Images`), standing at the END of a line, right after a
//! sentence end or at the line start. A line that ends in a credit is a caption and
//! goes whole when it is caption-sized (`max_caption_words`); in a longer line only
//! the credit goes. A line that starts with a caption label (`Image caption`,
//! `Pictured:`, `FILE -`, a wire caption's `In this Dec. 12, 2006, file photo,`) goes whole, and so does a gallery counter alone on a line.
//! Prose that merely mentions photos or agencies ("Reuters reported that…") has
//! none of these shapes.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::trim_range;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// A line ending in a credit goes whole up to this many words; longer lines keep
    /// their text and lose only the credit.
    pub max_caption_words: usize,
    /// Most words in a credit itself (`Photo: …` up to the line end).
    pub max_credit_words: usize,
    /// Remove lines that start with a caption label (`Image caption`, `Pictured:`).
    pub labels: bool,
    /// Remove gallery counters and caption toggles alone on a line (`1 of 12`).
    pub counters: bool,
    /// A line of at most this many words right above a line that is only a named
    /// credit (`Name/Agency`, `Name | Agency`, `(Image: X)`) is that picture's caption
    /// (0: off).
    pub above_credit_words: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_caption_words: 60,
            max_credit_words: 10,
            labels: true,
            counters: true,
            above_credit_words: 50,
        }
    }
}

/// Picture agencies and stock libraries: the generic vocabulary of credits.
const AGENCY: &str = r"(?:Reuters|REUTERS|AP(?:\s+Photo|\s+Images)?|Associated\s+Press|AFP|Agence\s+France-Presse|Getty(?:\s+Images)?|GETTY(?:\s+IMAGES)?|EPA(?:-EFE)?|EFE|UPI|Bloomberg(?:\s+News)?|Shutterstock|SHUTTERSTOCK|Alamy|AAP(?:\s+Image)?|PA(?:\s+Images|\s+Wire|\s+Media)?|ANI|Xinhua|XINHUA|Sipa(?:\s+USA)?|NurPhoto|ZUMA(?:\s+Press|\s+Wire)?|Anadolu(?:\s+Agency)?|SOPA\s+Images|LightRocket|Corbis|iStock(?:photo)?|Handout|HANDOUT|Pool|POOL|TASS|Kyodo|Yonhap|Sputnik|IANS|PTI|Imago|IMAGO|dpa|picture\s+alliance|Rex(?:\s+Features)?|REX|WireImage|FilmMagic|Redux|Polaris|Newscom|BACKGRID|Splash\s+News|AP/Shutterstock|ANSA|Ansa|Keystone|KEYSTONE|Belga|BELGA|ANP|NTB|Lusa|LUSA|Antara|ANTARA|Bernama|BERNAMA|Jiji|Scanpix|Ritzau)";

/// One to five capitalised name words (`JANE DOE`, `Jean-Paul de Souza`).
const NAME: &str = r"\p{Lu}[\p{L}\p{M}'’.\-]*(?:[ \t]+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|de|da|van|von|al|bin|del|la|le)){0,4}";

/// Photo keywords that introduce a credit (`Photo: X`, `Image credit: X`).
const KEYWORD: &str = r"(?:File\s+)?(?:Photo|PHOTO|Photograph|PHOTOGRAPH|Photographer|Picture|Pic|Image|IMAGE|Credit|CREDIT|Image\s+credit|Photo\s+credit|Picture\s+credit|Main\s+image\s+credit|Photo\s+illustration|Illustration|ILLUSTRATION|Graphic|GRAPHIC|Infographic|Foto|Fotó|Фото|Fotografía|Bild|Imagen|Crédito|Crédit(?:\s+photo)?)s?";

/// `Courtesy` opening a credit (`Courtesy of X`, `Photo courtesy of X`).
const COURTESY: &str = r"(?:(?:Photo|Image|Picture)s?[ \t]+[Cc]ourtesy|Courtesy|COURTESY)";

/// How local papers credit a picture without naming an agency: `Submitted photo`,
/// `Staff photo by Jane Doe`, `Contributed photo | Jane Doe`.
const HOUSE: &str = r"(?:Submitted|Staff|Contributed|Provided|Special|Courtesy)[ \t]+(?:photo|Photo|image|Image|photograph|Photograph|picture|Picture)s?";

/// A paper's own photographer or a freelancer, after `Name/`: `STAFF`, `Gazette Staff
/// Photographer`, `Special to the Gazette`.
const STAFF: &str = r"(?:(?:Staff|STAFF)(?:[ \t]+(?:[Pp]hotographer|PHOTOGRAPHER))?|Special[ \t]+to[ \t]+(?:the[ \t]+)?\p{Lu}[\p{L}\p{M}'’.\-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’.\-]*){0,4})";

/// Credit parts that no line can match without one of these words: a pattern that
/// has the part runs only on lines with the word (one substring search spares most
/// lines the pattern).
const GATES: [(&str, &[&str]); 3] = [
    (COURTESY, &["ourtesy", "OURTESY"]),
    (HOUSE, &["hoto", "mage", "icture"]),
    (STAFF, &["taff", "TAFF", "pecial"]),
];

/// Credits that end a line, each a pattern whose group 1 is the credit. They are kept
/// apart because their union makes a lazy DFA thrash (40x slower on real pages).
fn credit_patterns() -> Vec<String> {
    // Where a credit may begin: the line start, after a sentence end (glued or not),
    // or glued to a lowercase word (`rabbitCredit: X`).
    let edge = r"(?:^[ \t]*|[.!?\x22”’)\]][ \t]*|\p{Ll})";
    [
        // A parenthesised credit may follow anything.
        // (Photo: X), (Image credit: X), (Photo by X/Y for Z), [Photo: X]
        r"([(\[]\s*(?i:photo|photograph|image|picture|pic|credit|image\s+credit|photo\s+credit|foto|illustration)s?\s*(?:by(?-u:\b)|:|(?i:courtesy)(?-u:\b))[^()\[\]\n]+[)\]])",
        // (Name/AP), (AP Photo/Name, File), (REUTERS/Name), [File: Name/Reuters]
        r"([(\[](?:[^()\[\]\n]+/[ \t]*{AGENCY}|{AGENCY}[ \t]*/[^()\[\]\n]+)[^()\[\]\n]*[)\]])",
        // (First Last/The Daily Outlet): a person's name over any organisation.
        r"(\(\p{Lu}[\p{L}\p{M}'’.\-]*[ \t]+\p{Lu}[^()/\n]*/[ \t]*\p{Lu}[^()\n]+\))",
        // (Getty Images), (AFP via Getty Images): picture libraries, not wire datelines.
        r"([(\[](?:(?:AFP|AP|EPA|Reuters|REUTERS|Xinhua|Anadolu|NurPhoto|SOPA\s+Images|[\p{Lu}][\p{L}'.\-]*(?:[ \t]+[\p{Lu}][\p{L}'.\-]*){0,3})[ \t]+via[ \t]+)?(?:Getty(?:\s+Images)?|GETTY(?:\s+IMAGES)?|Shutterstock|SHUTTERSTOCK|Alamy|iStock(?:photo)?|EPA(?:-EFE)?|AP\s+Photo|Handout|HANDOUT|Pool|POOL|File|FILE)[ \t]*[)\]])",
        // Photo: X | Credit: Getty - Contributor | File Photo by X/Y | License Photo
        r"{EDGE}({KEYWORD}[ \t]*(?:by[ \t]|:|\.\.\.|…|/[ \t]+\p{Lu})[ \t]*[^\n]+)",
        // … in Madrid Photo: X (after a plain space)
        r"[ \t]({KEYWORD}[ \t]*(?:by[ \t]|:|\.\.\.|…)[ \t]*[^\n]+?)",
        // NAME/Agency, NAME/Outlet/Agency, NAME/AFP via Getty Images
        r"{EDGE}({NAME}[ \t]*/[ \t]*(?:{NAME}[ \t]*/[ \t]*)?{AGENCY}(?:[ \t]*/[ \t]*{AGENCY}(?:[ \t]+\p{Lu}\p{Ll}+)?)?(?:[ \t]+(?:file|File|FILE))?(?:[ \t]+(?:via|for)[ \t]+[^\n]+)?)",
        // JANE DOE/STAFF, Jane Doe/Gazette Staff Photographer, Jane Doe / Special to the
        // Gazette: a paper's own photographer or a freelancer.
        r"{EDGE}({NAME}[ \t]*/[ \t]*(?:{NAME}[ \t]+)?{STAFF})",
        // REUTERS/Name, REUTERS/Name/File Photo (never glued to a lowercase word)
        r"(?:^[ \t]*|[.!?\x22”’)\]][ \t]*)({AGENCY}[ \t]*/[ \t]*{NAME}(?:[ \t]*/[ \t]*{NAME})?(?:[ \t]+via[ \t]+{AGENCY})?)",
        // Name | Outlet | Getty Images, Name, Getty Images/Collection
        r"{EDGE}({NAME}(?:[ \t]*[|,][ \t]*{NAME}){0,2}[ \t]*[|,][ \t]*{AGENCY}(?:/[^\n]+)?)",
        // Courtesy of NASA/JPL-Caltech, Photo courtesy of the City of Austin: a name
        // (not a clause) to the line end.
        r"{EDGE}({COURTESY}(?:[ \t]+of)?[ \t]+(?:the[ \t]+)?{NAME}(?:[ \t]*/[ \t]*[^\s/][^\n]*)?)",
        // Christopher Battin Submitted photo, … Staff photo by Jane Doe
        r"(?:^|[ \t]|[.!?\x22”’)\]])({HOUSE}(?:[ \t]+by[ \t]+{NAME}|[ \t]*[/|][ \t]*{NAME})?)",
        // Photo AFP, (Foto Ansa), Photo Reuters/Name: the keyword straight before an agency
        r"{EDGE}((?:Photo|PHOTO|Foto|FOTO)[ \t]+{AGENCY}(?:[ \t]*/[ \t]*{NAME})?)",
        r"([(\[](?:Photo|PHOTO|Foto|FOTO)[ \t]+{AGENCY}(?:[ \t]*/[ \t]*{NAME})?[)\]])",
        // … © AFP, … © Jane Doe/Agency, … © Reuters / Name: a copyright sign over the
        // picture's agency
        r"(?:[.!?\x22”’)\]][ \t]*)(©[ \t]*(?:{NAME}[ \t]*/[ \t]*)?{AGENCY}(?:[ \t]*/[ \t]*{NAME})?)",
        // Source: Getty Images (an agency only: `Source: government data` may be prose)
        r"{EDGE}((?:Source|SOURCE)[ \t]*:[ \t]*{AGENCY}(?:[ \t]*/[ \t]*[^\n]+)?)",
        // X via Getty Images
        r"{EDGE}({NAME}(?:[ \t]*,[ \t]*{NAME})?[ \t]+via[ \t]+{AGENCY})",
        // (NASA via AP, File), (Courtesy Jane Doe via AP): a named source, in brackets.
        r"([(\[]{NAME}[ \t]+via[ \t]+{AGENCY}(?:[ \t]*,[ \t]*(?:File|FILE))?[ \t]*[)\]])",
        // A bare agency (`Getty Images`, `AFP`) only alone on its line: after a sentence
        // it is as often a wire tag closing an article paragraph, and glued to a
        // lowercase word it would hit `grandpa` (dpa).
        r"^[ \t]*({AGENCY})",
    ]
    .iter()
    .map(|p| {
        format!("{p}[ \t]*$")
            .replace("{EDGE}", edge)
            .replace("{AGENCY}", AGENCY)
            .replace("{NAME}", NAME)
            .replace("{KEYWORD}", KEYWORD)
            .replace("{COURTESY}", COURTESY)
            .replace("{HOUSE}", HOUSE)
            .replace("{STAFF}", STAFF)
    })
    .collect()
}

/// Lines that start with a caption label. Group 1: the label.
const LABEL: &str = r"^[ \t]*(?:((?:Image|Media)[ \t]+caption)\p{Lu}|((?:Open\s+this\s+(?:photo|image)\s+in\s+gallery|Image\s+caption|Media\s+caption|Caption|CAPTION|Pictured(?:\s+(?:above|below|left|right|top|bottom))?|PICTURED|Above|ABOVE|Photo|PHOTO|Photos|PHOTOS|Picture|Image|IMAGE|Photo\s+illustration|FILE\s+PHOTO|File\s+photo|File\s+Photo)[ \t]*:|FILE[ \t]*[-–—][ \t]|(?:Image\s+caption|Media\s+caption|Image\s+copyright|Image\s+source)(?-u:\b)[,:]?|(?:Credit|CREDIT|Photograph|Image\s+credit|Photo\s+credit|Image\s+copyright|Image\s+source)[ \t]*:|(?:Photo|PHOTO)\s+(?:credit|CREDIT)\s+(?:should|SHOULD)\s+(?:read|READ)(?-u:\b)|{OPENING}))";

/// The opening of a wire caption that describes its picture: `In this Dec. 12, 2006,
/// file photo,`, `This March 28, 2017, file photo, provided by …`, `This satellite
/// image from NASA shows …`, `In this photo taken on …`. A date or a kind of picture
/// (`file`, `satellite`, `undated`…) before the noun, or a picture verb after it; a
/// plain `This photo was …` or `In this photo, you can see …` is prose.
const OPENING: &str = r"(?:In[ \t]+this|This)[ \t]+(?:(?:(?:\p{Lu}\p{Ll}{2,8}\.?[ \t]+\d{1,2},?[ \t]+)?(?:19|20)\d{2},?[ \t]+)(?:(?:undated|handout|satellite|file|aerial|combination|drone|video|still)[ \t]+){0,2}(?:photo|image|picture|photograph|frame)s?|(?:(?:undated|handout|satellite|file|aerial|combination|drone)[ \t]+){1,2}(?:photo|image|picture|photograph)s?|(?:photo|image|picture|photograph|frame)s?[ \t]+(?:provided|released|made|taken|obtained|distributed|shows|showing)(?-u:\b))";

/// Labels of a picture's credit line (`Photo: Getty Images`, `Credit: Name/Outlet`),
/// not of a caption (`Pictured:`, `Image caption`).
const PICTURE_LABELS: [&str; 17] = [
    "Photo",
    "PHOTO",
    "Foto",
    "FOTO",
    "Fotó",
    "Фото",
    "Bild",
    "Imagen",
    "Fotografía",
    "Photograph",
    "Picture",
    "Image",
    "IMAGE",
    "Credit",
    "CREDIT",
    "Image credit",
    "Photo credit",
];

fn is_picture_label(label: &str) -> bool {
    let words = || label.trim_end_matches([' ', '\t', ':']).split_whitespace();
    PICTURE_LABELS
        .iter()
        .any(|p| p.split_whitespace().eq(words()))
}

/// Labels that introduce only a credit, not a caption.
const CREDIT_LABELS: [&str; 7] = [
    "Credit",
    "CREDIT",
    "Photograph",
    "Image credit",
    "Photo credit",
    "Image copyright",
    "Image source",
];

/// Gallery counters and caption toggles alone on a line.
const COUNTER: &str = r"^[ \t]*(?:(?:(?:Image|Photo|Picture|Slide|Gallery)[ \t]+)?\d{1,3}[ \t]+(?:of|/)[ \t]+\d{1,3}|(?i:enlarge\s+this\s+image|toggle\s+caption|hide\s+caption|show\s+caption|view\s+gallery|open\s+gallery|launch\s+gallery|view\s+image|expand\s+image|photo\s+gallery)|Caption)[ \t]*$";

/// Position markers that captions use (`(L)`, `(2nd R)`, `(centre)`): noted in the detail.
const POSITION: &str = r"\((?:L|R|C|L-R|R-L|\d(?:st|nd|rd|th)\s+[LR]|left|right|center|centre|top|bottom|front|pictured|above|below)\)";

impl RuleConfig for Config {
    const ID: &'static str = "caption";
    const DESCRIPTION: &'static str =
        "photo captions and credits (`…/Reuters`, `(Photo: X)`, `Image caption …`, `1 of 12`)";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        Ok(Box::new(Caption::new(self)?))
    }
}

impl Caption {
    fn new(cfg: &Config) -> anyhow::Result<Caption> {
        Ok(Caption {
            cfg: cfg.clone(),
            credits: credit_patterns()
                .iter()
                .map(|p| Credit::new(p))
                .collect::<Result<_, regex::Error>>()?,
            agency: Regex::new(AGENCY)?,
            keyword: Regex::new(KEYWORD)?,
            may_credit: Regex::new(&format!(
                r"[(\[/|]|via|ourtesy|OURTESY|{KEYWORD}|{AGENCY}|{HOUSE}"
            ))?,
            label: Regex::new(&LABEL.replace("{OPENING}", OPENING))?,
            counter: Regex::new(COUNTER)?,
            position: Regex::new(POSITION)?,
            name: Regex::new(&format!("^{NAME}$"))?,
        })
    }
}

/// One credit pattern, compiled twice: as written (`wide`), and with its Unicode
/// classes (`\p{L}`, `\p{Lu}`, `\p{Ll}`, `\p{M}`, `\s`) cut down to the characters below
/// U+0800 (`narrow`: Latin, Greek, Cyrillic, Hebrew, Arabic, all two UTF-8 bytes at
/// most). On a line where [`is_narrow`] holds, no character outside that range is a
/// letter, mark or space, so both find the same credit; the narrow automaton is a
/// fraction of the size. Building the wide one's lazy DFA states, once per thread, was
/// most of the rule's time: its first pass over 10 MB took 101 ms, 71 with the narrow
/// forms. The wide form is compiled the first time a line needs it: a run whose lines
/// are all narrow never builds it, and building them all was half of a one-document
/// run's time.
struct Credit {
    pattern: String,
    wide: std::sync::OnceLock<Regex>,
    narrow: Regex,
    /// Whether the pattern has an agency name in it (every pattern that has one
    /// requires it).
    needs_agency: bool,
    /// Whether the pattern has a photo keyword in it (`Photo`, `Credit`): both that
    /// have one require it.
    needs_keyword: bool,
    /// Words one of which a line needs for the pattern to match (see [`GATES`]).
    needs_words: &'static [&'static str],
    /// Whether the credit is a bracket that closes the line (`(Photo: X)`).
    closes: bool,
}

impl Credit {
    fn new(pattern: &str) -> Result<Credit, regex::Error> {
        Ok(Credit {
            pattern: pattern.to_string(),
            wide: std::sync::OnceLock::new(),
            narrow: Regex::new(&narrow_classes(pattern))?,
            needs_agency: pattern.contains(AGENCY),
            needs_keyword: pattern.contains(KEYWORD),
            needs_words: GATES
                .iter()
                .find(|(part, _)| pattern.contains(part))
                .map_or(&[], |&(_, words)| words),
            closes: pattern
                .strip_suffix("[ \t]*$")
                .is_some_and(|p| p.ends_with(r"[)\]])") || p.ends_with(r"\))")),
        })
    }

    /// The pattern as written. The patterns are constants, and the tests compile each
    /// (`every_wide_form_compiles`): a failure here is a bug, not bad input.
    fn wide(&self) -> &Regex {
        self.wide.get_or_init(|| {
            Regex::new(&self.pattern).expect("a credit pattern that compiles narrow compiles wide")
        })
    }
}

/// `pattern` with each Unicode class escape intersected with U+0000..U+07FF. The
/// escapes are replaced wherever they stand: a bracketed class nests inside a class
/// as well as outside one.
fn narrow_classes(pattern: &str) -> String {
    const NARROW: &str = r"&&\x00-\u{7FF}]";
    let mut out = pattern.to_string();
    for class in [r"\p{Lu}", r"\p{Ll}", r"\p{L}", r"\p{M}", r"\s"] {
        out = out.replace(class, &format!("[{class}{NARROW}"));
    }
    out
}

/// Whether every character of `line` is below U+0800 or one of the punctuation and
/// currency signs of U+2010..U+205E and U+20A0..U+20CF (curly quotes, dashes, bullets,
/// the euro), none of which is a letter, a mark or a space: the credit patterns'
/// narrow forms then find what the wide ones would.
fn is_narrow(line: &str) -> bool {
    line.chars().all(
        |c| matches!(c as u32, 0..=0x7FF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x20A0..=0x20CF),
    )
}

struct Caption {
    cfg: Config,
    credits: Vec<Credit>,
    agency: Regex,
    keyword: Regex,
    /// Every credit pattern needs one of these (a bracket, a slash or bar, `via`,
    /// `courtesy`, a photo keyword or an agency name): one cheap search spares most
    /// lines all of them.
    may_credit: Regex,
    label: Regex,
    counter: Regex,
    position: Regex,
    /// A source that is a [`NAME`] and nothing else: a person, not a description
    /// (`The mayor at city hall`).
    name: Regex,
}

fn words(s: &str) -> usize {
    crate::text::count_words(s)
}

/// The end of `line` from the start of its `n`-th last whitespace-separated word (the
/// whole line when it has fewer, or when `n` is 0): any part of the line of `n` words
/// or fewer that reaches the end lies inside it.
fn last_words(line: &str, n: usize) -> &str {
    if n == 0 {
        return line;
    }
    let (mut words, mut in_word) = (0, false);
    for (i, c) in line.char_indices().rev() {
        if !c.is_whitespace() {
            in_word = true;
            continue;
        }
        if in_word {
            words += 1;
            if words == n {
                return &line[i + c.len_utf8()..];
            }
        }
        in_word = false;
    }
    line
}

impl Caption {
    /// The credit that ends `line`, as a range within it: the leftmost one that any
    /// credit pattern finds and that is short enough.
    fn credit_at_end(&self, line: &str) -> Option<(usize, usize)> {
        // A credit kept is `max_credit_words` words at most, at the line's end, and
        // what a pattern needs (a bracket, an agency, a gate word) is inside the
        // credit: the searches for them read that tail only, not a whole paragraph.
        let tail = last_words(line, self.cfg.max_credit_words);
        if !self.may_credit.is_match(tail) {
            return None;
        }
        // Most credit patterns need an agency name: one search for any spares them
        // on lines that have none.
        let agency = self.agency.is_match(tail);
        let keyword = self.keyword.is_match(tail);
        let closes = line.trim_end_matches([' ', '\t']).ends_with([')', ']']);
        let narrow = is_narrow(line);
        self.credits
            .iter()
            .filter(|c| agency || !c.needs_agency)
            .filter(|c| keyword || !c.needs_keyword)
            .filter(|c| closes || !c.closes)
            .filter(|c| c.needs_words.is_empty() || c.needs_words.iter().any(|w| tail.contains(w)))
            .map(|c| if narrow { &c.narrow } else { c.wide() })
            .filter_map(|re| re.captures(line)?.get(1))
            .filter(|m| words(m.as_str()) <= self.cfg.max_credit_words)
            .map(|m| (m.start(), m.end()))
            .min()
    }
}

impl Rule for Caption {
    fn id(&self) -> &'static str {
        Config::ID
    }

    /// Line-local but for the caption above a credit-only line: in a later pass
    /// (changed lines only) that neighbour is out of view, so the rule finds less
    /// there, never something a clean output would lose again.
    fn line_local(&self) -> bool {
        true
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        // Lines that are a named credit and nothing else: the caption may sit above.
        let mut credit_lines: Vec<usize> = Vec::new();
        for (k, line) in doc.lines.iter().enumerate() {
            let l = line.text(text);
            if l.trim().is_empty() {
                continue;
            }
            let n = || doc.words[k] as usize;
            let (whole_s, whole_e) = trim_range(text, line.start, line.end);
            let whole = |pattern: &str, extra: serde_json::Value| {
                Verdict::new(Config::ID, whole_s, whole_e)
                    .with_detail(json!({ "pattern": pattern, "match": extra }))
            };
            if self.cfg.counters && self.counter.is_match(l) {
                found.verdicts.push(whole("counter", json!(l.trim())));
                continue;
            }
            let label = self
                .cfg
                .labels
                .then(|| {
                    self.label
                        .captures(l)
                        .and_then(|c| c.get(1).or_else(|| c.get(2)))
                })
                .flatten()
                .filter(|_| n() <= self.cfg.max_caption_words);
            if let Some(m) = label {
                // A bare credit label (`Credit: X`) heads a short line only; a longer
                // line may be a section of the article.
                let credit_only = CREDIT_LABELS.iter().any(|p| m.as_str().starts_with(p));
                if !credit_only || n() <= self.cfg.max_credit_words {
                    found
                        .verdicts
                        .push(whole("label", json!(m.as_str().trim())));
                    // `Photo: Getty Images`, `Credit: Name/Outlet`, `Image credit: Name`
                    // alone on a line: a picture's credit, whose caption may stand right
                    // above. (A bare `Credit: Name` may be a paragraph's source tag.)
                    let source = l[m.end()..].trim();
                    if n() <= self.cfg.max_credit_words && self.credits_picture(m.as_str(), source)
                    {
                        credit_lines.push(k);
                    }
                    continue;
                }
            }
            if let Some((s, e)) = self.credit_at_end(l) {
                let credit = l[s..e].trim();
                let positioned = self.position.is_match(l);
                let detail = json!({
                    "pattern": "credit",
                    "match": credit,
                    "position_marker": positioned,
                });
                let v = if n() <= self.cfg.max_caption_words {
                    Verdict::new(Config::ID, whole_s, whole_e)
                } else {
                    Verdict::new(Config::ID, line.start + s, line.start + e)
                };
                found.verdicts.push(v.with_detail(detail));
                // `Foto: dpa`, `Bild: Name`: another language's picture label, which
                // the caption labels above do not list, over its source.
                let labelled = || {
                    self.keyword.find(credit).is_some_and(|m| {
                        m.start() == 0
                            && credit[m.end()..]
                                .trim_start()
                                .strip_prefix(':')
                                .is_some_and(|source| {
                                    self.credits_picture(m.as_str(), source.trim())
                                })
                    })
                };
                if credit == l.trim() && (is_named_credit(credit) || labelled()) {
                    credit_lines.push(k);
                }
            }
        }
        if self.cfg.above_credit_words > 0 {
            self.captions_above(doc, &credit_lines, found);
        }
    }
}

/// A credit that names a photographer or a source with its agency (`Name/Agency`,
/// `Name | Agency`, `Name, AP`) or stands in brackets (`(Image: X)`): on its own line
/// it belongs to a picture, and its caption is the line above. A bare agency or a
/// `Credit: X` label alone may close a paragraph as a source tag.
fn is_named_credit(credit: &str) -> bool {
    credit.starts_with(['(', '[']) || credit.contains(['/', '|', ','])
}

impl Caption {
    /// Whether `label: source` alone on a line credits a picture, whose caption may
    /// stand right above: a picture's label over a named credit, an agency, or a bare
    /// name (`Image credit: Jane Doe`; a bare `Credit: Name` may be a paragraph's
    /// source tag).
    fn credits_picture(&self, label: &str, source: &str) -> bool {
        let label = label.trim_end_matches([' ', '\t', ':']);
        is_picture_label(label)
            && (is_named_credit(source)
                || self.agency.is_match(source)
                || (self.name.is_match(source) && !label.eq_ignore_ascii_case("credit")))
    }

    /// The line right above a credit-only line, when it is caption-sized and not
    /// itself removed, is the picture's caption.
    fn captions_above(&self, doc: &DocView<'_>, credit_lines: &[usize], found: &mut Findings) {
        let text = doc.text;
        for &k in credit_lines {
            let Some(j) = k.checked_sub(1) else {
                continue;
            };
            let prev = &doc.lines[j];
            // Next to each other in the text: a line view may have gaps.
            if !text[prev.end..doc.lines[k].start]
                .chars()
                .all(char::is_whitespace)
                || text[prev.end..doc.lines[k].start].matches('\n').count() > 1
            {
                continue;
            }
            let l = prev.text(text).trim();
            let n = doc.words_upto(j, self.cfg.above_credit_words + 1);
            // A line ending in `:` introduces what follows; a line of `|`-separated
            // fields is a byline or a menu, not a description; a taken line is done.
            if n < 3
                || n > self.cfg.above_credit_words
                || l.ends_with(':')
                || l.matches(" | ").count() >= 2
            {
                continue;
            }
            let (s, e) = trim_range(text, prev.start, prev.end);
            if found.verdicts.iter().any(|v| v.start < e && s < v.end) {
                continue;
            }
            found.verdicts.push(
                Verdict::new(Config::ID, s, e)
                    .with_detail(json!({ "pattern": "above_credit", "match": l })),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, findings, removed};

    const BODY: &str = "The minister resigned on Tuesday after weeks of pressure.";

    #[test]
    fn removes_captions_ending_in_credits_in_many_styles() {
        let rule = build(Config::default());
        for caption in [
            // Globe and Mail / Reuters, glued
            "Open this photo in gallery: The mayor speaks at city hall on May 2.JANE Q. PUBLIC/Reuters",
            // AP
            "Protesters march in Santiago, Chile, Friday, Oct. 25, 2019. (AP Photo/Esteban Felix)",
            "Rafael Nadal celebrates a point in Madrid, Spain, Tuesday, Nov. 19, 2019. (Manu Fernandez/AP)",
            // AFP via Getty
            "Firefighters battle a blaze near Athens on August 22, 2023. Louisa Gouliamaki/AFP via Getty Images",
            // Reuters agency-first
            "A trader works on the floor of the exchange. REUTERS/Brendan McDermid",
            // UPI
            "The leader (L) may visit the capital soon, officials said. File Photo by Kim Lee/UPI | License Photo",
            // Express / Mirror
            "The plague wiped out half of Europe in the 14th century (Image: GETTY)",
            // The Sun, glued credit
            "The hunter killed and ate a rabbitCredit: Getty - Contributor",
            // Guardian
            "Crowds gather outside parliament.Photograph: Anna Smith/Bloomberg/Getty Images",
            // CNBC
            "Natalie Naccache | Bloomberg | Getty Images",
            // USA Today
            "Not all duvets have real feathers in them. (Photo: Getty Images)",
            // Hindustan Times style credit line
            "Sonu Mehta/Hindustan Times/Getty Images",
            // space.com
            "The simulated birth of a galaxy cluster. (Image credit: TNG Collaboration)",
            // Reuters file credit
            "The president speaks in Washington, March 3, 2023. REUTERS/Kevin Lamb/File Photo",
            // Al Jazeera, square brackets
            "Palestinians inspect the damage in the city [File: Omar Salem/Reuters]",
            // Washington Post, an outlet rather than an agency
            "Protesters gather near the Capitol on Monday. (Jabin Botts/The Washington Post)",
            // The Independent
            "Police at the scene on Sunday (AFP via Getty Images)",
            // NYT
            "The senator at a hearing on Tuesday.Credit...Doug Mills/The New York Times",
            // Bloomberg
            "Shoppers in London's Oxford Street. Photographer: Jason Alden/Bloomberg",
            // German, Spanish and French credit keywords
            "Habeck bei der Pressekonferenz in Berlin. Bild: Michael Kappeler/dpa",
            "Manifestantes en la plaza de Sol. Imagen: Juan Pérez/EFE",
            "Le président à l'Élysée, mardi. Crédit photo : Ludovic Marin/AFP",
            "Votantes en Madrid. Crédito: EFE",
            "Путин на саммите. Фото: РИА Новости",
            "Orbán a parlamentben. Fotó: MTI/Koszticsák Szilárd",
            // courtesy credits
            "A view of the new bridge. (Photo courtesy of the City of Austin)",
            "The rover on the crater floor. Courtesy of NASA/JPL-Caltech",
            "Rescuers search the rubble. Courtesy of the Red Cross",
            "The cast on set in 2019. Photo courtesy of Universal Pictures",
            // agency first, then a name, then the distributor
            "Putin in Sochi. Sputnik/Mikhail Klimentyev/Kremlin via REUTERS",
            // French, Italian agencies; a copyright sign; a source label
            "Le président à l'Élysée, mardi. Photo AFP",
            "Il premier a Palazzo Chigi. (Foto Ansa)",
            "Le ministre lors de sa visite. © AFP",
            "The skyline at dusk. © Jane Doe/Keystone",
            "Source: Getty Images",
            // NZ Herald, a graphics desk, staff and freelance photographers
            "Workers repair the road in the north on Monday. Photo / Jane Doe",
            "The route map released by the council. Graphic: City Council",
            "A commuter checks the timetable. ILLUSTRATION: JANE DOE",
            "Passengers board at dawn. Jane Doe / Special to the Gazette",
            "Construction crews on site. JANE DOE/STAFF",
            "Fans outside the arena. John Smith/Gazette Staff Photographer",
            "Jane Doe/iStock/Getty Images Plus",
            // local papers' own credits
            "Christopher Battin Submitted photo",
            "The mayor cuts the ribbon on Main Street. Staff photo by Jane Doe",
            "Volunteers pack boxes at the food bank.Contributed photo | John Smith",
            // NBC: an old picture from an agency
            "The congresswoman speaks at the Capitol on July 25, 2019.J. Scott Applewhite / AP file",
            // a named source distributed by an agency, in brackets
            "Two astronauts take part in a space walk. (NASA via AP, File)",
            "The singer at her home in 1998. (Courtesy Jane Doe via AP)",
        ] {
            // (A line right above a credit-only line is that picture's caption: see
            // below. Here the caption opens the text.)
            let text = format!("{caption}\n{BODY}\n{BODY}");
            assert_eq!(removed(rule.as_ref(), &text), [caption], "{caption}");
            assert_eq!(cleaned(rule.as_ref(), &text), format!("{BODY}\n{BODY}"));
        }
    }

    #[test]
    fn removes_caption_labels_and_counters() {
        let rule = build(Config::default());
        for line in [
            "Image caption The protest began peacefully on Saturday",
            "Media caption Who is the new prime minister?",
            "Pictured: The couple at their wedding in 2015",
            "FILE - In this Nov. 5, 2019 file photo, a man walks past the bank.",
            "Image: Jose Alvarez has agreed a deal to become manager",
            "Photo: Ringo H.W. Chiu, AP",
            "Credit: Vesti/The Siberian Times",
            "1 of 12",
            "Image 3 of 5",
            "toggle caption",
            "Image copyright Getty Images",
            "Caption",
            "Image source, Getty Images",
            "Image caption, Rescuers search the rubble on Tuesday",
            "Photo credit should read JANE DOE/AFP via Getty Images",
            "Pictured above: the new depot",
            "Above: the new depot in March.",
            // wire captions that open by describing their picture
            "In this Dec. 12, 2006, file photo, made available by NASA, two astronauts take part in a space walk.",
            "This March 28, 2017, file photo, provided by the state registry shows the defendant.",
            "This satellite image from the space agency shows fires detected near the city on Nov. 3, 2019.",
            "In this photo taken on Oct. 2, 2019, a farmer walks through a flooded field.",
            "In this undated handout photo, the ship sits in dry dock.",
            "This image made from video shows the moment the bridge gave way.",
        ] {
            // (A blank line apart: a credit label's line takes the line right above it
            // along, see below.)
            let text = format!("{BODY}\n\n{line}\n{BODY}");
            assert_eq!(removed(rule.as_ref(), &text), [line], "{line}");
        }
        // Glued to the caption, as BBC pages come out.
        let text = format!("{BODY}\nMedia captionWho is the new prime minister?\n{BODY}");
        let found = findings(rule.as_ref(), &text);
        assert_eq!(found.verdicts.len(), 1);
        let d = found.verdicts[0].detail.as_ref().unwrap();
        assert_eq!(d["match"], "Media caption");
        let text = format!("{BODY}\nMedia captions differ from one outlet to the next.");
        assert!(findings(rule.as_ref(), &text).verdicts.is_empty());
    }

    #[test]
    fn the_line_above_a_labelled_credit_is_its_caption() {
        let rule = build(Config::default());
        let caption = "Duck feathers drying after being cleaned, to be used in duvets.";
        for credit in [
            "Photo: Getty Images",
            "Credit: Vesti/The Siberian Times",
            "Photo: Ringo H.W. Chiu, AP",
            // Other languages' picture labels, which no caption label lists.
            "Foto: dpa",
            "Bild: Jana Novak",
        ] {
            let text = format!("{BODY}\n{caption}\n{credit}\n{BODY}");
            assert_eq!(removed(rule.as_ref(), &text), [caption, credit], "{credit}");
        }
        // A labelled caption (not a credit), or a label whose value names no source.
        for line in [
            "Pictured: The couple at their wedding in 2015",
            "Photo: The mayor at city hall",
            "Image caption The protest began peacefully",
        ] {
            let text = format!("{BODY}\n{caption}\n{line}\n{BODY}");
            assert_eq!(removed(rule.as_ref(), &text), [line], "{line}");
        }
    }

    #[test]
    fn detail_names_the_credit_and_position_marker() {
        let rule = build(Config::default());
        let text = "Leader Ann Lee (L) meets the envoy in Seoul. File Photo by Ann Lee/UPI | License Photo";
        let found = findings(rule.as_ref(), text);
        let d = found.verdicts[0].detail.as_ref().unwrap();
        assert_eq!(d["pattern"], "credit");
        assert_eq!(d["match"], "File Photo by Ann Lee/UPI | License Photo");
        assert_eq!(d["position_marker"], true);
    }

    #[test]
    fn long_paragraph_keeps_its_text_and_loses_the_credit() {
        let rule = build(Config {
            max_caption_words: 10,
            ..Config::default()
        });
        let text = "The council voted on the plan after a long debate that lasted well into the night. (Photo: City Council)";
        assert_eq!(removed(rule.as_ref(), text), ["(Photo: City Council)"]);
    }

    #[test]
    fn leaves_prose_about_photos_and_agencies() {
        let rule = build(Config::default());
        for text in [
            "Reuters reported that the talks had stalled.",
            "The photo was taken by a Reuters photographer in 2019.",
            "A photo: that is all she wanted from the trip.",
            "The agency's photographers, including some from AFP and Getty Images, were barred.",
            "“It was more than just a photo op,” she said.",
            "Some material came from Reuters and The Associated Press",
            "He posted the image on Instagram, where it drew 2 million likes.",
            "The band AC/DC played two nights at the stadium.",
            "The speed limit is 50 km/h in the village.",
            "Shares in Getty Images rose 5% after the deal was announced.",
            "The file photos show the building before the fire.",
            "One of the 12 victims was a child.",
            "He won 3 of 12 matches this season.",
            "Pictures from the scene showed damage to the roof.",
            "More than 300 people were deported, officials said on Friday. AFP",
            "He spent the summer with his grandpa",
            "The band played its biggest hits (AC/DC)",
            "Image sources differ on when the picture was taken.",
            "Die Bild-Zeitung berichtete am Sonntag über den Fall.",
            "Das Bild zeigt den Minister bei seiner Ankunft in Berlin.",
            "La imagen del presidente quedó dañada tras el escándalo.",
            "Courtesy of his uncle, he found work at the mill that summer.",
            "The files were released. Courtesy of the court, reporters could view them.",
            "Photos courtesy of readers poured in after the storm, the editor said.",
            "The paper printed a submitted photo of the winning pumpkin.",
            "He was named chief of staff/adviser to the mayor",
            "The letter was addressed to Jane Doe/Staff",
            "The report on the floods was special to the region, she said.",
            "Graphic content warnings were added to the video.",
            "Source: government figures show a fall in crime.",
            "Above all, the council wants the buses to run on time.",
            "Photo AFP is the agency's picture service, she said.",
            "© 2019 was a good year for the label, its owner said.",
            "Staff photos from the event are on page 4, the editor said.",
            "This photo was taken by my grandfather in 1950, and it hangs in our hall.",
            "In this photo, you can see the settings menu on the left.",
            "This image of the party has haunted him ever since.",
            "In this year's budget, the city spends more on buses.",
            "This 2019 report found that the river was cleaner.",
            "The police used the drone (via a contractor) to film the site",
        ] {
            assert!(
                findings(rule.as_ref(), text).verdicts.is_empty(),
                "flagged {text:?}"
            );
        }
    }

    #[test]
    fn the_line_above_a_named_credit_is_its_caption() {
        let rule = build(Config::default());
        for credit in [
            "Sonu Mehta/Hindustan Times/Getty Images",
            "Natalie Naccache | Bloomberg | Getty Images",
            "(Image: © NASA/ESA)",
            "Michael Conroy, AP",
            // A picture's label over a bare name: a staff photographer or a freelancer.
            "Image credit: Kerstin Alvarado",
            "Photo: Jane Doe",
        ] {
            let caption = "Smoke from burning fields hangs over the city on Monday.";
            let text = format!("{BODY}\n{caption}\n{credit}\n{BODY}");
            assert_eq!(removed(rule.as_ref(), &text), [caption, credit], "{credit}");
        }
        let off = build(Config {
            above_credit_words: 0,
            ..Config::default()
        });
        let text =
            format!("{BODY}\nSmoke hangs over the city.\nSonu Mehta/Hindustan Times/Getty Images");
        assert_eq!(removed(off.as_ref(), &text).len(), 1);
    }

    #[test]
    fn a_paragraph_above_a_bare_source_or_a_long_one_stays() {
        let rule = build(Config::default());
        let long = "The ministry said on Tuesday that the new rules would apply to every factory in the region from January, and that inspectors would visit each site at least twice a year to check the filters, the records and the emissions of the chimneys, with fines for those who fail to meet the limits set by the law.";
        for (above, credit) in [
            // A bare agency or a credit label closes a paragraph as a source tag.
            (BODY, "Reuters"),
            (BODY, "Main image credit: Getty"),
            (BODY, "Credit: Jane Doe"),
            // A byline of `|`-separated fields, an introduction, a long paragraph.
            (
                "By Ann Lee | May 2, 2024 | Topic: Health",
                "(Image: Ann Lee / Getty Images)",
            ),
            (
                "The full list of the closed factories:",
                "Sonu Mehta/Hindustan Times/Getty Images",
            ),
            (long, "Sonu Mehta/Hindustan Times/Getty Images"),
        ] {
            // (A different paragraph after the credit: the first line left must be
            // the one above it, not a copy of it.)
            let text = format!(
                "{above}\n{credit}\nOfficials expect the inquiry to report back in the spring."
            );
            assert_eq!(
                cleaned(rule.as_ref(), &text).lines().next(),
                Some(above),
                "{credit}"
            );
        }
    }

    fn compiled() -> &'static [Credit] {
        &caption().credits
    }

    fn caption() -> &'static Caption {
        static CAPTION: std::sync::LazyLock<Caption> =
            std::sync::LazyLock::new(|| Caption::new(&Config::default()).unwrap());
        &CAPTION
    }

    /// Every line of the fixtures' inputs with captions and credits in them (JSONL
    /// records' texts, not their raw lines).
    fn fixture_lines() -> Vec<String> {
        crate::rules::testing::fixture_texts()
            .iter()
            .flat_map(|t| t.lines())
            .map(str::to_string)
            .collect()
    }

    /// The credit each pattern's two forms find in `line`, where it is narrow.
    fn assert_forms_agree(credits: &[Credit], line: &str) {
        if !is_narrow(line) {
            return;
        }
        for (k, c) in credits.iter().enumerate() {
            let find = |re: &Regex| re.captures(line).and_then(|m| m.get(1)).map(|m| m.range());
            assert_eq!(find(c.wide()), find(&c.narrow), "pattern {k} on {line:?}");
        }
    }

    #[test]
    fn every_wide_form_compiles() {
        for p in credit_patterns() {
            Regex::new(&p).unwrap();
        }
    }

    #[test]
    fn narrow_punctuation_is_no_letter_mark_or_space() {
        let any = Regex::new(r"[\p{L}\p{M}\s]|(?i:[a-z])").unwrap();
        for c in (0x2010..=0x2027)
            .chain(0x2030..=0x205E)
            .chain(0x20A0..=0x20CF)
        {
            let c = char::from_u32(c).unwrap();
            assert!(is_narrow(&c.to_string()), "{c:?}");
            assert!(
                !any.is_match(&c.to_string()),
                "{c:?} is a letter, mark or space"
            );
        }
        for line in [
            "Photo: 中村/Reuters",
            "Tokyo\u{3000}Reuters",
            "Name/AP 🙂",
            "a\u{2028}b",
        ] {
            assert!(!is_narrow(line), "{line:?}");
        }
        assert!(is_narrow("Фото: Иван Петров/ТАСС — “quoted” € 5"));
    }

    #[test]
    fn narrow_patterns_find_the_wide_ones_credits_on_the_fixtures() {
        let lines = fixture_lines();
        for line in &lines {
            assert_forms_agree(compiled(), line);
        }
        assert!(lines.len() > 200, "{} lines read", lines.len());
    }

    /// The credit that ends `line` as every pattern's wide form finds it on the whole
    /// line, with no gate: what [`Caption::credit_at_end`] must agree with.
    fn credit_at_end_ungated(caption: &Caption, line: &str) -> Option<(usize, usize)> {
        caption
            .credits
            .iter()
            .filter_map(|c| c.wide().captures(line)?.get(1))
            .filter(|m| words(m.as_str()) <= caption.cfg.max_credit_words)
            .map(|m| (m.start(), m.end()))
            .min()
    }

    #[test]
    fn gates_turn_away_no_credit_on_the_fixtures() {
        let (c, mut credits) = (caption(), 0);
        for line in &fixture_lines() {
            let found = c.credit_at_end(line);
            assert_eq!(found, credit_at_end_ungated(c, line), "{line:?}");
            credits += usize::from(found.is_some());
        }
        assert!(credits >= 5, "{credits} credits found");
    }

    #[test]
    fn the_gated_patterns_are_the_ones_meant() {
        let closing: Vec<usize> = (compiled().iter().enumerate())
            .filter(|(_, c)| c.closes)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(closing, [0, 1, 2, 3, 13, 17]);
        let keyword: Vec<usize> = (compiled().iter().enumerate())
            .filter(|(_, c)| c.needs_keyword)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keyword, [4, 5]);
    }

    #[test]
    fn last_words_is_the_tail_of_the_last_n_words() {
        assert_eq!(last_words("a b  c\td ", 2), "c\td ");
        assert_eq!(last_words("  a b", 2), "a b");
        assert_eq!(last_words("  a b", 3), "  a b");
        assert_eq!(
            last_words("rabbitCredit: Jane Doe", 3),
            "rabbitCredit: Jane Doe"
        );
        assert_eq!(last_words("x\u{a0}Фото: Иван", 2), "Фото: Иван");
        assert_eq!(last_words("a b", 0), "a b");
    }

    proptest::proptest! {
        /// Lines made of the pieces credits are made of, in Latin, Cyrillic and Greek
        /// script, with and without accents and marks.
        #[test]
        fn narrow_patterns_find_the_wide_ones_credits(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "Reuters", "AP", "AP Photo", "Getty Images", "AFP via Getty Images", "TASS",
                "Photo", "photo", "Image credit", "Credit", "File Photo by", "via", "for",
                "José Pérez", "JANE DOE", "Jean-Paul de Souza", "Иван Петров", "Νίκος",
                "Zoë", "e\u{301}", "O’Neil", "the", "said", "rabbit", "Madrid",
                "/", " / ", "|", " | ", ",", ":", "...", "…", ".", "(", ")", "[", "]",
                " ", "  ", "\t", "\u{a0}", "“", "”", "’", "—", "2023", "\u{3000}", "中",
            ]), 0..14)
        ) {
            let line: String = pieces.concat();
            assert_forms_agree(compiled(), &line);
        }

        /// The gates (the line's last words, a closing bracket, an agency, a gate
        /// word) never turn away a credit the patterns would find: credits of every
        /// pattern, of up to a dozen words, alone, glued or after prose, and lines of
        /// loose credit pieces.
        #[test]
        fn gates_turn_away_no_credit(
            prose in proptest::collection::vec(
                proptest::sample::select(vec!["the", "Minister", "said", "(in", "Madrid)", "via"]),
                0..16,
            ),
            glue in proptest::sample::select(vec!["", " ", ". ", "rabbit", "” ", ") "]),
            credit in proptest::sample::select(vec![
                "(Photo: {N})", "({N}/AP)", "[File: {N}/Reuters]", "({N}/The Daily Outlet)",
                "(Getty Images)", "(AFP via Getty Images)", "Photo: {N}", "Credit: {N}",
                "File Photo by {N}/UPI | License Photo", "{N}/Reuters", "{N}/STAFF",
                "{N} / Special to the Gazette", "REUTERS/{N}", "{N} | Outlet | Getty Images",
                "Courtesy of {N}/JPL", "Submitted photo", "Staff photo by {N}", "Photo AFP",
                "(Foto Ansa)", "© AFP/{N}", "Source: Getty Images", "{N} via Getty Images",
                "({N} via AP, File)", "Getty Images", "Фото: {N}/ТАСС", "(Image credit: {N})",
            ]),
            name in proptest::collection::vec(
                proptest::sample::select(vec!["Jane", "DOE", "José", "de", "Pérez", "O’Neil", "Иван"]),
                1..9,
            ),
            end in proptest::sample::select(vec!["", " ", "\t ", ".", "\u{a0}"]),
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "Reuters", "AP", "Photo", "Credit", "via", "Courtesy", "Staff", "ſ", "/",
                " | ", ",", ":", "…", "(", ")", "[", "]", " ", "\t", "Jane Doe", "said",
            ]), 0..12),
        ) {
            let c = caption();
            let credit = credit.replace("{N}", &name.join(" "));
            for line in [format!("{}{glue}{credit}{end}", prose.join(" ")), pieces.concat()] {
                proptest::prop_assert_eq!(
                    c.credit_at_end(&line),
                    credit_at_end_ungated(c, &line),
                    "{:?}",
                    line
                );
            }
        }
    }
}
