//! LSH banding over MinHash signatures: `bands` bands of `rows` slots each; two items
//! become candidates when any band agrees. Candidates are only that: the index
//! verifies every one on the real shingle sets.
//!
//! Layout, chosen to stay small: per band a [`BandTable`] (8 bytes an item plus 2 to 4
//! bytes of bucket heads), so an item costs about `bands × 11` bytes.

use std::hash::Hasher;

use super::band::BandTable;

/// Band keys are already hashes: the map uses them as they are.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u32(&mut self, n: u32) {
        // Spread the key over the high bits too, which hashbrown uses for its tags.
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub struct Lsh {
    bands: usize,
    rows: usize,
    tables: Vec<BandTable>,
    len: u32,
}

impl Lsh {
    pub fn new(bands: usize, rows: usize) -> Lsh {
        Lsh {
            bands,
            rows,
            tables: (0..bands).map(|_| BandTable::default()).collect(),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn bands(&self) -> usize {
        self.bands
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn key(&self, sig: &[u32], band: usize) -> u32 {
        band_key(sig, self.rows, band)
    }

    /// Adds an item and returns its id (0, 1, 2, … in insertion order).
    pub fn insert(&mut self, sig: &[u32]) -> u32 {
        self.insert_where(sig, |_| true)
    }

    /// Adds an item to the bands `band` says yes to only: a band whose bucket holds
    /// no other item can never yield a candidate (a sharded run knows these).
    pub fn insert_where(&mut self, sig: &[u32], band: impl Fn(usize) -> bool) -> u32 {
        let id = self.len;
        for b in 0..self.bands {
            if band(b) {
                let key = self.key(sig, b);
                self.tables[b].insert(key, id);
            } else {
                self.tables[b].skip(id);
            }
        }
        self.len += 1;
        id
    }

    /// Appends every item sharing a band with `sig` to `out`, sorted and deduplicated.
    pub fn candidates(&self, sig: &[u32], out: &mut Vec<u32>) {
        self.candidates_where(sig, |_| true, out)
    }

    /// The same, looking only in the bands `band` says yes to.
    pub fn candidates_where(&self, sig: &[u32], band: impl Fn(usize) -> bool, out: &mut Vec<u32>) {
        out.clear();
        for b in (0..self.bands).filter(|&b| band(b)) {
            self.tables[b].extend_with(self.key(sig, b), out);
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.tables.iter().map(BandTable::heap_bytes).sum()
    }
}

/// The 32-bit bucket key of band `band` of a signature banded `rows` slots a band.
pub fn band_key(sig: &[u32], rows: usize, band: usize) -> u32 {
    let rows = &sig[band * rows..(band + 1) * rows];
    let mut h = 0xCBF2_9CE4_8422_2325_u64 ^ band as u64;
    for &r in rows {
        h = (h ^ r as u64).wrapping_mul(0x0000_0100_0000_01B3);
        h ^= h >> 29;
    }
    (h ^ (h >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shared_band_makes_a_candidate() {
        let mut l = Lsh::new(4, 2);
        let a = l.insert(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let b = l.insert(&[9, 9, 9, 9, 5, 6, 9, 9]);
        let _c = l.insert(&[0, 0, 0, 0, 0, 0, 0, 0]);
        let mut out = Vec::new();
        l.candidates(&[1, 2, 7, 7, 5, 6, 7, 7], &mut out);
        assert_eq!(out, [a, b]);
        l.candidates(&[3, 3, 3, 3, 3, 3, 3, 3], &mut out);
        assert!(out.is_empty());
    }
}
