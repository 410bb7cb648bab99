//! `ferry quickstart`: everything on one machine, in one process. Starts the local cluster
//! and `ferry server` (controller, API, webhooks, metrics, UI), makes a local Git repository
//! of the Real Estate AI OS example, registers its app of apps (staging, then production, by
//! waves), waits until all are Synced and Healthy, prints where everything is and what to try,
//! and serves until Ctrl-C. State lives in one directory; running again resumes it.

mod example;
mod push;
mod status;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use ferry_cluster::ClusterConfig;
use ferry_controller::ControllerConfig;
use ferry_engine::{ClusterClient, ConnectOptions, WriteOptions};
use ferry_git::Credentials;
use ferry_types::parse_go_duration;
use ferry_workloads::SimulationConfig;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, PostParams};
use serde_json::json;

use crate::exit::ExitStatus;
use example::Repository;

/// The namespace of the Applications and the server's Secrets.
const NAMESPACE: &str = "ferry";
/// The example's environments; each gets its database Secret out of band, never from Git.
const ENVIRONMENTS: [&str; 2] = ["reai-staging", "reai-production"];
/// A file marking a directory as the quickstart's, so `--reset` deletes nothing else.
const MARKER: &str = ".ferry-quickstart";

/// `ferry quickstart`.
#[derive(Debug, Args)]
pub struct QuickstartArgs {
    /// Where everything lives: the cluster's state, the Git repository, `kubeconfig`,
    /// `api-token` and `webhook-secret`. Running again with the same DIR resumes.
    #[arg(long, env = "FERRY_QUICKSTART_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Address of ferry's API, web UI, webhooks and metrics (port 0 picks a free port).
    #[arg(long, default_value = ferry_server::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Address of the local cluster's Kubernetes API (port 0 picks a free port; the
    /// kubeconfig is rewritten at every start).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub cluster_listen: SocketAddr,
    /// Delete DIR's state first and start over.
    #[arg(long)]
    pub reset: bool,
    /// Scale the simulated container start and readiness delays (1 is real-cluster-like).
    #[arg(long, default_value_t = 0.2)]
    pub time_factor: f64,
    /// How long to wait for every app to be Synced and Healthy.
    #[arg(long, default_value = "5m")]
    pub timeout: String,
}

