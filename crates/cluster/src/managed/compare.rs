//! What changed between two versions of an object, as sets of added, modified and removed
//! fields. Maps and lists that appear or disappear are recorded themselves too, which is where
//! the `.: {}` of an update's fields come from.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::fieldset::{item_element, values_equal};
use super::path::PathElement;
use super::schema::{ListType, Type};
use super::set::FieldSet;

/// The fields that differ between an old and a new object.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// Fields only the new object has.
    pub added: FieldSet,
    /// Fields both have, with different values.
    pub modified: FieldSet,
    /// Fields only the old object has.
    pub removed: FieldSet,
}

impl Comparison {
    /// The comparison without `ignored` fields and everything below them.
    pub fn excluding(&self, ignored: &FieldSet) -> Comparison {
        Comparison {
            added: self.added.recursive_difference(ignored),
            modified: self.modified.recursive_difference(ignored),
            removed: self.removed.recursive_difference(ignored),
        }
    }

    /// Added and modified fields.
    pub fn changed(&self) -> FieldSet {
        self.added.union(&self.modified)
    }
}

/// Compares `old` with `new`.
pub fn compare<'a>(old: &'a Value, new: &'a Value, ty: Type<'a>) -> Comparison {
    let mut comparison = Comparison::default();
    walk(Some(old), Some(new), ty, &mut Vec::new(), &mut comparison);
    comparison
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Map,
    List,
    Scalar,
}

fn shape(value: Option<&Value>) -> Option<Shape> {
    match value? {
        Value::Null => None,
        Value::Object(_) => Some(Shape::Map),
        Value::Array(_) => Some(Shape::List),
        _ => Some(Shape::Scalar),
    }
}

fn leaf(
    old: Option<&Value>,
    new: Option<&Value>,
    path: &[PathElement],
    comparison: &mut Comparison,
) {
    match (old, new) {
        (None, Some(_)) => comparison.added.insert(path),
        (Some(_), None) => comparison.removed.insert(path),
        (Some(old), Some(new)) if !values_equal(old, new) => comparison.modified.insert(path),
        _ => {}
    }
}

fn walk<'a>(
    old: Option<&'a Value>,
    new: Option<&'a Value>,
    ty: Type<'a>,
    path: &mut Vec<PathElement>,
    comparison: &mut Comparison,
) {
    let (old_shape, new_shape) = (shape(old), shape(new));
    let shape = match (old_shape, new_shape) {
        (Some(a), Some(b)) if a != b => Shape::Scalar,
        (Some(shape), _) | (None, Some(shape)) => shape,
        (None, None) => Shape::Scalar,
    };
    match shape {
        Shape::Map => {
            let old_map = old.and_then(Value::as_object);
            let new_map = new.and_then(Value::as_object);
            let empty =
                |map: Option<&serde_json::Map<String, Value>>| map.is_none_or(|map| map.is_empty());
            if ty.is_atomic_map() || (empty(old_map) && empty(new_map)) {
                leaf(old, new, path, comparison);
                return;
            }
            let mut keys: Vec<&'a String> =
                old_map.into_iter().flat_map(|map| map.keys()).collect();
            if let Some(new_map) = new_map {
                keys.extend(
                    new_map
                        .keys()
                        .filter(|key| old_map.is_none_or(|old| !old.contains_key(*key))),
                );
            }
            for key in keys {
                let (child_type, _) = ty.field(key);
                path.push(PathElement::Field(key.clone()));
                walk(
                    old_map.and_then(|map| map.get(key)),
                    new_map.and_then(|map| map.get(key)),
                    child_type,
                    path,
                    comparison,
                );
                path.pop();
            }
        }
        Shape::List => {
            let old_items = old.and_then(Value::as_array);
            let new_items = new.and_then(Value::as_array);
            let empty = |items: Option<&Vec<Value>>| items.is_none_or(|items| items.is_empty());
            let list_type = ty.list_type();
            if list_type == ListType::Atomic || (empty(old_items) && empty(new_items)) {
                leaf(old, new, path, comparison);
                return;
            }
            let element = ty.element();
            let index = |items: Option<&'a Vec<Value>>| {
                let mut index: BTreeMap<PathElement, &'a Value> = BTreeMap::new();
                for (position, item) in items.into_iter().flatten().enumerate() {
                    index
                        .entry(item_element(ty, &list_type, item, position))
                        .or_insert(item);
                }
                index
            };
            let old_index = index(old_items);
            let new_index = index(new_items);
            let elements: BTreeSet<&PathElement> =
                old_index.keys().chain(new_index.keys()).collect();
            for list_element in elements {
                path.push(list_element.clone());
                walk(
                    old_index.get(list_element).copied(),
                    new_index.get(list_element).copied(),
                    element,
                    path,
                    comparison,
                );
                path.pop();
            }
        }
        Shape::Scalar => {
            leaf(old, new, path, comparison);
            return;
        }
    }
    match (old, new) {
        (None, Some(_)) => comparison.added.insert(path),
        (Some(_), None) => comparison.removed.insert(path),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::schema::Schema;
    use crate::registry::{Lookup, Registry};
    use serde_json::json;

    #[test]
    fn new_maps_and_list_items_are_added_with_their_fields() {
        let Lookup::Found(info) = Registry::new().lookup("apps", "v1", "deployments") else {
            panic!("deployments are served");
        };
        let schema = Schema::for_resource(&info);
        let old = json!({"spec": {"template": {"spec": {"containers": null}}}});
        let new = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "x"}]}}}});
        let comparison = compare(&old, &new, schema.root());
        assert_eq!(
            comparison.added.to_fields_v1(),
            json!({
                "f:metadata": {".": {}, "f:labels": {".": {}, "f:app": {}}},
                "f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}
                }}}}
            })
        );
        assert!(comparison.modified.is_empty());
    }
}
