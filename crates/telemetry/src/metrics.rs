//! [`Telemetry`]: counters and histograms fed by controller signals, rendered together with
//! per-app gauges and DORA figures (from the Applications given) as Prometheus text.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use ferry_controller::{AppRef, Signal};
use ferry_types::{Application, OperationPhase};
use tokio::sync::broadcast;

use crate::dora::{self, HealthChange};
use crate::exposition::{Exposition, Kind};
use crate::histogram::{GIT_BUCKETS, Histogram, RECONCILE_BUCKETS, SYNC_BUCKETS};

/// Repositories labelled by name in `ferry_git_request_duration_seconds`; later ones share
/// `repo="other"`, so a flood of apps cannot grow the series without bound.
pub const MAX_REPOSITORY_LABELS: usize = 50;
/// Webhook (provider, result) pairs counted; later pairs share `other`.
pub const MAX_WEBHOOK_LABELS: usize = 64;
/// Health changes kept per app for the DORA figures (newest kept).
pub const MAX_HEALTH_CHANGES: usize = 64;

/// What ferry measures; cheap to clone (shared state behind a mutex).
#[derive(Clone, Default)]
pub struct Telemetry {
    state: Arc<Mutex<State>>,
}

/// Labels of a per-app series: namespace, name, project.
type AppKey = (String, String, String);

