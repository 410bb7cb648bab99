//! The two value operations of server-side apply: merging an applied configuration into the live
//! object (maps by key, keyed lists by item, atomic values replaced), and removing a set of
//! fields from an object (pruning).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::fieldset::item_element;
use super::path::PathElement;
use super::schema::{ListType, Type};
use super::set::FieldSet;

/// `config` merged into `live`.
pub fn merge<'a>(live: &'a Value, config: &'a Value, ty: Type<'a>) -> Value {
    merge_values(Some(live), Some(config), ty).unwrap_or(Value::Null)
}

fn merge_values<'a>(
    live: Option<&'a Value>,
    config: Option<&'a Value>,
    ty: Type<'a>,
) -> Option<Value> {
    let (live, config) = match (live, config) {
        (None, config) => return config.cloned(),
        (live, None) => return live.cloned(),
        (Some(live), Some(config)) => (live, config),
    };
    match (live, config) {
        (Value::Object(_) | Value::Null, Value::Object(_) | Value::Null) if !ty.is_atomic_map() => {
            let live_map = live.as_object();
            let config_map = config.as_object();
            let empty = |map: Option<&Map<String, Value>>| map.is_none_or(Map::is_empty);
            if empty(live_map) && empty(config_map) {
                return Some(config.clone());
            }
            let mut out = Map::new();
            for (key, value) in live_map.into_iter().flatten() {
                let (child_type, _) = ty.field(key);
                let config_value = config_map.and_then(|map| map.get(key));
                if let Some(merged) = merge_values(Some(value), config_value, child_type) {
                    out.insert(key.clone(), merged);
                }
            }
            for (key, value) in config_map.into_iter().flatten() {
                if live_map.is_some_and(|map| map.contains_key(key)) {
                    continue;
                }
                out.insert(key.clone(), value.clone());
            }
            Some(Value::Object(out))
        }
        (Value::Array(_) | Value::Null, Value::Array(_) | Value::Null) => {
            let list_type = ty.list_type();
            let live_items = live.as_array().map(Vec::as_slice).unwrap_or_default();
            let config_items = config.as_array().map(Vec::as_slice).unwrap_or_default();
            if list_type == ListType::Atomic || (live_items.is_empty() && config_items.is_empty()) {
                return Some(config.clone());
            }
            let merged = merge_lists(live_items, config_items, ty, &list_type);
            (!merged.is_empty()).then_some(Value::Array(merged))
        }
        _ => Some(config.clone()),
    }
}

