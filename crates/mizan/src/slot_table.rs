//! A fixed-size, direct-mapped table of `N` slots, each behind its own lock: the shape of the
//! request path's small memos (cache keys, verified tokens). A lookup is one hash and one
//! uncontended lock and allocates nothing; an entry that lands on a taken slot replaces it.

use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// `N` slots (a power of two) of at most one `T` each.
pub(crate) struct SlotTable<T, const N: usize> {
    /// Seeded per process: which entries share a slot cannot be chosen from outside (and if it
    /// could, it would only make lookups miss).
    hasher: foldhash::fast::RandomState,
    slots: Box<[Mutex<Option<T>>]>,
}

impl<T, const N: usize> Default for SlotTable<T, N> {
    fn default() -> Self {
        const { assert!(N.is_power_of_two(), "a slot is picked by masking the hash") };
        Self {
            hasher: foldhash::fast::RandomState::default(),
            slots: (0..N).map(|_| Mutex::new(None)).collect(),
        }
    }
}

impl<T, const N: usize> SlotTable<T, N> {
    /// The slot `key` belongs in.
    pub(crate) fn index_of(&self, key: impl Hash) -> usize {
        usize::try_from(self.hasher.hash_one(key)).unwrap_or(usize::MAX) & (N - 1)
    }

    /// The slot at `index` (from [`SlotTable::index_of`]), locked.
    pub(crate) fn lock(&self, index: usize) -> MutexGuard<'_, Option<T>> {
        // Users replace a slot's content in one step, so a poisoned slot is still consistent.
        self.slots[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_always_lands_on_the_same_slot_in_range() {
        let table = SlotTable::<u32, 8>::default();
        for key in ["a", "b", "a long key", ""] {
            let index = table.index_of(key);
            assert!(index < 8);
            assert_eq!(index, table.index_of(key));
        }
        *table.lock(table.index_of("a")) = Some(7);
        assert_eq!(*table.lock(table.index_of("a")), Some(7));
    }
}
