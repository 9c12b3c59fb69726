//! Sharded runs: the pipeline of `chaff clean` cut into stages that exchange files
//! under one work directory, each stage split into independent, restartable tasks, so
//! that an existing engine (Ray, a Slurm array, Kubernetes indexed jobs) can spread
//! them over machines. Concatenating the shards' outputs in shard order gives the
//! same bytes as `chaff clean` on the same input and config, for any shard count.
//!
//! ```text
//! plan                 inputs → plan.json: files in order, cut into N shards at line
//!                      boundaries, the resolved config, R band tasks
//! count        ×N      shard's lines → counts/I.bin.zst (count-min sketch)
//! merge-counts ×1      counts/* → counts.bin.zst (element-wise sum: the whole run's)
//! prepare      ×N      read, clean, sign → prepared/I.bin (cleaned documents and
//!                      signatures), bands/J-I.bin (every item's LSH bucket keys)
//! bands        ×R      bands/J-* → shared/J-I.bin: the items whose bucket, in a band of
//!                      range J, holds another item anywhere in the input
//! decide       ×1      prepared/*, shared/* → decisions/I.jsonl: the single-machine
//!                      decide, replayed in input order, looking only in shared buckets
//! apply        ×N      prepared/I.bin + decisions/I.jsonl → out/I/{clean,rejected}.jsonl,
//!                      stats/I.json
//! merge-report ×1      stats/* → report.json (and, with --out, the concatenated outputs)
//! ```
//!
//! Why `decide` is one task: which copy is kept depends on every earlier decision
//! (only kept text is indexed, so copies never chain). The bands stage makes it cheap:
//! an item whose buckets hold nobody else can never be a candidate, so `decide` neither
//! looks it up nor stores its shingles, and holds only the items that have a
//! potential match, which the bands stage has already found.

pub mod store;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::dedup::index::{BandFilter, Decision};
use crate::dedup::lsh::band_key;
use crate::dedup::sign::Signature;
use crate::dedup::{Dedup, DedupConfig};
use crate::doc::{BadInput, Document, Findings, Item};
use crate::edit;
use crate::input::discover::{Compression, Format, Skipped};
use crate::input::{self, Discovery, InputFile, Origin};
use crate::output::{Rejection, Report};
use crate::pipeline::{self, Cleaned, Cleaner, Processed};
use crate::repetition::LineCounts;
use store::{Store, Task, open_checked, read_checked, read_frame, write_frame};

const PLAN: &str = "plan.json";
const PLAN_VERSION: u32 = 1;

/// What every task of a run agrees on. Written once by `plan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    pub shards: usize,
    pub band_tasks: usize,
    /// The resolved config, as TOML.
    pub config: String,
    pub files: Vec<InputFile>,
    pub skipped: Vec<Skipped>,
    /// Per shard, the parts of files it reads, in input order.
    pub parts: Vec<Vec<Part>>,
}

/// A file, or a run of its lines (`start..end` in bytes, at line boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub file: usize,
    pub start: u64,
    /// `None`: to the end of the file, read as a whole.
    pub end: Option<u64>,
    /// Lines before `start`, so line numbers and the ids made from them are the
    /// whole file's.
    pub lines_before: u64,
}

