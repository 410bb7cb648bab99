//! Pure status building: per-resource status from a comparison, the app's sync code, history
//! with its limit, conditions, and RFC 3339 timestamps.

use ferry_diff::ResourceDiffStatus;
use ferry_engine::{ObjectAction, ObjectResult, ResourceComparison, phase_text};
use ferry_types::{
    ApplicationCondition, HealthStatus, HealthStatusCode, ObjectKey, ResourceStatus,
    RevisionHistory, SyncStatusCode,
};
use serde_json::{Value, json};

/// Argo CD's default `revisionHistoryLimit`.
pub const DEFAULT_HISTORY_LIMIT: usize = 10;

/// Per-resource status from a comparison and the object's health (when its kind has a check).
pub fn resource_status(
    comparison: &ResourceComparison,
    version: &str,
    health: Option<ferry_health::Health>,
) -> ResourceStatus {
    let key: &ObjectKey = &comparison.key;
    ResourceStatus {
        group: key.group.clone(),
        version: version.to_string(),
        kind: key.kind.clone(),
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        status: if comparison.is_synced() {
            SyncStatusCode::Synced
        } else {
            SyncStatusCode::OutOfSync
        },
        health: health.map(|health| HealthStatus {
            status: health.status,
            message: (!health.message.is_empty()).then_some(health.message),
        }),
        hook: false,
        requires_pruning: comparison.status == ResourceDiffStatus::Extraneous,
        sync_wave: None,
    }
}

/// One object of a sync result in Argo CD's `syncResult.resources` shape (`status`:
/// Synced, SyncFailed, Pruned, PruneSkipped), plus ferry's own `action` word.
pub fn sync_result_resource(object: &ObjectResult) -> Value {
    let status = match object.action {
        ObjectAction::Created
        | ObjectAction::Configured
        | ObjectAction::Unchanged
        | ObjectAction::Hook => "Synced",
        ObjectAction::Pruned => "Pruned",
        ObjectAction::Skipped => "PruneSkipped",
        ObjectAction::Failed => "SyncFailed",
    };
    let mut value = json!({
        "group": object.key.group,
        "kind": object.key.kind,
        "namespace": object.key.namespace,
        "name": object.key.name,
        "status": status,
        "message": object.message,
        "syncPhase": phase_text(object.phase),
        "action": object.action.as_str(),
    });
    if let Some(health) = object.health {
        value["health"] = json!({"status": health});
    }
    value
}

/// Synced when every resource is; OutOfSync otherwise.
pub fn sync_code(resources: &[ResourceStatus]) -> SyncStatusCode {
    if resources
        .iter()
        .all(|resource| resource.status == SyncStatusCode::Synced)
    {
        SyncStatusCode::Synced
    } else {
        SyncStatusCode::OutOfSync
    }
}

/// The app's health: the worst of its resources' (Healthy when none has a check).
pub fn app_health(resources: &[ResourceStatus]) -> HealthStatus {
    let mut worst = HealthStatus {
        status: HealthStatusCode::Healthy,
        message: None,
    };
    for resource in resources {
        if let Some(health) = &resource.health
            && health.status > worst.status
        {
            worst = health.clone();
        }
    }
    worst
}

/// Appends a history entry with the next id and keeps only the newest `limit`.
pub fn push_history(history: &mut Vec<RevisionHistory>, mut entry: RevisionHistory, limit: usize) {
    entry.id = history
        .iter()
        .map(|item| item.id)
        .max()
        .map_or(0, |id| id + 1);
    history.push(entry);
    let excess = history.len().saturating_sub(limit.max(1));
    history.drain(..excess);
}

/// A condition stamped now.
pub fn condition(condition_type: &str, message: impl Into<String>) -> ApplicationCondition {
    ApplicationCondition {
        condition_type: condition_type.to_string(),
        message: message.into(),
        last_transition_time: Some(now_rfc3339()),
    }
}

pub use ferry_types::time::{format_rfc3339 as rfc3339, now_rfc3339};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_newest_entries_with_increasing_ids() {
        let mut history = Vec::new();
        for revision in ["a", "b", "c"] {
            let entry = RevisionHistory {
                revision: revision.into(),
                ..RevisionHistory::default()
            };
            push_history(&mut history, entry, 2);
        }
        let kept: Vec<_> = history
            .iter()
            .map(|entry| (entry.id, entry.revision.as_str()))
            .collect();
        assert_eq!(kept, [(1, "b"), (2, "c")]);
    }
}
