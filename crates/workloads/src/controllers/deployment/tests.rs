use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;
use crate::change::{CountingNames, EventRecord};
use crate::config::SimulationConfig;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn deployment(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "uid": "d-uid", "generation": 1},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": image}]}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600
        },
        "status": {}
    })
}

/// A ReplicaSet of `deployment`'s current template, as the controller would have made it.
fn replica_set_of(
    deployment: &Value,
    revision: i64,
    replicas: i64,
    available: i64,
    created: &str,
) -> Value {
    let template = deployment["spec"]["template"].clone();
    let hash = template_hash(&template, None);
    let mut template = template;
    template["metadata"]["labels"][POD_TEMPLATE_HASH] = json!(hash);
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("web-{hash}"), "namespace": "default", "uid": format!("rs-{revision}"),
            "generation": 1, "creationTimestamp": created,
            "annotations": {
                "deployment.kubernetes.io/revision": revision.to_string(),
                "deployment.kubernetes.io/desired-replicas": deployment["spec"]["replicas"].to_string(),
                "deployment.kubernetes.io/max-replicas": (deployment["spec"]["replicas"].as_i64().unwrap() + 1).to_string()
            },
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d-uid", "controller": true}]
        },
        "spec": {"replicas": replicas, "template": template},
        "status": {"replicas": replicas, "readyReplicas": available, "availableReplicas": available, "observedGeneration": 1}
    })
}

fn run(deployment: &Value, replica_sets: Vec<&Value>) -> Outcome {
    run_at(deployment, replica_sets, now())
}

fn run_at(deployment: &Value, replica_sets: Vec<&Value>, at: SystemTime) -> Outcome {
    let config = SimulationConfig::default();
    let names = CountingNames::default();
    let ctx = Context {
        now: at,
        config: &config,
        names: &names,
    };
    reconcile(
        &DeploymentInputs {
            deployment,
            replica_sets,
            pods: Vec::new(),
        },
        &ctx,
    )
}

fn scaled(outcome: &Outcome) -> Vec<(String, i64)> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Create { object, .. } | Change::Update { object, .. }
                if object["kind"] == "ReplicaSet" =>
            {
                Some((
                    object::name(object).to_string(),
                    object["spec"]["replicas"].as_i64().unwrap_or(0),
                ))
            }
            _ => None,
        })
        .collect()
}

fn written(outcome: &Outcome) -> Value {
    outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::UpdateStatus { object, .. } => Some(object.clone()),
            _ => None,
        })
        .expect("a status write")
}

fn condition(deployment: &Value, kind: &str) -> Value {
    object::condition(deployment, kind)
        .cloned()
        .unwrap_or(Value::Null)
}

fn messages(outcome: &Outcome) -> Vec<String> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Record(EventRecord { message, .. }) => Some(message.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_deployment_creates_its_first_replica_set_at_revision_one_with_the_template_hash() {
    let deployment = deployment(2, "web:1");
    let outcome = run(&deployment, vec![]);
    let created = outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Create { object, .. } => Some(object.clone()),
            _ => None,
        })
        .expect("a ReplicaSet is created");
    let hash = template_hash(&deployment["spec"]["template"], None);
    assert_eq!(created["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(
        created["metadata"]["labels"],
        json!({"app": "web", "pod-template-hash": hash})
    );
    assert_eq!(
        created["spec"]["selector"]["matchLabels"][POD_TEMPLATE_HASH],
        json!(hash)
    );
    assert_eq!(
        created["spec"]["template"]["metadata"]["labels"][POD_TEMPLATE_HASH],
        json!(hash)
    );
    assert_eq!(
        created["metadata"]["annotations"],
        json!({"deployment.kubernetes.io/desired-replicas": "2",
               "deployment.kubernetes.io/max-replicas": "3",
               "deployment.kubernetes.io/revision": "1"})
    );
    assert_eq!(created["metadata"]["ownerReferences"][0]["uid"], "d-uid");
    assert_eq!(created["spec"]["replicas"], 2);
    let status = written(&outcome);
    assert_eq!(status["metadata"]["annotations"][REVISION], "1");
    assert_eq!(
        condition(&status, "Progressing")["reason"],
        "NewReplicaSetCreated"
    );
    assert_eq!(
        condition(&status, "Available")["reason"],
        "MinimumReplicasUnavailable"
    );
    assert_eq!(
        messages(&outcome),
        [format!("Scaled up replica set web-{hash} from 0 to 2")]
    );
}