impl Plan {
    /// Cuts the input into `shards` runs of about equal bytes. Plain JSONL files are
    /// cut at line boundaries; other files go whole to one shard.
    pub fn new(
        discovery: Discovery,
        config: &Config,
        shards: usize,
        band_tasks: usize,
    ) -> anyhow::Result<Plan> {
        if shards == 0 || band_tasks == 0 {
            bail!("--shards and --band-tasks must be at least 1");
        }
        let files = discovery.files;
        if files.iter().any(|f| f.origin == Origin::Stdin) {
            bail!("a sharded run reads files; standard input cannot be split");
        }
        let sizes: Vec<u64> = files.iter().map(|f| f.size.unwrap_or(0)).collect();
        let total: u64 = sizes.iter().sum();
        let starts: Vec<u64> = sizes
            .iter()
            .scan(0u64, |at, &s| {
                let start = *at;
                *at += s;
                Some(start)
            })
            .collect();
        // Cut k sits at the first line start at or after k·total/shards (the end of
        // the file when that file cannot be cut), and never before cut k−1.
        let mut cuts = vec![0u64];
        for k in 1..shards {
            let target = (total as u128 * k as u128 / shards as u128) as u64;
            let prev = *cuts.last().unwrap_or(&0);
            let mut cut = target.max(prev);
            if let Some(i) = (0..files.len()).rfind(|&i| starts[i] <= cut && sizes[i] > 0)
                && cut < starts[i] + sizes[i]
            {
                let f = &files[i];
                cut = if splittable(f) {
                    starts[i] + next_line_start(f, cut - starts[i])?
                } else if cut == starts[i] {
                    cut
                } else {
                    starts[i] + sizes[i]
                };
            }
            cuts.push(cut);
        }
        cuts.push(total);
        let shard_of = |at: u64| {
            (1..=shards)
                .find(|&k| at < cuts[k])
                .map_or(shards - 1, |k| k - 1)
        };

        let mut parts = vec![Vec::new(); shards];
        for (i, f) in files.iter().enumerate() {
            let (start, size) = (starts[i], sizes[i]);
            let first = shard_of(start);
            let last = if size == 0 {
                first
            } else {
                shard_of(start + size - 1)
            };
            if first == last {
                parts[first].push(Part {
                    file: i,
                    start: 0,
                    end: None,
                    lines_before: 0,
                });
                continue;
            }
            let bounds: Vec<u64> = (first..=last)
                .map(|k| cuts[k].max(start) - start)
                .chain([size])
                .collect();
            let lines = newlines_before(f, &bounds[..bounds.len() - 1])?;
            for (j, k) in (first..=last).enumerate() {
                if bounds[j] < bounds[j + 1] {
                    parts[k].push(Part {
                        file: i,
                        start: bounds[j],
                        end: Some(bounds[j + 1]),
                        lines_before: lines[j],
                    });
                }
            }
        }
        Ok(Plan {
            version: PLAN_VERSION,
            shards,
            band_tasks,
            config: config.to_toml(),
            files,
            skipped: discovery.skipped,
            parts,
        })
    }

    pub fn load(store: &dyn Store) -> anyhow::Result<Plan> {
        if !store.exists(PLAN) {
            bail!(
                "{}: no plan; run `chaff shard plan` first",
                store.describe(PLAN)
            );
        }
        let mut bytes = Vec::new();
        store.open(PLAN)?.read_to_end(&mut bytes)?;
        let plan: Plan = serde_json::from_slice(&bytes).with_context(|| store.describe(PLAN))?;
        if plan.version != PLAN_VERSION {
            bail!(
                "{}: plan version {} is not {PLAN_VERSION}; plan again",
                store.describe(PLAN),
                plan.version
            );
        }
        Ok(plan)
    }

    /// Writes the plan; a work directory that already holds a different plan is an
    /// error (its intermediates belong to that plan), the same plan is a no-op.
    pub fn save(&self, store: &dyn Store) -> anyhow::Result<()> {
        if store.exists(PLAN) {
            match Plan::load(store) {
                Ok(old) if old == *self => return Ok(()),
                _ => bail!(
                    "{} holds a different plan; use a fresh work directory",
                    store.describe(PLAN)
                ),
            }
        }
        let json = serde_json::to_vec_pretty(self)?;
        let mut w = store.create(PLAN)?;
        w.write_all(&json)?;
        w.flush()?;
        drop(w);
        store.publish(PLAN)
    }

    pub fn config(&self) -> anyhow::Result<Config> {
        Config::from_toml(&self.config).context("the plan's config")
    }

