//! `chaff`: parse arguments, run, map the outcome to an exit code.

mod alloc;
mod cli;

use clap::Parser;

/// Small blocks from mimalloc, large ones from the system allocator: see `alloc`.
#[global_allocator]
static GLOBAL: alloc::Split = alloc::Split;

fn main() {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                cli::EXIT_USAGE
            } else {
                cli::EXIT_OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    std::process::exit(cli::run(cli));
}
