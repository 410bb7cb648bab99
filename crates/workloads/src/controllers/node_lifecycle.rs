//! Node loss, as the node lifecycle controller and the taint-based eviction show it on a real
//! cluster when a kubelet stops posting status: the Node's conditions become `Unknown`
//! (NodeStatusUnknown), it gets the `node.kubernetes.io/unreachable` NoSchedule and NoExecute
//! taints, its pods get `Ready=False` with a NodeNotReady Event, and once their
//! `node.kubernetes.io/unreachable` toleration runs out (300 s by default, scaled by the time
//! factor, or the fault's `evictAfter`) they are deleted (TaintManagerEviction), so their
//! controllers replace them on the Ready nodes. When the fault ends the node is Ready again.

use std::time::{Duration, SystemTime};

use ferry_cluster::fault::LostNode;
use serde_json::{Value, json};

use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{NODES, PODS};

/// The taint key of an unreachable node.
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
const NODE_CONTROLLER: &str = "node-controller";
const EVICTION_CONTROLLER: &str = "taint-eviction-controller";
/// The node conditions a kubelet posts, with their healthy status, reason and message.
const CONDITIONS: &[(&str, &str, &str, &str)] = &[
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
    ),
    (
        "DiskPressure",
        "False",
        "KubeletHasNoDiskPressure",
        "kubelet has no disk pressure",
    ),
    (
        "PIDPressure",
        "False",
        "KubeletHasSufficientPID",
        "kubelet has sufficient PID available",
    ),
    (
        "Ready",
        "True",
        "KubeletReady",
        "kubelet is posting ready status",
    ),
];

/// The conditions of a node, healthy (kubelet reporting) or lost (`Unknown`).
pub fn conditions(lost: bool, now: &str) -> Value {
    Value::Array(
        CONDITIONS
            .iter()
            .map(|(kind, status, reason, message)| {
                if lost {
                    json!({
                        "type": kind, "status": "Unknown",
                        "lastHeartbeatTime": now, "lastTransitionTime": now,
                        "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."
                    })
                } else {
                    json!({
                        "type": kind, "status": status,
                        "lastHeartbeatTime": now, "lastTransitionTime": now,
                        "reason": reason, "message": message
                    })
                }
            })
            .collect(),
    )
}

fn is_marked_lost(node: &Value) -> bool {
    object::condition(node, "Ready")
        .and_then(|condition| condition.get("status"))
        .and_then(Value::as_str)
        == Some("Unknown")
}

fn unreachable_taint(taint: &Value) -> bool {
    taint.get("key").and_then(Value::as_str) == Some(UNREACHABLE)
}

