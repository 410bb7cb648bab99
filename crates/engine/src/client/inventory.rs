//! The inventory: a ConfigMap `ferry-inventory-<app>` holding the keys of every object the app
//! applied, written at the end of each sync. With it, live objects are read by key (and kinds
//! with many keys listed) instead of listing every kind the cluster serves.

use std::collections::{BTreeMap, BTreeSet};

use ferry_sync::{LiveObject, TrackingId};
use ferry_types::{Gvk, ObjectKey};
use futures_util::{FutureExt, StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use super::{ClusterClient, LiveObjects, WriteOptions};
use crate::{Error, Result};

/// The annotation that marks a ConfigMap as the inventory of an app (its value is the app's
/// name). It is not the tracking annotation: the inventory is never an object of the app.
pub const INVENTORY_ANNOTATION: &str = "ferry.dev/inventory-of";
/// The data key holding the keys, one `group/kind/namespace/name` a line.
const INVENTORY_DATA_KEY: &str = "objects";
/// The data key of the hooks an operation ran to the end and deleted: the operation's id on
/// the first line, then one key a line.
const FINISHED_HOOKS_DATA_KEY: &str = "finished-hooks";
/// Gets in flight at once.
const CONCURRENT_GETS: usize = 32;
/// A kind with more keys than this in one namespace is listed there (once) rather than read
/// object by object.
const LIST_ABOVE: usize = 16;

/// The name of an app's inventory ConfigMap.
pub fn inventory_name(app: &str) -> String {
    format!("ferry-inventory-{app}")
}

/// `group/kind/namespace/name`.
pub fn inventory_line(key: &ObjectKey) -> String {
    format!("{}/{}/{}/{}", key.group, key.kind, key.namespace, key.name)
}

/// The key of an inventory line; `None` for a malformed one.
pub fn parse_inventory_line(line: &str) -> Option<ObjectKey> {
    let mut parts = line.splitn(4, '/');
    let key = ObjectKey {
        group: parts.next()?.to_string(),
        kind: parts.next()?.to_string(),
        namespace: parts.next()?.to_string(),
        name: parts.next()?.to_string(),
    };
    (!key.kind.is_empty() && !key.name.is_empty()).then_some(key)
}

impl ClusterClient {
    /// The keys in the inventory of `app` in `namespace`; `None` when there is none, or the
    /// ConfigMap of that name is not marked as this app's inventory.
    pub async fn read_inventory(
        &self,
        app: &str,
        namespace: &str,
    ) -> Result<Option<BTreeSet<ObjectKey>>> {
        let resource = self
            .resource(&Gvk::from_api_version("v1", "ConfigMap"))
            .await?;
        let Some(object) = self.get(&resource, namespace, &inventory_name(app)).await? else {
            return Ok(None);
        };
        if object["metadata"]["annotations"][INVENTORY_ANNOTATION].as_str() != Some(app) {
            return Ok(None);
        }
        let lines = object["data"][INVENTORY_DATA_KEY].as_str().unwrap_or("");
        Ok(Some(
            lines.lines().filter_map(parse_inventory_line).collect(),
        ))
    }

    /// Writes (server-side apply) the inventory of `app` in `namespace`. A ConfigMap of that
    /// name that is not this app's inventory is an error, never overwritten.
    pub async fn write_inventory(
        &self,
        app: &str,
        namespace: &str,
        keys: &BTreeSet<ObjectKey>,
    ) -> Result<()> {
        let name = inventory_name(app);
        let resource = self
            .resource(&Gvk::from_api_version("v1", "ConfigMap"))
            .await?;
        if let Some(existing) = self.get(&resource, namespace, &name).await?
            && existing["metadata"]["annotations"][INVENTORY_ANNOTATION].as_str() != Some(app)
        {
            return Err(Error::Application {
                message: format!(
                    "ConfigMap {namespace}/{name} exists and is not the inventory of {app}"
                ),
            });
        }
        let lines: Vec<String> = keys.iter().map(inventory_line).collect();
        let object = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "annotations": {INVENTORY_ANNOTATION: app},
            },
            "data": {INVENTORY_DATA_KEY: lines.join("\n")},
        });
        self.apply(&object, WriteOptions::APPLY).await?;
        Ok(())
    }

    /// The hooks `operation` ran to the end (and deleted) for `app`, from its inventory; empty
    /// when none, or the record is another operation's.
    pub(crate) async fn finished_hooks(
        &self,
        app: &str,
        namespace: &str,
        operation: &str,
    ) -> Result<BTreeSet<ObjectKey>> {
        let resource = self
            .resource(&Gvk::from_api_version("v1", "ConfigMap"))
            .await?;
        let Some(object) = self.get(&resource, namespace, &inventory_name(app)).await? else {
            return Ok(BTreeSet::new());
        };
        if object["metadata"]["annotations"][INVENTORY_ANNOTATION].as_str() != Some(app) {
            return Ok(BTreeSet::new());
        }
        Ok(parse_finished_hooks(
            object["data"][FINISHED_HOOKS_DATA_KEY]
                .as_str()
                .unwrap_or(""),
            operation,
        ))
    }

    /// Records in the inventory of `app` that `operation` ran hook `key` to the end (a JSON
    /// merge patch of that one data key, so the keys the sync wrote stay; a record of another
    /// operation is replaced).
    pub(crate) async fn record_finished_hook(
        &self,
        app: &str,
        namespace: &str,
        operation: &str,
        key: &ObjectKey,
    ) -> Result<()> {
        let mut finished = self.finished_hooks(app, namespace, operation).await?;
        finished.insert(key.clone());
        let lines: Vec<String> = std::iter::once(operation.to_string())
            .chain(finished.iter().map(inventory_line))
            .collect();
        let object = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": inventory_name(app),
                "namespace": namespace,
                "annotations": {INVENTORY_ANNOTATION: app},
            },
            "data": {FINISHED_HOOKS_DATA_KEY: lines.join("\n")},
        });
        self.apply_client_side(&object, WriteOptions::APPLY).await?;
        Ok(())
    }

    /// The live objects of `keys` (the inventory and the declared objects): read by key, or by
    /// one list of the namespace for a kind with many keys there; never a list across the
    /// cluster for a namespaced kind, whatever else it holds. Only objects of `keys` are kept; tracked are those
    /// whose tracking annotation claims them for `app`. Kinds no longer served are skipped.
    pub async fn live_objects_by_key(
        &self,
        app: &str,
        keys: &BTreeSet<ObjectKey>,
    ) -> Result<LiveObjects> {
        let table = self.resource_table().await?;
        let mut by_collection: BTreeMap<(&str, &str, &str), Vec<&ObjectKey>> = BTreeMap::new();
        // A hook with `generateName` has no name to read.
        for key in keys.iter().filter(|key| !key.name.is_empty()) {
            by_collection
                .entry((
                    key.group.as_str(),
                    key.kind.as_str(),
                    key.namespace.as_str(),
                ))
                .or_default()
                .push(key);
        }
        let mut lists = Vec::new();
        let mut gets = Vec::new();
        for ((group, kind, namespace), collection_keys) in by_collection {
            let Some(resource) = table.preferred_of(group, kind) else {
                continue;
            };
            if collection_keys.len() > LIST_ABOVE && resource.listable {
                lists.push((resource.clone(), namespace.to_string()));
            } else {
                gets.extend(
                    collection_keys
                        .into_iter()
                        .map(|key| (resource.clone(), key.clone())),
                );
            }
        }
        let listed: Vec<Vec<(ObjectKey, Value)>> = stream::iter(lists)
            .map(|(resource, namespace)| {
                async move { self.list_resource(resource, &namespace, app, keys).await }.boxed()
            })
            .buffer_unordered(CONCURRENT_GETS)
            .try_collect()
            .await?;
        let got: Vec<Option<(ObjectKey, Value)>> = stream::iter(gets)
            .map(|(resource, key)| {
                async move {
                    let object = self.get_key(&resource, &key).await?;
                    Ok::<_, Error>(object.map(|object| (key, object)))
                }
                .boxed()
            })
            .buffer_unordered(CONCURRENT_GETS)
            .try_collect()
            .await?;
        let mut live = LiveObjects::default();
        for (key, object) in listed
            .into_iter()
            .flatten()
            .chain(got.into_iter().flatten())
        {
            if !keys.contains(&key) {
                continue;
            }
            if TrackingId::of(&object).is_some_and(|id| id.claims(app, &key)) {
                live.tracked.push(LiveObject {
                    key: key.clone(),
                    object: object.clone(),
                });
            }
            live.objects.insert(key, object);
        }
        live.tracked.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(live)
    }
}

