//! Word shingles: every run of `k` consecutive normalised words within one line
//! (paragraph), hashed to 32 bits. A line shorter than `k` words is one shingle.
//! Shingles never cross a line break, so a document's shingle set is exactly the union
//! of its paragraphs' sets and its MinHash signature the element-wise minimum of
//! theirs: the document level costs no extra hashing.

use super::normalize::{ExactKey, Token, tokens};

/// Reused scratch buffers for shingling one text after another.
#[derive(Default)]
pub struct Shingler {
    word_buf: Vec<u8>,
    words: Vec<u64>,
    /// When set, the exact-key value of every token (words and marks) seen is
    /// hashed into it, so the exact key costs no second scan.
    pub exact: Option<ExactKey>,
}

impl Shingler {
    /// Pushes the shingle hashes of `line` (unsorted, possibly repeated) onto `out`
    /// and returns the line's word count.
    pub fn shingles(&mut self, line: &str, k: usize, out: &mut Vec<u32>) -> usize {
        let k = k.max(1);
        self.words.clear();
        let words = &mut self.words;
        let exact = &mut self.exact;
        tokens(line, &mut self.word_buf, |t| {
            if let Some(e) = exact.as_mut() {
                e.push(t.key());
            }
            if let Token::Word(h) = t {
                words.push(h);
            }
        });
        let n = self.words.len();
        if n == 0 {
            return 0;
        }
        if n < k {
            out.push(combine(&self.words));
        } else {
            out.extend(self.words.windows(k).map(combine));
        }
        n
    }
}

/// Order-sensitive combination of word hashes, finalised with the murmur3 mixer.
fn combine(words: &[u64]) -> u32 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &w in words {
        h = (h.rotate_left(27) ^ w).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    h as u32
}

/// Sorts and deduplicates `set` in place, turning a shingle list into a set.
pub fn into_set(set: &mut Vec<u32>) {
    if set.len() < BUCKET_MIN || !bucket_sort(set) {
        set.sort_unstable();
    }
    set.dedup();
}

/// From this many shingles on, a bucket sort beats comparison sorting (measured on
/// uniform random u32s: about 8 against 12 ns a value from 300 on).
const BUCKET_MIN: usize = 64;

/// Sorts `v`, whose values are uniform hashes, by their top bits into between `n/2`
/// and `n` buckets (one scatter pass), then one insertion sort over the whole, in which
/// each value moves only within its bucket: about two values a bucket, so a few
/// steps a value. Returns false, with `v` untouched, when a bucket holds more than 64
/// values (hashes that are not uniform, crafted or not), for the caller to sort.
fn bucket_sort(v: &mut Vec<u32>) -> bool {
    let n = v.len();
    let bits = (usize::BITS - (n / 2).leading_zeros()).clamp(1, 16);
    let shift = 32 - bits;
    let mut at = vec![0u32; (1 << bits) + 1];
    for &x in v.iter() {
        at[(x >> shift) as usize + 1] += 1;
    }
    let mut most = 0;
    for i in 1..at.len() {
        most = most.max(at[i]);
        at[i] += at[i - 1];
    }
    if most > 64 {
        return false;
    }
    let mut out = vec![0u32; n];
    for &x in v.iter() {
        let b = (x >> shift) as usize;
        out[at[b] as usize] = x;
        at[b] += 1;
    }
    for i in 1..n {
        let x = out[i];
        let mut j = i;
        while j > 0 && out[j - 1] > x {
            out[j] = out[j - 1];
            j -= 1;
        }
        out[j] = x;
    }
    *v = out;
    true
}

/// `|a ∩ b|` of two sorted, deduplicated sets.
pub fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// `|a ∩ b|` of two sorted, deduplicated sets, or `None` as soon as it cannot reach
/// `need` any more (most candidates are far from the threshold).
pub fn intersection_reaching(a: &[u32], b: &[u32], need: f64) -> Option<usize> {
    let (mut i, mut j, mut n) = (0, 0, 0);
    if (a.len().min(b.len()) as f64) < need {
        return None;
    }
    while i < a.len() && j < b.len() {
        // Up to 16 merge steps without a branch on the comparison (each step moves `i`,
        // `j` or both, so none runs past either end), then the bound is checked.
        let steps = 16.min(a.len() - i).min(b.len() - j);
        for _ in 0..steps {
            let (x, y) = (a[i], b[j]);
            n += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        if ((n + (a.len() - i).min(b.len() - j)) as f64) < need {
            return None;
        }
    }
    (n as f64 >= need).then_some(n)
}

/// The exact similarity of a later set to an earlier one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// `|A ∩ B| / |A ∪ B|`.
    pub jaccard: f64,
    /// `|A ∩ B| / |later|`: how much of the later text was already seen.
    pub containment: f64,
}

