//! LSH banding over MinHash signatures: `bands` bands of `rows` slots each; two items
//! become candidates when any band agrees. Candidates are only that: the index
//! verifies every one on the real shingle sets.
//!
//! Layout, chosen to stay small: per band a [`BandTable`] (6 bytes an item plus 2 to 4
//! bytes of bucket heads, 4 more for an item of a crowded key), so an item costs
//! about `bands × 10` bytes.

use std::hash::Hasher;

use super::band::{BandTable, CROWDED, NONE};

/// For keys that are already hashes (band keys, `blocks`' stems): the map uses them as
/// they are, or after one multiply.
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
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
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
    /// A lookup may move a crowded key's items to a list of their own
    /// ([`super::band::CROWDED`]), which changes no later lookup's result.
    pub fn candidates(&mut self, sig: &[u32], out: &mut Vec<u32>) {
        self.candidates_where(sig, |_| true, out)
    }

    /// The same, looking only in the bands `band` says yes to.
    pub fn candidates_where(
        &mut self,
        sig: &[u32],
        band: impl Fn(usize) -> bool,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        // Each band's bucket and first entry are a cache miss or two on a large
        // index: start every band's loads before reading any of them.
        let mut keys = [(0u32, 0u32); 64];
        let mut n = 0;
        for b in (0..self.bands).filter(|&b| band(b)) {
            let key = self.key(sig, b);
            if n == keys.len() {
                if self.tables[b].extend_with(key, out) >= CROWDED {
                    self.tables[b].crowd(key);
                }
                continue;
            }
            self.tables[b].prefetch_bucket(key);
            keys[n] = (b as u32, key);
            n += 1;
        }
        let mut ids = [NONE; 64];
        for (&(b, key), id) in keys[..n].iter().zip(&mut ids) {
            *id = self.tables[b as usize].head(key, out);
        }
        // Then walk the chains a step in each band in turn: every step is a miss too.
        let mut found = [0usize; 64];
        let mut walking = n;
        while walking > 0 {
            walking = 0;
            for ((&(b, key), id), found) in keys[..n].iter().zip(&mut ids).zip(&mut found) {
                if *id != NONE {
                    let before = out.len();
                    *id = self.tables[b as usize].step(key, *id, out);
                    *found += out.len() - before;
                    walking += 1;
                }
            }
        }
        for (&(b, key), &found) in keys[..n].iter().zip(&found) {
            if found >= CROWDED {
                self.tables[b as usize].crowd(key);
            }
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

    #[test]
    fn lookups_that_crowd_a_key_find_the_same_items_after() {
        // Band 0 is the same for every item, band 1 for every third: both get crowded
        // by the first lookups, and the items added later must still be found.
        let mut l = Lsh::new(3, 1);
        let sig = |i: u32| [7, i % 3, 1000 + i];
        let mut out = Vec::new();
        for i in 0..300u32 {
            l.insert(&sig(i));
            l.candidates(&[7, 99, 99], &mut out);
            assert_eq!(out, (0..=i).collect::<Vec<_>>());
            l.candidates(&[8, 1, 99], &mut out);
            assert_eq!(out, (0..=i).filter(|j| j % 3 == 1).collect::<Vec<_>>());
            l.candidates(&[8, 99, 1000 + i / 2], &mut out);
            assert_eq!(out, [i / 2]);
        }
        let crowded: Vec<usize> = l.tables.iter().map(|t| t.crowded_keys()).collect();
        assert_eq!(
            crowded,
            [1, 1, 0],
            "the lookups moved the keys they found 32 times"
        );
    }

    proptest::proptest! {
        /// The batched, prefetching lookup finds exactly the items that share an
        /// allowed band key, also past the 64 bands it batches (the rest go one by one).
        #[test]
        fn candidates_are_the_items_sharing_an_allowed_band(
            bands in 1usize..80,
            query in proptest::collection::vec(proptest::num::u32::ANY, 80),
            // Each item agrees with the query in a band where its draw is 0: rarely,
            // so that some items agree only in the bands past the first 64.
            draws in proptest::collection::vec(proptest::collection::vec(0u32..20, 80), 0..40),
            skip in 0usize..5,
        ) {
            let allowed = |b: usize| skip == 0 || !b.is_multiple_of(skip);
            let items: Vec<Vec<u32>> = draws
                .iter()
                .map(|d| d.iter().zip(&query).map(|(&d, &q)| if d == 0 { q } else { q ^ d }).collect())
                .collect();
            let mut l = Lsh::new(bands, 1);
            for sig in &items {
                l.insert(sig);
            }
            let mut out = Vec::new();
            l.candidates_where(&query, allowed, &mut out);
            let expected: Vec<u32> = (0..items.len() as u32)
                .filter(|&i| {
                    (0..bands).any(|b| allowed(b) && band_key(&items[i as usize], 1, b) == band_key(&query, 1, b))
                })
                .collect();
            proptest::prop_assert_eq!(out, expected);
        }
    }
}
