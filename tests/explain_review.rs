//! `chaff explain` and `chaff review` from the outside: plain markers off a terminal,
//! JSONL input, and a page that needs nothing from the network.

use assert_cmd::Command;
use predicates::prelude::*;

fn chaff() -> Command {
    let mut c = Command::cargo_bin("chaff").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const SEED: &str = "fixtures/seeds/input/003_19116cb633103fb9.txt";

#[test]
fn explain_off_a_terminal_marks_spans_plainly_around_the_original() {
    let out = chaff().args(["explain", SEED]).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!stdout.contains('\x1b'), "no ANSI escapes off a terminal");
    assert!(stdout.contains("-]{blocks: lines="), "{stdout}");
    let (heading, body) = stdout.split_once('\n').unwrap();
    assert!(
        heading.starts_with("=== 003_19116cb633103fb9 ("),
        "{heading}"
    );
    // Dropping the tags and markers gives back the original text.
    let tags = regex::Regex::new(r"(?s)\[-(.*?)-\]\{[^{}]*\}(\{\+.*?\+\})?").unwrap();
    let original = std::fs::read_to_string(SEED).unwrap();
    let unmarked = tags.replace_all(body, "$1");
    assert_eq!(unmarked.trim_end(), original.trim_end());
}

#[test]
fn explain_reads_the_first_n_records_of_jsonl_on_stdin() {
    let input = "{\"id\":\"a\",\"text\":\"2023-08-30\\nOne two three four five six seven eight nine ten.\"}\n\
                 {\"id\":\"b\",\"text\":\"Eleven twelve thirteen.\"}\n\
                 {\"id\":\"c\",\"text\":\"never read\"}\n";
    let out = chaff()
        .args(["explain", "-", "-n", "2"])
        .env("NO_COLOR", "1")
        .write_stdin(input)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.matches("\n=== ").count() + 1, 2, "{stdout}");
    assert!(stdout.starts_with("=== a (-:1): kept"), "{stdout}");
    assert!(
        stdout.contains("=== b (-:2): rejected: too_little_text"),
        "{stdout}"
    );
    assert!(!stdout.contains("never read"));
}

#[test]
fn review_page_is_self_contained_and_holds_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("out");
    chaff()
        .args(["clean", "fixtures/seeds/input", "--quiet", "--out"])
        .arg(&run)
        .assert()
        .success();
    let page = dir.path().join("review.html");
    chaff()
        .arg("review")
        .arg(&run)
        .arg("-o")
        .arg(&page)
        .assert()
        .success()
        .stderr(predicate::str::contains("5 documents"));
    let html = std::fs::read_to_string(&page).unwrap();
    for external in [
        "<script src",
        "<link",
        "@import",
        "url(",
        "src=\"http",
        "href=\"http",
    ] {
        assert!(
            !html.contains(external),
            "page refers outside itself: {external}"
        );
    }
    assert!(html.contains("\"id\":\"003_19116cb633103fb9\""));
}

#[test]
fn review_of_a_directory_without_a_run_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    chaff()
        .arg("review")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("report.json"));
}
