//! Property tests: whatever verdicts rules report, the editor's audit is exact and
//! complete, and cleaning is stable.

use chaff::doc::Verdict;
use chaff::edit::apply;
use proptest::prelude::*;

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("word ".to_string()),
            Just("Sentence one.".to_string()),
            Just("“quoted” ".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\n\n".to_string()),
            Just("  \t".to_string()),
            Just("Ünïcødé ".to_string()),
            Just("日本語".to_string()),
            "[a-zA-Z0-9 .,]{0,12}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn audit_is_exact_disjoint_and_complete(
        text in text_strategy(),
        cuts in prop::collection::vec((0usize..400, 0usize..60), 0..8),
    ) {
        let verdicts: Vec<Verdict> = cuts
            .iter()
            .map(|&(s, l)| Verdict::new("r", s.min(text.len()), (s + l).min(text.len())))
            .collect();
        let e = apply(&text, &verdicts);
        let mut last_end = 0;
        for r in &e.removed {
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            prop_assert_eq!(&text[r.start..r.end], r.text.as_str());
            prop_assert!(r.start >= last_end, "overlap");
            last_end = r.end;
        }
        // Clean text plus removed spans account for every non-whitespace char.
        let kept: String = e.text.chars().filter(|c| !c.is_whitespace()).collect();
        let removed: String = e.removed.iter().flat_map(|r| r.text.chars()).filter(|c| !c.is_whitespace()).collect();
        let original: usize = text.chars().filter(|c| !c.is_whitespace()).count();
        prop_assert_eq!(kept.chars().count() + removed.chars().count(), original);
        // Cleaning the clean text again changes nothing.
        prop_assert_eq!(apply(&e.text, &[]).text, e.text.clone());
        // Line maps point back at the original.
        for m in &e.lines {
            let clean_line: String = e.text[m.clean_start..m.clean_end].split_whitespace().collect();
            prop_assert!(m.orig_start <= m.orig_end && m.orig_end <= text.len());
            prop_assert!(!clean_line.is_empty());
        }
    }

    #[test]
    fn replacements_keep_the_audit_exact_and_show_once(
        text in text_strategy(),
        cuts in prop::collection::vec((0usize..400, 0usize..60, any::<bool>()), 0..8),
    ) {
        let verdicts: Vec<Verdict> = cuts
            .iter()
            .map(|&(s, l, rep)| {
                let v = Verdict::new("r", s.min(text.len()), (s + l).min(text.len()));
                if rep { v.with_replacement("Ṙep\nlaced".to_string()) } else { v }
            })
            .collect();
        let e = apply(&text, &verdicts);
        let mut last_end = 0;
        for r in &e.removed {
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            prop_assert_eq!(&text[r.start..r.end], r.text.as_str());
            prop_assert!(r.start >= last_end, "overlap");
            last_end = r.end;
        }
        // Each replacement recorded in the audit shows at most once in the clean text,
        // and always when its span holds text (a span of whitespace on a blank line
        // has no line to put it on).
        let with_rep = e.removed.iter().filter(|r| r.replacement.is_some());
        let all = with_rep.clone().count();
        let on_text = with_rep.filter(|r| !r.text.trim().is_empty()).count();
        let shown = e.text.matches("Ṙep laced").count();
        prop_assert!(on_text <= shown && shown <= all, "{on_text} <= {shown} <= {all}");
        prop_assert_eq!(apply(&e.text, &[]).text, e.text.clone());
    }
}
