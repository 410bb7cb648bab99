//! `ferry report`: per app and environment (destination namespace) figures from recorded
//! history — deployments, success rate, p50/p95 sync duration, lead time, change failure
//! rate, time to restore — as a table or JSON. Pure: Applications and `now` in, text out.

use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::dora::{self, Figures};
use crate::history::AppHistory;
use crate::time::{format_duration, format_rfc3339};

/// The figures of every app over one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// The window's start (RFC 3339).
    pub since: String,
    /// The window's length in seconds.
    pub window_seconds: u64,
    /// One row per app, ordered by environment, then namespace and name.
    pub apps: Vec<AppReport>,
}

/// One app's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppReport {
    /// The Application's namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its project.
    pub project: String,
    /// The environment: the destination namespace.
    pub environment: String,
    /// The destination cluster (`server`, else `name`; empty for the current one).
    pub cluster: String,
    /// Health now.
    pub health: String,
    /// History entries the app keeps (`revisionHistoryLimit`) bound what can be counted.
    pub history_entries: usize,
    /// The figures.
    pub figures: Figures,
}

/// Builds the report of `apps` over `[now - window, now]`. Health changes are not known
/// here (only `ferry server` sees them), so a deployment counts as failed by its result, or
/// when it is the app's last one and the app is Degraded now.
pub fn build(apps: &[AppHistory], now: SystemTime, window: Duration) -> Report {
    let mut rows: Vec<AppReport> = apps
        .iter()
        .map(|app| AppReport {
            namespace: app.namespace.clone(),
            name: app.name.clone(),
            project: app.project.clone(),
            environment: app.environment.clone(),
            cluster: app.cluster.clone(),
            health: app
                .health
                .map(|health| format!("{health:?}"))
                .unwrap_or_default(),
            history_entries: app.history_entries,
            figures: dora::figures(&app.deployments, &[], app.health, now, window),
        })
        .collect();
    rows.sort_by(|left, right| {
        (&left.environment, &left.namespace, &left.name).cmp(&(
            &right.environment,
            &right.namespace,
            &right.name,
        ))
    });
    Report {
        generated_at: format_rfc3339(now),
        since: format_rfc3339(now.checked_sub(window).unwrap_or(SystemTime::UNIX_EPOCH)),
        window_seconds: window.as_secs(),
        apps: rows,
    }
}

/// Reads the Applications of `namespace` (all namespaces with `None`) as the API server
/// returns them, so every recorded history field is seen.
pub async fn list_applications(
    client: &kube::Client,
    namespace: Option<&str>,
) -> crate::Result<Vec<AppHistory>> {
    let resource = kube::api::ApiResource::from_gvk_with_plural(
        &kube::api::GroupVersionKind::gvk("ferry.dev", "v1alpha1", "Application"),
        "applications",
    );
    let api: kube::Api<kube::api::DynamicObject> = match namespace {
        Some(namespace) => kube::Api::namespaced_with(client.clone(), namespace, &resource),
        None => kube::Api::all_with(client.clone(), &resource),
    };
    let list = api
        .list(&kube::api::ListParams::default())
        .await
        .map_err(|source| crate::Error::ListApplications { source })?;
    Ok(list
        .items
        .iter()
        .filter_map(|object| serde_json::to_value(object).ok())
        .filter_map(|mut raw| {
            // List items may leave out their kind; an Application needs it to read.
            if let Some(fields) = raw.as_object_mut() {
                fields
                    .entry("apiVersion")
                    .or_insert_with(|| "ferry.dev/v1alpha1".into());
                fields.entry("kind").or_insert_with(|| "Application".into());
            }
            AppHistory::from_json(&raw)
        })
        .collect())
}

/// The report as a table: a line naming the window, then one row per app.
pub fn render_table(report: &Report) -> String {
    let mut rows = vec![
        [
            "ENVIRONMENT",
            "NAMESPACE",
            "APP",
            "DEPLOYS",
            "FAILED",
            "SUCCESS",
            "P50",
            "P95",
            "LEAD TIME",
            "CHANGE FAILURE",
            "TIME TO RESTORE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for app in &report.apps {
        let figures = &app.figures;
        let restore = match (figures.time_to_restore_seconds, figures.unrestored) {
            (_, true) => "not yet".to_string(),
            (seconds, false) => seconds_text(seconds),
        };
        rows.push(vec![
            text_or_dash(&app.environment),
            app.namespace.clone(),
            app.name.clone(),
            figures.deployments.to_string(),
            figures.failures.to_string(),
            percent(figures.success_rate),
            seconds_text(figures.duration_p50_seconds),
            seconds_text(figures.duration_p95_seconds),
            seconds_text(figures.lead_time_seconds),
            percent(figures.change_failure_rate),
            restore,
        ]);
    }
    let mut out = format!(
        "Deployments from {} to {} ({}), from recorded history\n",
        report.since,
        report.generated_at,
        format_duration(Duration::from_secs(report.window_seconds))
    );
    if report.apps.is_empty() {
        out.push_str("No Applications.\n");
        return out;
    }
    out.push_str(&columns(&rows));
    out
}

/// The report as JSON.
pub fn to_json(report: &Report) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}

fn text_or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        text.to_string()
    }
}

fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(rate) => format!("{:.0}%", rate * 100.0),
        None => "-".to_string(),
    }
}

fn seconds_text(seconds: Option<f64>) -> String {
    match seconds.and_then(|seconds| Duration::try_from_secs_f64(seconds).ok()) {
        Some(duration) => format_duration(duration),
        None => "-".to_string(),
    }
}

/// Left-aligned columns, two spaces apart, as `kubectl get` prints them (the last cell not
/// padded, no trailing spaces); the one table layout of ferry's command output.
pub fn columns(rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
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

#[cfg(test)]
mod tests;
