//! PersistentVolumeClaims bound to simulated PersistentVolumes: a volume is provisioned for each
//! pending claim (capacity, access modes, reclaim policy Delete, claimRef), both sides are marked
//! Bound, and the volume is removed once its claim is gone.

use serde_json::{Value, json};

use crate::change::{Change, Context, Outcome};
use crate::object;
use crate::resources::{CLAIMS, VOLUMES};

/// The provisioner named on the volumes this controller makes.
pub const PROVISIONER: &str = "ferry.dev/simulated-provisioner";

/// What the binder of one claim looks at.
pub struct ClaimInputs<'a> {
    /// The claim's namespace.
    pub namespace: &'a str,
    /// The claim's name.
    pub name: &'a str,
    /// The claim, unless it is gone.
    pub claim: Option<&'a Value>,
    /// Every PersistentVolume.
    pub volumes: Vec<&'a Value>,
}

fn claimed_by(volume: &Value, namespace: &str, name: &str) -> bool {
    object::text(volume, "/spec/claimRef/namespace") == Some(namespace)
        && object::text(volume, "/spec/claimRef/name") == Some(name)
}

/// Provisions and binds, or cleans up after a deleted claim.
pub fn reconcile(inputs: &ClaimInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let mut outcome = Outcome::none();
    let Some(claim) = inputs.claim.filter(|claim| !object::is_deleting(claim)) else {
        if inputs.claim.is_none() {
            for volume in &inputs.volumes {
                if claimed_by(volume, inputs.namespace, inputs.name)
                    && object::annotation(volume, "pv.kubernetes.io/provisioned-by")
                        == Some(PROVISIONER)
                {
                    outcome.push(Change::Delete {
                        resource: &VOLUMES,
                        namespace: String::new(),
                        name: object::name(volume).to_string(),
                        uid: object::uid(volume).to_string(),
                    });
                }
            }
        }
        return outcome;
    };
    let volume = inputs.volumes.iter().copied().find(|volume| {
        object::text(volume, "/spec/claimRef/uid") == Some(object::uid(claim))
            || object::text(claim, "/spec/volumeName") == Some(object::name(volume))
    });
    let access_modes = claim
        .pointer("/spec/accessModes")
        .cloned()
        .unwrap_or(json!(["ReadWriteOnce"]));
    let capacity = json!({
        "storage": claim.pointer("/spec/resources/requests/storage").cloned().unwrap_or(json!("1Gi"))
    });
    let Some(volume) = volume else {
        let name = format!("pvc-{}", object::uid(claim));
        let mut spec = json!({
            "capacity": capacity,
            "accessModes": access_modes,
            "persistentVolumeReclaimPolicy": "Delete",
            "volumeMode": claim.pointer("/spec/volumeMode").cloned().unwrap_or(json!("Filesystem")),
            "claimRef": {
                "kind": "PersistentVolumeClaim", "namespace": object::namespace(claim),
                "name": object::name(claim), "uid": object::uid(claim), "apiVersion": "v1",
                "resourceVersion": object::text(claim, "/metadata/resourceVersion").unwrap_or(""),
            },
            "hostPath": {"path": format!("/var/lib/ferry/volumes/{name}"), "type": ""},
        });
        if let Some(class) = claim.pointer("/spec/storageClassName") {
            spec["storageClassName"] = class.clone();
        }
        outcome.push(Change::Create {
            resource: &VOLUMES,
            object: json!({
                "apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
                "spec": spec,
            }),
        });
        return outcome;
    };
    if object::text(volume, "/status/phase") != Some("Bound") {
        let mut bound = volume.clone();
        object::ensure_map(&mut bound).insert(
            "status".into(),
            json!({"phase": "Bound", "lastPhaseTransitionTime": ctx.timestamp()}),
        );
        outcome.push(Change::UpdateStatus {
            resource: &VOLUMES,
            object: bound,
        });
    }
    let annotations = [
        ("pv.kubernetes.io/bind-completed", "yes"),
        ("pv.kubernetes.io/bound-by-controller", "yes"),
        ("volume.beta.kubernetes.io/storage-provisioner", PROVISIONER),
        ("volume.kubernetes.io/storage-provisioner", PROVISIONER),
    ];
    let annotated = annotations
        .iter()
        .all(|(key, value)| object::annotation(claim, key) == Some(value));
    if object::text(claim, "/spec/volumeName") != Some(object::name(volume)) || !annotated {
        let mut updated = claim.clone();
        for (key, value) in annotations {
            object::set_annotation(&mut updated, key, Some(value));
        }
        object::map_at(&mut updated, "spec")
            .insert("volumeName".into(), json!(object::name(volume)));
        outcome.push(Change::Update {
            resource: &CLAIMS,
            object: updated,
        });
        return outcome;
    }
    let status = json!({"phase": "Bound", "accessModes": access_modes, "capacity": capacity});
    if claim.get("status") != Some(&status) {
        let mut updated = claim.clone();
        object::ensure_map(&mut updated).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &CLAIMS,
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
    use std::time::SystemTime;

    fn claim() -> Value {
        json!({"metadata": {"name": "data-store-0", "namespace": "demo", "uid": "claim-uid", "resourceVersion": "5"},
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Pending"}})
    }

    fn run(claim: Option<&Value>, volumes: Vec<&Value>) -> Outcome {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: SystemTime::now(),
            config: &config,
            names: &names,
        };
        reconcile(
            &ClaimInputs {
                namespace: "demo",
                name: "data-store-0",
                claim,
                volumes,
            },
            &ctx,
        )
    }

    fn only(outcome: &Outcome) -> &Change {
        match &outcome.changes[..] {
            [change] => change,
            other => panic!("expected one change, got {other:?}"),
        }
    }

    #[test]
    fn a_pending_claim_gets_a_volume_then_both_become_bound() {
        let claim = claim();
        let Change::Create { object: volume, .. } = only(&run(Some(&claim), vec![])).clone() else {
            panic!("expected a volume");
        };
        assert_eq!(volume["metadata"]["name"], "pvc-claim-uid");
        assert_eq!(volume["spec"]["capacity"]["storage"], "1Gi");
        assert_eq!(volume["spec"]["claimRef"]["uid"], "claim-uid");
        let outcome = run(Some(&claim), vec![&volume]);
        assert!(
            matches!(&outcome.changes[0], Change::UpdateStatus { object, .. } if object["status"]["phase"] == "Bound")
        );
        let Change::Update {
            object: bound_claim,
            ..
        } = &outcome.changes[1]
        else {
            panic!("expected the claim to be bound");
        };
        assert_eq!(bound_claim["spec"]["volumeName"], "pvc-claim-uid");
        let mut bound_volume = volume.clone();
        bound_volume["status"] = json!({"phase": "Bound"});
        let Change::UpdateStatus { object, .. } =
            only(&run(Some(bound_claim), vec![&bound_volume])).clone()
        else {
            panic!("expected the claim status");
        };
        assert_eq!(
            object["status"],
            json!({"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}})
        );
    }

    #[test]
    fn the_volume_of_a_deleted_claim_is_deleted() {
        let volume = json!({"metadata": {"name": "pvc-x", "uid": "pv-uid",
                                         "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
                            "spec": {"claimRef": {"namespace": "demo", "name": "data-store-0"}}});
        assert!(
            matches!(only(&run(None, vec![&volume])), Change::Delete { name, .. } if name == "pvc-x")
        );
    }
}
