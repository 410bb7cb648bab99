//! Reading and building Kubernetes objects held as JSON: metadata, owner references, labels,
//! conditions, int-or-percent values and timestamps.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferry_cluster::object::time as wire_time;
use serde_json::{Map, Value, json};

/// A string at a JSON pointer.
pub fn text<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}

/// An integer at a JSON pointer.
pub fn integer(object: &Value, pointer: &str) -> Option<i64> {
    object.pointer(pointer).and_then(Value::as_i64)
}

/// `metadata.name`.
pub fn name(object: &Value) -> &str {
    text(object, "/metadata/name").unwrap_or("")
}

/// `metadata.namespace`.
pub fn namespace(object: &Value) -> &str {
    text(object, "/metadata/namespace").unwrap_or("")
}

/// `metadata.uid`.
pub fn uid(object: &Value) -> &str {
    text(object, "/metadata/uid").unwrap_or("")
}

/// `metadata.generation` (1 when absent).
pub fn generation(object: &Value) -> i64 {
    integer(object, "/metadata/generation").unwrap_or(1)
}

/// True once `metadata.deletionTimestamp` is set.
pub fn is_deleting(object: &Value) -> bool {
    object.pointer("/metadata/deletionTimestamp").is_some()
}

/// One annotation.
pub fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.pointer("/metadata/annotations")?.get(key)?.as_str()
}

/// `metadata.labels` as a sorted map.
pub fn labels(object: &Value) -> BTreeMap<String, String> {
    ferry_cluster::selector::labels_of(object.pointer("/metadata/labels"))
}

/// The uid of the owner that controls this object.
pub fn controller_uid(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|reference| reference.get("controller") == Some(&Value::Bool(true)))?
        .get("uid")?
        .as_str()
}

/// The kind of the owner that controls this object.
pub fn controller_kind(object: &Value) -> Option<(&str, &str)> {
    let reference = object
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|reference| reference.get("controller") == Some(&Value::Bool(true)))?;
    Some((
        reference.get("kind")?.as_str()?,
        reference.get("name")?.as_str()?,
    ))
}

/// The controller owner reference pointing at `owner`.
pub fn owner_reference(owner: &Value) -> Value {
    json!({
        "apiVersion": text(owner, "/apiVersion").unwrap_or(""),
        "kind": text(owner, "/kind").unwrap_or(""),
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// An `ObjectReference` to `object` (for Events and endpoint targets).
pub fn object_reference(object: &Value) -> Value {
    json!({
        "kind": text(object, "/kind").unwrap_or(""),
        "namespace": namespace(object),
        "name": name(object),
        "uid": uid(object),
        "apiVersion": text(object, "/apiVersion").unwrap_or(""),
        "resourceVersion": text(object, "/metadata/resourceVersion").unwrap_or(""),
    })
}

/// The `metadata` map of an object, created when missing.
pub fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    map_at(object, "metadata")
}

/// The map under `key`, created (or replaced) when it is not a map.
pub fn map_at<'a>(object: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    ensure_map(
        ensure_map(object)
            .entry(key.to_string())
            .or_insert(Value::Null),
    )
}

/// The value as a map, replaced by an empty map when it is not one.
pub fn ensure_map(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("replaced by a map above"),
    }
}

/// Sets (or with `None` removes) one annotation.
pub fn set_annotation(object: &mut Value, key: &str, value: Option<&str>) {
    let metadata = metadata_mut(object);
    match value {
        Some(value) => {
            let annotations = ensure_map(
                metadata
                    .entry("annotations".to_string())
                    .or_insert(Value::Null),
            );
            annotations.insert(key.to_string(), json!(value));
        }
        None => {
            if let Some(annotations) = metadata
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
            {
                annotations.remove(key);
                if annotations.is_empty() {
                    metadata.remove("annotations");
                }
            }
        }
    }
}

/// Resolves an int-or-percent value (`2`, `"25%"`) against `total`, rounding up or down.
pub fn int_or_percent(value: Option<&Value>, total: i64, round_up: bool, default: i64) -> i64 {
    match value {
        Some(Value::Number(number)) => number.as_i64().unwrap_or(default),
        Some(Value::String(text)) => match text.strip_suffix('%') {
            Some(percent) => {
                let percent: i64 = percent.trim().parse().unwrap_or(0);
                let scaled = total * percent;
                if round_up {
                    (scaled + 99).div_euclid(100)
                } else {
                    scaled.div_euclid(100)
                }
            }
            None => text.trim().parse().unwrap_or(default),
        },
        _ => default,
    }
}

/// A condition of `status.conditions` by type.
pub fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|condition| condition.get("type").and_then(Value::as_str) == Some(kind))
}

/// True when a condition of this type has status `True`.
pub fn condition_is_true(object: &Value, kind: &str) -> bool {
    condition(object, kind)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

/// A wall-clock instant in the Kubernetes wire form (seconds, UTC).
pub fn timestamp(instant: SystemTime) -> String {
    let seconds = instant
        .duration_since(UNIX_EPOCH)
        .map(|duration| duration.as_secs())
        .unwrap_or(0);
    wire_time::format_unix(seconds)
}

/// Reads a wire timestamp back.
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    wire_time::parse_unix(text).map(|seconds| UNIX_EPOCH + Duration::from_secs(seconds))
}

/// A timestamp field read back as an instant.
pub fn time_at(object: &Value, pointer: &str) -> Option<SystemTime> {
    text(object, pointer).and_then(parse_timestamp)
}

/// The 32-bit FNV-1a hash (what Kubernetes hashes pod templates with).
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in bytes {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The 64-bit FNV-1a hash (for stable names).
pub fn fnv64a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Maps text onto the alphabet Kubernetes uses for generated names (`rand.SafeEncodeString`).
pub fn safe_encode(text: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    text.bytes()
        .map(|byte| ALPHABET[usize::from(byte) % ALPHABET.len()] as char)
        .collect()
}

/// JSON with object keys sorted, so equal objects hash equally whatever their key order.
pub fn canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (index, key) in keys.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*key).clone()).to_string());
                    out.push(':');
                    write(&map[*key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_the_way_kubernetes_rounds_them() {
        let quarter = json!("25%");
        assert_eq!(int_or_percent(Some(&quarter), 2, true, 0), 1);
        assert_eq!(int_or_percent(Some(&quarter), 2, false, 0), 0);
        assert_eq!(int_or_percent(Some(&json!(3)), 10, false, 0), 3);
        assert_eq!(int_or_percent(None, 10, false, 1), 1);
    }

    #[test]
    fn safe_encoding_of_digits_uses_the_characters_seen_in_real_hashes() {
        // `hello-6ffdf45555` in the recorded fixtures is the encoding of 2998901111.
        assert_eq!(safe_encode("2998901111"), "6ffdf45555");
    }

    #[test]
    fn canonical_json_ignores_key_order() {
        let a = json!({"b": 1, "a": {"d": [1, 2], "c": "x"}});
        let b = json!({"a": {"c": "x", "d": [1, 2]}, "b": 1});
        assert_eq!(canonical(&a), canonical(&b));
    }
}
