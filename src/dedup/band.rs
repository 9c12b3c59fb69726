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
//!
//! A few keys hold far more items than the rest (two common phrases that both win
//! their MinHash slots): walking their chains is one cache miss per item, for every
//! lookup. A key found with [`CROWDED`] items is moved out of its chain into a list of
//! its own, 4 more bytes an item, which a lookup copies whole. Where an item is stored
//! changes no lookup's result, only its cost.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::lsh::KeyHasher;
use crate::hint::prefetch;

/// The end of a chain.
pub const NONE: u32 = u32::MAX;

/// Items per bucket at most, on average, before the buckets double.
const LOAD: usize = 2;

/// Fewest bucket bits: the 16 key bits not stored in the entries.
const MIN_BITS: u32 = 16;

/// Items a lookup finds for one key before the key gets a list of its own.
pub const CROWDED: usize = 32;

pub struct BandTable {
    /// Per item: its key's top 16 bits, and the previous item in its bucket (low and
    /// high halves).
    entries: Vec<[u16; 3]>,
    heads: Vec<u32>,
    /// log2 of `heads.len()`.
    bits: u32,
    /// Crowded keys' items, oldest first; they are in no chain. About 3,000 keys per
    /// paragraph band at 2 GB of input, so the map stays in cache.
    crowded: HashMap<u32, Vec<u32>, BuildHasherDefault<KeyHasher>>,
}

impl Default for BandTable {
    fn default() -> Self {
        BandTable {
            entries: Vec::new(),
            heads: Vec::new(),
            bits: MIN_BITS,
            crowded: HashMap::default(),
        }
    }
}

fn entry(key: u32, next: u32) -> [u16; 3] {
    [(key >> 16) as u16, next as u16, (next >> 16) as u16]
}

fn next_of(e: [u16; 3]) -> u32 {
    e[1] as u32 | (e[2] as u32) << 16
}

