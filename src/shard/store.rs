//! The work directory of a sharded run, behind one small trait so that object storage
//! can come later, and the task bookkeeping on top of it: every output is written
//! under a temporary name, checksummed (xxh3-64) while written, published by rename,
//! and listed with its size and checksum in the task's done marker. A reader checks
//! both as it reads, so a partial or corrupt intermediate is an error that names the
//! task to rerun, never silently trusted.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

/// Named files under one root. Names are relative paths with `/` separators.
pub trait Store: Send + Sync {
    /// A writer whose bytes become visible under `name` only after [`Store::publish`].
    fn create(&self, name: &str) -> anyhow::Result<Box<dyn Write + Send>>;
    /// Makes what was written for `name` visible, atomically.
    fn publish(&self, name: &str) -> anyhow::Result<()>;
    fn open(&self, name: &str) -> anyhow::Result<Box<dyn Read + Send>>;
    fn exists(&self, name: &str) -> bool;
    /// Removes `name`; a missing one is not an error.
    fn remove(&self, name: &str) -> anyhow::Result<()>;
    /// Where `name` lives, for messages.
    fn describe(&self, name: &str) -> String;
}

/// A local (or network-mounted) directory.
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    pub fn new(root: impl Into<PathBuf>) -> LocalDir {
        LocalDir { root: root.into() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Per process: two attempts of one task running at once (a scheduler's retry
    /// or speculative copy) never write into the same file. Both write the same bytes,
    /// so whichever rename comes last leaves a correct output.
    fn temporary(&self, name: &str) -> PathBuf {
        let mut p = self.path(name).into_os_string();
        p.push(format!(".partial.{}", std::process::id()));
        PathBuf::from(p)
    }
}

impl Store for LocalDir {
    fn create(&self, name: &str) -> anyhow::Result<Box<dyn Write + Send>> {
        let tmp = self.temporary(name);
        if let Some(dir) = tmp.parent() {
            fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create directory", dir.display()))?;
        }
        let f = File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        Ok(Box::new(BufWriter::with_capacity(1 << 20, f)))
    }

    fn publish(&self, name: &str) -> anyhow::Result<()> {
        let to = self.path(name);
        fs::rename(self.temporary(name), &to)
            .with_context(|| format!("{}: cannot rename into place", to.display()))
    }

    fn open(&self, name: &str) -> anyhow::Result<Box<dyn Read + Send>> {
        let p = self.path(name);
        let f = File::open(&p).with_context(|| format!("{}: cannot open", p.display()))?;
        Ok(Box::new(io::BufReader::with_capacity(1 << 20, f)))
    }

    fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    fn remove(&self, name: &str) -> anyhow::Result<()> {
        match fs::remove_file(self.path(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(e).with_context(|| self.describe(name))
            }
            _ => Ok(()),
        }
    }

    fn describe(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

/// Size and checksum of one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sum {
    pub bytes: u64,
    pub xxh3: String,
}

/// A task's done marker: the outputs it published.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Done {
    outputs: BTreeMap<String, Sum>,
}

fn marker(task: &str) -> String {
    format!("done/{task}.json")
}

/// One task's outputs, published one by one and vouched for by the done marker that
/// [`Task::finish`] writes last.
pub struct Task<'a> {
    store: &'a dyn Store,
    name: String,
    done: Done,
}

/// An output being written: counts and hashes what passes through.
pub struct Output {
    name: String,
    inner: Box<dyn Write + Send>,
    hash: Xxh3,
    bytes: u64,
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<'a> Task<'a> {
    /// Starts a task: its old done marker, if any, goes first, so a task that fails
    /// half-way never looks done.
    pub fn new(store: &'a dyn Store, name: impl Into<String>) -> anyhow::Result<Task<'a>> {
        let name = name.into();
        store.remove(&marker(&name))?;
        Ok(Task {
            store,
            name,
            done: Done::default(),
        })
    }

    /// True when the task's marker exists and every output it lists is there with
    /// the recorded size and checksum: a relaunch can skip it.
    pub fn is_done(store: &dyn Store, task: &str) -> bool {
        let Ok(done) = read_marker(store, task) else {
            return false;
        };
        done.outputs.iter().all(|(name, sum)| {
            store
                .open(name)
                .and_then(|r| sum_of(r).map_err(anyhow::Error::from))
                .is_ok_and(|s| &s == sum)
        })
    }

    pub fn create(&self, name: &str) -> anyhow::Result<Output> {
        Ok(Output {
            name: name.to_string(),
            inner: self.store.create(name)?,
            hash: Xxh3::new(),
            bytes: 0,
        })
    }

    /// Flushes and publishes an output.
    pub fn close(&mut self, mut out: Output) -> anyhow::Result<()> {
        out.inner
            .flush()
            .with_context(|| self.store.describe(&out.name))?;
        drop(out.inner);
        self.store.publish(&out.name)?;
        self.done.outputs.insert(
            out.name,
            Sum {
                bytes: out.bytes,
                xxh3: format!("{:016x}", out.hash.digest()),
            },
        );
        Ok(())
    }

    /// Writes a whole output at once.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut out = self.create(name)?;
        out.write_all(bytes)
            .with_context(|| self.store.describe(name))?;
        self.close(out)
    }

    /// Writes the done marker: from now on the task counts as complete.
    pub fn finish(self) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(&self.done)?;
        let name = marker(&self.name);
        let mut w = self.store.create(&name)?;
        w.write_all(&json)
            .and_then(|()| w.flush())
            .with_context(|| self.store.describe(&name))?;
        drop(w);
        self.store.publish(&name)
    }
}

fn read_marker(store: &dyn Store, task: &str) -> anyhow::Result<Done> {
    let name = marker(task);
    let mut bytes = Vec::new();
    store
        .open(&name)?
        .read_to_end(&mut bytes)
        .with_context(|| store.describe(&name))?;
    serde_json::from_slice(&bytes).with_context(|| store.describe(&name))
}

fn sum_of(mut r: impl Read) -> io::Result<Sum> {
    let mut hash = Xxh3::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(Sum {
        bytes,
        xxh3: format!("{:016x}", hash.digest()),
    })
}

/// Opens an output of `task` for reading, checked against the task's done marker:
/// reading past the end fails if the size or checksum differ.
pub fn open_checked(store: &dyn Store, task: &str, name: &str) -> anyhow::Result<CheckedReader> {
    let done = read_marker(store, task)
        .with_context(|| format!("task {task} has not finished (no done marker); run it first"))?;
    let Some(sum) = done.outputs.get(name).cloned() else {
        bail!("task {task} did not write {name}");
    };
    Ok(CheckedReader {
        inner: store.open(name)?,
        what: format!("{} (from task {task})", store.describe(name)),
        expect: sum,
        hash: Xxh3::new(),
        bytes: 0,
    })
}

/// Reads a whole checked output.
pub fn read_checked(store: &dyn Store, task: &str, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut r = open_checked(store, task, name)?;
    let mut out = Vec::new();
    r.read_to_end(&mut out)?;
    Ok(out)
}

pub struct CheckedReader {
    inner: Box<dyn Read + Send>,
    what: String,
    expect: Sum,
    hash: Xxh3,
    bytes: u64,
}

impl Read for CheckedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        let bad = if self.bytes > self.expect.bytes {
            Some(format!(
                "longer than the {} bytes recorded",
                self.expect.bytes
            ))
        } else if n == 0 && self.bytes < self.expect.bytes {
            Some(format!(
                "truncated: {} of {} bytes",
                self.bytes, self.expect.bytes
            ))
        } else if n == 0 && format!("{:016x}", self.hash.digest()) != self.expect.xxh3 {
            Some("checksum mismatch".to_string())
        } else {
            None
        };
        match bad {
            Some(why) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: corrupt intermediate, {why}; rerun that task",
                    self.what
                ),
            )),
            None => Ok(n),
        }
    }
}

