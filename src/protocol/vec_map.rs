//! Removing from the short ordered lists of the core (channels on a page, presence
//! members, shaped listeners).
//!
//! These lists hold a handful of entries, where a linear scan is as fast as a tree and
//! the code is a fraction of the size: every `BTreeMap<K, V>` instantiation costs several
//! kilobytes of wasm.

use crate::prelude::*;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_at_is_vec_remove_that_answers_none_past_the_end() {
        let mut v = vec![1, 2, 3, 4];
        assert_eq!(remove_at(&mut v, 1), Some(2));
        assert_eq!(v, [1, 3, 4]);
        assert_eq!(remove_at(&mut v, 2), Some(4));
        assert_eq!(remove_at(&mut v, 2), None);
        assert_eq!(remove_at(&mut v, 0), Some(1));
        assert_eq!(v, [3]);
    }
}
