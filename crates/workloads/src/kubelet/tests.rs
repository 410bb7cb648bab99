use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;
use crate::change::{Change, CountingNames, EventRecord};

fn pod(annotations: Value, image: &str, restart_policy: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "web-abcde", "namespace": "default", "uid": "pod-uid",
            "resourceVersion": "7", "generation": 1, "annotations": annotations
        },
        "spec": {
            "nodeName": "ferry-node-1",
            "restartPolicy": restart_policy,
            "containers": [{"name": "web", "image": image}]
        },
        "status": {"phase": "Pending", "qosClass": "BestEffort"}
    })
}

fn admitted() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn run(pod: &Value, after: Duration) -> Outcome {
    let config = SimulationConfig::default();
    let names = CountingNames::default();
    let ctx = Context {
        now: admitted() + after,
        config: &config,
        names: &names,
    };
    let nodes = vec!["ferry-node-1".to_string()];
    reconcile(
        &PodInputs {
            pod,
            node: None,
            ready_nodes: &nodes,
            admitted_at: admitted(),
        },
        &ctx,
    )
}

fn written_status(outcome: &Outcome) -> Value {
    outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::UpdateStatus { object, .. } => Some(object["status"].clone()),
            _ => None,
        })
        .expect("a status write")
}

fn reasons(outcome: &Outcome) -> Vec<String> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Record(EventRecord { reason, .. }) => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_healthy_pod_runs_and_becomes_ready_with_the_real_status_shape() {
    let pod = pod(json!({}), "nginx:1.27", "Always");
    let outcome = run(&pod, Duration::from_secs(2));
    let status = written_status(&outcome);
    assert_eq!(status["phase"], "Running");
    assert_eq!(
        status["podIP"]
            .as_str()
            .map(|ip| ip.starts_with("10.244.1.")),
        Some(true)
    );
    assert_eq!(status["hostIP"], "172.18.0.2");
    let container = &status["containerStatuses"][0];
    assert_eq!(container["ready"], true);
    assert_eq!(container["restartCount"], 0);
    assert_eq!(container["image"], "docker.io/library/nginx:1.27");
    assert!(container["state"]["running"]["startedAt"].is_string());
    let ready = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|condition| condition["type"] == "Ready")
        .unwrap();
    assert_eq!(ready["status"], "True");
    assert_eq!(
        reasons(&outcome),
        ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    );
}

#[test]
fn a_pod_whose_status_is_current_is_not_written_again() {
    let mut pod = pod(json!({}), "nginx:1.27", "Always");
    let status = written_status(&run(&pod, Duration::from_secs(2)));
    pod["status"] = status;
    let again = run(&pod, Duration::from_secs(3));
    assert!(again.changes.is_empty());
    assert_eq!(again.requeue_after, None);
}

#[test]
fn a_crashlooping_pod_shows_crash_loop_back_off_with_its_last_termination() {
    let pod = pod(
        json!({"cluster.ferry.dev/fault": "crashloop"}),
        "app:1",
        "Always",
    );
    let status = written_status(&run(&pod, Duration::from_secs(5)));
    let container = &status["containerStatuses"][0];
    assert_eq!(container["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert_eq!(container["restartCount"], 1);
    assert_eq!(container["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(container["lastState"]["terminated"]["reason"], "Error");
    assert_eq!(status["phase"], "Running");
    let message = container["state"]["waiting"]["message"].as_str().unwrap();
    assert!(message.starts_with(
        "back-off 10s restarting failed container=web pod=web-abcde_default(pod-uid)"
    ));
}

#[test]
fn an_oom_killed_container_reports_exit_137() {
    let pod = pod(json!({"cluster.ferry.dev/fault": "oom"}), "app:1", "Always");
    let status = written_status(&run(&pod, Duration::from_secs(5)));
    let last = &status["containerStatuses"][0]["lastState"]["terminated"];
    assert_eq!(last["reason"], "OOMKilled");
    assert_eq!(last["exitCode"], 137);
}

#[test]
fn an_image_tagged_broken_fails_to_pull_and_backs_off() {
    let pod = pod(json!({}), "app:broken", "Always");
    let early = written_status(&run(&pod, Duration::from_secs(1)));
    assert_eq!(early["phase"], "Pending");
    assert_eq!(
        early["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ErrImagePull"
    );
    let later = written_status(&run(&pod, Duration::from_secs(8)));
    assert_eq!(
        later["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ImagePullBackOff"
    );
}

#[test]
fn a_never_ready_pod_runs_without_becoming_ready() {
    let pod = pod(
        json!({"cluster.ferry.dev/fault": "never-ready"}),
        "app:1",
        "Always",
    );
    let outcome = run(&pod, Duration::from_secs(60));
    let status = written_status(&outcome);
    assert_eq!(status["phase"], "Running");
    assert_eq!(status["containerStatuses"][0]["ready"], false);
    assert!(reasons(&outcome).contains(&"Unhealthy".to_string()));
}

#[test]
fn a_slow_start_delays_the_container() {
    let pod = pod(
        json!({"cluster.ferry.dev/fault": "slow-start=30s"}),
        "app:1",
        "Always",
    );
    let status = written_status(&run(&pod, Duration::from_secs(20)));
    assert_eq!(
        status["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ContainerCreating"
    );
}

#[test]
fn a_job_pod_succeeds_and_a_failing_one_fails() {
    let ok = pod(json!({}), "job:1", "Never");
    assert_eq!(
        written_status(&run(&ok, Duration::from_secs(5)))["phase"],
        "Succeeded"
    );
    let failing = pod(
        json!({"cluster.ferry.dev/fault": "fail-after=1s"}),
        "job:1",
        "Never",
    );
    let status = written_status(&run(&failing, Duration::from_secs(5)));
    assert_eq!(status["phase"], "Failed");
    assert_eq!(
        status["containerStatuses"][0]["state"]["terminated"]["exitCode"],
        1
    );
}

#[test]
fn an_unscheduled_pod_is_placed_on_a_ready_node() {
    let mut pod = pod(json!({}), "app:1", "Always");
    pod["spec"].as_object_mut().unwrap().remove("nodeName");
    let outcome = run(&pod, Duration::ZERO);
    match &outcome.changes[..] {
        [Change::Update { object, .. }] => assert_eq!(object["spec"]["nodeName"], "ferry-node-1"),
        other => panic!("expected one update, got {other:?}"),
    }
}

#[test]
fn an_unknown_fault_is_ignored_with_a_warning_event() {
    let pod = pod(
        json!({"cluster.ferry.dev/fault": "explode"}),
        "app:1",
        "Always",
    );
    let outcome = run(&pod, Duration::from_secs(2));
    assert_eq!(
        written_status(&outcome)["containerStatuses"][0]["ready"],
        true
    );
    let warning = outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Record(event) if event.reason == "InvalidFault" => Some(event.message.clone()),
            _ => None,
        })
        .expect("a warning");
    assert!(
        warning.starts_with("ignored cluster.ferry.dev/fault: unknown fault \"explode\""),
        "{warning}"
    );
}
