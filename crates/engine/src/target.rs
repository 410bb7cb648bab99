//! The desired objects of an app made ready for the cluster: each kind resolved through
//! discovery (or through a CRD declared alongside), namespaced kinds given
//! `destination.namespace` when they name none, cluster-scoped kinds stripped of a namespace.

use std::collections::{BTreeMap, BTreeSet};

use ferry_types::{Application, Manifest};
use serde_json::Value;

use crate::client::ClusterClient;
use crate::{Error, Rejection, Result};

/// The desired objects, ready to plan and send.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Every object, namespaced as it will be stored.
    pub manifests: Vec<Manifest>,
    /// Kinds (group, kind) that CRDs in this set declare and the cluster does not serve yet:
    /// their objects cannot be dry-run before the CRD is established.
    pub pending_kinds: BTreeSet<(String, String)>,
}

impl Target {
    /// Whether an object's kind waits for a CRD of this sync.
    pub fn is_pending(&self, object: &Value) -> bool {
        let gvk = crate::client::gvk_of(object);
        self.pending_kinds.contains(&(gvk.group, gvk.kind))
    }
}

/// The app's name, which tracking ids carry.
pub fn app_name(app: &Application) -> Result<&str> {
    if app.metadata.name.is_empty() {
        return Err(Error::Application {
            message: "metadata.name is empty; tracking needs the app's name".into(),
        });
    }
    Ok(&app.metadata.name)
}

/// Resolves every object's kind and namespace. Objects of kinds the cluster does not serve
/// (and no CRD of the set declares) are rejected together: nothing is applied.
pub async fn prepare(
    app: &Application,
    rendered: &[Manifest],
    client: &ClusterClient,
) -> Result<Target> {
    let declared_crds = declared_crds(rendered);
    let namespace = if app.spec.destination.namespace.is_empty() {
        client.default_namespace().to_string()
    } else {
        app.spec.destination.namespace.clone()
    };
    let mut target = Target::default();
    let mut rejections = Vec::new();
    for manifest in rendered {
        let gvk = manifest.gvk();
        let namespaced = match client.resource(&gvk).await {
            Ok(info) => info.namespaced,
            Err(Error::NotServed { .. }) => {
                match declared_crds.get(&(gvk.group.clone(), gvk.kind.clone())) {
                    Some(namespaced) => {
                        target
                            .pending_kinds
                            .insert((gvk.group.clone(), gvk.kind.clone()));
                        *namespaced
                    }
                    None => {
                        rejections.push(Rejection {
                            key: manifest.key(),
                            field: Some("apiVersion".into()),
                            reason: "NotServed".into(),
                            message: format!(
                                "{} {} is not served by the cluster and no CRD in this app declares it ({})",
                                gvk.api_version(),
                                gvk.kind,
                                manifest.origin
                            ),
                        });
                        continue;
                    }
                }
            }
            Err(error) => return Err(error),
        };
        let mut object = manifest.object.clone();
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            let has_namespace = metadata
                .get("namespace")
                .and_then(Value::as_str)
                .is_some_and(|namespace| !namespace.is_empty());
            if namespaced && !has_namespace {
                metadata.insert("namespace".into(), Value::String(namespace.clone()));
            } else if !namespaced {
                metadata.remove("namespace");
            }
        }
        target
            .manifests
            .push(Manifest::new(object, manifest.origin.clone()));
    }
    if !rejections.is_empty() {
        return Err(Error::Rejected { rejections });
    }
    Ok(target)
}

/// The kinds the CRDs of a set declare, with whether they are namespaced.
fn declared_crds(rendered: &[Manifest]) -> BTreeMap<(String, String), bool> {
    rendered
        .iter()
        .filter(|m| {
            m.kind() == "CustomResourceDefinition" && m.gvk().group == "apiextensions.k8s.io"
        })
        .filter_map(|m| {
            let spec = &m.object["spec"];
            let group = spec["group"].as_str()?.to_string();
            let kind = spec["names"]["kind"].as_str()?.to_string();
            let namespaced = spec["scope"].as_str() != Some("Cluster");
            Some(((group, kind), namespaced))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    #[test]
    fn crds_in_the_set_declare_their_kinds_and_scopes() {
        let crd = Manifest::new(
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                   "metadata": {"name": "widgets.example.com"},
                   "spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget", "plural": "widgets"}}}),
            Origin::default(),
        );
        let declared = declared_crds(&[crd]);
        assert_eq!(
            declared.get(&("example.com".to_string(), "Widget".to_string())),
            Some(&false)
        );
    }
}
