//! `ferry cluster up`: serve the local cluster in the foreground; `ferry cluster fault
//! add|list|clear`: cluster-wide faults through the cluster's admin endpoint (`/ferry/faults`,
//! the same bearer token as the API). The fault arguments live here, next to the work.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use ferry_cluster::ClusterConfig;
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_workloads::SimulationConfig;
use kube::api::{DeleteParams, ListParams, PostParams};
use serde_json::{Value, json};

use crate::args::ClusterUpArgs;
use crate::exit::ExitStatus;

/// Starts the cluster, prints where it is, and serves until Ctrl-C.
pub fn up(args: &ClusterUpArgs) -> anyhow::Result<ExitStatus> {
    let config = ClusterConfig {
        data_dir: args.data.clone().unwrap_or_else(default_data_dir),
        listen: args.listen,
        kubeconfig_path: args.kubeconfig.clone(),
        insecure_http: args.insecure_http,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = ferry_cluster::start(config.clone()).await?;
        let controllers = (!args.no_controllers).then(|| {
            let mut simulation = SimulationConfig::default().with_root_ca_from(&config.data_dir);
            simulation.time_factor = args.time_factor;
            simulation.nodes = args.nodes;
            ferry_workloads::spawn_controllers(running.state.clone(), simulation)
        });
        // Write errors are ignored: a closed stdout must not stop a running cluster.
        let mut out = std::io::stdout().lock();
        let kubeconfig = running.kubeconfig.display();
        let _ = writeln!(out, "ferry local cluster serving at {}", running.url);
        let _ = writeln!(out, "data:       {}", config.data_dir.display());
        let _ = writeln!(out, "kubeconfig: {kubeconfig}");
        let _ = writeln!(
            out,
            "try:        KUBECONFIG={kubeconfig} kubectl get namespaces"
        );
        let _ = out.flush();
        drop(out);
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        eprintln!("stopping");
        if let Some(controllers) = controllers {
            controllers.stop().await;
        }
        running.stop().await?;
        anyhow::Ok(ExitStatus::Success)
    })
}

/// `$XDG_DATA_HOME/ferry/cluster`, or `~/.local/share/ferry/cluster`.
fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("ferry")
        .join("cluster")
}

/// `ferry cluster fault` subcommands.
#[derive(Debug, Subcommand)]
pub enum FaultCommand {
    /// Inject a cluster-wide fault: latency, errors, drop-watches, compaction or node-loss.
    Add(Box<FaultAddArgs>),
    /// List the active faults.
    List(FaultListArgs),
    /// Clear one fault by id, or all of them with --all.
    Clear(FaultClearArgs),
}

/// How to reach the local cluster.
#[derive(Debug, Args)]
pub struct FaultConnectArgs {
    /// The kubeconfig; `DIR/kubeconfig` of --data, else that of the default data directory
    /// when it exists, else `KUBECONFIG` or ~/.kube/config.
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The data directory of the cluster (as given to `ferry cluster up --data`).
    #[arg(
        long = "data",
        env = "FERRY_CLUSTER_DATA",
        value_name = "DIR",
        global = true
    )]
    pub data: Option<PathBuf>,
    /// The kubeconfig context; its current-context by default.
    #[arg(long, global = true)]
    pub context: Option<String>,
}

/// The kinds of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FaultType {
    /// Every request in scope waits --delay.
    Latency,
    /// A --fraction of the requests in scope is answered with --code (429, 500 or 503).
    Errors,
    /// Watches are closed --after their start (0s: at once).
    DropWatches,
    /// The history is compacted: older resourceVersions get 410 Gone (again --every).
    Compaction,
    /// --node stops reporting: NotReady, its pods evicted and replaced.
    NodeLoss,
}

impl FaultType {
    fn wire(self) -> &'static str {
        match self {
            FaultType::Latency => "latency",
            FaultType::Errors => "errors",
            FaultType::DropWatches => "drop-watches",
            FaultType::Compaction => "compaction",
            FaultType::NodeLoss => "node-loss",
        }
    }
}

