//! The DaemonSet controller: one pod per Ready node that matches the node selector, old pods
//! replaced one `maxUnavailable` batch at a time on a template change, and the scheduled, ready,
//! available and updated counts in the status.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::pods::{self, PodIdentity, generated_name, pod_from_template};
use super::revisions::{POD_REVISION_LABEL, Revisions};
use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{DAEMON_SETS, PODS};

const COMPONENT: &str = "daemonset-controller";

/// What the controller of one DaemonSet looks at.
pub struct DaemonSetInputs<'a> {
    /// The DaemonSet.
    pub daemon_set: &'a Value,
    /// The pods it controls.
    pub pods: Vec<&'a Value>,
    /// Its ControllerRevisions.
    pub revisions: Vec<&'a Value>,
    /// Every node.
    pub nodes: Vec<&'a Value>,
}

fn eligible(daemon_set: &Value, node: &Value) -> bool {
    let labels = object::labels(node);
    let selector_matches = daemon_set
        .pointer("/spec/template/spec/nodeSelector")
        .and_then(Value::as_object)
        .is_none_or(|selector| {
            selector
                .iter()
                .all(|(key, value)| value.as_str() == labels.get(key).map(String::as_str))
        });
    selector_matches && object::condition_is_true(node, "Ready") && !object::is_deleting(node)
}

/// True for a node that stopped reporting (Ready `Unknown`): its daemon pods stay, as they
/// tolerate `node.kubernetes.io/unreachable` without a time limit.
fn unreachable(node: &Value) -> bool {
    object::condition(node, "Ready")
        .and_then(|condition| condition.get("status"))
        .and_then(Value::as_str)
        == Some("Unknown")
}

