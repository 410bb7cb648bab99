//! The ReplicaSet controller: keeps `spec.replicas` pods of the template alive (creating with
//! generated names, deleting the least valuable first) and reports replicas, ready and
//! available counts.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::pods::{self, PodIdentity, generated_name, pod_from_template};
use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{PODS, REPLICA_SETS};
use crate::scheduling;

const COMPONENT: &str = "replicaset-controller";

/// What the controller of one ReplicaSet looks at.
pub struct ReplicaSetInputs<'a> {
    /// The ReplicaSet.
    pub replica_set: &'a Value,
    /// The pods it controls.
    pub pods: Vec<&'a Value>,
    /// Nodes new pods may be placed on.
    pub ready_nodes: &'a [String],
}

/// Creates or deletes pods towards `spec.replicas` and writes the status.
pub fn reconcile(inputs: &ReplicaSetInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let replica_set = inputs.replica_set;
    let mut outcome = Outcome::none();
    if object::is_deleting(replica_set) {
        return outcome;
    }
    let desired = object::integer(replica_set, "/spec/replicas")
        .unwrap_or(1)
        .max(0);
    let mut active: Vec<&Value> = inputs
        .pods
        .iter()
        .copied()
        .filter(|pod| pods::is_active(pod))
        .collect();
    let count = active.len() as i64;
    if count < desired {
        let template = replica_set
            .pointer("/spec/template")
            .unwrap_or(&Value::Null);
        let prefix = format!("{}-", object::name(replica_set));
        for _ in count..desired {
            let name = generated_name(&prefix, ctx.names);
            let node = scheduling::pick_node(inputs.ready_nodes, &name);
            let pod = pod_from_template(
                replica_set,
                template,
                PodIdentity {
                    name: name.clone(),
                    generate_name: Some(prefix.clone()),
                    node,
                    ..PodIdentity::default()
                },
                ctx.names,
            );
            outcome.push(Change::Create {
                resource: &PODS,
                object: pod,
            });
            if ctx.config.record_events {
                outcome.record(EventRecord::new(
                    replica_set,
                    EventType::Normal,
                    "SuccessfulCreate",
                    format!("Created pod: {name}"),
                    COMPONENT,
                ));
            }
        }
    } else if count > desired {
        active.sort_by_key(|pod| deletion_rank(pod));
        for pod in active.iter().take((count - desired) as usize) {
            outcome.push(Change::Delete {
                resource: &PODS,
                namespace: object::namespace(pod).to_string(),
                name: object::name(pod).to_string(),
                uid: object::uid(pod).to_string(),
            });
            if ctx.config.record_events {
                outcome.record(EventRecord::new(
                    replica_set,
                    EventType::Normal,
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", object::name(pod)),
                    COMPONENT,
                ));
            }
        }
    }
    let min_ready = object::integer(replica_set, "/spec/minReadySeconds").unwrap_or(0);
    let status = status(replica_set, &active, min_ready, ctx);
    if replica_set.get("status") != Some(&status) {
        let mut updated = replica_set.clone();
        object::ensure_map(&mut updated).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &REPLICA_SETS,
            object: updated,
        });
    }
    if min_ready > 0
        && active
            .iter()
            .any(|pod| pods::is_ready(pod) && !pods::is_available(pod, min_ready, ctx.now))
    {
        outcome.requeue(Duration::from_secs(1));
    }
    outcome
}

/// Pods sorted by this key are deleted first-to-last: unscheduled, pending, not ready, most
/// restarted, newest.
fn deletion_rank(pod: &Value) -> (bool, u8, bool, i64, std::cmp::Reverse<String>) {
    let scheduled = object::text(pod, "/spec/nodeName").is_some_and(|node| !node.is_empty());
    let phase = match object::text(pod, "/status/phase") {
        Some("Pending") | None => 0,
        Some("Unknown") => 1,
        _ => 2,
    };
    let restarts: i64 = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(|statuses| {
            statuses
                .iter()
                .filter_map(|status| status.get("restartCount").and_then(Value::as_i64))
                .sum()
        })
        .unwrap_or(0);
    let created = object::text(pod, "/metadata/creationTimestamp")
        .unwrap_or("")
        .to_string();
    (
        scheduled,
        phase,
        pods::is_ready(pod),
        -restarts,
        std::cmp::Reverse(created),
    )
}

