//! A CronJob on a `* * * * *` schedule over HTTPS with the real kubectl: at the next minute it
//! creates `<cronjob>-<scheduled minute>`, the Job completes, the status records the schedule
//! and the success, and the successful-Job history limit deletes older finished Jobs. The
//! schedule has minute granularity, so the test waits up to 90 s for the first run.

mod common;

use std::time::Duration;

use common::{eventually, kubectl_available, served};
use serde_json::Value;

const CRON_JOB: &str = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
  namespace: default
spec:
  schedule: \"* * * * *\"
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: tick
            image: registry.example.invalid/tick:1
";

fn job_owned_by(name: &str, cron_job_uid: &str) -> String {
    format!(
        "apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  namespace: default
  ownerReferences:
  - apiVersion: batch/v1
    kind: CronJob
    name: tick
    uid: {cron_job_uid}
    controller: true
    blockOwnerDeletion: true
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: tick
        image: registry.example.invalid/tick:1
"
    )
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn complete(job: &Value) -> bool {
    job["status"]["conditions"]
        .as_array()
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c["type"] == "Complete" && c["status"] == "True")
        })
}

#[tokio::test]
async fn a_cron_job_creates_a_job_each_minute_and_keeps_its_history_limit() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl.apply("cronjob.yaml", CRON_JOB).await;
    let uid = kubectl
        .ok(&["get", "cronjob", "tick", "-o", "jsonpath={.metadata.uid}"])
        .await;
    // Two finished Jobs of an earlier run: the history limit of 1 keeps only the newer one.
    kubectl
        .apply("old-1.yaml", &job_owned_by("tick-old-1", &uid))
        .await;
    kubectl
        .ok(&[
            "wait",
            "--for=condition=complete",
            "job/tick-old-1",
            "--timeout=30s",
        ])
        .await;
    kubectl
        .apply("old-2.yaml", &job_owned_by("tick-old-2", &uid))
        .await;
    eventually(
        "the history limit to delete the older Job",
        Duration::from_secs(30),
        || async {
            let jobs = kubectl.json(&["get", "jobs"]).await;
            let all_complete = jobs["items"]
                .as_array()
                .is_some_and(|items| items.iter().all(complete));
            (all_complete && names(&jobs) == ["tick-old-2"]).then_some(())
        },
    )
    .await;

    // The next minute's run.
    let scheduled = eventually("the scheduled Job", Duration::from_secs(90), || async {
        let jobs = kubectl.json(&["get", "jobs"]).await;
        names(&jobs)
            .into_iter()
            .find(|name| name.starts_with("tick-") && !name.starts_with("tick-old"))
    })
    .await;
    let minute: u64 = scheduled
        .trim_start_matches("tick-")
        .parse()
        .expect("named after the scheduled minute");
    let job = kubectl.json(&["get", "job", &scheduled]).await;
    assert_eq!(
        job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
            .as_str()
            .map(str::to_string),
        Some(ferry_cluster::object::time::format_unix(minute * 60))
    );
    kubectl
        .ok(&[
            "wait",
            "--for=condition=complete",
            &format!("job/{scheduled}"),
            "--timeout=30s",
        ])
        .await;
    let cron_job = eventually(
        "the CronJob to record the success",
        Duration::from_secs(30),
        || async {
            let cron_job = kubectl.json(&["get", "cronjob", "tick"]).await;
            let jobs = kubectl.json(&["get", "jobs"]).await;
            (cron_job["status"]["lastSuccessfulTime"].is_string()
                && names(&jobs) == [scheduled.clone()])
            .then_some(cron_job)
        },
    )
    .await;
    assert_eq!(
        cron_job["status"]["lastScheduleTime"]
            .as_str()
            .map(str::to_string),
        Some(ferry_cluster::object::time::format_unix(minute * 60))
    );
    assert!(
        cron_job["status"]
            .get("active")
            .is_none_or(|active| active.as_array().is_none_or(Vec::is_empty))
    );
    let events = kubectl
        .ok(&[
            "get",
            "events",
            "-o",
            "jsonpath={range .items[?(@.involvedObject.name==\"tick\")]}{.reason} {end}",
        ])
        .await;
    for reason in ["SuccessfulCreate", "SawCompletedJob", "SuccessfulDelete"] {
        assert!(events.contains(reason), "{reason} missing from {events}");
    }
}