/// The tolerations the DaemonSet controller adds to its pods (`AddOrUpdateDaemonPodTolerations`):
/// not-ready and unreachable NoExecute without a time limit, and the NoSchedule ones.
fn add_daemon_tolerations(pod: &mut Value) {
    let wanted = [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    let spec = object::map_at(pod, "spec");
    let mut tolerations: Vec<Value> = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    tolerations.retain(|toleration| {
        !wanted
            .iter()
            .any(|(key, _)| toleration.get("key").and_then(Value::as_str) == Some(key))
    });
    for (key, effect) in wanted {
        tolerations.push(json!({"key": key, "operator": "Exists", "effect": effect}));
    }
    spec.insert("tolerations".into(), Value::Array(tolerations));
}

/// One pass of the DaemonSet controller.
pub fn reconcile(inputs: &DaemonSetInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let daemon_set = inputs.daemon_set;
    let mut outcome = Outcome::none();
    if object::is_deleting(daemon_set) {
        return outcome;
    }
    let revisions = Revisions::new(daemon_set, inputs.revisions.clone());
    let hash = revisions.hash_of(&revisions.update_name);
    outcome.changes.extend(revisions.changes(&[]));
    let nodes: Vec<String> = inputs
        .nodes
        .iter()
        .filter(|node| eligible(daemon_set, node))
        .map(|node| object::name(node).to_string())
        .collect();
    let kept: Vec<String> = inputs
        .nodes
        .iter()
        .filter(|node| unreachable(node))
        .map(|node| object::name(node).to_string())
        .collect();
    let mut by_node: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for pod in inputs.pods.iter().filter(|pod| pods::is_active(pod)) {
        let node = object::text(pod, "/spec/nodeName")
            .unwrap_or("")
            .to_string();
        by_node.entry(node).or_default().push(pod);
    }
    let record = |outcome: &mut Outcome, reason: &str, message: String| {
        if ctx.config.record_events {
            outcome.record(EventRecord::new(
                daemon_set,
                EventType::Normal,
                reason,
                message,
                COMPONENT,
            ));
        }
    };
    let delete = |outcome: &mut Outcome, pod: &Value| {
        outcome.push(Change::Delete {
            resource: &PODS,
            namespace: object::namespace(pod).to_string(),
            name: object::name(pod).to_string(),
            uid: object::uid(pod).to_string(),
        });
    };
    let template = daemon_set.pointer("/spec/template").unwrap_or(&Value::Null);
    let prefix = format!("{}-", object::name(daemon_set));
    for node in &nodes {
        if by_node.get(node).is_some_and(|pods| !pods.is_empty()) {
            continue;
        }
        let name = generated_name(&prefix, ctx.names);
        let mut pod = pod_from_template(
            daemon_set,
            template,
            PodIdentity {
                name: name.clone(),
                generate_name: Some(prefix.clone()),
                labels: vec![
                    (POD_REVISION_LABEL.into(), hash.clone()),
                    (
                        "pod-template-generation".into(),
                        object::generation(daemon_set).to_string(),
                    ),
                ],
                node: Some(node.clone()),
                ..PodIdentity::default()
            },
            ctx.names,
        );
        add_daemon_tolerations(&mut pod);
        outcome.push(Change::Create {
            resource: &PODS,
            object: pod,
        });
        record(
            &mut outcome,
            "SuccessfulCreate",
            format!("Created pod: {name}"),
        );
    }
    for (node, pods) in &by_node {
        let surplus: Vec<&&Value> = if nodes.contains(node) || kept.contains(node) {
            pods.iter().skip(1).collect()
        } else {
            pods.iter().collect()
        };
        for pod in surplus {
            delete(&mut outcome, pod);
            record(
                &mut outcome,
                "SuccessfulDelete",
                format!("Deleted pod: {}", object::name(pod)),
            );
        }
    }
    let on_nodes: Vec<&Value> = nodes
        .iter()
        .filter_map(|node| by_node.get(node).and_then(|pods| pods.first().copied()))
        .collect();
    let rolling = object::text(daemon_set, "/spec/updateStrategy/type") != Some("OnDelete");
    if rolling {
        let max_unavailable = object::int_or_percent(
            daemon_set.pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable"),
            nodes.len() as i64,
            false,
            1,
        )
        .max(1);
        let unavailable =
            nodes.len() as i64 - on_nodes.iter().filter(|pod| pods::is_ready(pod)).count() as i64;
        let budget = (max_unavailable - unavailable).max(0) as usize;
        let stale = on_nodes
            .iter()
            .filter(|pod| object::labels(pod).get(POD_REVISION_LABEL) != Some(&hash));
        for pod in stale.take(budget) {
            delete(&mut outcome, pod);
            record(
                &mut outcome,
                "SuccessfulDelete",
                format!("Deleted pod: {}", object::name(pod)),
            );
        }
    }
    let min_ready = object::integer(daemon_set, "/spec/minReadySeconds").unwrap_or(0);
    let ready = on_nodes.iter().filter(|pod| pods::is_ready(pod)).count() as i64;
    let available = on_nodes
        .iter()
        .filter(|pod| pods::is_available(pod, min_ready, ctx.now))
        .count() as i64;
    let updated = on_nodes
        .iter()
        .filter(|pod| object::labels(pod).get(POD_REVISION_LABEL) == Some(&hash))
        .count() as i64;
    let desired = nodes.len() as i64;
    let mut status = Map::new();
    status.insert("currentNumberScheduled".into(), json!(on_nodes.len()));
    status.insert("numberMisscheduled".into(), json!(0));
    status.insert("desiredNumberScheduled".into(), json!(desired));
    status.insert("numberReady".into(), json!(ready));
    status.insert(
        "observedGeneration".into(),
        json!(object::generation(daemon_set)),
    );
    for (key, value) in [
        ("updatedNumberScheduled", updated),
        ("numberAvailable", available),
        ("numberUnavailable", desired - available),
    ] {
        if value != 0 {
            status.insert(key.into(), json!(value));
        }
    }
    let status = Value::Object(status);
    if daemon_set.get("status") != Some(&status) {
        let mut written = daemon_set.clone();
        object::ensure_map(&mut written).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &DAEMON_SETS,
            object: written,
        });
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;
    use crate::config::SimulationConfig;
    use std::time::SystemTime;

    fn node(name: &str, ready: bool) -> Value {
        json!({"metadata": {"name": name, "labels": {"kubernetes.io/os": "linux"}},
               "status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    fn daemon_set(image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "kube-system", "uid": "ds-uid", "generation": 1},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                                           "containers": [{"name": "agent", "image": image}]}},
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}}
        })
    }

    fn run(daemon_set: &Value, pods: Vec<&Value>, nodes: Vec<&Value>) -> Outcome {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: SystemTime::now(),
            config: &config,
            names: &names,
        };
        reconcile(
            &DaemonSetInputs {
                daemon_set,
                pods,
                revisions: vec![],
                nodes,
            },
            &ctx,
        )
    }

    fn pod_nodes(outcome: &Outcome) -> Vec<String> {
        outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Create { object, .. } if object["kind"] == "Pod" => {
                    object["spec"]["nodeName"].as_str().map(str::to_string)
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_daemon_set_runs_one_pod_on_each_ready_node() {
        let (a, b, down) = (node("n1", true), node("n2", true), node("n3", false));
        let outcome = run(&daemon_set("agent:1"), vec![], vec![&a, &b, &down]);
        assert_eq!(pod_nodes(&outcome), ["n1", "n2"]);
    }

    #[test]
    fn a_template_change_replaces_one_pod_at_a_time() {
        let (a, b) = (node("n1", true), node("n2", true));
        let old = daemon_set("agent:1");
        let old_hash = Revisions::new(&old, vec![]);
        let old_hash = old_hash.hash_of(&old_hash.update_name);
        let pod = |name: &str, node: &str| {
            json!({"metadata": {"name": name, "namespace": "kube-system", "uid": name,
                                "labels": {"app": "agent", "controller-revision-hash": old_hash}},
                   "spec": {"nodeName": node},
                   "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})
        };
        let (first, second) = (pod("agent-1", "n1"), pod("agent-2", "n2"));
        let outcome = run(&daemon_set("agent:2"), vec![&first, &second], vec![&a, &b]);
        let deleted: Vec<&str> = outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Delete { name, resource, .. } if resource.kind == "Pod" => {
                    Some(name.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(deleted, ["agent-1"]);
    }

    #[test]
    fn daemon_pods_tolerate_unreachable_nodes_forever_and_stay_on_a_lost_node() {
        let a = node("n1", true);
        let outcome = run(&daemon_set("agent:1"), vec![], vec![&a]);
        let created = outcome
            .changes
            .iter()
            .find_map(|change| match change {
                Change::Create { object, .. } if object["kind"] == "Pod" => Some(object.clone()),
                _ => None,
            })
            .expect("a pod");
        let unreachable = created["spec"]["tolerations"]
            .as_array()
            .and_then(|list| {
                list.iter()
                    .find(|t| t["key"] == "node.kubernetes.io/unreachable")
            })
            .cloned()
            .expect("the unreachable toleration");
        assert_eq!(
            unreachable,
            json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"})
        );
        let mut lost = node("n1", true);
        lost["status"]["conditions"][0]["status"] = json!("Unknown");
        let mut running = created.clone();
        running["metadata"]["uid"] = json!("p1");
        running["status"] = json!({"phase": "Running"});
        let outcome = run(&daemon_set("agent:1"), vec![&running], vec![&lost]);
        assert!(
            !outcome.changes.iter().any(
                |change| matches!(change, Change::Delete { resource, .. } if resource.kind == "Pod")
            ),
            "{:?}",
            outcome.changes
        );
    }
}
