//! The StatefulSet controller: pods `<name>-0..N` created in order (each waits for the previous
//! to be Running and Ready unless `podManagementPolicy: Parallel`), a PersistentVolumeClaim per
//! volumeClaimTemplate and ordinal, scale-down from the highest ordinal, rolling updates from the
//! highest ordinal down to the partition, and currentRevision/updateRevision in the status.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::pods::{self, PodIdentity, pod_from_template};
use super::revisions::{POD_REVISION_LABEL, Revisions};
use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{CLAIMS, PODS, STATEFUL_SETS};
use crate::scheduling;

const COMPONENT: &str = "statefulset-controller";

/// What the controller of one StatefulSet looks at.
pub struct StatefulSetInputs<'a> {
    /// The StatefulSet.
    pub stateful_set: &'a Value,
    /// The pods it controls.
    pub pods: Vec<&'a Value>,
    /// The PersistentVolumeClaims of its namespace.
    pub claims: Vec<&'a Value>,
    /// Its ControllerRevisions.
    pub revisions: Vec<&'a Value>,
    /// Nodes new pods may be placed on.
    pub ready_nodes: &'a [String],
}

fn running_and_ready(pod: &Value) -> bool {
    object::text(pod, "/status/phase") == Some("Running") && pods::is_ready(pod)
}

fn revision_of(pod: &Value) -> &str {
    object::text(pod, &format!("/metadata/labels/{POD_REVISION_LABEL}")).unwrap_or("")
}

struct Plan<'a, 'b> {
    set: &'a Value,
    ctx: &'b Context<'b>,
    outcome: Outcome,
}

impl Plan<'_, '_> {
    fn event(&mut self, kind: EventType, reason: &str, message: String) {
        if self.ctx.config.record_events {
            self.outcome
                .record(EventRecord::new(self.set, kind, reason, message, COMPONENT));
        }
    }

    fn delete_pod(&mut self, pod: &Value) {
        self.outcome.push(Change::Delete {
            resource: &PODS,
            namespace: object::namespace(pod).to_string(),
            name: object::name(pod).to_string(),
            uid: object::uid(pod).to_string(),
        });
        let message = format!(
            "delete Pod {} in StatefulSet {} successful",
            object::name(pod),
            object::name(self.set)
        );
        self.event(EventType::Normal, "SuccessfulDelete", message);
    }
}

/// One pass of the StatefulSet controller.
pub fn reconcile(inputs: &StatefulSetInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let set = inputs.stateful_set;
    if object::is_deleting(set) {
        return Outcome::none();
    }
    let name = object::name(set);
    let replicas = object::integer(set, "/spec/replicas").unwrap_or(1).max(0);
    let parallel = object::text(set, "/spec/podManagementPolicy") == Some("Parallel");
    let rolling = object::text(set, "/spec/updateStrategy/type") != Some("OnDelete");
    let partition =
        object::integer(set, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
    let revisions = Revisions::new(set, inputs.revisions.clone());
    let update_revision = revisions.update_name.clone();
    let current_revision = object::text(set, "/status/currentRevision")
        .filter(|name| !name.is_empty())
        .unwrap_or(&update_revision)
        .to_string();
    let mut by_ordinal: BTreeMap<i64, &Value> = BTreeMap::new();
    for pod in &inputs.pods {
        if let Some(ordinal) = object::name(pod)
            .strip_prefix(&format!("{name}-"))
            .and_then(|suffix| suffix.parse::<i64>().ok())
        {
            by_ordinal.insert(ordinal, pod);
        }
    }
    let mut plan = Plan {
        set,
        ctx,
        outcome: Outcome::none(),
    };
    plan.outcome
        .changes
        .extend(revisions.changes(&[&current_revision]));
    let mut busy = false;
    for ordinal in 0..replicas {
        match by_ordinal.get(&ordinal) {
            None => {
                let revision = if rolling && ordinal < partition {
                    current_revision.clone()
                } else {
                    update_revision.clone()
                };
                create_pod(&mut plan, &revisions, inputs, ordinal, &revision);
                busy = true;
            }
            Some(pod) if !pods::is_active(pod) && !object::is_deleting(pod) => {
                plan.delete_pod(pod);
                busy = true;
            }
            Some(pod) if !running_and_ready(pod) => busy = true,
            Some(_) => continue,
        }
        if !parallel && busy {
            break;
        }
    }
    let extra: Vec<&Value> = by_ordinal
        .range(replicas..)
        .rev()
        .map(|(_, pod)| *pod)
        .collect();
    if (parallel || !busy) && !extra.is_empty() {
        let count = if parallel { extra.len() } else { 1 };
        for pod in extra.into_iter().take(count) {
            plan.delete_pod(pod);
        }
        busy = true;
    }
    if rolling && !busy {
        let stale = by_ordinal
            .range(partition.max(0)..replicas)
            .rev()
            .find(|(_, pod)| revision_of(pod) != update_revision)
            .map(|(_, pod)| *pod);
        if let Some(pod) = stale {
            plan.delete_pod(pod);
        }
    }
    let status = status(
        set,
        &inputs.pods,
        &current_revision,
        &update_revision,
        rolling,
        ctx,
    );
    let mut outcome = plan.outcome;
    if set.get("status") != Some(&status) {
        let mut updated = set.clone();
        object::ensure_map(&mut updated).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &STATEFUL_SETS,
            object: updated,
        });
    }
    outcome
}

