//! The quickstart's environment, started and stopped as one: the local cluster with its
//! simulated workloads, the example's Git repository, ferry's CRDs, the environments'
//! namespaces and database Secrets, `ferry server`, the app of apps, and the watcher that
//! announces commits by signed webhook. `ferry quickstart` serves it until Ctrl-C; `ferry
//! drill` runs the validation plan on it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use ferry_cluster::{ClusterConfig, RunningCluster};
use ferry_controller::ControllerConfig;
use ferry_engine::{ClusterClient, ConnectOptions, WriteOptions};
use ferry_git::Credentials;
use ferry_workloads::{ControllersHandle, SimulationConfig};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, PostParams};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::example::{self, Repository};
use super::{ENVIRONMENTS, NAMESPACE, Progress, push};

/// How the environment is started.
pub(crate) struct Options {
    /// ferry server's address.
    pub listen: SocketAddr,
    /// The local cluster's address.
    pub cluster_listen: SocketAddr,
    /// The simulation's time factor.
    pub time_factor: f64,
    /// Where progress lines go.
    pub progress: Progress,
}

/// Everything the quickstart runs.
pub(crate) struct Environment {
    /// The example's Git repository.
    pub repo: PathBuf,
    /// A client of the local cluster.
    pub client: ClusterClient,
    /// The local cluster.
    pub cluster: RunningCluster,
    /// ferry server.
    pub server: ferry_server::Running,
    /// Where the admin token is written.
    pub token_file: PathBuf,
    /// Where the webhook secret is written.
    pub secret_file: PathBuf,
    controllers: ControllersHandle,
    stop: watch::Sender<bool>,
    announcer: JoinHandle<()>,
}

impl Environment {
    /// Starts everything in `data` (resuming what a previous run left), printing a line per
    /// part, and registers the app of apps.
    pub(crate) async fn start(options: &Options, data: &Path) -> anyhow::Result<Environment> {
        let cluster_dir = data.join("cluster");
        let cluster = ferry_cluster::start(ClusterConfig {
            data_dir: cluster_dir.clone(),
            listen: options.cluster_listen,
            kubeconfig_path: Some(data.join("kubeconfig")),
            insecure_http: false,
        })
        .await
        .context("starting the local cluster")?;
        let mut simulation = SimulationConfig::default().with_root_ca_from(&cluster_dir);
        simulation.time_factor = options.time_factor;
        let controllers = ferry_workloads::spawn_controllers(cluster.state.clone(), simulation);
        options
            .progress
            .say(&format!("local cluster    {}", cluster.url));

        let repo = data.join("repos").join("real-estate-ai-os");
        let url = format!("file://{}", repo.display());
        let created = {
            let (repo, url) = (repo.clone(), url.clone());
            tokio::task::spawn_blocking(move || example::ensure_repository(&repo, &url))
                .await
                .context("making the Git repository")??
        };
        options.progress.say(&format!(
            "git repository   {} ({})",
            repo.display(),
            match created {
                Repository::Created => "created from examples/real-estate-ai-os",
                Repository::Reused => "kept from the last run",
            }
        ));

        let connect = ConnectOptions {
            kubeconfig: Some(cluster.kubeconfig.clone()),
            context: None,
        };
        let client = ClusterClient::connect(&connect, &Default::default())
            .await
            .context("connecting to the local cluster")?;
        ferry_controller::install_crds(&client)
            .await
            .context("installing ferry's CRDs")?;
        for namespace in std::iter::once(NAMESPACE).chain(ENVIRONMENTS) {
            ensure_namespace(client.kube(), namespace).await?;
        }
        for namespace in ENVIRONMENTS {
            ensure_database_secret(client.kube(), namespace).await?;
        }

        let server = ferry_server::start(ferry_server::ServerConfig {
            listen: options.listen,
            namespace: NAMESPACE.into(),
            controller: controller_config(connect.clone(), data),
        })
        .await
        .context("starting ferry server")?;
        let token_file = data.join("api-token");
        let secret_file = data.join("webhook-secret");
        if !server.admin_token.is_empty() {
            write_private(&token_file, &server.admin_token)?;
        }
        write_private(&secret_file, &server.webhook_secret)?;
        options.progress.say(&format!(
            "ferry server     {} (API, UI, webhooks, metrics)",
            server.url
        ));

        let root = example::text("apps/root.yaml", &url).unwrap_or_default();
        let root = ferry_yaml::parse_single("apps/root.yaml", root.as_bytes())?;
        client
            .apply(&root, WriteOptions::APPLY)
            .await
            .context("registering the app of apps reai-root")?;
        options
            .progress
            .say("registered       reai-root (app of apps: reai-staging, then reai-production)");

        let (stop, stopped) = watch::channel(false);
        let announcer = tokio::spawn(push::announce_commits(
            repo.clone(),
            url.clone(),
            server.address,
            server.webhook_secret.clone(),
            stopped,
            options.progress,
        ));
        Ok(Environment {
            repo,
            client,
            cluster,
            server,
            token_file,
            secret_file,
            controllers,
            stop,
            announcer,
        })
    }

    /// Stops everything, the commit watcher first and the cluster last.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        let _ = self.announcer.await;
        self.server.stop().await;
        self.controllers.stop().await;
        self.cluster.stop().await?;
        Ok(())
    }
}

fn controller_config(connect: ConnectOptions, data: &Path) -> ControllerConfig {
    ControllerConfig {
        connect,
        namespace: Some(NAMESPACE.into()),
        // Commits arrive by webhook; the poll is the safety net.
        poll_interval: Duration::from_secs(30),
        sync_timeout: Duration::from_secs(300),
        cache_dir: data.join("git-cache"),
        credentials: Credentials::None,
        ..ControllerConfig::default()
    }
}

async fn ensure_namespace(kube: &kube::Client, name: &str) -> anyhow::Result<()> {
    let api: Api<Namespace> = Api::all(kube.clone());
    if api.get_opt(name).await?.is_some() {
        return Ok(());
    }
    let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": name}}))?;
    match api.create(&PostParams::default(), &namespace).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => Err(error).with_context(|| format!("creating namespace {name}")),
    }
}

/// The database password of one environment, made here as an operator (External Secrets,
/// Sealed Secrets) would make it in a real cluster: it is never in Git.
async fn ensure_database_secret(kube: &kube::Client, namespace: &str) -> anyhow::Result<()> {
    let api: Api<Secret> = Api::namespaced(kube.clone(), namespace);
    if api.get_opt("postgres-credentials").await?.is_some() {
        return Ok(());
    }
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "postgres-credentials",
                     "labels": {"app.kubernetes.io/managed-by": "ferry-quickstart"}},
        "stringData": {"password": random_hex(16)?},
    }))?;
    match api.create(&PostParams::default(), &secret).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => {
            Err(error).with_context(|| format!("creating {namespace}/postgres-credentials"))
        }
    }
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buffer = vec![0u8; bytes];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").context("opening /dev/urandom")?,
        &mut buffer,
    )
    .context("reading /dev/urandom")?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Writes a credential readable by its owner only.
fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{content}").with_context(|| format!("writing {}", path.display()))
}
