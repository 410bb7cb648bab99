//! The CustomResourceDefinitions the controller serves from, installed (created or updated)
//! at start with a server-side apply, then awaited until the kind is served.

use std::time::{Duration, Instant};

use ferry_engine::{ClusterClient, WriteOptions};
use ferry_types::Gvk;
use serde_json::{Value, json};

use crate::{Error, Result};

/// The name of the Application CRD.
pub const APPLICATION_CRD_NAME: &str = "applications.ferry.dev";

/// How long a new CRD may take to be served.
const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(20);

/// `applications.ferry.dev`, v1alpha1, namespaced, with a status subresource. The spec has
/// Argo CD's schema (`schema.rs`, unknown fields kept); status and operation keep any field.
pub fn application_crd() -> Value {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": APPLICATION_CRD_NAME},
        "spec": {
            "group": "ferry.dev",
            "scope": "Namespaced",
            "names": {
                "plural": "applications",
                "singular": "application",
                "kind": "Application",
                "listKind": "ApplicationList",
                "shortNames": ["app", "apps"],
                "categories": ["ferry"]
            },
            "versions": [{
                "name": "v1alpha1",
                "served": true,
                "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "Sync Status", "type": "string", "jsonPath": ".status.sync.status"},
                    {"name": "Health Status", "type": "string", "jsonPath": ".status.health.status"},
                    {"name": "Revision", "type": "string", "jsonPath": ".status.sync.revision", "priority": 10}
                ],
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": crate::schema::application_spec(),
                        "status": open.clone(),
                        "operation": open
                    }
                }}
            }]
        }
    })
}

/// `appprojects.ferry.dev`, v1alpha1, namespaced (Argo CD's field names; the spec keeps
/// unknown fields). What an Application may deploy, from where and where to.
pub fn appproject_crd() -> Value {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    let globs = json!({"type": "array", "items": {"type": "string"}});
    let group_kinds = json!({"type": "array", "items": {
        "type": "object",
        "properties": {"group": {"type": "string"}, "kind": {"type": "string"}}
    }});
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": crate::project::APPPROJECT_CRD_NAME},
        "spec": {
            "group": "ferry.dev",
            "scope": "Namespaced",
            "names": {
                "plural": "appprojects",
                "singular": "appproject",
                "kind": "AppProject",
                "listKind": "AppProjectList",
                "shortNames": ["appproj", "appprojs"],
                "categories": ["ferry"]
            },
            "versions": [{
                "name": "v1alpha1",
                "served": true,
                "storage": true,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": true,
                            "properties": {
                                "description": {"type": "string"},
                                "sourceRepos": globs,
                                "destinations": {"type": "array", "items": {
                                    "type": "object",
                                    "properties": {
                                        "server": {"type": "string"},
                                        "name": {"type": "string"},
                                        "namespace": {"type": "string"}
                                    }
                                }},
                                "clusterResourceWhitelist": group_kinds.clone(),
                                "clusterResourceBlacklist": group_kinds.clone(),
                                "namespaceResourceBlacklist": group_kinds
                            }
                        },
                        "status": open
                    }
                }}
            }]
        }
    })
}

/// Creates or updates the controller's CRDs and waits (bounded) until the cluster serves
/// Applications and AppProjects.
pub async fn install_crds(client: &ClusterClient) -> Result<()> {
    client
        .apply(&application_crd(), WriteOptions::APPLY)
        .await?;
    client.apply(&appproject_crd(), WriteOptions::APPLY).await?;
    let kinds = [
        Gvk::from_api_version(ferry_types::FERRY_API_VERSION, "Application"),
        Gvk::from_api_version(ferry_types::FERRY_API_VERSION, "AppProject"),
    ];
    let started = Instant::now();
    loop {
        client.refresh_discovery().await?;
        let mut served = true;
        for gvk in &kinds {
            served &= client.cached_resource(gvk).await?.is_some();
        }
        if served {
            return Ok(());
        }
        if started.elapsed() > ESTABLISH_TIMEOUT {
            return Err(Error::NotEstablished {
                name: APPLICATION_CRD_NAME.into(),
                seconds: ESTABLISH_TIMEOUT.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
