//! `ferry drill`: ADR-007's validation plan, run as a feature rather than a document. It
//! starts the quickstart's environment (local cluster, ferry server, the example's Git
//! repository, staging then production), then on the staging app: a release committed to
//! Git is deployed (plan 1, 3); a release lands while the API fails; a change made by hand is
//! reverted; a release whose migration fails changes no service, and a Git revert restores
//! it (plan 2); a rollback restores an earlier release, and resuming auto-sync returns to
//! Git's head (plan 4). Each check is timed; the app's deployment figures over the drill come
//! from its history. Exit status 0 when every check passed.

mod report;
mod steps;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use clap::{Args, ValueEnum};
use ferry_types::parse_go_duration;

use crate::commands::quickstart::{self, Environment, NAMESPACE, Options, Progress};
use crate::exit::ExitStatus;
use report::Check;
use steps::{APP, Drill, not_run};

/// `ferry drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Where the environment lives (as `ferry quickstart --data`); a fresh temporary
    /// directory, deleted afterwards, when not given.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Address of ferry's API while the drill runs (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Scale the simulated container start and readiness delays (1 is real-cluster-like).
    #[arg(long, default_value_t = 0.2)]
    pub time_factor: f64,
    /// How long one check may wait for ferry (90s, 5m).
    #[arg(long, default_value = "3m")]
    pub patience: String,
    /// How the result is printed.
    #[arg(short, long, value_enum, default_value_t = DrillOutput::Table)]
    pub output: DrillOutput,
}

/// How `ferry drill` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillOutput {
    /// A table of checks and figures.
    Table,
    /// One JSON document.
    Json,
}