/// Merges keyed lists: items in both are merged, live-only items keep their place, config items
/// follow the config's order around the items both share.
fn merge_lists<'a>(
    live: &'a [Value],
    config: &'a [Value],
    ty: Type<'a>,
    list_type: &ListType,
) -> Vec<Value> {
    let element = ty.element();
    let index = |items: &'a [Value]| -> Vec<(PathElement, &'a Value)> {
        let mut seen: BTreeSet<PathElement> = BTreeSet::new();
        let mut order = Vec::new();
        for (position, item) in items.iter().enumerate() {
            let key = item_element(ty, list_type, item, position);
            if seen.insert(key.clone()) {
                order.push((key, item));
            }
        }
        order
    };
    let live_index = index(live);
    let config_index = index(config);
    let live_items: BTreeMap<&PathElement, &'a Value> =
        live_index.iter().map(|(key, item)| (key, *item)).collect();
    let config_items: BTreeMap<&PathElement, &'a Value> = config_index
        .iter()
        .map(|(key, item)| (key, *item))
        .collect();
    let in_live = |key: &PathElement| live_items.get(key).copied();
    let in_config = |key: &PathElement| config_items.get(key).copied();
    let mut shared: std::collections::VecDeque<&PathElement> = config_index
        .iter()
        .map(|(key, _)| key)
        .filter(|key| in_live(key).is_some())
        .collect();
    let mut next_shared = shared.pop_front();
    let mut merged_keys: BTreeSet<&PathElement> = BTreeSet::new();
    let mut out = Vec::new();
    let (mut l, mut r) = (0, 0);
    while l < live_index.len() || r < config_index.len() {
        if l < live_index.len() && r < config_index.len() {
            let live_key = &live_index[l].0;
            if *live_key == config_index[r].0 {
                merged_keys.insert(live_key);
                if let Some(item) = merge_values(in_live(live_key), in_config(live_key), element) {
                    out.push(item);
                }
                l += 1;
                r += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if in_config(live_key).is_some() && next_shared.is_some_and(|next| next != live_key) {
                l += 1;
                continue;
            }
        }
        if l < live_index.len() {
            let live_key = &live_index[l].0;
            if in_config(live_key).is_none() {
                out.push(live_index[l].1.clone());
                l += 1;
                continue;
            }
            if merged_keys.contains(live_key) {
                l += 1;
                continue;
            }
        }
        if r < config_index.len() {
            let config_key = &config_index[r].0;
            merged_keys.insert(config_key);
            if let Some(item) = merge_values(in_live(config_key), in_config(config_key), element) {
                out.push(item);
            }
            r += 1;
            if next_shared.is_some_and(|next| next == config_key) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}

/// `value` without the fields in `remove` (paths relative to it). Maps and lists left empty by
/// the removal disappear.
pub fn remove<'a>(value: &'a Value, remove: &'a FieldSet, ty: Type<'a>) -> Value {
    remove_from(value, remove, ty).unwrap_or(Value::Null)
}

fn remove_from<'a>(value: &'a Value, remove: &'a FieldSet, ty: Type<'a>) -> Option<Value> {
    match value {
        Value::Object(map) if !map.is_empty() && !ty.is_atomic_map() => {
            let mut out = Map::new();
            for (key, child) in map {
                let element = PathElement::Field(key.clone());
                if remove.has_member(&element) {
                    continue;
                }
                match remove.with_prefix(&element) {
                    Some(below) => {
                        let (child_type, _) = ty.field(key);
                        if let Some(kept) = remove_from(child, below, child_type) {
                            out.insert(key.clone(), kept);
                        }
                    }
                    None => {
                        out.insert(key.clone(), child.clone());
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Value::Array(items) if !items.is_empty() => {
            let list_type = ty.list_type();
            if list_type == ListType::Atomic {
                return Some(value.clone());
            }
            let element_type = ty.element();
            let mut out = Vec::new();
            for (position, item) in items.iter().enumerate() {
                let element = item_element(ty, &list_type, item, position);
                if remove.has_member(&element) {
                    continue;
                }
                match remove.with_prefix(&element) {
                    Some(below) => {
                        if let Some(kept) = remove_from(item, below, element_type) {
                            out.push(kept);
                        }
                    }
                    None => out.push(item.clone()),
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        _ => Some(value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::schema::Schema;
    use crate::registry::{Lookup, Registry};
    use serde_json::json;

    fn schema() -> Schema {
        let Lookup::Found(info) = Registry::new().lookup("apps", "v1", "deployments") else {
            panic!("deployments are served");
        };
        Schema::for_resource(&info)
    }

    #[test]
    fn keyed_lists_merge_by_key_and_atomic_values_are_replaced() {
        let schema = schema();
        let live = json!({"spec": {"selector": {"matchLabels": {"a": "1", "b": "2"}}, "template": {"spec": {"containers": [
            {"name": "web", "image": "web:1", "args": ["--a", "--b"]},
            {"name": "sidecar", "image": "side:1"}
        ]}}}});
        let config = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {"spec": {"containers": [
            {"name": "web", "image": "web:2", "args": ["--c"]},
            {"name": "proxy", "image": "proxy:1"}
        ]}}}});
        let merged = merge(&live, &config, schema.root());
        assert_eq!(
            merged,
            json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {"spec": {"containers": [
                {"name": "web", "image": "web:2", "args": ["--c"]},
                {"name": "sidecar", "image": "side:1"},
                {"name": "proxy", "image": "proxy:1"}
            ]}}}})
        );
    }

    #[test]
    fn removal_drops_members_and_empties() {
        let schema = schema();
        let object = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 2}});
        let mut gone = FieldSet::new();
        gone.insert(&[
            PathElement::Field("metadata".into()),
            PathElement::Field("labels".into()),
            PathElement::Field("a".into()),
        ]);
        assert_eq!(
            remove(&object, &gone, schema.root()),
            json!({"spec": {"replicas": 2}})
        );
    }
}
