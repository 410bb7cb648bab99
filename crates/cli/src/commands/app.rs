//! `ferry app list|get|history|sync|rollback|set`: Applications through the Kubernetes API
//! (the kubeconfig and context given, as `ferry controller` uses them). These only read
//! Applications or write their `spec`/`.operation`; the controller carries out syncs.
//! Its arguments live here, next to the work, so that args.rs only names the command.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_types::Application;

use crate::exit::ExitStatus;

/// `ferry app` subcommands.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// List Applications: sync status, health, revision, automation.
    List(AppListArgs),
    /// Show one Application's status, resources and last operation.
    Get(AppNameArgs),
    /// Print an Application's deployment history (id, revision, deployed at, initiator).
    History(AppNameArgs),
    /// Request a sync (sets `.operation`; the controller carries it out).
    Sync(AppSyncArgs),
    /// Deploy the revision of history entry ID (the previous deployment by default) and
    /// switch automated sync off until `ferry app set NAME --auto-sync`.
    Rollback(AppRollbackArgs),
    /// Change an Application's settings: switch automated sync on or off.
    Set(AppSetArgs),
}

/// How to reach the cluster holding the Applications.
#[derive(Debug, Args)]
pub struct AppConnectArgs {
    /// The kubeconfig; `KUBECONFIG` or ~/.kube/config by default.
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; its current-context by default.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// The namespace of the Applications.
    #[arg(short = 'n', long, default_value = "default", global = true)]
    pub namespace: String,
}

/// Output of `list` and `get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppOutput {
    /// A table.
    Table,
    /// The Application objects as JSON.
    Json,
}

/// `ferry app list`.
#[derive(Debug, Args)]
pub struct AppListArgs {
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Applications of every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: AppOutput,
}

/// Commands on one Application.
#[derive(Debug, Args)]
pub struct AppNameArgs {
    /// The Application.
    pub name: String,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: AppOutput,
}

/// `ferry app sync`.
#[derive(Debug, Args)]
pub struct AppSyncArgs {
    /// The Application.
    pub name: String,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Sync this revision instead of the app's target revision.
    #[arg(long, default_value = "")]
    pub revision: String,
    /// Delete objects the source no longer declares.
    #[arg(long)]
    pub prune: bool,
}

/// `ferry app rollback`.
#[derive(Debug, Args)]
pub struct AppRollbackArgs {
    /// The Application.
    pub name: String,
    /// The history entry to go back to (`ferry app history`); the previous one by default.
    pub id: Option<i64>,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Delete objects the recorded revision does not declare.
    #[arg(long)]
    pub prune: bool,
}

/// `ferry app set`.
#[derive(Debug, Args)]
pub struct AppSetArgs {
    /// The Application.
    pub name: String,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Switch automated sync on (resumes it after a rollback).
    #[arg(long, conflicts_with = "no_auto_sync")]
    pub auto_sync: bool,
    /// Switch automated sync off.
    #[arg(long)]
    pub no_auto_sync: bool,
}

/// Runs `ferry app …`.
pub fn run(command: &AppCommand) -> anyhow::Result<ExitStatus> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(run_async(command))
}

async fn connect(args: &AppConnectArgs) -> anyhow::Result<ClusterClient> {
    let options = ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
    };
    Ok(ClusterClient::connect(&options, &Default::default()).await?)
}

fn username() -> String {
    std::env::var("USER")
        .ok()
        .filter(|user| !user.is_empty())
        .unwrap_or_else(|| "ferry".into())
}