pub fn overlap(earlier: &[u32], later: &[u32]) -> Overlap {
    overlap_from(earlier, later, intersection(earlier, later))
}

/// [`Overlap`] given the intersection size.
pub fn overlap_from(earlier: &[u32], later: &[u32], inter: usize) -> Overlap {
    let inter = inter as f64;
    let union = (earlier.len() + later.len()) as f64 - inter;
    Overlap {
        jaccard: if union > 0.0 { inter / union } else { 0.0 },
        containment: if later.is_empty() {
            0.0
        } else {
            inter / later.len() as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, k: usize) -> Vec<u32> {
        let mut out = Vec::new();
        Shingler::default().shingles(text, k, &mut out);
        into_set(&mut out);
        out
    }

    #[test]
    fn counts_windows_and_short_lines() {
        assert_eq!(set("a b c d e", 3).len(), 3);
        assert_eq!(set("a b", 3).len(), 1);
        assert!(set("—", 3).is_empty());
        assert_eq!(set("a b c a b c", 3).len(), 3, "repeats collapse");
    }

    #[test]
    fn bucket_sort_sorts() {
        let mut state = 99u32;
        for n in [0, 1, 63, 64, 65, 511, 512, 513, 5000, 70_000] {
            let v: Vec<u32> = (0..n)
                .map(|i| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    if i % 7 == 0 { 42 } else { state }
                })
                .collect();
            let mut expect = v.clone();
            expect.sort_unstable();
            expect.dedup();
            let mut got = v;
            into_set(&mut got);
            assert_eq!(got, expect, "{n}");
        }
    }

    #[test]
    fn skewed_values_fall_back_to_comparison_sorting() {
        // Every value in one top-bits bucket: the bucket sort declines, the set is
        // still sorted.
        let v: Vec<u32> = (0..1000u32).rev().map(|i| i * 3 % 1000).collect();
        let mut got = v.clone();
        assert!(!bucket_sort(&mut got.clone()));
        into_set(&mut got);
        let mut expect = v;
        expect.sort_unstable();
        expect.dedup();
        assert_eq!(got, expect);
    }

    #[test]
    fn order_matters() {
        assert_ne!(set("a b c", 3), set("c b a", 3));
    }

    #[test]
    fn early_exit_only_when_the_target_is_out_of_reach() {
        let a: Vec<u32> = (0..100).collect();
        let b: Vec<u32> = (50..150).collect();
        assert_eq!(intersection_reaching(&a, &b, 50.0), Some(50));
        assert_eq!(intersection_reaching(&a, &b, 50.5), None);
        assert_eq!(intersection_reaching(&a, &b[..10], 11.0), None);
    }

    #[test]
    fn overlap_is_exact() {
        let a = set("one two three four five six", 3); // 4 shingles
        let b = set("one two three four five seven", 3); // 3 shared + 1
        let o = overlap(&a, &b);
        assert!((o.jaccard - 3.0 / 5.0).abs() < 1e-9, "{o:?}");
        assert!((o.containment - 3.0 / 4.0).abs() < 1e-9);
        let part = set("one two three four", 3);
        assert_eq!(overlap(&a, &part).containment, 1.0);
        assert!(overlap(&part, &a).containment < 1.0);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `Some(|a ∩ b|)` exactly when it reaches `need`, for sets of any sizes.
        #[test]
        fn intersection_reaching_is_exact(
            a in proptest::collection::btree_set(0u32..200, 0..90),
            b in proptest::collection::btree_set(0u32..200, 0..90),
            need in 0.0f64..60.0,
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let n = intersection(&a, &b);
            let want = (n as f64 >= need).then_some(n);
            prop_assert_eq!(intersection_reaching(&a, &b, need), want);
        }
    }
}
