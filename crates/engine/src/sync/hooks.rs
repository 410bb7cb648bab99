//! Hooks: objects created once per sync in their phase (`generateName` honoured), an earlier
//! one of the same name deleted first under `BeforeHookCreation`, and deleted after they
//! finish under `HookSucceeded` or `HookFailed`.

use std::time::Duration;

use ferry_sync::HookDeletePolicy;
use ferry_types::{HealthStatusCode, ObjectKey};
use serde_json::Value;
use tokio::time::Instant;

use crate::client::{ClusterClient, ResourceInfo, WriteOptions};
use crate::{Error, Result};

/// How a hook started.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Started {
    /// It was created; the object as stored.
    Created(Value),
    /// One of the same name exists and its policy keeps it: it is not run again.
    Exists(Value),
}

/// The annotation naming the operation that created a hook: a hook of the same operation is
/// never run twice (a controller restarted in the middle of a sync carries the same
/// operation out again).
pub const OPERATION_ANNOTATION: &str = "ferry.dev/sync-operation";

/// Starts a hook: one created by the same `operation` is not run again; otherwise, with
/// `BeforeHookCreation`, an earlier one of the same name is deleted and awaited gone; then
/// the hook is created (carrying the operation's id).
pub(crate) async fn start(
    client: &ClusterClient,
    resource: &ResourceInfo,
    object: &Value,
    policies: &[HookDeletePolicy],
    operation: Option<&str>,
    deadline: Instant,
    poll_interval: Duration,
) -> Result<Started> {
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or("");
    let name = object["metadata"]["name"].as_str().unwrap_or("");
    if !name.is_empty()
        && let Some(existing) = client.get(resource, namespace, name).await?
    {
        let same_operation = operation.is_some_and(|operation| {
            existing["metadata"]["annotations"][OPERATION_ANNOTATION].as_str() == Some(operation)
        });
        if same_operation || !policies.contains(&HookDeletePolicy::BeforeHookCreation) {
            return Ok(Started::Exists(existing));
        }
        let key = key_of(resource, namespace, name);
        client.delete(resource, &key, false).await?;
        while client.get(resource, namespace, name).await?.is_some() {
            if Instant::now() + poll_interval > deadline {
                return Err(Error::Application {
                    message: format!("hook {key}: the earlier one is still being deleted"),
                });
            }
            tokio::time::sleep(poll_interval).await;
        }
    }
    let mut object = object.clone();
    if let Some(operation) = operation {
        if !object["metadata"]["annotations"].is_object() {
            object["metadata"]["annotations"] = serde_json::json!({});
        }
        object["metadata"]["annotations"][OPERATION_ANNOTATION] = operation.into();
    }
    Ok(Started::Created(
        client.create(&object, WriteOptions::APPLY).await?,
    ))
}

/// Applies the delete policies of a finished hook; says what was done, if anything.
pub(crate) async fn finish(
    client: &ClusterClient,
    resource: &ResourceInfo,
    key: &ObjectKey,
    policies: &[HookDeletePolicy],
    health: HealthStatusCode,
) -> Result<Option<&'static str>> {
    let delete = match health {
        HealthStatusCode::Healthy => policies.contains(&HookDeletePolicy::HookSucceeded),
        HealthStatusCode::Degraded => policies.contains(&HookDeletePolicy::HookFailed),
        _ => false,
    };
    if !delete {
        return Ok(None);
    }
    client.delete(resource, key, false).await?;
    Ok(Some(if health == HealthStatusCode::Healthy {
        "deleted after it succeeded (HookSucceeded)"
    } else {
        "deleted after it failed (HookFailed)"
    }))
}

/// The key of an object of `resource`.
pub(crate) fn key_of(resource: &ResourceInfo, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        group: resource.group.clone(),
        kind: resource.kind.clone(),
        namespace: if resource.namespaced {
            namespace.to_string()
        } else {
            String::new()
        },
        name: name.to_string(),
    }
}
