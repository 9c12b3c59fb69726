//! MinHash signatures over 32-bit shingle hashes.
//!
//! Permutation `i` is the multiply-add-shift hash
//! `h_i(x) = ((a_i·x + b_i) mod 2^64) >> 32` with 64-bit `a_i`, `b_i` (Dietzfelbinger's universal family for 32-bit
//! keys), so one permutation is a multiply, an add, a shift and a min; the
//! inner loop is vectorised, with an AVX2 build picked at run time where available.
//! The parameters come from a fixed seed, so signatures are reproducible everywhere.

#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    pub fn new(num_perm: usize) -> MinHasher {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            // splitmix64
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut a = Vec::with_capacity(num_perm);
        let mut b = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            a.push(next() | 1);
            b.push(next());
        }
        MinHasher { a, b }
    }

    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// An empty signature (every slot at its maximum).
    pub fn empty(&self) -> Vec<u32> {
        vec![u32::MAX; self.a.len()]
    }

    /// Lowers `sig` to cover every shingle in `shingles`.
    pub fn update(&self, sig: &mut [u32], shingles: &[u32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { update_avx2(&self.a, &self.b, sig, shingles) };
                return;
            }
        }
        update_generic(&self.a, &self.b, sig, shingles);
    }
}

#[inline(always)]
fn update_generic(a: &[u64], b: &[u64], sig: &mut [u32], shingles: &[u32]) {
    let n = sig.len().min(a.len()).min(b.len());
    let (a, b, sig) = (&a[..n], &b[..n], &mut sig[..n]);
    for &x in shingles {
        // A pair-wise independent family needs random-looking keys: mix first, once
        // per shingle rather than once per permutation.
        let x = mix32(x) as u64;
        for i in 0..n {
            let h = (a[i].wrapping_mul(x).wrapping_add(b[i]) >> 32) as u32;
            sig[i] = sig[i].min(h);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn update_avx2(a: &[u64], b: &[u64], sig: &mut [u32], shingles: &[u32]) {
    update_generic(a, b, sig, shingles)
}

/// The murmur3 32-bit finaliser: a bijection that spreads structured keys.
#[inline(always)]
fn mix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// Element-wise minimum: the signature of the union of two sets.
pub fn merge(into: &mut [u32], other: &[u32]) {
    for (x, y) in into.iter_mut().zip(other) {
        *x = (*x).min(*y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(m: &MinHasher, set: &[u32]) -> Vec<u32> {
        let mut s = m.empty();
        m.update(&mut s, set);
        s
    }

    #[test]
    fn estimates_jaccard() {
        let m = MinHasher::new(256);
        let a: Vec<u32> = (0..1000u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let b: Vec<u32> = (250..1250u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let (sa, sb) = (sig(&m, &a), sig(&m, &b));
        let est = sa.iter().zip(&sb).filter(|(x, y)| x == y).count() as f64 / 256.0;
        let truth = 750.0 / 1250.0;
        assert!((est - truth).abs() < 0.1, "estimate {est}, truth {truth}");
    }

    #[test]
    fn union_signature_is_the_minimum() {
        let m = MinHasher::new(64);
        let mut s = sig(&m, &[1, 2, 3]);
        merge(&mut s, &sig(&m, &[4, 5]));
        assert_eq!(s, sig(&m, &[1, 2, 3, 4, 5]));
        let mut generic = m.empty();
        update_generic(&m.a, &m.b, &mut generic, &[1, 2, 3, 4, 5]);
        assert_eq!(
            generic, s,
            "the dispatched build agrees with the portable one"
        );
    }
}
