//! Insertion-ordered maps with a fast, fixed-seed hasher.
//!
//! Evaluation builds millions of small maps keyed by short names (the
//! children of every layered object, every object value); SipHash with
//! per-map random keys costs more than the work they hold. foldhash with a
//! fixed seed is several times faster on short keys and makes iteration
//! order independent of the process (order is insertion order anyway).

/// The hasher of [`Map`]: foldhash with a fixed seed.
pub type FastState = foldhash::fast::FixedState;

/// An `IndexMap` hashed with [`FastState`].
pub type Map<K, V> = indexmap::IndexMap<K, V, FastState>;

/// An empty [`Map`] with room for `n` entries.
pub fn with_capacity<K, V>(n: usize) -> Map<K, V> {
    Map::with_capacity_and_hasher(n, FastState::default())
}
