//! The four DORA figures from an app's recorded deployments, purely (deployments, observed
//! health changes and `now` in; figures out). Definitions, as `NOTES.md` documents them:
//!
//! - **Deployment**: a successful sync whose revision differs from the previous successful
//!   one. Re-syncs of the same commit (self-heal, repeated manual syncs) change nothing that
//!   runs and are not deployments; a rollback to an older commit is one.
//! - **Attempt**: a deployment or a failed sync (`Failed`/`Error`).
//! - **Failure**: a failed sync, or a deployment after which the app went Degraded before the
//!   next attempt (seen as a health change, or the app is Degraded now and it is the last one).
//! - **Deployment frequency**: deployments in the window divided by its length in days.
//! - **Lead time for changes**: commit time to the moment the deployment was Healthy
//!   (`healthyAt` when recorded, else the first Healthy health change after it, else
//!   `deployedAt`: ferry's sync waits for every wave's health, so `deployedAt` is already
//!   after the objects were healthy); the median (nearest rank) over the window's deployments
//!   that carry a commit time.
//! - **Change failure rate**: failures divided by attempts in the window.
//! - **Time to restore service**: from a failure (failed sync's end, or a Degraded health
//!   change) to the next successful deployment or Healthy health change; the median over
//!   restorations that ended in the window. A failure not yet restored counts in `unrestored`.

use std::time::{Duration, SystemTime};

use ferry_types::HealthStatusCode;
use serde::Serialize;

use crate::history::Deployment;

/// The default window of the figures: seven days.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(7 * 86_400);

/// A health change the controller reported (`Signal::HealthChanged`).
#[derive(Debug, Clone, PartialEq)]
pub struct HealthChange {
    /// When it was seen.
    pub at: SystemTime,
    /// The new health.
    pub health: HealthStatusCode,
}

/// The DORA figures of one app (or one group of apps) over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// The window's length in seconds.
    pub window_seconds: u64,
    /// Deployments in the window.
    pub deployments: usize,
    /// Deployments plus failed syncs in the window.
    pub attempts: usize,
    /// Failures among the attempts.
    pub failures: usize,
    /// Deployments per day.
    pub deployment_frequency_per_day: f64,
    /// Successful attempts divided by attempts (`None` without attempts).
    pub success_rate: Option<f64>,
    /// Median lead time for changes, seconds.
    pub lead_time_seconds: Option<f64>,
    /// How many deployments carried a commit time.
    pub lead_time_samples: usize,
    /// Failures divided by attempts.
    pub change_failure_rate: Option<f64>,
    /// Median time to restore service, seconds.
    pub time_to_restore_seconds: Option<f64>,
    /// Restorations in the window.
    pub restores: usize,
    /// Whether the app is in a failure not restored yet.
    pub unrestored: bool,
    /// Median sync duration (start to end) of every sync in the window, seconds.
    pub duration_p50_seconds: Option<f64>,
    /// 95th percentile of the same.
    pub duration_p95_seconds: Option<f64>,
}

/// What one attempt turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A successful sync of the revision already deployed.
    Resync,
    /// A deployment that held.
    Deployed,
    /// A deployment followed by Degraded.
    DeployedThenDegraded,
    /// A failed sync.
    FailedSync,
}

/// Computes the figures over `[now - window, now]`. `deployments` need not be sorted;
/// entries without `deployedAt` are left out. `current_health` is the app's health now.
pub fn figures(
    deployments: &[Deployment],
    health_changes: &[HealthChange],
    current_health: Option<HealthStatusCode>,
    now: SystemTime,
    window: Duration,
) -> Figures {
    let start = now.checked_sub(window).unwrap_or(SystemTime::UNIX_EPOCH);
    let in_window = |at: SystemTime| at >= start && at <= now;
    let mut timeline: Vec<(&Deployment, SystemTime)> = deployments
        .iter()
        .filter_map(|deployment| deployment.deployed_at.map(|at| (deployment, at)))
        .collect();
    timeline.sort_by_key(|(deployment, at)| (*at, deployment.id));
    let mut changes: Vec<&HealthChange> = health_changes.iter().collect();
    changes.sort_by_key(|change| change.at);

    let kinds = classify(&timeline, &changes, current_health);

    let mut figures = Figures {
        window_seconds: window.as_secs(),
        ..Figures::default()
    };
    let mut lead_times = Vec::new();
    let mut durations = Vec::new();
    for (index, ((deployment, at), kind)) in timeline.iter().zip(&kinds).enumerate() {
        if !in_window(*at) {
            continue;
        }
        if let Some(duration) = deployment
            .started_at
            .and_then(|started| at.duration_since(started).ok())
        {
            durations.push(duration.as_secs_f64());
        }
        if *kind == Kind::Resync {
            continue;
        }
        figures.attempts += 1;
        if *kind != Kind::FailedSync {
            figures.deployments += 1;
            if let Some(commit_time) = deployment.commit_time {
                let next = timeline.get(index + 1).map(|(_, next)| *next);
                let healthy = deployment
                    .healthy_at
                    .unwrap_or_else(|| first_healthy(&changes, *at, next).unwrap_or(*at));
                let lead = healthy.duration_since(commit_time).unwrap_or_default();
                lead_times.push(lead.as_secs_f64());
            }
        }
        if matches!(kind, Kind::FailedSync | Kind::DeployedThenDegraded) {
            figures.failures += 1;
        }
    }
    let days = window.as_secs_f64() / 86_400.0;
    if days > 0.0 {
        figures.deployment_frequency_per_day = figures.deployments as f64 / days;
    }
    if figures.attempts > 0 {
        let attempts = figures.attempts as f64;
        figures.change_failure_rate = Some(figures.failures as f64 / attempts);
        let failed_syncs = timeline
            .iter()
            .zip(&kinds)
            .filter(|((_, at), kind)| in_window(*at) && **kind == Kind::FailedSync)
            .count();
        figures.success_rate = Some((attempts - failed_syncs as f64) / attempts);
    }
    figures.lead_time_samples = lead_times.len();
    figures.lead_time_seconds = percentile(&mut lead_times, 50.0);
    figures.duration_p50_seconds = percentile(&mut durations, 50.0);
    figures.duration_p95_seconds = percentile(&mut durations, 95.0);

    let (mut restorations, unrestored) = restorations(&timeline, &kinds, &changes, current_health);
    restorations.retain(|(restored_at, _)| in_window(*restored_at));
    figures.restores = restorations.len();
    let mut restore_seconds: Vec<f64> = restorations
        .iter()
        .map(|(_, duration)| duration.as_secs_f64())
        .collect();
    figures.time_to_restore_seconds = percentile(&mut restore_seconds, 50.0);
    figures.unrestored = unrestored;
    figures
}