/// Runs the drill; exit status 0 when every check passed.
pub fn run(args: &DrillArgs) -> anyhow::Result<ExitStatus> {
    let patience = parse_go_duration(&args.patience)
        .map_err(|_| anyhow::anyhow!("--patience {:?}: not a duration (90s, 5m)", args.patience))?;
    let (data, temporary) = match &args.data {
        Some(data) => {
            std::fs::create_dir_all(data)
                .with_context(|| format!("creating {}", data.display()))?;
            (data.clone(), false)
        }
        None => {
            let data = std::env::temp_dir().join(format!(
                "ferry-drill-{}-{:x}",
                std::process::id(),
                ferry_types::stable_hash(format!("{:?}", SystemTime::now()).into_bytes())
            ));
            // A new directory of our own, never one (or a link) that was already there: it is
            // deleted afterwards.
            std::fs::create_dir(&data).with_context(|| format!("creating {}", data.display()))?;
            (data, true)
        }
    };
    let data = data
        .canonicalize()
        .with_context(|| format!("resolving {}", data.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let result = runtime.block_on(drill(args, &data, patience));
    drop(runtime);
    if temporary {
        let _ = std::fs::remove_dir_all(&data);
    }
    result
}

async fn drill(
    args: &DrillArgs,
    data: &std::path::Path,
    patience: Duration,
) -> anyhow::Result<ExitStatus> {
    let started_at = SystemTime::now();
    let since = ferry_controller::now_rfc3339();
    let environment = Environment::start(
        &Options {
            listen: args.listen,
            cluster_listen: "127.0.0.1:0".parse()?,
            time_factor: args.time_factor,
            progress: Progress::Stderr,
        },
        data,
    )
    .await?;
    let outcome = run_checks(&environment, &since, patience).await;
    let figures = figures(environment.client.kube(), started_at).await;
    let stopped = environment.stop().await;
    let checks = outcome?;
    stopped?;
    let (rows, json) = figures.unwrap_or_default();
    let written = data.join("drill-report.json");
    std::fs::write(
        &written,
        serde_json::to_string_pretty(&report::to_json(APP, &checks, &json))?,
    )
    .with_context(|| format!("writing {}", written.display()))?;
    match args.output {
        DrillOutput::Table => print!("{}", report::table(APP, &checks, &rows)),
        DrillOutput::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::to_json(APP, &checks, &json))?
        ),
    }
    Ok(if report::all_passed(&checks) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Waits for the example to be deployed, then runs the checks in order; after a failure
/// the rest are reported not run.
async fn run_checks(
    environment: &Environment,
    since: &str,
    patience: Duration,
) -> anyhow::Result<Vec<Check>> {
    let started = Instant::now();
    match quickstart::wait_until_ready(environment.client.kube(), since, patience, Progress::Stderr)
        .await
    {
        Some(true) => eprintln!(
            "the example is deployed ({:.1} s); drilling {APP}",
            started.elapsed().as_secs_f64()
        ),
        _ => anyhow::bail!("the example was not Synced and Healthy within {patience:?}"),
    }
    let mut drill = Drill::new(environment, patience);
    let names: [(&'static str, u8); 7] = [
        ("a release committed to Git reaches staging", 1),
        ("a release lands while the API fails 30 % of requests", 2),
        ("a change made by hand is reverted (self-heal)", 2),
        ("a release whose migration fails changes no service", 2),
        (
            "a Git revert of the failed release makes Git and cluster agree",
            2,
        ),
        ("a rollback to an earlier release restores it", 4),
        ("resuming auto-sync deploys Git's head again", 4),
    ];
    let mut checks = Vec::new();
    for (index, (name, plan)) in names.into_iter().enumerate() {
        if !report::all_passed(&checks) {
            checks.push(not_run(name, plan));
            continue;
        }
        let check = match index {
            0 => drill.release().await,
            1 => drill.release_through_api_errors().await,
            2 => drill.drift().await,
            3 => drill.failed_release().await,
            4 => drill.revert().await,
            5 => drill.rollback().await,
            _ => drill.resume().await,
        };
        eprintln!(
            "  {}: {:?} {}",
            check.name,
            check.outcome,
            check
                .seconds
                .map(|seconds| format!("({seconds:.1} s)"))
                .unwrap_or_default()
        );
        checks.push(check);
    }
    Ok(checks)
}

/// The staging app's figures over the drill, from the history the controller recorded: rows
/// for the table and the same as JSON; `None` when the app cannot be read.
async fn figures(
    kube: &kube::Client,
    started_at: SystemTime,
) -> Option<(Vec<(String, String)>, serde_json::Value)> {
    let apps = ferry_telemetry::report::list_applications(kube, Some(NAMESPACE))
        .await
        .ok()?;
    let app = apps.into_iter().find(|app| app.name == APP)?;
    let now = SystemTime::now();
    let window = now
        .duration_since(started_at)
        .unwrap_or_default()
        .saturating_add(Duration::from_secs(1));
    let report = ferry_telemetry::report::build(&[app], now, window);
    let figures = report.apps.first()?.figures.clone();
    let seconds = |value: Option<f64>| {
        value
            .map(|seconds| format!("{seconds:.1} s"))
            .unwrap_or_else(|| "-".into())
    };
    let rate = |value: Option<f64>| {
        value
            .map(|rate| format!("{:.0} %", rate * 100.0))
            .unwrap_or_else(|| "-".into())
    };
    let rows = vec![
        ("deployments".to_string(), figures.deployments.to_string()),
        (
            "sync attempts, failed".to_string(),
            format!("{}, {}", figures.attempts, figures.failures),
        ),
        ("success rate".to_string(), rate(figures.success_rate)),
        (
            "sync duration p50 / p95".to_string(),
            format!(
                "{} / {}",
                seconds(figures.duration_p50_seconds),
                seconds(figures.duration_p95_seconds)
            ),
        ),
        (
            "lead time (commit to deployed), p50".to_string(),
            seconds(figures.lead_time_seconds),
        ),
        (
            "change failure rate".to_string(),
            rate(figures.change_failure_rate),
        ),
        (
            "time to restore, p50".to_string(),
            seconds(figures.time_to_restore_seconds),
        ),
    ];
    Some((rows, serde_json::to_value(&figures).ok()?))
}
