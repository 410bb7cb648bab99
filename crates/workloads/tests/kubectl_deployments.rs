//! The real kubectl over HTTPS against a cluster with its controllers: rollouts succeed or fail
//! with kubectl's own messages, faults show the real pod states, scale and delete work.

mod common;

use std::time::Duration;

use common::{eventually, kubectl_available, served};
use serde_json::Value;

fn deployment(
    name: &str,
    replicas: u32,
    image: &str,
    extra_spec: &str,
    annotations: &str,
) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: default
  annotations: {{{annotations}}}
spec:
  replicas: {replicas}
{extra_spec}  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: app
        image: {image}
"
    )
}

fn pod_states(pods: &Value) -> Vec<String> {
    pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pod| {
            pod.pointer("/status/containerStatuses/0/state/waiting/reason")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

#[tokio::test]
async fn rollout_status_succeeds_for_a_healthy_deployment_and_wait_sees_it_available() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl
        .apply("web.yaml", &deployment("web", 3, "nginx:1.27", "", ""))
        .await;
    let out = kubectl
        .ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    assert!(
        out.trim_end()
            .ends_with("deployment \"web\" successfully rolled out"),
        "{out}"
    );
    let out = kubectl
        .ok(&[
            "wait",
            "--for=condition=Available",
            "deployment/web",
            "--timeout=30s",
        ])
        .await;
    assert_eq!(out.trim(), "deployment.apps/web condition met");
    let pods = kubectl.json(&["get", "pods", "-l", "app=web"]).await;
    let items = pods["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    for pod in items {
        assert_eq!(pod["status"]["phase"], "Running");
        assert!(
            pod["status"]["podIP"]
                .as_str()
                .is_some_and(|ip| ip.starts_with("10.244."))
        );
        assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
    }
    // Field selectors the real server serves for pods, and for events (what `kubectl
    // describe` asks for).
    let running = kubectl
        .json(&[
            "get",
            "pods",
            "--field-selector",
            "status.phase=Running,spec.hostNetwork=false",
        ])
        .await;
    assert_eq!(running["items"].as_array().map(Vec::len), Some(3));
    let pending = kubectl
        .json(&["get", "pods", "--field-selector", "status.phase=Pending"])
        .await;
    assert_eq!(pending["items"].as_array().map(Vec::len), Some(0));
    let pod = items[0]["metadata"]["name"].as_str().unwrap();
    let events = kubectl
        .json(&[
            "get",
            "events",
            "--field-selector",
            &format!("involvedObject.kind=Pod,involvedObject.name={pod}"),
        ])
        .await;
    let reasons: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["reason"].as_str().unwrap_or(""))
        .collect();
    assert!(reasons.contains(&"Started"), "{reasons:?}");
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|event| event["involvedObject"]["name"] == pod)
    );
    let described = kubectl.ok(&["describe", "pod", pod]).await;
    assert!(described.contains("Started"), "{described}");
    let replica_sets = kubectl.json(&["get", "replicasets", "-l", "app=web"]).await;
    let annotations = &replica_sets["items"][0]["metadata"]["annotations"];
    assert_eq!(annotations["deployment.kubernetes.io/revision"], "1");
    assert_eq!(
        annotations["deployment.kubernetes.io/desired-replicas"],
        "3"
    );
    served.controllers.stop().await;
}