fn create_pod(
    plan: &mut Plan<'_, '_>,
    revisions: &Revisions<'_>,
    inputs: &StatefulSetInputs<'_>,
    ordinal: i64,
    revision: &str,
) {
    let set = plan.set;
    let name = object::name(set);
    let pod_name = format!("{name}-{ordinal}");
    let mut volumes = Vec::new();
    for template in set
        .pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let volume = object::name(template);
        let claim_name = format!("{volume}-{pod_name}");
        volumes.push(json!({"name": volume, "persistentVolumeClaim": {"claimName": claim_name}}));
        if inputs
            .claims
            .iter()
            .any(|claim| object::name(claim) == claim_name)
        {
            continue;
        }
        let mut claim = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim_name, "namespace": object::namespace(set)},
            "spec": template.get("spec").cloned().unwrap_or(json!({})),
        });
        if let Some(labels) = set.pointer("/spec/selector/matchLabels") {
            object::metadata_mut(&mut claim).insert("labels".into(), labels.clone());
        }
        plan.outcome.push(Change::Create {
            resource: &CLAIMS,
            object: claim,
        });
        let message =
            format!("create Claim {claim_name} Pod {pod_name} in StatefulSet {name} success");
        plan.event(EventType::Normal, "SuccessfulCreate", message);
    }
    let template = revisions.template(revision);
    let pod = pod_from_template(
        set,
        &template,
        PodIdentity {
            name: pod_name.clone(),
            generate_name: Some(format!("{name}-")),
            labels: vec![
                ("apps.kubernetes.io/pod-index".into(), ordinal.to_string()),
                (POD_REVISION_LABEL.into(), revision.to_string()),
                (
                    "statefulset.kubernetes.io/pod-name".into(),
                    pod_name.clone(),
                ),
            ],
            node: scheduling::pick_node(inputs.ready_nodes, &pod_name),
            hostname: Some((
                pod_name.clone(),
                object::text(set, "/spec/serviceName")
                    .unwrap_or("")
                    .to_string(),
            )),
            volumes,
        },
        plan.ctx.names,
    );
    plan.outcome.push(Change::Create {
        resource: &PODS,
        object: pod,
    });
    let message = format!("create Pod {pod_name} in StatefulSet {name} successful");
    plan.event(EventType::Normal, "SuccessfulCreate", message);
}

fn status(
    set: &Value,
    pods: &[&Value],
    current_revision: &str,
    update_revision: &str,
    rolling: bool,
    ctx: &Context<'_>,
) -> Value {
    let active: Vec<&&Value> = pods.iter().filter(|pod| pods::is_active(pod)).collect();
    let min_ready = object::integer(set, "/spec/minReadySeconds").unwrap_or(0);
    let count =
        |check: &dyn Fn(&Value) -> bool| active.iter().filter(|pod| check(pod)).count() as i64;
    let replicas = active.len() as i64;
    let ready = count(&|pod| pods::is_ready(pod));
    let available = count(&|pod| pods::is_available(pod, min_ready, ctx.now));
    let updated = count(&|pod| revision_of(pod) == update_revision);
    let (mut current_revision, mut current) = (
        current_revision.to_string(),
        count(&|pod| revision_of(pod) == current_revision),
    );
    if rolling && updated == replicas && ready == replicas {
        current_revision = update_revision.to_string();
        current = updated;
    }
    let mut status = Map::new();
    status.insert("observedGeneration".into(), json!(object::generation(set)));
    status.insert("replicas".into(), json!(replicas));
    for (key, value) in [
        ("readyReplicas", ready),
        ("currentReplicas", current),
        ("updatedReplicas", updated),
    ] {
        if value != 0 {
            status.insert(key.into(), json!(value));
        }
    }
    status.insert("currentRevision".into(), json!(current_revision));
    status.insert("updateRevision".into(), json!(update_revision));
    status.insert(
        "collisionCount".into(),
        set.pointer("/status/collisionCount")
            .cloned()
            .unwrap_or(json!(0)),
    );
    status.insert("availableReplicas".into(), json!(available));
    Value::Object(status)
}

#[cfg(test)]
mod tests;