/// Writes one length-prefixed frame.
pub fn write_frame(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame over 4 GiB"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(bytes)
}

/// Reads the next frame into `buf`; false at the end of the stream (which, for a
/// [`CheckedReader`], is also where the checksum is verified).
pub fn read_frame(r: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut len[got..])?;
        if n == 0 {
            if got == 0 {
                return Ok(false);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stream ends inside a frame header",
            ));
        }
        got += n;
    }
    buf.clear();
    buf.resize(u32::from_le_bytes(len) as usize, 0);
    r.read_exact(buf)?;
    Ok(true)
}

/// The root of a local work directory, created if missing.
pub fn local(work: &Path) -> anyhow::Result<LocalDir> {
    fs::create_dir_all(work).with_context(|| format!("{}: cannot create", work.display()))?;
    Ok(LocalDir::new(work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_checked_and_tasks_skippable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalDir::new(dir.path());
        assert!(!Task::is_done(&store, "t-0"));
        let mut t = Task::new(&store, "t-0").expect("starts");
        let mut out = t.create("a/x.bin").expect("create");
        for i in 0..1000u32 {
            write_frame(&mut out, &i.to_le_bytes()).expect("write");
        }
        t.close(out).expect("close");
        assert!(!Task::is_done(&store, "t-0"), "no marker yet");
        t.finish().expect("finish");
        assert!(Task::is_done(&store, "t-0"));

        let mut r = open_checked(&store, "t-0", "a/x.bin").expect("open");
        let (mut buf, mut n) = (Vec::new(), 0u32);
        while read_frame(&mut r, &mut buf).expect("reads") {
            assert_eq!(buf, n.to_le_bytes());
            n += 1;
        }
        assert_eq!(n, 1000);

        // One flipped byte: the reader fails at the end and the task is not done.
        let path = dir.path().join("a/x.bin");
        let mut bytes = fs::read(&path).expect("read");
        bytes[100] ^= 1;
        fs::write(&path, &bytes).expect("write");
        let e = read_checked(&store, "t-0", "a/x.bin").unwrap_err();
        assert!(format!("{e:#}").contains("checksum mismatch"), "{e:#}");
        assert!(!Task::is_done(&store, "t-0"));
        // Truncated.
        fs::write(&path, &bytes[..50]).expect("write");
        let e = read_checked(&store, "t-0", "a/x.bin").unwrap_err();
        assert!(format!("{e:#}").contains("truncated"), "{e:#}");
        // A task that never finished.
        let e = read_checked(&store, "t-1", "a/x.bin").unwrap_err();
        assert!(format!("{e:#}").contains("has not finished"), "{e:#}");
    }
}
