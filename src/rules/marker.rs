//! `marker`: page furniture left inline — `Advertisement`, `Story continues below
//! advertisement`, `Continue reading`, `Subscribe`, `Sign up for our newsletter`,
//! share-button words (`Share`, `Tweet`, `Facebook`, `Email`), and the fallback text a
//! page shows where a player or script did not run (`Your browser does not support the
//! video tag`, `Please enable JavaScript to view the comments`), a copyright notice
//! on a line of its own (`© 2019 X. All rights reserved.`), a cookie-consent banner
//! (`We use cookies to improve your experience`), a call to readers (`Let us know
//! in the comments below`, `Got a story? Email us at …`), the times and lengths a page
//! prints beside an article (`Updated 3 hours ago`, `5 min read`) and the note on where
//! it ran in print (`This article appears in the May 2023 print edition`). Consent
//! banners and calls must be the site's own voice: a quoted line or reported speech
//! (`…, the council said`) stays.
//!
//! Shape: a short known phrase ALONE on its line (any case, trailing `:`/`»`/`…`),
//! a line made only of share-button words, a short call in the outlet's voice
//! (`Sign up for our …`, `Subscribe to the … newsletter`), or one of the unmistakable
//! ad markers glued to a paragraph edge (after a sentence end at the line end or
//! between two sentences, or before the first sentence). Only the marker goes; the
//! paragraph stays.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocView, Rule, RuleConfig};
use crate::doc::{Findings, Verdict};
use crate::text::trim_range;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Remove ad markers glued to a paragraph (not only alone on a line).
    pub glued: bool,
    /// Remove lines made only of share-button words.
    pub share_buttons: bool,
    /// Most words in a `Sign up for …` / `Subscribe to …` line, and in the outlet's
    /// call to follow it (`Follow us on Instagram`, `Download our app`).
    pub max_signup_words: usize,
    /// Most words in a copyright line (`© 2019 X. All rights reserved.`; 0: off).
    pub max_copyright_words: usize,
    /// Most words in a note on the article's print edition (`This article appears in
    /// the May 2023 issue`, `A version of this article appears in print on …`; 0: off).
    pub max_print_words: usize,
    /// Most words in a cookie-consent line (`We use cookies to improve your
    /// experience`; 0: off).
    pub max_consent_words: usize,
    /// Most words in a call to readers (`Let us know in the comments below`, `Got a
    /// story? Email us at …`; 0: off).
    pub max_callout_words: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            glued: true,
            share_buttons: true,
            max_signup_words: 20,
            max_copyright_words: 40,
            max_print_words: 40,
            max_consent_words: 40,
            max_callout_words: 30,
        }
    }
}

