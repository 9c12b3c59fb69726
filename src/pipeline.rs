//! The run: reader thread → batches → per-document stages on a rayon pool → global
//! stages in input order → writers. Per-document work is a pure function of the
//! document and the config, and global stages see documents strictly in input order,
//! so the output is byte-identical whatever the thread count or batch size.

use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

use crate::config::{Config, FilterConfig};
use crate::dedup::Dedup;
use crate::doc::{BadInput, Document, Findings, Item, Reason, Verdict};
use crate::edit::{self, Edited};
use crate::input::discover::Skipped;
use crate::input::{self, Discovery};
use crate::output::{Rejection, Report, Sink, write_bad, write_cleaned};
use crate::repetition::LineCounts;
use crate::rules::{Carry, DocView, Rule};
use crate::text::Line;

/// A document after the per-document stages (and, later, the global ones).
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub doc: Document,
    pub found: Findings,
    pub edited: Edited,
    pub rejection: Option<Rejection>,
}

impl Cleaned {
    /// Adds verdicts from a later stage and re-edits: earlier verdicts keep their bytes.
    pub fn add_verdicts(&mut self, verdicts: impl IntoIterator<Item = Verdict>) {
        self.found.verdicts.extend(verdicts);
        self.edited = edit::apply(&self.doc.text, &self.found.verdicts);
    }

    pub fn is_kept(&self) -> bool {
        self.rejection.is_none()
    }
}

/// Above this chance that a line seen once reads as repeated, the run warns that the
/// line sketch is too small for its input. (A 10 MB corpus in sketches narrowed to
/// stand for larger inputs: at 1.8% crowding 6 of 3,559 clean texts changed, at 53%
/// 147 of them, 0.1% of their words.)
pub const MAX_CROWDING: f64 = 0.01;

/// Most cleaning passes over one document (see `Cleaner::clean`).
const MAX_PASSES: usize = 4;

/// The per-document part of the pipeline, built once from the config.
pub struct Cleaner {
    rules: Vec<Box<dyn Rule>>,
    /// Line counts over the run, from the first pass (when a rule wants them).
    line_counts: Option<LineCounts>,
    filter: FilterConfig,
    max_line_bytes: u64,
}

impl Cleaner {
    pub fn new(cfg: &Config) -> anyhow::Result<Cleaner> {
        Ok(Cleaner {
            rules: cfg.compile_rules()?,
            line_counts: None,
            filter: cfg.filter.clone(),
            max_line_bytes: cfg.input.max_line_bytes,
        })
    }

    /// A cleaner with exactly `rules` (in this order) and the rest of `cfg`: for tests
    /// that need a rule the registry does not have.
    pub fn with_rules(cfg: &Config, rules: Vec<Box<dyn Rule>>) -> Cleaner {
        Cleaner {
            rules,
            line_counts: None,
            filter: cfg.filter.clone(),
            max_line_bytes: cfg.input.max_line_bytes,
        }
    }

