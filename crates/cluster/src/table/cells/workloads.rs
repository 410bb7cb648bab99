//! Cells of the workload kinds: Deployments, ReplicaSets, StatefulSets, DaemonSets,
//! ControllerRevisions, Jobs and CronJobs.

use super::{container_cells, human_duration, map_text, number, or_none, selector_text, text};
use crate::object::time;
use serde_json::{Value, json};

pub(super) fn deployment(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let (containers, images) = container_cells(object, "/spec/template/spec/containers");
    vec![
        name,
        json!(format!(
            "{}/{}",
            number(object, "/status/readyReplicas"),
            number(object, "/spec/replicas")
        )),
        json!(number(object, "/status/updatedReplicas")),
        json!(number(object, "/status/availableReplicas")),
        age,
        json!(containers),
        json!(images),
        json!(selector_text(object.pointer("/spec/selector"))),
    ]
}

pub(super) fn replica_set(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let (containers, images) = container_cells(object, "/spec/template/spec/containers");
    vec![
        name,
        json!(number(object, "/spec/replicas")),
        json!(number(object, "/status/replicas")),
        json!(number(object, "/status/readyReplicas")),
        age,
        json!(containers),
        json!(images),
        json!(selector_text(object.pointer("/spec/selector"))),
    ]
}

pub(super) fn stateful_set(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let (containers, images) = container_cells(object, "/spec/template/spec/containers");
    vec![
        name,
        json!(format!(
            "{}/{}",
            number(object, "/status/readyReplicas"),
            number(object, "/spec/replicas")
        )),
        age,
        json!(containers),
        json!(images),
    ]
}

pub(super) fn daemon_set(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let (containers, images) = container_cells(object, "/spec/template/spec/containers");
    vec![
        name,
        json!(number(object, "/status/desiredNumberScheduled")),
        json!(number(object, "/status/currentNumberScheduled")),
        json!(number(object, "/status/numberReady")),
        json!(number(object, "/status/updatedNumberScheduled")),
        json!(number(object, "/status/numberAvailable")),
        json!(map_text(object.pointer("/spec/template/spec/nodeSelector"))),
        age,
        json!(containers),
        json!(images),
        json!(selector_text(object.pointer("/spec/selector"))),
    ]
}

pub(super) fn controller_revision(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let controller = object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|owners| owners.iter().find(|owner| owner["controller"] == true))
        .map(|owner| {
            let api_version = owner["apiVersion"].as_str().unwrap_or("");
            let group = api_version.split_once('/').map_or("", |(group, _)| group);
            let kind = owner["kind"].as_str().unwrap_or("").to_lowercase();
            let resource = if group.is_empty() {
                kind
            } else {
                format!("{kind}.{group}")
            };
            format!("{resource}/{}", owner["name"].as_str().unwrap_or(""))
        })
        .unwrap_or_else(|| "<none>".into());
    vec![
        name,
        json!(controller),
        json!(number(object, "/revision")),
        age,
    ]
}

pub(super) fn job(object: &Value, name: Value, age: Value, now: u64) -> Vec<Value> {
    let succeeded = number(object, "/status/succeeded");
    let completions = match object.pointer("/spec/completions").and_then(Value::as_i64) {
        Some(completions) => format!("{succeeded}/{completions}"),
        None => match number(object, "/spec/parallelism") {
            parallelism if parallelism > 1 => format!("{succeeded}/1 of {parallelism}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let at = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .and_then(time::parse_unix)
    };
    let duration = match (at("/status/startTime"), at("/status/completionTime")) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration(now.saturating_sub(start)),
        (Some(start), Some(end)) => human_duration(end.saturating_sub(start)),
    };
    let has = |kind: &str| {
        object
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|condition| condition["type"] == kind && condition["status"] == "True")
    };
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if object.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let (containers, images) = container_cells(object, "/spec/template/spec/containers");
    vec![
        name,
        json!(status),
        json!(completions),
        json!(duration),
        age,
        json!(containers),
        json!(images),
        json!(selector_text(object.pointer("/spec/selector"))),
    ]
}

pub(super) fn cron_job(object: &Value, name: Value, age: Value, now: u64) -> Vec<Value> {
    let (containers, images) =
        container_cells(object, "/spec/jobTemplate/spec/template/spec/containers");
    let last = object
        .pointer("/status/lastScheduleTime")
        .and_then(Value::as_str)
        .and_then(time::parse_unix)
        .map_or_else(
            || "<none>".to_string(),
            |at| human_duration(now.saturating_sub(at)),
        );
    vec![
        name,
        json!(text(object, "/spec/schedule")),
        json!(or_none(text(object, "/spec/timeZone"))),
        json!(
            match object.pointer("/spec/suspend").and_then(Value::as_bool) {
                Some(true) => "True",
                Some(false) => "False",
                None => "<unset>",
            }
        ),
        json!(
            object
                .pointer("/status/active")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        ),
        json!(last),
        age,
        json!(containers),
        json!(images),
        json!(selector_text(
            object.pointer("/spec/jobTemplate/spec/selector")
        )),
    ]
}
