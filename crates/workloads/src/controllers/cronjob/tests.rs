use std::time::SystemTime;

use serde_json::{Value, json};

use super::*;
use crate::change::CountingNames;
use crate::config::SimulationConfig;

fn at(text: &str) -> SystemTime {
    object::parse_timestamp(text).expect("a timestamp")
}

fn cron_job(policy: &str) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "report", "namespace": "demo", "uid": "cj-uid",
                     "creationTimestamp": "2026-11-26T10:00:30Z"},
        "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": policy,
                 "successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 1,
                 "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never",
                                  "containers": [{"name": "report", "image": "report:1"}]}}}}}
    })
}

fn job(name: &str, created: &str, condition: Option<&str>) -> Value {
    let mut job = json!({"metadata": {"name": name, "namespace": "demo", "uid": format!("{name}-uid"),
                                      "creationTimestamp": created}, "status": {}});
    if let Some(condition) = condition {
        job["status"] = json!({"conditions": [{"type": condition, "status": "True"}],
                               "completionTime": "2026-11-26T10:06:00Z"});
    }
    job
}

fn run(cron_job: &Value, jobs: Vec<&Value>, now: &str) -> Outcome {
    let config = SimulationConfig::default();
    let names = CountingNames::default();
    let ctx = Context {
        now: at(now),
        config: &config,
        names: &names,
    };
    reconcile(&CronJobInputs { cron_job, jobs }, &ctx)
}

fn created(outcome: &Outcome) -> Vec<Value> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Create { object, .. } => Some(object.clone()),
            _ => None,
        })
        .collect()
}

fn deleted(outcome: &Outcome) -> Vec<String> {
    outcome
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Delete { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

fn status(outcome: &Outcome) -> Value {
    outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::UpdateStatus { object, .. } => Some(object["status"].clone()),
            _ => None,
        })
        .unwrap_or(Value::Null)
}

#[test]
fn a_cron_job_creates_a_job_named_after_the_scheduled_minute_when_due() {
    let outcome = run(&cron_job("Allow"), vec![], "2026-11-26T10:05:10Z");
    let jobs = created(&outcome);
    assert_eq!(jobs.len(), 1);
    let minutes = at("2026-11-26T10:05:00Z")
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 60;
    assert_eq!(jobs[0]["metadata"]["name"], format!("report-{minutes}"));
    assert_eq!(jobs[0]["metadata"]["ownerReferences"][0]["uid"], "cj-uid");
    assert_eq!(
        jobs[0]["metadata"]["annotations"][SCHEDULED_TIMESTAMP],
        "2026-11-26T10:05:00Z"
    );
    assert_eq!(status(&outcome)["lastScheduleTime"], "2026-11-26T10:05:00Z");
    // The next run is at 10:10:00, 290 s later.
    assert_eq!(
        outcome.requeue_after.map(|delay| delay.as_secs()),
        Some(290)
    );
}

#[test]
fn nothing_runs_before_the_first_scheduled_time_or_while_suspended() {
    assert!(created(&run(&cron_job("Allow"), vec![], "2026-11-26T10:04:59Z")).is_empty());
    let mut suspended = cron_job("Allow");
    suspended["spec"]["suspend"] = json!(true);
    assert!(created(&run(&suspended, vec![], "2026-11-26T10:05:10Z")).is_empty());
}

#[test]
fn forbid_skips_a_run_while_one_is_active_and_replace_deletes_it() {
    let running = job("report-1", "2026-11-26T10:00:00Z", None);
    assert!(
        created(&run(
            &cron_job("Forbid"),
            vec![&running],
            "2026-11-26T10:05:10Z"
        ))
        .is_empty()
    );
    let replaced = run(&cron_job("Replace"), vec![&running], "2026-11-26T10:05:10Z");
    assert_eq!(deleted(&replaced), ["report-1"]);
    assert_eq!(created(&replaced).len(), 1);
}

#[test]
fn finished_jobs_beyond_the_history_limits_are_deleted_oldest_first() {
    let mut cron_job = cron_job("Allow");
    cron_job["status"] = json!({"lastScheduleTime": "2026-11-26T10:05:00Z"});
    let old = job("report-1", "2026-11-26T10:00:00Z", Some("Complete"));
    let new = job("report-2", "2026-11-26T10:05:00Z", Some("Complete"));
    let outcome = run(&cron_job, vec![&old, &new], "2026-11-26T10:06:00Z");
    assert_eq!(deleted(&outcome), ["report-1"]);
}

#[test]
fn active_jobs_and_the_last_success_are_reported() {
    let mut cron_job = cron_job("Allow");
    cron_job["status"] = json!({"lastScheduleTime": "2026-11-26T10:05:00Z",
                               "active": [{"uid": "report-2-uid"}]});
    let done = job("report-2", "2026-11-26T10:05:00Z", Some("Complete"));
    let running = job("report-3", "2026-11-26T10:06:00Z", None);
    let outcome = run(&cron_job, vec![&done, &running], "2026-11-26T10:07:00Z");
    let status = status(&outcome);
    assert_eq!(status["active"][0]["name"], "report-3");
    assert_eq!(status["lastSuccessfulTime"], "2026-11-26T10:06:00Z");
}