fn status(replica_set: &Value, active: &[&Value], min_ready: i64, ctx: &Context<'_>) -> Value {
    let template_labels = object::labels(
        replica_set
            .pointer("/spec/template")
            .unwrap_or(&Value::Null),
    );
    let fully_labeled = active
        .iter()
        .filter(|pod| {
            let labels = object::labels(pod);
            template_labels
                .iter()
                .all(|(key, value)| labels.get(key) == Some(value))
        })
        .count();
    let ready = active.iter().filter(|pod| pods::is_ready(pod)).count();
    let available = active
        .iter()
        .filter(|pod| pods::is_available(pod, min_ready, ctx.now))
        .count();
    let mut status = Map::new();
    status.insert("replicas".into(), json!(active.len()));
    if fully_labeled > 0 {
        status.insert("fullyLabeledReplicas".into(), json!(fully_labeled));
    }
    if ready > 0 {
        status.insert("readyReplicas".into(), json!(ready));
    }
    if available > 0 {
        status.insert("availableReplicas".into(), json!(available));
    }
    status.insert("terminatingReplicas".into(), json!(0));
    status.insert(
        "observedGeneration".into(),
        json!(object::generation(replica_set)),
    );
    if let Some(conditions) = replica_set.pointer("/status/conditions") {
        status.insert("conditions".into(), conditions.clone());
    }
    Value::Object(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;
    use crate::config::SimulationConfig;
    use std::time::UNIX_EPOCH;

    fn replica_set(replicas: i64) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-abc", "namespace": "default", "uid": "rs-uid", "generation": 2},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "web:1"}]}}
            },
            "status": {"replicas": 0}
        })
    }

    fn pod(name: &str, ready: bool, created: &str) -> Value {
        json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("{name}-uid"),
                         "labels": {"app": "web"}, "creationTimestamp": created},
            "spec": {"nodeName": "ferry-node-1"},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": if ready { "True" } else { "False" }}
            ]}
        })
    }

    fn run(replica_set: &Value, pods: Vec<&Value>) -> Outcome {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: UNIX_EPOCH + Duration::from_secs(1_800_000_000),
            config: &config,
            names: &names,
        };
        let nodes = vec!["ferry-node-1".to_string()];
        reconcile(
            &ReplicaSetInputs {
                replica_set,
                pods,
                ready_nodes: &nodes,
            },
            &ctx,
        )
    }

    #[test]
    fn a_replica_set_creates_the_missing_pods_with_generated_names() {
        let outcome = run(&replica_set(2), vec![]);
        let created: Vec<String> = outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Create { object, .. } => Some(object::name(object).to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(created, ["web-abc-bbbbb", "web-abc-bbbbd"]);
        let messages: Vec<&str> = outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Record(event) => Some(event.message.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            messages,
            ["Created pod: web-abc-bbbbb", "Created pod: web-abc-bbbbd"]
        );
    }

    #[test]
    fn a_replica_set_scaled_down_deletes_unready_and_newest_pods_first() {
        let old_ready = pod("old", true, "2026-01-01T00:00:00Z");
        let new_ready = pod("new", true, "2026-01-02T00:00:00Z");
        let unready = pod("unready", false, "2025-01-01T00:00:00Z");
        let outcome = run(&replica_set(1), vec![&old_ready, &new_ready, &unready]);
        let deleted: Vec<&str> = outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Delete { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(deleted, ["unready", "new"]);
    }

    #[test]
    fn a_replica_set_reports_ready_and_available_pods_in_its_status() {
        let ready = pod("a", true, "2026-01-01T00:00:00Z");
        let unready = pod("b", false, "2026-01-01T00:00:00Z");
        let outcome = run(&replica_set(2), vec![&ready, &unready]);
        match &outcome.changes[..] {
            [Change::UpdateStatus { object, .. }] => assert_eq!(
                object["status"],
                json!({"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1,
                       "availableReplicas": 1, "terminatingReplicas": 0, "observedGeneration": 2})
            ),
            other => panic!("expected one status write, got {other:?}"),
        }
    }
}
