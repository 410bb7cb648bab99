//! `ferry sync -f app.yaml`: make the cluster match the Application's source. Progress per
//! wave and object goes to stderr; the result (a table, or JSON with `-o json`) to stdout.
//! Exit 0 only when the sync succeeded and the app is healthy; 1 when it failed, ended
//! unhealthy or timed out; 2 when it could not run.

use std::io::Write;

use ferry_engine::{ObjectResult, SyncEvent, SyncOptions, SyncResult, phase_text};
use ferry_types::{HealthStatusCode, OperationPhase, parse_go_duration};

use super::diff::{color_enabled, connect, load, runtime};
use crate::args::{SyncArgs, SyncOutput};
use crate::exit::ExitStatus;

/// Syncs and reports.
pub fn run(args: &SyncArgs) -> ExitStatus {
    let result = match execute(args) {
        Ok(result) => result,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitStatus::Error;
        }
    };
    let text = match args.output {
        SyncOutput::Json => match serde_json::to_string_pretty(&result) {
            Ok(json) => json + "\n",
            Err(error) => {
                eprintln!("error: {error}");
                return ExitStatus::Error;
            }
        },
        SyncOutput::Table => table(&result, color_enabled(&std::io::stdout())),
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitStatus::Error;
    }
    match result.phase {
        OperationPhase::Succeeded if result.dry_run || result.is_synced_and_healthy() => {
            ExitStatus::Success
        }
        OperationPhase::Error => ExitStatus::Error,
        _ => ExitStatus::Failure,
    }
}

fn execute(args: &SyncArgs) -> anyhow::Result<SyncResult> {
    let timeout = parse_go_duration(&args.timeout)
        .map_err(|_| anyhow::anyhow!("--timeout {:?}: not a duration (90s, 5m)", args.timeout))?;
    let (application, rendered) = load(&args.application)?;
    let options = SyncOptions {
        dry_run: args.dry_run,
        prune: args.prune,
        timeout,
        ..SyncOptions::default()
    };
    runtime()?.block_on(async {
        let client = connect(&args.application, &application).await?;
        let mut stderr = std::io::stderr();
        let mut progress = |event: &SyncEvent| {
            if let Some(line) = progress_line(event) {
                let _ = writeln!(stderr, "{line}");
            }
        };
        Ok(ferry_engine::sync(&application, &rendered, &client, &options, &mut progress).await)
    })
}

/// One line of progress, or none for events worth no line.
fn progress_line(event: &SyncEvent) -> Option<String> {
    Some(match event {
        SyncEvent::Attempt { number: 1 } => return None,
        SyncEvent::Attempt { number } => format!("attempt {number}"),
        SyncEvent::Validated {
            accepted,
            deferred,
            rejected,
        } => format!(
            "validated by a server dry run: {accepted} accepted, {deferred} deferred, {rejected} rejected"
        ),
        SyncEvent::Wave {
            phase,
            wave,
            objects,
        } => format!("{} wave {wave}: {objects} object(s)", phase_text(*phase)),
        SyncEvent::Object(object) => {
            let message = if object.message.is_empty() {
                String::new()
            } else {
                format!(": {}", object.message)
            };
            format!("  {:<10} {}{message}", object.action.as_str(), object.key)
        }
        SyncEvent::Health {
            key,
            health,
            message,
        } => format!("  {:<10} {key}: {health:?} {message}", "health"),
        SyncEvent::Retry {
            next,
            after,
            reason,
        } => format!("sync failed ({reason}); attempt {next} in {after:?}"),
    })
}

/// The final table: object, action, health, message; then the outcome.
fn table(result: &SyncResult, color: bool) -> String {
    let rows: Vec<[String; 4]> = result
        .objects
        .iter()
        .map(|object: &ObjectResult| {
            [
                object.key.to_string(),
                object.action.as_str().to_string(),
                object
                    .health
                    .map_or_else(|| "-".to_string(), |health| format!("{health:?}")),
                object.message.clone(),
            ]
        })
        .collect();
    let header = ["OBJECT", "ACTION", "HEALTH", "MESSAGE"].map(String::from);
    let mut widths = header.clone().map(|title| title.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let outcome = format!(
        "{:?}{}: {} (app health {:?})",
        result.phase,
        if result.dry_run { " (dry run)" } else { "" },
        result.message,
        result.health
    );
    let code = match (result.phase, result.health) {
        (OperationPhase::Succeeded, HealthStatusCode::Healthy) => "32",
        (OperationPhase::Succeeded, _) => "33",
        _ => "31",
    };
    if color {
        text.push_str(&format!("\x1b[{code}m{outcome}\x1b[0m\n"));
    } else {
        text.push_str(&outcome);
        text.push('\n');
    }
    text
}
