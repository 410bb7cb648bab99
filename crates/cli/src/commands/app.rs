//! `ferry app create|list|get|diff|sync|history|rollback|set|delete`: Applications through
//! the Kubernetes API (the kubeconfig and context given, as `ferry controller` uses them).
//! These read Applications or write their `spec`/`.operation`; the controller carries out
//! syncs. `diff` renders the app's source and compares it through the engine, as the
//! controller does. `list` and `get` can `--watch`: the view is printed again whenever it
//! changes, until Ctrl-C (or `--watch-for`).
//! Its arguments live here, next to the work, so that args.rs only names the command.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_telemetry::columns;
use ferry_types::Application;

use crate::exit::ExitStatus;

/// `ferry app` subcommands.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Create an Application from a file (`-f`) or from flags.
    Create(AppCreateArgs),
    /// List Applications: sync status, health, revision, automation.
    List(AppListArgs),
    /// Show one Application's status, resources and last operation.
    Get(AppNameArgs),
    /// Show what a sync would change: the app's source rendered and compared with the cluster.
    Diff(AppDiffArgs),
    /// Print an Application's sync history (id, revision, commit, result, duration, initiator).
    History(AppNameArgs),
    /// Request a sync (sets `.operation`; the controller carries it out).
    Sync(AppSyncArgs),
    /// Deploy the revision of history entry ID (the previous deployment by default) and
    /// switch automated sync off until `ferry app set NAME --auto-sync`.
    Rollback(AppRollbackArgs),
    /// Change an Application's settings: switch automated sync on or off.
    Set(AppSetArgs),
    /// Delete an Application and, unless `--cascade=false`, the objects it deployed.
    Delete(AppDeleteArgs),
    /// Wait until an Application is Synced and Healthy (at a revision, with `--revision`),
    /// as a CI job does after pushing; exit 1 when its sync failed or time ran out.
    Wait(AppWaitArgs),
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
    /// The Application objects as YAML.
    Yaml,
}

/// Live view of `list` and `get`.
#[derive(Debug, Args)]
pub struct AppWatchArgs {
    /// Print the view again whenever it changes, until Ctrl-C.
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// With --watch: stop after this long (90s, 5m).
    #[arg(long, requires = "watch")]
    pub watch_for: Option<String>,
}

/// `ferry app create`.
#[derive(Debug, Args)]
pub struct AppCreateArgs {
    /// The Application's name (with flags; a file names its own).
    pub name: Option<String>,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// An Application manifest (YAML or JSON).
    #[arg(short = 'f', long, conflicts_with_all = ["repo", "name"])]
    pub file: Option<PathBuf>,
    /// Git repository URL.
    #[arg(long)]
    pub repo: Option<String>,
    /// Path inside the repository.
    #[arg(long, default_value = ".")]
    pub path: String,
    /// Branch, tag or commit.
    #[arg(long, default_value = "HEAD")]
    pub revision: String,
    /// Destination server.
    #[arg(long, default_value = "https://kubernetes.default.svc")]
    pub dest_server: String,
    /// Destination namespace.
    #[arg(long, default_value = "")]
    pub dest_namespace: String,
    /// The AppProject.
    #[arg(long, default_value = "default")]
    pub project: String,
    /// Sync automatically when Git changes.
    #[arg(long)]
    pub auto_sync: bool,
    /// With automated sync: delete objects Git no longer declares.
    #[arg(long)]
    pub auto_prune: bool,
    /// With automated sync: revert changes made in the cluster.
    #[arg(long)]
    pub self_heal: bool,
}

/// `ferry app diff`.
#[derive(Debug, Args)]
pub struct AppDiffArgs {
    /// The Application.
    pub name: String,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Where fetched repositories are cached.
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
}

/// `ferry app delete`.
#[derive(Debug, Args)]
pub struct AppDeleteArgs {
    /// The Application.
    pub name: String,
    /// Delete the objects it deployed too (the controller does, before the Application goes);
    /// `--cascade=false` leaves them in the cluster.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub cascade: bool,
    /// Wait until the Application is gone (its objects first, with `--cascade`).
    #[arg(long)]
    pub wait: bool,
    /// How long `--wait` waits (90s, 5m).
    #[arg(long, default_value = "2m")]
    pub timeout: String,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
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
    /// Live view.
    #[command(flatten)]
    pub watch: AppWatchArgs,
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
    /// Live view (`get` only).
    #[command(flatten)]
    pub watch: AppWatchArgs,
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
    /// Sync only this object (repeatable): GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME, the
    /// group empty for core (`:ConfigMap:settings`, `apps:Deployment:web`). Hooks do not run.
    #[arg(long = "resource", value_name = "GROUP:KIND:NAME")]
    pub resources: Vec<String>,
}

