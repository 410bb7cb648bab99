//! What the controller's tests share: a local cluster over HTTPS in a temp dir with its
//! simulated workload controllers (10x time), a Git repository made with the `git` CLI and
//! served over file://, and a running `ferry-controller` with a short poll interval.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ferry_controller::{Controller, ControllerConfig};
use ferry_engine::{ClusterClient, WriteOptions};
use ferry_git::Credentials;
use ferry_types::Gvk;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use tempfile::TempDir;

#[allow(unused_imports)]
pub use ferry_testkit::{config_map, deployment, health_status, history, sync_status};

use ferry_testkit::{LocalCluster, commit_all, init_repo};
use tokio::sync::oneshot;

/// The longest any test waits for the controller to reach a state.
pub const PATIENCE: Duration = Duration::from_secs(25);

/// A local cluster, a client of it, a Git repository and a running controller.
pub struct Fixture {
    pub client: ClusterClient,
    pub dir: TempDir,
    config: ControllerConfig,
    stop: Option<oneshot::Sender<()>>,
    controller: Option<std::thread::JoinHandle<ferry_controller::Result<()>>>,
    pub cluster: LocalCluster,
}

impl Fixture {
    /// Starts the cluster, its workload simulation, an empty repository, and the controller
    /// polling Git every `poll_interval`.
    pub async fn start(poll_interval: Duration) -> Fixture {
        Self::start_with(poll_interval, |_| {}).await
    }

    /// As [`Fixture::start`], with the controller's configuration changed by `configure`.
    pub async fn start_with(
        poll_interval: Duration,
        configure: impl FnOnce(&mut ControllerConfig),
    ) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let cluster = LocalCluster::start(dir.path()).await;
        let connect = cluster.connect.clone();
        let client = cluster.client().await;
        init_repo(&dir.path().join("repo"));
        let config = ControllerConfig {
            connect,
            namespace: None,
            poll_interval,
            sync_timeout: Duration::from_secs(20),
            cache_dir: dir.path().join("cache"),
            credentials: Credentials::None,
            signals: Default::default(),
            ..ControllerConfig::default()
        };
        let mut config = config;
        configure(&mut config);
        let mut fixture = Fixture {
            client,
            dir,
            config,
            stop: None,
            controller: None,
            cluster,
        };
        fixture.start_controller();
        fixture
    }

    /// The controller's configuration.
    pub fn config(&self) -> ControllerConfig {
        self.config.clone()
    }

    /// Starts the controller (again).
    pub fn start_controller(&mut self) {
        let (stop, task) = spawn_controller(self.config.clone());
        self.stop = Some(stop);
        self.controller = Some(task);
    }

    /// Stops the controller and returns what its loop ended with.
    pub async fn stop_controller(&mut self) -> ferry_controller::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        let task = self.controller.take().unwrap();
        tokio::task::spawn_blocking(move || task.join().unwrap())
            .await
            .unwrap()
    }

    /// Creates Application `name` in namespace `default` from `repo_url` (path `.`,
    /// `targetRevision` main), deploying to namespace `default`, with `spec` merged over that.
    pub async fn create_app_from(&self, name: &str, repo_url: &str, spec: Value) {
        let mut document = json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "project": "default",
                "source": {"repoURL": repo_url, "targetRevision": "main", "path": "."},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"}
            }
        });
        for (field, value) in spec.as_object().unwrap() {
            document["spec"][field] = value.clone();
        }
        self.create_object(&document).await;
    }
}

/// A stop switch and the thread of a controller running with `config`.
pub type RunningController = (
    oneshot::Sender<()>,
    std::thread::JoinHandle<ferry_controller::Result<()>>,
);

/// Runs a controller with `config` on its own thread until the returned sender fires.
pub fn spawn_controller(config: ControllerConfig) -> RunningController {
    {
        let (stop, stopped) = oneshot::channel();
        // Its own thread and runtime, as `ferry controller` runs it.
        let task = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let ended = runtime.block_on(async {
                let controller = Controller::connect(config).await?;
                controller
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await
            });
            // A fetch abandoned at its deadline may still block a thread: do not wait for it.
            runtime.shutdown_timeout(Duration::from_millis(500));
            ended
        });
        (stop, task)
    }
}