/// What each attempt (sorted by time) was.
fn classify(
    timeline: &[(&Deployment, SystemTime)],
    changes: &[&HealthChange],
    current_health: Option<HealthStatusCode>,
) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(timeline.len());
    let mut deployed_revision: Option<&str> = None;
    for (index, (deployment, at)) in timeline.iter().enumerate() {
        if !deployment.result.succeeded() {
            kinds.push(Kind::FailedSync);
            continue;
        }
        if deployed_revision == Some(deployment.revision.as_str()) {
            kinds.push(Kind::Resync);
            continue;
        }
        deployed_revision = Some(deployment.revision.as_str());
        let next = timeline.get(index + 1).map(|(_, next)| *next);
        let degraded_after = changes.iter().any(|change| {
            change.health == HealthStatusCode::Degraded
                && change.at >= *at
                && next.is_none_or(|next| change.at < next)
        });
        let degraded_now = next.is_none() && current_health == Some(HealthStatusCode::Degraded);
        kinds.push(if degraded_after || degraded_now {
            Kind::DeployedThenDegraded
        } else {
            Kind::Deployed
        });
    }
    kinds
}

/// The first Healthy change in `[from, until)`.
fn first_healthy(
    changes: &[&HealthChange],
    from: SystemTime,
    until: Option<SystemTime>,
) -> Option<SystemTime> {
    changes
        .iter()
        .find(|change| {
            change.health == HealthStatusCode::Healthy
                && change.at >= from
                && until.is_none_or(|until| change.at < until)
        })
        .map(|change| change.at)
}

/// Every restoration as (when restored, how long it took), and whether a failure is open.
fn restorations(
    timeline: &[(&Deployment, SystemTime)],
    kinds: &[Kind],
    changes: &[&HealthChange],
    current_health: Option<HealthStatusCode>,
) -> (Vec<(SystemTime, Duration)>, bool) {
    #[derive(Clone, Copy)]
    enum Event {
        Down,
        Up,
    }
    let mut events: Vec<(SystemTime, Event)> = Vec::new();
    for ((_, at), kind) in timeline.iter().zip(kinds) {
        match kind {
            Kind::FailedSync => events.push((*at, Event::Down)),
            Kind::Deployed | Kind::DeployedThenDegraded => events.push((*at, Event::Up)),
            Kind::Resync => {}
        }
    }
    for change in changes {
        match change.health {
            HealthStatusCode::Degraded => events.push((change.at, Event::Down)),
            HealthStatusCode::Healthy => events.push((change.at, Event::Up)),
            _ => {}
        }
    }
    // At equal times a recovery is applied before a new failure.
    events.sort_by_key(|(at, event)| (*at, matches!(event, Event::Down)));
    let mut open: Option<SystemTime> = None;
    let mut restored = Vec::new();
    for (at, event) in events {
        match (event, open) {
            (Event::Down, None) => open = Some(at),
            (Event::Up, Some(since)) => {
                restored.push((at, at.duration_since(since).unwrap_or_default()));
                open = None;
            }
            _ => {}
        }
    }
    let last_degraded_deploy = kinds.last() == Some(&Kind::DeployedThenDegraded)
        && current_health == Some(HealthStatusCode::Degraded);
    (restored, open.is_some() || last_degraded_deploy)
}

/// The nearest-rank percentile `p` (0–100) of `values`; `None` when empty.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

#[cfg(test)]
mod tests;
