//! The writer's account index: account key (a 128-bit hash of platform and native id) → account
//! id. Open addressing with linear probing, because interning a batch can then ask for the
//! entries of the next accounts while it works on this one ([`AccountTable::prefetch`]): with
//! hundreds of thousands of accounts nearly every lookup misses the cache, and waiting for each
//! miss in turn was a fifth of a Higgs ingest's writer thread.

/// One entry: 24 bytes. `word` is the account id (≥ 1; 0 marks an empty entry) with bit 63 set
/// once the account has a handle.
#[derive(Clone, Copy, Default)]
struct Entry {
    key: [u64; 2],
    word: u64,
}

const HANDLE_BIT: u64 = 1 << 63;

fn split(key: u128) -> [u64; 2] {
    [key as u64, (key >> 64) as u64]
}

/// Where a key was found.
pub(crate) struct Found {
    index: usize,
    pub id: i64,
    pub has_handle: bool,
}

#[derive(Default)]
pub(crate) struct AccountTable {
    /// A power of two long (or empty).
    entries: Vec<Entry>,
    len: usize,
}

impl AccountTable {
    fn home(&self, key: &[u64; 2]) -> usize {
        // The key is a hash already: its low bits are as good as any.
        key[0] as usize & (self.entries.len() - 1)
    }

    /// The entry holding `key`, or the empty one where it would go. Needs a non-empty table.
    fn probe(&self, key: &[u64; 2]) -> Result<usize, usize> {
        let mask = self.entries.len() - 1;
        let mut i = self.home(key);
        loop {
            let e = &self.entries[i];
            if e.word == 0 {
                return Err(i);
            }
            if e.key == *key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// Asks the CPU to start loading the entry `key` would be found at.
    pub fn prefetch(&self, key: u128) {
        if self.entries.is_empty() {
            return;
        }
        let _at = self.entries[self.home(&split(key))..].as_ptr();
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint; it never faults, whatever the address.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(_at.cast());
        }
    }

    pub fn get(&self, key: u128) -> Option<Found> {
        if self.entries.is_empty() {
            return None;
        }
        let i = self.probe(&split(key)).ok()?;
        let word = self.entries[i].word;
        Some(Found {
            index: i,
            id: (word & !HANDLE_BIT) as i64,
            has_handle: word & HANDLE_BIT != 0,
        })
    }

    /// Marks the account found at `found` as having a handle.
    pub fn set_handle(&mut self, found: &Found) {
        self.entries[found.index].word |= HANDLE_BIT;
    }

    /// Adds an account that is not in the table; `id` ≥ 1.
    pub fn insert(&mut self, key: u128, id: i64, has_handle: bool) {
        debug_assert!(id >= 1);
        self.reserve(1);
        let key = split(key);
        match self.probe(&key) {
            Err(i) => {
                self.entries[i] = Entry {
                    key,
                    word: id as u64 | if has_handle { HANDLE_BIT } else { 0 },
                };
                self.len += 1;
            }
            Ok(i) => self.entries[i].word = id as u64 | (self.entries[i].word & HANDLE_BIT),
        }
    }

    /// Room for `additional` more accounts without growing; at most three quarters full.
    pub fn reserve(&mut self, additional: usize) {
        let needed = self.len + additional;
        if needed * 4 <= self.entries.len() * 3 {
            return;
        }
        let size = (needed * 4 / 3 + 1).next_power_of_two().max(64);
        let old = std::mem::replace(&mut self.entries, vec![Entry::default(); size]);
        for e in old.into_iter().filter(|e| e.word != 0) {
            let Err(i) = self.probe(&e.key) else {
                unreachable!("keys are unique")
            };
            self.entries[i] = e;
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_across_growth_and_collisions() {
        let mut t = AccountTable::default();
        assert!(t.get(7).is_none());
        // Keys sharing their low 64 bits all probe from the same home entry.
        let keys: Vec<u128> = (0..5000u128)
            .map(|i| {
                if i % 3 == 0 {
                    (i << 64) | 42
                } else {
                    i * 0x9e37_79b9_7f4a_7c15
                }
            })
            .collect();
        for (n, &k) in keys.iter().enumerate() {
            t.prefetch(k);
            assert!(t.get(k).is_none());
            t.insert(k, n as i64 + 1, n % 2 == 0);
        }
        assert_eq!(t.len(), keys.len());
        for (n, &k) in keys.iter().enumerate() {
            let f = t.get(k).unwrap();
            assert_eq!((f.id, f.has_handle), (n as i64 + 1, n % 2 == 0));
        }
        let f = t.get(keys[1]).unwrap();
        t.set_handle(&f);
        assert!(t.get(keys[1]).unwrap().has_handle);
        assert!(t.get(1 << 100).is_none());
    }
}
