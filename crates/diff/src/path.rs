//! Paths into JSON values, and removing what they point at without leaving empty shells.

use std::cmp::Ordering;

use serde_json::Value;

/// One step of a path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A key of a map.
    Key(String),
    /// A position in a list.
    Index(usize),
}

/// Whether a value is a map or list with nothing in it.
pub(crate) fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Removes the value at `path` and then every ancestor that the removal left empty (never
/// `value` itself). A path that leads nowhere removes nothing. Returns whether anything was
/// removed.
pub(crate) fn remove_path(value: &mut Value, path: &[Segment]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return remove_child(value, first);
    }
    let child = match (&mut *value, first) {
        (Value::Object(map), Segment::Key(key)) => map.get_mut(key),
        (Value::Array(items), Segment::Index(index)) => items.get_mut(*index),
        _ => None,
    };
    let Some(child) = child else {
        return false;
    };
    if !remove_path(child, rest) {
        return false;
    }
    if is_empty_container(child) {
        remove_child(value, first);
    }
    true
}

/// Removes every path, deepest and last list positions first so that earlier removals do
/// not shift the positions later paths name.
pub(crate) fn remove_paths(value: &mut Value, mut paths: Vec<Vec<Segment>>) -> bool {
    paths.sort_by(|a, b| compare_paths(b, a));
    paths.dedup();
    let mut removed = false;
    for path in &paths {
        removed |= remove_path(value, path);
    }
    removed
}

fn remove_child(value: &mut Value, segment: &Segment) -> bool {
    match (value, segment) {
        (Value::Object(map), Segment::Key(key)) => map.shift_remove(key).is_some(),
        (Value::Array(items), Segment::Index(index)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

fn compare_paths(a: &[Segment], b: &[Segment]) -> Ordering {
    for (left, right) in a.iter().zip(b) {
        let order = match (left, right) {
            (Segment::Key(left), Segment::Key(right)) => left.cmp(right),
            (Segment::Index(left), Segment::Index(right)) => left.cmp(right),
            (Segment::Key(_), Segment::Index(_)) => Ordering::Greater,
            (Segment::Index(_), Segment::Key(_)) => Ordering::Less,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(name: &str) -> Segment {
        Segment::Key(name.to_string())
    }

    #[test]
    fn removing_the_last_annotation_removes_the_emptied_map() {
        let mut object = json!({"metadata": {"name": "web", "annotations": {"a": "1"}}});
        assert!(remove_path(
            &mut object,
            &[key("metadata"), key("annotations"), key("a")]
        ));
        assert_eq!(object, json!({"metadata": {"name": "web"}}));
    }

    #[test]
    fn a_path_that_leads_nowhere_removes_nothing() {
        let mut object = json!({"spec": {"replicas": 2}});
        assert!(!remove_path(&mut object, &[key("spec"), key("paused")]));
        assert!(!remove_path(
            &mut object,
            &[key("spec"), key("replicas"), key("x")]
        ));
        assert!(!remove_path(&mut object, &[key("spec"), Segment::Index(0)]));
        assert_eq!(object, json!({"spec": {"replicas": 2}}));
    }

    #[test]
    fn several_list_positions_are_removed_without_shifting_each_other() {
        let mut object = json!({"items": ["a", "b", "c", "d"]});
        let paths = vec![
            vec![key("items"), Segment::Index(1)],
            vec![key("items"), Segment::Index(3)],
        ];
        assert!(remove_paths(&mut object, paths));
        assert_eq!(object, json!({"items": ["a", "c"]}));
    }
}