/// Marks a lost node NotReady and tainted, or a found-again node Ready and untainted.
pub fn reconcile_node(node: &Value, lost: Option<&LostNode>, ctx: &Context<'_>) -> Outcome {
    let mut outcome = Outcome::none();
    if object::is_deleting(node) {
        return outcome;
    }
    let name = object::name(node);
    let now = ctx.timestamp();
    let taints: Vec<Value> = node
        .pointer("/spec/taints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let tainted = taints.iter().any(unreachable_taint);
    let marked = is_marked_lost(node);
    let lost_now = lost.is_some();
    if lost_now != marked {
        let mut updated = node.clone();
        object::map_at(&mut updated, "status")
            .insert("conditions".into(), conditions(lost_now, &now));
        outcome.push(Change::UpdateStatus {
            resource: &NODES,
            object: updated,
        });
        if ctx.config.record_events {
            let (reason, component) = if lost_now {
                ("NodeNotReady", NODE_CONTROLLER)
            } else {
                ("NodeReady", "kubelet")
            };
            outcome.record(EventRecord::new(
                node,
                EventType::Normal,
                reason,
                format!("Node {name} status is now: {reason}"),
                component,
            ));
        }
    }
    if lost_now != tainted {
        let mut kept: Vec<Value> = taints
            .into_iter()
            .filter(|t| !unreachable_taint(t))
            .collect();
        if lost_now {
            kept.push(json!({"key": UNREACHABLE, "effect": "NoSchedule"}));
            kept.push(json!({"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": now}));
        }
        // Re-read by the next pass: the status write above moves the resourceVersion.
        if outcome.changes.is_empty() {
            let mut updated = node.clone();
            let spec = object::map_at(&mut updated, "spec");
            if kept.is_empty() {
                spec.remove("taints");
            } else {
                spec.insert("taints".into(), Value::Array(kept));
            }
            outcome.push(Change::Update {
                resource: &NODES,
                object: updated,
            });
        } else {
            outcome.requeue(Duration::from_millis(1));
        }
    }
    if let Some(until) = lost.and_then(|lost| lost.until) {
        outcome
            .requeue(until.duration_since(ctx.now).unwrap_or_default() + Duration::from_millis(1));
    }
    outcome
}

/// How long a pod stays on an unreachable node: its `node.kubernetes.io/unreachable` NoExecute
/// toleration's seconds (scaled, or the fault's `evictAfter`); `None` when it tolerates forever.
fn tolerated_for(pod: &Value, lost: &LostNode, ctx: &Context<'_>) -> Option<Duration> {
    let tolerations = pod
        .pointer("/spec/tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let toleration = tolerations.iter().find(|toleration| {
        let key = toleration.get("key").and_then(Value::as_str);
        let operator = toleration
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or("Equal");
        let effect = toleration
            .get("effect")
            .and_then(Value::as_str)
            .unwrap_or("");
        (key == Some(UNREACHABLE) || (key.is_none_or(str::is_empty) && operator == "Exists"))
            && (effect.is_empty() || effect == "NoExecute")
    });
    match toleration {
        None => Some(Duration::ZERO),
        Some(toleration) => {
            let seconds = toleration
                .get("tolerationSeconds")
                .and_then(Value::as_i64)?;
            Some(lost.evict_after.unwrap_or_else(|| {
                ctx.config
                    .scaled(Duration::from_secs(seconds.max(0) as u64))
            }))
        }
    }
}

