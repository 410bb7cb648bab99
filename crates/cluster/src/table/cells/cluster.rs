//! Cells of configuration, storage, cluster and policy kinds: ConfigMaps, Secrets,
//! ServiceAccounts, Namespaces, claims and volumes, Nodes, Events, autoscalers, disruption
//! budgets, RBAC and Leases.

use super::{human_duration, number, text};
use crate::object::time;
use serde_json::{Value, json};

pub(super) fn config_map(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let count = |field: &str| {
        object
            .get(field)
            .and_then(Value::as_object)
            .map_or(0, |map| map.len())
    };
    vec![name, json!(count("data") + count("binaryData")), age]
}

pub(super) fn secret(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let data = object
        .get("data")
        .and_then(Value::as_object)
        .map_or(0, |map| map.len());
    vec![name, json!(text(object, "/type")), json!(data), age]
}

pub(super) fn service_account(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let secrets = object
        .get("secrets")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    vec![name, json!(secrets), age]
}

pub(super) fn claim(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let modes = access_modes(object.pointer("/status/accessModes"));
    vec![
        name,
        json!(text(object, "/status/phase")),
        json!(text(object, "/spec/volumeName")),
        json!(text(object, "/status/capacity/storage")),
        json!(modes),
        json!(or_unset(text(object, "/spec/storageClassName"))),
        json!(or_unset(text(object, "/spec/volumeAttributesClassName"))),
        age,
        json!(or_unset(text(object, "/spec/volumeMode"))),
    ]
}

pub(super) fn volume(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let claim = object
        .pointer("/spec/claimRef")
        .map_or(String::new(), |claim| {
            format!(
                "{}/{}",
                claim["namespace"].as_str().unwrap_or(""),
                claim["name"].as_str().unwrap_or("")
            )
        });
    vec![
        name,
        json!(text(object, "/spec/capacity/storage")),
        json!(access_modes(object.pointer("/spec/accessModes"))),
        json!(text(object, "/spec/persistentVolumeReclaimPolicy")),
        json!(text(object, "/status/phase")),
        json!(claim),
        json!(text(object, "/spec/storageClassName")),
        json!(or_unset(text(object, "/spec/volumeAttributesClassName"))),
        json!(text(object, "/status/reason")),
        age,
        json!(or_unset(text(object, "/spec/volumeMode"))),
    ]
}

pub(super) fn or_unset(text: &str) -> String {
    if text.is_empty() {
        "<unset>".to_string()
    } else {
        text.to_string()
    }
}

