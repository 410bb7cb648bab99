//! Shared by the integration tests: a cluster with its controllers (in process or over HTTPS),
//! polling with a deadline, and the real kubectl.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_cluster::store::{ObjectKey, TypeKey};
use ferry_cluster::{ClusterConfig, ClusterState, RunningCluster};
use ferry_workloads::{ControllersHandle, SimulationConfig, spawn_controllers};
use serde_json::Value;

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
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "kubectl is not on the PATH (required under CI=true)"
        );
        eprintln!("kubectl not found: skipping");
    }
    found
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
    let work = directory.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
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
        kubectl: Kubectl {
            kubeconfig,
            cache: directory.path().join("cache"),
            work,
        },
        _directory: directory,
    }
}

/// The real kubectl with the test cluster's kubeconfig.
pub struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
    work: PathBuf,
}

/// What a kubectl run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Kubectl {
    pub async fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new("kubectl");
        command
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .arg("--request-timeout=20s")
            .args(args)
            .current_dir(&self.work)
            .env_remove("KUBECONFIG");
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("kubectl runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub async fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args).await;
        assert_eq!(
            run.code, 0,
            "kubectl {args:?} failed\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    pub async fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all).await).expect("kubectl printed JSON")
    }

    /// Writes a manifest into the working directory and applies it.
    pub async fn apply(&self, name: &str, manifest: &str) -> String {
        std::fs::write(self.work.join(name), manifest).expect("write manifest");
        self.ok(&["apply", "-f", name]).await
    }

    pub fn work(&self) -> &Path {
        &self.work
    }
}
