//! What the real control plane does around writes, done inline: default namespaces at first
//! start, CRDs becoming Established, namespace termination, garbage collection of dependents,
//! and ClusterRole aggregation (`aggregation`).

use std::sync::Arc;

use serde_json::{Value, json};

use super::ClusterState;
use super::common::commit;
use super::delete::{self, DeleteOptions};
use crate::error::Result;
use crate::object::{meta, time};
use crate::registry::ResourceInfo;
use crate::store::{Change, ObjectKey, Precondition, TypeKey, resource_version_of};

/// Namespaces every cluster starts with.
const DEFAULT_NAMESPACES: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];

/// Creates the default namespaces when missing (blocking: runs before serving).
pub fn bootstrap(state: &Arc<ClusterState>) -> Result<()> {
    let Some(info) = info_for(state, "", "namespaces") else {
        return Ok(());
    };
    for name in DEFAULT_NAMESPACES {
        let key = ObjectKey::new("", "namespaces", "", name);
        if state.store.get(&key).is_some() {
            continue;
        }
        let object = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
        let ownership = super::ownership::Ownership::Update("kube-apiserver".into());
        if let Ok(mut object) = super::create::prepare(state, &info, object, &ownership) {
            meta::reserve_resource_version(&mut object);
            match state
                .store
                .commit(&key, Change::Put(object), Precondition::Absent)
            {
                Ok(_) | Err(crate::Error::AlreadyExists) => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(())
}

/// The served resource of a stored type (any served version).
pub fn info_for(state: &ClusterState, group: &str, resource: &str) -> Option<Arc<ResourceInfo>> {
    state
        .registry
        .all()
        .into_iter()
        .find(|info| info.group == group && info.resource == resource)
}

/// The status a CRD is created with (the controller then accepts its names).
pub fn initial_crd_status(object: &mut Value) {
    let storage = object
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .and_then(|versions| versions.iter().find(|version| version["storage"] == true))
        .and_then(|version| version["name"].as_str())
        .unwrap_or("")
        .to_string();
    if let Some(map) = object.as_object_mut() {
        map.insert(
            "status".into(),
            json!({"acceptedNames": {"kind": "", "plural": ""}, "conditions": null, "storedVersions": [storage]}),
        );
    }
}

/// Runs the controllers' reactions to a committed create or update.
pub async fn after_write(state: &Arc<ClusterState>, info: &ResourceInfo, object: &Arc<Value>) {
    match (info.group.as_str(), info.resource.as_str()) {
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            establish(state, object).await;
            state.refresh_custom_resources();
        }
        ("", "namespaces") if meta::is_deleting(object) => {
            terminate_namespace(state, meta::name(object)).await;
        }
        ("rbac.authorization.k8s.io", "clusterroles") => {
            Box::pin(super::aggregation::aggregate(state)).await;
        }
        _ => {}
    }
}

/// Runs the controllers' reactions to an object that is gone.
pub async fn after_delete(state: &Arc<ClusterState>, info: &ResourceInfo, object: &Value) {
    if (info.group.as_str(), info.resource.as_str())
        == ("rbac.authorization.k8s.io", "clusterroles")
    {
        Box::pin(super::aggregation::aggregate(state)).await;
    }
    if (info.group.as_str(), info.resource.as_str())
        == ("apiextensions.k8s.io", "customresourcedefinitions")
    {
        let group = object
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .unwrap_or("");
        let plural = object
            .pointer("/spec/names/plural")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (items, _) = state.store.list(&TypeKey::new(group, plural), None);
        for item in items {
            let key = ObjectKey::new(
                group,
                plural,
                item.pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                meta::name(&item),
            );
            let _ = commit(state, key, Change::Delete, Precondition::Exists).await;
        }
        state.refresh_custom_resources();
    }
    if let Some(uid) = meta::text(object, "uid") {
        collect_garbage(state, uid.to_string()).await;
    }
    if let Some(namespace) =
        meta::text(object, "namespace").filter(|namespace| !namespace.is_empty())
    {
        finalize_namespace_if_empty(state, namespace).await;
    }
}

async fn establish(state: &Arc<ClusterState>, crd: &Arc<Value>) {
    let established = crd
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|condition| condition["type"] == "Established")
        });
    if established || meta::is_deleting(crd) {
        return;
    }
    let now = time::now();
    let mut updated = (**crd).clone();
    let names = updated.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let stored_versions = updated
        .pointer("/status/storedVersions")
        .cloned()
        .unwrap_or(json!([]));
    if let Some(map) = updated.as_object_mut() {
        map.insert(
            "status".into(),
            json!({
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now, "reason": "NoConflicts", "message": "no conflicts found"},
                    {"type": "Established", "status": "True", "lastTransitionTime": now, "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
                ],
                "acceptedNames": names,
                "storedVersions": stored_versions,
            }),
        );
    }
    if let Some(info) = info_for(state, "apiextensions.k8s.io", "customresourcedefinitions") {
        let ownership = super::ownership::Ownership::Update("kube-apiserver".into());
        super::ownership::record(&info, Some("status"), crd, &updated, None, &ownership)
            .write_to(&mut updated);
    }
    let key = ObjectKey::new(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "",
        meta::name(crd),
    );
    let precondition = Precondition::ResourceVersion(resource_version_of(crd));
    let _ = commit(state, key, Change::Put(updated), precondition).await;
}

