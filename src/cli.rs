//! Command-line definitions and the subcommands' glue: argument parsing, progress bar,
//! messages, and the mapping of outcomes to exit codes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use chaff::config::Config;
use chaff::explain::{Style, render};
use chaff::input::discover;
use chaff::output::{Sink, SinkTarget};
use chaff::pipeline::{Pipeline, RunOptions};
use chaff::rules::registry;

/// Exit codes: success, some input unreadable (the rest was processed), usage error.
pub const EXIT_OK: i32 = 0;
pub const EXIT_PARTIAL: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "chaff",
    version,
    about = "Clean and deduplicate scraped text dumps"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Clean documents and write clean.jsonl, rejected.jsonl and report.json.
    Clean(CleanArgs),
    /// List every rule with its id, description and default settings.
    Rules,
    /// Print the full default config (TOML), or the resolved one with --config.
    Config {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Clean one document and print its original text with every removed span struck
    /// through and tagged with its rule and evidence. Cleans each document on its own,
    /// like `chaff clean` does before its global stages: dedup, which compares
    /// documents across a run, does not apply. Plain markers `[-text-]{rule: ...}` when
    /// stdout is not a terminal or NO_COLOR is set.
    Explain(ExplainArgs),
    /// The pipeline as sharded stages over a work directory, for running on many
    /// machines (Ray, a Slurm array, indexed jobs). Concatenated in shard order, the
    /// shards' outputs equal `chaff clean`'s. See the README, "Running on a cluster".
    #[command(subcommand)]
    Shard(ShardStage),
    /// Build one self-contained HTML page (no server, nothing fetched) from the outputs
    /// of `chaff clean --out DIR`: summary, removed spans by rule, filters, search.
    Review(ReviewArgs),
}

