//! The index's store of shingle sets: sorted 32-bit shingles, set after set, append
//! only. It is the largest part of the index (about 2 KB per kept document), and only
//! candidates are ever read back, a few per document, so once it passes a size it
//! moves to an anonymous temporary file and keeps in memory only its chunk being
//! filled and the table saying where each set lies.
//!
//! Sets go into fixed-size chunks (no doubling slack). A full chunk is sealed: kept in
//! memory while the arena is below `spill_after` bytes, written to the file after
//! that. Chunks are written without their unused tail, one after the other, so sets
//! that follow each other (a document's lines) lie next to each other in the file and
//! come back in one read.
//!
//! Candidates recur: on a generated corpus, 4 million paragraph candidates were
//! 240 thousand distinct sets, most read again within a few hundred thousand reads (a
//! family of wire paragraphs is a candidate for each new member). So sets read from
//! the file are kept in a small cache (two generations: a set read again moves to
//! the young one; when the young one is full, the old one is dropped), which saves
//! most of the reads and their system calls.
//!
//! Errors: `push` and `get` keep the index's infallible signatures. An I/O error is
//! kept (the first one) and the caller takes it with [`Arena::take_error`]; a chunk
//! that could not be written stays in memory, and a set that could not be read is
//! reported as missing, so the run can stop with the error instead of a panic.

use std::collections::HashMap;
use std::fs::File;
use std::hash::BuildHasherDefault;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use super::lsh::KeyHasher;

/// Shingles per chunk: 1 MiB.
const CHUNK: usize = 1 << 18;

/// Where and when the arena spills.
#[derive(Debug, Clone, Default)]
pub struct SpillOptions {
    /// Bytes of sealed chunks kept in memory before later chunks go to the file;
    /// `None` never spills.
    pub after_bytes: Option<u64>,
    /// Directory of the temporary file; `None` is the system's (`TMPDIR`).
    pub dir: Option<PathBuf>,
    /// Bytes of sets read back from the file kept for the next reads.
    pub cache_bytes: usize,
}

type SetMap = HashMap<u32, Box<[u32]>, BuildHasherDefault<KeyHasher>>;

/// Sets read from the file, by number: two generations of at most `budget / 2`
/// bytes each, so memory stays bounded and sets in use stay.
struct Cache {
    young: SetMap,
    old: SetMap,
    young_bytes: usize,
    budget: usize,
}

impl Cache {
    /// What a set costs here: its shingles, the map slot and the allocation.
    fn cost(set: &[u32]) -> usize {
        set.len() * 4 + 48
    }

    fn get(&mut self, i: u32) -> Option<&[u32]> {
        if !self.young.contains_key(&i) {
            let set = self.old.remove(&i)?;
            self.insert(i, set);
        }
        self.young.get(&i).map(|s| &s[..])
    }

    fn insert(&mut self, i: u32, set: Box<[u32]>) {
        let cost = Cache::cost(&set);
        if self.young_bytes + cost > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += cost;
        self.young.insert(i, set);
    }

    fn heap_bytes(&self) -> usize {
        let old: usize = self.old.values().map(|s| Cache::cost(s)).sum();
        self.young_bytes + old
    }
}

enum Chunk {
    Memory(Vec<u32>),
    /// Byte offset in the spill file; the length is known from the sets.
    File(u64),
}

pub struct Arena {
    sealed: Vec<Chunk>,
    /// The chunk being filled; its index is `sealed.len()`.
    tail: Vec<u32>,
    /// Per set: (chunk, start, len), in shingles.
    sets: Vec<(u32, u32, u32)>,
    options: SpillOptions,
    memory_bytes: u64,
    file: Option<File>,
    file_bytes: u64,
    /// Read scratch: bytes from the file, and the set decoded from them.
    bytes: Vec<u8>,
    buf: Vec<u32>,
    cache: Cache,
    error: Option<io::Error>,
    /// Shingles per chunk (`CHUNK`; smaller in tests).
    chunk: usize,
}

