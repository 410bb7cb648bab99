use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferry_types::HealthStatusCode;

use super::*;
use crate::history::{Deployment, DeploymentResult};

fn hours(value: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_secs_f64(value * 3600.0)
}

fn deployment(id: i64, revision: &str, deployed: f64) -> Deployment {
    Deployment {
        id: Some(id),
        revision: revision.to_string(),
        started_at: None,
        deployed_at: Some(hours(deployed)),
        commit_time: None,
        healthy_at: None,
        result: DeploymentResult::Succeeded,
        automated: true,
        message: None,
        author: None,
    }
}

fn known_history() -> (Vec<Deployment>, Vec<HealthChange>) {
    let mut outside = deployment(1, "a", 10.0);
    outside.commit_time = Some(hours(9.0));
    let mut first = deployment(2, "b", 40.0 + 2.0 / 60.0);
    first.started_at = Some(hours(40.0));
    first.commit_time = Some(hours(38.0));
    let resync = deployment(3, "b", 50.0);
    let mut failed = deployment(4, "c", 60.0);
    failed.result = DeploymentResult::Failed;
    failed.started_at = Some(hours(59.9));
    let mut fixed = deployment(5, "c", 61.0);
    fixed.commit_time = Some(hours(59.0));
    let mut degrades = deployment(6, "d", 100.0);
    degrades.commit_time = Some(hours(99.5));
    let changes = vec![
        HealthChange {
            at: hours(100.5),
            health: HealthStatusCode::Degraded,
        },
        HealthChange {
            at: hours(101.5),
            health: HealthStatusCode::Healthy,
        },
    ];
    (
        vec![outside, first, resync, failed, fixed, degrades],
        changes,
    )
}

#[test]
fn a_known_history_gives_the_four_figures() {
    let (deployments, changes) = known_history();
    let figures = figures(
        &deployments,
        &changes,
        Some(HealthStatusCode::Healthy),
        hours(200.0),
        DEFAULT_WINDOW,
    );
    assert_eq!(
        figures,
        Figures {
            window_seconds: 604_800,
            deployments: 3,
            attempts: 4,
            failures: 2,
            deployment_frequency_per_day: 3.0 / 7.0,
            success_rate: Some(0.75),
            lead_time_seconds: Some(7200.0),
            lead_time_samples: 3,
            change_failure_rate: Some(0.5),
            time_to_restore_seconds: Some(3600.0),
            restores: 2,
            unrestored: false,
            duration_p50_seconds: Some(120.0),
            duration_p95_seconds: Some(360.0),
        }
    );
}

#[test]
fn the_order_of_the_history_does_not_matter() {
    let (mut deployments, changes) = known_history();
    let sorted = figures(&deployments, &changes, None, hours(200.0), DEFAULT_WINDOW);
    deployments.reverse();
    let reversed = figures(&deployments, &changes, None, hours(200.0), DEFAULT_WINDOW);
    assert_eq!(sorted, reversed);
}

#[test]
fn an_empty_history_has_no_rates_and_no_times() {
    let figures = figures(&[], &[], None, hours(0.0), DEFAULT_WINDOW);
    assert_eq!(figures.deployments, 0);
    assert_eq!(figures.deployment_frequency_per_day, 0.0);
    assert_eq!(figures.change_failure_rate, None);
    assert_eq!(figures.success_rate, None);
    assert_eq!(figures.lead_time_seconds, None);
    assert_eq!(figures.time_to_restore_seconds, None);
    assert!(!figures.unrestored);
}

#[test]
fn without_commit_times_there_is_no_lead_time_but_the_other_figures_remain() {
    let deployments = vec![deployment(1, "a", 1.0), deployment(2, "b", 2.0)];
    let figures = figures(&deployments, &[], None, hours(3.0), DEFAULT_WINDOW);
    assert_eq!(figures.deployments, 2);
    assert_eq!(figures.lead_time_seconds, None);
    assert_eq!(figures.lead_time_samples, 0);
    assert_eq!(figures.change_failure_rate, Some(0.0));
}

#[test]
fn a_recorded_healthy_moment_ends_the_lead_time() {
    let mut deployed = deployment(1, "a", 2.0);
    deployed.commit_time = Some(hours(1.0));
    deployed.healthy_at = Some(hours(2.5));
    let figures = figures(&[deployed], &[], None, hours(3.0), DEFAULT_WINDOW);
    assert_eq!(figures.lead_time_seconds, Some(5400.0));
}

#[test]
fn the_last_deployment_of_an_app_degraded_now_is_a_failure_not_yet_restored() {
    let deployments = vec![deployment(1, "a", 1.0), deployment(2, "b", 2.0)];
    let figures = figures(
        &deployments,
        &[],
        Some(HealthStatusCode::Degraded),
        hours(3.0),
        DEFAULT_WINDOW,
    );
    assert_eq!(figures.failures, 1);
    assert_eq!(figures.change_failure_rate, Some(0.5));
    assert!(figures.unrestored);
    assert_eq!(figures.time_to_restore_seconds, None);
}

#[test]
fn a_failed_sync_stays_unrestored_until_a_deployment_succeeds() {
    let mut failed = deployment(1, "a", 1.0);
    failed.result = DeploymentResult::Error;
    let figures = figures(&[failed], &[], None, hours(3.0), DEFAULT_WINDOW);
    assert_eq!(figures.attempts, 1);
    assert_eq!(figures.deployments, 0);
    assert_eq!(figures.success_rate, Some(0.0));
    assert!(figures.unrestored);
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let mut values = vec![4.0, 1.0, 3.0, 2.0];
    assert_eq!(percentile(&mut values, 50.0), Some(2.0));
    assert_eq!(percentile(&mut values, 95.0), Some(4.0));
    assert_eq!(percentile(&mut values, 0.0), Some(1.0));
    assert_eq!(percentile(&mut [], 50.0), None);
}