    /// Hands every item of shard `shard` to `emit`, in order.
    fn read(&self, shard: usize, cfg: &Config, emit: &mut dyn FnMut(Item) -> bool) {
        for p in &self.parts[shard] {
            let file = &self.files[p.file];
            let mut open = true;
            let mut go = |item| {
                open = emit(item);
                open
            };
            match p.end {
                None => input::read_file(file, &cfg.input, &mut go),
                Some(end) => {
                    input::read_jsonl_part(file, p.start, end, p.lines_before, &cfg.input, &mut go)
                }
            }
            if !open {
                return;
            }
        }
    }
}

/// Plain JSONL on disk that does not start with a UTF-16 byte order mark (such a
/// file is one rejection as a whole).
fn splittable(f: &InputFile) -> bool {
    let Origin::Path(p) = &f.origin else {
        return false;
    };
    if f.format != Format::Jsonl(Compression::None) {
        return false;
    }
    let mut head = [0u8; 2];
    let utf16 = std::fs::File::open(p)
        .and_then(|mut r| r.read_exact(&mut head))
        .is_ok_and(|()| head == *b"\xFF\xFE" || head == *b"\xFE\xFF");
    !utf16
}

fn path_of(f: &InputFile) -> &Path {
    match &f.origin {
        Origin::Path(p) => p,
        Origin::Stdin => Path::new("-"),
    }
}

/// The first line start at or after `at` (the file size when there is none).
fn next_line_start(f: &InputFile, at: u64) -> anyhow::Result<u64> {
    use std::io::{Seek, SeekFrom};
    if at == 0 {
        return Ok(0);
    }
    let path = path_of(f);
    let mut r = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    r.seek(SeekFrom::Start(at - 1))?;
    let mut r = BufReader::with_capacity(1 << 16, r);
    let mut pos = at - 1;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(pos);
        }
        if let Some(i) = memchr::memchr(b'\n', buf) {
            return Ok(pos + i as u64 + 1);
        }
        let n = buf.len();
        pos += n as u64;
        r.consume(n);
    }
}

/// For each offset (ascending), how many newlines come before it.
fn newlines_before(f: &InputFile, offsets: &[u64]) -> anyhow::Result<Vec<u64>> {
    let path = path_of(f);
    let mut r = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut pos, mut lines) = (0u64, 0u64);
    let mut out = Vec::with_capacity(offsets.len());
    for &off in offsets {
        while pos < off {
            let want = ((off - pos) as usize).min(buf.len());
            let n = r.read(&mut buf[..want])?;
            if n == 0 {
                bail!("{}: shorter than planned", path.display());
            }
            lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
            pos += n as u64;
        }
        out.push(lines);
    }
    Ok(out)
}

/// Which task of `count` this process is: `I/N` or `I` from `--shard`, else from a
/// Slurm array (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`) or a Kubernetes
/// indexed job (`JOB_COMPLETION_INDEX`).
pub fn task_index(arg: Option<&str>, count: usize, what: &str) -> anyhow::Result<usize> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (index, of) = match arg {
        Some(a) => match a.split_once('/') {
            Some((i, n)) => (
                i.trim().parse::<usize>().ok(),
                Some(n.trim().parse::<usize>().ok()),
            ),
            None => (a.trim().parse::<usize>().ok(), None),
        },
        None => {
            if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
                let min = env("SLURM_ARRAY_TASK_MIN").and_then(|m| m.parse::<usize>().ok());
                let index = id
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| i.checked_sub(min.unwrap_or(0)));
                let of = env("SLURM_ARRAY_TASK_COUNT").map(|n| n.parse::<usize>().ok());
                (index, of)
            } else if let Some(i) = env("JOB_COMPLETION_INDEX") {
                (i.parse::<usize>().ok(), None)
            } else {
                bail!(
                    "which {what} task? give --shard I/{count}, or run as a Slurm array or \
                     an indexed job"
                );
            }
        }
    };
    let Some(index) = index else {
        bail!("--shard: expected I/N with 0 <= I < N");
    };
    if let Some(n) = of
        && n != Some(count)
    {
        bail!("the plan has {count} {what} tasks; --shard says otherwise");
    }
    if index >= count {
        bail!("{what} task {index} does not exist: the plan has {count} (0..{count})");
    }
    Ok(index)
}

