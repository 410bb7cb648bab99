//! Reading identity fields of a JSON object: group, kind, name, namespace, Secret or not.

use ferry_types::{Gvk, ObjectKey};
use serde_json::Value;

/// A string at `pointer`, or the empty string.
pub(crate) fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Group, kind, namespace and name of an object.
pub(crate) fn key_of(object: &Value) -> ObjectKey {
    let gvk = Gvk::from_api_version(text(object, "/apiVersion"), text(object, "/kind"));
    ObjectKey {
        group: gvk.group,
        kind: gvk.kind,
        namespace: text(object, "/metadata/namespace").to_string(),
        name: text(object, "/metadata/name").to_string(),
    }
}

/// Whether the object is a core `v1` Secret.
pub(crate) fn is_secret(object: &Value) -> bool {
    text(object, "/apiVersion") == "v1" && text(object, "/kind") == "Secret"
}
