use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;
use crate::change::CountingNames;
use crate::config::SimulationConfig;

fn stateful_set(replicas: i64, image: &str, policy: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "store", "namespace": "demo", "uid": "sts-uid", "generation": 1},
        "spec": {
            "replicas": replicas, "serviceName": "store", "podManagementPolicy": policy,
            "selector": {"matchLabels": {"app": "store"}},
            "template": {"metadata": {"labels": {"app": "store"}},
                         "spec": {"containers": [{"name": "store", "image": image}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
        }
    })
}

fn revision_name(set: &Value) -> String {
    Revisions::new(set, vec![]).update_name
}

fn pod(ordinal: i64, revision: &str, ready: bool) -> Value {
    json!({
        "metadata": {"name": format!("store-{ordinal}"), "namespace": "demo", "uid": format!("pod-{ordinal}"),
                     "labels": {"app": "store", "controller-revision-hash": revision}},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
    })
}

fn run(set: &Value, pods: Vec<&Value>) -> Outcome {
    let config = SimulationConfig::default();
    let names = CountingNames::default();
    let ctx = Context {
        now: UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        config: &config,
        names: &names,
    };
    let nodes = vec!["ferry-node-1".to_string()];
    reconcile(
        &StatefulSetInputs {
            stateful_set: set,
            pods,
            claims: vec![],
            revisions: vec![],
            ready_nodes: &nodes,
        },
        &ctx,
    )
}

fn created(outcome: &Outcome) -> Vec<(String, String)> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Create { object, .. } => Some((
                object["kind"].as_str().unwrap_or("").to_string(),
                object::name(object).to_string(),
            )),
            _ => None,
        })
        .collect()
}

fn deleted(outcome: &Outcome) -> Vec<String> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Delete { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

fn pair(kind: &str, name: &str) -> (String, String) {
    (kind.to_string(), name.to_string())
}

#[test]
fn an_ordered_stateful_set_creates_its_revision_then_pod_zero_and_its_claim() {
    let set = stateful_set(2, "store:1", "OrderedReady");
    let outcome = run(&set, vec![]);
    let revision = revision_name(&set);
    assert_eq!(
        created(&outcome),
        [
            pair("ControllerRevision", &revision),
            pair("PersistentVolumeClaim", "data-store-0"),
            pair("Pod", "store-0")
        ]
    );
    let pod = outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Create { object, .. } if object["kind"] == "Pod" => Some(object.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(pod["spec"]["hostname"], "store-0");
    assert_eq!(pod["spec"]["subdomain"], "store");
    assert_eq!(
        pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "data-store-0"
    );
    assert_eq!(
        pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
        "0"
    );
    assert_eq!(
        pod["metadata"]["labels"]["controller-revision-hash"],
        json!(revision)
    );
}

#[test]
fn the_next_ordinal_waits_until_the_previous_pod_is_running_and_ready() {
    let set = stateful_set(2, "store:1", "OrderedReady");
    let revision = revision_name(&set);
    let starting = pod(0, &revision, false);
    assert!(!created(&run(&set, vec![&starting])).contains(&pair("Pod", "store-1")));
    let ready = pod(0, &revision, true);
    assert!(created(&run(&set, vec![&ready])).contains(&pair("Pod", "store-1")));
}

#[test]
fn a_parallel_stateful_set_creates_every_pod_at_once() {
    let set = stateful_set(3, "store:1", "Parallel");
    let pods: Vec<(String, String)> = created(&run(&set, vec![]))
        .into_iter()
        .filter(|(kind, _)| kind == "Pod")
        .collect();
    assert_eq!(pods.len(), 3);
}

#[test]
fn a_template_change_replaces_the_highest_ordinal_first() {
    let old = stateful_set(2, "store:1", "OrderedReady");
    let old_revision = revision_name(&old);
    let a = pod(0, &old_revision, true);
    let b = pod(1, &old_revision, true);
    let updated = stateful_set(2, "store:2", "OrderedReady");
    let outcome = run(&updated, vec![&a, &b]);
    assert_eq!(deleted(&outcome), ["store-1"]);
}

#[test]
fn scaling_down_removes_the_highest_ordinal_first() {
    let set = stateful_set(1, "store:1", "OrderedReady");
    let revision = revision_name(&set);
    let a = pod(0, &revision, true);
    let b = pod(1, &revision, true);
    let c = pod(2, &revision, true);
    assert_eq!(deleted(&run(&set, vec![&a, &b, &c])), ["store-2"]);
}

#[test]
fn the_status_moves_the_current_revision_once_every_pod_is_updated_and_ready() {
    let mut set = stateful_set(1, "store:1", "OrderedReady");
    set["status"] = json!({"currentRevision": "store-old"});
    let revision = revision_name(&set);
    let a = pod(0, &revision, true);
    let outcome = run(&set, vec![&a]);
    let status = outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::UpdateStatus { object, .. } => Some(object["status"].clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(status["currentRevision"], json!(revision));
    assert_eq!(status["updateRevision"], json!(revision));
    assert_eq!(status["currentReplicas"], 1);
    assert_eq!(status["availableReplicas"], 1);
}

#[test]
fn the_revision_name_is_the_same_before_and_after_the_status_records_no_collisions() {
    let mut set = stateful_set(1, "store:1", "OrderedReady");
    let before = revision_name(&set);
    set["status"] = json!({"collisionCount": 0});
    assert_eq!(revision_name(&set), before);
}
