//! The set of fields a value sets (what an applier comes to own), list items as path elements,
//! and the named-field completion that pruning works with.

use serde_json::Value;

use super::path::PathElement;
use super::schema::{ListType, Type};
use super::set::FieldSet;

/// The path element of item `index` of a list of type `list`: its key fields, its value, or its
/// index when it cannot be keyed (an invalid item).
pub fn item_element(
    list: Type<'_>,
    list_type: &ListType,
    item: &Value,
    index: usize,
) -> PathElement {
    match list_type {
        ListType::Map(keys) => {
            let Some(object) = item.as_object() else {
                return PathElement::Index(index);
            };
            let mut fields: Vec<(String, Value)> = keys
                .iter()
                .filter_map(|key| match object.get(key) {
                    Some(value) => Some((key.clone(), value.clone())),
                    None => list.key_default(key).map(|value| (key.clone(), value)),
                })
                .collect();
            if fields.is_empty() {
                return PathElement::Index(index);
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            PathElement::Key(fields)
        }
        ListType::Set if !item.is_object() && !item.is_array() && !item.is_null() => {
            PathElement::Value(item.clone())
        }
        _ => PathElement::Index(index),
    }
}

/// True when both values are equal, numbers compared by value (`1` equals `1.0`).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| values_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| values_equal(x, y)))
        }
        _ => a == b,
    }
}

/// The fields `value` sets: every scalar, every list item, atomic maps and lists as a whole,
/// empty and null values, and keys of maps that are not struct fields.
pub fn to_field_set<'a>(value: &'a Value, ty: Type<'a>) -> FieldSet {
    let mut set = FieldSet::new();
    collect(value, ty, &mut Vec::new(), &mut set);
    set
}

fn collect<'a>(value: &'a Value, ty: Type<'a>, path: &mut Vec<PathElement>, set: &mut FieldSet) {
    match value {
        Value::Object(map) => {
            if ty.is_atomic_map() {
                set.insert(path);
                return;
            }
            for (key, child) in map {
                let (child_type, named) = ty.field(key);
                path.push(PathElement::Field(key.clone()));
                collect(child, child_type, path, set);
                let empty = child.is_null() || child.as_object().is_some_and(|map| map.is_empty());
                if empty || !named {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            let list_type = ty.list_type();
            if list_type == ListType::Atomic {
                set.insert(path);
                return;
            }
            let element = ty.element();
            for (index, item) in items.iter().enumerate() {
                path.push(item_element(ty, &list_type, item, index));
                collect(item, element, path, set);
                set.insert(path);
                path.pop();
            }
        }
        _ => set.insert(path),
    }
}

/// `set` with every named struct field that has members below it made a member too (so that
/// pruning can remove the field as a whole).
pub fn ensure_named<'a>(set: &'a FieldSet, ty: Type<'a>) -> FieldSet {
    let mut out = FieldSet::new();
    for member in set.members() {
        out.insert_member(member.clone());
    }
    for (element, child) in set.children() {
        let child_type = match element {
            PathElement::Field(name) => {
                let (child_type, named) = ty.field(name);
                if named {
                    out.insert_member(element.clone());
                }
                child_type
            }
            PathElement::Key(_) => ty.element(),
            _ => Type::Deduced,
        };
        out.insert_child(element.clone(), ensure_named(child, child_type));
    }
    out
}
