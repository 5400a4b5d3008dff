//! Arrays that are either owned or views into a memory-mapped snapshot file, so a cached
//! snapshot is used in place without copying.

use memmap2::Mmap;
use std::ops::Deref;
use std::sync::Arc;

/// Plain-old-data element types a snapshot file may hold (no padding, any bit pattern valid).
pub(crate) trait Pod: Copy + Send + Sync + 'static {}
impl Pod for u16 {}
impl Pod for u32 {}
impl Pod for u64 {}
impl Pod for f32 {}

pub(crate) enum Buf<T: Pod> {
    Owned(Vec<T>),
    /// `offset` is a multiple of `align_of::<T>()` inside a page-aligned mapping (checked when
    /// the file is opened).
    Mapped {
        map: Arc<Mmap>,
        offset: usize,
        len: usize,
    },
}

impl<T: Pod> Deref for Buf<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Buf::Owned(v) => v,
            // SAFETY: bounds and alignment were checked when the view was created; T is Pod and
            // the mapping is read-only and lives as long as `map`.
            Buf::Mapped { map, offset, len } => unsafe {
                std::slice::from_raw_parts(map.as_ptr().add(*offset) as *const T, *len)
            },
        }
    }
}

impl<T: Pod> From<Vec<T>> for Buf<T> {
    fn from(v: Vec<T>) -> Self {
        Buf::Owned(v)
    }
}

impl<T: Pod + std::fmt::Debug> std::fmt::Debug for Buf<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} items]", self.len())
    }
}

/// A raw pointer shared by threads that write disjoint indices (the scatter of a counting sort).
#[derive(Clone, Copy)]
pub(crate) struct SyncPtr<T>(pub *mut T);
// SAFETY: users guarantee that concurrent writes go to distinct indices.
unsafe impl<T> Send for SyncPtr<T> {}
unsafe impl<T> Sync for SyncPtr<T> {}

impl<T> SyncPtr<T> {
    /// # Safety
    /// `i` is in bounds and no other thread touches index `i` concurrently.
    #[inline(always)]
    pub unsafe fn write(self, i: usize, v: T) {
        // SAFETY: the caller's contract above: in bounds, and no concurrent access to `i`.
        unsafe { self.0.add(i).write(v) }
    }

    /// The pointer to element `i` (a method, so closures capture the whole `SyncPtr`).
    ///
    /// # Safety
    /// `i` is in bounds.
    #[inline(always)]
    pub unsafe fn at(self, i: usize) -> *mut T {
        // SAFETY: the caller keeps `i` in bounds.
        unsafe { self.0.add(i) }
    }
}