/// Points item `id`'s entry at `next`, keeping its key bits.
fn set_next(entries: &mut [[u16; 3]], id: u32, next: u32) {
    let e = &mut entries[id as usize];
    *e = entry((e[0] as u32) << 16, next);
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
        if let Some(list) = self.crowded.get_mut(&key) {
            list.push(id);
            self.entries.push(entry(key, NONE));
            return;
        }
        let b = self.bucket(key);
        self.entries.push(entry(key, self.heads[b]));
        self.heads[b] = id;
    }

    /// Moves `key`'s items out of their bucket's chain into a list of their own
    /// (see [`CROWDED`]). Lookups find the same items afterwards.
    pub fn crowd(&mut self, key: u32) {
        let b = self.bucket(key);
        if self.heads.is_empty() || self.crowded.contains_key(&key) {
            return;
        }
        let top = (key >> 16) as u16;
        let mut list = Vec::new();
        // Relink the chain without the key's items: `kept` is the last item left in it.
        let mut kept = NONE;
        let mut id = self.heads[b];
        self.heads[b] = NONE;
        while id != NONE {
            let e = self.entries[id as usize];
            let next = next_of(e);
            if e[0] == top {
                list.push(id);
                self.entries[id as usize] = entry(key, NONE);
            } else {
                match kept {
                    NONE => self.heads[b] = id,
                    k => set_next(&mut self.entries, k, id),
                }
                kept = id;
            }
            id = next;
        }
        if kept != NONE {
            set_next(&mut self.entries, kept, NONE);
        }
        list.reverse();
        self.crowded.insert(key, list);
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
                    t => set_next(&mut self.entries, t, id),
                }
                tails[half] = id;
                id = next;
            }
            for t in tails {
                if t != NONE {
                    set_next(&mut self.entries, t, NONE);
                }
            }
        }
        self.heads = heads;
        self.bits += 1;
    }

    /// Appends the ids of the items with `key` to `out`, newest first, and returns
    /// how many.
    pub fn extend_with(&self, key: u32, out: &mut Vec<u32>) -> usize {
        let before = out.len();
        let mut id = self.head(key, out);
        while id != NONE {
            id = self.step(key, id, out);
        }
        out.len() - before
    }

    /// Asks the CPU to start loading the bucket `key` falls in, so that a lookup
    /// across many bands waits for its cache misses together rather than in turn.
    pub fn prefetch_bucket(&self, key: u32) {
        if let Some(h) = self.heads.get(self.bucket(key)) {
            prefetch(h);
        }
    }

    /// Starts a lookup of `key`: appends a crowded key's items to `out` (newest
    /// first) and returns `NONE`, or returns the newest item in the key's bucket
    /// (`NONE` if empty), its entry prefetched, for [`BandTable::step`] to walk.
    pub fn head(&self, key: u32, out: &mut Vec<u32>) -> u32 {
        if let Some(list) = self.crowded.get(&key) {
            out.extend(list.iter().rev());
            return NONE;
        }
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

    #[cfg(test)]
    pub fn crowded_keys(&self) -> usize {
        self.crowded.len()
    }

    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 6
            + self.heads.capacity() * 4
            // hashbrown: a control byte and a (key, Vec) slot per bucket
            + self.crowded.capacity() * (1 + 4 + 24)
            + self.crowded.values().map(|v| v.capacity() * 4).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A deterministic stream of well-mixed 32-bit numbers from `seed`.
    fn numbers(seed: u32) -> impl FnMut() -> u32 {
        let mut x = seed;
        move || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            x ^ (x >> 15)
        }
    }

    #[test]
    fn finds_exactly_the_items_with_the_key_across_growth() {
        let mut random = numbers(1);
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
    fn crowded_keys_are_found_the_same_before_and_after_their_move_and_growth() {
        let mut random = numbers(7);
        // A few keys take a third of the items; the rest are spread, and some share a
        // bucket (low 16 bits) with a crowded key, so its chain keeps other keys' items.
        let crowded: Vec<u32> = (0..6).map(|_| random()).collect();
        let mut keys = Vec::new();
        let n = 200_000u32;
        for i in 0..n {
            let r = random();
            keys.push(match i % 3 {
                0 => crowded[r as usize % crowded.len()],
                1 => (r & 0xFFFF_0000) | (crowded[r as usize % 2] & 0xFFFF),
                _ => r,
            });
        }
        let mut t = BandTable::default();
        let mut want: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let check = |t: &BandTable, want: &BTreeMap<u32, Vec<u32>>, key: u32| {
            let mut out = vec![u32::MAX - 1];
            let found = t.extend_with(key, &mut out);
            let mut expect = want.get(&key).cloned().unwrap_or_default();
            expect.reverse();
            assert_eq!(found, expect.len());
            assert_eq!(out[1..], expect[..], "key {key}");
        };
        for (id, &key) in keys.iter().enumerate() {
            t.insert(key, id as u32);
            want.entry(key).or_default().push(id as u32);
            // Crowd keys at different points: before the first growth, between the
            // two, and after; twice for one key (a no-op the second time).
            match id {
                1_000 => t.crowd(crowded[0]),
                100_000 => {
                    t.crowd(crowded[1]);
                    t.crowd(crowded[1]);
                    t.crowd(keys[2]);
                }
                150_000 => t.crowd(crowded[2]),
                _ => {}
            }
            if id % 4999 == 0 {
                for &k in &crowded {
                    check(&t, &want, k);
                }
                check(&t, &want, keys[id / 2]);
            }
        }
        assert!(t.bits > MIN_BITS, "the buckets doubled after a crowding");
        assert_eq!(t.crowded.len(), 4);
        for &key in want.keys() {
            check(&t, &want, key);
        }
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let mut out = vec![7];
        BandTable::default().extend_with(3, &mut out);
        assert_eq!(out, [7]);
    }
}