/// `ferry app wait`.
#[derive(Debug, Args)]
pub struct AppWaitArgs {
    /// The Application.
    pub name: String,
    /// Connection.
    #[command(flatten)]
    pub connect: AppConnectArgs,
    /// Wait for this commit (or a prefix of it) to be the synced revision.
    #[arg(long)]
    pub revision: Option<String>,
    /// Wait for Synced only (not Healthy).
    #[arg(long, conflicts_with = "health")]
    pub sync: bool,
    /// Wait for Healthy only (not Synced).
    #[arg(long)]
    pub health: bool,
    /// How long to wait (90s, 5m).
    #[arg(long, default_value = "5m")]
    pub timeout: String,
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
        AppCommand::Create(args) => {
            let client = connect(&args.connect).await?;
            let document = match (&args.file, &args.name, &args.repo) {
                (Some(file), _, _) => read_document(file)?,
                (None, Some(name), Some(repo)) => ferry_controller::NewApplication {
                    name: name.clone(),
                    repo: repo.clone(),
                    path: args.path.clone(),
                    revision: args.revision.clone(),
                    dest_server: args.dest_server.clone(),
                    dest_namespace: args.dest_namespace.clone(),
                    project: args.project.clone(),
                    auto_sync: args.auto_sync,
                    prune: args.auto_prune,
                    self_heal: args.self_heal,
                }
                .document(),
                _ => anyhow::bail!("give -f FILE, or NAME with --repo"),
            };
            let app = ferry_controller::create_application(
                client.kube(),
                &args.connect.namespace,
                document,
            )
            .await?;
            println!(
                "application {}/{} created",
                app.metadata.namespace.unwrap_or_default(),
                app.metadata.name
            );
        }
        AppCommand::List(args) => {
            let client = connect(&args.connect).await?;
            let namespace = (!args.all_namespaces).then_some(args.connect.namespace.as_str());
            let output = args.output;
            let view = || async {
                let apps = ferry_controller::list_applications(client.kube(), namespace).await?;
                render(output, serde_json::to_value(&apps), || list_table(&apps))
            };
            show(&args.watch, view).await?;
        }
        AppCommand::Get(args) => {
            let client = connect(&args.connect).await?;
            let output = args.output;
            let view = || async {
                let app = ferry_controller::get_application(
                    client.kube(),
                    &args.connect.namespace,
                    &args.name,
                )
                .await?;
                render(output, serde_json::to_value(&app), || details(&app))
            };
            show(&args.watch, view).await?;
        }
        AppCommand::Diff(args) => return diff(args).await,
        AppCommand::History(args) => {
            let client = connect(&args.connect).await?;
            let app = ferry_controller::get_application(
                client.kube(),
                &args.connect.namespace,
                &args.name,
            )
            .await?;
            let history = app
                .status
                .clone()
                .map(|status| status.history)
                .unwrap_or_default();
            print!(
                "{}",
                render(args.output, serde_json::to_value(&history), || {
                    history_table(&app)
                })?
            );
        }
        AppCommand::Delete(args) => {
            let client = connect(&args.connect).await?;
            let namespace = &args.connect.namespace;
            ferry_controller::delete_application(
                client.kube(),
                namespace,
                &args.name,
                args.cascade,
            )
            .await?;
            if args.wait {
                let timeout = ferry_types::parse_go_duration(&args.timeout).map_err(|_| {
                    anyhow::anyhow!("--timeout {:?}: not a duration (90s, 5m)", args.timeout)
                })?;
                wait_until_gone(client.kube(), namespace, &args.name, timeout).await?;
            }
            let verb = if args.wait {
                "deleted"
            } else {
                "deletion requested"
            };
            let objects = match (args.cascade, args.wait) {
                (false, _) => "its objects stay in the cluster",
                (true, true) => "its objects were deleted first",
                (true, false) => "the controller deletes its objects first",
            };
            println!("application {namespace}/{} {verb} ({objects})", args.name);
        }
        AppCommand::Wait(args) => return wait(args).await,
        AppCommand::Sync(args) => {
            let resources = args
                .resources
                .iter()
                .map(|text| ferry_engine::ResourceSelector::parse(text))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| anyhow::anyhow!("--resource {error}"))?;
            let client = connect(&args.connect).await?;
            ferry_controller::request_sync(
                client.kube(),
                &args.connect.namespace,
                &args.name,
                &args.revision,
                args.prune,
                &username(),
                &resources,
            )
            .await?;
            if resources.is_empty() {
                println!("sync of {} requested", args.name);
            } else {
                println!(
                    "sync of {} requested ({} of its objects)",
                    args.name,
                    resources.len()
                );
            }
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

/// Reads one Application document from a YAML or JSON file.
/// `ferry app wait`: reads the app twice a second until the wait is over.
async fn wait(args: &AppWaitArgs) -> anyhow::Result<ExitStatus> {
    let timeout = ferry_types::parse_go_duration(&args.timeout)
        .map_err(|_| anyhow::anyhow!("--timeout {:?}: not a duration (90s, 5m)", args.timeout))?;
    let want = ferry_controller::WaitFor {
        synced: !args.health,
        healthy: !args.sync,
        revision: args.revision.clone(),
    };
    let client = connect(&args.connect).await?;
    let namespace = &args.connect.namespace;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut said = String::new();
    loop {
        let app = ferry_controller::get_application(client.kube(), namespace, &args.name).await?;
        match ferry_controller::wait_state(&app, &want) {
            ferry_controller::Waited::Done => {
                let status = app.status.unwrap_or_default();
                println!(
                    "application {namespace}/{}: {:?}/{:?} at {}",
                    args.name,
                    status.sync.status,
                    status.health.status,
                    short(&status.sync.revision)
                );
                return Ok(ExitStatus::Success);
            }
            ferry_controller::Waited::Failed(reason) => {
                eprintln!("application {namespace}/{}: {reason}", args.name);
                return Ok(ExitStatus::Failure);
            }
            ferry_controller::Waited::Waiting(reason) => {
                if tokio::time::Instant::now() >= deadline {
                    eprintln!(
                        "application {namespace}/{}: still {reason} after {}",
                        args.name, args.timeout
                    );
                    return Ok(ExitStatus::Failure);
                }
                if reason != said {
                    eprintln!("application {namespace}/{}: {reason}", args.name);
                    said = reason;
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// Waits until Application `name` is gone, reading it twice a second.
async fn wait_until_gone(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    timeout: std::time::Duration,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match ferry_controller::get_application(client, namespace, name).await {
            Err(ferry_controller::Error::Kube {
                source: kube::Error::Api(status),
                ..
            }) if status.code == 404 => return Ok(()),
            Err(error) => return Err(error.into()),
            Ok(_) if tokio::time::Instant::now() >= deadline => {
                anyhow::bail!(
                    "application {namespace}/{name} still exists after {timeout:?} (is `ferry controller` running?)"
                )
            }
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
        }
    }
}

fn read_document(file: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let name = file.display().to_string();
    let mut documents = ferry_yaml::parse_documents(&name, &bytes)?;
    if documents.len() != 1 {
        anyhow::bail!(
            "{name}: expected one Application document, found {}",
            documents.len()
        );
    }
    let document = documents.remove(0).value;
    // Typed once, so a malformed Application is refused here with its path.
    let (_, warnings) = Application::from_value(document.clone(), &name)?;
    for warning in warnings {
        eprintln!("warning: {name}: {warning}");
    }
    Ok(document)
}

/// `value` as the output format asks: the table `table` makes, JSON or YAML.
fn render(
    output: AppOutput,
    value: serde_json::Result<serde_json::Value>,
    table: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    Ok(match output {
        AppOutput::Table => table(),
        AppOutput::Json => format!("{}\n", serde_json::to_string_pretty(&value?)?),
        AppOutput::Yaml => ferry_yaml::to_yaml(&value?)?,
    })
}

/// Prints the view once, or with `--watch` again each time it changes (read every second)
/// until Ctrl-C or `--watch-for`.
async fn show<F, Fut>(watch: &AppWatchArgs, view: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<String>>,
{
    let first = view().await?;
    print!("{first}");
    if !watch.watch {
        return Ok(());
    }
    let limit = match &watch.watch_for {
        Some(text) => Some(
            ferry_types::parse_go_duration(text)
                .map_err(|_| anyhow::anyhow!("--watch-for {text:?}: not a duration (90s, 5m)"))?,
        ),
        None => None,
    };
    let deadline = limit.map(|limit| tokio::time::Instant::now() + limit);
    let mut last = first;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let tick = tokio::time::sleep(std::time::Duration::from_secs(1));
        let until = async {
            match deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            () = until => return Ok(()),
            () = tick => {}
        }
        use std::io::Write;
        match view().await {
            Ok(next) if next != last => {
                print!("\n{next}");
                let _ = std::io::stdout().flush();
                last = next;
            }
            Ok(_) => {}
            Err(error) => eprintln!("error: {error:#}"),
        }
    }
}

/// `ferry app diff`: renders the app's source at its target revision and compares it with
/// its destination, as the controller does; exit 0 when in sync, 1 when something differs.
async fn diff(args: &AppDiffArgs) -> anyhow::Result<ExitStatus> {
    let client = connect(&args.connect).await?;
    let app = ferry_controller::get_application(client.kube(), &args.connect.namespace, &args.name)
        .await?;
    let cache = ferry_git::RepoCache::new(crate::source::cache_dir(args.cache_dir.as_deref()));
    let credentials = crate::source::credentials(None, None, None);
    let fetched = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || {
            ferry_controller::fetch_and_render(&cache, &credentials, &app, None)
        })
        .await
        .context("rendering")??
    };
    let options = ConnectOptions {
        kubeconfig: args.connect.kubeconfig.clone(),
        context: args.connect.context.clone(),
    };
    let destination = ClusterClient::connect(&options, &app.spec.destination).await?;
    let comparisons = ferry_engine::diff(&app, &fetched.rendered.manifests, &destination).await?;
    let mut out = String::new();
    for comparison in &comparisons {
        if let Some(message) = &comparison.message {
            eprintln!("note: {}: {message}", comparison.key);
        }
        if let Some(diff) = &comparison.diff {
            out.push_str(diff);
        }
    }
    print!("{out}");
    let different = comparisons.iter().filter(|c| !c.is_synced()).count();
    eprintln!(
        "{different} of {} object(s) differ from the cluster (revision {})",
        comparisons.len(),
        short(&fetched.revision)
    );
    Ok(if different == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
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
        [
            "ID",
            "REVISION",
            "DEPLOYED AT",
            "RESULT",
            "DURATION",
            "AUTHOR",
            "MESSAGE",
            "INITIATOR",
        ]
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
        let result = entry
            .result
            .map_or_else(|| "Succeeded".to_string(), |result| format!("{result:?}"));
        let duration = entry
            .deploy_started_at
            .as_deref()
            .and_then(|started| seconds_between(started, &entry.deployed_at))
            .map_or_else(|| "-".to_string(), |seconds| format!("{seconds}s"));
        let author = entry
            .commit_author
            .split(" <")
            .next()
            .filter(|author| !author.is_empty())
            .unwrap_or("-")
            .to_string();
        let message = entry
            .commit_message
            .lines()
            .next()
            .filter(|message| !message.is_empty())
            .unwrap_or("-");
        rows.push(vec![
            entry.id.to_string(),
            short(&entry.revision).to_string(),
            entry.deployed_at.clone(),
            result,
            duration,
            author,
            message.chars().take(50).collect(),
            initiator,
        ]);
    }
    columns(&rows)
}

/// Whole seconds from one RFC 3339 time (`2026-01-01T00:00:00Z`) to another.
fn seconds_between(from: &str, to: &str) -> Option<i64> {
    let seconds = |time: &str| {
        let instant = ferry_types::time::parse_rfc3339(time)?;
        i64::try_from(
            instant
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs(),
        )
        .ok()
    };
    Some(seconds(to)? - seconds(from)?)
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
    fn the_history_table_lists_result_duration_author_message_and_initiator() {
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
                    deploy_started_at: Some("2026-01-01T23:58:55Z".into()),
                    result: Some(ferry_types::OperationPhase::Failed),
                    commit_author: "Ann <ann@example.com>".into(),
                    commit_message: "fix it\n\nbecause".into(),
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
            "ID  REVISION  DEPLOYED AT           RESULT     DURATION  AUTHOR  MESSAGE  INITIATOR\n\
             0   aaaa      2026-01-01T00:00:00Z  Succeeded  -         -       -        automated\n\
             1   bbbb      2026-01-02T00:00:00Z  Failed     65s       Ann     fix it   carol\n"
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