/// Phrases that are a marker when they are the whole line (matched ignoring case).
const ALONE: &str = r"advertisements?(?:\s*[-–—:|]\s*(?:scroll\s+to\s+continue|continue\s+reading(?:\s+below)?|(?:story|article)\s+continues\s+below))?|(?:sorry,?\s+)?your\s+(?:web\s+)?browser\s+(?:does\s+not|doesn['’]t|cannot)\s+support\s+(?:the\s+)?(?:html5?\s+)?(?:video|audio|iframes?|embedded)[^\n]{0,60}|media\s+playback\s+is\s+(?:unsupported|not\s+supported)\s+on\s+your\s+(?:device|browser)|(?:please|you\s+(?:must|need\s+to))\s+enable\s+javascript[^\n]{0,80}|javascript\s+is\s+(?:disabled|required|not\s+enabled)[^\n]{0,60}|advertising|ad|ads|ad\s+feedback|anzeige|werbung|publicidad|publicidade|publicité|pubblicità|реклама|advertentie|reklama|reklam|mainos|annonse|annons|sponsored(?:\s+content)?|paid\s+(?:content|post)|promoted|(?:story|article)\s+continues(?:\s+(?:below|after)(?:\s+(?:this\s+)?(?:advertisement|ad))?)?|continue\s+reading(?:\s+(?:below|the\s+(?:main|full)\s+(?:story|article)|here|article))?|keep\s+reading|read\s+more(?:\s+(?:below|here))?|read\s+(?:the\s+)?full\s+(?:article|story)(?:\s+here)?|click\s+here(?:\s+to\s+(?:read\s+more|continue(?:\s+reading)?|see\s+more|read\s+(?:the\s+)?full\s+(?:article|story)))?|see\s+more|show\s+more|load\s+more|view\s+more|scroll\s+(?:down\s+)?to\s+continue(?:\s+(?:with|reading)\s+content)?|skip\s+(?:advertisement|ad)|remove\s+ads|subscribe(?:\s+(?:now|today|here))?|sign\s+(?:in|up)|log\s+in|register|already\s+a\s+subscriber\??|become\s+a\s+member|listen\s+to\s+this\s+article|listen|play\s+video|watch\s+video|click\s+to\s+(?:play|expand|enlarge)|(?:\d+\s+)?comments?(?:\s*\(\d+\))?|show\s+comments|view\s+comments|leave\s+a\s+comment|join\s+the\s+(?:conversation|discussion|debate)|share\s+your\s+(?:thoughts|views)|have\s+your\s+say|tell\s+us\s+what\s+you\s+think|back\s+to\s+top|close|loading(?:\.\.\.|…)?|report\s+an\s+error|(?:was|is)\s+this\s+(?:article|page|story|post|guide|answer|information)\s+(?:helpful|useful)\??|did\s+you\s+find\s+this\s+(?:article|page|story|post|guide|information)\s+(?:helpful|useful)\??|thanks?\s+(?:you\s+)?for\s+your\s+feedback|print\s+this\s+(?:article|page)|follow\s+us|all\s+rights\s+reserved|scroll\s+down\s+for\s+(?:the\s+)?(?:videos?|more)|reading\s+time:?\s*\d+\s*min(?:ute)?s?|\d+\s*(?:-\s*)?min(?:ute)?s?\s+read|(?:(?:last\s+)?(?:updated|published|posted)[ \t]*:?[ \t]*)?(?:about\s+|~)?(?:\d+|an?|one)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago";

/// Share-button words (and the fillers between them); a line of nothing else that
/// starts with a button word is a button row.
const SHARE: &str = r"on|via|to|this|the|article|story|page|post|with|friends|share|tweet|email|e-mail|mail|print|facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|messenger|flipboard|telegram|tumblr|copy(?:\s+link)?|link|link\s+copied|save|bookmark";

/// A button row starts with a button word, not a filler.
const SHARE_FIRST: &str = r"share|tweet|email|e-mail|facebook|twitter|whatsapp|linkedin|pinterest|reddit|print|messenger|flipboard|telegram|copy\s+link|link\s+copied";

/// Social platforms an outlet asks readers to follow it on.
const PLATFORM: &str = r"Facebook|Twitter|X|Instagram|LinkedIn|YouTube|TikTok|Telegram|WhatsApp|Threads|Bluesky|Mastodon|Snapchat|Google\s+News|social\s+media";

/// Markers safe to cut when glued to a paragraph: nobody writes them in prose.
const GLUED: &str = r"ADVERTISEMENT|Advertisement|SKIP ADVERTISEMENT|(?:Story|Article) continues below(?: advertisement)?|Continue reading the main story|Scroll to continue with content";

impl RuleConfig for Config {
    const ID: &'static str = "marker";
    const DESCRIPTION: &'static str =
        "inline markers: `Advertisement`, `Continue reading`, `Subscribe`, share buttons";

