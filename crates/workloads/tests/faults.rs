//! Cluster-wide faults seen by real clients over HTTPS: kube-rs and kubectl get the injected
//! 429/500/503 Status bodies and latency, watches dropped by the server resume from their last
//! resourceVersion, compaction answers old resourceVersions with 410 Gone, and a lost node's
//! pods are replaced on the other nodes. Faults are added and cleared through `/ferry/faults`.

mod common;

use std::time::{Duration, Instant};

use common::{Served, eventually, kubectl_available, served};
use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Node, Pod};
use kube::api::{Api, DeleteParams, ListParams, PostParams, VersionMatch, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

/// A kube-rs client from the test cluster's kubeconfig; `retry` keeps kube's default retries
/// of 429/503/504.
async fn kube_client(served: &Served, retry: bool) -> kube::Client {
    let kubeconfig = Kubeconfig::read_from(served.kubectl.kubeconfig()).expect("kubeconfig");
    let mut config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("client config");
    config.default_retry = retry;
    kube::Client::try_from(config).expect("client")
}

async fn add_fault(client: &kube::Client, fault: Value) -> Value {
    let request = kube::core::Request::new("/ferry/faults")
        .create(&PostParams::default(), fault.to_string().into_bytes())
        .expect("request");
    let text = client.request_text(request).await.expect("fault added");
    serde_json::from_str(&text).expect("fault JSON")
}

async fn clear_faults(client: &kube::Client) -> Value {
    let request = kube::core::Request::new("/ferry/faults")
        .delete_collection(&DeleteParams::default(), &ListParams::default())
        .expect("request");
    serde_json::from_str(&client.request_text(request).await.expect("cleared")).expect("JSON")
}

async fn list_faults(client: &kube::Client) -> Value {
    let request = kube::core::Request::new("/ferry/faults")
        .list(&ListParams::default())
        .expect("request");
    serde_json::from_str(&client.request_text(request).await.expect("listed")).expect("JSON")
}

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default"},
        "data": {"a": "1"}
    }))
    .expect("config map")
}

fn api_status(error: kube::Error) -> Box<kube::core::Status> {
    match error {
        kube::Error::Api(status) => status,
        other => panic!("expected a Status, got {other}"),
    }
}

