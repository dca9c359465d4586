//! Typed ids of environments and configs, and the vectors indexed by them.
//!
//! An [`EnvId`] indexes `Program::envs`, a [`ConfigId`]
//! `Program::configs`. Both are small (`u16`, `u32`) so that the merge
//! layers' `Origin` and the per-(config, environment) caches stay compact,
//! and [`IdVec`] is the only way to index the vectors they name, so an
//! environment's index cannot be used for a config or a bare integer for
//! either. The counts are bounded by [`MAX_ENVS`] and [`MAX_CONFIGS`]
//! (docs/limits.md): [`IdVec::push`] refuses one more, and `resolve` turns
//! that into a located `mcfg::limit` diagnostic.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// Most environments one build may declare.
pub const MAX_ENVS: usize = 10_000;

/// Most configs (abstract ones included) one build may declare.
pub const MAX_CONFIGS: usize = 1_000_000;

/// An id that indexes an [`IdVec`]. Only [`IdVec`] makes ids (sealed: no
/// code outside this module can turn an integer into one).
pub trait Id: Copy + FromIndex {
    /// Most ids of this kind (ids are `0..MAX`).
    const MAX: usize;
    /// The index this id stands for.
    fn index(self) -> usize;
}

mod sealed {
    pub trait FromIndex {
        /// The id of index `i`, which is below `Id::MAX`.
        fn from_index(i: usize) -> Self;
    }
}
use sealed::FromIndex;

/// Index of an environment in `Program::envs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnvId(u16);

/// Index of a config in `Program::configs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigId(u32);

const _: () = assert!(MAX_ENVS <= u16::MAX as usize + 1);
const _: () = assert!(MAX_CONFIGS <= u32::MAX as usize);

impl Id for EnvId {
    const MAX: usize = MAX_ENVS;
    fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl FromIndex for EnvId {
    fn from_index(i: usize) -> Self {
        debug_assert!(i < Self::MAX);
        // In range: `IdVec::push` refuses index MAX_ENVS and beyond.
        EnvId(i as u16)
    }
}

impl Id for ConfigId {
    const MAX: usize = MAX_CONFIGS;
    fn index(self) -> usize {
        self.0 as usize
    }
}

impl FromIndex for ConfigId {
    fn from_index(i: usize) -> Self {
        debug_assert!(i < Self::MAX);
        // In range: `IdVec::push` refuses index MAX_CONFIGS and beyond.
        ConfigId(i as u32)
    }
}

/// `push` past `I::MAX` items: the caller reports it at the declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany {
    pub max: usize,
}

/// A vector indexed by `I` only.
#[derive(Clone, PartialEq, Eq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    _id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        IdVec {
            items: Vec::new(),
            _id: PhantomData,
        }
    }

    /// Adds `item` and returns its id, or refuses it past `I::MAX` items.
    pub fn push(&mut self, item: T) -> Result<I, TooMany> {
        if self.items.len() >= I::MAX {
            return Err(TooMany { max: I::MAX });
        }
        self.items.push(item);
        Ok(I::from_index(self.items.len() - 1))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone {
        (0..self.items.len()).map(I::from_index)
    }

    /// Every (id, item), in order.
    pub fn iter_ids(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator + Clone {
        self.items
            .iter()
            .enumerate()
            .map(|(i, t)| (I::from_index(i), t))
    }

    /// The id of the first item `pred` accepts.
    pub fn position(&self, pred: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(pred).map(I::from_index)
    }

    /// The vector of `f(item)` for every item, indexed by the same ids.
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> IdVec<I, U> {
        IdVec {
            items: self.items.iter().map(f).collect(),
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: Id, T: fmt::Debug> fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'v, I: Id, T> IntoIterator for &'v IdVec<I, T> {
    type Item = &'v T;
    type IntoIter = std::slice::Iter<'v, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Three(u8);
    impl Id for Three {
        const MAX: usize = 3;
        fn index(self) -> usize {
            usize::from(self.0)
        }
    }
    impl FromIndex for Three {
        fn from_index(i: usize) -> Self {
            Three(i as u8)
        }
    }

    #[test]
    fn push_refuses_past_the_limit_and_ids_index_what_was_pushed() {
        let mut v: IdVec<Three, &str> = IdVec::new();
        let a = v.push("a").expect("below the limit");
        let b = v.push("b").expect("below the limit");
        let c = v.push("c").expect("below the limit");
        assert_eq!(v.push("d"), Err(TooMany { max: 3 }));
        assert_eq!(v.len(), 3);
        assert_eq!((v[a], v[b], v[c]), ("a", "b", "c"));
        v[b] = "B";
        assert_eq!(
            v.iter_ids().map(|(i, s)| (i.0, *s)).collect::<Vec<_>>(),
            [(0, "a"), (1, "B"), (2, "c")]
        );
        assert_eq!(v.position(|s| *s == "c"), Some(c));
        assert_eq!(v.get(Three(3)), None);
    }

    #[test]
    fn ids_are_compact() {
        assert_eq!(size_of::<EnvId>(), 2);
        assert_eq!(size_of::<ConfigId>(), 4);
        assert_eq!(EnvId::from_index(MAX_ENVS - 1).index(), MAX_ENVS - 1);
        assert_eq!(
            ConfigId::from_index(MAX_CONFIGS - 1).index(),
            MAX_CONFIGS - 1
        );
    }
}