    /// Runs every rule on `doc`, applies their verdicts and judges what is left.
    pub fn clean(&self, doc: Document) -> Cleaned {
        let mut found = Findings::default();
        if let Some(len) = longest_line_over(&doc.text, self.max_line_bytes) {
            let mut rejection = Rejection::new(Reason::TooLarge);
            rejection.error = Some(format!(
                "{}: a line of {len} bytes is over input.max_line_bytes = {}",
                place(&doc),
                self.max_line_bytes
            ));
            return Cleaned {
                edited: edit::apply(&doc.text, &[]),
                doc,
                found,
                rejection: Some(rejection),
            };
        }
        if self.rules.is_empty() {
            // Every rule off (a dedup-only run): nothing to find, so no views and no
            // second look; the clean text is the original with whitespace normalised.
            let mut c = Cleaned {
                edited: edit::apply(&doc.text, &[]),
                doc,
                found,
                rejection: None,
            };
            self.judge(&mut c);
            return c;
        }
        let carry = Carry::default();
        let mut view = DocView::new(&doc.id, &doc.text)
            .with_dump(self.line_counts.as_ref())
            .with_carry(&carry);
        for rule in &self.rules {
            rule.check(&view, &mut found);
        }
        let original_lines = std::mem::take(&mut view.lines);
        drop(view);
        let mut edited = edit::apply(&doc.text, &found.verdicts);
        // Rules look at the original text, so one rule's cut can leave a shape another
        // recognises (a credit left alone on its line once an encoded blob before it is
        // gone). Clean the clean text again until nothing more is found, mapping what
        // later passes find back to the original: cleaning a clean output again then
        // removes nothing.
        // Whitespace normalisation alone can make a shape (a vertical tab becomes a
        // space), so any change to the text calls for another look.
        for _ in 1..MAX_PASSES {
            if edited.text == doc.text {
                break;
            }
            let mut more = Findings::default();
            let view = DocView::new(&doc.id, &edited.text)
                .with_dump(self.line_counts.as_ref())
                .with_carry(&carry);
            let changed = DocView::with_lines(
                &doc.id,
                &edited.text,
                changed_lines(&doc.text, &original_lines, &edited),
            )
            .with_dump(self.line_counts.as_ref());
            for rule in &self.rules {
                let seen = if rule.line_local() { &changed } else { &view };
                rule.check(seen, &mut more);
            }
            if more.verdicts.is_empty() {
                break;
            }
            let map = edit::char_map(&doc.text, &edited);
            for v in more.verdicts {
                if let Some((start, end)) = edit::to_original(&map, v.start, v.end) {
                    found.verdicts.push(Verdict { start, end, ..v });
                }
            }
            for (k, v) in more.meta {
                match (found.meta.get_mut(&k), v) {
                    (Some(Value::Array(have)), Value::Array(new)) => have.extend(new),
                    (Some(_), _) => {}
                    (None, v) => {
                        found.meta.insert(k, v);
                    }
                }
            }
            // The audit always comes from every verdict found, even when the text did
            // not change: a sharded run rebuilds it from the stored verdicts.
            let next = edit::apply(&doc.text, &found.verdicts);
            let settled = next.text == edited.text;
            edited = next;
            if settled {
                break;
            }
        }
        let mut c = Cleaned {
            doc,
            found,
            edited,
            rejection: None,
        };
        self.judge(&mut c);
        c
    }

    pub fn wants_line_counts(&self) -> bool {
        self.rules.iter().any(|r| r.wants_line_counts())
    }

    /// The smallest [`Rule::line_count_need`] of the rules.
    pub fn line_count_need(&self) -> Option<u32> {
        self.rules.iter().filter_map(|r| r.line_count_need()).min()
    }

    pub fn set_line_counts(&mut self, counts: LineCounts) {
        self.line_counts = Some(counts);
    }

    /// Rejects a document with no text, or too little left after cleaning.
    pub fn judge(&self, c: &mut Cleaned) {
        if c.rejection.is_some() {
            return;
        }
        if c.doc.text.trim().is_empty() {
            c.rejection = Some(Rejection::new(Reason::Empty));
        } else if !crate::text::has_words(&c.edited.text, self.filter.min_words) {
            c.rejection = Some(Rejection::new(Reason::TooLittleText));
        }
    }
}

/// The lines of `edited` (a clean text of `original`) that are not, byte for byte,
/// the original line they came from (whitespace included: a rule sees it).
fn changed_lines(original: &str, original_lines: &[Line], edited: &Edited) -> Vec<Line> {
    edited
        .lines
        .iter()
        .filter(|m| {
            let k = original_lines.partition_point(|l| l.end <= m.orig_start);
            original_lines
                .get(k)
                .is_none_or(|l| l.text(original) != &edited.text[m.clean_start..m.clean_end])
        })
        .map(|m| Line {
            start: m.clean_start,
            end: m.clean_end,
        })
        .collect()
}

/// Cleans `doc`, turning a panic in a rule into a rejection (`internal_error`, with
/// the panic message) instead of the end of a long run. The panic is still printed,
/// and the run exits 1, so the bug is seen; fuzzing and the property tests call
/// `Cleaner::clean` directly, where a panic fails them.
pub fn clean_guarded(cleaner: &Cleaner, doc: Document) -> Processed {
    let (id, source, bytes_in) = (doc.id.clone(), doc.source.clone(), doc.bytes_in);
    let at = place(&doc);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cleaner.clean(doc))) {
        Ok(c) => Processed::Doc(Box::new(c)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Processed::Bad(BadInput {
                id,
                source,
                reason: Reason::InternalError,
                error: format!("{at}: internal error while cleaning (a bug): {msg}"),
                bytes_in,
            })
        }
    }
}