#[tokio::test]
async fn injected_errors_reach_kube_rs_and_kubectl_as_the_real_status_bodies() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let raw = kube_client(&served, false).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(raw.clone(), "default");
    add_fault(
        &raw,
        json!({"type": "errors", "code": 503, "resources": ["configmaps"]}),
    )
    .await;
    let status = api_status(config_maps.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(
        (status.code, status.reason.as_str()),
        (503, "ServiceUnavailable")
    );
    // Other resources and the health checks are not in the fault's scope.
    Api::<Pod>::namespaced(raw.clone(), "default")
        .list(&ListParams::default())
        .await
        .expect("pods are served");
    let health = kube::core::Request::new("/livez")
        .get("ping", &Default::default())
        .expect("request");
    assert_eq!(raw.request_text(health).await.expect("healthz"), "ok");
    let run = served.kubectl.run(&["get", "configmaps"]).await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("Error from server (ServiceUnavailable)"),
        "{}",
        run.stderr
    );
    clear_faults(&raw).await;

    let fault = add_fault(
        &raw,
        json!({"type": "errors", "code": 500, "verbs": ["list"]}),
    )
    .await;
    let status = api_status(config_maps.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(status.code, 500);
    assert_eq!(status.reason, "InternalError");
    assert_eq!(
        status.message,
        format!(
            "Internal error occurred: injected by ferry fault {}",
            fault["id"].as_str().unwrap()
        )
    );
    let run = served.kubectl.run(&["get", "configmaps"]).await;
    assert!(
        run.stderr.contains(
            "Error from server (InternalError): Internal error occurred: injected by ferry fault"
        ),
        "{}",
        run.stderr
    );
    clear_faults(&raw).await;

    add_fault(
        &raw,
        json!({"type": "errors", "code": 429, "retryAfter": "1s", "duration": "1h"}),
    )
    .await;
    let status = api_status(config_maps.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(
        (status.code, status.reason.as_str()),
        (429, "TooManyRequests")
    );
    assert_eq!(status.message, "Too many requests, please try again later.");
    let listed = list_faults(&raw).await;
    assert_eq!(listed["items"][0]["type"], "errors");
    assert!(listed["items"][0]["expiresAt"].is_string());
    clear_faults(&raw).await;
    assert_eq!(list_faults(&raw).await["items"], json!([]));
    config_maps
        .list(&ListParams::default())
        .await
        .expect("served again");
}

#[tokio::test]
async fn a_fraction_of_requests_fails_and_kube_rs_retries_429_and_503_through_it() {
    let served = served().await;
    let raw = kube_client(&served, false).await;
    add_fault(
        &raw,
        json!({"type": "errors", "code": 503, "fraction": 0.5, "resources": ["configmaps"]}),
    )
    .await;
    let config_maps: Api<ConfigMap> = Api::namespaced(raw.clone(), "default");
    let mut failed = 0;
    for _ in 0..200 {
        if let Err(error) = config_maps.list(&ListParams::default()).await {
            assert_eq!(api_status(error).code, 503);
            failed += 1;
        }
    }
    // Half of 200 on average; the bounds are more than seven standard deviations away.
    assert!((50..150).contains(&failed), "{failed} of 200 failed");
    // kube's default client retries 503 (and 429 after Retry-After): every list succeeds.
    let retrying: Api<ConfigMap> = Api::namespaced(kube_client(&served, true).await, "default");
    for _ in 0..20 {
        retrying
            .list(&ListParams::default())
            .await
            .expect("retried through the 503s");
    }
}

#[tokio::test]
async fn latency_delays_the_requests_in_its_scope() {
    let served = served().await;
    let client = kube_client(&served, false).await;
    add_fault(&client, json!({"type": "latency", "delay": "400ms", "verbs": ["list"], "resources": ["configmaps"]})).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let started = Instant::now();
    config_maps
        .list(&ListParams::default())
        .await
        .expect("listed");
    // A lower bound only: the request cannot be served before the delay has passed.
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_dropped_watch_resumes_from_its_last_resource_version_without_missing_an_event() {
    let served = served().await;
    let client = kube_client(&served, false).await;
    add_fault(&client, json!({"type": "drop-watches", "after": "1s"})).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut version = config_maps
        .list(&ListParams::default())
        .await
        .expect("listed")
        .metadata
        .resource_version
        .expect("list version");
    let mut seen = Vec::new();
    let mut drops = 0;
    // What kube-runtime's watcher does: watch from the last version; when the server ends the
    // stream, watch again from there. Every round and every stream is bounded.
    for round in 0..3 {
        config_maps
            .create(&PostParams::default(), &config_map(&format!("cm-{round}")))
            .await
            .expect("created");
        let mut stream = config_maps
            .watch(&WatchParams::default().timeout(30), &version)
            .await
            .expect("watch")
            .boxed();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Err(_) => panic!("the watch was not dropped within 20 s"),
                Ok(None) => {
                    drops += 1;
                    break;
                }
                Ok(Some(event)) => match event.expect("watch event") {
                    WatchEvent::Added(object) => {
                        version = object.metadata.resource_version.clone().expect("version");
                        let name = object.metadata.name.clone().expect("name");
                        // kube-root-ca.crt is published by the namespace controller meanwhile.
                        if name.starts_with("cm-") {
                            seen.push(name);
                        }
                    }
                    WatchEvent::Bookmark(bookmark) => version = bookmark.metadata.resource_version,
                    other => panic!("unexpected event {other:?}"),
                },
            }
        }
    }
    assert_eq!(drops, 3);
    assert_eq!(seen, ["cm-0", "cm-1", "cm-2"]);
    clear_faults(&client).await;
    add_fault(&client, json!({"type": "drop-watches", "after": "0s"})).await;
    let mut stream = config_maps
        .watch(&WatchParams::default().timeout(30), &version)
        .await
        .expect("watch")
        .boxed();
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.next()).await;
    assert!(
        matches!(ended, Ok(None)),
        "an immediate drop ends the watch at once"
    );
}

