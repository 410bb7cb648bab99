//! An app's deployments as recorded in `status.history` (and its last operation), read
//! leniently: fields added to the history later (`commitTime`, `result`, commit `message` and
//! `author`, `healthyAt`) are looked up by name in the entry's JSON, so their absence only
//! degrades the figures.

use std::time::SystemTime;

use ferry_types::{Application, HealthStatusCode, OperationPhase, RevisionHistory};
use serde::Serialize;
use serde_json::Value;

use crate::time::parse_rfc3339;

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DeploymentResult {
    /// Applied as asked (also what an entry without `result` means: the controller records
    /// only successful syncs until the field exists).
    Succeeded,
    /// An object failed to apply or become healthy.
    Failed,
    /// It failed before anything was applied.
    Error,
}

impl DeploymentResult {
    /// `Succeeded`, `Failed` or `Error`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentResult::Succeeded => "Succeeded",
            DeploymentResult::Failed => "Failed",
            DeploymentResult::Error => "Error",
        }
    }

    /// Whether it ended well.
    pub fn succeeded(self) -> bool {
        self == DeploymentResult::Succeeded
    }

    fn from_text(text: &str) -> Option<Self> {
        match text {
            "Succeeded" => Some(DeploymentResult::Succeeded),
            "Failed" => Some(DeploymentResult::Failed),
            "Error" => Some(DeploymentResult::Error),
            _ => None,
        }
    }
}

/// One recorded deployment (a sync that was not a dry run).
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// The history id (`None` for the last operation when it is not in the history).
    pub id: Option<i64>,
    /// The commit synced.
    pub revision: String,
    /// When the sync started.
    pub started_at: Option<SystemTime>,
    /// When it ended.
    pub deployed_at: Option<SystemTime>,
    /// When the commit was made (`commitTime`), if recorded.
    pub commit_time: Option<SystemTime>,
    /// When the app was Healthy after it (`healthyAt`), if recorded.
    pub healthy_at: Option<SystemTime>,
    /// How it ended.
    pub result: DeploymentResult,
    /// Whether automation started it.
    pub automated: bool,
    /// The commit message's first line, if recorded.
    pub message: Option<String>,
    /// The commit author, if recorded.
    pub author: Option<String>,
}

impl Deployment {
    /// Reads one history entry.
    pub fn from_history(entry: &RevisionHistory) -> Self {
        Self::from_json(&serde_json::to_value(entry).unwrap_or(Value::Null))
    }

    /// Reads one history entry from its JSON (Argo CD's field names plus ferry's additions),
    /// so fields the typed [`RevisionHistory`] does not know yet are read too.
    pub fn from_json(raw: &Value) -> Self {
        let result = text_at(raw, &[&["result"], &["phase"]])
            .and_then(|text| DeploymentResult::from_text(&text))
            .unwrap_or(DeploymentResult::Succeeded);
        Self {
            id: value_at(raw, &["id"]).and_then(Value::as_i64),
            revision: text_at(raw, &[&["revision"]]).unwrap_or_default(),
            started_at: time_at(raw, &[&["deployStartedAt"]]),
            deployed_at: time_at(raw, &[&["deployedAt"]]),
            commit_time: time_at(
                raw,
                &[
                    &["commitTime"],
                    &["commit", "time"],
                    &["commit", "committedAt"],
                ],
            ),
            healthy_at: time_at(
                raw,
                &[
                    &["healthyAt"],
                    &["phases", "healthyAt"],
                    &["timings", "healthyAt"],
                ],
            ),
            result,
            automated: value_at(raw, &["initiatedBy", "automated"])
                .and_then(Value::as_bool)
                .unwrap_or(false),
            message: text_at(raw, &[&["commitMessage"], &["commit", "message"]])
                .map(|message| message.lines().next().unwrap_or_default().to_string()),
            author: text_at(raw, &[&["commitAuthor"], &["commit", "author"]]),
        }
    }
}

/// What the figures need of one Application: who it is, where it deploys, its health now and
/// its deployments.
#[derive(Debug, Clone, PartialEq)]
pub struct AppHistory {
    /// The Application's namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its project (`default` when unset).
    pub project: String,
    /// The destination namespace (the environment).
    pub environment: String,
    /// The destination cluster: `server`, else `name`, else empty (the current one).
    pub cluster: String,
    /// Health now, when the controller has written a status.
    pub health: Option<HealthStatusCode>,
    /// How many history entries the status holds.
    pub history_entries: usize,
    /// The deployments, oldest first.
    pub deployments: Vec<Deployment>,
}

impl AppHistory {
    /// From a typed Application (history fields the type does not know are not seen).
    pub fn of(app: &Application) -> Self {
        let history: Vec<Value> = app
            .status
            .as_ref()
            .map(|status| {
                status
                    .history
                    .iter()
                    .map(|entry| serde_json::to_value(entry).unwrap_or(Value::Null))
                    .collect()
            })
            .unwrap_or_default();
        Self::with_history(app, &history)
    }

