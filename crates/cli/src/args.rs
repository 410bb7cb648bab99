//! Command-line arguments as typed structs; no work happens here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// ferry: GitOps continuous delivery for Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// ferry's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the exact objects a directory, a kustomization or a Git revision declares.
    Render(Box<RenderArgs>),
    /// Check manifests for CI: every object renders and is valid; one line per problem.
    Validate(ValidateArgs),
    /// Run the local Kubernetes-compatible cluster.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Compare an Application's objects with its cluster: exit 0 in sync, 1 different, 2 on error.
    Diff(Box<DiffArgs>),
    /// Make the cluster match an Application's source, wave by wave, waiting for health.
    Sync(Box<SyncArgs>),
    /// Run the GitOps loop: watch Applications, refresh them from Git, write their status,
    /// auto-sync and carry out requested syncs, until Ctrl-C.
    Controller(Box<ControllerArgs>),
    /// Work with Applications through the Kubernetes API: list, get, history, sync,
    /// rollback, set.
    // Its arguments are in commands/app.rs.
    #[command(subcommand)]
    App(crate::commands::app::AppCommand),
    /// Print (or `--apply`) everything to run ferry in a cluster: CRDs, Namespace, RBAC and
    /// the controller's Deployment.
    // Its arguments are in commands/install.rs.
    Install(crate::commands::install::InstallArgs),
    /// Run the controller plus the HTTP API, webhooks, metrics and web UI, until Ctrl-C.
    // Its arguments are in commands/server.rs.
    Server(Box<crate::commands::server::ServerArgs>),
    /// Everything on this machine in one process: the local cluster, ferry server, a Git
    /// repository of the Real Estate AI OS example, deployed to staging then production.
    // Its arguments are in commands/quickstart/mod.rs.
    Quickstart(Box<crate::commands::quickstart::QuickstartArgs>),
    /// Per app and environment: deployments, success rate, p50/p95 sync duration, lead
    /// time, change failure rate and time to restore, from the recorded history.
    // Its arguments are in commands/report.rs.
    Report(Box<crate::commands::report::ReportArgs>),
    /// ADR-007's validation plan, run: the quickstart's environment, then on staging a
    /// release, a release through API errors, drift, a failed migration and its revert, a
    /// rollback and its resumption, each timed; exit status 0 when every check passed.
    // Its arguments are in commands/drill/mod.rs.
    Drill(Box<crate::commands::drill::DrillArgs>),
}

/// `ferry cluster` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Serve the local cluster in the foreground until Ctrl-C; writes a kubeconfig (context
    /// `ferry-local`) that kubectl and kube-rs use unchanged.
    Up(ClusterUpArgs),
    /// Inject, list and clear cluster-wide faults (latency, errors, dropped watches,
    /// compaction, node loss) on a running local cluster.
    // Its arguments are in commands/cluster.rs.
    #[command(subcommand)]
    Fault(crate::commands::cluster::FaultCommand),
}

/// `ferry cluster up`.
#[derive(Debug, Args)]
pub struct ClusterUpArgs {
    /// Where the cluster keeps its state, certificates and token.
    #[arg(long = "data", env = "FERRY_CLUSTER_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: std::net::SocketAddr,
    /// Where to write the kubeconfig; `DIR/kubeconfig` by default.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS (the bearer token is still required).
    #[arg(long)]
    pub insecure_http: bool,
    /// Scale simulated delays (container start, readiness); 0.1 is ten times faster.
    #[arg(long, default_value_t = 1.0)]
    pub time_factor: f64,
    /// Number of simulated Ready nodes.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// Serve the API only: no simulated controllers, so workloads never come alive.
    #[arg(long)]
    pub no_controllers: bool,
}

/// Output formats for rendered objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A YAML stream, one document per object.
    Yaml,
    /// JSON: the object alone, or a `v1` List of them.
    Json,
}

/// Where to read a source from and how.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// A directory on disk: plain manifests or a kustomization.
    #[arg(conflicts_with_all = ["repo", "app"])]
    pub path: Option<PathBuf>,
    /// A Git repository URL (https://, http://, git://, ssh://, file:// or a path).
    #[arg(long, conflicts_with = "app")]
    pub repo: Option<String>,
    /// Branch, tag, commit SHA (full or short) or HEAD.
    #[arg(long, default_value = "HEAD", requires = "repo")]
    pub revision: String,
    /// Directory within the repository.
    #[arg(
        long = "path",
        default_value = "",
        requires = "repo",
        value_name = "DIR"
    )]
    pub repo_path: String,
    /// An Application manifest (ferry.dev or argoproj.io): render its source with its options.
    #[arg(long)]
    pub app: Option<PathBuf>,
    /// Read plain directories recursively.
    #[arg(long)]
    pub recurse: bool,
    /// Only files matching this glob (Argo CD's directory.include).
    #[arg(long, default_value = "")]
    pub include: String,
    /// Leave out files matching this glob (Argo CD's directory.exclude).
    #[arg(long, default_value = "")]
    pub exclude: String,
    /// Where fetched repositories are cached.
    #[arg(long, env = "FERRY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// User name for HTTPS Git.
    #[arg(long, env = "FERRY_GIT_USERNAME", hide_env_values = true)]
    pub git_username: Option<String>,
    /// Password or token for HTTPS Git.
    #[arg(long, env = "FERRY_GIT_PASSWORD", hide_env_values = true)]
    pub git_password: Option<String>,
    /// Private key for SSH Git.
    #[arg(long, env = "FERRY_GIT_SSH_KEY")]
    pub git_ssh_key: Option<PathBuf>,
}