#[derive(Debug, Default)]
struct State {
    syncs: BTreeMap<(AppKey, &'static str), u64>,
    sync_durations: BTreeMap<AppKey, Histogram>,
    reconcile_durations: BTreeMap<AppKey, Histogram>,
    reconcile_errors: BTreeMap<AppKey, u64>,
    git_durations: BTreeMap<(String, &'static str), Histogram>,
    drift_detected: BTreeMap<AppKey, u64>,
    drift_healed: BTreeMap<AppKey, u64>,
    webhooks: BTreeMap<(String, String), u64>,
    /// Per app (namespace, name): observed health changes, oldest first.
    health_changes: BTreeMap<(String, String), VecDeque<HealthChange>>,
    signals_lost: u64,
}

fn key(app: &AppRef) -> AppKey {
    (app.namespace.clone(), app.name.clone(), app.project.clone())
}

fn phase_label(phase: OperationPhase) -> &'static str {
    match phase {
        OperationPhase::Running => "Running",
        OperationPhase::Terminating => "Terminating",
        OperationPhase::Succeeded => "Succeeded",
        OperationPhase::Failed => "Failed",
        OperationPhase::Error => "Error",
    }
}

impl Telemetry {
    /// Nothing counted yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Consumes controller signals until the channel closes (the server spawns it). Signals
    /// lost because this listener fell behind are counted in
    /// `ferry_telemetry_signals_lost_total`.
    pub async fn listen(self, mut receiver: broadcast::Receiver<Signal>) {
        loop {
            match receiver.recv().await {
                Ok(signal) => self.record(&signal, SystemTime::now()),
                Err(broadcast::error::RecvError::Lagged(lost)) => {
                    self.lock().signals_lost += lost;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Counts one signal, seen at `now`.
    pub fn record(&self, signal: &Signal, now: SystemTime) {
        let mut state = self.lock();
        match signal {
            Signal::Reconciled {
                app,
                duration,
                error,
                ..
            } => {
                state
                    .reconcile_durations
                    .entry(key(app))
                    .or_insert_with(|| Histogram::new(RECONCILE_BUCKETS))
                    .observe(duration.as_secs_f64());
                if error.is_some() {
                    *state.reconcile_errors.entry(key(app)).or_default() += 1;
                }
            }
            Signal::GitFetched { repo, duration, ok } => {
                let result = if *ok { "success" } else { "error" };
                let repo = repository_label(repo);
                let known = state.git_durations.keys().any(|(known, _)| *known == repo);
                let distinct = state
                    .git_durations
                    .keys()
                    .map(|(repo, _)| repo)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                let repo = if known || distinct < MAX_REPOSITORY_LABELS {
                    repo
                } else {
                    "other".to_string()
                };
                state
                    .git_durations
                    .entry((repo, result))
                    .or_insert_with(|| Histogram::new(GIT_BUCKETS))
                    .observe(duration.as_secs_f64());
            }
            Signal::SyncFinished {
                app,
                phase,
                duration,
                dry_run,
                ..
            } => {
                if *dry_run {
                    return;
                }
                *state
                    .syncs
                    .entry((key(app), phase_label(*phase)))
                    .or_default() += 1;
                state
                    .sync_durations
                    .entry(key(app))
                    .or_insert_with(|| Histogram::new(SYNC_BUCKETS))
                    .observe(duration.as_secs_f64());
            }
            Signal::DriftDetected { app, .. } => {
                *state.drift_detected.entry(key(app)).or_default() += 1;
            }
            Signal::DriftHealed { app } => {
                *state.drift_healed.entry(key(app)).or_default() += 1;
            }
            Signal::HealthChanged { app, to, .. } => {
                let changes = state
                    .health_changes
                    .entry((app.namespace.clone(), app.name.clone()))
                    .or_default();
                changes.push_back(HealthChange {
                    at: now,
                    health: *to,
                });
                while changes.len() > MAX_HEALTH_CHANGES {
                    changes.pop_front();
                }
            }
        }
    }

    /// Counts one webhook request by provider (`github`, `gitlab`, `generic`) and result
    /// (the server's words, such as `accepted`, `unauthorized`, `ignored`).
    pub fn count_webhook(&self, provider: &str, result: &str) {
        let mut state = self.lock();
        let mut pair = (provider.to_string(), result.to_string());
        if !state.webhooks.contains_key(&pair) && state.webhooks.len() >= MAX_WEBHOOK_LABELS {
            pair = ("other".to_string(), "other".to_string());
        }
        *state.webhooks.entry(pair).or_default() += 1;
    }

    /// The health changes observed for an app, oldest first.
    pub fn health_changes(&self, namespace: &str, name: &str) -> Vec<HealthChange> {
        self.lock()
            .health_changes
            .get(&(namespace.to_string(), name.to_string()))
            .map(|changes| changes.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Prometheus text exposition of all metrics; per-app gauges and DORA figures from `apps`.
    pub fn render(&self, apps: &[Application], now: SystemTime) -> String {
        let state = self.lock();
        let mut out = Exposition::default();
        write_counters(&state, &mut out);
        write_histograms(&state, &mut out);
        write_apps(&state, apps, now, &mut out);
        out.finish()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn app_labels(key: &AppKey) -> [(&'static str, &str); 3] {
    [
        ("app", key.1.as_str()),
        ("namespace", key.0.as_str()),
        ("project", key.2.as_str()),
    ]
}

fn write_app_counter(out: &mut Exposition, name: &str, help: &str, values: &BTreeMap<AppKey, u64>) {
    out.family(name, Kind::Counter, help);
    for (key, value) in values {
        out.sample(name, &app_labels(key), *value as f64);
    }
}

fn write_counters(state: &State, out: &mut Exposition) {
    let name = "ferry_app_sync_total";
    out.family(
        name,
        Kind::Counter,
        "Sync operations that ended (dry runs excluded), by result: Succeeded, Failed, Error.",
    );
    for ((key, result), value) in &state.syncs {
        let [app, namespace, project] = app_labels(key);
        out.sample(
            name,
            &[app, namespace, project, ("result", result)],
            *value as f64,
        );
    }
    write_app_counter(
        out,
        "ferry_app_reconcile_errors_total",
        "Reconciles that wrote an error condition.",
        &state.reconcile_errors,
    );
    write_app_counter(
        out,
        "ferry_drift_detected_total",
        "Times managed objects were found changed outside ferry.",
        &state.drift_detected,
    );
    write_app_counter(
        out,
        "ferry_drift_healed_total",
        "Drift-triggered syncs that brought the app back to Synced.",
        &state.drift_healed,
    );
    let name = "ferry_webhook_requests_total";
    out.family(
        name,
        Kind::Counter,
        "Webhook requests received, by provider and result.",
    );
    for ((provider, result), value) in &state.webhooks {
        out.sample(
            name,
            &[("provider", provider), ("result", result)],
            *value as f64,
        );
    }
    let name = "ferry_telemetry_signals_lost_total";
    out.family(
        name,
        Kind::Counter,
        "Controller signals the metrics listener missed because it fell behind.",
    );
    out.sample(name, &[], state.signals_lost as f64);
}

fn write_histograms(state: &State, out: &mut Exposition) {
    let name = "ferry_app_sync_duration_seconds";
    out.family(
        name,
        Kind::Histogram,
        "Duration of sync operations (dry runs excluded), start to end.",
    );
    for (key, histogram) in &state.sync_durations {
        histogram.write(out, name, &app_labels(key));
    }
    let name = "ferry_app_reconcile_duration_seconds";
    out.family(
        name,
        Kind::Histogram,
        "Duration of one reconcile: fetch, render, diff, and the sync when there is one.",
    );
    for (key, histogram) in &state.reconcile_durations {
        histogram.write(out, name, &app_labels(key));
    }
    let name = "ferry_git_request_duration_seconds";
    out.family(
        name,
        Kind::Histogram,
        "Duration of one Git fetch with the render of the app's source, by repository \
         (credentials and query removed; at most 50, then \"other\") and result.",
    );
    for ((repo, result), histogram) in &state.git_durations {
        histogram.write(out, name, &[("repo", repo), ("result", result)]);
    }
}

fn write_apps(state: &State, apps: &[Application], now: SystemTime, out: &mut Exposition) {
    let name = "ferry_app_info";
    out.family(
        name,
        Kind::Gauge,
        "One per Application, with its sync status, health status, revision and destination \
         namespace as labels.",
    );
    let mut sorted: Vec<&Application> = apps.iter().collect();
    sorted.sort_by(|left, right| {
        (&left.metadata.namespace, &left.metadata.name)
            .cmp(&(&right.metadata.namespace, &right.metadata.name))
    });
    for app in &sorted {
        let status = app.status.clone().unwrap_or_default();
        let sync = format!("{:?}", status.sync.status);
        let health = format!("{:?}", status.health.status);
        let [app_label, namespace, project] = labels_of(app);
        out.sample(
            name,
            &[
                app_label,
                namespace,
                project,
                ("dest_namespace", app.spec.destination.namespace.as_str()),
                ("sync_status", sync.as_str()),
                ("health_status", health.as_str()),
                ("revision", status.sync.revision.as_str()),
            ],
            1.0,
        );
    }
    let window = dora::DEFAULT_WINDOW;
    let name = "ferry_dora_window_seconds";
    out.family(
        name,
        Kind::Gauge,
        "The window the ferry_dora_* figures cover (7 days).",
    );
    out.sample(name, &[], window.as_secs_f64());

    let figures: Vec<(&Application, dora::Figures)> = sorted
        .iter()
        .map(|app| {
            let changes = state
                .health_changes
                .get(&(
                    app.metadata.namespace.clone().unwrap_or_default(),
                    app.metadata.name.clone(),
                ))
                .map(|changes| changes.iter().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            let health = app.status.as_ref().map(|status| status.health.status);
            let deployments = crate::history::deployments(app);
            (
                *app,
                dora::figures(&deployments, &changes, health, now, window),
            )
        })
        .collect();
    type Pick = fn(&dora::Figures) -> Option<f64>;
    let gauges: [(&str, &str, Pick); 6] = [
        (
            "ferry_dora_deployments",
            "Deployments (successful syncs of a new revision) in the window, from status.history.",
            |figures| Some(figures.deployments as f64),
        ),
        (
            "ferry_dora_failed_deployments",
            "Failed syncs plus deployments followed by Degraded, in the window.",
            |figures| Some(figures.failures as f64),
        ),
        (
            "ferry_dora_deployment_frequency_per_day",
            "DORA deployment frequency: deployments in the window per day.",
            |figures| Some(figures.deployment_frequency_per_day),
        ),
        (
            "ferry_dora_lead_time_seconds",
            "DORA lead time for changes: median of commit time to Healthy (deployedAt when the \
             Healthy moment is not recorded) over the window's deployments with a commit time.",
            |figures| figures.lead_time_seconds,
        ),
        (
            "ferry_dora_change_failure_rate",
            "DORA change failure rate: failures divided by attempts in the window (0 to 1).",
            |figures| figures.change_failure_rate,
        ),
        (
            "ferry_dora_time_to_restore_seconds",
            "DORA time to restore service: median time from a failure to the next successful \
             deployment or Healthy, over restorations in the window.",
            |figures| figures.time_to_restore_seconds,
        ),
    ];
    for (name, help, pick) in gauges {
        out.family(name, Kind::Gauge, help);
        for (app, figures) in &figures {
            if let Some(value) = pick(figures) {
                out.sample(name, &labels_of(app), value);
            }
        }
    }
}

fn labels_of(app: &Application) -> [(&'static str, &str); 3] {
    [
        ("app", app.metadata.name.as_str()),
        (
            "namespace",
            app.metadata.namespace.as_deref().unwrap_or_default(),
        ),
        ("project", app.project()),
    ]
}

/// A repository URL fit for a label: no user information, query or fragment.
fn repository_label(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or_default();
            format!("{scheme}://{host}{path}")
        }
        None => match url.split_once('@') {
            // scp-like `git@host:path`: the user is not a secret, but keep the label uniform.
            Some((_, rest)) => rest.to_string(),
            None => url.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_labels_drop_credentials_and_queries() {
        assert_eq!(
            repository_label("https://user:token@github.com/org/repo.git?x=1"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            repository_label("git@github.com:org/repo"),
            "github.com:org/repo"
        );
        assert_eq!(repository_label("/srv/git/repo"), "/srv/git/repo");
    }
}
