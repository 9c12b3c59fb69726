//! One LSH band: a multimap from a band key to the items that have it, append only.
//! It is most of the LSH's memory (a document has 32 bands, a paragraph 12), so it is
//! laid out for size rather than built on a general hash map.
//!
//! Every item has one 6-byte entry at its own id: the top 16 bits of its key and the
//! previous item in its bucket (a chain, newest first). `heads` maps a bucket to its
//! newest entry. A bucket is the key's low bits, at least 16 of them, so bucket and
//! stored top bits together give back the whole key: a lookup skips the items of
//! other keys in its bucket (one to two on average), and the items found are exactly
//! those with the key, as with a map per key. An item costs 6 bytes plus 2 to 4 bytes
//! of heads (a `HashMap<u32, u32>` head per key plus a 4-byte chain cost 14 to 24).

use crate::hint::prefetch;

/// The end of a chain.
pub const NONE: u32 = u32::MAX;

/// Items per bucket at most, on average, before the buckets double.
const LOAD: usize = 2;

/// Fewest bucket bits: the 16 key bits not stored in the entries.
const MIN_BITS: u32 = 16;

pub struct BandTable {
    /// Per item: its key's top 16 bits, and the previous item in its bucket (low and
    /// high halves).
    entries: Vec<[u16; 3]>,
    heads: Vec<u32>,
    /// log2 of `heads.len()`.
    bits: u32,
}

impl Default for BandTable {
    fn default() -> Self {
        BandTable {
            entries: Vec::new(),
            heads: Vec::new(),
            bits: MIN_BITS,
        }
    }
}

fn entry(key: u32, next: u32) -> [u16; 3] {
    [(key >> 16) as u16, next as u16, (next >> 16) as u16]
}

fn next_of(e: [u16; 3]) -> u32 {
    e[1] as u32 | (e[2] as u32) << 16
}

impl BandTable {
    fn bucket(&self, key: u32) -> usize {
        // Keys are hashes already: their low bits are as good as any.
        (key & ((1u32 << self.bits) - 1)) as usize
    }

    /// Adds item `id`, which must be the number of items added so far.
    pub fn insert(&mut self, key: u32, id: u32) {
        debug_assert_eq!(
            id as usize,
            self.entries.len(),
            "ids are dense and in order"
        );
        if self.heads.is_empty() {
            self.heads = vec![NONE; 1 << self.bits];
        } else if self.entries.len() >= self.heads.len() * LOAD && self.bits < 31 {
            self.grow();
        }
        let b = self.bucket(key);
        self.entries.push(entry(key, self.heads[b]));
        self.heads[b] = id;
    }

    /// Gives item `id` (the number of items so far) an entry in no bucket: it is
    /// never found in this band (a sharded run skips bands it knows hold no other
    /// item). Growth only walks the chains, so the entry stays out of them.
    pub fn skip(&mut self, id: u32) {
        debug_assert_eq!(
            id as usize,
            self.entries.len(),
            "ids are dense and in order"
        );
        self.entries.push(entry(0, NONE));
    }

    /// Splits every bucket in two by the next key bit (stored in the entry's top
    /// bits), keeping each chain newest first.
    fn grow(&mut self) {
        let old = self.heads.len();
        let shift = self.bits - MIN_BITS;
        let mut heads = vec![NONE; old * 2];
        for (b, &head) in self.heads.iter().enumerate() {
            // Tails of the two new chains, to append in the old (newest first) order.
            let mut tails = [NONE; 2];
            let mut id = head;
            while id != NONE {
                let e = self.entries[id as usize];
                let next = next_of(e);
                let half = ((e[0] >> shift) & 1) as usize;
                match tails[half] {
                    NONE => heads[b + half * old] = id,
                    t => {
                        self.entries[t as usize] =
                            entry((self.entries[t as usize][0] as u32) << 16, id)
                    }
                }
                tails[half] = id;
                id = next;
            }
            for t in tails {
                if t != NONE {
                    self.entries[t as usize] =
                        entry((self.entries[t as usize][0] as u32) << 16, NONE);
                }
            }
        }
        self.heads = heads;
        self.bits += 1;
    }

    /// Appends the ids of the items with `key` to `out`, newest first.
    pub fn extend_with(&self, key: u32, out: &mut Vec<u32>) {
        let mut id = self.head(key);
        while id != NONE {
            id = self.step(key, id, out);
        }
    }

    /// Asks the CPU to start loading the bucket `key` falls in, so that a lookup
    /// across many bands waits for its cache misses together rather than in turn.
    pub fn prefetch_bucket(&self, key: u32) {
        if let Some(h) = self.heads.get(self.bucket(key)) {
            prefetch(h);
        }
    }

    /// The newest item in `key`'s bucket (`NONE` if empty), its entry prefetched.
    pub fn head(&self, key: u32) -> u32 {
        let id = match self.heads.get(self.bucket(key)) {
            Some(&id) => id,
            None => return NONE,
        };
        if let Some(e) = self.entries.get(id as usize) {
            prefetch(e);
        }
        id
    }

    /// One step along the chain [`BandTable::head`] started: pushes `id` to `out` when
    /// it has `key`, and returns the next item in the bucket (`NONE` at the end), its
    /// entry prefetched. Each step is a cache miss on a large table, so a lookup walks
    /// its bands' chains side by side, a step in each in turn.
    pub fn step(&self, key: u32, id: u32, out: &mut Vec<u32>) -> u32 {
        let Some(&e) = self.entries.get(id as usize) else {
            return NONE;
        };
        if e[0] == (key >> 16) as u16 {
            out.push(id);
        }
        let next = next_of(e);
        if let Some(n) = self.entries.get(next as usize) {
            prefetch(n);
        }
        next
    }

    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 6 + self.heads.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn finds_exactly_the_items_with_the_key_across_growth() {
        let mut x = 1u32;
        let mut random = move || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            x ^ (x >> 15)
        };
        // Keys repeat, and many share their low 16 bits, so buckets hold several keys
        // before and after the buckets double (at 2 × 65536 items, then 4 ×).
        let pool: Vec<u32> = (0..40_000)
            .map(|i| {
                if i % 3 == 0 {
                    random() & 0xFFFF_00FF
                } else {
                    random()
                }
            })
            .collect();
        let n = 300_000u32;
        let mut t = BandTable::default();
        let mut want: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for id in 0..n {
            let key = pool[random() as usize % pool.len()];
            t.insert(key, id);
            want.entry(key).or_default().push(id);
            if id % 9973 == 0 || id == 131_072 || id == 262_144 {
                let mut out = Vec::new();
                t.extend_with(key, &mut out);
                let mut expect = want[&key].clone();
                expect.reverse();
                assert_eq!(out, expect, "key {key} after {id}");
            }
        }
        assert_eq!(t.bits, MIN_BITS + 2);
        for (key, ids) in &want {
            let mut out = Vec::new();
            t.extend_with(*key, &mut out);
            out.reverse();
            assert_eq!(&out, ids, "key {key}");
        }
        let absent = (0..).map(|k| k * 7 + 1).find(|k| !want.contains_key(k));
        let mut out = Vec::new();
        t.extend_with(absent.unwrap_or_default(), &mut out);
        assert!(out.is_empty());
        assert!(t.heap_bytes() <= (4 << MIN_BITS) * 4 + n as usize * 6 * 2);
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let mut out = vec![7];
        BandTable::default().extend_with(3, &mut out);
        assert_eq!(out, [7]);
    }
}
