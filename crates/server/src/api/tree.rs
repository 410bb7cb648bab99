//! `GET …/tree`: the app's resource tree. The managed objects are those in
//! `status.resources`; their descendants are found through `ownerReferences` among the kinds
//! controllers create (ReplicaSets, Pods, EndpointSlices, ControllerRevisions, Jobs) in the
//! namespaces the app uses. Every live node carries its health (`ferry_health::assess`).

use std::collections::{BTreeSet, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use ferry_engine::ClusterClient;
use ferry_types::{Gvk, ResourceStatus};
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{ApiError, Error};
use crate::state::{AppState, run_local};

/// Kinds whose objects controllers create and own: searched for descendants.
const CHILD_KINDS: &[(&str, &str, &str)] = &[
    ("apps", "v1", "ReplicaSet"),
    ("", "v1", "Pod"),
    ("discovery.k8s.io", "v1", "EndpointSlice"),
    ("apps", "v1", "ControllerRevision"),
    ("batch", "v1", "Job"),
];
/// How deep ownership is followed (Deployment → ReplicaSet → Pod is 2).
const MAX_DEPTH: usize = 4;

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeNode {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The live object's uid (empty when it does not exist).
    pub uid: String,
    /// uids of the owners in this tree (empty for managed objects).
    pub parents: Vec<String>,
    /// Whether the app manages it (from `status.resources`), rather than a controller.
    pub managed: bool,
    /// Sync status of a managed object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<ferry_types::SyncStatusCode>,
    /// Health (`Missing` for a managed object that does not exist; none for kinds without a
    /// health check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<Value>,
    /// Whether the object left Git and awaits pruning.
    pub requires_pruning: bool,
}

fn health_of(object: &Value) -> Option<Value> {
    ferry_health::assess(object)
        .map(|health| json!({"status": health.status, "message": health.message}))
}

fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The uids of `object`'s owners.
fn owners(object: &Value) -> Vec<String> {
    object["metadata"]["ownerReferences"]
        .as_array()
        .map(|references| {
            references
                .iter()
                .filter_map(|reference| reference["uid"].as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The candidates that descend from `roots` (uids) through ownerReferences, at most
/// [`MAX_DEPTH`] levels down, each with the uids of its owners in the tree; in the order of
/// `candidates` level by level.
pub fn descendants(roots: &HashSet<String>, candidates: &[Value]) -> Vec<(Value, Vec<String>)> {
    let mut known = roots.clone();
    let mut taken = vec![false; candidates.len()];
    let mut found = Vec::new();
    for _ in 0..MAX_DEPTH {
        let mut level = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            if taken[index] {
                continue;
            }
            let parents: Vec<String> = owners(candidate)
                .into_iter()
                .filter(|uid| known.contains(uid))
                .collect();
            if !parents.is_empty() {
                taken[index] = true;
                level.push((candidate.clone(), parents));
            }
        }
        if level.is_empty() {
            break;
        }
        for (object, _) in &level {
            known.insert(text(object, "/metadata/uid").to_string());
        }
        found.extend(level);
    }
    found
}

fn node_of(object: &Value, parents: Vec<String>) -> TreeNode {
    let gvk = Gvk::from_api_version(text(object, "/apiVersion"), text(object, "/kind"));
    TreeNode {
        group: gvk.group,
        version: gvk.version,
        kind: gvk.kind,
        namespace: text(object, "/metadata/namespace").into(),
        name: text(object, "/metadata/name").into(),
        uid: text(object, "/metadata/uid").into(),
        parents,
        managed: false,
        sync: None,
        health: health_of(object),
        requires_pruning: false,
    }
}

/// The tree of an app whose managed objects are `resources`, read from `client`'s cluster.
pub async fn build_tree(
    client: &ClusterClient,
    resources: &[ResourceStatus],
) -> Result<Vec<TreeNode>, Error> {
    let mut nodes = Vec::new();
    let mut roots = HashSet::new();
    let mut namespaces = BTreeSet::new();
    for resource in resources {
        let gvk = Gvk {
            group: resource.group.clone(),
            version: resource.version.clone(),
            kind: resource.kind.clone(),
        };
        let live = match client.resource(&gvk).await {
            Ok(info) => {
                client
                    .get(&info, &resource.namespace, &resource.name)
                    .await?
            }
            Err(ferry_engine::Error::NotServed { .. }) => None,
            Err(error) => return Err(error.into()),
        };
        if !resource.namespace.is_empty() {
            namespaces.insert(resource.namespace.clone());
        }
        let health = match &live {
            Some(object) => health_of(object),
            None => Some(json!({"status": "Missing", "message": "the object does not exist"})),
        };
        let uid = live
            .as_ref()
            .map(|object| text(object, "/metadata/uid").to_string())
            .unwrap_or_default();
        if !uid.is_empty() {
            roots.insert(uid.clone());
        }
        nodes.push(TreeNode {
            group: resource.group.clone(),
            version: resource.version.clone(),
            kind: resource.kind.clone(),
            namespace: resource.namespace.clone(),
            name: resource.name.clone(),
            uid,
            parents: Vec::new(),
            managed: true,
            sync: Some(resource.status),
            health,
            requires_pruning: resource.requires_pruning,
        });
    }
    let mut candidates = Vec::new();
    for (group, version, kind) in CHILD_KINDS {
        let gvk = Gvk {
            group: (*group).into(),
            version: (*version).into(),
            kind: (*kind).into(),
        };
        let Ok(info) = client.resource(&gvk).await else {
            continue;
        };
        let resource = ApiResource {
            group: info.group.clone(),
            version: info.version.clone(),
            api_version: info.api_version(),
            kind: info.kind.clone(),
            plural: info.plural.clone(),
        };
        for namespace in &namespaces {
            let api: Api<DynamicObject> =
                Api::namespaced_with(client.kube().clone(), namespace, &resource);
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|source| Error::Kube {
                    action: format!("listing {kind}s in {namespace}"),
                    source,
                })?;
            for item in list.items {
                let mut value = serde_json::to_value(&item).unwrap_or_default();
                value["apiVersion"] = info.api_version().into();
                value["kind"] = info.kind.clone().into();
                candidates.push(value);
            }
        }
    }
    let mut children: Vec<TreeNode> = descendants(&roots, &candidates)
        .into_iter()
        .map(|(object, parents)| node_of(&object, parents))
        .collect();
    children
        .sort_by(|a, b| (&a.kind, &a.namespace, &a.name).cmp(&(&b.kind, &b.namespace, &b.name)));
    nodes.extend(children);
    Ok(nodes)
}

/// `GET /api/v1/applications/{namespace}/{name}/tree`: `{"nodes": [node…]}`, managed
/// objects first.
pub async fn get(
    State(state): State<AppState>,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let app = super::apps::read(&state, &namespace, &name).await?;
    let client = state.destination(&app).await?;
    let resources = app
        .status
        .map(|status| status.resources)
        .unwrap_or_default();
    let nodes = run_local(move || async move {
        build_tree(&client, &resources)
            .await
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(json!({"nodes": nodes})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, uid: &str, owners: &[&str]) -> Value {
        let references: Vec<Value> = owners.iter().map(|uid| json!({"uid": uid})).collect();
        json!({
            "apiVersion": "v1",
            "kind": kind,
            "metadata": {"name": uid, "uid": uid, "ownerReferences": references}
        })
    }

    #[test]
    fn descendants_are_found_level_by_level_through_owner_references() {
        let roots = HashSet::from(["deployment".to_string()]);
        let candidates = [
            object("Pod", "pod-1", &["rs-1"]),
            object("ReplicaSet", "rs-1", &["deployment"]),
            object("Pod", "stranger", &["other-rs"]),
            object("Pod", "orphan", &[]),
        ];
        let found: Vec<(String, Vec<String>)> = descendants(&roots, &candidates)
            .into_iter()
            .map(|(object, parents)| (text(&object, "/metadata/uid").to_string(), parents))
            .collect();
        assert_eq!(
            found,
            [
                ("rs-1".to_string(), vec!["deployment".to_string()]),
                ("pod-1".to_string(), vec!["rs-1".to_string()]),
            ]
        );
    }
}
