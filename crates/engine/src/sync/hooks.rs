//! Hooks: objects created once per sync in their phase (`generateName` honoured), an earlier
//! one of the same name deleted first under `BeforeHookCreation`, and deleted after they
//! finish under `HookSucceeded` or `HookFailed`.
//!
//! Under an operation (the controller's, carried out again after a restart) a hook runs once
//! per operation: it carries the operation's id, a `generateName` hook gets a name derived
//! from the operation instead of a random one (so the operation finds it again), and a hook
//! about to be deleted by its policy is first recorded as finished in the app's inventory.

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
    /// This operation ran it to the end before, and its policy deleted it: not run again.
    Finished(ObjectKey),
}

/// A hook run under an operation, and where its record of finished hooks is kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HookRun<'a> {
    /// The operation's id.
    pub operation: &'a str,
    /// The app, whose inventory holds the record.
    pub app: &'a str,
    /// The namespace of the inventory.
    pub inventory_namespace: &'a str,
}

/// Characters of the API server's generated name suffixes (no vowels, no look-alikes).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
/// The API server keeps this much of a `generateName` prefix.
const MAX_PREFIX: usize = 58;

/// The name a `generateName` hook gets under `operation`: the prefix, as the API server cuts
/// it, and five characters of a stable hash of the operation and the hook's manifest (two
/// hooks with one prefix differ in their phase annotation at least).
pub(crate) fn operation_name(prefix: &str, operation: &str, manifest: &str) -> String {
    let hash = ferry_types::stable_hash(
        operation
            .bytes()
            .chain([0])
            .chain(prefix.bytes())
            .chain([0])
            .chain(manifest.bytes()),
    );
    let prefix: String = prefix.chars().take(MAX_PREFIX).collect();
    let suffix: String = (0..5)
        .map(|index| {
            let digit = (hash >> (index * 12)) % SUFFIX_ALPHABET.len() as u64;
            char::from(SUFFIX_ALPHABET[digit as usize])
        })
        .collect();
    format!("{prefix}{suffix}")
}

/// The annotation naming the operation that created a hook: a hook of the same operation is
/// never run twice (a controller restarted in the middle of a sync carries the same
/// operation out again).
pub const OPERATION_ANNOTATION: &str = "ferry.dev/sync-operation";

/// Starts a hook: one the same operation created or finished is not run again; otherwise,
/// with `BeforeHookCreation`, an earlier one of the same name is deleted and awaited gone;
/// then the hook is created (carrying the operation's id).
pub(crate) async fn start(
    client: &ClusterClient,
    resource: &ResourceInfo,
    object: &Value,
    policies: &[HookDeletePolicy],
    run: Option<HookRun<'_>>,
    deadline: Instant,
    poll_interval: Duration,
) -> Result<Started> {
    let manifest = object.to_string();
    let mut object = object.clone();
    let operation = run.map(|run| run.operation);
    if let Some(run) = run {
        let metadata = &mut object["metadata"];
        if metadata["name"].as_str().unwrap_or("").is_empty()
            && let Some(prefix) = metadata["generateName"].as_str().map(str::to_string)
        {
            metadata["name"] = operation_name(&prefix, run.operation, &manifest).into();
            if let Some(fields) = metadata.as_object_mut() {
                fields.remove("generateName");
            }
        }
        if !metadata["annotations"].is_object() {
            metadata["annotations"] = serde_json::json!({});
        }
        metadata["annotations"][OPERATION_ANNOTATION] = run.operation.into();
        let key = key_of(
            resource,
            metadata["namespace"].as_str().unwrap_or(""),
            metadata["name"].as_str().unwrap_or(""),
        );
        let finished = client
            .finished_hooks(run.app, run.inventory_namespace, run.operation)
            .await?;
        if finished.contains(&key) {
            return Ok(Started::Finished(key));
        }
    }
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
    Ok(Started::Created(
        client.create(&object, WriteOptions::APPLY).await?,
    ))
}

/// Applies the delete policies of a finished hook; says what was done, if anything. Under an
/// operation, a hook is recorded as finished before it is deleted.
pub(crate) async fn finish(
    client: &ClusterClient,
    resource: &ResourceInfo,
    key: &ObjectKey,
    policies: &[HookDeletePolicy],
    health: HealthStatusCode,
    run: Option<HookRun<'_>>,
) -> Result<Option<&'static str>> {
    let delete = match health {
        HealthStatusCode::Healthy => policies.contains(&HookDeletePolicy::HookSucceeded),
        HealthStatusCode::Degraded => policies.contains(&HookDeletePolicy::HookFailed),
        _ => false,
    };
    if !delete {
        return Ok(None);
    }
    // Only a hook that succeeded is done for good: a failed one is run again by a retry.
    if let Some(run) = run
        && health == HealthStatusCode::Healthy
    {
        client
            .record_finished_hook(run.app, run.inventory_namespace, run.operation, key)
            .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_hook_name_is_the_same_for_one_operation_and_differs_for_another() {
        let first = operation_name("report-", "op-1", "m");
        assert_eq!(first, operation_name("report-", "op-1", "m"));
        assert_ne!(first, operation_name("report-", "op-2", "m"));
        assert_ne!(first, operation_name("notify-", "op-1", "m"));
        assert_ne!(first, operation_name("report-", "op-1", "another hook"));
        assert!(first.starts_with("report-") && first.len() == "report-".len() + 5);
        assert!(
            first["report-".len()..]
                .bytes()
                .all(|byte| SUFFIX_ALPHABET.contains(&byte))
        );
    }

    #[test]
    fn a_long_generate_name_is_cut_as_the_api_server_cuts_it() {
        let name = operation_name(&"a".repeat(80), "op", "m");
        assert_eq!(name.len(), MAX_PREFIX + 5);
    }
}
