//! What the server's tests share: a local cluster over HTTPS with its simulated workloads
//! (10x time), a Git repository served over file://, `ferry_server::start` on a free port
//! (controller polling every 10 minutes, so only webhooks, the API and first sight
//! refresh), and a real HTTP client.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use ferry_controller::ControllerConfig;
use ferry_git::Credentials;
use ferry_server::{Running, ServerConfig};
use ferry_testkit::{LocalCluster, commit_all, init_repo};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tempfile::TempDir;

#[allow(unused_imports)]
pub use ferry_testkit::{config_map, deployment, health_status, history, sync_status};

/// The longest any test waits for a state.
pub const PATIENCE: Duration = Duration::from_secs(30);
/// The controller's poll interval: long, so nothing but the action under test refreshes.
pub const POLL: Duration = Duration::from_secs(600);

/// A local cluster, a Git repository, a running server and an HTTP client.
pub struct Fixture {
    pub dir: TempDir,
    pub server: Option<Running>,
    pub url: String,
    pub admin_token: String,
    pub webhook_secret: String,
    pub kube: kube::Client,
    pub http: reqwest::Client,
    _cluster: LocalCluster,
}

impl Fixture {
    /// Starts the cluster, its workload simulation, an empty repository and the server.
    pub async fn start() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let cluster = LocalCluster::start(dir.path()).await;
        let connect = cluster.connect.clone();
        init_repo(&dir.path().join("repo"));
        let config = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            namespace: "ferry".into(),
            controller: ControllerConfig {
                connect: connect.clone(),
                namespace: None,
                poll_interval: POLL,
                sync_timeout: Duration::from_secs(20),
                cache_dir: dir.path().join("cache"),
                credentials: Credentials::None,
                ..ControllerConfig::default()
            },
        };
        let server = ferry_server::start(config).await.unwrap();
        let kube = ferry_engine::ClusterClient::connect(&connect, &Default::default())
            .await
            .unwrap()
            .kube()
            .clone();
        Fixture {
            url: server.url.clone(),
            admin_token: server.admin_token.clone(),
            webhook_secret: server.webhook_secret.clone(),
            server: Some(server),
            dir,
            kube,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            _cluster: cluster,
        }
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }

    /// The repository's work tree.
    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The repository's URL, as apps name it.
    pub fn repo_url(&self) -> String {
        format!("file://{}", self.repo().display())
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

    fn applications(&self) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.kube.clone(),
            "default",
            &ferry_server::watch::application_resource(),
        )
    }

    /// Creates Application `name` in namespace `default` from the repository's `path` on
    /// `revision`, deploying to namespace `default`, with `spec` fields merged over that;
    /// retries (bounded) until the controller has installed the CRD.
    pub async fn create_app(&self, name: &str, revision: &str, spec: Value) {
        let mut document = json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "project": "default",
                "source": {"repoURL": self.repo_url(), "targetRevision": revision, "path": "."},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"}
            }
        });
        for (field, value) in spec.as_object().unwrap() {
            document["spec"][field] = value.clone();
        }
        let object: DynamicObject = serde_json::from_value(document).unwrap();
        let started = Instant::now();
        loop {
            match self
                .applications()
                .create(&PostParams::default(), &object)
                .await
            {
                Ok(_) => return,
                Err(error) if started.elapsed() < PATIENCE => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("creating Application {name}: {error}"),
            }
        }
    }

    /// The Application as stored.
    pub async fn app(&self, name: &str) -> Value {
        serde_json::to_value(self.applications().get(name).await.unwrap()).unwrap()
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

    /// Commits a ConfigMap `settings` (value `one`), creates app `shop` on `main` with
    /// automated sync, and waits until it is deployed; returns the commit.
    pub async fn deployed_shop(&self) -> String {
        let first = self.commit(&[("settings.yaml", &config_map("settings", "one"))]);
        self.create_app("shop", "main", json!({"syncPolicy": {"automated": {}}}))
            .await;
        self.wait_for_revision("shop", &first).await;
        first
    }

    /// Waits until the app is Synced at `revision`.
    pub async fn wait_for_revision(&self, name: &str, revision: &str) -> Value {
        self.wait_for(name, &format!("Synced at {revision}"), |app| {
            sync_status(app) == "Synced" && app["status"]["sync"]["revision"] == revision
        })
        .await
    }

    /// Adds a token to the tokens Secret (key `<role>.<name>`).
    pub async fn add_token(&self, key: &str, token: &str) {
        let resource = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "Secret".into(),
            plural: "secrets".into(),
        };
        let api: Api<DynamicObject> = Api::namespaced_with(self.kube.clone(), "ferry", &resource);
        let encoded = base64::engine::general_purpose::STANDARD.encode(token);
        api.patch(
            "ferry-api-tokens",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {key: encoded}})),
        )
        .await
        .unwrap();
    }

    /// `GET` with an optional bearer token: the status and the body (JSON, or a string).
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        respond(request.send().await.unwrap()).await
    }

    /// `POST` of a JSON body with an optional bearer token.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        respond(request.send().await.unwrap()).await
    }

    /// `POST` of raw bytes to a webhook with `headers`.
    pub async fn webhook(
        &self,
        provider: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/webhook/{provider}", self.url))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        respond(request.send().await.unwrap()).await
    }
}

async fn respond(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, body)
}

/// A Secret manifest holding `password`.
pub fn secret(name: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(password);
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: Opaque\ndata:\n  password: {encoded}\n"
    )
}