impl Fixture {
    /// The repository's work tree.
    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Writes `files` in the repository and commits; returns the new commit's SHA.
    pub fn commit(&self, files: &[(&str, &str)]) -> String {
        let repo = self.repo();
        for (path, content) in files {
            let full = repo.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, content).unwrap();
        }
        commit_all(&repo, "change")
    }

    /// Creates Application `name` in namespace `apps`, deploying the repository's root to
    /// namespace `default`, with `spec` fields merged over that. Retries (bounded) until the
    /// controller has installed the CRD.
    pub async fn create_app(&self, name: &str, spec: Value) {
        let mut document = json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "project": "default",
                "source": {"repoURL": format!("file://{}", self.repo().display()), "targetRevision": "main", "path": "."},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"}
            }
        });
        for (field, value) in spec.as_object().unwrap() {
            document["spec"][field] = value.clone();
        }
        self.create_object(&document).await;
    }

    /// Creates AppProject `name` in namespace `default` with `spec`.
    pub async fn create_project(&self, name: &str, spec: Value) {
        let document = json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "AppProject",
            "metadata": {"name": name, "namespace": "default"},
            "spec": spec
        });
        self.create_object(&document).await;
    }

    /// Creates `document`, retrying (bounded) until the controller has installed its CRDs.
    pub async fn create_object(&self, document: &Value) {
        let started = Instant::now();
        loop {
            match self.client.create(document, WriteOptions::APPLY).await {
                Ok(_) => return,
                Err(error) if started.elapsed() < PATIENCE => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("creating {}: {error}", document["metadata"]["name"]),
            }
        }
    }

    /// The Application as stored.
    pub async fn app(&self, name: &str) -> Value {
        self.get("ferry.dev/v1alpha1", "Application", name)
            .await
            .unwrap()
    }

    /// Waits (bounded) until the Application satisfies `ready`; panics with its last state.
    pub async fn wait_for(&self, name: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let app = self.app(name).await;
            if ready(&app) {
                return app;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "Application {name}: not {what} after {PATIENCE:?}:\n{}",
                    serde_json::to_string_pretty(&app).unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reads an object in namespace `default`; `None` when missing.
    pub async fn get(&self, api_version: &str, kind: &str, name: &str) -> Option<Value> {
        let resource = self
            .client
            .resource(&Gvk::from_api_version(api_version, kind))
            .await
            .unwrap();
        self.client.get(&resource, "default", name).await.unwrap()
    }

    /// Requests a manual sync through `.operation`, as `argocd app sync` does.
    pub async fn request_sync(&self, name: &str) {
        let operation = json!({"operation": {
            "sync": {"prune": true},
            "initiatedBy": {"username": "alice"}
        }});
        self.patch_app(name, operation).await;
    }

    /// Merges `patch` into the Application's status subresource.
    pub async fn patch_status(&self, name: &str, patch: Value) {
        self.applications()
            .patch_status(name, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .unwrap();
    }

    fn applications(&self) -> Api<DynamicObject> {
        let resource = ApiResource {
            group: "ferry.dev".into(),
            version: "v1alpha1".into(),
            api_version: "ferry.dev/v1alpha1".into(),
            kind: "Application".into(),
            plural: "applications".into(),
        };
        Api::namespaced_with(self.client.kube().clone(), "default", &resource)
    }

    /// Merges `patch` into the Application, as `kubectl patch --type merge` would.
    pub async fn patch_app(&self, name: &str, patch: Value) {
        self.applications()
            .patch(name, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .unwrap();
    }

    /// Merges `patch` into Deployment `name` in namespace `default`, as `kubectl scale` or
    /// `kubectl patch` by someone other than ferry would.
    pub async fn patch_deployment(&self, name: &str, patch: Value) {
        let resource = ApiResource {
            group: "apps".into(),
            version: "v1".into(),
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            plural: "deployments".into(),
        };
        Api::<DynamicObject>::namespaced_with(self.client.kube().clone(), "default", &resource)
            .patch(
                name,
                &PatchParams {
                    field_manager: Some("kubectl".into()),
                    ..PatchParams::default()
                },
                &Patch::Merge(patch),
            )
            .await
            .unwrap();
    }

    /// Deletes ConfigMap `name` in namespace `default`, as `kubectl delete` would.
    pub async fn delete_config_map(&self, name: &str) {
        let resource = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            plural: "configmaps".into(),
        };
        Api::<DynamicObject>::namespaced_with(self.client.kube().clone(), "default", &resource)
            .delete(name, &Default::default())
            .await
            .unwrap();
    }

    /// The replicas a Deployment in namespace `default` asks for.
    pub async fn replicas(&self, name: &str) -> i64 {
        let deployment = self.get("apps/v1", "Deployment", name).await.unwrap();
        deployment["spec"]["replicas"].as_i64().unwrap()
    }

    /// The Events (core/v1) in namespace `default` whose involved object is Application
    /// `name`, oldest first.
    pub async fn events(&self, name: &str) -> Vec<Value> {
        let resource = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "Event".into(),
            plural: "events".into(),
        };
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.kube().clone(), "default", &resource);
        let list = api.list(&Default::default()).await.unwrap();
        let mut events: Vec<Value> = list
            .items
            .iter()
            .map(|item| serde_json::to_value(item).unwrap())
            .filter(|event| {
                event["involvedObject"]["kind"] == "Application"
                    && event["involvedObject"]["name"] == name
            })
            .collect();
        events.sort_by(|a, b| {
            a["lastTimestamp"]
                .as_str()
                .cmp(&b["lastTimestamp"].as_str())
        });
        events
    }

    /// Waits (bounded) until Application `name` has an Event with each of `reasons`; returns
    /// its Events.
    pub async fn wait_for_events(&self, name: &str, reasons: &[&str]) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let events = self.events(name).await;
            if reasons
                .iter()
                .all(|reason| events.iter().any(|event| event["reason"] == *reason))
            {
                return events;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "Application {name}: no Events {reasons:?} after {PATIENCE:?}:\n{}",
                    serde_json::to_string_pretty(&events).unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the controller and returns what its loop ended with.
    pub async fn stop(mut self) -> ferry_controller::Result<()> {
        self.stop_controller().await
    }
}
