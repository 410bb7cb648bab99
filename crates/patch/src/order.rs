//! The order of a merged list's elements: kubectl's (base order with the patch's elements
//! interleaved, down to the quirks of its Go implementation) or kustomize's (patch first).

use serde_json::Value;

use crate::strategic::{Flavor, Merger};

/// What identifies an element of a merged list.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Identity<'k> {
    /// The element itself (primitive lists).
    Value,
    /// The value of the merge key (keyed lists).
    Key(&'k str),
}

impl Identity<'_> {
    /// The identity of `item`; `None` for an element without the merge key.
    pub(crate) fn of(self, item: &Value) -> Option<&Value> {
        match self {
            Identity::Value => Some(item),
            Identity::Key(key) => item.get(key),
        }
    }
}

impl Merger {
    /// Orders merged elements. `from_patch` (the elements the patch names) is sorted by
    /// `patch_order` and `base_only` by `base_order` (both lists of identities). kubectl then
    /// interleaves them, taking a base element first only when it comes before the next patch
    /// element in `base_order`; kustomize puts the patch's elements first.
    pub(crate) fn arrange(
        &self,
        mut from_patch: Vec<Value>,
        mut base_only: Vec<Value>,
        identity: Identity<'_>,
        patch_order: &[Value],
        base_order: &[Value],
    ) -> Vec<Value> {
        let position = |order: &[Value], item: &Value| -> Option<usize> {
            let identity = identity.of(item)?;
            order.iter().position(|candidate| candidate == identity)
        };
        // kubectl's comparator holds an element not found in the order "less" than any other.
        let sort_by = |items: &mut Vec<Value>, order: &[Value]| {
            go_insertion_sort(items, |left, right| {
                match (position(order, left), position(order, right)) {
                    (Some(left), Some(right)) => left < right,
                    _ => true,
                }
            });
        };
        sort_by(&mut from_patch, patch_order);
        sort_by(&mut base_only, base_order);
        if self.flavor == Flavor::Kustomize {
            from_patch.extend(base_only);
            return from_patch;
        }
        let base_first = |left: &Value, right: &Value| matches!((position(base_order, left), position(base_order, right)), (Some(left), Some(right)) if left < right);
        let mut arranged = Vec::with_capacity(from_patch.len() + base_only.len());
        let (mut lefts, mut rights) = (base_only.into_iter(), from_patch.into_iter());
        let (mut left, mut right) = (lefts.next(), rights.next());
        loop {
            match (left.take(), right.take()) {
                (Some(next_left), Some(next_right)) => {
                    if base_first(&next_left, &next_right) {
                        arranged.push(next_left);
                        (left, right) = (lefts.next(), Some(next_right));
                    } else {
                        arranged.push(next_right);
                        (left, right) = (Some(next_left), rights.next());
                    }
                }
                (Some(next_left), None) => {
                    arranged.push(next_left);
                    arranged.extend(lefts);
                    break;
                }
                (None, Some(next_right)) => {
                    arranged.push(next_right);
                    arranged.extend(rights);
                    break;
                }
                (None, None) => break,
            }
        }
        arranged
    }
}

/// Go's `sort.SliceStable` for up to 20 elements (an insertion sort), which gives the same
/// result as Go for the inconsistent comparator kubectl uses; any stable sort agrees with it
/// when the comparator is consistent.
fn go_insertion_sort(items: &mut [Value], less: impl Fn(&Value, &Value) -> bool) {
    for unsorted in 1..items.len() {
        let mut index = unsorted;
        while index > 0 && less(&items[index], &items[index - 1]) {
            items.swap(index, index - 1);
            index -= 1;
        }
    }
}

/// The identities kubectl sees as "the base list" when it orders a keyed list under
/// `$setElementOrder`. Its Go code reads the base slice after merging into it in place:
/// deleting an element shifts the rest of the backing array left (leaving the last slot
/// stale), and appending new elements writes into the freed slots.
pub(crate) fn kubectl_base_order(base: &[Value], patch: &[Value], key: &str) -> Vec<Value> {
    let Some(mut backing) = base
        .iter()
        .map(|item| item.get(key).cloned())
        .collect::<Option<Vec<_>>>()
    else {
        return base
            .iter()
            .filter_map(|item| item.get(key).cloned())
            .collect();
    };
    let mut length = backing.len();
    let directive = |element: &Value| {
        element
            .get(crate::directives::PATCH)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut replace = false;
    for element in patch {
        match directive(element).as_deref() {
            Some("delete") => {
                let Some(doomed) = element.get(key) else {
                    continue;
                };
                while let Some(index) = backing[..length].iter().position(|value| value == doomed) {
                    for slot in index..length - 1 {
                        backing[slot] = backing[slot + 1].clone();
                    }
                    length -= 1;
                }
            }
            Some("replace") => replace = true,
            _ => {}
        }
    }
    if !replace {
        for element in patch
            .iter()
            .filter(|element| directive(element).is_none_or(|name| name == "merge"))
        {
            let Some(value) = element.get(key) else {
                continue;
            };
            let present = backing[..length.min(backing.len())].contains(value);
            if !present {
                if length < backing.len() {
                    backing[length] = value.clone();
                }
                length += 1;
            }
        }
    }
    backing
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kubectl_sees_deleted_slots_refilled_by_appended_elements() {
        let base = [
            json!({"name": "a"}),
            json!({"name": "d"}),
            json!({"name": "b"}),
            json!({"name": "c"}),
        ];
        let patch = [
            json!({"name": "d", "$patch": "delete"}),
            json!({"name": "e"}),
            json!({"name": "c"}),
        ];
        assert_eq!(
            kubectl_base_order(&base, &patch, "name"),
            [json!("a"), json!("b"), json!("c"), json!("e")]
        );
    }

    #[test]
    fn kubectl_sees_a_stale_last_slot_after_a_deletion() {
        let base = [
            json!({"name": "a"}),
            json!({"name": "b"}),
            json!({"name": "c"}),
        ];
        let patch = [json!({"name": "a", "$patch": "delete"})];
        assert_eq!(
            kubectl_base_order(&base, &patch, "name"),
            [json!("b"), json!("c"), json!("c")]
        );
    }

    #[test]
    fn go_insertion_sort_moves_unordered_elements_like_go() {
        let mut items = vec![json!(2), json!(null), json!(1)];
        go_insertion_sort(&mut items, |left, right| {
            match (left.as_u64(), right.as_u64()) {
                (Some(left), Some(right)) => left < right,
                _ => true,
            }
        });
        assert_eq!(items, [json!(1), json!(null), json!(2)]);
    }
}