/// Deletes everything in a terminating namespace, then the namespace once it is empty.
async fn terminate_namespace(state: &Arc<ClusterState>, namespace: &str) {
    for key in state.store.keys_in_namespace(namespace) {
        let Some(info) = info_for(state, &key.group, &key.resource) else {
            continue;
        };
        let _ = delete::delete_object(state, &info, key, DeleteOptions::default()).await;
    }
    finalize_namespace_if_empty(state, namespace).await;
}

async fn finalize_namespace_if_empty(state: &Arc<ClusterState>, namespace: &str) {
    let key = ObjectKey::new("", "namespaces", "", namespace);
    let Some(object) = state.store.get(&key) else {
        return;
    };
    if !meta::is_deleting(&object) || !state.store.keys_in_namespace(namespace).is_empty() {
        return;
    }
    let precondition = Precondition::ResourceVersion(resource_version_of(&object));
    let _ = commit(state, key, Change::Delete, precondition).await;
}

/// Deletes (in the background) every object owned by a deleted uid, and what they own in turn.
async fn collect_garbage(state: &Arc<ClusterState>, uid: String) {
    let mut pending = vec![uid];
    let mut visited = 0usize;
    while let Some(owner) = pending.pop() {
        visited += 1;
        if visited > 100_000 {
            return;
        }
        for type_key in state.store.types() {
            let Some(info) = info_for(state, &type_key.group, &type_key.resource) else {
                continue;
            };
            let (items, _) = state.store.list(&type_key, None);
            for item in items {
                let owned = item
                    .pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|owners| {
                        owners
                            .iter()
                            .any(|reference| reference["uid"] == owner.as_str())
                    });
                if !owned {
                    continue;
                }
                let key = ObjectKey::new(
                    &type_key.group,
                    &type_key.resource,
                    item.pointer("/metadata/namespace")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                    meta::name(&item),
                );
                if let Ok(delete::Deleted::Gone(gone)) =
                    delete::delete_object(state, &info, key, DeleteOptions::default()).await
                    && let Some(uid) = meta::text(&gone, "uid")
                {
                    pending.push(uid.to_string());
                }
            }
        }
    }
}

/// Completes Foreground (dependents deleted first) and Orphan (dependents released) deletion,
/// then removes the finalizer that held the owner.
pub async fn propagate(state: &Arc<ClusterState>, info: &ResourceInfo, object: &Value) {
    let Some(uid) = meta::text(object, "uid").map(str::to_string) else {
        return;
    };
    let finalizers = meta::finalizers(object);
    let key = ObjectKey::new(
        &info.group,
        &info.resource,
        meta::text(object, "namespace").unwrap_or(""),
        meta::name(object),
    );
    if finalizers.iter().any(|finalizer| finalizer == "orphan") {
        release_dependents(state, &uid).await;
        remove_finalizer(state, info, &key, "orphan").await;
    }
    if finalizers
        .iter()
        .any(|finalizer| finalizer == "foregroundDeletion")
    {
        collect_garbage(state, uid).await;
        remove_finalizer(state, info, &key, "foregroundDeletion").await;
    }
}

async fn release_dependents(state: &Arc<ClusterState>, uid: &str) {
    for type_key in state.store.types() {
        let (items, _) = state.store.list(&type_key, None);
        for item in items {
            let Some(owners) = item
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
            else {
                continue;
            };
            if !owners.iter().any(|reference| reference["uid"] == uid) {
                continue;
            }
            let remaining: Vec<Value> = owners
                .iter()
                .filter(|reference| reference["uid"] != uid)
                .cloned()
                .collect();
            let mut updated = (*item).clone();
            if let Some(metadata) = meta::metadata_mut(&mut updated) {
                if remaining.is_empty() {
                    metadata.remove("ownerReferences");
                } else {
                    metadata.insert("ownerReferences".into(), Value::Array(remaining));
                }
            }
            let key = ObjectKey::new(
                &type_key.group,
                &type_key.resource,
                meta::text(&item, "namespace").unwrap_or(""),
                meta::name(&item),
            );
            let precondition = Precondition::ResourceVersion(resource_version_of(&item));
            let _ = commit(state, key, Change::Put(updated), precondition).await;
        }
    }
}

/// Removes one finalizer; an object being deleted whose last finalizer goes is removed.
async fn remove_finalizer(
    state: &Arc<ClusterState>,
    info: &ResourceInfo,
    key: &ObjectKey,
    finalizer: &str,
) {
    for _ in 0..10 {
        let Some(current) = state.store.get(key) else {
            return;
        };
        let remaining: Vec<String> = meta::finalizers(&current)
            .into_iter()
            .filter(|candidate| candidate != finalizer)
            .collect();
        let precondition = Precondition::ResourceVersion(resource_version_of(&current));
        let result = if remaining.is_empty() && meta::is_deleting(&current) {
            let gone = commit(state, key.clone(), Change::Delete, precondition).await;
            if let Ok(gone) = &gone {
                Box::pin(after_delete(state, info, gone)).await;
            }
            gone
        } else {
            let mut updated = (*current).clone();
            if let Some(metadata) = meta::metadata_mut(&mut updated) {
                metadata.insert("finalizers".into(), json!(remaining));
            }
            commit(state, key.clone(), Change::Put(updated), precondition).await
        };
        if !matches!(result, Err(crate::Error::Conflict { .. })) {
            return;
        }
    }
}