async fn run_async(command: &AppCommand) -> anyhow::Result<ExitStatus> {
    match command {
        AppCommand::List(args) => {
            let client = connect(&args.connect).await?;
            let namespace = (!args.all_namespaces).then_some(args.connect.namespace.as_str());
            let apps = ferry_controller::list_applications(client.kube(), namespace).await?;
            match args.output {
                AppOutput::Json => println!("{}", serde_json::to_string_pretty(&apps)?),
                AppOutput::Table => print!("{}", list_table(&apps)),
            }
        }
        AppCommand::Get(args) => {
            let client = connect(&args.connect).await?;
            let app = ferry_controller::get_application(
                client.kube(),
                &args.connect.namespace,
                &args.name,
            )
            .await?;
            match args.output {
                AppOutput::Json => println!("{}", serde_json::to_string_pretty(&app)?),
                AppOutput::Table => print!("{}", details(&app)),
            }
        }
        AppCommand::History(args) => {
            let client = connect(&args.connect).await?;
            let app = ferry_controller::get_application(
                client.kube(),
                &args.connect.namespace,
                &args.name,
            )
            .await?;
            match args.output {
                AppOutput::Json => {
                    let history = app.status.map(|status| status.history).unwrap_or_default();
                    println!("{}", serde_json::to_string_pretty(&history)?);
                }
                AppOutput::Table => print!("{}", history_table(&app)),
            }
        }
        AppCommand::Sync(args) => {
            let client = connect(&args.connect).await?;
            ferry_controller::request_sync(
                client.kube(),
                &args.connect.namespace,
                &args.name,
                &args.revision,
                args.prune,
                &username(),
            )
            .await?;
            println!("sync of {} requested", args.name);
        }
        AppCommand::Rollback(args) => {
            let client = connect(&args.connect).await?;
            let entry = ferry_controller::rollback(
                client.kube(),
                &args.connect.namespace,
                &args.name,
                args.id,
                args.prune,
                &username(),
            )
            .await?;
            println!(
                "rollback of {} to history entry {} (revision {}) requested; automated sync is \
                 off until `ferry app set {} --auto-sync`",
                args.name, entry.id, entry.revision, args.name
            );
        }
        AppCommand::Set(args) => {
            if !args.auto_sync && !args.no_auto_sync {
                anyhow::bail!("nothing to set: give --auto-sync or --no-auto-sync");
            }
            let client = connect(&args.connect).await?;
            ferry_controller::set_auto_sync(
                client.kube(),
                &args.connect.namespace,
                &args.name,
                args.auto_sync,
            )
            .await?;
            let state = if args.auto_sync { "on" } else { "off" };
            println!("automated sync of {} is {state}", args.name);
        }
    }
    Ok(ExitStatus::Success)
}

fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}

fn automation(app: &Application) -> &'static str {
    match app
        .spec
        .sync_policy
        .as_ref()
        .and_then(|policy| policy.automated.as_ref())
    {
        None => "manual",
        Some(automated) if automated.enabled == Some(false) => "suspended",
        Some(_) => "automated",
    }
}