#[test]
fn a_rolling_update_surges_the_new_replica_set_within_max_surge() {
    let old = deployment(4, "web:1");
    let old_rs = replica_set_of(&old, 1, 4, 4, "2026-01-01T00:00:00Z");
    let mut updated = deployment(4, "web:2");
    updated["metadata"]["generation"] = json!(2);
    let outcome = run(&updated, vec![&old_rs]);
    // 25% of 4 is a surge of one and one unavailable: the new ReplicaSet starts at 1 and the
    // old one gives up one pod in the same pass, as the real controller does.
    let hash = template_hash(&updated["spec"]["template"], None);
    assert_eq!(
        scaled(&outcome),
        [
            (object::name(&old_rs).to_string(), 3),
            (format!("web-{hash}"), 1)
        ]
    );
    assert_eq!(written(&outcome)["metadata"]["annotations"][REVISION], "2");
}

#[test]
fn old_replica_sets_scale_down_only_as_new_pods_become_available() {
    let updated = deployment(4, "web:2");
    let old_rs = replica_set_of(&deployment(4, "web:1"), 1, 4, 4, "2026-01-01T00:00:00Z");
    let waiting = replica_set_of(&updated, 2, 1, 0, "2026-01-02T00:00:00Z");
    // 5 pods, 4 available, min available 3: one old pod may go.
    let outcome = run(&updated, vec![&old_rs, &waiting]);
    let old_name = object::name(&old_rs).to_string();
    assert_eq!(scaled(&outcome), [(old_name.clone(), 3)]);
    let mut waiting_old = old_rs.clone();
    waiting_old["spec"]["replicas"] = json!(3);
    waiting_old["status"] =
        json!({"replicas": 3, "availableReplicas": 3, "readyReplicas": 3, "observedGeneration": 1});
    // 4 pods, 3 available, new one not available: nothing more may go, and the new one may grow.
    let next = run(&updated, vec![&waiting_old, &waiting]);
    let new_name = object::name(&waiting).to_string();
    assert_eq!(scaled(&next), [(new_name, 2)]);
}

#[test]
fn a_complete_rollout_reports_new_replica_set_available() {
    let mut deployment = deployment(2, "web:1");
    let current = replica_set_of(&deployment, 1, 2, 2, "2026-01-01T00:00:00Z");
    deployment["status"] = json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
        "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                        "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z",
                        "message": "x"}]});
    let status = written(&run(&deployment, vec![&current]));
    assert_eq!(status["status"]["availableReplicas"], 2);
    assert_eq!(status["status"].get("unavailableReplicas"), None);
    assert_eq!(condition(&status, "Available")["status"], "True");
    let progressing = condition(&status, "Progressing");
    assert_eq!(progressing["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        progressing["message"],
        format!(
            "ReplicaSet \"{}\" has successfully progressed.",
            object::name(&current)
        )
    );
    assert_eq!(progressing["lastTransitionTime"], "2026-01-01T00:00:00Z");
}

#[test]
fn a_rollout_without_progress_past_its_deadline_reports_progress_deadline_exceeded() {
    let mut deployment = deployment(2, "web:1");
    deployment["spec"]["progressDeadlineSeconds"] = json!(5);
    let stuck = replica_set_of(&deployment, 1, 2, 0, "2026-01-01T00:00:00Z");
    let since = object::timestamp(now() - Duration::from_secs(10));
    deployment["status"] = json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "unavailableReplicas": 2,
        "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                        "lastUpdateTime": since, "lastTransitionTime": since, "message": "x"}]});
    let outcome = run(&deployment, vec![&stuck]);
    let progressing = condition(&written(&outcome), "Progressing");
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    assert_eq!(
        progressing["message"],
        format!(
            "ReplicaSet \"{}\" has timed out progressing.",
            object::name(&stuck)
        )
    );
    // Before the deadline the controller only asks to look again when it is due.
    let early = run_at(&deployment, vec![&stuck], now() - Duration::from_secs(8));
    assert!(
        early
            .changes
            .iter()
            .all(|change| !matches!(change, Change::UpdateStatus { .. }))
            || {
                condition(&written(&early), "Progressing")["reason"] != "ProgressDeadlineExceeded"
            }
    );
    assert!(early.requeue_after.is_some());
}