/// The plan and its config when task `task` should run; `None` when it is done
/// already (and not `force`d), which is logged.
fn begin(
    store: &dyn Store,
    task: &str,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<Option<(Plan, Config)>> {
    if !force && Task::is_done(store, task) {
        log(&format!("{task}: already done"));
        return Ok(None);
    }
    let plan = Plan::load(store)?;
    let cfg = plan.config()?;
    Ok(Some((plan, cfg)))
}

/// The dedup stage the config asks for, if any.
fn dedup_of(cfg: &Config) -> anyhow::Result<Option<Dedup>> {
    cfg.dedup
        .enabled()
        .then(|| Dedup::new(&cfg.dedup, cfg.filter.min_words))
        .transpose()
}

fn pool(threads: usize) -> anyhow::Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?)
}

/// `count`: the shard's lines into a sketch (nothing when no rule asks for counts).
pub fn count(
    store: &dyn Store,
    shard: usize,
    threads: usize,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let task = format!("count-{shard}");
    let Some((plan, cfg)) = begin(store, &task, force, log)? else {
        return Ok(());
    };
    let mut t = Task::new(store, &task)?;
    if Cleaner::new(&cfg)?.wants_line_counts() {
        let pool = pool(threads)?;
        let counts = pipeline::count_lines(
            &|emit: &mut dyn FnMut(Item) -> bool| plan.read(shard, &cfg, emit),
            &cfg,
            &pool,
        );
        t.put(
            &format!("counts/{shard}.bin.zst"),
            &compress(&counts.to_bytes())?,
        )?;
    }
    t.finish()
}

/// Sketches are mostly zeros for a small shard: 64 MiB become a few.
fn compress(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    Ok(zstd::encode_all(bytes, 1)?)
}

fn decompress(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    zstd::decode_all(bytes).context("a line count sketch")
}

/// `merge-counts`: the shards' sketches summed into the whole run's.
pub fn merge_counts(
    store: &dyn Store,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let task = "merge-counts";
    let Some((plan, cfg)) = begin(store, task, force, log)? else {
        return Ok(());
    };
    let mut t = Task::new(store, task)?;
    let cleaner = Cleaner::new(&cfg)?;
    if cleaner.wants_line_counts() {
        let r = &cfg.repetition;
        let mut all = LineCounts::new(r.sketch_depth, r.sketch_width_bits);
        for s in 0..plan.shards {
            let bytes = read_checked(store, &format!("count-{s}"), &format!("counts/{s}.bin.zst"))?;
            all.merge(&LineCounts::from_bytes(&decompress(&bytes)?)?)?;
        }
        if let Some((_, Some(warning))) = pipeline::sketch_crowding(&all, &cleaner, &cfg) {
            log(&warning);
        }
        t.put("counts.bin.zst", &compress(&all.to_bytes())?)?;
    }
    t.finish()
}

/// One item of `prepared/I.bin`: a cleaned document or an input that could not
/// become one. The audit is rebuilt from the verdicts on reading. Externally tagged:
/// an internally tagged enum would buffer the raw JSON fields, which cannot be.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stored {
    Doc {
        doc: Box<Document>,
        found: Findings,
        rejection: Option<Rejection>,
    },
    Bad {
        bad: BadInput,
    },
}

fn store_item(p: &Processed) -> anyhow::Result<Vec<u8>> {
    // Borrowing serialisation: the record is written once per document.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum StoredRef<'a> {
        Doc {
            doc: &'a Document,
            found: &'a Findings,
            rejection: &'a Option<Rejection>,
        },
        Bad {
            bad: &'a BadInput,
        },
    }
    let r = match p {
        Processed::Doc(c) => StoredRef::Doc {
            doc: &c.doc,
            found: &c.found,
            rejection: &c.rejection,
        },
        Processed::Bad(b) => StoredRef::Bad { bad: b },
    };
    Ok(serde_json::to_vec(&r)?)
}

