//! StatefulSet (`apps/v1`): observed, ready, and rolled out under its update strategy.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{count, integer, lookup, text};

/// The health of a StatefulSet.
pub(crate) fn assess(stateful_set: &Value) -> Result<Health> {
    let generation = count(stateful_set, &["metadata", "generation"])?;
    let observed = count(stateful_set, &["status", "observedGeneration"])?;
    if observed == 0 || generation > observed {
        return Ok(Health::progressing(
            "Waiting for the statefulset controller to observe the latest spec",
        ));
    }
    let desired = integer(stateful_set, &["spec", "replicas"])?.unwrap_or(1);
    let ready = count(stateful_set, &["status", "readyReplicas"])?;
    if ready < desired {
        return Ok(Health::progressing(format!(
            "Waiting for {} of {desired} pods to be ready",
            desired - ready
        )));
    }
    let strategy = text(stateful_set, &["spec", "updateStrategy", "type"])?;
    let updated = count(stateful_set, &["status", "updatedReplicas"])?;
    let rolling_update = lookup(stateful_set, &["spec", "updateStrategy", "rollingUpdate"])?;
    if strategy == "RollingUpdate" && rolling_update.is_some() {
        let partition = integer(
            stateful_set,
            &["spec", "updateStrategy", "rollingUpdate", "partition"],
        )?;
        if let Some(partition) = partition {
            let target = desired - partition;
            if updated < target {
                return Ok(Health::progressing(format!(
                    "Waiting for the partitioned rolling update: {updated} of {target} pods from ordinal {partition} up updated"
                )));
            }
        }
        return Ok(Health::healthy(format!(
            "Rolling update complete: {updated} pods updated"
        )));
    }
    if strategy == "OnDelete" {
        return Ok(Health::healthy(format!("{ready} pods ready")));
    }
    let update_revision = text(stateful_set, &["status", "updateRevision"])?;
    let current_revision = text(stateful_set, &["status", "currentRevision"])?;
    if update_revision != current_revision {
        return Ok(Health::progressing(format!(
            "Waiting for the rolling update: {updated} pods at revision {update_revision}"
        )));
    }
    let current = count(stateful_set, &["status", "currentReplicas"])?;
    Ok(Health::healthy(format!(
        "Rolling update complete: {current} pods at revision {current_revision}"
    )))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn stateful_set(strategy: Value, status: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "generation": 3},
            "spec": {"replicas": 3, "updateStrategy": strategy},
            "status": status
        })
    }

    #[test]
    fn a_stateful_set_never_observed_is_progressing() {
        let object = stateful_set(json!({"type": "OnDelete"}), json!({}));
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }

    #[test]
    fn a_stateful_set_with_pods_not_ready_is_progressing() {
        let object = stateful_set(
            json!({"type": "OnDelete"}),
            json!({"observedGeneration": 3, "readyReplicas": 1}),
        );
        assert_eq!(
            assess(&object).unwrap(),
            Health::progressing("Waiting for 2 of 3 pods to be ready")
        );
    }

    #[test]
    fn a_partitioned_rollout_waits_for_the_pods_above_the_partition() {
        let strategy = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 1}});
        let status = json!({"observedGeneration": 3, "readyReplicas": 3, "updatedReplicas": 1});
        let object = stateful_set(strategy.clone(), status);
        assert_eq!(assess(&object).unwrap().status, Progressing);
        let status = json!({"observedGeneration": 3, "readyReplicas": 3, "updatedReplicas": 2});
        assert_eq!(
            assess(&stateful_set(strategy, status)).unwrap().status,
            Healthy
        );
    }

    #[test]
    fn a_rolling_update_without_a_block_compares_revisions() {
        let status = json!({
            "observedGeneration": 3, "readyReplicas": 3, "updatedReplicas": 1,
            "currentRevision": "db-1", "updateRevision": "db-2"
        });
        let object = stateful_set(json!({"type": "RollingUpdate"}), status);
        assert_eq!(
            assess(&object).unwrap(),
            Health::progressing("Waiting for the rolling update: 1 pods at revision db-2")
        );
    }
}
