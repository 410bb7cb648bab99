//! `ferry quickstart`: everything on one machine, in one process. Starts the local cluster
//! and `ferry server` (controller, API, webhooks, metrics, UI), makes a local Git repository
//! of the Real Estate AI OS example, registers its app of apps (staging, then production, by
//! waves), waits until all are Synced and Healthy, prints where everything is and what to try,
//! and serves until Ctrl-C. State lives in one directory; running again resumes it.

mod environment;
pub(crate) mod example;
mod push;
pub(crate) mod status;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use ferry_types::parse_go_duration;

use crate::exit::ExitStatus;
pub(crate) use environment::{Environment, Options};

/// The namespace of the Applications and the server's Secrets.
pub(crate) const NAMESPACE: &str = "ferry";
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
    let environment = Environment::start(
        &Options {
            listen: args.listen,
            cluster_listen: args.cluster_listen,
            time_factor: args.time_factor,
            progress: Progress::Stdout,
        },
        data,
    )
    .await?;
    let client = &environment.client;
    let ready = tokio::select! {
        ready = wait_until_ready(client.kube(), &started_at, timeout, Progress::Stdout) => ready,
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
            &environment.repo,
            &environment.server.url,
            &environment.server.admin_token,
            &environment.token_file,
            &environment.secret_file
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
    environment.stop().await?;
    Ok(if ready == Some(true) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Polls the Applications (once a second, at most `timeout`), printing each change of their
/// summary; `Some(true)` once all are Synced and Healthy (reconciled since `since`), `Some(false)` at the deadline.
pub(crate) async fn wait_until_ready(
    kube: &kube::Client,
    since: &str,
    timeout: Duration,
    progress: Progress,
) -> Option<bool> {
    let deadline = Instant::now() + timeout;
    let mut printed: Vec<String> = Vec::new();
    loop {
        if let Ok(apps) = ferry_controller::list_applications(kube, Some(NAMESPACE)).await {
            for line in status::summary(&apps) {
                if !printed.contains(&line) {
                    progress.say(&format!("  {line}"));
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

/// Where progress lines go: stdout for the quickstart (they are what it shows), stderr for
/// the drill (its stdout is its report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Progress {
    /// Prints one progress line.
    pub(crate) fn say(self, line: &str) {
        match self {
            Progress::Stdout => println!("{line}"),
            Progress::Stderr => eprintln!("{line}"),
        }
    }
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
  ferry app wait reai-staging -n {NAMESPACE} --revision $(git -C {repo} rev-parse HEAD)
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
`ferry drill` runs the validation plan (release, failure, recovery, rollback) on a fresh copy.
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