fn load_item(bytes: &[u8]) -> anyhow::Result<Processed> {
    Ok(match serde_json::from_slice::<Stored>(bytes)? {
        Stored::Doc {
            doc,
            found,
            rejection,
        } => Processed::Doc(Box::new(Cleaned {
            edited: edit::apply(&doc.text, &found.verdicts),
            doc: *doc,
            found,
            rejection,
        })),
        Stored::Bad { bad } => Processed::Bad(bad),
    })
}

/// Global band numbers: the document bands first, then the paragraph bands.
struct Bands {
    doc: usize,
    doc_rows: usize,
    paragraph: usize,
    paragraph_rows: usize,
    tasks: usize,
}

impl Bands {
    fn new(d: &DedupConfig, tasks: usize) -> Bands {
        Bands {
            doc: d.bands,
            doc_rows: d.rows,
            paragraph: d.paragraph_bands,
            paragraph_rows: d.paragraph_rows,
            tasks,
        }
    }

    fn total(&self) -> usize {
        self.doc + self.paragraph
    }

    /// The band task that owns global band `g`.
    fn task_of(&self, g: usize) -> usize {
        g * self.tasks / self.total()
    }
}

/// The line number that stands for the document level in band entries.
const DOC_LEVEL: u32 = u32::MAX;

/// `prepare`: read, clean and sign the shard; write the cleaned documents with their
/// signatures, and every item's bucket keys for the band tasks.
pub fn prepare(
    store: &dyn Store,
    shard: usize,
    threads: usize,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let task = format!("prepare-{shard}");
    let Some((plan, cfg)) = begin(store, &task, force, log)? else {
        return Ok(());
    };
    let mut cleaner = Cleaner::new(&cfg)?;
    if cleaner.wants_line_counts() {
        let bytes = read_checked(store, "merge-counts", "counts.bin.zst")?;
        cleaner.set_line_counts(LineCounts::from_bytes(&decompress(&bytes)?)?);
    }
    let dedup = dedup_of(&cfg)?;
    let bands = Bands::new(&cfg.dedup, plan.band_tasks);
    let pool = pool(threads)?;
    let mut t = Task::new(store, &task)?;
    let mut prepared = t.create(&format!("prepared/{shard}.bin"))?;
    let mut band_files = (0..plan.band_tasks)
        .map(|j| t.create(&format!("bands/{j}-{shard}.bin")))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let batch_docs = cfg.input.batch_docs.max(1);
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Item>>(1);
    let mut index = 0u32;
    let result = std::thread::scope(|scope| -> anyhow::Result<()> {
        let (plan, cfg) = (&plan, &cfg);
        scope.spawn(move || {
            pipeline::send_batches(&|emit| plan.read(shard, cfg, emit), batch_docs, &tx)
        });
        for batch in rx {
            let done: Vec<anyhow::Result<(Vec<u8>, Option<Signature>)>> = pool.install(|| {
                batch
                    .into_par_iter()
                    .map(|item| {
                        let p = match item {
                            Item::Doc(d) => pipeline::clean_guarded(&cleaner, d),
                            Item::Bad(b) => Processed::Bad(b),
                        };
                        let sig = match (&p, &dedup) {
                            (Processed::Doc(c), Some(d)) if c.is_kept() => Some(d.sign(c)),
                            _ => None,
                        };
                        Ok((store_item(&p)?, sig))
                    })
                    .collect()
            });
            for r in done {
                let (record, sig) = r?;
                write_frame(&mut prepared, &record)?;
                let sig_bytes = match &sig {
                    Some(s) => postcard::to_stdvec(s)?,
                    None => Vec::new(),
                };
                write_frame(&mut prepared, &sig_bytes)?;
                if let Some(sig) = &sig {
                    write_band_entries(&bands, sig, shard as u32, index, &mut band_files)?;
                }
                index += 1;
            }
        }
        Ok(())
    });
    result?;
    t.close(prepared)?;
    for f in band_files {
        t.close(f)?;
    }
    t.finish()
}

