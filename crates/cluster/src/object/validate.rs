//! Validation of the built-in kinds' most common rules, with causes worded like the real server's.

use serde_json::Value;

use crate::http::status::Cause;
use crate::registry::ResourceInfo;
use crate::selector::LabelSelector;
use crate::selector::labels_of;

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
    match (info.group.as_str(), info.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            let selector = object.pointer("/spec/selector");
            if selector != old.pointer("/spec/selector") {
                causes.push(Cause::invalid(
                    "spec.selector",
                    selector.unwrap_or(&Value::Null),
                    "field is immutable",
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
    match (info.group.as_str(), info.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            workload(object, &info.kind)
        }
        _ => Vec::new(),
    }
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