#[tokio::test]
async fn rollout_status_fails_with_the_real_message_when_a_crashloop_passes_the_progress_deadline()
{
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl
        .apply(
            "crash.yaml",
            &deployment(
                "crash",
                2,
                "app:1",
                "  progressDeadlineSeconds: 2\n",
                "cluster.ferry.dev/fault: crashloop",
            ),
        )
        .await;
    let run = kubectl
        .run(&["rollout", "status", "deployment/crash", "--timeout=30s"])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr.trim(),
        "error: deployment \"crash\" exceeded its progress deadline"
    );
    let deployment = kubectl.json(&["get", "deployment", "crash"]).await;
    let progressing = deployment["status"]["conditions"]
        .as_array()
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == "Progressing"))
        .cloned()
        .expect("a Progressing condition");
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    let pods = eventually("crash-looping pods", Duration::from_secs(20), || async {
        let pods = kubectl.json(&["get", "pods", "-l", "app=crash"]).await;
        let restarted = pods["items"].as_array().is_some_and(|items| {
            items.iter().all(|pod| {
                pod.pointer("/status/containerStatuses/0/restartCount")
                    .and_then(Value::as_u64)
                    .is_some_and(|count| count >= 2)
            })
        });
        (restarted && pod_states(&pods) == ["CrashLoopBackOff", "CrashLoopBackOff"]).then_some(pods)
    })
    .await;
    let last = &pods["items"][0]["status"]["containerStatuses"][0]["lastState"]["terminated"];
    assert_eq!(last["exitCode"], 1);
    assert_eq!(last["reason"], "Error");
    // With server-side Table output (another slice) `kubectl get pods` prints the STATUS column.
    let table = kubectl.ok(&["get", "pods", "-l", "app=crash"]).await;
    if table.contains("STATUS") {
        assert!(table.contains("CrashLoopBackOff"), "{table}");
    }
    served.controllers.stop().await;
}

#[tokio::test]
async fn pods_of_a_broken_image_show_err_image_pull_then_image_pull_back_off() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl
        .apply(
            "pull.yaml",
            &deployment("pull", 1, "registry.example.invalid/app:broken", "", ""),
        )
        .await;
    eventually("ErrImagePull", Duration::from_secs(10), || async {
        let pods = kubectl.json(&["get", "pods", "-l", "app=pull"]).await;
        (pod_states(&pods) == ["ErrImagePull"]).then_some(())
    })
    .await;
    let pods = eventually("ImagePullBackOff", Duration::from_secs(10), || async {
        let pods = kubectl.json(&["get", "pods", "-l", "app=pull"]).await;
        (pod_states(&pods) == ["ImagePullBackOff"]).then_some(pods)
    })
    .await;
    let pod = &pods["items"][0];
    assert_eq!(pod["status"]["phase"], "Pending");
    let message = pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.starts_with("Back-off pulling image \"registry.example.invalid/app:broken\""),
        "{message}"
    );
    let events = kubectl.json(&["get", "events"]).await;
    let reasons: Vec<(&str, &str)> = events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|event| {
            (
                event["reason"].as_str().unwrap_or(""),
                event["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        reasons.contains(&("Failed", "Error: ErrImagePull")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("Failed", "Error: ImagePullBackOff")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|(reason, _)| *reason == "Scheduled"),
        "{reasons:?}"
    );
    served.controllers.stop().await;
}

#[tokio::test]
async fn oom_and_never_ready_faults_show_their_real_states() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl
        .apply(
            "oom.yaml",
            &deployment("oom", 1, "app:1", "", "cluster.ferry.dev/fault: oom"),
        )
        .await;
    kubectl
        .apply(
            "lazy.yaml",
            &deployment(
                "lazy",
                1,
                "app:1",
                "",
                "cluster.ferry.dev/fault: never-ready",
            ),
        )
        .await;
    eventually(
        "an OOMKilled container",
        Duration::from_secs(10),
        || async {
            let pods = kubectl.json(&["get", "pods", "-l", "app=oom"]).await;
            let last = pods.pointer("/items/0/status/containerStatuses/0/lastState/terminated")?;
            (last["reason"] == "OOMKilled" && last["exitCode"] == 137).then_some(())
        },
    )
    .await;
    eventually(
        "a running, never ready container",
        Duration::from_secs(10),
        || async {
            let pods = kubectl.json(&["get", "pods", "-l", "app=lazy"]).await;
            let pod = pods.pointer("/items/0")?;
            let running = pod
                .pointer("/status/containerStatuses/0/state/running")
                .is_some();
            (running
                && pod["status"]["phase"] == "Running"
                && pod["status"]["containerStatuses"][0]["ready"] == false)
                .then_some(())
        },
    )
    .await;
    let run = kubectl
        .run(&[
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=lazy",
            "--timeout=1s",
        ])
        .await;
    assert_ne!(run.code, 0, "{run:?}");
    served.controllers.stop().await;
}

