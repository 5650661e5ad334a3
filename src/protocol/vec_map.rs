//! A map kept as a vector of pairs, in insertion order.
//!
//! The maps of the core hold a handful of entries (channels on a page, auth requests in
//! flight, shaped listeners, presence members), where a linear scan is as fast as a tree
//! and the code is a fraction of the size: every `BTreeMap<K, V>` instantiation costs
//! several kilobytes of wasm. Insertion order is also the natural order to resubscribe
//! channels in.

use crate::prelude::*;
use core::borrow::Borrow;

/// `Vec::remove` without its panic path: the element at `index`, keeping the order of the
/// others, or `None` past the end. `Vec::remove`'s bounds check formats the index and the
/// length into its panic message, which alone kept integer formatting in the wasm module.
pub(crate) fn remove_at<T>(vec: &mut Vec<T>, index: usize) -> Option<T> {
    // Carry the element to the end by swaps, then pop it (these vectors are short).
    let mut rest = vec.get_mut(index..)?.iter_mut();
    let mut hole = rest.next()?;
    for next in rest {
        core::mem::swap(hole, next);
        hole = next;
    }
    vec.pop()
}

/// An insertion-ordered map with linear lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }
}

impl<K: PartialEq, V> VecMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn position<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.entries.iter().position(|(k, _)| k.borrow() == key)
    }

    /// The value for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.entries
            .iter()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// The value for `key`, mutably.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`, returning the value it replaces. A new key goes last.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.get_mut(&key) {
            Some(slot) => Some(core::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        let index = self.position(key)?;
        remove_at(&mut self.entries, index).map(|(_, v)| v)
    }

    /// Keeps only the entries for which `keep` is true. A loop over `remove_at`, which
    /// every map already instantiates, rather than another `Vec::retain_mut`.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let mut index = 0;
        while let Some((k, v)) = self.entries.get_mut(index) {
            if keep(k, v) {
                index += 1;
            } else {
                remove_at(&mut self.entries, index);
            }
        }
    }

    /// The entry at `index`, in insertion order.
    pub fn get_index(&self, index: usize) -> Option<(&K, &V)> {
        self.entries.get(index).map(|(k, v)| (k, v))
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Keys in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Values in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Values in insertion order, mutably.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map_in_insertion_order() {
        // `remove_at` is `Vec::remove` that answers `None` past the end.
        let mut v = vec![1, 2, 3, 4];
        assert_eq!(remove_at(&mut v, 1), Some(2));
        assert_eq!(v, [1, 3, 4]);
        assert_eq!(remove_at(&mut v, 2), Some(4));
        assert_eq!(remove_at(&mut v, 2), None);
        assert_eq!(remove_at(&mut v, 0), Some(1));
        assert_eq!(v, [3]);

        let mut m: VecMap<String, u32> = VecMap::new();
        assert!(m.is_empty());
        assert_eq!(m.insert("b".into(), 1), None);
        assert_eq!(m.insert("a".into(), 2), None);
        assert_eq!(m.insert("b".into(), 3), Some(1));
        assert_eq!(m.keys().map(String::as_str).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(m.get("b"), Some(&3));
        *m.get_mut("a").unwrap() += 1;
        assert_eq!(m.get("a"), Some(&3));
        m.insert("c".into(), 0);
        m.retain(|_, v| *v > 0);
        assert_eq!(m.len(), 2);
        assert_eq!(m.remove("b"), Some(3));
        assert_eq!(m.remove("b"), None);
        assert!(m.contains_key("a") && !m.contains_key("b"));
        m.clear();
        assert_eq!(m.values().count(), 0);
    }
}