#[derive(Subcommand)]
pub enum ShardStage {
    /// Cut the inputs into shards and fix the config: writes WORK/plan.json.
    Plan(PlanArgs),
    /// Count the shard's lines for the repetition-aware rules.
    Count(TaskArgs),
    /// Sum every shard's line counts (one task).
    MergeCounts(OneTaskArgs),
    /// Read, clean and sign the shard; write its band keys.
    Prepare(TaskArgs),
    /// Find the shared LSH buckets of band task J (`--shard J/R`).
    Bands(TaskArgs),
    /// Decide duplicates over all shards in input order (one task).
    Decide(OneTaskArgs),
    /// Apply the decisions to the shard; write its clean and rejected records.
    Apply(TaskArgs),
    /// Sum the shards' stats into WORK/report.json; with --out, also concatenate the
    /// outputs there. Exits 1 when any input could not be read or parsed.
    MergeReport(MergeArgs),
    /// Every task of the plan, one after another, here (a local run of the layout).
    Run(RunArgs),
    /// Which tasks are done and which are missing.
    Status(OneTaskArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    /// Work directory shared by every task.
    #[arg(long)]
    pub work: PathBuf,
    /// Shards of the input (tasks of count, prepare and apply).
    #[arg(long)]
    pub shards: usize,
    /// Tasks of the bands stage.
    #[arg(long, default_value_t = 1)]
    pub band_tasks: usize,
    #[command(flatten)]
    pub settings: Settings,
    /// Files or directories (walked recursively, sorted).
    #[arg(required = true)]
    pub inputs: Vec<String>,
}

#[derive(Args)]
pub struct TaskArgs {
    #[arg(long)]
    pub work: PathBuf,
    /// `I/N` or `I`; else SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) or
    /// JOB_COMPLETION_INDEX.
    #[arg(long)]
    pub shard: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Run even if the task is already done.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct OneTaskArgs {
    #[arg(long)]
    pub work: PathBuf,
    /// Run even if the task is already done.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct MergeArgs {
    #[arg(long)]
    pub work: PathBuf,
    /// Also write clean.jsonl, rejected.jsonl and report.json here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Where to write clean.jsonl, rejected.jsonl and report.json.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Worker threads per task (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// No summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The config file and the flags that override it.
#[derive(Args)]
pub struct Settings {
    /// TOML config; unknown keys are errors.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// JSONL field holding the text (overrides input.text_field).
    #[arg(long)]
    pub text_field: Option<String>,
    /// JSONL field holding the id (overrides input.id_field).
    #[arg(long)]
    pub id_field: Option<String>,
}

impl Settings {
    fn resolve(&self) -> anyhow::Result<Config> {
        let mut cfg = load_config(self.config.as_ref())?;
        if let Some(f) = &self.text_field {
            cfg.input.text_field = f.clone();
        }
        if let Some(f) = &self.id_field {
            cfg.input.id_field = f.clone();
        }
        Ok(cfg)
    }
}

#[derive(Args)]
pub struct ExplainArgs {
    /// A .txt file (one document), a JSONL file, or `-` for JSONL on stdin.
    pub input: String,
    /// How many documents of a JSONL input to explain.
    #[arg(short, default_value_t = 1)]
    pub n: usize,
    /// TOML config; unknown keys are errors.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ReviewArgs {
    /// Output directory of a `chaff clean` run (clean.jsonl, rejected.jsonl, report.json).
    pub out_dir: PathBuf,
    /// Where to write the page.
    #[arg(short, long, default_value = "review.html")]
    pub output: PathBuf,
}

#[derive(Args)]
pub struct CleanArgs {
    /// Files or directories (walked recursively, sorted); `-` reads JSONL from stdin.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output directory, or `-` for clean records on stdout.
    #[arg(long, short)]
    pub out: String,
    /// With `--out -`: where rejected records go (otherwise they are only counted).
    #[arg(long)]
    pub rejected: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Settings,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Clean(args) => clean(args),
        Command::Explain(args) => explain(args),
        Command::Review(args) => review(args),
        Command::Shard(stage) => shard(stage),
        Command::Rules => {
            print_rules();
            EXIT_OK
        }
        Command::Config { config } => match load_config(config.as_ref()) {
            Ok(cfg) => {
                print!("{}", cfg.to_toml());
                EXIT_OK
            }
            Err(e) => usage_error(&e),
        },
    }
}

fn usage_error(e: &anyhow::Error) -> i32 {
    eprintln!("chaff: {e:#}");
    EXIT_USAGE
}

fn load_config(path: Option<&PathBuf>) -> anyhow::Result<Config> {
    match path {
        Some(p) => Config::load(p),
        None => Ok(Config::default()),
    }
}

fn print_rules() {
    let mut out = String::new();
    for s in registry() {
        let state = if s.enabled { "on" } else { "off" };
        out.push_str(&format!("{:<16} [{state}] {}\n", s.id, s.description));
        for (k, v) in (s.defaults)() {
            out.push_str(&format!("{:<16}   {k} = {v}\n", ""));
        }
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
}

fn explain(args: ExplainArgs) -> i32 {
    let cfg = match load_config(args.config.as_ref()) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    if args.n == 0 {
        return usage_error(&anyhow::anyhow!("-n must be at least 1"));
    }
    let explained = match chaff::explain::clean_first(&args.input, args.n, &cfg) {
        Ok(e) => e,
        Err(e) => return usage_error(&e),
    };
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let style = if colour { Style::Ansi } else { Style::Plain };
    let mut out = String::new();
    for (i, c) in explained.cleaned.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&chaff::explain::heading(c));
        out.push('\n');
        out.push_str(&render(&c.doc.text, &c.edited.removed, style));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    for b in &explained.bad {
        eprintln!("chaff: {} ({})", b.error, b.reason.as_str());
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("chaff: writing to stdout: {e}");
        return EXIT_PARTIAL;
    }
    if explained.bad.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}

fn review(args: ReviewArgs) -> i32 {
    match chaff::review::write_page(&args.out_dir, &args.output) {
        Ok(n) => {
            eprintln!("chaff: {} documents in {}", n, args.output.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("chaff: {e:#}");
            EXIT_PARTIAL
        }
    }
}

fn clean(args: CleanArgs) -> i32 {
    // Everything that can be a usage error is checked before any work starts.
    let cfg = match args.settings.resolve() {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    if args.threads == Some(0) {
        return usage_error(&anyhow::anyhow!("--threads must be at least 1"));
    }
    if args.out != "-" && args.rejected.is_some() {
        return usage_error(&anyhow::anyhow!(
            "--rejected is for --out -; with a directory, rejected records go to DIR/rejected.jsonl"
        ));
    }
    let discovery = match discover(&args.inputs) {
        Ok(d) => d,
        Err(e) => return usage_error(&anyhow::anyhow!(e)),
    };
    let pipeline = match Pipeline::new(cfg) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let target = if args.out == "-" {
        SinkTarget::Stdout {
            rejected: args.rejected.clone(),
        }
    } else {
        SinkTarget::Dir(PathBuf::from(&args.out))
    };
    let sink = match Sink::open(&target) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let threads = default_threads(args.threads);

    let bar = progress_bar(args.quiet, discovery.total_size());
    let errors_bar = bar.clone();
    let mut shown = 0u32;
    let progress_bar = bar.clone();
    let opts = RunOptions {
        threads,
        on_error: Box::new(move |msg| {
            shown += 1;
            if shown <= 20 {
                errors_bar.suspend(|| eprintln!("chaff: {msg}"));
            } else if shown == 21 {
                errors_bar.suspend(|| eprintln!("chaff: more errors; see rejected records"));
            }
        }),
        on_progress: Box::new(move |docs, bytes| {
            progress_bar.set_position(bytes);
            progress_bar.set_message(format!("{docs} docs"));
        }),
    };
    let result = pipeline.run(discovery, sink, opts);
    bar.finish_and_clear();
    match result {
        Ok((report, input_errors)) => {
            if !args.quiet {
                let d = &report.documents;
                let mut reasons: Vec<String> = report
                    .rejected
                    .iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect();
                if reasons.is_empty() {
                    reasons.push("none".into());
                }
                eprintln!(
                    "chaff: {} documents in, {} kept, {} rejected ({}); {:.1} MB in, {:.1} MB out; {:.2}s, {:.1} MB/s",
                    d.input,
                    d.kept,
                    d.rejected,
                    reasons.join(", "),
                    report.bytes.input as f64 / 1e6,
                    report.bytes.out as f64 / 1e6,
                    report.timings.wall,
                    report.throughput.mb_per_s
                );
            }
            if input_errors > 0 {
                EXIT_PARTIAL
            } else {
                EXIT_OK
            }
        }
        Err(e) => {
            if is_broken_pipe(&e) {
                return EXIT_OK; // the reader of our stdout went away: end quietly
            }
            eprintln!("chaff: {:#}", e.context("run failed"));
            EXIT_PARTIAL
        }
    }
}

fn default_threads(t: Option<usize>) -> usize {
    t.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

fn shard(stage: ShardStage) -> i32 {
    use chaff::shard::{self, Plan, store};
    let mut log = |m: &str| eprintln!("chaff: {m}");
    // Usage errors (no plan, a task that does not exist) exit 2 before any work;
    // a task that fails exits 1 and leaves no done marker, so a relaunch reruns it.
    let task = |args: &TaskArgs, stage: &str| -> Result<(store::LocalDir, usize, usize), i32> {
        if args.threads == Some(0) {
            return Err(usage_error(&anyhow::anyhow!(
                "--threads must be at least 1"
            )));
        }
        let store = store::LocalDir::new(&args.work);
        let plan = Plan::load(&store).map_err(|e| usage_error(&e))?;
        let count = if stage == "bands" {
            plan.band_tasks
        } else {
            plan.shards
        };
        let i =
            shard::task_index(args.shard.as_deref(), count, stage).map_err(|e| usage_error(&e))?;
        Ok((store, i, default_threads(args.threads)))
    };
    let done = |r: anyhow::Result<()>| match r {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("chaff: {e:#}");
            EXIT_PARTIAL
        }
    };
    match stage {
        ShardStage::Plan(args) => match make_plan(&args) {
            Ok(_) => EXIT_OK,
            Err(code) => code,
        },
        ShardStage::Count(a) => match task(&a, "count") {
            Ok((s, i, j)) => done(shard::count(&s, i, j, a.force, &mut log)),
            Err(code) => code,
        },
        ShardStage::Prepare(a) => match task(&a, "prepare") {
            Ok((s, i, j)) => done(shard::prepare(&s, i, j, a.force, &mut log)),
            Err(code) => code,
        },
        ShardStage::Bands(a) => match task(&a, "bands") {
            Ok((s, i, _)) => done(shard::bands(&s, i, a.force, &mut log)),
            Err(code) => code,
        },
        ShardStage::Apply(a) => match task(&a, "apply") {
            Ok((s, i, _)) => done(shard::apply(&s, i, a.force, &mut log)),
            Err(code) => code,
        },
        ShardStage::MergeCounts(a) => {
            let s = store::LocalDir::new(&a.work);
            done(shard::merge_counts(&s, a.force, &mut log))
        }
        ShardStage::Decide(a) => {
            let s = store::LocalDir::new(&a.work);
            done(shard::decide(&s, a.force, &mut log))
        }
        ShardStage::MergeReport(a) => merge_report(&a.work, a.out.as_deref(), a.quiet),
        ShardStage::Status(a) => {
            let s = store::LocalDir::new(&a.work);
            let plan = match Plan::load(&s) {
                Ok(p) => p,
                Err(e) => return usage_error(&e),
            };
            let mut missing = 0;
            for (stage, names) in shard::tasks(&plan) {
                let (done, todo): (Vec<_>, Vec<_>) =
                    names.iter().partition(|n| store::Task::is_done(&s, n));
                missing += todo.len();
                let todo: Vec<&str> = todo.iter().map(|s| s.as_str()).collect();
                println!(
                    "{stage}: {}/{} done{}",
                    done.len(),
                    names.len(),
                    if todo.is_empty() {
                        String::new()
                    } else {
                        format!("; missing {}", todo.join(" "))
                    }
                );
            }
            if missing == 0 { EXIT_OK } else { EXIT_PARTIAL }
        }
        ShardStage::Run(a) => {
            let (store, plan) = match make_plan(&a.plan) {
                Ok(p) => p,
                Err(code) => return code,
            };
            let j = default_threads(a.threads);
            let mut run = || -> anyhow::Result<()> {
                for i in 0..plan.shards {
                    shard::count(&store, i, j, false, &mut log)?;
                }
                shard::merge_counts(&store, false, &mut log)?;
                for i in 0..plan.shards {
                    shard::prepare(&store, i, j, false, &mut log)?;
                }
                for i in 0..plan.band_tasks {
                    shard::bands(&store, i, false, &mut log)?;
                }
                shard::decide(&store, false, &mut log)?;
                for i in 0..plan.shards {
                    shard::apply(&store, i, false, &mut log)?;
                }
                Ok(())
            };
            match run() {
                Ok(()) => merge_report(&a.plan.work, Some(&a.out), a.quiet),
                Err(e) => {
                    eprintln!("chaff: {e:#}");
                    EXIT_PARTIAL
                }
            }
        }
    }
}

fn make_plan(args: &PlanArgs) -> Result<(chaff::shard::store::LocalDir, chaff::shard::Plan), i32> {
    use chaff::shard::{Plan, store};
    let cfg = args.settings.resolve().map_err(|e| usage_error(&e))?;
    let discovery = discover(&args.inputs).map_err(|e| usage_error(&anyhow::anyhow!(e)))?;
    let plan =
        Plan::new(discovery, &cfg, args.shards, args.band_tasks).map_err(|e| usage_error(&e))?;
    let store = store::local(&args.work).map_err(|e| usage_error(&e))?;
    plan.save(&store).map_err(|e| usage_error(&e))?;
    Ok((store, plan))
}

fn merge_report(work: &std::path::Path, out: Option<&std::path::Path>, quiet: bool) -> i32 {
    let store = chaff::shard::store::LocalDir::new(work);
    match chaff::shard::merge_report(&store, out) {
        Ok((report, errors, messages)) => {
            for m in &messages {
                eprintln!("chaff: {m}");
            }
            if !quiet {
                let d = &report.documents;
                eprintln!(
                    "chaff: {} documents in, {} kept, {} rejected; {:.1} MB in, {:.1} MB out",
                    d.input,
                    d.kept,
                    d.rejected,
                    report.bytes.input as f64 / 1e6,
                    report.bytes.out as f64 / 1e6,
                );
            }
            if errors > 0 { EXIT_PARTIAL } else { EXIT_OK }
        }
        Err(e) => {
            eprintln!("chaff: {e:#}");
            EXIT_PARTIAL
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn progress_bar(quiet: bool, total: Option<u64>) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t).with_style(
            ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
