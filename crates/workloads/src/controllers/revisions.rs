//! ControllerRevisions: the recorded pod templates of StatefulSets and DaemonSets, named
//! `<owner>-<hash>`, numbered, and labelled with `controller.kubernetes.io/hash`.

use serde_json::{Map, Value, json};

use super::deployment::template_hash;
use crate::change::Change;
use crate::object;
use crate::resources::REVISIONS;

/// The label holding a revision's hash.
pub const HASH_LABEL: &str = "controller.kubernetes.io/hash";
/// The pod label naming the revision a pod was made from.
pub const POD_REVISION_LABEL: &str = "controller-revision-hash";

/// The revisions of one owner and the one of its current template.
pub struct Revisions<'a> {
    owner: &'a Value,
    revisions: Vec<&'a Value>,
    /// The name of the revision of the owner's current template.
    pub update_name: String,
    /// The revision of the owner's current template, to create when missing.
    pub create: Option<Value>,
}

fn number(revision: &Value) -> i64 {
    object::integer(revision, "/revision").unwrap_or(0)
}

impl<'a> Revisions<'a> {
    /// The revisions of `owner` (its ControllerRevisions), with the current template's found or
    /// prepared.
    pub fn new(owner: &'a Value, revisions: Vec<&'a Value>) -> Revisions<'a> {
        let template = owner
            .pointer("/spec/template")
            .cloned()
            .unwrap_or(json!({}));
        // StatefulSets and DaemonSets always hash with a collision count (0 when unset).
        let collisions = object::integer(owner, "/status/collisionCount").unwrap_or(0);
        let hash = template_hash(&template, Some(collisions));
        let update_name = format!("{}-{hash}", object::name(owner));
        let exists = revisions
            .iter()
            .any(|revision| object::name(revision) == update_name);
        let create = (!exists).then(|| {
            let next = revisions
                .iter()
                .map(|revision| number(revision))
                .max()
                .unwrap_or(0)
                + 1;
            let mut labels: Map<String, Value> = template
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            labels.insert(HASH_LABEL.into(), json!(hash));
            let mut data_template = template.clone();
            if let Some(map) = data_template.as_object_mut() {
                let mut patched = Map::new();
                patched.insert("$patch".into(), json!("replace"));
                patched.extend(map.clone());
                *map = patched;
            }
            json!({
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": update_name,
                    "namespace": object::namespace(owner),
                    "labels": labels,
                    "ownerReferences": [object::owner_reference(owner)],
                },
                "data": {"spec": {"template": data_template}},
                "revision": next,
            })
        });
        Revisions {
            owner,
            revisions,
            update_name,
            create,
        }
    }

    /// The pod template recorded under `name` (the owner's current template when unknown).
    pub fn template(&self, name: &str) -> Value {
        self.revisions
            .iter()
            .find(|revision| object::name(revision) == name)
            .and_then(|revision| revision.pointer("/data/spec/template"))
            .map(|template| {
                let mut template = template.clone();
                if let Some(map) = template.as_object_mut() {
                    map.remove("$patch");
                }
                template
            })
            .unwrap_or_else(|| {
                self.owner
                    .pointer("/spec/template")
                    .cloned()
                    .unwrap_or(json!({}))
            })
    }

    /// The hash part of a revision name.
    pub fn hash_of(&self, name: &str) -> String {
        name.strip_prefix(&format!("{}-", object::name(self.owner)))
            .unwrap_or(name)
            .to_string()
    }

    /// The writes: the new revision, and deletions of unused ones beyond `revisionHistoryLimit`.
    pub fn changes(&self, in_use: &[&str]) -> Vec<Change> {
        let mut changes = Vec::new();
        if let Some(revision) = &self.create {
            changes.push(Change::Create {
                resource: &REVISIONS,
                object: revision.clone(),
            });
        }
        let limit = object::integer(self.owner, "/spec/revisionHistoryLimit").unwrap_or(10);
        let mut unused: Vec<&&Value> = self
            .revisions
            .iter()
            .filter(|revision| {
                let name = object::name(revision);
                name != self.update_name && !in_use.contains(&name)
            })
            .collect();
        unused.sort_by_key(|revision| number(revision));
        let excess = unused.len() as i64 - limit;
        for revision in unused.into_iter().take(excess.max(0) as usize) {
            changes.push(Change::Delete {
                resource: &REVISIONS,
                namespace: object::namespace(revision).to_string(),
                name: object::name(revision).to_string(),
                uid: object::uid(revision).to_string(),
            });
        }
        changes
    }
}