    fn build(&self) -> anyhow::Result<Box<dyn Rule>> {
        let sep = r"[ \t|•·,/]*";
        Ok(Box::new(Marker {
            cfg: self.clone(),
            alone: Regex::new(&format!(r"^[ \t]*(?i:{ALONE})[ \t]*[:.!»›>…]*[ \t]*$"))?,
            share: Regex::new(&format!(
                r"^[ \t]*(?i:{SHARE_FIRST})(?-u:\b)(?:{sep}(?i:{SHARE})(?-u:\b)){{0,10}}{sep}$"
            ))?,
            // The outlet's own call: to *our* something, or to a newsletter/alerts.
            signup: Regex::new(
                r"^[ \t]*(?:Sign\s+up|SIGN\s+UP|Subscribe|SUBSCRIBE)(?:\s+(?:now|today|here|free))?\s+(?:for|to)\s+(?:our(?-u:\b)|(?i:[^\n]*?(?-u:\b)(?:newsletters?|alerts|briefing|digest|updates|podcast|channel)(?-u:\b)))[^\n]*$",
            )?,
            // The outlet's call to follow it: on a social platform (`Follow us on X`,
            // `Follow The Daily Opinion section on Facebook`), or to join, download or
            // get its own app, channel or newsletter. `Follow our guide` has neither.
            follow: Regex::new(&format!(
                r"^[ \t]*(?:(?:Follow|FOLLOW|Like|LIKE)\s+(?:us|US|our\s[^\n]{{0,40}}?|(?:the\s+)?\p{{Lu}}[^\n]{{0,60}}?)\s+(?i:on\s+(?:{PLATFORM}))(?-u:\b)|(?:Join|JOIN|Download|DOWNLOAD|Install|Get|GET|Add)\s+(?:us|our)\s+(?:[^\s.!?]+\s+){{0,3}}?(?i:{PLATFORM}|apps?|channel|newsletters?|alerts|podcast)(?-u:\b))[^\n]*$"
            ))?,
            // A page's copyright notice: `©`, or `Copyright`/`(c)` with `©` or a year.
            copyright: Regex::new(
                r"^[ \t]*(?:©|\([cC]\)[ \t]*(?:19|20)\d{2}|(?i:copyright)[ \t]*(?:©|\([cC]\)|(?:19|20)\d{2})|This\s+(?:document|article|story|material|content|page)\s+is\s+(?:subject\s+to|protected\s+by)\s+copyright)",
            )?,
            // Where the article ran in print: the outlet's note, under the article.
            print: Regex::new(
                r"^[ \t]*(?:(?i:a)\s+version\s+of\s+this|This)\s+(?i:article|story|essay|piece|review|interview|column)\s+(?i:appears|appeared|was\s+published|ran)\s+(?i:in\s+print|in\s+(?:the\s+)?[^\n]{0,40}?(?:print\s+edition|issue\b|edition\b)|on\s+page\b)",
            )?,
            // A consent banner: cookies in the site's voice, addressed to the reader.
            consent: Regex::new(
                r"(?i)(?:(?:we|this\s+(?:site|website)|our\s+(?:site|website|partners))\s+uses?\s+cookies|(?:accept|allow|agree\s+to)(?:\s+(?:all|our|the))?\s+(?:use\s+of\s+)?cookies|cookie\s+(?:policy|settings|preferences|notice|consent)|(?:our|the)\s+use\s+of\s+cookies)",
            )?,
            // The outlet asking readers to comment, vote or send in a story.
            callout: Regex::new(
                r"(?i)(?:let\s+us\s+know|tell\s+us|share\s+your\s+(?:thoughts|views|comments|story|stories))(?-u:\b)[^\n]*?(?:comments?|below|poll|e-?mail|@)|vote\s+in\s+our\s+poll|(?:leave|post|share)\s+(?:a|your)\s+comments?\s+below|(?:in|to)\s+the\s+comments?\s+(?:below|section)|(?:(?:got|have)\s+a|do\s+you\s+have\s+a)\s+(?:news\s+)?(?:story|tip|question)(?-u:\b)[^\n]*?(?:@|e-?mail|contact|call|whatsapp|send|write\s+to)|(?:e-?mail|contact|write\s+to|message)\s+(?:us|our\s+newsroom|the\s+newsroom)\s+(?:at|on|via)(?-u:\b)",
            )?,
            address: Regex::new(
                r"(?i)(?-u:\b)(?:you|your|our\s+(?:site|website|services|partners)|this\s+(?:site|website))(?-u:\b)",
            )?,
            reported: Regex::new(
                r"(?i)(?-u:\b)(?:said|says|say|wrote|writes|told|tells|asked|joked|added)(?-u:\b)",
            )?,
            may_glue: Regex::new(GLUED)?,
            // Group 1: the glued marker. At the line end after a sentence end, between
            // two sentences, or at the line start before a capitalised sentence.
            glued: Regex::new(&format!(
                r#"(?:[.!?"”’)][ \t]*({GLUED})[ \t]*$|[.!?"”’)][ \t]*({GLUED})[ \t]+["“‘]?\p{{Lu}}|^[ \t]*({GLUED})[ \t]+["“‘]?\p{{Lu}}\p{{Ll}})"#
            ))?,
        }))
    }
}

