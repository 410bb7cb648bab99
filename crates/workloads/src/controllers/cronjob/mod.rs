//! The CronJob controller: creates a Job named `<cronjob>-<scheduled minute>` at each scheduled
//! time (UTC), honouring suspend, startingDeadlineSeconds and concurrencyPolicy (Allow, Forbid,
//! Replace), keeps the successful and failed Job history limits, and reports active Jobs,
//! lastScheduleTime and lastSuccessfulTime.

pub mod schedule;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{CRON_JOBS, JOBS};
use schedule::Schedule;

const COMPONENT: &str = "cronjob-controller";
/// The annotation recording when a Job was scheduled.
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// What the controller of one CronJob looks at.
pub struct CronJobInputs<'a> {
    /// The CronJob.
    pub cron_job: &'a Value,
    /// The Jobs it controls.
    pub jobs: Vec<&'a Value>,
}

fn finished_as(job: &Value) -> Option<&'static str> {
    if object::condition_is_true(job, "Complete") {
        Some("Complete")
    } else if object::condition_is_true(job, "Failed") {
        Some("Failed")
    } else {
        None
    }
}

fn job_reference(job: &Value) -> Value {
    json!({
        "kind": "Job", "namespace": object::namespace(job), "name": object::name(job),
        "uid": object::uid(job), "apiVersion": "batch/v1",
        "resourceVersion": object::text(job, "/metadata/resourceVersion").unwrap_or(""),
    })
}

struct Plan<'a, 'b> {
    cron_job: &'a Value,
    ctx: &'b Context<'b>,
    outcome: Outcome,
}

impl Plan<'_, '_> {
    fn event(&mut self, kind: EventType, reason: &str, message: String) {
        if self.ctx.config.record_events {
            self.outcome.record(EventRecord::new(
                self.cron_job,
                kind,
                reason,
                message,
                COMPONENT,
            ));
        }
    }

    fn delete_job(&mut self, job: &Value) {
        self.outcome.push(Change::Delete {
            resource: &JOBS,
            namespace: object::namespace(job).to_string(),
            name: object::name(job).to_string(),
            uid: object::uid(job).to_string(),
        });
    }
}

