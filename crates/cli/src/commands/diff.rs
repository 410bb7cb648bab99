//! `ferry diff -f app.yaml`: compare an Application's objects with its cluster after the
//! server's own defaulting; unified YAML diffs with Secret values masked, coloured on a
//! terminal unless `NO_COLOR` is set. Exit 0 in sync, 1 different, 2 on error.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use ferry_engine::{ClusterClient, ConnectOptions, ResourceComparison};
use ferry_types::{Application, Manifest};

use crate::args::{ApplicationArgs, DiffArgs, SourceArgs};
use crate::exit::ExitStatus;
use crate::source;

/// Prints every difference; the exit status says whether there were any.
pub fn run(args: &DiffArgs) -> ExitStatus {
    let comparisons = match compare(args) {
        Ok(comparisons) => comparisons,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitStatus::Error;
        }
    };
    let color = color_enabled(&std::io::stdout());
    let mut out = std::io::stdout().lock();
    for comparison in &comparisons {
        if let Some(message) = &comparison.message {
            eprintln!("note: {}: {message}", comparison.key);
        }
        if let Some(diff) = &comparison.diff {
            let text = if color { colorize(diff) } else { diff.clone() };
            if out.write_all(text.as_bytes()).is_err() {
                return ExitStatus::Error;
            }
        }
    }
    let different = comparisons.iter().filter(|c| !c.is_synced()).count();
    if different == 0 {
        ExitStatus::Success
    } else {
        eprintln!(
            "{different} of {} object(s) differ from the cluster",
            comparisons.len()
        );
        ExitStatus::Failure
    }
}

fn compare(args: &DiffArgs) -> anyhow::Result<Vec<ResourceComparison>> {
    let (application, rendered) = load(&args.application)?;
    runtime()?.block_on(async {
        let client = connect(&args.application, &application).await?;
        Ok(ferry_engine::diff(&application, &rendered, &client).await?)
    })
}

/// Reads the Application and renders its source (fetched with the arguments' cache and
/// credentials).
pub(super) fn load(args: &ApplicationArgs) -> anyhow::Result<(Application, Vec<Manifest>)> {
    let application = source::read_application(&args.file)?;
    let source_args = SourceArgs {
        path: None,
        repo: None,
        revision: "HEAD".into(),
        repo_path: String::new(),
        app: Some(args.file.clone()),
        recurse: false,
        include: String::new(),
        exclude: String::new(),
        cache_dir: args.cache_dir.clone(),
        git_username: args.git_username.clone(),
        git_password: args.git_password.clone(),
        git_ssh_key: args.git_ssh_key.clone(),
    };
    let rendered = source::render_application(&source_args, &application)?;
    Ok((application, rendered.manifests))
}

/// Connects to the Application's destination through the kubeconfig.
pub(super) async fn connect(
    args: &ApplicationArgs,
    application: &Application,
) -> anyhow::Result<ClusterClient> {
    let options = ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
    };
    Ok(ClusterClient::connect(&options, &application.spec.destination).await?)
}

/// The async runtime the engine runs on.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new().context("starting the async runtime")
}

/// Colour only on a terminal, and never with `NO_COLOR` set (https://no-color.org).
pub(super) fn color_enabled(stream: &impl IsTerminal) -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) && stream.is_terminal()
}

/// ANSI colours for a unified diff: bold headers, cyan hunks, red removals, green additions.
fn colorize(diff: &str) -> String {
    diff.split_inclusive('\n')
        .map(|line| {
            let code = if line.starts_with("---") || line.starts_with("+++") {
                "1"
            } else if line.starts_with("@@") {
                "36"
            } else if line.starts_with('-') {
                "31"
            } else if line.starts_with('+') {
                "32"
            } else {
                return line.to_string();
            };
            let (body, newline) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            format!("\x1b[{code}m{body}\x1b[0m{newline}")
        })
        .collect()
}
