//! The live objects of an app, and the paged list of one resource that reads a kind with many
//! of them at once (see `inventory.rs` for which keys are read).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ferry_sync::{LiveObject, TrackingId};
use ferry_types::ObjectKey;
use kube::api::ListParams;
use kube::core::Request;
use serde_json::Value;

use super::requests::api_error;
use super::{ClusterClient, ResourceInfo};
use crate::{Error, Result};

/// Objects per list page.
const PAGE_SIZE: u32 = 500;

/// What the cluster holds for an app.
#[derive(Debug, Clone, Default)]
pub struct LiveObjects {
    /// Every object found that the app declares or tracks, by key.
    pub objects: BTreeMap<ObjectKey, Value>,
    /// The objects this app's tracking annotation claims.
    pub tracked: Vec<LiveObject>,
}

impl LiveObjects {
    /// The live object with this key.
    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key)
    }
}

impl ClusterClient {
    /// Up to `limit` objects of `gvk` in `namespace` that match `label_selector` (one page;
    /// an error for a kind the cluster does not serve).
    pub async fn list_selected(
        &self,
        gvk: &ferry_types::Gvk,
        namespace: &str,
        label_selector: &str,
        limit: u32,
    ) -> Result<Vec<Value>> {
        let resource = self.resource(gvk).await?;
        let params = ListParams {
            label_selector: Some(label_selector.to_string()),
            limit: Some(limit),
            ..ListParams::default()
        };
        let page = self.list_page(&resource, namespace, &params).await?;
        Ok(page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| with_type(&resource, item))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// One page of a list of `resource` in `namespace` (everywhere for cluster-scoped kinds).
    async fn list_page(
        &self,
        resource: &ResourceInfo,
        namespace: &str,
        params: &ListParams,
    ) -> Result<Value> {
        let label = format!("{}/{}", resource.api_version(), resource.plural);
        let request = Request::new(resource.collection_path(Some(namespace)))
            .list(params)
            .map_err(|error| Error::Request {
                verb: "list",
                object: label.clone(),
                source: kube::Error::BuildRequest(error),
            })?;
        self.send::<Value>(request)
            .await
            .map_err(|error| api_error("list", &label, error))
    }

    /// Every object of one resource (in `namespace`, when it is namespaced and one is given)
    /// that `app` tracks or declares, page by page.
    pub(super) async fn list_resource(
        &self,
        resource: Arc<ResourceInfo>,
        namespace: &str,
        app: &str,
        declared: &BTreeSet<ObjectKey>,
    ) -> Result<Vec<(ObjectKey, Value)>> {
        let mut kept = Vec::new();
        let mut continue_token: Option<String> = None;
        loop {
            let params = ListParams {
                limit: Some(PAGE_SIZE),
                continue_token: continue_token.take(),
                ..ListParams::default()
            };
            let page = match self.list_page(&resource, namespace, &params).await {
                Ok(page) => page,
                // Kinds this user may not list, or that vanished since discovery.
                Err(error) if matches!(error.code(), Some(403..=405)) => return Ok(kept),
                Err(error) => return Err(error),
            };
            if let Some(items) = page["items"].as_array() {
                for item in items {
                    let key = key_of(&resource, item);
                    let tracked = TrackingId::of(item).is_some_and(|id| id.claims(app, &key));
                    if tracked || declared.contains(&key) {
                        kept.push((key, with_type(&resource, item)));
                    }
                }
            }
            match page["metadata"]["continue"].as_str() {
                Some(token) if !token.is_empty() => continue_token = Some(token.to_string()),
                _ => return Ok(kept),
            }
        }
    }
}

/// The key of a listed object of `resource`.
fn key_of(resource: &ResourceInfo, object: &Value) -> ObjectKey {
    ObjectKey {
        group: resource.group.clone(),
        kind: resource.kind.clone(),
        namespace: object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        name: object["metadata"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    }
}

/// List items carry no `apiVersion` and `kind`; put them back.
fn with_type(resource: &ResourceInfo, item: &Value) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("apiVersion".into(), Value::String(resource.api_version()));
    object.insert("kind".into(), Value::String(resource.kind.clone()));
    if let Some(fields) = item.as_object() {
        for (field, value) in fields {
            if field != "apiVersion" && field != "kind" {
                object.insert(field.clone(), value.clone());
            }
        }
    }
    Value::Object(object)
}
