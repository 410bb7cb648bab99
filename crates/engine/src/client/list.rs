//! Reading the live objects of an app: every object this app's tracking annotation claims,
//! across the kinds the app declares and every other listable kind the cluster serves (less
//! Argo CD's default exclusions: events, leases, endpoints), plus the live state of every
//! object the app declares. Lists are paged and run a few at a time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ferry_sync::{LiveObject, TrackingId};
use ferry_types::ObjectKey;
use futures_util::{FutureExt, StreamExt, TryStreamExt, stream};
use kube::api::ListParams;
use kube::core::Request;
use serde_json::Value;

use super::requests::api_error;
use super::{ClusterClient, ResourceInfo};
use crate::{Error, Result};

/// Kinds never listed unless the app declares them: high-volume objects that controllers
/// write and people do not (Argo CD's default `resource.exclusions`).
const EXCLUDED: &[(&str, &str)] = &[
    ("", "Event"),
    ("events.k8s.io", "Event"),
    ("", "Endpoints"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("coordination.k8s.io", "Lease"),
    ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "LocalSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("cilium.io", "CiliumIdentity"),
    ("cilium.io", "CiliumEndpoint"),
    ("kyverno.io", "AdmissionReport"),
    ("kyverno.io", "BackgroundScanReport"),
];

/// Objects per list page.
const PAGE_SIZE: u32 = 500;
/// Lists in flight at once.
const CONCURRENT_LISTS: usize = 8;

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
    /// Lists the live objects of `app`: those its tracking annotation claims (on any listed
    /// kind) and those whose key is in `declared`. `kinds` (group, kind) are always listed,
    /// excluded or not.
    pub async fn live_objects(
        &self,
        app: &str,
        declared: &BTreeSet<ObjectKey>,
        kinds: &BTreeSet<(String, String)>,
    ) -> Result<LiveObjects> {
        let table = self.resource_table().await?;
        let mut resources: Vec<Arc<ResourceInfo>> = table
            .preferred()
            .filter(|info| info.listable)
            .filter(|info| {
                kinds.contains(&(info.group.clone(), info.kind.clone()))
                    || !EXCLUDED.contains(&(info.group.as_str(), info.kind.as_str()))
            })
            .cloned()
            .collect();
        resources.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
        let found: Vec<Vec<(ObjectKey, Value)>> = stream::iter(resources)
            .map(|resource| self.list_resource(resource, app, declared).boxed())
            .buffer_unordered(CONCURRENT_LISTS)
            .try_collect()
            .await?;
        let mut live = LiveObjects::default();
        for (key, object) in found.into_iter().flatten() {
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

    /// Every object of one resource that `app` tracks or declares, page by page.
    pub(super) async fn list_resource(
        &self,
        resource: Arc<ResourceInfo>,
        app: &str,
        declared: &BTreeSet<ObjectKey>,
    ) -> Result<Vec<(ObjectKey, Value)>> {
        let label = format!("{}/{}", resource.api_version(), resource.plural);
        let mut kept = Vec::new();
        let mut continue_token: Option<String> = None;
        loop {
            let params = ListParams {
                limit: Some(PAGE_SIZE),
                continue_token: continue_token.take(),
                ..ListParams::default()
            };
            let request = Request::new(resource.collection_path(None))
                .list(&params)
                .map_err(|error| Error::Request {
                    verb: "list",
                    object: label.clone(),
                    source: kube::Error::BuildRequest(error),
                })?;
            let page = match self.send::<Value>(request).await {
                Ok(page) => page,
                Err(error) => match api_error("list", &label, error) {
                    // Kinds this user may not list, or that vanished since discovery.
                    error if matches!(error.code(), Some(403..=405)) => return Ok(kept),
                    error => return Err(error),
                },
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
