//! The controllers against an in-memory cluster, through the store: Deployments come alive,
//! namespaces get their defaults, nodes exist.

mod common;

use std::time::Duration;

use common::{eventually, get, in_process, list};
use ferry_workloads::Client;
use serde_json::{Value, json};

fn deployment(name: &str, replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "app", "image": image}]}}
        }
    })
}

fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

#[tokio::test]
async fn a_deployment_becomes_available_with_running_ready_pods() {
    let (state, controllers) = in_process();
    let client = Client::new(state.clone());
    client
        .create(&DEPLOYMENTS, &deployment("web", 3, "nginx:1.27"))
        .await
        .expect("created");
    let available = eventually(
        "the deployment to be available",
        Duration::from_secs(10),
        || {
            let state = state.clone();
            async move {
                let deployment = get(&state, "apps", "deployments", "default", "web")?;
                let complete =
                    condition(&deployment, "Progressing")?["reason"] == "NewReplicaSetAvailable";
                (complete && deployment["status"]["availableReplicas"] == 3).then_some(deployment)
            }
        },
    )
    .await;
    // Generation 1, as on a real cluster: the revision annotation is written with the status.
    assert_eq!(available["metadata"]["generation"], 1);
    assert_eq!(available["status"]["observedGeneration"], 1);
    assert_eq!(
        condition(&available, "Available").unwrap()["status"],
        "True"
    );
    assert_eq!(
        available["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let pods = list(&state, "", "pods", "default");
    assert_eq!(pods.len(), 3);
    for pod in &pods {
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(pod["status"]["containerStatuses"][0]["ready"], true);
        assert!(
            pod["spec"]["nodeName"]
                .as_str()
                .unwrap()
                .starts_with("ferry-node-")
        );
    }
    let nodes = state
        .store
        .list(&ferry_cluster::store::TypeKey::new("", "nodes"), None)
        .0;
    assert_eq!(nodes.len(), 3);
    assert!(get(&state, "", "serviceaccounts", "default", "default").is_some());
    assert!(get(&state, "", "configmaps", "default", "kube-root-ca.crt").is_some());
    let stats = controllers.stats();
    assert_eq!(stats.refused, 0, "{stats:?}");
    // Once everything is settled the controllers go quiet: no reconcile loops on their own writes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let settled = controllers.stats();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(controllers.stats(), settled);
    controllers.stop().await;
}

use ferry_workloads::resources::DEPLOYMENTS;