/// A pod on a lost node: not ready at once, deleted when its toleration runs out.
pub fn reconcile_pod(pod: &Value, lost: &LostNode, ctx: &Context<'_>) -> Outcome {
    let mut outcome = Outcome::none();
    if object::is_deleting(pod)
        || matches!(
            object::text(pod, "/status/phase"),
            Some("Succeeded" | "Failed")
        )
    {
        return outcome;
    }
    if let Some(tolerated) = tolerated_for(pod, lost, ctx) {
        let evict_at = lost
            .since
            .checked_add(tolerated)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if ctx.now >= evict_at {
            outcome.push(Change::Delete {
                resource: &PODS,
                namespace: object::namespace(pod).to_string(),
                name: object::name(pod).to_string(),
                uid: object::uid(pod).to_string(),
            });
            if ctx.config.record_events {
                outcome.record(EventRecord::new(
                    pod,
                    EventType::Normal,
                    "TaintManagerEviction",
                    format!(
                        "Marking for deletion Pod {}/{}",
                        object::namespace(pod),
                        object::name(pod)
                    ),
                    EVICTION_CONTROLLER,
                ));
            }
            return outcome;
        }
        outcome.requeue(
            evict_at.duration_since(ctx.now).unwrap_or_default() + Duration::from_millis(1),
        );
    }
    let ready = object::condition(pod, "Ready")
        .and_then(|condition| condition.get("status"))
        .and_then(Value::as_str);
    if ready != Some("False") {
        let mut updated = pod.clone();
        let now = ctx.timestamp();
        if let Some(conditions) = updated
            .pointer_mut("/status/conditions")
            .and_then(Value::as_array_mut)
        {
            for condition in conditions.iter_mut() {
                if condition.get("type").and_then(Value::as_str) == Some("Ready") {
                    condition["status"] = json!("False");
                    condition["lastTransitionTime"] = json!(now);
                }
            }
        }
        outcome.push(Change::UpdateStatus {
            resource: &PODS,
            object: updated,
        });
        if ctx.config.record_events {
            outcome.record(EventRecord::new(
                pod,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready".to_string(),
                NODE_CONTROLLER,
            ));
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;
    use crate::config::SimulationConfig;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + seconds)
    }

    fn lost(evict_after: Option<Duration>) -> LostNode {
        LostNode {
            node: "ferry-node-2".into(),
            since: at(0),
            evict_after,
            until: None,
        }
    }

    fn pod(tolerations: Value) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1"},
            "spec": {"nodeName": "ferry-node-2", "tolerations": tolerations},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}
            ]}
        })
    }

    fn default_tolerations() -> Value {
        json!([{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}])
    }

    #[test]
    fn a_pod_on_a_lost_node_goes_not_ready_then_is_evicted_when_its_toleration_runs_out() {
        let config = SimulationConfig::with_time_factor(0.01);
        let names = CountingNames::default();
        let ctx = |now| Context {
            now,
            config: &config,
            names: &names,
        };
        let pod = pod(default_tolerations());
        let outcome = reconcile_pod(&pod, &lost(None), &ctx(at(1)));
        let Change::UpdateStatus { object, .. } = &outcome.changes[0] else {
            panic!("expected a status update, got {:?}", outcome.changes)
        };
        assert_eq!(object["status"]["conditions"][0]["status"], "False");
        assert_eq!(object["status"]["conditions"][1]["status"], "True");
        assert_eq!(outcome.requeue_after, Some(Duration::from_millis(2001)));
        let evicted = reconcile_pod(object, &lost(None), &ctx(at(3)));
        assert!(matches!(&evicted.changes[0], Change::Delete { name, .. } if name == "web-1"));
    }

    #[test]
    fn the_faults_evict_after_overrides_the_toleration_and_forever_tolerations_stay() {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: at(5),
            config: &config,
            names: &names,
        };
        let fast = lost(Some(Duration::from_secs(5)));
        let outcome = reconcile_pod(&pod(default_tolerations()), &fast, &ctx);
        assert!(matches!(outcome.changes[0], Change::Delete { .. }));
        let daemon =
            pod(json!([{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}]));
        let outcome = reconcile_pod(&daemon, &fast, &ctx);
        assert!(matches!(outcome.changes[0], Change::UpdateStatus { .. }));
        assert_eq!(outcome.requeue_after, None);
        let untolerated = pod(json!([]));
        let outcome = reconcile_pod(&untolerated, &lost(None), &ctx);
        assert!(matches!(outcome.changes[0], Change::Delete { .. }));
    }

    #[test]
    fn a_lost_node_turns_unknown_then_tainted_and_recovers_when_found() {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: at(1),
            config: &config,
            names: &names,
        };
        let node = json!({"kind": "Node", "metadata": {"name": "ferry-node-2"}, "spec": {},
            "status": {"conditions": conditions(false, "2027-01-15T08:00:00Z")}});
        let outcome = reconcile_node(&node, Some(&lost(None)), &ctx);
        let Change::UpdateStatus { object: marked, .. } = &outcome.changes[0] else {
            panic!("expected a status update")
        };
        assert_eq!(
            object::condition(marked, "Ready").unwrap()["status"],
            "Unknown"
        );
        assert_eq!(
            object::condition(marked, "Ready").unwrap()["reason"],
            "NodeStatusUnknown"
        );
        let outcome = reconcile_node(marked, Some(&lost(None)), &ctx);
        let Change::Update {
            object: tainted, ..
        } = &outcome.changes[0]
        else {
            panic!("expected a taint update")
        };
        assert_eq!(tainted["spec"]["taints"].as_array().map(Vec::len), Some(2));
        assert!(
            reconcile_node(tainted, Some(&lost(None)), &ctx)
                .changes
                .is_empty()
        );
        let outcome = reconcile_node(tainted, None, &ctx);
        let Change::UpdateStatus { object: found, .. } = &outcome.changes[0] else {
            panic!("expected a status update")
        };
        assert!(object::condition_is_true(found, "Ready"));
    }
}
