//! What decoding a body as a built-in kind checks: known top-level and metadata fields (unknown
//! ones are dropped, warned about or refused per `fieldValidation`), field types the real server
//! cannot unmarshal, and Secret base64 data.

use serde_json::{Map, Value};

use super::meta::KNOWN_METADATA;

/// The top-level fields of a built-in kind besides apiVersion, kind and metadata; `None` for kinds
/// whose fields are not listed (nothing is pruned then).
fn top_level(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (group, kind) {
        ("", "ConfigMap") => &["data", "binaryData", "immutable"],
        ("", "Secret") => &["data", "stringData", "type", "immutable"],
        ("", "Endpoints") => &["subsets"],
        ("", "ServiceAccount") => &[
            "secrets",
            "imagePullSecrets",
            "automountServiceAccountToken",
        ],
        ("", "Event") => &[
            "involvedObject",
            "reason",
            "message",
            "source",
            "firstTimestamp",
            "lastTimestamp",
            "count",
            "type",
            "eventTime",
            "series",
            "action",
            "related",
            "reportingComponent",
            "reportingInstance",
        ],
        ("events.k8s.io", "Event") => &[
            "eventTime",
            "series",
            "reportingController",
            "reportingInstance",
            "action",
            "reason",
            "regarding",
            "related",
            "note",
            "type",
            "deprecatedSource",
            "deprecatedFirstTimestamp",
            "deprecatedLastTimestamp",
            "deprecatedCount",
        ],
        ("rbac.authorization.k8s.io", "Role") => &["rules"],
        ("rbac.authorization.k8s.io", "ClusterRole") => &["rules", "aggregationRule"],
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            &["subjects", "roleRef"]
        }
        ("apps", "ControllerRevision") => &["data", "revision"],
        ("discovery.k8s.io", "EndpointSlice") => &["addressType", "endpoints", "ports"],
        ("networking.k8s.io", "IngressClass" | "NetworkPolicy")
        | ("coordination.k8s.io", "Lease") => &["spec"],
        ("", _)
        | ("apps", _)
        | ("batch", _)
        | ("networking.k8s.io", _)
        | ("policy", _)
        | ("autoscaling", _)
        | ("apiextensions.k8s.io", _) => &["spec", "status"],
        _ => return None,
    })
}

/// Removes the unknown top-level and metadata fields of a built-in object, returning their paths
/// in the order they appeared.
pub fn prune_unknown(object: &mut Value, group: &str, kind: &str) -> Vec<String> {
    let Some(known) = top_level(group, kind) else {
        return Vec::new();
    };
    let Some(map) = object.as_object_mut() else {
        return Vec::new();
    };
    let mut unknown = Vec::new();
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        if key == "metadata" {
            if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                prune_metadata(metadata, &mut unknown);
            }
        } else if key != "apiVersion" && key != "kind" && !known.contains(&key.as_str()) {
            map.remove(&key);
            unknown.push(key);
        }
    }
    unknown
}

fn prune_metadata(metadata: &mut Map<String, Value>, unknown: &mut Vec<String>) {
    let keys: Vec<String> = metadata.keys().cloned().collect();
    for key in keys {
        if !KNOWN_METADATA.contains(&key.as_str()) {
            metadata.remove(&key);
            unknown.push(format!("metadata.{key}"));
        }
    }
}

/// Removes unknown metadata fields of any object (custom resources included).
pub fn prune_unknown_metadata(object: &mut Value) -> Vec<String> {
    let mut unknown = Vec::new();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        prune_metadata(metadata, &mut unknown);
    }
    unknown
}