fn place(doc: &Document) -> String {
    match doc.source.line {
        Some(l) => format!("{}:{l}", doc.source.path),
        None => doc.source.path.clone(),
    }
}

fn longest_line_over(text: &str, limit: u64) -> Option<u64> {
    if (text.len() as u64) <= limit {
        return None;
    }
    crate::text::lines(text)
        .map(|l| (l.end - l.start) as u64)
        .filter(|&n| n > limit)
        .max()
}

/// A stage that needs to see documents together (dedup). Its [`Prepare`] half runs
/// on the cleaning threads, right after a document is cleaned (before any global
/// stage has decided about it), and may only look at that document; `decide` runs on
/// one thread in input order, so its decisions never depend on timing. An error from
/// `decide` (the stage's own storage failed) stops the run.
pub trait GlobalStage: Send + Sync {
    fn preparer(&self) -> Arc<dyn Prepare>;
    fn decide(&mut self, doc: &mut Cleaned, prepared: Box<dyn Any + Send>) -> anyhow::Result<()>;
}

/// The per-document half of a [`GlobalStage`], shared by the cleaning threads.
pub trait Prepare: Send + Sync {
    fn prepare(&self, doc: &Cleaned) -> Box<dyn Any + Send>;
}

/// A batch as the writer gets it: each item after cleaning, with what every global
/// stage prepared for it (nothing for a document that is already rejected).
type Prepared = Vec<(Processed, Vec<Box<dyn Any + Send>>)>;

/// A batch is also cut at this much text, so memory stays bounded when documents are
/// big: `batch_docs` documents of up to `max_doc_bytes` each could be gigabytes, and
/// up to five batches are alive at once (one being read, one queued, one being
/// cleaned, one queued for the writer, one being written). Output does not depend on
/// batching.
pub(crate) const MAX_BATCH_BYTES: u64 = 8 << 20;

/// What the reader produced, after the per-document stages.
#[derive(Debug)]
pub enum Processed {
    Doc(Box<Cleaned>),
    Bad(BadInput),
}

pub struct RunOptions {
    pub threads: usize,
    /// Called with each item's message when the input could not be read or parsed,
    /// and with a note for each input file that held no document.
    pub on_error: Box<dyn FnMut(&str) + Send>,
    /// Called after each batch with (documents so far, bytes so far).
    pub on_progress: Box<dyn FnMut(u64, u64) + Send>,
}

pub struct Pipeline {
    pub config: Config,
    pub cleaner: Cleaner,
    pub global: Vec<Box<dyn GlobalStage>>,
}

impl Pipeline {
    pub fn new(config: Config) -> anyhow::Result<Pipeline> {
        let cleaner = Cleaner::new(&config)?;
        let mut global: Vec<Box<dyn GlobalStage>> = Vec::new();
        if config.dedup.enabled() {
            global.push(Box::new(Dedup::new(
                &config.dedup,
                config.filter.min_words,
            )?));
        }
        Ok(Pipeline {
            config,
            cleaner,
            global,
        })
    }

    /// Reads every discovered file, cleans, and writes to `sink`. Returns the report
    /// and how many inputs could not be read or parsed.
    pub fn run(
        mut self,
        discovery: Discovery,
        mut sink: Sink,
        mut opts: RunOptions,
    ) -> anyhow::Result<(Report, u64)> {
        let wall = Instant::now();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads.max(1))
            .build()?;
        let mut report = Report {
            threads: opts.threads.max(1),
            config: serde_json::to_value(&self.config)?,
            ..Report::default()
        };
        let mut input_errors = 0;
        for msg in count_skipped(&mut report, &discovery.skipped) {
            input_errors += 1;
            (opts.on_error)(&msg);
        }
        report.files.read = discovery.files.len() as u64;

