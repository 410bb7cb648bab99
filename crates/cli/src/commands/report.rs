//! `ferry report`: per app and environment (destination namespace), deployments, success
//! rate, p50/p95 sync duration, lead time, change failure rate and time to restore over a
//! window, from the history recorded in Applications (read through the Kubernetes API).
//! Its arguments live here, next to the work, so that args.rs only names the command.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_telemetry::report;

use crate::exit::ExitStatus;

/// Output of `ferry report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportOutput {
    /// A table.
    Table,
    /// The report as JSON (seconds and rates from 0 to 1).
    Json,
}

/// `ferry report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this Application.
    #[arg(long)]
    pub app: Option<String>,
    /// The window: `7d`, `24h`, `90m`, `2w`, `1h30m`.
    #[arg(long, default_value = "7d")]
    pub since: String,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: ReportOutput,
    /// The kubeconfig; `KUBECONFIG` or ~/.kube/config by default.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; its current-context by default.
    #[arg(long)]
    pub context: Option<String>,
    /// The namespace of the Applications.
    #[arg(
        short = 'n',
        long,
        default_value = "default",
        conflicts_with = "all_namespaces"
    )]
    pub namespace: String,
    /// Applications of every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// Runs `ferry report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let window = ferry_telemetry::parse_duration(&args.since)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let mut apps = runtime.block_on(async {
        let options = ConnectOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
        };
        let client = ClusterClient::connect(&options, &Default::default()).await?;
        let namespace = (!args.all_namespaces).then_some(args.namespace.as_str());
        anyhow::Ok(report::list_applications(client.kube(), namespace).await?)
    })?;
    if let Some(name) = &args.app {
        apps.retain(|app| &app.name == name);
        if apps.is_empty() {
            anyhow::bail!("no Application {name} in {}", scope(args));
        }
    }
    let report = report::build(&apps, std::time::SystemTime::now(), window);
    match args.output {
        ReportOutput::Table => print!("{}", report::render_table(&report)),
        ReportOutput::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::to_json(&report))?
        ),
    }
    Ok(ExitStatus::Success)
}

fn scope(args: &ReportArgs) -> String {
    if args.all_namespaces {
        "any namespace".to_string()
    } else {
        format!("namespace {}", args.namespace)
    }
}
