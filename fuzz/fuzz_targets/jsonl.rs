//! Arbitrary bytes → the JSONL reader (first byte: size limit) → every non-blank line
//! is exactly one item, in order, and every document cleans with the invariants of
//! tests/support/invariants.rs.
#![no_main]

use std::sync::OnceLock;

use chaff::config::Config;
use chaff::pipeline::Cleaner;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(|| match Cleaner::new(&Config::default()) {
        Ok(c) => c,
        Err(e) => panic!("default config does not build: {e:#}"),
    })
}

fuzz_target!(|data: &[u8]| {
    if let Err(e) = invariants::jsonl_target(cleaner(), data) {
        panic!("{e}");
    }
});