        if self.cleaner.wants_line_counts() {
            let t = Instant::now();
            // Only regular files can be read twice; a stream (stdin, a FIFO) cannot.
            if discovery.files.iter().all(|f| f.size.is_some()) {
                let files = &discovery.files;
                let input_cfg = &self.config.input;
                let counts = count_lines(
                    &|emit: &mut dyn FnMut(Item) -> bool| {
                        for file in files {
                            let mut open = true;
                            input::read_file(file, input_cfg, &mut |item| {
                                open = emit(item);
                                open
                            });
                            if !open {
                                return;
                            }
                        }
                    },
                    &self.config,
                    &pool,
                );
                report.repetition_pass = Some(counts.documents() as u64);
                if let Some((crowding, warning)) =
                    sketch_crowding(&counts, &self.cleaner, &self.config)
                {
                    report.repetition_crowding = Some(crowding);
                    if let Some(w) = warning {
                        (opts.on_error)(&w);
                    }
                }
                self.cleaner.set_line_counts(counts);
            }
            report.timings.repetition = t.elapsed().as_secs_f64();
        }

        let batch_docs = self.config.input.batch_docs.max(1);
        let (tx, rx) = crossbeam_channel::bounded::<Vec<Item>>(1);
        let files = discovery.files;
        let input_cfg = self.config.input.clone();
        let reader = std::thread::spawn(move || {
            let mut busy = Duration::ZERO;
            let mut batch = Vec::with_capacity(batch_docs);
            let mut batch_bytes = 0u64;
            let mut t = Instant::now();
            let mut empty = Vec::new();
            for file in &files {
                let mut open = true;
                let mut items = 0u64;
                input::read_file(file, &input_cfg, &mut |item| {
                    items += 1;
                    if let Item::Doc(d) = &item {
                        batch_bytes += d.text.len() as u64;
                    }
                    batch.push(item);
                    if batch.len() >= batch_docs || batch_bytes >= MAX_BATCH_BYTES {
                        batch_bytes = 0;
                        busy += t.elapsed();
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_docs));
                        open = tx.send(full).is_ok();
                        t = Instant::now();
                    }
                    open
                });
                if !open {
                    return (busy, empty);
                }
                if items == 0 {
                    empty.push(file.display.clone());
                }
            }
            busy += t.elapsed();
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            (busy, empty)
        });

        // Three stages overlap: the reader thread parses, this thread cleans batches on
        // the pool (each document then prepared for the global stages in the same
        // task), and a writer thread runs the global stages' decisions in input order,
        // then serialises and writes. The sequential parts of one batch thus run while
        // the next batch is being cleaned.
        // One batch waits in each channel: enough to overlap the stages, and memory stays at
        // a few batches (each cut at MAX_BATCH_BYTES of text).
        let (tx_clean, rx_clean) = crossbeam_channel::bounded::<Prepared>(1);
        let cleaner = &self.cleaner;
        let preparers: Vec<Arc<dyn Prepare>> = self.global.iter().map(|g| g.preparer()).collect();
        let preparers = &preparers;
        let global = &mut self.global;
        let pool = &pool;
        let (mut report, input_errors, write_result, mut opts, sink, clean_time) =
            std::thread::scope(|scope| {
                let writer = scope.spawn(move || {
                    let mut write_result: anyhow::Result<()> = Ok(());
                    for batch in rx_clean {
                        let t = Instant::now();
                        let mut processed = Vec::with_capacity(batch.len());
                        'docs: for (mut p, prepared) in batch {
                            if let Processed::Doc(c) = &mut p {
                                for (stage, prep) in global.iter_mut().zip(prepared) {
                                    if !c.is_kept() {
                                        break;
                                    }
                                    if let Err(e) = stage.decide(c, prep) {
                                        write_result = Err(e);
                                        break 'docs;
                                    }
                                    cleaner.judge(c);
                                }
                            }
                            processed.push(p);
                        }
                        report.timings.global += t.elapsed().as_secs_f64();
                        if write_result.is_err() {
                            break; // this batch's decisions may be wrong: none is written
                        }

                        let t = Instant::now();
                        // Serialised here, not on the pool: there it would queue behind
                        // a batch of cleaning while this thread, the run's sequential
                        // part, waits.
                        for (p, (kept, bytes)) in processed.iter().map(|p| (p, serialize(p))) {
                            if let Some((msg, is_error)) = tally(&mut report, p) {
                                input_errors += u64::from(is_error);
                                (opts.on_error)(msg);
                            }
                            write_result = if kept {
                                sink.write_clean(&bytes)
                            } else {
                                sink.write_rejected(&bytes)
                            }
                            .map_err(Into::into);
                            if write_result.is_err() {
                                break;
                            }
                        }
                        report.timings.write += t.elapsed().as_secs_f64();
                        // Freed on the pool, off this thread (the run's sequential
                        // part), by the threads that allocated most of it.
                        pool.spawn(move || drop(processed));
                        (opts.on_progress)(report.documents.input, report.bytes.input);
                        if write_result.is_err() {
                            break; // drops rx_clean: the cleaning loop stops at its next send
                        }
                    }
                    (report, input_errors, write_result, opts, sink)
                });
                let mut clean_time = 0.0;
                for batch in rx {
                    let t = Instant::now();
                    let processed: Prepared = pool.install(|| {
                        batch
                            .into_par_iter()
                            .map(|item| match item {
                                Item::Doc(d) => {
                                    let p = clean_guarded(cleaner, d);
                                    let prepared = match &p {
                                        Processed::Doc(c) if c.is_kept() => {
                                            preparers.iter().map(|s| s.prepare(c)).collect()
                                        }
                                        _ => Vec::new(),
                                    };
                                    (p, prepared)
                                }
                                Item::Bad(b) => (Processed::Bad(b), Vec::new()),
                            })
                            .collect()
                    });
                    clean_time += t.elapsed().as_secs_f64();
                    if tx_clean.send(processed).is_err() {
                        break; // the writer stopped; dropping rx stops the reader
                    }
                }
                drop(tx_clean);
                match writer.join() {
                    Ok((report, errors, result, opts, sink)) => {
                        Ok((report, errors, result, opts, sink, clean_time))
                    }
                    Err(_) => Err(anyhow::anyhow!("the writer thread panicked")),
                }
            })?;
        report.timings.clean = clean_time;
        // A reader that panicked stopped early: finishing as if the input had ended
        // would write a complete-looking, short output. Fail instead (no report).
        let Ok((read_time, empty)) = reader.join() else {
            anyhow::bail!("the input reader crashed; output is incomplete");
        };
        report.timings.read = read_time.as_secs_f64();
        // An empty input is not an error (a shard may be empty), but it should not
        // pass unseen either: it is counted and named.
        report.files.empty = empty.len() as u64;
        for path in &empty {
            (opts.on_error)(&format!("{path}: no documents (empty file)"));
        }
        write_result?;
        report.finish(wall.elapsed().as_secs_f64());
        let json = serde_json::to_vec_pretty(&report)?;
        sink.finish(&json)?;
        Ok((report, input_errors))
    }
}