/// `ferry cluster fault add`.
#[derive(Debug, Args)]
pub struct FaultAddArgs {
    /// Connection.
    #[command(flatten)]
    pub connect: FaultConnectArgs,
    /// What kind of fault.
    #[arg(value_enum)]
    pub fault_type: FaultType,
    /// How long the fault lasts (500ms, 30s, 2m, 1h); until cleared by default.
    #[arg(long)]
    pub duration: Option<String>,
    /// latency: the added delay.
    #[arg(long)]
    pub delay: Option<String>,
    /// latency, errors: only these verbs (get, list, watch, create, update, patch, delete,
    /// deletecollection); repeatable.
    #[arg(long = "verb", value_name = "VERB")]
    pub verbs: Vec<String>,
    /// latency, errors: only these resources (`pods`, `deployments.apps`); repeatable.
    #[arg(long = "resource", value_name = "RESOURCE")]
    pub resources: Vec<String>,
    /// errors: 429, 500 or 503.
    #[arg(long)]
    pub code: Option<u16>,
    /// errors: the fraction of requests that fail, from 0 to 1 (1 by default).
    #[arg(long)]
    pub fraction: Option<f64>,
    /// errors (429): the Retry-After (1s by default).
    #[arg(long)]
    pub retry_after: Option<String>,
    /// drop-watches: how long a watch lives (0s by default: closed at once).
    #[arg(long)]
    pub after: Option<String>,
    /// compaction: compact again this often.
    #[arg(long)]
    pub every: Option<String>,
    /// node-loss: the node (`ferry-node-1`, ...).
    #[arg(long)]
    pub node: Option<String>,
    /// node-loss: evict its pods this long after (their toleration, 300s scaled, by default).
    #[arg(long)]
    pub evict_after: Option<String>,
}

/// `ferry cluster fault list`.
#[derive(Debug, Args)]
pub struct FaultListArgs {
    /// Connection.
    #[command(flatten)]
    pub connect: FaultConnectArgs,
    /// Print the faults as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `ferry cluster fault clear`.
#[derive(Debug, Args)]
pub struct FaultClearArgs {
    /// Connection.
    #[command(flatten)]
    pub connect: FaultConnectArgs,
    /// The fault to clear (`fault-1`).
    #[arg(conflicts_with = "all", required_unless_present = "all")]
    pub id: Option<String>,
    /// Clear every fault.
    #[arg(long)]
    pub all: bool,
}

const ADMIN_PATH: &str = ferry_cluster::fault::ADMIN_PATH;

/// Runs a `ferry cluster fault` subcommand.
pub fn fault(command: &FaultCommand) -> anyhow::Result<ExitStatus> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        match command {
            FaultCommand::Add(args) => add(args).await,
            FaultCommand::List(args) => list(args).await,
            FaultCommand::Clear(args) => clear(args).await,
        }
    })
}

async fn connect(args: &FaultConnectArgs) -> anyhow::Result<kube::Client> {
    let default = default_data_dir().join("kubeconfig");
    let kubeconfig = args
        .kubeconfig
        .clone()
        .or_else(|| args.data.as_ref().map(|data| data.join("kubeconfig")))
        .or_else(|| default.exists().then_some(default));
    let options = ConnectOptions {
        kubeconfig,
        context: args.context.clone(),
    };
    let client = ClusterClient::connect(&options, &Default::default()).await?;
    Ok(client.kube().clone())
}

/// The server's message for a refused request, or the transport error.
fn explain(error: kube::Error) -> anyhow::Error {
    match error {
        kube::Error::Api(status) if status.code == 404 && status.message.is_empty() => {
            anyhow::anyhow!(
                "the server has no fault endpoint ({ADMIN_PATH}): is it a ferry local cluster?"
            )
        }
        kube::Error::Api(status) => anyhow::anyhow!("{}", status.message),
        other => anyhow::Error::new(other).context("reaching the cluster"),
    }
}

