//! DaemonSet (`apps/v1`): observed, and its pods updated and available on every node.
//!
//! Argo CD counts an `OnDelete` DaemonSet Healthy without looking at its pods; ferry still
//! waits for them to be available, since `OnDelete` only changes when pods are replaced.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{count, generation_lags, name, text};

/// The health of a DaemonSet.
pub(crate) fn assess(daemon_set: &Value) -> Result<Health> {
    if generation_lags(daemon_set)? {
        return Ok(Health::progressing(
            "Waiting for the daemon set controller to observe the latest spec",
        ));
    }
    let name = name(daemon_set)?;
    let desired = count(daemon_set, &["status", "desiredNumberScheduled"])?;
    let updated = count(daemon_set, &["status", "updatedNumberScheduled"])?;
    let available = count(daemon_set, &["status", "numberAvailable"])?;
    let on_delete = text(daemon_set, &["spec", "updateStrategy", "type"])? == "OnDelete";
    if !on_delete && updated < desired {
        return Ok(Health::progressing(format!(
            "Waiting for daemon set \"{name}\" rollout: {updated} of {desired} pods updated"
        )));
    }
    if available < desired {
        return Ok(Health::progressing(format!(
            "Waiting for daemon set \"{name}\" rollout: {available} of {desired} pods available"
        )));
    }
    if on_delete {
        return Ok(Health::healthy(format!(
            "{available} of {desired} pods available; old pods are replaced only when deleted (OnDelete)"
        )));
    }
    Ok(Health::healthy(""))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn daemon_set(strategy: &str, status: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "generation": 1},
            "spec": {"updateStrategy": {"type": strategy}},
            "status": status
        })
    }

    #[test]
    fn a_daemon_set_with_pods_not_yet_updated_is_progressing() {
        let status = json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
            "updatedNumberScheduled": 2, "numberAvailable": 3});
        assert_eq!(
            assess(&daemon_set("RollingUpdate", status)).unwrap(),
            Health::progressing("Waiting for daemon set \"agent\" rollout: 2 of 3 pods updated")
        );
    }

    #[test]
    fn an_on_delete_daemon_set_with_old_pods_is_healthy_once_they_are_available() {
        let status = json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
            "updatedNumberScheduled": 1, "numberAvailable": 3});
        assert_eq!(
            assess(&daemon_set("OnDelete", status)).unwrap().status,
            Healthy
        );
    }

    #[test]
    fn an_on_delete_daemon_set_with_unavailable_pods_is_progressing() {
        let status = json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
            "numberAvailable": 2});
        assert_eq!(
            assess(&daemon_set("OnDelete", status)).unwrap().status,
            Progressing
        );
    }

    #[test]
    fn a_daemon_set_not_yet_observed_is_progressing() {
        let status = json!({"observedGeneration": 0});
        assert_eq!(
            assess(&daemon_set("RollingUpdate", status)).unwrap().status,
            Progressing
        );
    }
}
