//! The ReplicaSets of one Deployment while a reconcile decides: which is new, their revisions,
//! and the scaling steps of the rolling, recreate and proportional strategies. Every decision
//! edits an in-memory copy; `finish` turns the edited copies into writes.

use serde_json::{Value, json};

use crate::change::{Change, Context, EventRecord, EventType};
use crate::object;
use crate::resources::REPLICA_SETS;

/// The annotation holding a revision number.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// The earlier revisions of a ReplicaSet that was rolled back to.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// The Deployment's replicas when the ReplicaSet was last scaled.
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
/// Replicas plus surge when the ReplicaSet was last scaled.
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
/// The label (and selector key) that ties pods to one template.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// Deployment annotations never copied onto ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

const COMPONENT: &str = "deployment-controller";

struct Entry {
    object: Value,
    created: bool,
    dirty: bool,
}

/// The ReplicaSets being decided on.
pub struct Sets<'a> {
    deployment: &'a Value,
    entries: Vec<Entry>,
    new: Option<usize>,
    events: Vec<EventRecord>,
    deletes: Vec<Change>,
    max_surge: i64,
    record_events: bool,
}

/// The revision number of an object (0 when absent).
pub fn revision(object: &Value) -> i64 {
    object::annotation(object, REVISION)
        .and_then(|text| text.parse().ok())
        .unwrap_or(0)
}

/// The pod template without the `pod-template-hash` label.
fn without_hash(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH);
    }
    template
}

/// The pod-template-hash of a template: FNV-32a over its canonical JSON and the collision count,
/// encoded like `rand.SafeEncodeString`.
pub fn template_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut bytes = object::canonical(template).into_bytes();
    if let Some(count) = collision_count {
        bytes.extend_from_slice(&(count as u32).to_le_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0]);
    }
    object::safe_encode(&object::fnv32a(&bytes).to_string())
}

