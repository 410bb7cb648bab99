use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::time::parse_rfc3339;

fn app(
    name: &str,
    environment: &str,
    health: &str,
    history: Value,
    operation: Value,
) -> AppHistory {
    AppHistory::from_json(&json!({
        "apiVersion": "ferry.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "ferry"},
        "spec": {"project": "estate", "destination": {"namespace": environment}},
        "status": {"health": {"status": health}, "history": history, "operationState": operation},
    }))
    .unwrap()
}

/// Two apps in two environments with a history whose figures are worked out by hand.
fn known_apps() -> Vec<AppHistory> {
    let listings = app(
        "listings",
        "staging",
        "Healthy",
        json!([
            {"id": 1, "revision": "aaa", "deployStartedAt": "2025-03-01T00:00:00Z",
             "deployedAt": "2025-03-01T00:01:00Z"},
            {"id": 2, "revision": "bbb", "deployStartedAt": "2025-03-04T10:00:00Z",
             "deployedAt": "2025-03-04T10:02:00Z", "commitTime": "2025-03-04T09:00:00Z"},
            {"id": 3, "revision": "ccc", "deployStartedAt": "2025-03-05T10:00:00Z",
             "deployedAt": "2025-03-05T10:00:30Z", "result": "Failed"},
            {"id": 4, "revision": "ccc", "deployStartedAt": "2025-03-05T11:00:00Z",
             "deployedAt": "2025-03-05T11:05:00Z", "commitTime": "2025-03-05T09:30:00Z"},
        ]),
        Value::Null,
    );
    let valuation = app(
        "valuation",
        "production",
        "Degraded",
        json!([
            {"id": 7, "revision": "ddd", "deployStartedAt": "2025-03-08T12:00:00Z",
             "deployedAt": "2025-03-08T12:00:10Z", "commitTime": "2025-03-08T11:00:00Z"},
        ]),
        Value::Null,
    );
    let idle = app("search", "staging", "Healthy", json!([]), Value::Null);
    vec![listings, valuation, idle]
}

fn now() -> std::time::SystemTime {
    parse_rfc3339("2025-03-10T00:00:00Z").unwrap()
}

#[test]
fn the_table_of_a_known_history_shows_every_figure() {
    let report = build(&known_apps(), now(), Duration::from_secs(7 * 86_400));
    assert_eq!(
        render_table(&report),
        "\
Deployments from 2025-03-03T00:00:00Z to 2025-03-10T00:00:00Z (7d), from recorded history
ENVIRONMENT  NAMESPACE  APP        DEPLOYS  FAILED  SUCCESS  P50  P95  LEAD TIME  CHANGE FAILURE  TIME TO RESTORE
production   ferry      valuation  1        1       100%     10s  10s  1h         100%            not yet
staging      ferry      listings   2        1       67%      2m   5m   1h2m       33%             1h4m
staging      ferry      search     0        0       -        -    -    -          -               -
"
    );
}

#[test]
fn the_json_report_carries_the_figures_in_seconds_and_rates() {
    let report = build(&known_apps(), now(), Duration::from_secs(7 * 86_400));
    let json = to_json(&report);
    let listings = &json["apps"][1];
    assert_eq!(listings["name"], "listings");
    assert_eq!(listings["environment"], "staging");
    assert_eq!(listings["historyEntries"], 4);
    let figures = &listings["figures"];
    assert_eq!(figures["deployments"], 2);
    assert_eq!(figures["attempts"], 3);
    assert_eq!(figures["failures"], 1);
    assert_eq!(figures["leadTimeSeconds"], 3720.0);
    assert_eq!(figures["timeToRestoreSeconds"], 3870.0);
    assert_eq!(figures["durationP50Seconds"], 120.0);
    assert_eq!(figures["durationP95Seconds"], 300.0);
    assert_eq!(json["windowSeconds"], 604_800);
}

#[test]
fn a_failed_last_operation_appears_in_the_report_without_a_history_entry() {
    let apps = vec![app(
        "web",
        "staging",
        "Healthy",
        json!([{"id": 1, "revision": "aaa", "deployedAt": "2025-03-09T00:00:00Z"}]),
        json!({"operation": {"sync": {"revision": "bbb"}}, "phase": "Error",
               "startedAt": "2025-03-09T01:00:00Z", "finishedAt": "2025-03-09T01:00:05Z"}),
    )];
    let report = build(&apps, now(), Duration::from_secs(86_400));
    let figures = &report.apps[0].figures;
    assert_eq!(
        (figures.deployments, figures.attempts, figures.failures),
        (1, 2, 1)
    );
    assert!(figures.unrestored);
}

#[test]
fn no_applications_say_so() {
    let report = build(&[], now(), Duration::from_secs(3600));
    assert_eq!(
        render_table(&report),
        "Deployments from 2025-03-09T23:00:00Z to 2025-03-10T00:00:00Z (1h), from recorded \
         history\nNo Applications.\n"
    );
}
