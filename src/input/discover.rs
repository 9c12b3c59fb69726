//! Turns the command-line inputs into an ordered list of files. Directories are walked
//! recursively and their files sorted by path, so a run is reproducible whatever the
//! file system's listing order. Symlinked directories are not followed (no loops);
//! FIFOs, sockets and devices inside directories are skipped and reported.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How a file's bytes become documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// One document per file.
    Text,
    /// One JSON object per line.
    Jsonl(Compression),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Where a file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    Path(PathBuf),
    Stdin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub origin: Origin,
    /// The path as shown in records and messages (`-` for stdin).
    pub display: String,
    pub format: Format,
    /// Size on disk when known (for progress and ETA).
    pub size: Option<u64>,
}

/// Something met while walking that is not read, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub why: String,
    /// True when this is a failure (an unreadable directory, an input that holds no
    /// readable file), false for files that are simply not inputs.
    pub error: bool,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<InputFile>,
    pub skipped: Vec<Skipped>,
}

impl Discovery {
    pub fn total_size(&self) -> Option<u64> {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The format a file name implies, if it is an input format at all.
pub fn format_of(name: &str) -> Option<Format> {
    if name.ends_with(".jsonl") {
        Some(Format::Jsonl(Compression::None))
    } else if name.ends_with(".jsonl.gz") {
        Some(Format::Jsonl(Compression::Gzip))
    } else if name.ends_with(".jsonl.zst") {
        Some(Format::Jsonl(Compression::Zstd))
    } else if name.ends_with(".txt") {
        Some(Format::Text)
    } else {
        None
    }
}

/// Lists the files of `inputs` in order. A path that does not exist is an error
/// (a usage error: nothing has been read yet).
pub fn discover(inputs: &[String]) -> Result<Discovery, String> {
    let mut d = Discovery::default();
    for input in inputs {
        if input == "-" {
            d.files.push(InputFile {
                origin: Origin::Stdin,
                display: "-".into(),
                format: Format::Jsonl(Compression::None),
                size: None,
            });
            continue;
        }
        let path = Path::new(input);
        let meta = fs::metadata(path).map_err(|e| format!("{input}: {e}"))?;
        if meta.is_dir() {
            let before = d.files.len();
            walk(path, &mut d);
            if d.files.len() == before {
                d.skipped.push(Skipped {
                    path: input.clone(),
                    why: "no input files (*.txt, *.jsonl, *.jsonl.gz, *.jsonl.zst) here".into(),
                    error: true,
                });
            }
        } else {
            // A file named on the command line is read whatever its type (a FIFO too);
            // its name only picks the format, and anything unknown is text.
            d.files.push(InputFile {
                origin: Origin::Path(path.to_path_buf()),
                display: input.clone(),
                format: format_of(input).unwrap_or(Format::Text),
                size: meta.is_file().then_some(meta.len()),
            });
        }
    }
    Ok(d)
}

fn walk(dir: &Path, d: &mut Discovery) {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| match e {
                Ok(e) => Some(e.path()),
                Err(err) => {
                    d.skipped.push(Skipped {
                        path: dir.display().to_string(),
                        why: format!("cannot list entry: {err}"),
                        error: true,
                    });
                    None
                }
            })
            .collect(),
        Err(err) => {
            d.skipped.push(Skipped {
                path: dir.display().to_string(),
                why: format!("cannot list directory: {err}"),
                error: true,
            });
            return;
        }
    };
    entries.sort();
    for path in entries {
        let display = path.display().to_string();
        let link = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(err) => {
                // Listed a moment ago, gone now: reported, not fatal.
                d.skipped.push(Skipped {
                    path: display,
                    why: err.to_string(),
                    error: true,
                });
                continue;
            }
        };
        let is_link = link.file_type().is_symlink();
        let meta = if is_link {
            match fs::metadata(&path) {
                Ok(m) => m,
                Err(err) => {
                    d.skipped.push(Skipped {
                        path: display,
                        why: format!("broken symlink: {err}"),
                        error: false,
                    });
                    continue;
                }
            }
        } else {
            link
        };
        if meta.is_dir() {
            if is_link {
                d.skipped.push(Skipped {
                    path: display,
                    why: "symlink to a directory, not followed".into(),
                    error: false,
                });
            } else {
                walk(&path, d);
            }
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(format) = format_of(name) else {
            if !name.starts_with('.') {
                d.skipped.push(Skipped {
                    path: display,
                    why: "not an input format".into(),
                    error: false,
                });
            }
            continue;
        };
        if !meta.is_file() {
            d.skipped.push(Skipped {
                path: display,
                why: "not a regular file".into(),
                error: false,
            });
            continue;
        }
        d.files.push(InputFile {
            origin: Origin::Path(path),
            display,
            format,
            size: Some(meta.len()),
        });
    }
}