/// Runs the quickstart until Ctrl-C.
pub fn run(args: &QuickstartArgs) -> anyhow::Result<ExitStatus> {
    let timeout = parse_go_duration(&args.timeout)
        .map_err(|_| anyhow::anyhow!("--timeout {:?}: not a duration (90s, 5m)", args.timeout))?;
    let data = args.data.clone().unwrap_or_else(default_data_dir);
    prepare_data_dir(&data, args.reset)?;
    let data = data
        .canonicalize()
        .with_context(|| format!("resolving {}", data.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(quickstart(args, &data, timeout))
}

async fn quickstart(
    args: &QuickstartArgs,
    data: &Path,
    timeout: Duration,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let started_at = ferry_controller::now_rfc3339();
    let cluster_dir = data.join("cluster");
    let cluster = ferry_cluster::start(ClusterConfig {
        data_dir: cluster_dir.clone(),
        listen: args.cluster_listen,
        kubeconfig_path: Some(data.join("kubeconfig")),
        insecure_http: false,
    })
    .await
    .context("starting the local cluster")?;
    let mut simulation = SimulationConfig::default().with_root_ca_from(&cluster_dir);
    simulation.time_factor = args.time_factor;
    let controllers = ferry_workloads::spawn_controllers(cluster.state.clone(), simulation);
    step(format!("local cluster    {}", cluster.url));

    let repo = data.join("repos").join("real-estate-ai-os");
    let url = format!("file://{}", repo.display());
    let created = {
        let (repo, url) = (repo.clone(), url.clone());
        tokio::task::spawn_blocking(move || example::ensure_repository(&repo, &url))
            .await
            .context("making the Git repository")??
    };
    step(format!(
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
        listen: args.listen,
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
    step(format!(
        "ferry server     {} (API, UI, webhooks, metrics)",
        server.url
    ));

    let root = example::text("apps/root.yaml", &url).unwrap_or_default();
    let root = ferry_yaml::parse_single("apps/root.yaml", root.as_bytes())?;
    client
        .apply(&root, WriteOptions::APPLY)
        .await
        .context("registering the app of apps reai-root")?;
    step("registered       reai-root (app of apps: reai-staging, then reai-production)".into());

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let announcer = tokio::spawn(push::announce_commits(
        repo.clone(),
        url.clone(),
        server.address,
        server.webhook_secret.clone(),
        stopped,
    ));

    let ready = tokio::select! {
        ready = wait_until_ready(client.kube(), &started_at, timeout) => ready,
        _ = tokio::signal::ctrl_c() => None,
    };
    let apps = ferry_controller::list_applications(client.kube(), Some(NAMESPACE))
        .await
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    match ready {
        Some(true) => {
            let _ = writeln!(
                out,
                "\nferry quickstart is ready ({:.1} s)\n",
                started.elapsed().as_secs_f64()
            );
        }
        Some(false) => {
            let _ = writeln!(
                out,
                "\nnot every app is Synced and Healthy after {}; still serving\n",
                args.timeout
            );
        }
        None => {}
    }
    let _ = write!(out, "{}", status::table(&apps));
    let _ = write!(
        out,
        "{}",
        next_steps(
            data,
            &repo,
            &server.url,
            &server.admin_token,
            &token_file,
            &secret_file
        )
    );
    let _ = out.flush();
    drop(out);

    if ready.is_some() {
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
    }
    eprintln!("stopping");
    let _ = stop.send(true);
    let _ = announcer.await;
    server.stop().await;
    controllers.stop().await;
    cluster.stop().await?;
    Ok(if ready == Some(true) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Polls the Applications (once a second, at most `timeout`), printing each change of their
/// summary; `Some(true)` once all are Synced and Healthy (reconciled since `since`), `Some(false)` at the deadline.
async fn wait_until_ready(kube: &kube::Client, since: &str, timeout: Duration) -> Option<bool> {
    let deadline = Instant::now() + timeout;
    let mut printed: Vec<String> = Vec::new();
    loop {
        if let Ok(apps) = ferry_controller::list_applications(kube, Some(NAMESPACE)).await {
            for line in status::summary(&apps) {
                if !printed.contains(&line) {
                    println!("  {line}");
                    printed.push(line);
                }
            }
            if status::all_ready(&apps, since) {
                return Some(true);
            }
        }
        if Instant::now() >= deadline {
            return Some(false);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
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

/// Makes `data` (deleting it first with `reset`, only when it is a quickstart directory).
fn prepare_data_dir(data: &Path, reset: bool) -> anyhow::Result<()> {
    if reset && data.exists() {
        let empty = std::fs::read_dir(data)
            .with_context(|| format!("reading {}", data.display()))?
            .next()
            .is_none();
        if !empty && !data.join(MARKER).exists() {
            bail!(
                "--reset: {} is not a ferry quickstart directory (no {MARKER}); not deleting it",
                data.display()
            );
        }
        std::fs::remove_dir_all(data).with_context(|| format!("deleting {}", data.display()))?;
    }
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let marker = data.join(MARKER);
    if !marker.exists() {
        std::fs::write(
            &marker,
            "state of `ferry quickstart`; `--reset` deletes this directory\n",
        )
        .with_context(|| format!("writing {}", marker.display()))?;
    }
    Ok(())
}

/// Writes a credential readable by its owner only.
fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
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

fn step(line: String) {
    println!("{line}");
}

fn next_steps(
    data: &Path,
    repo: &Path,
    url: &str,
    admin_token: &str,
    token: &Path,
    secret: &Path,
) -> String {
    let data = data.display();
    let repo = repo.display();
    let (token, secret) = (token.display(), secret.display());
    format!(
        "
kubeconfig   {data}/kubeconfig (context ferry-local)
API and UI   {url}  (token: {token})
admin token  {admin_token}
webhooks     {url}/api/webhook/github | gitlab | generic  (secret: {secret})
metrics      {url}/metrics

Try next (in another terminal):
  export KUBECONFIG={data}/kubeconfig
  ferry app list -n {NAMESPACE}
  # deploy a change: commit it; ferry hears of it by webhook and deploys it in seconds
  cd {repo} && sed -i 's/count: 1$/count: 2/' overlays/staging/kustomization.yaml && git commit -qam 'staging: two replicas'
  ferry app history reai-staging -n {NAMESPACE}
  # drift heals itself: scale by hand and watch it come back
  kubectl -n reai-staging scale deployment/web --replicas=5 && kubectl -n reai-staging get deployment web -w
  # roll back to the previous deployment (automation pauses until `ferry app set reai-staging --auto-sync`)
  ferry app rollback reai-staging -n {NAMESPACE}
  # a failure: a crash-looping release turns health Degraded, and the report counts it
  cd {repo} && sed -i 's/^    metadata:$/    metadata:\\n      annotations:\\n        cluster.ferry.dev\\/fault: crashloop/' base/web.yaml && git commit -qam 'web: a bad release'
  ferry report -n {NAMESPACE}
  # the API itself failing: a third of the requests answered 503 for a minute; ferry retries
  ferry cluster fault add errors --fraction 0.3 --code 503 --duration 1m --kubeconfig {data}/kubeconfig
  curl -s -H \"Authorization: Bearer $(cat {token})\" {url}/api/v1/applications

Ctrl-C stops everything; run `ferry quickstart` again to resume, `--reset` to start over.
"
    )
}

/// `$XDG_DATA_HOME/ferry/quickstart`, or `~/.local/share/ferry/quickstart`.
fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("ferry")
        .join("quickstart")
}
