//! Job (`batch/v1`): running, failed, complete or suspended, read from its conditions.
//!
//! Only conditions whose status is `True` count: a `Suspended` condition turned `False` means
//! the Job was resumed and runs again (Argo CD counts it as finished). `FailureTarget` and
//! `SuccessCriteriaMet` (Kubernetes 1.31 and later) announce `Failed` and `Complete` while the
//! last pods terminate, and count as those.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{Condition, conditions, count};

/// The health of a Job.
pub(crate) fn assess(job: &Value) -> Result<Health> {
    let conditions = conditions(job, &["status", "conditions"])?;
    let holds = |condition_type: &str| -> Option<&Condition<'_>> {
        conditions
            .iter()
            .find(|condition| condition.condition_type == condition_type && condition.is_true())
    };
    if let Some(failed) = holds("Failed").or_else(|| holds("FailureTarget")) {
        let message = if failed.message.is_empty() {
            failed.reason
        } else {
            failed.message
        };
        return Ok(Health::degraded(message));
    }
    if let Some(complete) = holds("Complete").or_else(|| holds("SuccessCriteriaMet")) {
        return Ok(Health::healthy(complete.message));
    }
    if let Some(suspended) = holds("Suspended") {
        return Ok(Health::suspended(suspended.message));
    }
    let active = count(job, &["status", "active"])?;
    let succeeded = count(job, &["status", "succeeded"])?;
    let failed = count(job, &["status", "failed"])?;
    Ok(Health::progressing(format!(
        "Running: {active} active, {succeeded} succeeded, {failed} failed pods"
    )))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn job(conditions: Value) -> Value {
        json!({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
            "status": {"active": 1, "conditions": conditions}
        })
    }

    #[test]
    fn a_failed_job_is_degraded_with_the_condition_message() {
        let object = job(json!([{"type": "Failed", "status": "True",
            "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]));
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded("Job has reached the specified backoff limit")
        );
    }

    #[test]
    fn a_job_bound_to_fail_is_degraded_before_its_pods_are_gone() {
        let object = job(json!([{"type": "FailureTarget", "status": "True",
            "reason": "DeadlineExceeded"}]));
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded("DeadlineExceeded")
        );
    }

    #[test]
    fn a_resumed_job_is_running_again() {
        let object = job(json!([{"type": "Suspended", "status": "False",
            "reason": "JobResumed", "message": "Job resumed"}]));
        assert_eq!(
            assess(&object).unwrap(),
            Health::progressing("Running: 1 active, 0 succeeded, 0 failed pods")
        );
    }

    #[test]
    fn a_suspended_job_is_suspended_with_the_condition_message() {
        let object =
            job(json!([{"type": "Suspended", "status": "True", "message": "Job suspended"}]));
        assert_eq!(assess(&object).unwrap(), Health::suspended("Job suspended"));
    }

    #[test]
    fn a_complete_job_is_healthy() {
        let object = job(json!([{"type": "Complete", "status": "True"}]));
        assert_eq!(assess(&object).unwrap().status, Healthy);
    }
}
