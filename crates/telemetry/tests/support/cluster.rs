//! A local cluster over HTTPS in a temp dir with its simulated workloads (10x time), a Git
//! repository served over file://, and (optionally) a controller reporting signals.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ferry_controller::{Controller, ControllerConfig, Signals};
use ferry_engine::{ClusterClient, ConnectOptions, WriteOptions};
use ferry_testkit::{LocalCluster, commit_all, init_repo};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The longest any test waits for a state.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A cluster, a client of it, a repository, and a controller when started.
pub struct Fixture {
    pub client: ClusterClient,
    pub dir: TempDir,
    pub signals: Signals,
    connect: ConnectOptions,
    stop: Option<oneshot::Sender<()>>,
    controller: Option<std::thread::JoinHandle<ferry_controller::Result<()>>>,
    _cluster: LocalCluster,
}

impl Fixture {
    /// Starts the cluster, its workload simulation and an empty repository (no controller).
    pub async fn start() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let cluster = LocalCluster::start(dir.path()).await;
        let connect = cluster.connect.clone();
        let client = cluster.client().await;
        init_repo(&dir.path().join("repo"));
        Fixture {
            client,
            dir,
            signals: Signals::new(1024),
            connect,
            stop: None,
            controller: None,
            _cluster: cluster,
        }
    }

    /// Starts the controller (polling every second), reporting to `self.signals`.
    pub fn start_controller(&mut self) {
        let config = ControllerConfig {
            connect: self.connect.clone(),
            namespace: None,
            poll_interval: Duration::from_secs(1),
            sync_timeout: Duration::from_secs(20),
            cache_dir: self.dir.path().join("cache"),
            signals: self.signals.clone(),
            ..ControllerConfig::default()
        };
        let (stop, stopped) = oneshot::channel();
        // Its own thread and runtime, as `ferry controller` runs it.
        let task = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let controller = Controller::connect(config).await?;
                controller
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await
            })
        });
        self.stop = Some(stop);
        self.controller = Some(task);
    }

    /// Stops the controller, if started.
    pub async fn stop(mut self) {
        if let (Some(stop), Some(task)) = (self.stop.take(), self.controller.take()) {
            let _ = stop.send(());
            let _ = tokio::task::spawn_blocking(move || task.join()).await;
        }
    }

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

    /// Creates (server-side apply) `document`, retrying (bounded) until its kind is served.
    pub async fn create_object(&self, document: &Value) {
        let started = Instant::now();
        loop {
            match self.client.create(document, WriteOptions::APPLY).await {
                Ok(_) => return,
                Err(_) if started.elapsed() < PATIENCE => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("creating {}: {error}", document["metadata"]["name"]),
            }
        }
    }

    /// Creates an automated (self-healing) Application `name` in namespace `default`
    /// deploying the repository's root to namespace `default`.
    pub async fn create_app(&self, name: &str) {
        let document = json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "project": "default",
                "source": {
                    "repoURL": format!("file://{}", self.repo().display()),
                    "targetRevision": "main", "path": "."
                },
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}
            }
        });
        self.create_object(&document).await;
    }

    /// The Applications, typed.
    pub async fn applications(&self) -> Vec<ferry_types::Application> {
        ferry_controller::list_applications(self.client.kube(), None)
            .await
            .unwrap()
    }

    /// Waits (bounded) until Application `name` satisfies `ready`; returns it as JSON.
    pub async fn wait_for_app(
        &self,
        name: &str,
        what: &str,
        ready: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = Instant::now();
        loop {
            let resource = self
                .client
                .resource(&ferry_types::Gvk::from_api_version(
                    "ferry.dev/v1alpha1",
                    "Application",
                ))
                .await;
            let app = match resource {
                Ok(resource) => self
                    .client
                    .get(&resource, "default", name)
                    .await
                    .ok()
                    .flatten(),
                Err(_) => None,
            };
            if let Some(app) = &app
                && ready(app)
            {
                return app.clone();
            }
            assert!(
                started.elapsed() < PATIENCE,
                "Application {name}: not {what} after {PATIENCE:?}:\n{app:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Merges `patch` into Deployment `name` in namespace `default` as someone else would.
    pub async fn patch_deployment(&self, name: &str, patch: Value) {
        let resource = kube::api::ApiResource {
            group: "apps".into(),
            version: "v1".into(),
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            plural: "deployments".into(),
        };
        kube::Api::<kube::api::DynamicObject>::namespaced_with(
            self.client.kube().clone(),
            "default",
            &resource,
        )
        .patch(
            name,
            &kube::api::PatchParams {
                field_manager: Some("kubectl".into()),
                ..Default::default()
            },
            &kube::api::Patch::Merge(patch),
        )
        .await
        .unwrap();
    }
}

/// A Deployment manifest with `replicas` of a simulated image.
pub fn deployment(name: &str, replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n        - name: main\n          image: registry.example/{name}:1.0\n"
    )
}
