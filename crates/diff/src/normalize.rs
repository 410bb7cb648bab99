//! Normalising an object for comparison: server bookkeeping, `status` and ignored fields out.

use ferry_types::ResourceIgnoreDifferences;
use serde_json::Value;

use crate::fields::{FieldSet, fields_owned_by};
use crate::ignore::{matching_rules, parse_pointer, resolve_pointer};
use crate::path::{Segment, remove_path, remove_paths};
use crate::{Result, jq};

/// The annotation `kubectl apply` writes: a copy of the manifest, not part of it.
pub(crate) const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Metadata the server writes for its own bookkeeping.
const SERVER_METADATA: [&str; 6] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
];

/// Normalises an object for comparison. Drops the server's bookkeeping
/// (`metadata.managedFields`, `resourceVersion`, `uid`, `generation`, `creationTimestamp`,
/// `selfLink`), the `kubectl.kubernetes.io/last-applied-configuration` annotation and
/// `status` (of every kind, CRDs included: controllers write it, manifests do not own it),
/// then applies the `ignoreDifferences` rules that match the object's group, kind, name and
/// namespace: `managedFieldsManagers` (after this object's own `managedFields`),
/// `jsonPointers`, then `jqPathExpressions`. Maps and lists that a removal empties go too.
pub fn normalize(object: &Value, ignore: &[ResourceIgnoreDifferences]) -> Result<Value> {
    normalize_with(object, ignore, object, &FieldSet::default())
}

/// [`normalize`], with the `managedFieldsManagers` fields read from `ownership` (the live
/// object, so that both sides lose the same fields) and `also_remove` removed as well.
pub(crate) fn normalize_with(
    object: &Value,
    ignore: &[ResourceIgnoreDifferences],
    ownership: &Value,
    also_remove: &FieldSet,
) -> Result<Value> {
    let rules = matching_rules(object, ignore);
    let managers: Vec<&str> = rules
        .iter()
        .flat_map(|rule| rule.managed_fields_managers.iter().map(String::as_str))
        .collect();
    let mut normalized = object.clone();
    strip_server_fields(&mut normalized);
    also_remove.remove_from(&mut normalized);
    if !managers.is_empty() {
        fields_owned_by(ownership, |manager| managers.contains(&manager))
            .remove_from(&mut normalized);
    }
    for rule in rules {
        for pointer in &rule.json_pointers {
            let tokens = parse_pointer(pointer)?;
            if let Some(path) = resolve_pointer(&normalized, &tokens) {
                remove_path(&mut normalized, &path);
            }
        }
        for expression in &rule.jq_path_expressions {
            if let Some(paths) = jq::selected_paths(expression, &normalized)? {
                remove_paths(&mut normalized, paths);
            }
        }
    }
    Ok(normalized)
}

fn strip_server_fields(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    map.shift_remove("status");
    if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
        for field in SERVER_METADATA {
            metadata.shift_remove(field);
        }
    }
    let annotation = [
        Segment::Key("metadata".into()),
        Segment::Key("annotations".into()),
        Segment::Key(LAST_APPLIED.into()),
    ];
    remove_path(object, &annotation);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_bookkeeping_status_and_the_last_applied_annotation_are_dropped() {
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "shop", "uid": "u", "resourceVersion": "7",
                "generation": 1, "creationTimestamp": "2026-11-26T10:37:56Z", "selfLink": "/x",
                "managedFields": [], "labels": {"app": "web"},
                "annotations": {LAST_APPLIED: "{\"kind\":\"ConfigMap\"}"}},
            "data": {"a": "1"},
            "status": {"phase": "whatever"}
        });
        assert_eq!(
            normalize(&live, &[]).unwrap(),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "app", "namespace": "shop", "labels": {"app": "web"}},
                "data": {"a": "1"}})
        );
    }

    #[test]
    fn other_annotations_stay_beside_a_dropped_last_applied_annotation() {
        let live =
            json!({"metadata": {"name": "a", "annotations": {LAST_APPLIED: "{}", "team": "shop"}}});
        assert_eq!(
            normalize(&live, &[]).unwrap(),
            json!({"metadata": {"name": "a", "annotations": {"team": "shop"}}})
        );
    }

    #[test]
    fn a_pointer_to_a_missing_field_removes_nothing() {
        let rule = ResourceIgnoreDifferences {
            group: "apps".into(),
            kind: "Deployment".into(),
            json_pointers: vec!["/spec/replicas".into()],
            ..Default::default()
        };
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"paused": true}});
        assert_eq!(normalize(&object, &[rule]).unwrap(), object);
    }

    #[test]
    fn an_invalid_pointer_of_a_matching_rule_is_an_error() {
        let rule = ResourceIgnoreDifferences {
            kind: "ConfigMap".into(),
            json_pointers: vec!["data/a".into()],
            ..Default::default()
        };
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}});
        assert_eq!(
            normalize(&object, &[rule]).unwrap_err().to_string(),
            r#"ignoreDifferences jsonPointer "data/a" is invalid: a pointer to a field starts with /"#
        );
    }
}