/// Typed fields Go cannot unmarshal from the wrong JSON type: (group, kind, pointer, Go struct
/// field, Go type).
const TYPED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "apps",
        "Deployment",
        "/spec/replicas",
        "DeploymentSpec.spec.replicas",
        "int32",
    ),
    (
        "apps",
        "ReplicaSet",
        "/spec/replicas",
        "ReplicaSetSpec.spec.replicas",
        "int32",
    ),
    (
        "apps",
        "StatefulSet",
        "/spec/replicas",
        "StatefulSetSpec.spec.replicas",
        "int32",
    ),
    (
        "apps",
        "Deployment",
        "/spec/revisionHistoryLimit",
        "DeploymentSpec.spec.revisionHistoryLimit",
        "int32",
    ),
    (
        "apps",
        "Deployment",
        "/spec/progressDeadlineSeconds",
        "DeploymentSpec.spec.progressDeadlineSeconds",
        "int32",
    ),
    (
        "batch",
        "Job",
        "/spec/parallelism",
        "JobSpec.spec.parallelism",
        "int32",
    ),
    (
        "batch",
        "Job",
        "/spec/completions",
        "JobSpec.spec.completions",
        "int32",
    ),
    (
        "batch",
        "Job",
        "/spec/backoffLimit",
        "JobSpec.spec.backoffLimit",
        "int32",
    ),
];

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Number(_) => "number",
        Value::Null => "null",
    }
}

/// The first decoding failure of a body, worded like Go's (`json: cannot unmarshal string into Go
/// struct field DeploymentSpec.spec.replicas of type int32`).
pub fn decode_error(object: &Value, group: &str, kind: &str) -> Option<String> {
    for (typed_group, typed_kind, pointer, field, go_type) in TYPED {
        if (*typed_group, *typed_kind) != (group, kind) {
            continue;
        }
        if let Some(value) = object.pointer(pointer)
            && !value.is_null()
            && !value.is_i64()
        {
            return Some(format!(
                "json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
                json_type(value)
            ));
        }
    }
    if (group, kind) == ("", "Secret")
        && let Some(data) = object.get("data").and_then(Value::as_object)
    {
        for value in data.values() {
            if let Some(position) = value.as_str().and_then(invalid_base64_at) {
                return Some(format!("illegal base64 data at input byte {position}"));
            }
        }
    }
    for field in ["metadata"] {
        if let Some(value) = object.get(field)
            && !value.is_object()
            && !value.is_null()
        {
            return Some(format!(
                "json: cannot unmarshal {} into Go struct field {kind}.{field} of type v1.ObjectMeta",
                json_type(value)
            ));
        }
    }
    None
}

/// Where Go's standard base64 decoder fails on `text`, if it does.
fn invalid_base64_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut padding_from = None;
    for (index, byte) in bytes.iter().enumerate() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if padding_from.is_none() => {}
            b'=' if index % 4 >= 2 => {
                padding_from.get_or_insert(index);
            }
            b'\r' | b'\n' => {}
            _ => return Some(index),
        }
    }
    let data_length = padding_from.unwrap_or(bytes.len());
    match (data_length % 4, padding_from) {
        (1, _) => Some(data_length - 1),
        (2 | 3, None) if !bytes.is_empty() => Some(bytes.len()),
        (0, Some(index)) => Some(index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_listed_in_body_order_and_dropped() {
        let mut object = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "unknownMeta": 1}, "data": {"k": "v"}, "spec": {"bogus": true}
        });
        let unknown = prune_unknown(&mut object, "", "ConfigMap");
        assert_eq!(
            unknown,
            vec!["metadata.unknownMeta".to_string(), "spec".to_string()]
        );
        assert_eq!(
            object,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}})
        );
    }

    #[test]
    fn go_decoding_errors_are_reproduced() {
        let deployment = json!({"spec": {"replicas": "two"}});
        assert_eq!(
            decode_error(&deployment, "apps", "Deployment").as_deref(),
            Some(
                "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
            )
        );
        let secret = json!({"data": {"key": "value"}});
        assert_eq!(
            decode_error(&secret, "", "Secret").as_deref(),
            Some("illegal base64 data at input byte 4")
        );
        assert_eq!(
            decode_error(&json!({"data": {"key": "dmFsdWU="}}), "", "Secret"),
            None
        );
    }
}
