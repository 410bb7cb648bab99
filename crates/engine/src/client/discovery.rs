//! Discovery of every served resource (group/version/kind to resource name and scope), cached
//! and refreshed when a kind is not found (a CRD established since the last look).

use std::collections::HashMap;
use std::sync::Arc;

use ferry_types::Gvk;
use kube::discovery::{ApiCapabilities, ApiResource, Scope, verbs};
use tokio::sync::Mutex;

use super::ClusterClient;
use crate::{Error, Result};

/// One served resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    /// API group; empty for the core group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural resource name, as in the URL.
    pub plural: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Whether the resource can be listed.
    pub listable: bool,
}

impl ResourceInfo {
    fn from_kube(resource: &ApiResource, capabilities: &ApiCapabilities) -> Self {
        Self {
            group: resource.group.clone(),
            version: resource.version.clone(),
            kind: resource.kind.clone(),
            plural: resource.plural.clone(),
            namespaced: capabilities.scope == Scope::Namespaced,
            listable: capabilities.supports_operation(verbs::LIST),
        }
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The URL path of the collection, in `namespace` when given and namespaced.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|namespace| self.namespaced && !namespace.is_empty()) {
            Some(namespace) => format!("{root}/namespaces/{namespace}/{}", self.plural),
            None => format!("{root}/{}", self.plural),
        }
    }
}

/// Every served resource, by group/version/kind, and the preferred version of each kind.
#[derive(Debug, Default)]
pub(crate) struct ResourceTable {
    by_gvk: HashMap<(String, String, String), Arc<ResourceInfo>>,
    preferred: HashMap<(String, String), Arc<ResourceInfo>>,
}

impl ResourceTable {
    fn get(&self, gvk: &Gvk) -> Option<Arc<ResourceInfo>> {
        self.by_gvk
            .get(&(gvk.group.clone(), gvk.version.clone(), gvk.kind.clone()))
            .cloned()
    }

    /// The preferred version of one kind, by group and kind.
    pub(crate) fn preferred_of(&self, group: &str, kind: &str) -> Option<&Arc<ResourceInfo>> {
        self.preferred.get(&(group.to_string(), kind.to_string()))
    }
}

/// The discovery cache of one client.
pub(crate) struct Discovery {
    client: kube::Client,
    table: Mutex<Option<Arc<ResourceTable>>>,
}

impl Discovery {
    pub(crate) fn new(client: kube::Client) -> Self {
        Self {
            client,
            table: Mutex::new(None),
        }
    }

    /// The cached table, discovering on first use.
    pub(crate) async fn table(&self) -> Result<Arc<ResourceTable>> {
        let mut table = self.table.lock().await;
        if let Some(table) = table.as_ref() {
            return Ok(table.clone());
        }
        let fresh = Arc::new(self.discover().await?);
        *table = Some(fresh.clone());
        Ok(fresh)
    }

    /// Discovers again, replacing the cache.
    pub(crate) async fn refresh(&self) -> Result<Arc<ResourceTable>> {
        let mut table = self.table.lock().await;
        let fresh = Arc::new(self.discover().await?);
        *table = Some(fresh.clone());
        Ok(fresh)
    }

    async fn discover(&self) -> Result<ResourceTable> {
        let aggregated = kube::Discovery::new(self.client.clone())
            .run_aggregated()
            .await;
        let discovery = match aggregated {
            Ok(discovery) => discovery,
            Err(_) => kube::Discovery::new(self.client.clone())
                .run()
                .await
                .map_err(|source| Error::Discovery { source })?,
        };
        let mut table = ResourceTable::default();
        for group in discovery.groups() {
            for version in group.versions() {
                for (resource, capabilities) in group.versioned_resources(version) {
                    let info = Arc::new(ResourceInfo::from_kube(&resource, &capabilities));
                    table.by_gvk.insert(
                        (info.group.clone(), info.version.clone(), info.kind.clone()),
                        info,
                    );
                }
            }
            for (resource, capabilities) in group.recommended_resources() {
                let info = Arc::new(ResourceInfo::from_kube(&resource, &capabilities));
                table
                    .preferred
                    .insert((info.group.clone(), info.kind.clone()), info);
            }
        }
        Ok(table)
    }
}

impl ClusterClient {
    /// The served resource for a group/version/kind; discovers again once when it is not
    /// known (a CRD may have been established since).
    pub async fn resource(&self, gvk: &Gvk) -> Result<Arc<ResourceInfo>> {
        if let Some(info) = self.discovery.table().await?.get(gvk) {
            return Ok(info);
        }
        self.discovery
            .refresh()
            .await?
            .get(gvk)
            .ok_or_else(|| Error::NotServed {
                api_version: gvk.api_version(),
                kind: gvk.kind.clone(),
            })
    }

    /// The served resource for a group/version/kind from the cache, without discovering again.
    pub async fn cached_resource(&self, gvk: &Gvk) -> Result<Option<Arc<ResourceInfo>>> {
        Ok(self.discovery.table().await?.get(gvk))
    }

    /// Forgets what discovery found; the next look discovers again.
    pub async fn refresh_discovery(&self) -> Result<()> {
        self.discovery.refresh().await.map(|_| ())
    }

    pub(crate) async fn resource_table(&self) -> Result<Arc<ResourceTable>> {
        self.discovery.table().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(group: &str, namespaced: bool) -> ResourceInfo {
        ResourceInfo {
            group: group.into(),
            version: "v1".into(),
            kind: "Thing".into(),
            plural: "things".into(),
            namespaced,
            listable: true,
        }
    }

    #[test]
    fn collection_paths_follow_group_and_scope() {
        assert_eq!(
            info("", true).collection_path(Some("shop")),
            "/api/v1/namespaces/shop/things"
        );
        assert_eq!(
            info("example.com", true).collection_path(None),
            "/apis/example.com/v1/things"
        );
        assert_eq!(
            info("example.com", false).collection_path(Some("shop")),
            "/apis/example.com/v1/things"
        );
    }
}
