//! Fixtures and small builders shared by the integration tests.

#![allow(dead_code)]

use ferry_types::ResourceIgnoreDifferences;
use serde_json::Value;

/// A fixture from `tests/fixtures/`, parsed as Kubernetes tooling reads YAML.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    ferry_yaml::parse_single(name, &bytes).unwrap()
}

/// Sets the value at an RFC 6901 pointer whose parent exists.
pub fn set(object: &mut Value, pointer: &str, value: Value) {
    let (parent, field) = pointer.rsplit_once('/').unwrap();
    let parent = object
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match parent {
        Value::Object(map) => {
            map.insert(field.replace("~1", "/").replace("~0", "~"), value);
        }
        Value::Array(items) => items[field.parse::<usize>().unwrap()] = value,
        _ => panic!("{parent} is not a map or list"),
    }
}

/// Removes the value at an RFC 6901 pointer.
pub fn unset(object: &mut Value, pointer: &str) {
    let (parent, field) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(map)) = object.pointer_mut(parent) {
        map.shift_remove(&field.replace("~1", "/").replace("~0", "~"));
    }
}

/// An ignoreDifferences rule for a group and kind.
pub fn rule(group: &str, kind: &str) -> ResourceIgnoreDifferences {
    ResourceIgnoreDifferences {
        group: group.into(),
        kind: kind.into(),
        ..Default::default()
    }
}