/// `ferry render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The source.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    pub output: OutputFormat,
}

/// `ferry validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Directories (rendered as `ferry render` would) or manifest files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Which Application, and how to reach its repository and its cluster.
#[derive(Debug, Args)]
pub struct ApplicationArgs {
    /// The Application manifest (ferry.dev or argoproj.io).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// The kubeconfig; `KUBECONFIG` or ~/.kube/config by default.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context of the current cluster (`destination.server:
    /// https://kubernetes.default.svc`); its current-context by default.
    #[arg(long)]
    pub context: Option<String>,
    /// Where fetched repositories are cached.
    #[arg(long, env = "FERRY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// User name for HTTPS Git.
    #[arg(long, env = "FERRY_GIT_USERNAME", hide_env_values = true)]
    pub git_username: Option<String>,
    /// Password or token for HTTPS Git.
    #[arg(long, env = "FERRY_GIT_PASSWORD", hide_env_values = true)]
    pub git_password: Option<String>,
    /// Private key for SSH Git.
    #[arg(long, env = "FERRY_GIT_SSH_KEY")]
    pub git_ssh_key: Option<PathBuf>,
}

/// `ferry diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The Application.
    #[command(flatten)]
    pub application: ApplicationArgs,
}

/// How `ferry sync` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncOutput {
    /// Progress lines, then a table.
    Table,
    /// The result as JSON on stdout (progress still on stderr).
    Json,
}

/// `ferry sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The Application.
    #[command(flatten)]
    pub application: ApplicationArgs,
    /// Show what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete objects this app tracks that left Git.
    #[arg(long)]
    pub prune: bool,
    /// Give up after this long, health waits and retries included (`90s`, `5m`).
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub timeout: String,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: SyncOutput,
}

/// `ferry controller`.
#[derive(Debug, Args)]
pub struct ControllerArgs {
    /// Only Applications in this namespace; all namespaces by default.
    #[arg(long)]
    pub namespace: Option<String>,
    /// How the loop runs (shared with `ferry server`).
    #[command(flatten)]
    pub run: LoopArgs,
}

/// How the GitOps loop runs: `ferry controller`'s and `ferry server`'s flags.
#[derive(Debug, Args)]
pub struct LoopArgs {
    /// The kubeconfig; `KUBECONFIG` or ~/.kube/config by default.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context holding the Applications (and the current cluster of
    /// destinations); its current-context by default.
    #[arg(long)]
    pub context: Option<String>,
    /// How often each app is refreshed from Git (`60s`, `3m`); webhooks and the
    /// `ferry.dev/refresh` annotation refresh at once.
    #[arg(long, default_value = "60s", value_name = "DURATION")]
    pub poll_interval: String,
    /// Deadline of one sync, health waits and retries included.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub sync_timeout: String,
    /// Where fetched repositories are cached.
    #[arg(long, env = "FERRY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// User name for HTTPS Git.
    #[arg(long, env = "FERRY_GIT_USERNAME", hide_env_values = true)]
    pub git_username: Option<String>,
    /// Password or token for HTTPS Git.
    #[arg(long, env = "FERRY_GIT_PASSWORD", hide_env_values = true)]
    pub git_password: Option<String>,
    /// Private key for SSH Git.
    #[arg(long, env = "FERRY_GIT_SSH_KEY")]
    pub git_ssh_key: Option<PathBuf>,
    /// Apps reconciled at once: one slow app holds up no other.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub workers: usize,
    /// Deadline of one fetch and render from Git; a hung one is abandoned.
    #[arg(long, default_value = "2m", value_name = "DURATION")]
    pub fetch_timeout: String,
    /// Compete for the Lease `ferry-controller` and reconcile only while holding it (for
    /// several replicas).
    #[arg(long)]
    pub leader_elect: bool,
    /// The namespace of the leader election Lease.
    #[arg(long, default_value = "default", value_name = "NAMESPACE")]
    pub lease_namespace: String,
    /// Also serve Argo CD's `applications.argoproj.io` unchanged: each gets a ferry
    /// Application mirroring it, and ferry's status copied back (the CRD is installed when the
    /// cluster has none; do not use beside a running Argo CD).
    #[arg(long)]
    pub argocd_applications: bool,
}
