//! PersistentVolumeClaim (`v1`): bound, being provisioned, waiting for a consumer, or lost.
//!
//! A Pending claim with a `storage-provisioner` annotation is being provisioned (Progressing).
//! Without one, it waits for a pod to use it (`WaitForFirstConsumer`) or for a matching
//! volume, and counts as Healthy so that a claim created before its pod does not hold back a
//! sync (Argo CD made the same change after the fixtures' commit).

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{annotation, text};

/// The annotations the volume controller sets once a provisioner is working on the claim.
const PROVISIONER_ANNOTATIONS: &[&str] = &[
    "volume.kubernetes.io/storage-provisioner",
    "volume.beta.kubernetes.io/storage-provisioner",
];

/// The health of a PersistentVolumeClaim.
pub(crate) fn assess(claim: &Value) -> Result<Health> {
    Ok(match text(claim, &["status", "phase"])? {
        "Bound" => Health::healthy(""),
        "Lost" => Health::degraded("The bound volume is lost"),
        "Pending" => {
            let mut provisioning = false;
            for key in PROVISIONER_ANNOTATIONS {
                provisioning |= annotation(claim, key)?.is_some();
            }
            if provisioning {
                Health::progressing("Waiting for the volume to be provisioned")
            } else {
                Health::healthy("Waiting for a pod to use the claim, or for a matching volume")
            }
        }
        phase => Health::unknown(format!("Unknown phase \"{phase}\"")),
    })
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn claim(annotations: Value, phase: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "annotations": annotations},
            "status": {"phase": phase}
        })
    }

    #[test]
    fn a_claim_being_provisioned_is_progressing() {
        let annotations = json!({"volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com"});
        assert_eq!(
            assess(&claim(annotations, "Pending")).unwrap().status,
            Progressing
        );
    }

    #[test]
    fn a_claim_waiting_for_its_first_consumer_is_healthy() {
        assert_eq!(
            assess(&claim(json!({}), "Pending")).unwrap().status,
            Healthy
        );
    }

    #[test]
    fn a_lost_claim_is_degraded() {
        assert_eq!(assess(&claim(json!({}), "Lost")).unwrap().status, Degraded);
    }

    #[test]
    fn a_claim_without_a_phase_is_unknown() {
        let object = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim"});
        assert_eq!(assess(&object).unwrap().status, Unknown);
    }
}
