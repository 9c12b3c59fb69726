//! CPU hints shared by the places that look up large tables (the dedup index, the
//! line count sketch).

/// A hint only: loads the cache line holding `x`, changes nothing.
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and `x` is a valid reference anyway; SSE
        // is part of every x86_64 target.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}