struct Marker {
    cfg: Config,
    alone: Regex,
    share: Regex,
    signup: Regex,
    follow: Regex,
    copyright: Regex,
    print: Regex,
    consent: Regex,
    callout: Regex,
    /// Words that speak to the reader or for the site.
    address: Regex,
    /// A reporting verb: the line tells what someone said.
    reported: Regex,
    /// Any glued match contains one of the glued phrases: a literal search first spares
    /// nearly every line the full pattern.
    may_glue: Regex,
    glued: Regex,
}

impl Rule for Marker {
    fn id(&self) -> &'static str {
        Config::ID
    }

    fn line_local(&self) -> bool {
        true
    }

    fn check(&self, doc: &DocView<'_>, found: &mut Findings) {
        let text = doc.text;
        for (k, line) in doc.lines.iter().enumerate() {
            let l = line.text(text);
            let trimmed = l.trim();
            if trimmed.is_empty() {
                continue;
            }
            // Markers alone on a line are short; skip the regexes for prose lines.
            let short = trimmed.len() <= 80;
            let (s, e) = trim_range(text, line.start, line.end);
            // A whole-line pattern that holds on a line of at most `max` words (0: off).
            let fits = |max: usize| max > 0 && doc.words[k] as usize <= max;
            // The site's own voice: neither a quoted statement nor reported speech.
            let own_voice = || !trimmed.contains(['"', '“', '”']) && !self.reported.is_match(l);
            let kind = if short && self.alone.is_match(l) {
                Some("alone")
            } else if short && self.cfg.share_buttons && self.share.is_match(l) {
                Some("share_buttons")
            } else if self.signup.is_match(l) && fits(self.cfg.max_signup_words) {
                Some("signup")
            } else if fits(self.cfg.max_signup_words) && self.follow.is_match(l) && own_voice() {
                Some("follow")
            } else if self.copyright.is_match(l) && fits(self.cfg.max_copyright_words) {
                Some("copyright")
            } else if fits(self.cfg.max_print_words) && self.print.is_match(l) {
                Some("print")
            } else if (memchr::memmem::find(l.as_bytes(), b"ookie").is_some() // `cookie` in any case
                || memchr::memmem::find(l.as_bytes(), b"OOKIE").is_some())
                && fits(self.cfg.max_consent_words)
                && self.consent.is_match(l)
                // A banner speaks to the reader about the site, or is a bare notice
                // (`We use cookies.`; a `Cookie Policy` link is left to the menu it is in).
                && (self.address.is_match(l) || (fits(6) && trimmed.ends_with(['.', '!'])))
                && own_voice()
            {
                Some("consent")
            } else if fits(self.cfg.max_callout_words) && self.callout.is_match(l) && own_voice() {
                Some("callout")
            } else {
                None
            };
            if let Some(kind) = kind {
                found.verdicts.push(
                    Verdict::new(Config::ID, s, e)
                        .with_detail(json!({ "pattern": kind, "marker": trimmed })),
                );
                continue;
            }
            if !self.cfg.glued || !self.may_glue.is_match(l) {
                continue;
            }
            for c in self.glued.captures_iter(l) {
                let Some(m) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)) else {
                    continue;
                };
                found.verdicts.push(
                    Verdict::new(Config::ID, line.start + m.start(), line.start + m.end())
                        .with_detail(json!({ "pattern": "glued", "marker": m.as_str() })),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{build, cleaned, removed};

    const P: &str = "The bill passed the Senate on Thursday.";

    #[test]
    fn removes_markers_alone_on_a_line_in_many_styles() {
        let rule = build(Config::default());
        for marker in [
            "Advertisement",                                                    // NYT, UPI
            "ADVERTISEMENT",                                                    // Washington Post
            "Story continues below advertisement",                              // Globe and Mail
            "Continue reading the main story",                                  // NYT
            "Article continues below",                                          // Guardian AU
            "Continue Reading Below",                                           // Fox
            "Read more:",                                                       // Independent
            "Subscribe",                                                        // WSJ
            "Share this article",                                               // BBC
            "Share",                                                            // CNN
            "Share on Facebook Share on Twitter",                               // Al Jazeera
            "Facebook Twitter Email",                                           // AP
            "Tweet | Share | Email",                                            // Express
            "Sign up for our daily newsletter",                                 // Guardian
            "Subscribe to our YouTube channel for the latest videos",           // AJ
            "Scroll to continue with content",                                  // Forbes
            "Listen to this article",                                           // Reuters
            "SKIP ADVERTISEMENT",                                               // NYT
            "Ad Feedback",                                                      // CNN
            "Advertisement - Scroll to Continue",                               // SI
            "Article continues after this advertisement",                       // Le Monde EN
            "Advertisement - Continue Reading Below",                           // Hearst
            "Your browser does not support the video tag.",                     // HTML5 fallback
            "Sorry, your browser doesn't support embedded videos.",             // Twitter embeds
            "Please enable JavaScript to view the comments powered by Disqus.", // Disqus
            "JavaScript is disabled in your browser.",                          // noscript text
            "Media playback is unsupported on your device",                     // BBC players
            "Anzeige",                                                          // German
            "Publicidade",                                                      // Portuguese
            "Реклама",                                                          // Russian
            "Publicité",                                                        // French
            "All rights reserved.",
            "© 2019 Northern Daily. All rights reserved.",
            "Copyright © 2020 Example Media Group Ltd | Terms | Privacy",
            "Copyright 2019 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
            "(c) 2018 Tribune Content Agency, LLC",
            "This document is subject to copyright. Apart from any fair dealing for the purpose of private study or research, no part may be reproduced without the written permission.",
            "Read the full story here",
            "Click here to read more",
            "12 Comments",
            "Comments (12)",
            "Join the discussion",
            // cookie banners
            "We use cookies to improve your experience on our site.",
            "By continuing to use this site you agree to our use of cookies.",
            "This website uses cookies. Accept all cookies or manage your cookie settings.",
            "We use cookies.",
            // calls to readers
            "Share your thoughts",
            "Have your say",
            "What do you think of the new routes? Let us know in the comments below.",
            "Do you support the plan? Vote in our poll.",
            "Do you have a story for us? Contact our newsroom at news@example.com or call 0123 456 789.",
            "Got a story? Email us at news@example.com",
            "Have a news tip? Email us at tips@example.com.",
            "Have a question about money or family finances? Write to Sam at asksam@example.com. Letters may be edited for length.",
            // calls to follow the outlet
            "Follow us on Twitter and Instagram",
            "Like us on Facebook",
            "Follow The Daily Opinion section on Facebook, Twitter (@DailyOpinion) and Instagram.",
            "Join our WhatsApp channel for the latest news.",
            "Download our app for breaking news alerts.",
            "Get our free Film newsletter",
            "FOLLOW US ON SOCIAL MEDIA",
            // page furniture of times and lengths
            "Scroll down for video",
            "5 min read",
            "Reading time: 4 minutes",
            "Updated 3 hours ago",
            "Posted: 2 days ago",
            "an hour ago",
            // a feedback widget's question and its thanks
            "Was this article helpful?",
            "Did you find this page useful?",
            "Thanks for your feedback!",
            // where the article ran in print
            "This article appears in the July/August 2023 print edition with the headline “Keepers of the Light.”",
            "A version of this article appears in print on Nov. 20, 2019, Section A, Page 1 of the New York edition with the headline: Council Expands Buses.",
            "This story appeared in the May 2021 issue of Northern Monthly.",
        ] {
            let text = format!("{P}\n{marker}\n{P}");
            assert_eq!(removed(rule.as_ref(), &text), [marker], "{marker}");
            assert_eq!(cleaned(rule.as_ref(), &text), format!("{P}\n{P}"));
        }
    }

    #[test]
    fn removes_markers_glued_to_a_paragraph_edge() {
        let rule = build(Config::default());
        let cases = [
            (format!("{P} Advertisement"), "Advertisement", P.to_string()),
            (format!("{P}ADVERTISEMENT"), "ADVERTISEMENT", P.to_string()),
            (
                format!("{P} Advertisement The House votes next."),
                "Advertisement",
                format!("{P} The House votes next."),
            ),
            (
                "Story continues below advertisement “It is done,” she said.".to_string(),
                "Story continues below advertisement",
                "“It is done,” she said.".to_string(),
            ),
        ];
        for (text, marker, clean) in cases {
            assert_eq!(removed(rule.as_ref(), &text), [marker], "{text}");
            assert_eq!(cleaned(rule.as_ref(), &text), clean);
        }
    }

    #[test]
    fn leaves_prose_that_mentions_ads_sharing_and_subscriptions() {
        let rule = build(Config::default());
        for text in [
            "Advertisement revenue fell 12% in the quarter.",
            "The company spent more on advertisement than on research.",
            "She said the ad was misleading. Advertisement rules changed in 2019.",
            "Subscribers will be able to share articles with friends.",
            "Read more about the plan on the council's website.",
            "Share prices rose sharply on Monday.",
            "He wanted to sign up for the army at 17, his mother said.",
            "Continue reading, the teacher told the class, and the room fell silent.",
            "Facebook and Twitter both removed the posts.",
            "Email me if you want the figures, he wrote.",
            "Comments from the minister drew criticism.",
            "on the page",
            "Sign up for a streaming account for $9.99 a month",
            "Sign up for the bundle using the same email as your first account",
            "Twitter users mocked the video",
            "Enable JavaScript in the browser's settings, then reload the page.",
            "Copyright law protects the author for 70 years after her death.",
            "Copyrights held by the studio expire in 2024, the filing says.",
            "The rights reserved for the family were never used.",
            "The song is subject to copyright, the court ruled on Tuesday.",
            "Your browser does not support the new standard yet, Google said.",
            "Was this article helpful to the defence? The judge thought not.",
            "Media playback is unsupported on your device until the update, Apple said.",
            "The regulator said websites that use cookies must ask for consent first.",
            "“We use cookies responsibly and you can opt out,” the company said.",
            "The court ruled that our use of cookies broke the law, the company admitted in a statement that ran to several pages and was published on Tuesday after a long investigation by the regulator into how the site tracked its visitors across the web.",
            "Click here, the instructions say, and wait for the screen to change.",
            "Comments from readers poured in.",
            "We use cookies, the bakery owner joked, to keep customers happy.",
            "Leave a comment below the form if you want a reply, the council said.",
            "“Tell us what you think in the comments,” the host told viewers.",
            "The mayor asked residents to tell us where the worst potholes are, and the council will publish a map of every report it received in the comments section of its website next month, officials said in a statement.",
            "He said he had a story to tell about the war.",
            "Residents who have a story about the floods said the council ignored them.",
            "She said she would email us the figures on Tuesday.",
            "“Have a question? Email me,” the coach told reporters after the game.",
            "Do you have a question about your bill? Many customers do, and the regulator says they should call their supplier first before complaining, a process that can take several weeks to resolve in the busiest months.",
            "Advertisement spending - continue reading our analysis of the market in the report below.",
            "Follow our guide below to set up the router in five minutes.",
            "Follow the money on Wall Street and you find the same names.",
            "Like us, many families turned to social media for help.",
            "Join our campaign to save the library, the organisers said on Facebook.",
            "Get our attention, the protesters chanted outside the Instagram offices.",
            "“Download our app and see,” the founder told investors.",
            "Follow the results on Twitter as the votes are counted tonight.",
            "Scroll down for a minute and you will see why, she said.",
            "The bus left 5 minutes ago.",
            "He was released three days ago after a week in custody.",
            "This article was originally published by Futurism. Read the original article.",
            "This story appears to contradict what the minister told parliament in May.",
            "The story appeared in the local paper on page 3, her lawyer said, and was later removed.",
            "Subscribe to the idea that markets correct themselves, and you will be disappointed, the economist warned in a long interview with the paper last year about the state of the economy.",
        ] {
            assert!(
                removed(rule.as_ref(), text).is_empty(),
                "removed from {text:?}"
            );
        }
    }
}
