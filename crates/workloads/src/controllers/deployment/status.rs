//! A Deployment's status as the real controller computes it: replica counts summed over its
//! ReplicaSets, and the Available and Progressing conditions with their reasons
//! (MinimumReplicasAvailable, NewReplicaSetCreated, ReplicaSetUpdated, NewReplicaSetAvailable,
//! ProgressDeadlineExceeded, DeploymentPaused, DeploymentResumed).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use crate::object;

/// Progressing because a new ReplicaSet was created.
pub const NEW_REPLICA_SET_CREATED: &str = "NewReplicaSetCreated";
/// Progressing because an existing new ReplicaSet was found.
pub const FOUND_NEW_REPLICA_SET: &str = "FoundNewReplicaSet";
/// Progressing because replicas moved.
pub const REPLICA_SET_UPDATED: &str = "ReplicaSetUpdated";
/// The rollout finished.
pub const NEW_REPLICA_SET_AVAILABLE: &str = "NewReplicaSetAvailable";
/// The rollout made no progress within `progressDeadlineSeconds`.
pub const PROGRESS_DEADLINE_EXCEEDED: &str = "ProgressDeadlineExceeded";
/// The Deployment is paused.
pub const DEPLOYMENT_PAUSED: &str = "DeploymentPaused";
/// The Deployment was resumed.
pub const DEPLOYMENT_RESUMED: &str = "DeploymentResumed";

/// A condition stamped `now`.
pub fn new_condition(
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: SystemTime,
) -> Value {
    let time = object::timestamp(now);
    json!({
        "type": kind,
        "status": status,
        "lastUpdateTime": time,
        "lastTransitionTime": time,
        "reason": reason,
        "message": message,
    })
}

fn field<'a>(condition: &'a Value, name: &str) -> &'a str {
    condition.get(name).and_then(Value::as_str).unwrap_or("")
}

/// The condition of a type in a list.
pub fn find<'a>(conditions: &'a [Value], kind: &str) -> Option<&'a Value> {
    conditions
        .iter()
        .find(|condition| field(condition, "type") == kind)
}

/// `SetDeploymentCondition`: nothing when status and reason are unchanged; otherwise the
/// condition is replaced (moving to the end) and keeps its transition time while its status
/// stays the same.
pub fn set_condition(conditions: &mut Vec<Value>, mut condition: Value) {
    let kind = field(&condition, "type").to_string();
    if let Some(current) = find(conditions, &kind) {
        if field(current, "status") == field(&condition, "status")
            && field(current, "reason") == field(&condition, "reason")
        {
            return;
        }
        if field(current, "status") == field(&condition, "status") {
            condition["lastTransitionTime"] = current["lastTransitionTime"].clone();
        }
    }
    remove_condition(conditions, &kind);
    conditions.push(condition);
}

/// Removes the condition of a type.
pub fn remove_condition(conditions: &mut Vec<Value>, kind: &str) {
    conditions.retain(|condition| field(condition, "type") != kind);
}

/// The counts a status reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Pods of every ReplicaSet (`status.replicas` summed).
    pub replicas: i64,
    /// Pods of the new ReplicaSet.
    pub updated: i64,
    /// Ready pods.
    pub ready: i64,
    /// Available pods.
    pub available: i64,
    /// Desired pods of every ReplicaSet (`spec.replicas` summed).
    pub desired_total: i64,
}

/// The status of `deployment` with these counts and conditions (Available set here).
pub fn calculate(
    deployment: &Value,
    counts: Counts,
    mut conditions: Vec<Value>,
    max_unavailable: i64,
    now: SystemTime,
) -> Map<String, Value> {
    let replicas = object::integer(deployment, "/spec/replicas").unwrap_or(1);
    if counts.available >= replicas - max_unavailable {
        set_condition(
            &mut conditions,
            new_condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                now,
            ),
        );
    } else {
        set_condition(
            &mut conditions,
            new_condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                now,
            ),
        );
    }
    let mut status = Map::new();
    status.insert(
        "observedGeneration".into(),
        json!(object::generation(deployment)),
    );
    for (key, value) in [
        ("replicas", counts.replicas),
        ("updatedReplicas", counts.updated),
        ("readyReplicas", counts.ready),
        ("availableReplicas", counts.available),
        (
            "unavailableReplicas",
            (counts.desired_total - counts.available).max(0),
        ),
    ] {
        if value != 0 {
            status.insert(key.into(), json!(value));
        }
    }
    status.insert("terminatingReplicas".into(), json!(0));
    status.insert("conditions".into(), Value::Array(conditions));
    if let Some(collisions) = deployment.pointer("/status/collisionCount") {
        status.insert("collisionCount".into(), collisions.clone());
    }
    status
}

