//! The Job controller: runs up to `parallelism` pods until `completions` succeed, replaces failed
//! pods until `backoffLimit` is passed, honours `suspend` and `activeDeadlineSeconds`, and reports
//! the real conditions (SuccessCriteriaMet and Complete, or FailureTarget and Failed).

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::pods::{self, PodIdentity, generated_name, pod_from_template};
use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{JOBS, PODS};
use crate::scheduling;

const COMPONENT: &str = "job-controller";

/// What the controller of one Job looks at.
pub struct JobInputs<'a> {
    /// The Job.
    pub job: &'a Value,
    /// The pods it controls.
    pub pods: Vec<&'a Value>,
    /// Nodes new pods may be placed on.
    pub ready_nodes: &'a [String],
}

fn phase_count(pods: &[&Value], phase: &str) -> i64 {
    pods.iter()
        .filter(|pod| object::text(pod, "/status/phase") == Some(phase))
        .count() as i64
}

fn finished(job: &Value) -> bool {
    object::condition_is_true(job, "Complete") || object::condition_is_true(job, "Failed")
}

fn condition(kind: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({
        "type": kind, "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
        "reason": reason, "message": message
    })
}

/// Creates and removes the Job's pods and writes its status.
pub fn reconcile(inputs: &JobInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let job = inputs.job;
    let mut outcome = Outcome::none();
    if object::is_deleting(job) {
        return outcome;
    }
    let active: Vec<&Value> = inputs
        .pods
        .iter()
        .copied()
        .filter(|pod| pods::is_active(pod))
        .collect();
    let succeeded = phase_count(&inputs.pods, "Succeeded");
    let failed = phase_count(&inputs.pods, "Failed");
    let parallelism = object::integer(job, "/spec/parallelism")
        .unwrap_or(1)
        .max(0);
    let completions = object::integer(job, "/spec/completions");
    let backoff_limit = object::integer(job, "/spec/backoffLimit").unwrap_or(6);
    let suspended = job.pointer("/spec/suspend") == Some(&Value::Bool(true));
    let now = ctx.timestamp();
    let start = object::text(job, "/status/startTime").map(str::to_string);
    let mut conditions: Vec<Value> = job
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut completion_time = job.pointer("/status/completionTime").cloned();
    let mut delete_active = suspended;
    if !finished(job) {
        let deadline_passed = object::integer(job, "/spec/activeDeadlineSeconds")
            .zip(start.as_deref().and_then(object::parse_timestamp))
            .is_some_and(|(seconds, start)| {
                start + Duration::from_secs(seconds.max(0).unsigned_abs()) <= ctx.now
            });
        let failure = if failed > backoff_limit {
            Some((
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            ))
        } else if deadline_passed {
            Some((
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            ))
        } else {
            None
        };
        let complete = match completions {
            Some(completions) => succeeded >= completions,
            None => succeeded >= 1 && active.is_empty(),
        };
        if let Some((reason, message)) = failure {
            conditions.push(condition("FailureTarget", reason, message, &now));
            conditions.push(condition("Failed", reason, message, &now));
            delete_active = true;
            if ctx.config.record_events {
                outcome.record(EventRecord::new(
                    job,
                    EventType::Warning,
                    reason,
                    message.to_string(),
                    COMPONENT,
                ));
            }
        } else if complete {
            let message = "Reached expected number of succeeded pods";
            conditions.push(condition(
                "SuccessCriteriaMet",
                "CompletionsReached",
                message,
                &now,
            ));
            conditions.push(condition("Complete", "CompletionsReached", message, &now));
            completion_time = Some(json!(now));
            delete_active = true;
            if ctx.config.record_events {
                outcome.record(EventRecord::new(
                    job,
                    EventType::Normal,
                    "Completed",
                    "Job completed".into(),
                    COMPONENT,
                ));
            }
        } else if !suspended {
            let remaining =
                completions.map_or(parallelism, |completions| (completions - succeeded).max(0));
            let wanted = parallelism.min(remaining);
            let template = job.pointer("/spec/template").unwrap_or(&Value::Null);
            let prefix = format!("{}-", object::name(job));
            for _ in (active.len() as i64)..wanted {
                let name = generated_name(&prefix, ctx.names);
                let node = scheduling::pick_node(inputs.ready_nodes, &name);
                outcome.push(Change::Create {
                    resource: &PODS,
                    object: pod_from_template(
                        job,
                        template,
                        PodIdentity {
                            name: name.clone(),
                            generate_name: Some(prefix.clone()),
                            node,
                            ..PodIdentity::default()
                        },
                        ctx.names,
                    ),
                });
                if ctx.config.record_events {
                    outcome.record(EventRecord::new(
                        job,
                        EventType::Normal,
                        "SuccessfulCreate",
                        format!("Created pod: {name}"),
                        COMPONENT,
                    ));
                }
            }
            if let Some(seconds) = object::integer(job, "/spec/activeDeadlineSeconds") {
                outcome.requeue(
                    Duration::from_secs(seconds.max(0).unsigned_abs())
                        .min(Duration::from_secs(3600)),
                );
            }
        }
    }
    if delete_active {
        for pod in &active {
            outcome.push(Change::Delete {
                resource: &PODS,
                namespace: object::namespace(pod).to_string(),
                name: object::name(pod).to_string(),
                uid: object::uid(pod).to_string(),
            });
        }
    }
    let still_active = if delete_active {
        0
    } else {
        active.len() as i64
    };
    let ready = if delete_active {
        0
    } else {
        active.iter().filter(|pod| pods::is_ready(pod)).count()
    };
    let mut status = Map::new();
    if !conditions.is_empty() {
        status.insert("conditions".into(), Value::Array(conditions));
    }
    if !suspended || start.is_some() {
        status.insert("startTime".into(), json!(start.unwrap_or(now)));
    }
    if let Some(completion_time) = completion_time {
        status.insert("completionTime".into(), completion_time);
    }
    for (key, value) in [
        ("active", still_active),
        ("succeeded", succeeded),
        ("failed", failed),
    ] {
        if value != 0 {
            status.insert(key.into(), json!(value));
        }
    }
    status.insert("terminating".into(), json!(0));
    status.insert("uncountedTerminatedPods".into(), json!({}));
    status.insert("ready".into(), json!(ready));
    let status = Value::Object(status);
    if job.get("status") != Some(&status) {
        let mut updated = job.clone();
        object::ensure_map(&mut updated).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &JOBS,
            object: updated,
        });
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;
    use crate::config::SimulationConfig;
    use std::time::UNIX_EPOCH;

    fn job(completions: i64, parallelism: i64, backoff_limit: i64) -> Value {
        json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "once", "namespace": "demo", "uid": "job-uid"},
            "spec": {"completions": completions, "parallelism": parallelism, "backoffLimit": backoff_limit,
                     "template": {"metadata": {"labels": {"job-name": "once"}},
                                  "spec": {"restartPolicy": "Never", "containers": [{"name": "once", "image": "once:1"}]}}},
            "status": {}
        })
    }

    fn pod(name: &str, phase: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "demo", "uid": format!("{name}-uid")},
               "status": {"phase": phase}})
    }

    fn run(job: &Value, pods: Vec<&Value>) -> Outcome {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: UNIX_EPOCH + Duration::from_secs(1_800_000_000),
            config: &config,
            names: &names,
        };
        let nodes = vec!["ferry-node-1".to_string()];
        reconcile(
            &JobInputs {
                job,
                pods,
                ready_nodes: &nodes,
            },
            &ctx,
        )
    }

    fn status(outcome: &Outcome) -> Value {
        outcome
            .changes
            .iter()
            .find_map(|change| match change {
                Change::UpdateStatus { object, .. } => Some(object["status"].clone()),
                _ => None,
            })
            .expect("a status write")
    }

    fn creates(outcome: &Outcome) -> usize {
        outcome
            .changes
            .iter()
            .filter(|change| matches!(change, Change::Create { .. }))
            .count()
    }

    #[test]
    fn a_job_runs_parallelism_pods_at_a_time() {
        let outcome = run(&job(5, 2, 6), vec![]);
        assert_eq!(creates(&outcome), 2);
        assert_eq!(status(&outcome)["startTime"], "2027-01-15T08:00:00Z");
    }

    #[test]
    fn a_job_never_runs_more_pods_than_completions_remaining() {
        let done = pod("a", "Succeeded");
        let outcome = run(&job(2, 4, 6), vec![&done]);
        assert_eq!(creates(&outcome), 1);
        assert_eq!(status(&outcome)["succeeded"], 1);
    }

    #[test]
    fn a_job_with_all_completions_is_complete() {
        let done = pod("a", "Succeeded");
        let outcome = run(&job(1, 1, 6), vec![&done]);
        let status = status(&outcome);
        let types: Vec<&str> = status["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["SuccessCriteriaMet", "Complete"]);
        assert_eq!(status["conditions"][1]["reason"], "CompletionsReached");
        assert!(status["completionTime"].is_string());
    }

    #[test]
    fn a_job_past_its_backoff_limit_fails_and_stops_its_pods() {
        let failed_a = pod("a", "Failed");
        let failed_b = pod("b", "Failed");
        let running = pod("c", "Running");
        let outcome = run(&job(1, 1, 1), vec![&failed_a, &failed_b, &running]);
        let status = status(&outcome);
        assert_eq!(status["conditions"][1]["type"], "Failed");
        assert_eq!(status["conditions"][1]["reason"], "BackoffLimitExceeded");
        assert_eq!(status["failed"], 2);
        assert!(
            outcome
                .changes
                .iter()
                .any(|change| matches!(change, Change::Delete { name, .. } if name == "c"))
        );
    }
}
