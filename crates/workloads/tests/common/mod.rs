//! Shared by the integration tests: a cluster with its controllers (in process or over HTTPS),
//! polling with a deadline, and the real kubectl.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_cluster::store::{ObjectKey, TypeKey};
use ferry_cluster::{ClusterConfig, ClusterState, RunningCluster};
use ferry_workloads::{ControllersHandle, SimulationConfig, spawn_controllers};
use serde_json::Value;

pub use ferry_testkit::Kubectl;

/// The time factor the tests run at: a 300 ms container start takes 30 ms.
pub const TIME_FACTOR: f64 = 0.1;

/// An in-memory cluster with its controllers.
pub fn in_process() -> (Arc<ClusterState>, ControllersHandle) {
    let state = ClusterState::in_memory().expect("in-memory cluster");
    let controllers = spawn_controllers(
        state.clone(),
        SimulationConfig::with_time_factor(TIME_FACTOR),
    );
    (state, controllers)
}

/// Polls `check` every 20 ms until it returns `Some`, or fails after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One object from the store.
pub fn get(
    state: &ClusterState,
    group: &str,
    resource: &str,
    namespace: &str,
    name: &str,
) -> Option<Value> {
    state
        .store
        .get(&ObjectKey::new(group, resource, namespace, name))
        .map(|object| (*object).clone())
}

/// Every object of a type in a namespace.
pub fn list(state: &ClusterState, group: &str, resource: &str, namespace: &str) -> Vec<Value> {
    state
        .store
        .list(&TypeKey::new(group, resource), Some(namespace))
        .0
        .iter()
        .map(|object| (**object).clone())
        .collect()
}

/// True when kubectl can run; fails under `CI=true` when it cannot.
pub fn kubectl_available() -> bool {
    ferry_testkit::available("kubectl", &["version", "--client"])
}

/// A cluster served over HTTPS with its controllers, and kubectl pointed at it.
pub struct Served {
    pub cluster: RunningCluster,
    pub controllers: ControllersHandle,
    pub kubectl: Kubectl,
    _directory: tempfile::TempDir,
}

/// Starts a cluster on 127.0.0.1 with a temporary data directory.
pub async fn served() -> Served {
    let directory = tempfile::tempdir().expect("temp dir");
    let data = directory.path().join("data");
    let kubeconfig = directory.path().join("kubeconfig");
    let cluster = ferry_cluster::start(ClusterConfig {
        data_dir: data.clone(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig_path: Some(kubeconfig.clone()),
        insecure_http: false,
    })
    .await
    .expect("cluster starts");
    let config = SimulationConfig::with_time_factor(TIME_FACTOR).with_root_ca_from(&data);
    let controllers = spawn_controllers(cluster.state.clone(), config);
    Served {
        cluster,
        controllers,
        kubectl: Kubectl::new(&kubeconfig, directory.path()),
        _directory: directory,
    }
}