/// The hooks of `operation` in a finished-hooks record; empty when it is another's.
fn parse_finished_hooks(record: &str, operation: &str) -> BTreeSet<ObjectKey> {
    let mut lines = record.lines();
    if lines.next() != Some(operation) {
        return BTreeSet::new();
    }
    lines.filter_map(parse_inventory_line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_hooks_of_another_operation_are_not_this_ones() {
        let record = "op-1\n/ConfigMap/shop/smoke\nbatch/Job/shop/migrate";
        assert_eq!(parse_finished_hooks(record, "op-1").len(), 2);
        assert!(parse_finished_hooks(record, "op-2").is_empty());
        assert!(parse_finished_hooks("", "op-1").is_empty());
    }

    #[test]
    fn an_inventory_line_round_trips_core_and_cluster_scoped_keys() {
        for key in [
            ObjectKey {
                group: String::new(),
                kind: "ConfigMap".into(),
                namespace: "shop".into(),
                name: "settings".into(),
            },
            ObjectKey {
                group: "coordination.k8s.io".into(),
                kind: "Lease".into(),
                namespace: String::new(),
                name: "a.b".into(),
            },
        ] {
            assert_eq!(parse_inventory_line(&inventory_line(&key)), Some(key));
        }
        assert_eq!(parse_inventory_line("garbage"), None);
    }
}
