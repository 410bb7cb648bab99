//! A cluster stopped and started again on the same data directory: the controllers take over
//! the existing ReplicaSets, pods and nodes without duplicating or restarting anything.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::{TIME_FACTOR, eventually, get, list};
use ferry_cluster::{ClusterConfig, RunningCluster};
use ferry_workloads::resources::DEPLOYMENTS;
use ferry_workloads::{Client, ControllersHandle, SimulationConfig, spawn_controllers};
use serde_json::{Value, json};

async fn start(data: &Path) -> (RunningCluster, ControllersHandle) {
    let cluster = ferry_cluster::start(ClusterConfig {
        data_dir: data.to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig_path: None,
        insecure_http: true,
    })
    .await
    .expect("cluster starts");
    let controllers = spawn_controllers(
        cluster.state.clone(),
        SimulationConfig::with_time_factor(TIME_FACTOR),
    );
    (cluster, controllers)
}

fn names(objects: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = objects
        .iter()
        .map(|object| {
            object["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn controllers_started_again_take_over_existing_workloads_without_duplicates() {
    let directory = tempfile::tempdir().expect("temp dir");
    let data = directory.path().join("data");
    let (cluster, controllers) = start(&data).await;
    Client::new(cluster.state.clone())
        .create(
            &DEPLOYMENTS,
            &json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}},
                                      "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}
            }),
        )
        .await
        .expect("created");
    let state = cluster.state.clone();
    eventually("two available replicas", Duration::from_secs(10), || {
        let state = state.clone();
        async move {
            let deployment = get(&state, "apps", "deployments", "default", "web")?;
            (deployment["status"]["availableReplicas"] == 2).then_some(())
        }
    })
    .await;
    let pods_before = list(&state, "", "pods", "default");
    let sets_before = names(&list(&state, "apps", "replicasets", "default"));
    controllers.stop().await;
    cluster.stop().await.expect("stops");
    drop(state);

    let (cluster, controllers) = start(&data).await;
    let state = cluster.state.clone();
    // Give the controllers time to look at everything (several container start delays).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pods_after = list(&state, "", "pods", "default");
    assert_eq!(names(&pods_after), names(&pods_before));
    for (before, after) in pods_before.iter().zip(&pods_after) {
        assert_eq!(
            before["status"]["containerStatuses"][0]["containerID"],
            after["status"]["containerStatuses"][0]["containerID"],
            "a pod was restarted"
        );
        assert_eq!(after["status"]["phase"], "Running");
    }
    assert_eq!(
        names(&list(&state, "apps", "replicasets", "default")),
        sets_before
    );
    let nodes = state
        .store
        .list(&ferry_cluster::store::TypeKey::new("", "nodes"), None)
        .0;
    assert_eq!(nodes.len(), 3);
    controllers.stop().await;
    cluster.stop().await.expect("stops");
}
