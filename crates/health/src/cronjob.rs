//! CronJob (`batch/v1`, `batch/v1beta1`): suspended, or judged by its last scheduled run.
//!
//! Argo CD reports a suspended CronJob as Healthy; ferry reports it Suspended. A run counts as
//! failed when the CronJob has no active job and `lastSuccessfulTime` is older than
//! `lastScheduleTime` (or absent). Kubernetes writes both as RFC 3339 UTC timestamps with
//! second precision, so they compare as text.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{flag, list, string, text};

/// The health of a CronJob.
pub(crate) fn assess(cron_job: &Value) -> Result<Health> {
    if flag(cron_job, &["spec", "suspend"])? {
        return Ok(Health::suspended("CronJob is suspended"));
    }
    let active = list(cron_job, &["status", "active"])?;
    if let Some(first) = active.first() {
        let name = text(first, &["name"])?;
        return Ok(Health::healthy(format!("Job {name} is running")));
    }
    let last_schedule = string(cron_job, &["status", "lastScheduleTime"])?;
    let last_success = string(cron_job, &["status", "lastSuccessfulTime"])?;
    Ok(match (last_schedule, last_success) {
        (None, _) => Health::healthy("Not scheduled yet"),
        (Some(scheduled), None) => Health::degraded(format!(
            "The job scheduled at {scheduled} did not succeed, and no job has succeeded yet"
        )),
        (Some(scheduled), Some(succeeded)) if succeeded < scheduled => Health::degraded(format!(
            "The job scheduled at {scheduled} did not succeed; the last success was at {succeeded}"
        )),
        (Some(_), Some(succeeded)) => {
            Health::healthy(format!("The last job succeeded at {succeeded}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn cron_job(suspend: bool, status: Value) -> Value {
        json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "report"},
            "spec": {"schedule": "0 * * * *", "suspend": suspend}, "status": status
        })
    }

    #[test]
    fn a_suspended_cron_job_is_suspended() {
        let object = cron_job(true, json!({}));
        assert_eq!(
            assess(&object).unwrap(),
            Health::suspended("CronJob is suspended")
        );
    }

    #[test]
    fn a_cron_job_whose_last_job_failed_is_degraded() {
        let object = cron_job(
            false,
            json!({"lastScheduleTime": "2024-05-01T10:00:00Z",
                   "lastSuccessfulTime": "2024-05-01T09:00:41Z"}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded(
                "The job scheduled at 2024-05-01T10:00:00Z did not succeed; the last success was at 2024-05-01T09:00:41Z"
            )
        );
    }

    #[test]
    fn a_cron_job_that_never_succeeded_is_degraded() {
        let object = cron_job(false, json!({"lastScheduleTime": "2024-05-01T10:00:00Z"}));
        assert_eq!(assess(&object).unwrap().status, Degraded);
    }

    #[test]
    fn a_cron_job_whose_last_job_succeeded_is_healthy() {
        let object = cron_job(
            false,
            json!({"lastScheduleTime": "2024-05-01T10:00:00Z",
                   "lastSuccessfulTime": "2024-05-01T10:00:37Z"}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::healthy("The last job succeeded at 2024-05-01T10:00:37Z")
        );
    }

    #[test]
    fn a_cron_job_with_a_running_job_is_healthy() {
        let object = cron_job(
            false,
            json!({"active": [{"kind": "Job", "name": "report-28571234"}],
                   "lastScheduleTime": "2024-05-01T10:00:00Z",
                   "lastSuccessfulTime": "2024-05-01T09:00:41Z"}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::healthy("Job report-28571234 is running")
        );
    }

    #[test]
    fn a_cron_job_never_scheduled_is_healthy() {
        assert_eq!(assess(&cron_job(false, json!({}))).unwrap().status, Healthy);
        let mut without_status = cron_job(false, json!({}));
        without_status.as_object_mut().unwrap().remove("status");
        assert_eq!(assess(&without_status).unwrap().status, Healthy);
    }
}