/// One pass of the CronJob controller.
pub fn reconcile(inputs: &CronJobInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let cron_job = inputs.cron_job;
    if object::is_deleting(cron_job) {
        return Outcome::none();
    }
    let mut plan = Plan {
        cron_job,
        ctx,
        outcome: Outcome::none(),
    };
    let mut jobs: Vec<&Value> = inputs.jobs.clone();
    jobs.sort_by_key(|job| {
        object::text(job, "/metadata/creationTimestamp")
            .unwrap_or("")
            .to_string()
    });
    let active: Vec<&Value> = jobs
        .iter()
        .copied()
        .filter(|job| finished_as(job).is_none())
        .collect();
    let mut last_successful = cron_job.pointer("/status/lastSuccessfulTime").cloned();
    let previously_active: Vec<&str> = cron_job
        .pointer("/status/active")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|reference| reference.get("uid").and_then(Value::as_str))
        .collect();
    for job in &jobs {
        if let Some(condition) = finished_as(job)
            && previously_active.contains(&object::uid(job))
        {
            let message = format!(
                "Saw completed job: {}, condition: {condition}",
                object::name(job)
            );
            plan.event(EventType::Normal, "SawCompletedJob", message);
            if condition == "Complete" {
                last_successful = job
                    .pointer("/status/completionTime")
                    .cloned()
                    .or(last_successful);
            }
        }
    }
    for (condition, limit_field, default) in [
        ("Complete", "successfulJobsHistoryLimit", 3),
        ("Failed", "failedJobsHistoryLimit", 1),
    ] {
        let limit = object::integer(cron_job, &format!("/spec/{limit_field}")).unwrap_or(default);
        let finished: Vec<&&Value> = jobs
            .iter()
            .filter(|job| finished_as(job) == Some(condition))
            .collect();
        let excess = finished.len() as i64 - limit;
        for job in finished.into_iter().take(excess.max(0) as usize) {
            plan.delete_job(job);
            plan.event(
                EventType::Normal,
                "SuccessfulDelete",
                format!("Deleted job {}", object::name(job)),
            );
        }
    }
    let mut last_schedule = cron_job.pointer("/status/lastScheduleTime").cloned();
    let suspended = cron_job.pointer("/spec/suspend") == Some(&Value::Bool(true));
    let schedule = object::text(cron_job, "/spec/schedule").map(Schedule::parse);
    match schedule {
        Some(Ok(schedule)) if !suspended => {
            let since = last_schedule
                .as_ref()
                .and_then(Value::as_str)
                .and_then(object::parse_timestamp)
                .or_else(|| object::time_at(cron_job, "/metadata/creationTimestamp"))
                .unwrap_or(ctx.now);
            if let Some(due) = schedule.latest_between(since, ctx.now) {
                let late = object::integer(cron_job, "/spec/startingDeadlineSeconds").is_some_and(
                    |seconds| due + Duration::from_secs(seconds.max(0).unsigned_abs()) < ctx.now,
                );
                let policy = object::text(cron_job, "/spec/concurrencyPolicy").unwrap_or("Allow");
                if late {
                    let message = format!(
                        "Missed scheduled time to start a job: {}",
                        object::timestamp(due)
                    );
                    plan.event(EventType::Warning, "MissSchedule", message);
                    last_schedule = Some(json!(object::timestamp(due)));
                } else if policy == "Forbid" && !active.is_empty() {
                    plan.event(
                        EventType::Normal,
                        "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency policy is Forbid".into(),
                    );
                } else {
                    if policy == "Replace" {
                        for job in &active {
                            plan.delete_job(job);
                            plan.event(
                                EventType::Normal,
                                "SuccessfulDelete",
                                format!("Deleted job {}", object::name(job)),
                            );
                        }
                    }
                    let job = job_for(cron_job, due);
                    let name = object::name(&job).to_string();
                    if !jobs.iter().any(|existing| object::name(existing) == name) {
                        plan.outcome.push(Change::Create {
                            resource: &JOBS,
                            object: job,
                        });
                        plan.event(
                            EventType::Normal,
                            "SuccessfulCreate",
                            format!("Created job {name}"),
                        );
                    }
                    last_schedule = Some(json!(object::timestamp(due)));
                }
            }
            if let Some(next) = schedule.next_after(ctx.now) {
                plan.outcome.requeue(
                    next.duration_since(ctx.now).unwrap_or_default() + Duration::from_millis(100),
                );
            }
        }
        Some(Err(error)) => {
            plan.event(EventType::Warning, "InvalidSchedule", error.to_string());
        }
        _ => {}
    }
    let mut status = Map::new();
    if !active.is_empty() {
        status.insert(
            "active".into(),
            Value::Array(active.iter().map(|job| job_reference(job)).collect()),
        );
    }
    if let Some(time) = last_schedule {
        status.insert("lastScheduleTime".into(), time);
    }
    if let Some(time) = last_successful {
        status.insert("lastSuccessfulTime".into(), time);
    }
    let status = Value::Object(status);
    let mut outcome = plan.outcome;
    if cron_job.get("status") != Some(&status) {
        let mut updated = cron_job.clone();
        object::ensure_map(&mut updated).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &CRON_JOBS,
            object: updated,
        });
    }
    outcome
}

/// The Job a CronJob creates for the time `due`.
fn job_for(cron_job: &Value, due: SystemTime) -> Value {
    let minutes = due
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 60)
        .unwrap_or(0);
    let template = cron_job
        .pointer("/spec/jobTemplate")
        .cloned()
        .unwrap_or(json!({}));
    let mut metadata = template
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    metadata.insert(
        "name".into(),
        json!(format!("{}-{minutes}", object::name(cron_job))),
    );
    metadata.insert("namespace".into(), json!(object::namespace(cron_job)));
    metadata.insert(
        "ownerReferences".into(),
        json!([object::owner_reference(cron_job)]),
    );
    let mut job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or(json!({})),
    });
    object::set_annotation(&mut job, SCHEDULED_TIMESTAMP, Some(&object::timestamp(due)));
    if let Some(fault) = object::annotation(cron_job, crate::fault::FAULT_ANNOTATION) {
        object::set_annotation(&mut job, crate::fault::FAULT_ANNOTATION, Some(fault));
    }
    job
}

#[cfg(test)]
mod tests;
