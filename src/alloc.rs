//! The binary's allocator: mimalloc for small blocks, the system allocator for large ones.
//!
//! glibc's malloc and free were about a tenth of a run's samples (many small strings and
//! vectors per document); mimalloc makes those cheaper. But mimalloc grows a large block
//! by copying it, so while the dedup index's big vectors double, the old and the new
//! copies are both resident: on 2 GB of input, peak RSS went from 1.42 to 1.64 GB with
//! mimalloc alone. glibc maps large blocks on their own and grows them with `mremap`,
//! which moves pages instead of copying them, and unmaps them when they are freed. So
//! blocks from [`LARGE`] up go to the system allocator.
//!
//! mimalloc is built without transparent huge pages (its `no_thp` feature): with them,
//! peak RSS on the 50 MB bench corpus went from 222 to 325 MB.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this many bytes or more come from the system allocator.
pub const LARGE: usize = 1 << 20;

pub struct Split;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is freed, resized and reallocated by the allocator that made it:
// Rust hands `dealloc` and `realloc` the layout the block was allocated (or last
// reallocated) with, and its size says which allocator that was.
unsafe impl GlobalAlloc for Split {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe {
            if is_large(layout.size()) {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe {
            if is_large(layout.size()) {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the allocator `layout.size()` picks.
        unsafe {
            if is_large(layout.size()) {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from the allocator `layout.size()` picks; a move between the
        // two allocates in the new one, copies what fits in both sizes and frees the old.
        unsafe {
            match (is_large(layout.size()), is_large(new_size)) {
                (true, true) => System.realloc(ptr, layout, new_size),
                (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                _ => {
                    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                    let new = self.alloc(new_layout);
                    if !new.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_bytes_across_the_threshold() {
        let a = Split;
        let sizes = [16, LARGE - 1, LARGE, LARGE + 4096, 3 * LARGE, 100, 1];
        for align in [1, 8, 64, 4096] {
            let mut layout = Layout::from_size_align(sizes[0], align).unwrap();
            // SAFETY: each block is used within its layout and freed with it.
            unsafe {
                let mut p = a.alloc(layout);
                assert!(!p.is_null());
                p.write_bytes(0xA5, layout.size());
                for &size in &sizes[1..] {
                    let kept = layout.size().min(size);
                    p = a.realloc(p, layout, size);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "aligned to {align}");
                    let bytes = std::slice::from_raw_parts(p, kept);
                    assert!(
                        bytes.iter().all(|&b| b == 0xA5),
                        "{kept} of {size} bytes kept"
                    );
                    layout = Layout::from_size_align(size, align).unwrap();
                    p.write_bytes(0xA5, size);
                }
                a.dealloc(p, layout);
                let z = a.alloc_zeroed(Layout::from_size_align(LARGE, align).unwrap());
                assert!(std::slice::from_raw_parts(z, LARGE).iter().all(|&b| b == 0));
                a.dealloc(z, Layout::from_size_align(LARGE, align).unwrap());
            }
        }
    }
}