#[test]
fn a_paused_deployment_reports_deployment_paused_and_does_not_roll_out() {
    let old_rs = replica_set_of(&deployment(2, "web:1"), 1, 2, 2, "2026-01-01T00:00:00Z");
    let mut paused = deployment(2, "web:2");
    paused["spec"]["paused"] = json!(true);
    let outcome = run(&paused, vec![&old_rs]);
    assert!(scaled(&outcome).is_empty());
    let progressing = condition(&written(&outcome), "Progressing");
    assert_eq!(progressing["status"], "Unknown");
    assert_eq!(progressing["reason"], "DeploymentPaused");
    assert_eq!(progressing["message"], "Deployment is paused");
}

#[test]
fn scaling_a_deployment_resizes_its_only_active_replica_set() {
    let current = replica_set_of(&deployment(2, "web:1"), 1, 2, 2, "2026-01-01T00:00:00Z");
    let outcome = run(&deployment(5, "web:1"), vec![&current]);
    assert_eq!(scaled(&outcome), [(object::name(&current).to_string(), 5)]);
    assert_eq!(
        messages(&outcome),
        [format!(
            "Scaled up replica set {} from 2 to 5",
            object::name(&current)
        )]
    );
}

#[test]
fn a_recreate_deployment_scales_old_to_zero_before_creating_new() {
    let old_rs = replica_set_of(&deployment(2, "web:1"), 1, 2, 2, "2026-01-01T00:00:00Z");
    let mut updated = deployment(2, "web:2");
    updated["spec"]["strategy"] = json!({"type": "Recreate"});
    let first = run(&updated, vec![&old_rs]);
    assert_eq!(scaled(&first), [(object::name(&old_rs).to_string(), 0)]);
    assert!(
        !first
            .changes
            .iter()
            .any(|change| matches!(change, Change::Create { .. }))
    );
    let mut drained = old_rs.clone();
    drained["spec"]["replicas"] = json!(0);
    drained["status"] = json!({"replicas": 0, "observedGeneration": 1});
    let second = run(&updated, vec![&drained]);
    let hash = template_hash(&updated["spec"]["template"], None);
    assert_eq!(scaled(&second), [(format!("web-{hash}"), 2)]);
}

#[test]
fn old_replica_sets_beyond_the_revision_history_limit_are_deleted() {
    let mut current_deployment = deployment(1, "web:3");
    current_deployment["spec"]["revisionHistoryLimit"] = json!(1);
    current_deployment["status"] = json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1});
    let mut first = replica_set_of(&deployment(1, "web:1"), 1, 0, 0, "2026-01-01T00:00:00Z");
    first["status"] = json!({"replicas": 0, "observedGeneration": 1});
    let mut second = replica_set_of(&deployment(1, "web:2"), 2, 0, 0, "2026-01-02T00:00:00Z");
    second["status"] = json!({"replicas": 0, "observedGeneration": 1});
    let current = replica_set_of(&current_deployment, 3, 1, 1, "2026-01-03T00:00:00Z");
    let outcome = run(&current_deployment, vec![&first, &second, &current]);
    let deleted: Vec<&str> = outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Delete { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, [object::name(&first)]);
}

#[test]
fn rolling_back_to_an_old_template_reuses_its_replica_set_with_a_new_revision() {
    let mut first = replica_set_of(&deployment(1, "web:1"), 1, 0, 0, "2026-01-01T00:00:00Z");
    first["status"] = json!({"replicas": 0, "observedGeneration": 1});
    let second = replica_set_of(&deployment(1, "web:2"), 2, 1, 1, "2026-01-02T00:00:00Z");
    let rolled_back = deployment(1, "web:1");
    let outcome = run(&rolled_back, vec![&first, &second]);
    let reused = outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Update { object, .. } if object::name(object) == object::name(&first) => {
                Some(object.clone())
            }
            _ => None,
        })
        .expect("the old ReplicaSet is updated");
    assert_eq!(reused["metadata"]["annotations"][REVISION], "3");
    assert_eq!(
        reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"],
        "1"
    );
    assert_eq!(reused["spec"]["replicas"], 1);
    assert_eq!(written(&outcome)["metadata"]["annotations"][REVISION], "3");
}
