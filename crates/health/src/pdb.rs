//! PodDisruptionBudget (`policy` v1, v1beta1): read from its `DisruptionAllowed` condition.
//!
//! A budget that allows no disruption because too few pods are healthy (`InsufficientPods`)
//! is still Healthy: a budget as strict as its replica count is a valid choice. Any other
//! `False` reason (`SyncFailed`: the selector cannot be resolved) is Degraded.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{conditions, count, find, generation_lags};

/// The health of a PodDisruptionBudget.
pub(crate) fn assess(budget: &Value) -> Result<Health> {
    if generation_lags(budget)? {
        return Ok(Health::progressing(
            "Waiting for the disruption controller to observe the latest spec",
        ));
    }
    let conditions = conditions(budget, &["status", "conditions"])?;
    let Some(allowed) = find(&conditions, "DisruptionAllowed") else {
        return Ok(Health::progressing("Waiting for status"));
    };
    let healthy = count(budget, &["status", "currentHealthy"])?;
    let desired = count(budget, &["status", "desiredHealthy"])?;
    if allowed.is_true() {
        let disruptions = count(budget, &["status", "disruptionsAllowed"])?;
        return Ok(Health::healthy(format!(
            "{disruptions} disruptions allowed; {healthy} pods healthy, {desired} required"
        )));
    }
    if allowed.is_false() && allowed.reason == "InsufficientPods" {
        return Ok(Health::healthy(format!(
            "No disruption allowed; {healthy} pods healthy, {desired} required"
        )));
    }
    if allowed.is_false() {
        return Ok(Health::degraded(allowed.summary()));
    }
    Ok(Health::progressing(allowed.summary()))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn budget(condition: Value, status: Value) -> Value {
        let mut status = status;
        status["observedGeneration"] = json!(1);
        status["conditions"] = json!([condition]);
        json!({
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "generation": 1},
            "spec": {"minAvailable": 2}, "status": status
        })
    }

    #[test]
    fn a_budget_allowing_disruptions_is_healthy() {
        let object = budget(
            json!({"type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods"}),
            json!({"currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::healthy("1 disruptions allowed; 3 pods healthy, 2 required")
        );
    }

    #[test]
    fn a_budget_short_of_healthy_pods_is_still_healthy() {
        let object = budget(
            json!({"type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods"}),
            json!({"currentHealthy": 1, "desiredHealthy": 2}),
        );
        assert_eq!(assess(&object).unwrap().status, Healthy);
    }

    #[test]
    fn a_budget_whose_controller_cannot_sync_it_is_degraded() {
        let object = budget(
            json!({"type": "DisruptionAllowed", "status": "False", "reason": "SyncFailed",
                   "message": "found no controllers for pod web-0"}),
            json!({}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded("SyncFailed: found no controllers for pod web-0")
        );
    }

    #[test]
    fn a_budget_without_status_is_waiting() {
        let object = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "web"}});
        assert_eq!(
            assess(&object).unwrap(),
            Health::progressing("Waiting for status")
        );
    }

    #[test]
    fn a_budget_with_a_new_spec_not_yet_observed_is_progressing() {
        let mut object = budget(
            json!({"type": "DisruptionAllowed", "status": "True"}),
            json!({}),
        );
        object["metadata"]["generation"] = json!(2);
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }
}
