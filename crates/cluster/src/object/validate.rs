//! Validation of the built-in kinds' most common rules, with causes worded like the real server's.

use serde_json::Value;

use crate::http::status::Cause;
use crate::registry::ResourceInfo;
use crate::selector::LabelSelector;
use crate::selector::labels_of;

use super::crd_validation;
use super::godump;
use super::meta;
use super::names::{self, NameRule};

/// Problems with an object about to be created.
pub fn create(object: &Value, info: &ResourceInfo) -> Vec<Cause> {
    let mut causes = name(object, info);
    causes.extend(body(object, info));
    causes
}

/// Problems with an object about to replace `old`.
pub fn update(object: &Value, old: &Value, info: &ResourceInfo) -> Vec<Cause> {
    let mut causes = body(object, info);
    if info.group == "apps"
        && matches!(
            info.kind.as_str(),
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
        )
    {
        let selector = object.pointer("/spec/selector");
        if selector != old.pointer("/spec/selector") {
            causes.push(Cause::invalid(
                "spec.selector",
                selector.unwrap_or(&Value::Null),
                "field is immutable",
            ));
        }
    }
    match (info.group.as_str(), info.kind.as_str()) {
        ("apps", "StatefulSet") => {
            let mutable = [
                "replicas",
                "ordinals",
                "template",
                "updateStrategy",
                "revisionHistoryLimit",
                "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds",
            ];
            let fixed = |object: &Value| {
                let mut spec = object.get("spec").cloned().unwrap_or(Value::Null);
                if let Some(map) = spec.as_object_mut() {
                    map.retain(|key, _| !mutable.contains(&key.as_str()));
                }
                spec
            };
            if fixed(object) != fixed(old) {
                causes.push(Cause::forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
        }
        ("batch", "Job") => {
            let template = object.pointer("/spec/template");
            if template != old.pointer("/spec/template") {
                let printed =
                    godump::go_marshal(&godump::pod_template(template.unwrap_or(&Value::Null)));
                causes.push(Cause {
                    reason: "FieldValueInvalid",
                    message: format!("Invalid value: {printed}: field is immutable"),
                    field: "spec.template".to_string(),
                });
            }
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            let role = object.get("roleRef").unwrap_or(&Value::Null);
            if Some(role) != old.get("roleRef") {
                let text = |field: &str| {
                    role.get(field)
                        .cloned()
                        .unwrap_or(Value::String(String::new()))
                };
                let printed = serde_json::json!({
                    "APIGroup": text("apiGroup"), "Kind": text("kind"), "Name": text("name")
                });
                causes.push(Cause::invalid("roleRef", &printed, "cannot change roleRef"));
            }
        }
        ("", "PersistentVolumeClaim") => {
            let mut before = old.get("spec").cloned().unwrap_or(Value::Null);
            let after = object.get("spec").cloned().unwrap_or(Value::Null);
            if before.get("volumeName").is_none_or(|name| name == "")
                && let (Some(map), Some(name)) = (before.as_object_mut(), after.get("volumeName"))
            {
                map.insert("volumeName".into(), name.clone());
            }
            if before != after {
                let diff =
                    godump::unified_diff(&godump::claim_spec(&before), &godump::claim_spec(&after));
                causes.push(Cause::forbidden(
                    "spec",
                    &format!("spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{diff}"),
                ));
            }
        }
        ("", "ConfigMap" | "Secret") if old.get("immutable") == Some(&Value::Bool(true)) => {
            for field in ["data", "binaryData"] {
                if object.get(field) != old.get(field) {
                    causes.push(Cause::forbidden(
                        field,
                        "field is immutable when `immutable` is set",
                    ));
                }
            }
            if object.get("immutable") != Some(&Value::Bool(true)) {
                causes.push(Cause::forbidden(
                    "immutable",
                    "field is immutable when `immutable` is set",
                ));
            }
        }
        _ => {}
    }
    causes
}

fn name(object: &Value, info: &ResourceInfo) -> Vec<Cause> {
    let name = meta::name(object);
    if name.is_empty() {
        return vec![Cause::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    let rule = if info.custom {
        NameRule::Subdomain
    } else {
        names::rule_for(&info.group, &info.kind)
    };
    names::problems(rule, name)
        .into_iter()
        .map(|problem| Cause::invalid("metadata.name", &Value::String(name.to_string()), &problem))
        .collect()
}

fn body(object: &Value, info: &ResourceInfo) -> Vec<Cause> {
    if info.custom {
        return info
            .schema
            .as_ref()
            .map(|schema| crd_validation::validate(object, schema))
            .unwrap_or_default();
    }
    match (info.group.as_str(), info.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            workload(object, &info.kind)
        }
        ("", "Service") => service(object),
        _ => Vec::new(),
    }
}

fn service(object: &Value) -> Vec<Cause> {
    let ports = object
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if ports.len() < 2 {
        return Vec::new();
    }
    ports
        .iter()
        .enumerate()
        .filter(|(_, port)| {
            port.get("name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        })
        .map(|(index, _)| Cause::required(&format!("spec.ports[{index}].name"), ""))
        .collect()
}

fn workload(object: &Value, kind: &str) -> Vec<Cause> {
    let mut causes = Vec::new();
    if let Some(replicas) = object.pointer("/spec/replicas").and_then(Value::as_i64)
        && replicas < 0
    {
        causes.push(Cause::invalid(
            "spec.replicas",
            &Value::from(replicas),
            "must be greater than or equal to 0",
        ));
    }
    let selector = object.pointer("/spec/selector");
    match selector {
        None | Some(Value::Null) => causes.push(Cause::required("spec.selector", "")),
        Some(selector) if LabelSelector::from_object(selector).is_empty() => {
            causes.push(Cause::invalid(
                "spec.selector",
                selector,
                &format!("empty selector is invalid for {}", kind.to_lowercase()),
            ))
        }
        Some(_) => {}
    }
    let template_labels = object.pointer("/spec/template/metadata/labels");
    let labels = labels_of(template_labels);
    let matches = selector.is_some_and(|selector| {
        let selector = LabelSelector::from_object(selector);
        !selector.is_empty() && selector.matches(&labels)
    });
    if !matches {
        causes.push(Cause::invalid(
            "spec.template.metadata.labels",
            template_labels.unwrap_or(&Value::Null),
            "`selector` does not match template `labels`",
        ));
    }
    if object
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        causes.push(Cause::required("spec.template.spec.containers", ""));
    }
    if kind == "Deployment"
        && object.pointer("/spec/strategy/type") == Some(&Value::String("Recreate".into()))
        && object
            .pointer("/spec/strategy/rollingUpdate")
            .is_some_and(|value| !value.is_null())
    {
        causes.push(Cause::forbidden(
            "spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'",
        ));
    }
    causes
}
