//! Metadata rules shared by every verb: server-owned fields on create and update, generation,
//! and the key order the real server writes.

use serde_json::{Map, Value, json};

use super::{ids, time};
use crate::registry::ResourceInfo;

/// Metadata keys in the order the real server writes them.
const METADATA_ORDER: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Metadata fields only the server sets.
const SERVER_OWNED: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
    "managedFields",
];

/// Every field `ObjectMeta` has.
pub const KNOWN_METADATA: &[&str] = METADATA_ORDER;

/// A string field of `metadata`.
pub fn text<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    object.get("metadata")?.get(field)?.as_str()
}

/// `metadata.name` (empty when absent).
pub fn name(object: &Value) -> &str {
    text(object, "name").unwrap_or("")
}

/// The `metadata` map, created when missing.
pub fn metadata_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    let map = object.as_object_mut()?;
    let metadata = map.entry("metadata").or_insert_with(|| json!({}));
    if !metadata.is_object() {
        *metadata = json!({});
    }
    metadata.as_object_mut()
}

/// Sets the server-owned metadata of a new object: uid, creationTimestamp, generation.
pub fn prepare_create(object: &mut Value, info: &ResourceInfo) {
    if let Some(metadata) = metadata_mut(object) {
        for field in SERVER_OWNED {
            metadata.remove(*field);
        }
        metadata.insert("uid".into(), json!(ids::uid()));
        metadata.insert("creationTimestamp".into(), json!(time::now()));
        if info.generation {
            metadata.insert("generation".into(), json!(1));
        }
    }
}

/// Carries the server-owned metadata of the stored object over to its replacement, and moves
/// `generation` when anything but metadata (and status, when it is a subresource) changed.
pub fn prepare_update(object: &mut Value, old: &Value, info: &ResourceInfo) {
    let status_is_separate = !info.custom || info.subresource("status").is_some();
    // Deployments also move their generation when annotations change (rollbacks were once
    // requested through an annotation).
    let annotations_changed = (info.group.as_str(), info.kind.as_str()) == ("apps", "Deployment")
        && object
            .pointer("/metadata/annotations")
            .filter(|value| !is_empty(value))
            != old
                .pointer("/metadata/annotations")
                .filter(|value| !is_empty(value));
    let changed = spec_changed(object, old, status_is_separate) || annotations_changed;
    if let Some(metadata) = metadata_mut(object) {
        for field in SERVER_OWNED {
            metadata.remove(*field);
            if let Some(value) = old
                .get("metadata")
                .and_then(|metadata| metadata.get(*field))
            {
                metadata.insert((*field).to_string(), value.clone());
            }
        }
        metadata.remove("managedFields");
        if info.generation {
            let generation = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            metadata.insert(
                "generation".into(),
                json!(if changed { generation + 1 } else { generation }),
            );
        }
    }
}

fn spec_changed(new: &Value, old: &Value, status_is_separate: bool) -> bool {
    let strip = |object: &Value| -> Map<String, Value> {
        let mut map = object.as_object().cloned().unwrap_or_default();
        for field in ["metadata", "apiVersion", "kind"] {
            map.remove(field);
        }
        if status_is_separate {
            map.remove("status");
        }
        map
    };
    strip(new) != strip(old)
}

/// Reserves `metadata.resourceVersion` in its place in the key order (the store fills it in).
pub fn reserve_resource_version(object: &mut Value) {
    if let Some(metadata) = metadata_mut(object) {
        metadata.insert("resourceVersion".into(), json!(""));
    }
    normalise(object);
}

/// Bumps `metadata.generation` (graceful deletion does this for kinds that track it).
pub fn bump_generation(object: &mut Value, info: &ResourceInfo) {
    if !info.generation {
        return;
    }
    if let Some(metadata) = metadata_mut(object) {
        let generation = metadata
            .get("generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        metadata.insert("generation".into(), json!(generation + 1));
    }
}

/// Rewrites the key order the way the real server writes objects: kind, apiVersion, metadata (in
/// `ObjectMeta` order), the body in its own order, status last.
pub fn normalise(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let mut ordered = Map::new();
    for field in ["kind", "apiVersion", "metadata"] {
        if let Some(value) = map.remove(field) {
            ordered.insert(field.to_string(), value);
        }
    }
    let status = map.remove("status");
    for (key, value) in std::mem::take(map) {
        ordered.insert(key, value);
    }
    if let Some(status) = status {
        ordered.insert("status".into(), status);
    }
    if let Some(metadata) = ordered.get_mut("metadata").and_then(Value::as_object_mut) {
        // Go omits empty maps and lists of ObjectMeta (`omitempty`).
        for field in ["labels", "annotations", "finalizers", "ownerReferences"] {
            if metadata.get(field).is_some_and(is_empty) {
                metadata.remove(field);
            }
        }
        let mut sorted = Map::new();
        for field in METADATA_ORDER {
            if let Some(value) = metadata.remove(*field) {
                sorted.insert((*field).to_string(), value);
            }
        }
        for (key, value) in std::mem::take(metadata) {
            sorted.insert(key, value);
        }
        *metadata = sorted;
    }
    *map = ordered;
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The finalizers of an object.
pub fn finalizers(object: &Value) -> Vec<String> {
    object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// True when the object is being deleted.
pub fn is_deleting(object: &Value) -> bool {
    object
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|value| !value.is_null())
}