/// One band entry: bucket key, global band, shard, item index, line (all u32 LE).
const ENTRY: usize = 20;

fn write_band_entries(
    bands: &Bands,
    sig: &Signature,
    shard: u32,
    doc: u32,
    files: &mut [store::Output],
) -> std::io::Result<()> {
    let mut put = |g: usize, key: u32, line: u32| {
        let mut e = [0u8; ENTRY];
        for (i, v) in [key, g as u32, shard, doc, line].into_iter().enumerate() {
            e[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        files[bands.task_of(g)].write_all(&e)
    };
    if let Some(m) = &sig.doc {
        for b in 0..bands.doc {
            put(b, band_key(m, bands.doc_rows, b), DOC_LEVEL)?;
        }
    }
    for (line, m) in sig.paragraphs() {
        for b in 0..bands.paragraph {
            put(
                bands.doc + b,
                band_key(m, bands.paragraph_rows, b),
                line.line,
            )?;
        }
    }
    Ok(())
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]])
}

/// `bands`: for band task `task`, every shard's bucket keys merged; the items in a
/// bucket with another item are written per shard as (item, line, band).
pub fn bands(
    store: &dyn Store,
    task_no: usize,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let task = format!("bands-{task_no}");
    let Some((plan, _)) = begin(store, &task, force, log)? else {
        return Ok(());
    };
    // (band, key, shard, item, line): sorting groups each bucket's members in
    // input order.
    let mut entries: Vec<(u32, u32, u32, u32, u32)> = Vec::new();
    for s in 0..plan.shards {
        let bytes = read_checked(
            store,
            &format!("prepare-{s}"),
            &format!("bands/{task_no}-{s}.bin"),
        )?;
        if bytes.len() % ENTRY != 0 {
            bail!("bands/{task_no}-{s}.bin: size is not a whole number of entries");
        }
        entries.extend(bytes.chunks_exact(ENTRY).map(|e| {
            (
                u32_at(e, 1),
                u32_at(e, 0),
                u32_at(e, 2),
                u32_at(e, 3),
                u32_at(e, 4),
            )
        }));
    }
    entries.par_sort_unstable();
    let mut shared: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); plan.shards];
    for group in entries.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if group.len() < 2 {
            continue;
        }
        for &(band, _, shard, item, line) in group {
            let Some(out) = shared.get_mut(shard as usize) else {
                bail!(
                    "band entry names shard {shard}; the plan has {}",
                    plan.shards
                );
            };
            out.push((item, line, band));
        }
    }
    drop(entries);
    let mut t = Task::new(store, &task)?;
    for (s, mut list) in shared.into_iter().enumerate() {
        list.sort_unstable();
        list.dedup();
        let mut bytes = Vec::with_capacity(list.len() * 12);
        for (item, line, band) in list {
            for v in [item, line, band] {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        t.put(&format!("shared/{task_no}-{s}.bin"), &bytes)?;
    }
    t.finish()
}

/// The shared bands of one item, sorted as (line, band).
struct SharedBands<'a> {
    entries: &'a [(u32, u32, u32)],
    doc_bands: usize,
}

impl BandFilter for SharedBands<'_> {
    fn document(&self, band: usize) -> bool {
        self.has(DOC_LEVEL, band as u32)
    }
    fn paragraph(&self, line: u32, band: usize) -> bool {
        self.has(line, (self.doc_bands + band) as u32)
    }
}

impl SharedBands<'_> {
    fn has(&self, line: u32, band: u32) -> bool {
        self.entries
            .binary_search_by(|&(_, l, b)| (l, b).cmp(&(line, band)))
            .is_ok()
    }
}