/// Left-aligned columns, two spaces apart, as `kubectl get` prints them.
fn columns(rows: &[Vec<String>]) -> String {
    let mut widths = Vec::new();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if widths.len() <= index {
                widths.push(0);
            }
            widths[index] = widths[index].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (index, cell) in row.iter().enumerate() {
            if index + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[index]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn list_table(apps: &[Application]) -> String {
    let mut rows = vec![
        [
            "NAMESPACE",
            "NAME",
            "SYNC STATUS",
            "HEALTH STATUS",
            "REVISION",
            "SYNC POLICY",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for app in apps {
        let status = app.status.clone().unwrap_or_default();
        rows.push(vec![
            app.metadata.namespace.clone().unwrap_or_default(),
            app.metadata.name.clone(),
            format!("{:?}", status.sync.status),
            format!("{:?}", status.health.status),
            short(&status.sync.revision).to_string(),
            automation(app).to_string(),
        ]);
    }
    columns(&rows)
}

fn history_table(app: &Application) -> String {
    let mut rows = vec![
        ["ID", "REVISION", "DEPLOYED AT", "INITIATOR"]
            .map(String::from)
            .to_vec(),
    ];
    for entry in app
        .status
        .as_ref()
        .map(|status| status.history.as_slice())
        .unwrap_or_default()
    {
        let initiator = match &entry.initiated_by {
            Some(by) if by.automated => "automated".to_string(),
            Some(by) if !by.username.is_empty() => by.username.clone(),
            _ => "-".to_string(),
        };
        rows.push(vec![
            entry.id.to_string(),
            entry.revision.clone(),
            entry.deployed_at.clone(),
            initiator,
        ]);
    }
    columns(&rows)
}

fn details(app: &Application) -> String {
    let status = app.status.clone().unwrap_or_default();
    let mut out = String::new();
    let source = app.source();
    let fields = [
        ("Name", app.metadata.name.clone()),
        (
            "Namespace",
            app.metadata.namespace.clone().unwrap_or_default(),
        ),
        (
            "Repo",
            source
                .map(|source| source.repo_url.clone())
                .unwrap_or_default(),
        ),
        (
            "Target",
            source
                .map(|source| source.target_revision.clone())
                .unwrap_or_default(),
        ),
        (
            "Path",
            source.map(|source| source.path.clone()).unwrap_or_default(),
        ),
        ("Sync Policy", automation(app).to_string()),
        (
            "Sync Status",
            format!(
                "{:?} ({})",
                status.sync.status,
                short(&status.sync.revision)
            ),
        ),
        ("Health Status", format!("{:?}", status.health.status)),
        (
            "Last Operation",
            status
                .operation_state
                .as_ref()
                .map(|state| format!("{:?}: {}", state.phase, state.message))
                .unwrap_or_else(|| "-".into()),
        ),
    ];
    for (field, value) in fields {
        out.push_str(&format!("{:<15} {value}\n", format!("{field}:")));
    }
    for condition in &status.conditions {
        out.push_str(&format!(
            "Condition:      {}: {}\n",
            condition.condition_type, condition.message
        ));
    }
    out.push('\n');
    let mut rows = vec![
        ["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH"]
            .map(String::from)
            .to_vec(),
    ];
    for resource in &status.resources {
        rows.push(vec![
            resource.group.clone(),
            resource.kind.clone(),
            resource.namespace.clone(),
            resource.name.clone(),
            format!("{:?}", resource.status),
            resource
                .health
                .as_ref()
                .map(|health| format!("{:?}", health.status))
                .unwrap_or_default(),
        ]);
    }
    out.push_str(&columns(&rows));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::{OperationInitiator, RevisionHistory};

    #[test]
    fn the_history_table_lists_id_revision_deployed_at_and_initiator() {
        let mut app = Application::default();
        let status = ferry_types::ApplicationStatus {
            history: vec![
                RevisionHistory {
                    id: 0,
                    revision: "aaaa".into(),
                    deployed_at: "2026-01-01T00:00:00Z".into(),
                    initiated_by: Some(OperationInitiator {
                        automated: true,
                        ..OperationInitiator::default()
                    }),
                    ..RevisionHistory::default()
                },
                RevisionHistory {
                    id: 1,
                    revision: "bbbb".into(),
                    deployed_at: "2026-01-02T00:00:00Z".into(),
                    initiated_by: Some(OperationInitiator {
                        username: "carol".into(),
                        ..OperationInitiator::default()
                    }),
                    ..RevisionHistory::default()
                },
            ],
            ..ferry_types::ApplicationStatus::default()
        };
        app.status = Some(status);
        assert_eq!(
            history_table(&app),
            "ID  REVISION  DEPLOYED AT           INITIATOR\n\
             0   aaaa      2026-01-01T00:00:00Z  automated\n\
             1   bbbb      2026-01-02T00:00:00Z  carol\n"
        );
    }

    #[test]
    fn the_list_shows_a_suspended_automation() {
        let mut app = Application::default();
        app.metadata.name = "shop".into();
        app.metadata.namespace = Some("default".into());
        app.spec.sync_policy = Some(ferry_types::SyncPolicy {
            automated: Some(ferry_types::SyncPolicyAutomated {
                enabled: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        });
        let table = list_table(&[app]);
        assert!(
            table.lines().nth(1).unwrap().ends_with("suspended"),
            "{table}"
        );
    }
}