#[tokio::test]
async fn compaction_answers_watches_and_exact_lists_at_older_versions_with_410_gone() {
    let served = served().await;
    let client = kube_client(&served, false).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    config_maps
        .create(&PostParams::default(), &config_map("before"))
        .await
        .expect("created");
    let old = config_maps
        .list(&ListParams::default())
        .await
        .expect("listed")
        .metadata
        .resource_version
        .expect("version");
    config_maps
        .create(&PostParams::default(), &config_map("after"))
        .await
        .expect("created");
    // Before compaction the history reaches back: an exact list at the old version works.
    let exact = ListParams::default().at(&old).matching(VersionMatch::Exact);
    let names: Vec<String> = config_maps
        .list(&exact)
        .await
        .expect("exact list")
        .items
        .into_iter()
        .filter_map(|item| item.metadata.name)
        .collect();
    assert!(
        names.contains(&"before".to_string()) && !names.contains(&"after".to_string()),
        "{names:?}"
    );
    let fault = add_fault(&client, json!({"type": "compaction"})).await;
    assert!(fault["compactedRevision"].is_string(), "{fault}");
    let status = api_status(config_maps.list(&exact).await.unwrap_err());
    assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
    let mut stream = config_maps
        .watch(&WatchParams::default().timeout(10), &old)
        .await
        .expect("watch")
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event in time");
    match first {
        Some(Ok(WatchEvent::Error(error))) => {
            assert_eq!(error.code, 410);
            assert_eq!(error.reason, "Expired");
            assert!(
                error
                    .message
                    .starts_with(&format!("too old resource version: {old} (")),
                "{}",
                error.message
            );
        }
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
}

#[tokio::test]
async fn a_lost_node_goes_not_ready_and_its_pods_are_replaced_on_the_other_nodes() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let client = kube_client(&served, true).await;
    served
        .kubectl
        .apply(
            "spread.yaml",
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
  namespace: default
spec:
  replicas: 6
  selector:
    matchLabels:
      app: spread
  template:
    metadata:
      labels:
        app: spread
    spec:
      containers:
      - name: web
        image: registry.example.invalid/web:1
",
        )
        .await;
    served
        .kubectl
        .ok(&["rollout", "status", "deployment/spread", "--timeout=60s"])
        .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let node_of = |pod: &Pod| {
        pod.spec
            .as_ref()
            .and_then(|spec| spec.node_name.clone())
            .unwrap_or_default()
    };
    let before = pods
        .list(&ListParams::default().labels("app=spread"))
        .await
        .expect("pods");
    let lost = node_of(&before.items[0]);
    let on_lost = before
        .items
        .iter()
        .filter(|pod| node_of(pod) == lost)
        .count();
    assert!(on_lost > 0);
    add_fault(
        &client,
        json!({"type": "node-loss", "node": lost, "evictAfter": "2s"}),
    )
    .await;
    let nodes: Api<Node> = Api::all(client.clone());
    eventually(
        "the lost node to be NotReady",
        Duration::from_secs(20),
        || {
            let (served, lost) = (&served, lost.clone());
            async move {
                let table = served
                    .kubectl
                    .ok(&["get", "node", &lost, "--no-headers"])
                    .await;
                table.contains("NotReady").then_some(())
            }
        },
    )
    .await;
    let node = nodes.get(&lost).await.expect("node");
    let status = node.status.expect("node status");
    let ready = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .find(|condition| condition.type_ == "Ready")
        .expect("Ready condition");
    assert_eq!(ready.status, "Unknown");
    assert_eq!(ready.reason.as_deref(), Some("NodeStatusUnknown"));
    let replaced = eventually(
        "the lost node's pods to be replaced",
        Duration::from_secs(60),
        || {
            let (pods, lost) = (pods.clone(), lost.clone());
            async move {
                let now = pods
                    .list(&ListParams::default().labels("app=spread"))
                    .await
                    .ok()?;
                let ready = now.items.iter().filter(|pod| {
                    pod.status
                        .as_ref()
                        .and_then(|status| status.conditions.as_ref())
                        .is_some_and(|conditions| {
                            conditions
                                .iter()
                                .any(|c| c.type_ == "Ready" && c.status == "True")
                        })
                });
                let away = now.items.iter().all(|pod| node_of(pod) != lost);
                (away && ready.count() == 6).then_some(now)
            }
        },
    )
    .await;
    assert_eq!(replaced.items.len(), 6);
    let reasons = served
        .kubectl
        .ok(&["get", "events", "-o", "jsonpath={.items[*].reason}"])
        .await;
    let evictions = reasons
        .split_whitespace()
        .filter(|reason| *reason == "TaintManagerEviction")
        .count();
    assert_eq!(evictions, on_lost, "{reasons}");
    served
        .kubectl
        .ok(&["rollout", "status", "deployment/spread", "--timeout=60s"])
        .await;
    clear_faults(&client).await;
    eventually(
        "the node to be Ready again",
        Duration::from_secs(20),
        || {
            let (served, lost) = (&served, lost.clone());
            async move {
                let table = served
                    .kubectl
                    .ok(&["get", "node", &lost, "--no-headers"])
                    .await;
                (!table.contains("NotReady") && table.contains("Ready")).then_some(())
            }
        },
    )
    .await;
    let node = nodes.get(&lost).await.expect("node");
    assert!(
        node.spec
            .and_then(|spec| spec.taints)
            .unwrap_or_default()
            .is_empty()
    );
}
