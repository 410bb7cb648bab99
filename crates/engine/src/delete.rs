//! Deleting what an app deployed (a cascading delete of the Application): every object its
//! inventory names whose tracking annotation still claims it for this app, in the reverse of
//! sync order (custom resources and workloads before CRDs, Namespaces last), awaited gone,
//! then the inventory itself. Objects someone else took over are left alone, as a prune
//! leaves them.

use std::collections::BTreeSet;
use std::time::Duration;

use ferry_sync::LiveObject;
use ferry_types::{Application, Gvk, ObjectKey};
use tokio::time::Instant;

use crate::client::{ClusterClient, inventory_name};
use crate::observe::inventory_namespace;
use crate::target::app_name;
use crate::{Error, Result};

/// What a cascading delete did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// The objects deleted (and seen gone), in the order they were deleted.
    pub deleted: Vec<ObjectKey>,
    /// Inventory entries left alone: gone already, or no longer claimed by this app.
    pub left: Vec<ObjectKey>,
}

/// The order objects are deleted in: everything else, then CRDs, then Namespaces (what
/// holds other objects goes last). Pure.
fn deletion_order(keys: &mut [ObjectKey]) {
    keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
}

/// 0 for most objects, 1 for CRDs, 2 for Namespaces.
fn rank(key: &ObjectKey) -> u8 {
    match (key.group.as_str(), key.kind.as_str()) {
        ("", "Namespace") => 2,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => 1,
        _ => 0,
    }
}

/// Deletes every object of `app` its inventory names and its tracking annotation claims, waits
/// (polling every `poll_interval`, until `timeout`) until they are gone, then deletes the
/// inventory. An error leaves the inventory in place, so a retry finds what is left.
pub async fn delete_app(
    app: &Application,
    client: &ClusterClient,
    timeout: Duration,
    poll_interval: Duration,
) -> Result<Deleted> {
    let deadline = Instant::now() + timeout;
    let name = app_name(app)?;
    let namespace = inventory_namespace(app, client);
    let Some(keys) = client.read_inventory(name, &namespace).await? else {
        return Ok(Deleted::default());
    };
    let live = client.live_objects_by_key(name, &keys).await?;
    let claimed: BTreeSet<&ObjectKey> = live.tracked.iter().map(|object| &object.key).collect();
    let mut doomed: Vec<ObjectKey> = live
        .tracked
        .iter()
        .map(|LiveObject { key, .. }| key.clone())
        .collect();
    deletion_order(&mut doomed);
    let left: Vec<ObjectKey> = keys
        .iter()
        .filter(|key| !claimed.contains(key))
        .cloned()
        .collect();
    // One class at a time: Namespaces only once what they hold is gone.
    for class in [0, 1, 2] {
        let members: Vec<&ObjectKey> = doomed.iter().filter(|key| rank(key) == class).collect();
        for key in &members {
            let resource = client.resource(&gvk_of_key(&live, key)).await?;
            client.delete(&resource, key, false).await?;
        }
        for key in &members {
            let resource = client.resource(&gvk_of_key(&live, key)).await?;
            while client.get_key(&resource, key).await?.is_some() {
                if Instant::now() + poll_interval > deadline {
                    return Err(Error::Application {
                        message: format!("{key} is still being deleted after {timeout:?}"),
                    });
                }
                tokio::time::sleep(poll_interval).await;
            }
        }
    }
    let config_maps = client
        .resource(&Gvk::from_api_version("v1", "ConfigMap"))
        .await?;
    let inventory = ObjectKey {
        group: String::new(),
        kind: "ConfigMap".into(),
        namespace: namespace.clone(),
        name: inventory_name(name),
    };
    client.delete(&config_maps, &inventory, false).await?;
    Ok(Deleted {
        deleted: doomed,
        left,
    })
}

/// The group, version and kind of a live object of the app.
fn gvk_of_key(live: &crate::client::LiveObjects, key: &ObjectKey) -> Gvk {
    let api_version = live
        .get(key)
        .and_then(|object| object["apiVersion"].as_str())
        .unwrap_or("v1");
    Gvk::from_api_version(api_version, &key.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(group: &str, kind: &str, name: &str) -> ObjectKey {
        ObjectKey {
            group: group.into(),
            kind: kind.into(),
            namespace: String::new(),
            name: name.into(),
        }
    }

    #[test]
    fn namespaces_go_last_and_crds_after_everything_they_might_define() {
        let mut keys = vec![
            key("", "Namespace", "shop"),
            key(
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                "widgets.example.com",
            ),
            key("example.com", "Widget", "w"),
            key("", "ConfigMap", "settings"),
        ];
        deletion_order(&mut keys);
        let kinds: Vec<&str> = keys.iter().map(|key| key.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ConfigMap",
                "Widget",
                "CustomResourceDefinition",
                "Namespace"
            ]
        );
    }
}
