//! What the engine's tests share: a local cluster over HTTPS in a temp dir, a real Git
//! repository made with the `git` CLI and served over file://, and Applications pointing at it.

#![allow(dead_code)]

use std::path::PathBuf;

use ferry_cluster::{ClusterConfig, RunningCluster};
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_git::{Credentials, FetchRequest, RepoCache};
use ferry_types::{Application, Manifest};
use serde_json::{Value, json};
use tempfile::TempDir;

#[allow(unused_imports)]
pub use ferry_testkit::config_map;

/// A local cluster, a client of it, and a Git repository.
pub struct Fixture {
    pub cluster: RunningCluster,
    pub client: ClusterClient,
    pub dir: TempDir,
    controllers: Option<ferry_workloads::ControllersHandle>,
}

impl Fixture {
    /// Starts a cluster in a fresh temp dir and connects through its kubeconfig, and makes an
    /// empty Git repository beside it.
    pub async fn start() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let cluster = ferry_cluster::start(ClusterConfig {
            data_dir: dir.path().join("cluster"),
            listen: "127.0.0.1:0".parse().unwrap(),
            kubeconfig_path: None,
            insecure_http: false,
        })
        .await
        .unwrap();
        let options = ConnectOptions {
            kubeconfig: Some(cluster.kubeconfig.clone()),
            context: None,
        };
        let client = ClusterClient::connect(&options, &Default::default())
            .await
            .unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        Fixture {
            cluster,
            client,
            dir,
            controllers: None,
        }
    }

    /// Like [`Fixture::start`], with the simulated workload controllers running 50 times
    /// faster than real time (deadlines written in objects are not scaled).
    pub async fn start_with_controllers() -> Fixture {
        let mut fixture = Fixture::start().await;
        let simulation = ferry_workloads::SimulationConfig::with_time_factor(0.02)
            .with_root_ca_from(&fixture.dir.path().join("cluster"));
        fixture.controllers = Some(ferry_workloads::spawn_controllers(
            fixture.cluster.state.clone(),
            simulation,
        ));
        fixture
    }

    /// The repository's work tree.
    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Writes `files` and removes `removed` in the repository, then commits everything.
    pub fn commit(&self, files: &[(&str, &str)], removed: &[&str]) {
        let repo = self.repo();
        for (path, content) in files {
            let full = repo.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, content).unwrap();
        }
        for path in removed {
            std::fs::remove_file(repo.join(path)).unwrap();
        }
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "--allow-empty", "-m", "change"]);
    }

    /// An Application named `name` deploying the repository's `path` to namespace `namespace`,
    /// with `spec` fields merged over the defaults.
    pub fn app(&self, name: &str, namespace: &str, spec: Value) -> Application {
        let mut document = json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {
                "project": "default",
                "source": {"repoURL": format!("file://{}", self.repo().display()), "targetRevision": "main", "path": "."},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}
            }
        });
        if let (Some(target), Some(extra)) = (document["spec"].as_object_mut(), spec.as_object()) {
            for (field, value) in extra {
                target.insert(field.clone(), value.clone());
            }
        }
        Application::from_value(document, "test").unwrap().0
    }

    /// Fetches the app's source with ferry-git and renders it with ferry-manifest.
    pub async fn render(&self, app: &Application) -> Vec<Manifest> {
        let source = app.source().unwrap().clone();
        let cache = self.dir.path().join("cache");
        tokio::task::spawn_blocking(move || {
            let checkout = RepoCache::new(cache)
                .fetch(&FetchRequest {
                    url: source.repo_url.clone(),
                    revision: source.revision().to_string(),
                    credentials: Credentials::None,
                })
                .unwrap();
            ferry_manifest::render_application_source(
                &checkout.tree,
                &source,
                &ferry_manifest::Limits::default(),
            )
            .unwrap()
            .manifests
        })
        .await
        .unwrap()
    }

    /// Reads an object; `None` when missing.
    pub async fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Value> {
        let resource = self
            .client
            .resource(&ferry_types::Gvk::from_api_version(api_version, kind))
            .await
            .unwrap();
        self.client.get(&resource, namespace, name).await.unwrap()
    }

    /// Whether the object exists.
    pub async fn exists(&self, api_version: &str, kind: &str, namespace: &str, name: &str) -> bool {
        self.get(api_version, kind, namespace, name).await.is_some()
    }

    /// Creates an object directly, as someone else than ferry would.
    pub async fn create(&self, object: Value) -> Value {
        self.client
            .create(&object, ferry_engine::WriteOptions::APPLY)
            .await
            .unwrap()
    }
}

pub use ferry_testkit::git;
