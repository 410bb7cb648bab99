//! ReplicaSet (`apps/v1`): observed by its controller, able to create pods, available.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{conditions, count, find, generation_lags, integer};

/// The health of a ReplicaSet.
pub(crate) fn assess(replica_set: &Value) -> Result<Health> {
    if generation_lags(replica_set)? {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        ));
    }
    let conditions = conditions(replica_set, &["status", "conditions"])?;
    if let Some(failure) = find(&conditions, "ReplicaFailure").filter(|failure| failure.is_true()) {
        return Ok(Health::degraded(failure.summary()));
    }
    let desired = integer(replica_set, &["spec", "replicas"])?.unwrap_or(1);
    let available = count(replica_set, &["status", "availableReplicas"])?;
    if available < desired {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {available} out of {desired} new replicas are available..."
        )));
    }
    Ok(Health::healthy(""))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn replica_set(replicas: i64, status: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-5d8f", "generation": 1},
            "spec": {"replicas": replicas}, "status": status
        })
    }

    #[test]
    fn a_replica_set_with_a_replica_failure_is_degraded_with_its_reason() {
        let object = replica_set(
            2,
            json!({"observedGeneration": 1, "conditions": [{
                "type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                "message": "pods \"web-5d8f-x\" is forbidden: error looking up service account default/web: serviceaccount \"web\" not found"
            }]}),
        );
        let health = assess(&object).unwrap();
        assert_eq!(health.status, Degraded);
        assert!(health.message.starts_with("FailedCreate: "));
        assert!(health.message.contains("serviceaccount \"web\" not found"));
    }

    #[test]
    fn a_replica_failure_that_has_cleared_does_not_count() {
        let object = replica_set(
            1,
            json!({"observedGeneration": 1, "availableReplicas": 1, "conditions": [
                {"type": "ReplicaFailure", "status": "False"}
            ]}),
        );
        assert_eq!(assess(&object).unwrap(), Health::healthy(""));
    }

    #[test]
    fn a_replica_set_short_of_available_replicas_is_progressing() {
        let object = replica_set(3, json!({"observedGeneration": 1, "availableReplicas": 1}));
        assert_eq!(
            assess(&object).unwrap(),
            Health::progressing(
                "Waiting for rollout to finish: 1 out of 3 new replicas are available..."
            )
        );
    }

    #[test]
    fn a_replica_set_not_yet_observed_is_progressing() {
        let object = replica_set(1, json!({}));
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }
}