/// Reads every item with `read_all` and sends them on in batches, each cut at
/// `batch_docs` items or `MAX_BATCH_BYTES` of text; stops when the receiver is gone.
pub(crate) fn send_batches(
    read_all: &ReadAll,
    batch_docs: usize,
    tx: &crossbeam_channel::Sender<Vec<Item>>,
) {
    let mut batch = Vec::with_capacity(batch_docs);
    let mut bytes = 0u64;
    let mut open = true;
    read_all(&mut |item| {
        if let Item::Doc(d) = &item {
            bytes += d.text.len() as u64;
        }
        batch.push(item);
        if batch.len() >= batch_docs || bytes >= MAX_BATCH_BYTES {
            bytes = 0;
            open = tx
                .send(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(batch_docs),
                ))
                .is_ok();
        }
        open
    });
    if open && !batch.is_empty() {
        let _ = tx.send(batch);
    }
}

/// Counts the walk's skipped entries into the report; returns the messages of those
/// that are errors (each makes the run partial).
pub fn count_skipped(report: &mut Report, skipped: &[Skipped]) -> Vec<String> {
    let mut errors = Vec::new();
    for s in skipped {
        if s.error {
            report.files.errors += 1;
            errors.push(format!("{}: {}", s.path, s.why));
        } else {
            report.files.skipped += 1;
        }
    }
    errors
}

/// Hands every input item to its callback, in order, until the callback says stop.
pub type ReadAll<'a> = dyn Fn(&mut dyn FnMut(Item) -> bool) + Sync + 'a;