/// Reads a shard's prepared items in order: the item and its signature, if any.
fn read_prepared(
    store: &dyn Store,
    shard: usize,
    each: &mut dyn FnMut(Processed, Option<Signature>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let r = open_checked(
        store,
        &format!("prepare-{shard}"),
        &format!("prepared/{shard}.bin"),
    )?;
    let mut r = BufReader::with_capacity(1 << 20, r);
    let (mut rec, mut sig) = (Vec::new(), Vec::new());
    while read_frame(&mut r, &mut rec)? {
        if !read_frame(&mut r, &mut sig)? {
            bail!("prepared/{shard}.bin: an item without its signature frame");
        }
        let sig = if sig.is_empty() {
            None
        } else {
            Some(postcard::from_bytes(&sig).context("a stored signature")?)
        };
        each(load_item(&rec)?, sig)?;
    }
    Ok(())
}

/// `decide`: the single-machine dedup decisions, replayed over every shard in input
/// order, with candidates looked up only in buckets the band tasks found shared.
pub fn decide(store: &dyn Store, force: bool, log: &mut dyn FnMut(&str)) -> anyhow::Result<()> {
    let task = "decide";
    let Some((plan, cfg)) = begin(store, task, force, log)? else {
        return Ok(());
    };
    let mut dedup = dedup_of(&cfg)?;
    let mut t = Task::new(store, task)?;
    for s in 0..plan.shards {
        let mut shared: Vec<(u32, u32, u32)> = Vec::new();
        for j in 0..plan.band_tasks {
            let bytes = read_checked(store, &format!("bands-{j}"), &format!("shared/{j}-{s}.bin"))?;
            shared.extend(
                bytes
                    .chunks_exact(12)
                    .map(|e| (u32_at(e, 0), u32_at(e, 1), u32_at(e, 2))),
            );
        }
        shared.sort_unstable();
        let mut out = t.create(&format!("decisions/{s}.jsonl"))?;
        let (mut item, mut at) = (0u32, 0usize);
        read_prepared(store, s, &mut |p, sig| {
            let decision = match (p, sig, dedup.as_mut()) {
                (Processed::Doc(mut c), Some(sig), Some(d)) => {
                    while at < shared.len() && shared[at].0 < item {
                        at += 1;
                    }
                    let end = at + shared[at..].partition_point(|e| e.0 == item);
                    let filter = SharedBands {
                        entries: &shared[at..end],
                        doc_bands: cfg.dedup.bands,
                    };
                    let decision = d.decide_and_apply_with(&mut c, &sig, &filter);
                    if let Some(e) = d.take_error() {
                        return Err(e).with_context(|| format!("{}: dedup index", c.doc.id));
                    }
                    Some(decision)
                }
                _ => None,
            };
            serde_json::to_writer(&mut out, &decision)?;
            out.write_all(b"\n")?;
            item += 1;
            Ok(())
        })?;
        t.close(out)?;
        log(&format!("decide: shard {s} done"));
    }
    t.finish()
}

/// What `apply` leaves for `merge-report`.
#[derive(Serialize, Deserialize)]
struct Stats {
    report: Report,
    input_errors: u64,
    /// The first messages about input errors, as `chaff clean` prints them.
    messages: Vec<String>,
}

const MESSAGES: usize = 20;

/// `apply`: the decisions applied to the shard's documents; its clean and rejected
/// records and stats.
pub fn apply(
    store: &dyn Store,
    shard: usize,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let task = format!("apply-{shard}");
    let wall = Instant::now();
    let Some((_, cfg)) = begin(store, &task, force, log)? else {
        return Ok(());
    };
    let cleaner = Cleaner::new(&cfg)?;
    let dedup = dedup_of(&cfg)?;
    let mut decisions = BufReader::new(open_checked(
        store,
        "decide",
        &format!("decisions/{shard}.jsonl"),
    )?)
    .lines();
    let mut t = Task::new(store, &task)?;
    let mut clean = t.create(&format!("out/{shard}/clean.jsonl"))?;
    let mut rejected = t.create(&format!("out/{shard}/rejected.jsonl"))?;
    let mut stats = Stats {
        report: Report::default(),
        input_errors: 0,
        messages: Vec::new(),
    };
    read_prepared(store, shard, &mut |mut p, _| {
        let Some(line) = decisions.next() else {
            bail!("decisions/{shard}.jsonl has fewer lines than the shard has items");
        };
        let decision: Option<Decision> = serde_json::from_str(&line?)?;
        if let (Processed::Doc(c), Some(d), Some(dedup)) = (&mut p, &decision, &dedup) {
            dedup.apply(c, d);
            cleaner.judge(c);
        }
        let (kept, bytes) = pipeline::serialize(&p);
        if let Some((msg, is_error)) = pipeline::tally(&mut stats.report, &p) {
            stats.input_errors += u64::from(is_error);
            if stats.messages.len() < MESSAGES {
                stats.messages.push(msg.to_string());
            }
        }
        if kept {
            clean.write_all(&bytes)?;
        } else {
            rejected.write_all(&bytes)?;
        }
        Ok(())
    })?;
    if decisions.next().is_some() {
        bail!("decisions/{shard}.jsonl has more lines than the shard has items");
    }
    t.close(clean)?;
    t.close(rejected)?;
    stats.report.finish(wall.elapsed().as_secs_f64());
    t.put(
        &format!("stats/{shard}.json"),
        &serde_json::to_vec_pretty(&stats)?,
    )?;
    t.finish()
}

/// `merge-report`: the shards' stats summed into `report.json`; with `out`, the
/// shards' outputs concatenated there too. Returns the report, the number of input
/// errors and their first messages.
pub fn merge_report(
    store: &dyn Store,
    out: Option<&Path>,
) -> anyhow::Result<(Report, u64, Vec<String>)> {
    let plan = Plan::load(store)?;
    let cfg = plan.config()?;
    let mut report = Report {
        threads: 1,
        config: serde_json::to_value(&cfg)?,
        ..Report::default()
    };
    let (mut errors, mut messages) = (0u64, Vec::new());
    for msg in pipeline::count_skipped(&mut report, &plan.skipped) {
        errors += 1;
        messages.push(msg);
    }
    report.files.read = plan.files.len() as u64;
    let mut wall = 0.0f64;
    for s in 0..plan.shards {
        let bytes = read_checked(store, &format!("apply-{s}"), &format!("stats/{s}.json"))?;
        let st: Stats = serde_json::from_slice(&bytes)?;
        report.add(&st.report);
        wall += st.report.timings.wall;
        errors += st.input_errors;
        messages.extend(st.messages);
    }
    messages.truncate(MESSAGES);
    // The sum of the shards' times: the run's cost, not its elapsed time.
    report.finish(wall);
    let json = serde_json::to_vec_pretty(&report)?;
    let mut t = Task::new(store, "merge-report")?;
    t.put("report.json", &json)?;
    t.finish()?;
    if let Some(dir) = out {
        let mut sink = crate::output::Sink::open(&crate::output::SinkTarget::Dir(dir.into()))?;
        for s in 0..plan.shards {
            let task = format!("apply-{s}");
            for (name, kept) in [("clean", true), ("rejected", false)] {
                let mut r = open_checked(store, &task, &format!("out/{s}/{name}.jsonl"))?;
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = r.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    if kept {
                        sink.write_clean(&buf[..n])?;
                    } else {
                        sink.write_rejected(&buf[..n])?;
                    }
                }
            }
        }
        sink.finish(&json)?;
    }
    Ok((report, errors, messages))
}

/// Every task's name, stage by stage, for drivers and `chaff shard status`.
pub fn tasks(plan: &Plan) -> BTreeMap<&'static str, Vec<String>> {
    let n = |stage: &str, k: usize| (0..k).map(|i| format!("{stage}-{i}")).collect();
    BTreeMap::from([
        ("1 count", n("count", plan.shards)),
        ("2 merge-counts", vec!["merge-counts".into()]),
        ("3 prepare", n("prepare", plan.shards)),
        ("4 bands", n("bands", plan.band_tasks)),
        ("5 decide", vec!["decide".into()]),
        ("6 apply", n("apply", plan.shards)),
        ("7 merge-report", vec!["merge-report".into()]),
    ])
}