impl<'a> Sets<'a> {
    /// The Deployment's ReplicaSets, oldest first.
    pub fn new(
        deployment: &'a Value,
        replica_sets: &[&Value],
        max_surge: i64,
        record_events: bool,
    ) -> Sets<'a> {
        let mut sorted: Vec<&Value> = replica_sets.to_vec();
        sorted.sort_by(|a, b| {
            let key = |rs: &Value| {
                (
                    object::text(rs, "/metadata/creationTimestamp")
                        .unwrap_or("")
                        .to_string(),
                    object::name(rs).to_string(),
                )
            };
            key(a).cmp(&key(b))
        });
        let template = deployment.pointer("/spec/template").map(without_hash);
        let new = sorted
            .iter()
            .position(|rs| rs.pointer("/spec/template").map(without_hash) == template);
        Sets {
            deployment,
            entries: sorted
                .into_iter()
                .map(|rs| Entry {
                    object: rs.clone(),
                    created: false,
                    dirty: false,
                })
                .collect(),
            new,
            events: Vec::new(),
            deletes: Vec::new(),
            max_surge,
            record_events,
        }
    }

    /// The Deployment's desired replicas.
    pub fn desired(&self) -> i64 {
        object::integer(self.deployment, "/spec/replicas").unwrap_or(1)
    }

    /// The new ReplicaSet's index.
    pub fn new_index(&self) -> Option<usize> {
        self.new
    }

    /// The new ReplicaSet's name.
    pub fn new_name(&self) -> Option<String> {
        self.new
            .map(|index| object::name(&self.entries[index].object).to_string())
    }

    /// Indices of the old ReplicaSets, oldest first.
    pub fn old(&self) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|index| Some(*index) != self.new)
            .collect()
    }

    /// Indices of every ReplicaSet.
    pub fn all(&self) -> Vec<usize> {
        (0..self.entries.len()).collect()
    }

    /// `spec.replicas` (as decided so far).
    pub fn spec_replicas(&self, index: usize) -> i64 {
        object::integer(&self.entries[index].object, "/spec/replicas").unwrap_or(0)
    }

    /// A `status` count.
    pub fn status_count(&self, index: usize, key: &str) -> i64 {
        object::integer(&self.entries[index].object, &format!("/status/{key}")).unwrap_or(0)
    }

    /// Sum of `spec.replicas`.
    pub fn desired_sum(&self, indices: &[usize]) -> i64 {
        indices.iter().map(|index| self.spec_replicas(*index)).sum()
    }

    /// Sum of a status count.
    pub fn status_sum(&self, indices: &[usize], key: &str) -> i64 {
        indices
            .iter()
            .map(|index| self.status_count(*index, key))
            .sum()
    }

    /// The uids of the ReplicaSets at `indices`.
    pub fn uids(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .map(|index| object::uid(&self.entries[*index].object).to_string())
            .collect()
    }

    /// True when an active ReplicaSet was last scaled for another replica count.
    pub fn is_scaling_event(&self) -> bool {
        let desired = self.desired();
        self.all().into_iter().any(|index| {
            self.spec_replicas(index) > 0
                && object::annotation(&self.entries[index].object, DESIRED_REPLICAS)
                    .and_then(|text| text.parse::<i64>().ok())
                    .is_some_and(|recorded| recorded != desired)
        })
    }

    /// Scales one ReplicaSet, records the Event, and says whether anything changed.
    pub fn scale(&mut self, index: usize, to: i64) -> bool {
        let from = self.spec_replicas(index);
        let desired = self.desired().to_string();
        let max = (self.desired() + self.max_surge).to_string();
        let entry = &mut self.entries[index];
        let annotations_current = object::annotation(&entry.object, DESIRED_REPLICAS)
            == Some(desired.as_str())
            && object::annotation(&entry.object, MAX_REPLICAS) == Some(max.as_str());
        if from == to && annotations_current {
            return false;
        }
        object::map_at(&mut entry.object, "spec").insert("replicas".into(), json!(to));
        object::set_annotation(&mut entry.object, DESIRED_REPLICAS, Some(&desired));
        object::set_annotation(&mut entry.object, MAX_REPLICAS, Some(&max));
        entry.dirty = true;
        if from != to && self.record_events {
            let direction = if to > from { "up" } else { "down" };
            let name = object::name(&self.entries[index].object).to_string();
            self.events.push(EventRecord::new(
                self.deployment,
                EventType::Normal,
                "ScalingReplicaSet",
                format!("Scaled {direction} replica set {name} from {from} to {to}"),
                COMPONENT,
            ));
        }
        from != to
    }

    /// The highest revision among the old ReplicaSets.
    pub fn max_old_revision(&self) -> i64 {
        self.old()
            .into_iter()
            .map(|index| revision(&self.entries[index].object))
            .max()
            .unwrap_or(0)
    }

    /// Brings the new ReplicaSet's revision, copied annotations and minReadySeconds up to date;
    /// returns its revision.
    pub fn sync_new(&mut self) -> Option<i64> {
        let index = self.new?;
        let next_revision = self.max_old_revision() + 1;
        let deployment = self.deployment;
        let entry = &mut self.entries[index];
        let before = entry.object.clone();
        let current = revision(&entry.object);
        if current < next_revision {
            object::set_annotation(
                &mut entry.object,
                REVISION,
                Some(&next_revision.to_string()),
            );
            if current > 0 {
                let history = match object::annotation(&entry.object, REVISION_HISTORY) {
                    Some(history) if !history.is_empty() => format!("{history},{current}"),
                    _ => current.to_string(),
                };
                object::set_annotation(&mut entry.object, REVISION_HISTORY, Some(&history));
            }
        }
        copy_annotations(deployment, &mut entry.object);
        let min_ready = deployment.pointer("/spec/minReadySeconds").cloned();
        let spec = object::map_at(&mut entry.object, "spec");
        match min_ready {
            Some(value) if value != json!(0) => {
                spec.insert("minReadySeconds".into(), value);
            }
            _ => {
                spec.remove("minReadySeconds");
            }
        }
        if entry.object != before {
            entry.dirty = true;
        }
        Some(revision(&entry.object))
    }

    /// Creates the new ReplicaSet with `replicas`; returns its revision.
    pub fn create_new(&mut self, replicas: i64, ctx: &Context<'_>) -> i64 {
        let deployment = self.deployment;
        let template = deployment
            .pointer("/spec/template")
            .cloned()
            .unwrap_or(json!({}));
        let mut collisions = object::integer(deployment, "/status/collisionCount");
        let mut hash = template_hash(&template, collisions);
        let base = object::name(deployment);
        while self
            .entries
            .iter()
            .any(|entry| object::name(&entry.object) == format!("{base}-{hash}"))
            && collisions.unwrap_or(0) < 10
        {
            collisions = Some(collisions.unwrap_or(0) + 1);
            hash = template_hash(&template, collisions);
        }
        let name = format!("{base}-{hash}");
        let revision = self.max_old_revision() + 1;
        let mut template = template;
        let mut labels = deployment
            .pointer("/spec/template/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        labels.insert(POD_TEMPLATE_HASH.into(), json!(hash));
        object::metadata_mut(&mut template).insert("labels".into(), Value::Object(labels.clone()));
        let mut selector = deployment
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or(json!({}));
        object::map_at(&mut selector, "matchLabels").insert(POD_TEMPLATE_HASH.into(), json!(hash));
        let mut replica_set = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": object::namespace(deployment),
                "labels": labels,
                "ownerReferences": [object::owner_reference(deployment)],
            },
            "spec": {"replicas": replicas},
        });
        copy_annotations(deployment, &mut replica_set);
        object::set_annotation(
            &mut replica_set,
            DESIRED_REPLICAS,
            Some(&self.desired().to_string()),
        );
        object::set_annotation(
            &mut replica_set,
            MAX_REPLICAS,
            Some(&(self.desired() + self.max_surge).to_string()),
        );
        object::set_annotation(&mut replica_set, REVISION, Some(&revision.to_string()));
        let spec = object::map_at(&mut replica_set, "spec");
        if let Some(min_ready) = deployment
            .pointer("/spec/minReadySeconds")
            .filter(|value| **value != json!(0))
        {
            spec.insert("minReadySeconds".into(), min_ready.clone());
        }
        spec.insert("selector".into(), selector);
        spec.insert("template".into(), template);
        if replicas > 0 && ctx.config.record_events {
            self.events.push(EventRecord::new(
                deployment,
                EventType::Normal,
                "ScalingReplicaSet",
                format!("Scaled up replica set {name} from 0 to {replicas}"),
                COMPONENT,
            ));
        }
        self.entries.push(Entry {
            object: replica_set,
            created: true,
            dirty: false,
        });
        self.new = Some(self.entries.len() - 1);
        revision
    }

    /// Deletes old ReplicaSets beyond `revisionHistoryLimit`, lowest revision first, if they
    /// have no replicas.
    pub fn clean_up(&mut self) {
        let Some(limit) = object::integer(self.deployment, "/spec/revisionHistoryLimit") else {
            return;
        };
        let mut old: Vec<usize> = self
            .old()
            .into_iter()
            .filter(|index| !object::is_deleting(&self.entries[*index].object))
            .collect();
        let excess = old.len() as i64 - limit;
        if excess <= 0 {
            return;
        }
        old.sort_by_key(|index| revision(&self.entries[*index].object));
        for index in old.into_iter().take(excess as usize) {
            let rs = &self.entries[index].object;
            let observed = object::integer(rs, "/status/observedGeneration").unwrap_or(0);
            if self.status_count(index, "replicas") != 0
                || self.spec_replicas(index) != 0
                || object::generation(rs) > observed
            {
                continue;
            }
            self.deletes.push(Change::Delete {
                resource: &REPLICA_SETS,
                namespace: object::namespace(rs).to_string(),
                name: object::name(rs).to_string(),
                uid: object::uid(rs).to_string(),
            });
        }
    }

    /// The writes decided: created and changed ReplicaSets, deletions, then Events.
    pub fn finish(self) -> Vec<Change> {
        let mut changes = Vec::new();
        for entry in self.entries {
            if entry.created {
                changes.push(Change::Create {
                    resource: &REPLICA_SETS,
                    object: entry.object,
                });
            } else if entry.dirty {
                changes.push(Change::Update {
                    resource: &REPLICA_SETS,
                    object: entry.object,
                });
            }
        }
        changes.extend(self.deletes);
        changes.extend(self.events.into_iter().map(Change::Record));
        changes
    }
}

fn copy_annotations(deployment: &Value, replica_set: &mut Value) {
    let Some(annotations) = deployment
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (key, value) in annotations {
        if NOT_COPIED.contains(&key.as_str()) {
            continue;
        }
        if let Some(value) = value.as_str() {
            object::set_annotation(replica_set, key, Some(value));
        }
    }
}
