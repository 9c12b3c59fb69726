//! One LSH band: a multimap from a band key to the items that have it, append only.
//! It is most of the LSH's memory (a document has 32 bands, a paragraph 12), so it is
//! laid out for size rather than built on a general hash map.
//!
//! Every item has one entry, `(key, next)`, at its own id: `next` chains the entries of
//! one bucket, newest first. `heads` maps a bucket (the key's top bits) to its newest
//! entry. A bucket holds on average one to two items of different keys, which a
//! lookup skips by comparing the stored key, so the items found are exactly those
//! with the key, as with a map per key. An item costs 8 bytes plus 2 to 4 bytes of
//! heads (a `HashMap<u32, u32>` head per key plus a 4-byte chain cost 14 to 24).

const NONE: u32 = u32::MAX;

/// Items per bucket at most, on average, before the buckets double.
const LOAD: usize = 2;

#[derive(Default)]
pub struct BandTable {
    /// Per item: its key and the previous item in its bucket.
    entries: Vec<(u32, u32)>,
    heads: Vec<u32>,
    /// log2 of `heads.len()`.
    bits: u32,
}

impl BandTable {
    fn bucket(&self, key: u32) -> usize {
        // Keys are hashes already; the multiply spreads them over the top bits.
        ((key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// Adds item `id`, which must be the number of items added so far.
    pub fn insert(&mut self, key: u32, id: u32) {
        debug_assert_eq!(
            id as usize,
            self.entries.len(),
            "ids are dense and in order"
        );
        if self.entries.len() >= self.heads.len() * LOAD {
            self.grow();
        }
        let b = self.bucket(key);
        self.entries.push((key, self.heads[b]));
        self.heads[b] = id;
    }

    /// Rebuilds the chains over twice the buckets, in insertion order, so each chain
    /// stays newest first.
    fn grow(&mut self) {
        self.bits = (self.bits + 1).max(6);
        self.heads = vec![NONE; 1 << self.bits];
        for id in 0..self.entries.len() {
            let b = self.bucket(self.entries[id].0);
            self.entries[id].1 = self.heads[b];
            self.heads[b] = id as u32;
        }
    }

    /// Appends the ids of the items with `key` to `out`, newest first.
    pub fn extend_with(&self, key: u32, out: &mut Vec<u32>) {
        if self.heads.is_empty() {
            return;
        }
        let mut id = self.heads[self.bucket(key)];
        while id != NONE {
            let (k, next) = self.entries[id as usize];
            if k == key {
                out.push(id);
            }
            id = next;
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 8 + self.heads.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn finds_exactly_the_items_with_the_key_across_growth() {
        let mut t = BandTable::default();
        let mut want: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let mut x = 1u32;
        for id in 0..20_000u32 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            // Few distinct keys, so keys repeat and buckets hold several keys.
            let key = (x >> 8) % 3000;
            t.insert(key, id);
            want.entry(key).or_default().push(id);
            if id % 997 == 0 {
                let mut out = Vec::new();
                t.extend_with(key, &mut out);
                let mut expect = want[&key].clone();
                expect.reverse();
                assert_eq!(out, expect, "key {key} after {id}");
            }
        }
        for (key, ids) in &want {
            let mut out = Vec::new();
            t.extend_with(*key, &mut out);
            out.reverse();
            assert_eq!(&out, ids, "key {key}");
        }
        let mut out = Vec::new();
        t.extend_with(u32::MAX, &mut out);
        assert!(out.is_empty());
        assert!(t.heap_bytes() <= 20_000 * 16 * 2);
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let mut out = vec![7];
        BandTable::default().extend_with(3, &mut out);
        assert_eq!(out, [7]);
    }
}