#[tokio::test]
async fn kubectl_scale_changes_the_pod_count_and_delete_removes_replica_sets_and_pods() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl
        .apply(
            "scaled.yaml",
            &deployment("scaled", 1, "nginx:1.27", "", ""),
        )
        .await;
    kubectl
        .ok(&["rollout", "status", "deployment/scaled", "--timeout=30s"])
        .await;
    kubectl
        .ok(&["scale", "deployment/scaled", "--replicas=4"])
        .await;
    kubectl
        .ok(&["rollout", "status", "deployment/scaled", "--timeout=30s"])
        .await;
    let count = |value: &Value| value["items"].as_array().map_or(0, Vec::len);
    eventually("four running pods", Duration::from_secs(10), || async {
        let pods = kubectl.json(&["get", "pods", "-l", "app=scaled"]).await;
        let running = pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|pod| pod["status"]["phase"] == "Running")
            .count();
        (count(&pods) == 4 && running == 4).then_some(())
    })
    .await;
    kubectl
        .ok(&["scale", "deployment/scaled", "--replicas=2"])
        .await;
    eventually("two pods", Duration::from_secs(10), || async {
        let pods = kubectl.json(&["get", "pods", "-l", "app=scaled"]).await;
        (count(&pods) == 2).then_some(())
    })
    .await;
    kubectl.ok(&["delete", "deployment", "scaled"]).await;
    eventually(
        "replica sets and pods gone",
        Duration::from_secs(10),
        || async {
            let pods = kubectl.json(&["get", "pods", "-l", "app=scaled"]).await;
            let sets = kubectl
                .json(&["get", "replicasets", "-l", "app=scaled"])
                .await;
            (count(&pods) == 0 && count(&sets) == 0).then_some(())
        },
    )
    .await;
    served.controllers.stop().await;
}

#[tokio::test]
async fn a_paused_deployment_holds_its_rollout_until_resumed_and_restart_rolls_new_pods() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl
        .apply("held.yaml", &deployment("held", 2, "app:1", "", ""))
        .await;
    kubectl
        .ok(&["rollout", "status", "deployment/held", "--timeout=30s"])
        .await;
    kubectl.ok(&["rollout", "pause", "deployment/held"]).await;
    kubectl
        .ok(&["set", "image", "deployment/held", "app=app:2"])
        .await;
    let paused = eventually("the paused condition", Duration::from_secs(10), || async {
        let deployment = kubectl.json(&["get", "deployment", "held"]).await;
        let reason = deployment["status"]["conditions"]
            .as_array()?
            .iter()
            .find(|c| c["type"] == "Progressing")?["reason"]
            .clone();
        (reason == "DeploymentPaused").then_some(deployment)
    })
    .await;
    assert_eq!(
        paused["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let sets = kubectl
        .json(&["get", "replicasets", "-l", "app=held"])
        .await;
    assert_eq!(sets["items"].as_array().map(Vec::len), Some(1));
    kubectl.ok(&["rollout", "resume", "deployment/held"]).await;
    kubectl
        .ok(&["rollout", "status", "deployment/held", "--timeout=30s"])
        .await;
    let deployment = kubectl.json(&["get", "deployment", "held"]).await;
    assert_eq!(
        deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    let before = kubectl.json(&["get", "pods", "-l", "app=held"]).await;
    kubectl.ok(&["rollout", "restart", "deployment/held"]).await;
    kubectl
        .ok(&["rollout", "status", "deployment/held", "--timeout=30s"])
        .await;
    let deployment = kubectl.json(&["get", "deployment", "held"]).await;
    assert_eq!(
        deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    let after = eventually("the old pods gone", Duration::from_secs(10), || async {
        let pods = kubectl.json(&["get", "pods", "-l", "app=held"]).await;
        (pods["items"].as_array().map(Vec::len) == Some(2)).then_some(pods)
    })
    .await;
    let names = |pods: &Value| -> Vec<String> {
        pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|pod| pod["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    };
    assert!(
        names(&after)
            .iter()
            .all(|name| !names(&before).contains(name))
    );
    served.controllers.stop().await;
}