pub(super) fn access_modes(modes: Option<&Value>) -> String {
    let short: Vec<&str> = modes
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|mode| match mode {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    short.join(",")
}

pub(super) fn node(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let conditions = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut status: Vec<String> = conditions
        .iter()
        .filter(|condition| condition["type"] == "Ready")
        .map(|condition| {
            if condition["status"] == "True" {
                "Ready".to_string()
            } else {
                "NotReady".to_string()
            }
        })
        .collect();
    if status.is_empty() {
        status.push("Unknown".to_string());
    }
    if object.pointer("/spec/unschedulable") == Some(&Value::Bool(true)) {
        status.push("SchedulingDisabled".to_string());
    }
    let mut roles: Vec<String> = object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(key, _)| {
            key.strip_prefix("node-role.kubernetes.io/")
                .map(str::to_string)
        })
        .collect();
    roles.sort();
    let address = |kind: &str| {
        object
            .pointer("/status/addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|address| address["type"] == kind)
            .and_then(|address| address["address"].as_str())
            .unwrap_or("<none>")
            .to_string()
    };
    vec![
        name,
        json!(status.join(",")),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        age,
        json!(text(object, "/status/nodeInfo/kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(or_unknown(text(object, "/status/nodeInfo/osImage"))),
        json!(or_unknown(text(object, "/status/nodeInfo/kernelVersion"))),
        json!(or_unknown(text(
            object,
            "/status/nodeInfo/containerRuntimeVersion"
        ))),
    ]
}

pub(super) fn or_unknown(text: &str) -> String {
    if text.is_empty() {
        "<unknown>".to_string()
    } else {
        text.to_string()
    }
}

pub(super) fn event(object: &Value, name: Value, now: u64) -> Vec<Value> {
    let since = |pointers: &[&str]| {
        pointers
            .iter()
            .find_map(|pointer| {
                object
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .and_then(time::parse_unix)
            })
            .map_or_else(
                || "<unknown>".to_string(),
                |at| human_duration(now.saturating_sub(at)),
            )
    };
    let involved = object
        .get("involvedObject")
        .or_else(|| object.get("regarding"))
        .unwrap_or(&Value::Null);
    let kind = involved["kind"].as_str().unwrap_or("").to_lowercase();
    let source = object
        .pointer("/source/component")
        .or_else(|| object.pointer("/reportingController"))
        .and_then(Value::as_str)
        .unwrap_or("");
    vec![
        json!(since(&[
            "/lastTimestamp",
            "/eventTime",
            "/metadata/creationTimestamp"
        ])),
        json!(text(object, "/type")),
        json!(text(object, "/reason")),
        json!(format!(
            "{kind}/{}",
            involved["name"].as_str().unwrap_or("")
        )),
        json!(text(involved, "/fieldPath")),
        json!(source),
        json!(
            object
                .get("message")
                .or_else(|| object.get("note"))
                .and_then(Value::as_str)
                .unwrap_or("")
        ),
        json!(since(&[
            "/firstTimestamp",
            "/eventTime",
            "/metadata/creationTimestamp"
        ])),
        json!(object.get("count").and_then(Value::as_i64).unwrap_or(1)),
        name,
    ]
}

pub(super) fn horizontal_pod_autoscaler(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let reference = format!(
        "{}/{}",
        text(object, "/spec/scaleTargetRef/kind"),
        text(object, "/spec/scaleTargetRef/name")
    );
    let minimum = object
        .pointer("/spec/minReplicas")
        .map_or_else(|| "<unset>".to_string(), |value| value.to_string());
    vec![
        name,
        json!(reference),
        json!("<unknown>"),
        json!(minimum),
        json!(number(object, "/spec/maxReplicas")),
        json!(number(object, "/status/currentReplicas")),
        age,
    ]
}

pub(super) fn pod_disruption_budget(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let bound = |path: &str| {
        object.pointer(path).map_or_else(
            || "N/A".to_string(),
            |value| value.as_str().map_or(value.to_string(), str::to_string),
        )
    };
    vec![
        name,
        json!(bound("/spec/minAvailable")),
        json!(bound("/spec/maxUnavailable")),
        json!(number(object, "/status/disruptionsAllowed")),
        age,
    ]
}

/// Roles print their creation time, not an age.
pub(super) fn role(object: &Value, name: Value, _age: Value) -> Vec<Value> {
    vec![name, json!(text(object, "/metadata/creationTimestamp"))]
}

pub(super) fn role_binding(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let subjects = |kind: &str| {
        let names: Vec<String> = object
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|subject| subject["kind"] == kind)
            .map(|subject| match (kind, subject["namespace"].as_str()) {
                ("ServiceAccount", Some(namespace)) => {
                    format!("{namespace}/{}", subject["name"].as_str().unwrap_or(""))
                }
                _ => subject["name"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        names.join(", ")
    };
    let role = format!(
        "{}/{}",
        text(object, "/roleRef/kind"),
        text(object, "/roleRef/name")
    );
    vec![
        name,
        json!(role),
        age,
        json!(subjects("User")),
        json!(subjects("Group")),
        json!(subjects("ServiceAccount")),
    ]
}

pub(super) fn lease(object: &Value, name: Value, age: Value) -> Vec<Value> {
    vec![name, json!(text(object, "/spec/holderIdentity")), age]
}