    /// From an Application's JSON as the API server returns it: every history field is read,
    /// known to [`RevisionHistory`] or not. `None` when the JSON is not an Application.
    pub fn from_json(raw: &Value) -> Option<Self> {
        let app: Application = serde_json::from_value(raw.clone()).ok()?;
        let history = raw
            .pointer("/status/history")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Some(Self::with_history(&app, &history))
    }

    fn with_history(app: &Application, history: &[Value]) -> Self {
        let destination = &app.spec.destination;
        Self {
            namespace: app.metadata.namespace.clone().unwrap_or_default(),
            name: app.metadata.name.clone(),
            project: app.project().to_string(),
            environment: destination.namespace.clone(),
            cluster: if destination.server.is_empty() {
                destination.name.clone()
            } else {
                destination.server.clone()
            },
            health: app.status.as_ref().map(|status| status.health.status),
            history_entries: history.len(),
            deployments: deployments_of(app, history),
        }
    }
}

/// The app's deployments, oldest first: every history entry, plus the last operation when it
/// was a failed sync (not a dry run) that the history does not hold.
pub fn deployments(app: &Application) -> Vec<Deployment> {
    AppHistory::of(app).deployments
}

fn deployments_of(app: &Application, history: &[Value]) -> Vec<Deployment> {
    let mut deployments: Vec<Deployment> = history.iter().map(Deployment::from_json).collect();
    let Some(status) = &app.status else {
        return deployments;
    };
    if let Some(operation) = &status.operation_state {
        let dry_run = operation
            .operation
            .sync
            .as_ref()
            .is_some_and(|sync| sync.dry_run);
        let result = match operation.phase {
            OperationPhase::Failed => Some(DeploymentResult::Failed),
            OperationPhase::Error => Some(DeploymentResult::Error),
            _ => None,
        };
        let finished_at = operation.finished_at.as_deref().and_then(parse_rfc3339);
        if let (Some(result), false, Some(finished_at)) = (result, dry_run, finished_at) {
            let recorded = deployments
                .iter()
                .any(|deployment| deployment.deployed_at == Some(finished_at));
            if !recorded {
                let revision = operation
                    .sync_result
                    .as_ref()
                    .and_then(|result| result.get("revision"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        operation
                            .operation
                            .sync
                            .as_ref()
                            .map(|sync| sync.revision.clone())
                    })
                    .unwrap_or_default();
                deployments.push(Deployment {
                    id: None,
                    revision,
                    started_at: parse_rfc3339(&operation.started_at),
                    deployed_at: Some(finished_at),
                    commit_time: None,
                    healthy_at: None,
                    result,
                    automated: operation.operation.initiated_by.automated,
                    message: None,
                    author: None,
                });
            }
        }
    }
    deployments.sort_by_key(|deployment| (deployment.deployed_at, deployment.id));
    deployments
}

fn value_at<'a>(raw: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(raw, |value, key| value.get(key))
        .filter(|value| !value.is_null())
}

fn text_at(raw: &Value, paths: &[&[&str]]) -> Option<String> {
    paths
        .iter()
        .find_map(|path| value_at(raw, path).and_then(Value::as_str))
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

fn time_at(raw: &Value, paths: &[&[&str]]) -> Option<SystemTime> {
    paths.iter().find_map(|path| {
        value_at(raw, path)
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(status: Value) -> Application {
        serde_json::from_value(json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "web", "namespace": "ferry"},
            "spec": {"destination": {"namespace": "staging"}},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn an_entry_without_the_new_fields_reads_as_a_success_without_commit_time() {
        let app = app(json!({"history": [{
            "id": 1, "revision": "abc", "deployedAt": "2025-01-01T00:01:00Z",
            "deployStartedAt": "2025-01-01T00:00:00Z"
        }]}));
        let deployments = deployments(&app);
        assert_eq!(deployments.len(), 1);
        assert_eq!(deployments[0].result, DeploymentResult::Succeeded);
        assert_eq!(deployments[0].commit_time, None);
        assert_eq!(
            deployments[0].started_at,
            parse_rfc3339("2025-01-01T00:00:00Z")
        );
    }

    #[test]
    fn a_failed_last_operation_missing_from_history_counts_as_a_failed_deployment() {
        let app = app(json!({
            "history": [{"id": 1, "revision": "abc", "deployedAt": "2025-01-01T00:01:00Z"}],
            "operationState": {
                "operation": {"sync": {"revision": "def"}, "initiatedBy": {"automated": true}},
                "phase": "Failed", "startedAt": "2025-01-02T00:00:00Z",
                "finishedAt": "2025-01-02T00:02:00Z",
                "syncResult": {"revision": "def"}
            }
        }));
        let deployments = deployments(&app);
        assert_eq!(deployments.len(), 2);
        assert_eq!(deployments[1].result, DeploymentResult::Failed);
        assert_eq!(deployments[1].revision, "def");
        assert!(deployments[1].automated);
    }

    #[test]
    fn a_failed_dry_run_is_not_a_deployment() {
        let app = app(json!({"operationState": {
            "operation": {"sync": {"dryRun": true}},
            "phase": "Failed", "startedAt": "2025-01-02T00:00:00Z",
            "finishedAt": "2025-01-02T00:02:00Z"
        }}));
        assert!(deployments(&app).is_empty());
    }
}
