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
    /// Build one self-contained HTML page (no server, nothing fetched) from the outputs
    /// of `chaff clean --out DIR`: summary, removed spans by rule, filters, search.
    Review(ReviewArgs),
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
    /// TOML config; unknown keys are errors.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// JSONL field holding the text (overrides input.text_field).
    #[arg(long)]
    pub text_field: Option<String>,
    /// JSONL field holding the id (overrides input.id_field).
    #[arg(long)]
    pub id_field: Option<String>,
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
    let mut cfg = match load_config(args.config.as_ref()) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    if let Some(f) = args.text_field {
        cfg.input.text_field = f;
    }
    if let Some(f) = args.id_field {
        cfg.input.id_field = f;
    }
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
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });

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
