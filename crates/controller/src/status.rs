//! Pure status building: per-resource status from a comparison, the app's sync code, history
//! with its limit, conditions, and RFC 3339 timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

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

/// Now, as Kubernetes writes times (`2026-11-26T12:00:00Z`).
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// A wall-clock instant in RFC 3339, UTC, whole seconds.
pub fn rfc3339(instant: SystemTime) -> String {
    let seconds = instant
        .duration_since(UNIX_EPOCH)
        .map_or(0, |duration| duration.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_writes_a_known_instant() {
        let instant = UNIX_EPOCH + std::time::Duration::from_secs(1_795_696_310);
        assert_eq!(rfc3339(instant), "2026-11-26T12:31:50Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

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