fn count(status: &Value, key: &str) -> i64 {
    status.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `DeploymentComplete`: every desired replica updated and available, and the spec observed.
pub fn is_complete(deployment: &Value, status: &Value) -> bool {
    let replicas = object::integer(deployment, "/spec/replicas").unwrap_or(1);
    count(status, "updatedReplicas") == replicas
        && count(status, "replicas") == replicas
        && count(status, "availableReplicas") == replicas
        && count(status, "observedGeneration") >= object::generation(deployment)
}

/// `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones.
fn is_progressing(old: &Value, new: &Value) -> bool {
    let old_old = count(old, "replicas") - count(old, "updatedReplicas");
    let new_old = count(new, "replicas") - count(new, "updatedReplicas");
    count(new, "updatedReplicas") > count(old, "updatedReplicas")
        || new_old < old_old
        || count(new, "readyReplicas") > count(old, "readyReplicas")
        || count(new, "availableReplicas") > count(old, "availableReplicas")
}

fn progress_deadline(deployment: &Value) -> Option<Duration> {
    let seconds = object::integer(deployment, "/spec/progressDeadlineSeconds")?;
    // MaxInt32 means "no deadline".
    (seconds != i64::from(i32::MAX)).then(|| Duration::from_secs(seconds.max(0).unsigned_abs()))
}

/// True when the Deployment has a progress deadline.
pub fn has_progress_deadline(deployment: &Value) -> bool {
    progress_deadline(deployment).is_some()
}

fn timed_out(deployment: &Value, conditions: &[Value], now: SystemTime) -> bool {
    let (Some(deadline), Some(condition)) = (
        progress_deadline(deployment),
        find(conditions, "Progressing"),
    ) else {
        return false;
    };
    match field(condition, "reason") {
        NEW_REPLICA_SET_AVAILABLE => false,
        PROGRESS_DEADLINE_EXCEEDED => true,
        _ => object::parse_timestamp(field(condition, "lastUpdateTime"))
            .is_some_and(|from| from + deadline < now),
    }
}

fn conditions_of(status: &Map<String, Value>) -> Vec<Value> {
    status
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `syncRolloutStatus`: the Progressing condition from the progress made since the stored status.
pub fn sync_rollout(
    deployment: &Value,
    status: &mut Map<String, Value>,
    new_replica_set: Option<&str>,
    now: SystemTime,
) {
    let mut conditions = conditions_of(status);
    if !has_progress_deadline(deployment) {
        remove_condition(&mut conditions, "Progressing");
    }
    let old_status = deployment.get("status").cloned().unwrap_or(json!({}));
    let new_status = Value::Object(status.clone());
    let stored = object::condition(deployment, "Progressing");
    let complete_already = count(&new_status, "replicas") == count(&new_status, "updatedReplicas")
        && stored.is_some_and(|condition| field(condition, "reason") == NEW_REPLICA_SET_AVAILABLE);
    let name = |verb: &str| match new_replica_set {
        Some(name) => format!("ReplicaSet \"{name}\" {verb}"),
        None => format!("Deployment \"{}\" {verb}", object::name(deployment)),
    };
    if has_progress_deadline(deployment) && !complete_already {
        if is_complete(deployment, &new_status) {
            set_condition(
                &mut conditions,
                new_condition(
                    "Progressing",
                    "True",
                    NEW_REPLICA_SET_AVAILABLE,
                    &name("has successfully progressed."),
                    now,
                ),
            );
        } else if is_progressing(&old_status, &new_status) {
            let mut condition = new_condition(
                "Progressing",
                "True",
                REPLICA_SET_UPDATED,
                &name("is progressing."),
                now,
            );
            if let Some(current) = find(&conditions, "Progressing") {
                if field(current, "status") == "True" {
                    condition["lastTransitionTime"] = current["lastTransitionTime"].clone();
                }
                remove_condition(&mut conditions, "Progressing");
            }
            set_condition(&mut conditions, condition);
        } else if timed_out(deployment, &conditions, now) {
            set_condition(
                &mut conditions,
                new_condition(
                    "Progressing",
                    "False",
                    PROGRESS_DEADLINE_EXCEEDED,
                    &name("has timed out progressing."),
                    now,
                ),
            );
        }
    }
    status.insert("conditions".into(), Value::Array(conditions));
}

/// `requeueStuckDeployment`: when to look again so a stuck rollout times out on time.
pub fn requeue_stuck(
    deployment: &Value,
    status: &Map<String, Value>,
    now: SystemTime,
) -> Option<Duration> {
    let deadline = progress_deadline(deployment)?;
    let conditions = conditions_of(status);
    let condition = find(&conditions, "Progressing")?;
    if matches!(
        field(condition, "reason"),
        NEW_REPLICA_SET_AVAILABLE | PROGRESS_DEADLINE_EXCEEDED
    ) || is_complete(deployment, &Value::Object(status.clone()))
    {
        return None;
    }
    let from = object::parse_timestamp(field(condition, "lastUpdateTime"))?;
    let due = from + deadline + Duration::from_secs(1);
    Some(
        due.duration_since(now)
            .unwrap_or(Duration::from_millis(100))
            .max(Duration::from_millis(100)),
    )
}

/// `checkPausedConditions`: Progressing Unknown while paused, and once when resumed.
pub fn paused_conditions(deployment: &Value, conditions: &mut Vec<Value>, now: SystemTime) {
    let current =
        find(conditions, "Progressing").map(|condition| field(condition, "reason").to_string());
    if current.as_deref() == Some(PROGRESS_DEADLINE_EXCEEDED) {
        return;
    }
    let paused_recorded = current.as_deref() == Some(DEPLOYMENT_PAUSED);
    let paused = deployment.pointer("/spec/paused") == Some(&Value::Bool(true));
    if paused && !paused_recorded {
        set_condition(
            conditions,
            new_condition(
                "Progressing",
                "Unknown",
                DEPLOYMENT_PAUSED,
                "Deployment is paused",
                now,
            ),
        );
    } else if !paused && paused_recorded {
        set_condition(
            conditions,
            new_condition(
                "Progressing",
                "Unknown",
                DEPLOYMENT_RESUMED,
                "Deployment is resumed",
                now,
            ),
        );
    }
}