impl Arena {
    pub fn new(options: SpillOptions) -> Arena {
        let budget = options.cache_bytes;
        Arena {
            sealed: Vec::new(),
            tail: Vec::new(),
            sets: Vec::new(),
            options,
            memory_bytes: 0,
            file: None,
            file_bytes: 0,
            bytes: Vec::new(),
            buf: Vec::new(),
            cache: Cache {
                young: SetMap::default(),
                old: SetMap::default(),
                young_bytes: 0,
                budget,
            },
            error: None,
            chunk: CHUNK,
        }
    }

    /// Smaller chunks, so that tests spill after a few sets.
    #[cfg(test)]
    pub fn with_chunk(mut self, shingles: usize) -> Arena {
        self.chunk = shingles;
        self
    }

    /// Shingles in set `i`, known without reading it.
    pub fn set_len(&self, i: u32) -> usize {
        self.sets[i as usize].2 as usize
    }

    /// Number of sets stored.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Stores a set and returns its number (0, 1, 2, … in order).
    pub fn push(&mut self, set: &[u32]) -> u32 {
        if self.tail.capacity() - self.tail.len() < set.len() {
            if !self.tail.is_empty() {
                self.seal();
            }
            self.tail = Vec::with_capacity(self.chunk.max(set.len()));
        }
        let start = self.tail.len();
        self.tail.extend_from_slice(set);
        self.sets
            .push((self.sealed.len() as u32, start as u32, set.len() as u32));
        (self.sets.len() - 1) as u32
    }

    fn seal(&mut self) {
        let chunk = std::mem::take(&mut self.tail);
        let spill = self
            .options
            .after_bytes
            .is_some_and(|after| self.memory_bytes + (chunk.capacity() * 4) as u64 > after);
        if spill && self.error.is_none() {
            match self.write(&chunk) {
                Ok(offset) => {
                    self.sealed.push(Chunk::File(offset));
                    return;
                }
                Err(e) => self.error = Some(e),
            }
        }
        self.memory_bytes += (chunk.capacity() * 4) as u64;
        self.sealed.push(Chunk::Memory(chunk));
    }