/// The first pass: every document's distinct lines counted into a fixed-size sketch.
/// `read_all` hands every input item to its callback, in order, and stops when the
/// callback returns false. Read errors are left to the main pass, which reports them.
/// Three stages overlap: a reader thread parses the next batch while the pool hashes
/// this one, and an adder thread counts the batch before it, in input order.
pub fn count_lines(read_all: &ReadAll, config: &Config, pool: &rayon::ThreadPool) -> LineCounts {
    let r = &config.repetition;
    let batch_docs = config.input.batch_docs.max(1);
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Item>>(1);
    let (tx_keys, rx_keys) = crossbeam_channel::bounded::<Vec<Vec<u64>>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || send_batches(read_all, batch_docs, &tx));
        let adder = scope.spawn(move || {
            let mut counts = LineCounts::new(r.sketch_depth, r.sketch_width_bits);
            for keys in rx_keys {
                for k in &keys {
                    counts.add_keys(k);
                }
            }
            counts
        });
        for batch in rx {
            let keys: Vec<Vec<u64>> = pool.install(|| {
                batch
                    .par_iter()
                    .filter_map(|item| match item {
                        Item::Doc(d) => Some(LineCounts::document_keys(&d.text)),
                        Item::Bad(_) => None,
                    })
                    .collect()
            });
            // The texts are freed on the pool, while this thread waits for the next batch.
            pool.spawn(move || drop(batch));
            if tx_keys.send(keys).is_err() {
                break;
            }
        }
        drop(tx_keys);
        adder.join().expect("the line counter panicked")
    })
}

/// How crowded the line sketch is at the smallest count a rule acts on
/// ([`LineCounts::crowding`]), with a warning when it is over [`MAX_CROWDING`]; None
/// when no rule uses the counts.
pub fn sketch_crowding(
    counts: &LineCounts,
    cleaner: &Cleaner,
    config: &Config,
) -> Option<(f64, Option<String>)> {
    let need = cleaner.line_count_need()?;
    let crowding = counts.crowding(need);
    let warning = (crowding > MAX_CROWDING).then(|| {
        format!(
            "warning: the line sketch is crowded: {:.2}% of the lines seen in one document \
             read as in {need} or more, which makes them template text to the rules; raise \
             repetition.sketch_width_bits (now {}) by 2 for each fourfold increase of the input",
            crowding * 100.0,
            config.repetition.sketch_width_bits
        )
    });
    Some((crowding, warning))
}

/// A record and whether it goes to clean.jsonl.
pub fn serialize(p: &Processed) -> (bool, Vec<u8>) {
    let mut buf = Vec::with_capacity(512);
    match p {
        Processed::Doc(c) => {
            write_cleaned(&mut buf, c);
            (c.is_kept(), buf)
        }
        Processed::Bad(b) => {
            write_bad(&mut buf, b);
            (false, buf)
        }
    }
}

/// Adds one document's outcome to the report. Returns the message to show, if any,
/// and whether it is an input error (unreadable or unparsable input, a bug while
/// cleaning), which makes the run partial.
pub fn tally<'a>(report: &mut Report, p: &'a Processed) -> Option<(&'a str, bool)> {
    match p {
        Processed::Doc(c) => {
            count(report, c);
            c.rejection
                .as_ref()
                .filter(|r| r.reason.is_input_error())
                .map(|r| (r.error.as_deref().unwrap_or(r.reason.as_str()), true))
        }
        Processed::Bad(b) => {
            report.documents.input += 1;
            report.documents.rejected += 1;
            report.bytes.input += b.bytes_in;
            *report.rejected.entry(b.reason.as_str().into()).or_default() += 1;
            Some((&b.error, b.reason.is_input_error()))
        }
    }
}

fn count(report: &mut Report, c: &Cleaned) {
    report.documents.input += 1;
    report.bytes.input += c.doc.bytes_in;
    match &c.rejection {
        None => {
            report.documents.kept += 1;
            report.bytes.out += c.edited.text.len() as u64;
            for r in &c.edited.removed {
                let e = report.rules.entry(r.rule.to_string()).or_default();
                e.spans += 1;
                e.bytes += (r.end - r.start) as u64;
                report.bytes.removed += (r.end - r.start) as u64;
            }
        }
        Some(r) => {
            report.documents.rejected += 1;
            *report.rejected.entry(r.reason.as_str().into()).or_default() += 1;
        }
    }
}