fn parse(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).context("reading the server's answer")
}

async fn add(args: &FaultAddArgs) -> anyhow::Result<ExitStatus> {
    let mut body = json!({"type": args.fault_type.wire()});
    let fields: [(&str, Option<Value>); 11] = [
        ("duration", args.duration.clone().map(Value::from)),
        ("delay", args.delay.clone().map(Value::from)),
        ("verbs", (!args.verbs.is_empty()).then(|| json!(args.verbs))),
        (
            "resources",
            (!args.resources.is_empty()).then(|| json!(args.resources)),
        ),
        ("code", args.code.map(Value::from)),
        ("fraction", args.fraction.map(Value::from)),
        ("retryAfter", args.retry_after.clone().map(Value::from)),
        ("after", args.after.clone().map(Value::from)),
        ("every", args.every.clone().map(Value::from)),
        ("node", args.node.clone().map(Value::from)),
        ("evictAfter", args.evict_after.clone().map(Value::from)),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            body[name] = value;
        }
    }
    let client = connect(&args.connect).await?;
    let request = kube::core::Request::new(ADMIN_PATH)
        .create(&PostParams::default(), body.to_string().into_bytes())
        .context("building the request")?;
    let fault = parse(&client.request_text(request).await.map_err(explain)?)?;
    println!("{} added: {}", text(&fault, "id"), describe(&fault));
    Ok(ExitStatus::Success)
}

async fn list(args: &FaultListArgs) -> anyhow::Result<ExitStatus> {
    let client = connect(&args.connect).await?;
    let request = kube::core::Request::new(ADMIN_PATH)
        .list(&ListParams::default())
        .context("building the request")?;
    let listed = parse(&client.request_text(request).await.map_err(explain)?)?;
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&listed)?);
    } else if items.is_empty() {
        println!("no active faults");
    } else {
        let rows: Vec<[String; 4]> = items
            .iter()
            .map(|fault| {
                [
                    text(fault, "id"),
                    text(fault, "type"),
                    details(fault),
                    fault["expiresAt"].as_str().unwrap_or("-").to_string(),
                ]
            })
            .collect();
        print_table(["ID", "TYPE", "DETAILS", "EXPIRES"], &rows);
    }
    Ok(ExitStatus::Success)
}

async fn clear(args: &FaultClearArgs) -> anyhow::Result<ExitStatus> {
    let client = connect(&args.connect).await?;
    let builder = kube::core::Request::new(ADMIN_PATH);
    let request = match &args.id {
        Some(id) if !args.all => builder.delete(id, &DeleteParams::default()),
        _ => builder.delete_collection(&DeleteParams::default(), &ListParams::default()),
    }
    .context("building the request")?;
    let answer = parse(&client.request_text(request).await.map_err(explain)?)?;
    match answer["items"].as_array() {
        Some(items) => println!(
            "cleared {} fault{}",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ),
        None => println!("{} cleared", text(&answer, "id")),
    }
    Ok(ExitStatus::Success)
}

fn text(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or("").to_string()
}

/// `errors code=503 fraction=0.5 resources=configmaps`.
fn describe(fault: &Value) -> String {
    let details = details(fault);
    if details.is_empty() {
        text(fault, "type")
    } else {
        format!("{} {details}", text(fault, "type"))
    }
}

fn details(fault: &Value) -> String {
    let Some(map) = fault.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(key, _)| !matches!(key.as_str(), "id" | "type" | "addedAt" | "expiresAt"))
        .map(|(key, value)| {
            let shown = match value {
                Value::String(text) => text.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map_or_else(|| item.to_string(), str::to_string)
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            format!("{key}={shown}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_table(header: [&str; 4], rows: &[[String; 4]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut out = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if index + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}   "));
            }
        }
        out
    };
    println!("{}", line(header));
    for row in rows {
        println!("{}", line([&row[0], &row[1], &row[2], &row[3]]));
    }
}