    /// Appends a chunk's shingles to the file; returns where they start.
    fn write(&mut self, chunk: &[u32]) -> io::Result<u64> {
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let f = match &self.options.dir {
                    Some(dir) => tempfile::tempfile_in(dir),
                    None => tempfile::tempfile(),
                }
                .map_err(|e| with_context(e, "dedup: cannot create the spill file"))?;
                self.file.insert(f)
            }
        };
        self.bytes.clear();
        self.bytes
            .extend(chunk.iter().flat_map(|s| s.to_ne_bytes()));
        let offset = self.file_bytes;
        file.write_all_at(&self.bytes, offset)
            .map_err(|e| with_context(e, "dedup: cannot write the spill file"))?;
        self.file_bytes += self.bytes.len() as u64;
        Ok(offset)
    }

    /// Set `i`, or `None` if it could not be read (the error is kept).
    pub fn get(&mut self, i: u32) -> Option<&[u32]> {
        if self.file_offset(i).is_some() {
            if self.cache.get(i).is_none() {
                let mut buf = std::mem::take(&mut self.buf);
                buf.clear();
                let read = self.extend_with(i..i + 1, &mut buf);
                if read {
                    self.cache.insert(i, buf[..].into());
                }
                self.buf = buf;
                if !read {
                    return None;
                }
            }
            return self.cache.get(i);
        }
        let (c, s, n) = self.sets[i as usize];
        let (s, n) = (s as usize, n as usize);
        match self.sealed.get(c as usize) {
            Some(Chunk::Memory(chunk)) => Some(&chunk[s..s + n]),
            _ => Some(&self.tail[s..s + n]),
        }
    }

    /// Appends the shingles of sets `range`, one after the other, to `out`. Returns
    /// false if some could not be read (the error is kept).
    pub fn extend_with(&mut self, range: Range<u32>, out: &mut Vec<u32>) -> bool {
        let mut i = range.start;
        while i < range.end {
            let Some(offset) = self.file_offset(i) else {
                let (c, s, n) = self.sets[i as usize];
                let chunk = match self.sealed.get(c as usize) {
                    Some(Chunk::Memory(chunk)) => chunk,
                    _ => &self.tail,
                };
                out.extend_from_slice(&chunk[s as usize..(s + n) as usize]);
                i += 1;
                continue;
            };
            // Sets that continue where this one ends come back in the same read.
            let mut end = offset + self.sets[i as usize].2 as u64 * 4;
            i += 1;
            while i < range.end && self.file_offset(i) == Some(end) {
                end += self.sets[i as usize].2 as u64 * 4;
                i += 1;
            }
            if let Err(e) = self.read(offset, end, out) {
                self.error.get_or_insert(e);
                return false;
            }
        }
        true
    }

    fn file_offset(&self, i: u32) -> Option<u64> {
        let (c, s, _) = self.sets[i as usize];
        match self.sealed.get(c as usize) {
            Some(Chunk::File(offset)) => Some(offset + s as u64 * 4),
            _ => None,
        }
    }

    fn read(&mut self, start: u64, end: u64, out: &mut Vec<u32>) -> io::Result<()> {
        let file = self
            .file
            .as_ref()
            .ok_or_else(|| io::Error::other("dedup: a spilled shingle set has no spill file"))?;
        self.bytes.resize((end - start) as usize, 0);
        file.read_exact_at(&mut self.bytes, start)
            .map_err(|e| with_context(e, "dedup: cannot read the spill file"))?;
        out.extend(
            self.bytes
                .chunks_exact(4)
                .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        );
        Ok(())
    }

    /// The first I/O error since the last call, if any.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// Bytes held in memory: chunks, the set table and the read scratch.
    pub fn heap_bytes(&self) -> usize {
        let chunks: usize = self
            .sealed
            .iter()
            .map(|c| match c {
                Chunk::Memory(v) => v.capacity() * 4,
                Chunk::File(_) => 0,
            })
            .sum();
        chunks
            + self.tail.capacity() * 4
            + self.sealed.capacity() * std::mem::size_of::<Chunk>()
            + self.sets.capacity() * 12
            + self.bytes.capacity()
            + self.buf.capacity() * 4
            + self.cache.heap_bytes()
    }

    /// Bytes written to the spill file.
    pub fn spilled_bytes(&self) -> u64 {
        self.file_bytes
    }
}

