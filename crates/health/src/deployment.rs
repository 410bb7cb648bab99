//! Deployment (`apps/v1`): paused, observed by its controller, rolled out, available.
//!
//! Beyond Argo CD's rule, a `ReplicaFailure` condition (pods that cannot be created: quota,
//! admission, a missing service account) is Degraded at once, with the API server's reason,
//! rather than Progressing until the progress deadline passes.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{conditions, count, find, flag, generation_lags, integer, name};

/// The health of a Deployment.
pub(crate) fn assess(deployment: &Value) -> Result<Health> {
    if flag(deployment, &["spec", "paused"])? {
        return Ok(Health::suspended("Deployment is paused"));
    }
    if generation_lags(deployment)? {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        ));
    }
    let conditions = conditions(deployment, &["status", "conditions"])?;
    if find(&conditions, "Progressing")
        .is_some_and(|progressing| progressing.reason == "ProgressDeadlineExceeded")
    {
        let name = name(deployment)?;
        return Ok(Health::degraded(format!(
            "Deployment \"{name}\" exceeded its progress deadline"
        )));
    }
    if let Some(failure) = find(&conditions, "ReplicaFailure").filter(|failure| failure.is_true()) {
        return Ok(Health::degraded(failure.summary()));
    }
    let desired = integer(deployment, &["spec", "replicas"])?.unwrap_or(1);
    let replicas = count(deployment, &["status", "replicas"])?;
    let updated = count(deployment, &["status", "updatedReplicas"])?;
    let available = count(deployment, &["status", "availableReplicas"])?;
    if updated < desired {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated..."
        )));
    }
    if replicas > updated {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        )));
    }
    if available < updated {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
        )));
    }
    Ok(Health::healthy(""))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment(spec: Value, status: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "generation": 2},
            "spec": spec, "status": status
        })
    }

    #[test]
    fn a_paused_deployment_is_suspended() {
        let paused = deployment(json!({"paused": true}), json!({}));
        assert_eq!(
            assess(&paused).unwrap(),
            Health::suspended("Deployment is paused")
        );
    }

    #[test]
    fn a_deployment_whose_spec_is_not_yet_observed_is_progressing() {
        let object = deployment(json!({"replicas": 1}), json!({"observedGeneration": 1}));
        assert_eq!(
            assess(&object).unwrap().status,
            ferry_types::HealthStatusCode::Progressing
        );
    }

    #[test]
    fn a_deployment_past_its_progress_deadline_is_degraded() {
        let object = deployment(
            json!({"replicas": 2}),
            json!({"observedGeneration": 2, "conditions": [
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
            ]}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded("Deployment \"web\" exceeded its progress deadline")
        );
    }

    #[test]
    fn a_deployment_that_cannot_create_pods_is_degraded_with_the_reason() {
        let object = deployment(
            json!({"replicas": 2}),
            json!({"observedGeneration": 2, "conditions": [{
                "type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                "message": "pods \"web-1\" is forbidden: exceeded quota: compute"
            }]}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded("FailedCreate: pods \"web-1\" is forbidden: exceeded quota: compute")
        );
    }

    #[test]
    fn a_rollout_reports_each_step_it_waits_for() {
        let cases = [
            (
                json!({"replicas": 3, "updatedReplicas": 1}),
                "Waiting for rollout to finish: 1 out of 3 new replicas have been updated...",
            ),
            (
                json!({"replicas": 4, "updatedReplicas": 3}),
                "Waiting for rollout to finish: 1 old replicas are pending termination...",
            ),
            (
                json!({"replicas": 3, "updatedReplicas": 3, "availableReplicas": 2}),
                "Waiting for rollout to finish: 2 of 3 updated replicas are available...",
            ),
        ];
        for (mut status, message) in cases {
            status["observedGeneration"] = json!(2);
            let object = deployment(json!({"replicas": 3}), status);
            assert_eq!(assess(&object).unwrap(), Health::progressing(message));
        }
    }

    #[test]
    fn a_fully_available_deployment_is_healthy() {
        let object = deployment(
            json!({"replicas": 2}),
            json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
        );
        assert_eq!(assess(&object).unwrap(), Health::healthy(""));
    }
}
