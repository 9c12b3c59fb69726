//! Where records go. With `--out DIR`, files are written as `*.partial` and renamed
//! only when the run completes, and `report.json` is written last: a directory
//! without a fresh `report.json` holds no complete run. With `--out -`, clean records
//! stream to stdout and rejected ones to an optional file.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

const BUF: usize = 1 << 20;

pub enum SinkTarget {
    Dir(PathBuf),
    Stdout { rejected: Option<PathBuf> },
}

pub struct Sink {
    clean: Box<dyn Write + Send>,
    rejected: Option<Box<dyn Write + Send>>,
    /// (temporary, final) names to rename at the end.
    renames: Vec<(PathBuf, PathBuf)>,
    report: Option<PathBuf>,
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn create(path: &Path) -> anyhow::Result<Box<dyn Write + Send>> {
    let f = File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    Ok(Box::new(BufWriter::with_capacity(BUF, f)))
}

impl Sink {
    pub fn open(target: &SinkTarget) -> anyhow::Result<Sink> {
        match target {
            SinkTarget::Dir(dir) => {
                fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create directory", dir.display()))?;
                let report = dir.join("report.json");
                let clean = dir.join("clean.jsonl");
                let rejected = dir.join("rejected.jsonl");
                // An old report would vouch for files this run is about to replace, and
                // old outputs next to this run's partial ones would look complete: all
                // go before any work starts (the report first).
                for old in [&report, &clean, &rejected] {
                    match fs::remove_file(old) {
                        Err(e) if e.kind() != io::ErrorKind::NotFound => {
                            return Err(e).with_context(|| format!("{}", old.display()));
                        }
                        _ => {}
                    }
                }
                Ok(Sink {
                    clean: create(&partial(&clean))?,
                    rejected: Some(create(&partial(&rejected))?),
                    renames: vec![(partial(&clean), clean), (partial(&rejected), rejected)],
                    report: Some(report),
                })
            }
            SinkTarget::Stdout { rejected } => {
                let (rejected, renames) = match rejected {
                    Some(p) => (Some(create(&partial(p))?), vec![(partial(p), p.clone())]),
                    None => (None, Vec::new()),
                };
                Ok(Sink {
                    clean: Box::new(BufWriter::with_capacity(BUF, io::stdout())),
                    rejected,
                    renames,
                    report: None,
                })
            }
        }
    }

    pub fn write_clean(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.clean.write_all(bytes)
    }

    pub fn write_rejected(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.rejected {
            Some(w) => w.write_all(bytes),
            None => Ok(()),
        }
    }

    /// Flushes, moves the files to their final names, then writes the report.
    pub fn finish(mut self, report_json: &[u8]) -> anyhow::Result<()> {
        self.clean.flush().context("writing clean records")?;
        if let Some(w) = &mut self.rejected {
            w.flush().context("writing rejected records")?;
        }
        drop(self.clean);
        drop(self.rejected);
        for (from, to) in &self.renames {
            fs::rename(from, to).with_context(|| format!("{}: cannot rename", to.display()))?;
        }
        if let Some(report) = &self.report {
            let tmp = partial(report);
            fs::write(&tmp, report_json).with_context(|| format!("{}", tmp.display()))?;
            fs::rename(&tmp, report).with_context(|| format!("{}", report.display()))?;
        }
        Ok(())
    }
}