fn with_context(e: io::Error, what: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets of varied sizes, some larger than a chunk, some empty.
    fn sets() -> Vec<Vec<u32>> {
        let mut seed = 7u32;
        (0..600)
            .map(|i| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let n = match i % 97 {
                    0 => CHUNK + 1 + (seed as usize % 1000),
                    1 => 0,
                    _ => seed as usize % 3000,
                };
                (0..n as u32).map(|k| k.wrapping_mul(seed) ^ i).collect()
            })
            .collect()
    }

    fn filled(options: SpillOptions) -> Arena {
        let mut a = Arena::new(options);
        for (i, s) in sets().iter().enumerate() {
            assert_eq!(a.push(s), i as u32);
        }
        a
    }

    fn spill_at(after: u64) -> SpillOptions {
        SpillOptions {
            after_bytes: Some(after),
            dir: None,
            cache_bytes: 1 << 20,
        }
    }

    #[test]
    fn spilled_and_in_memory_arenas_give_the_same_sets() {
        let expected = sets();
        let mut memory = filled(SpillOptions::default());
        assert_eq!(memory.spilled_bytes(), 0);
        for after in [0, 3 << 20] {
            let mut spilled = filled(spill_at(after));
            assert!(spilled.spilled_bytes() > 0, "after {after}");
            assert!(
                spilled.heap_bytes() < memory.heap_bytes() / 2,
                "after {after}"
            );
            for (i, set) in expected.iter().enumerate() {
                let i = i as u32;
                assert_eq!(spilled.get(i), Some(&set[..]), "set {i}");
                assert_eq!(memory.get(i), Some(&set[..]), "set {i}");
            }
            assert!(spilled.take_error().is_none());
        }
    }

    #[test]
    fn ranges_come_back_whole_across_chunks_and_storage() {
        let expected = sets();
        let mut a = filled(spill_at(2 << 20));
        // Ranges crossing memory chunks, file chunks and the tail.
        let n = expected.len() as u32;
        for range in [0..n, 0..1, 5..250, 96..99, n - 3..n, 40..40] {
            let mut out = vec![42];
            assert!(a.extend_with(range.clone(), &mut out));
            let want: Vec<u32> = std::iter::once(42)
                .chain(expected[range.start as usize..range.end as usize].concat())
                .collect();
            assert_eq!(out, want, "{range:?}");
        }
    }

    #[test]
    fn the_cache_stays_within_its_budget_and_keeps_sets_in_use() {
        let expected = sets();
        let mut a = filled(spill_at(0));
        a.cache.budget = 64 << 10;
        let largest = expected.iter().map(|s| Cache::cost(s)).max().unwrap_or(0);
        for round in 0..3 {
            for (i, set) in expected.iter().enumerate() {
                assert_eq!(a.get(i as u32), Some(&set[..]), "round {round}, set {i}");
                // A small set read again and again stays cached, however many others
                // pass through.
                assert_eq!(a.get(2), Some(&expected[2][..]));
                assert!(a.cache.young.contains_key(&2));
                assert!(a.cache.heap_bytes() <= a.cache.budget + 2 * largest);
            }
        }
        assert!(a.take_error().is_none());
    }

    #[test]
    fn a_set_larger_than_a_chunk_is_stored_whole() {
        let big: Vec<u32> = (0..(CHUNK as u32) * 2 + 3).collect();
        let mut a = Arena::new(spill_at(0));
        a.push(&[1, 2, 3]);
        a.push(&big);
        a.push(&[4]);
        a.push(&[5, 6]);
        assert_eq!(a.get(1), Some(&big[..]));
        assert_eq!(a.set_len(1), big.len());
        assert_eq!(a.get(0), Some(&[1, 2, 3][..]));
        assert_eq!(a.get(2), Some(&[4][..]));
        assert_eq!(a.get(3), Some(&[5, 6][..]));
    }

    #[test]
    fn read_errors_are_kept_not_panics() {
        let mut a = filled(spill_at(0));
        // Replace the spill file by an empty one: every read of it now fails.
        a.file = Some(tempfile::tempfile().expect("tempfile"));
        assert_eq!(a.get(0), None);
        let e = a.take_error().expect("an error");
        assert!(e.to_string().contains("cannot read the spill file"), "{e}");
        assert!(a.take_error().is_none());
        let mut out = Vec::new();
        assert!(!a.extend_with(0..3, &mut out));
        assert!(a.take_error().is_some());
        // The chunk being filled is still in memory and readable.
        let last = sets().len() as u32 - 1;
        assert_eq!(a.get(last), Some(&sets()[last as usize][..]));
    }

    #[test]
    fn write_errors_keep_the_chunk_in_memory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing");
        let mut a = filled(SpillOptions {
            after_bytes: Some(0),
            dir: Some(missing),
            cache_bytes: 1 << 20,
        });
        let e = a.take_error().expect("an error");
        assert!(
            e.to_string().contains("cannot create the spill file"),
            "{e}"
        );
        assert_eq!(a.spilled_bytes(), 0);
        for (i, set) in sets().iter().enumerate() {
            assert_eq!(a.get(i as u32), Some(&set[..]));
        }
    }
}
