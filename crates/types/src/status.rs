//! What the controller observes and records on an Application: sync and health status,
//! per-resource status, operations, history and conditions (Argo CD's field names).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::HealthStatusCode;

/// Observed state of an Application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatus {
    /// Per-object status of everything the app manages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceStatus>,
    /// Whether the cluster matches Git.
    #[serde(default)]
    pub sync: SyncStatus,
    /// The app's health, the worst of its objects'.
    #[serde(default)]
    pub health: HealthStatus,
    /// Past syncs, newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<RevisionHistory>,
    /// Errors and warnings about the app.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ApplicationCondition>,
    /// When the app was last compared with Git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciled_at: Option<String>,
    /// The current or last operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_state: Option<OperationState>,
    /// `Directory` or `Kustomize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Images and external URLs seen in the app's objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Value>,
}

/// Sync status values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SyncStatusCode {
    /// Live matches Git.
    Synced,
    /// Live differs from Git.
    OutOfSync,
    /// Not compared yet, or comparison failed.
    #[default]
    Unknown,
}

/// Whether the cluster matches Git, and at which revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Synced, OutOfSync or Unknown.
    #[serde(default)]
    pub status: SyncStatusCode,
    /// The commit compared with.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision: String,
    /// The source and destination compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_to: Option<Value>,
}

/// A health code and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HealthStatus {
    /// The ranked code.
    #[serde(default)]
    pub status: HealthStatusCode,
    /// Why, when not healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Status of one managed object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    /// API group.
    #[serde(default)]
    pub group: String,
    /// API version.
    #[serde(default)]
    pub version: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
    /// Namespace.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Synced, OutOfSync or Unknown.
    #[serde(default)]
    pub status: SyncStatusCode,
    /// Health, when the kind has a health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthStatus>,
    /// Whether this object is a hook.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hook: bool,
    /// Whether the object must be pruned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_pruning: bool,
    /// Sync wave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_wave: Option<i64>,
}

/// A requested operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// A sync request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncOperation>,
    /// Who asked.
    #[serde(default)]
    pub initiated_by: OperationInitiator,
    /// Free-form details.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub info: Vec<crate::Info>,
    /// Retry policy for this operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<crate::RetryStrategy>,
}

/// A sync request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperation {
    /// Revision to sync; the app's target revision when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision: String,
    /// Delete tracked objects that left Git.
    #[serde(default)]
    pub prune: bool,
    /// Report without changing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Options for this sync only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Restrict the sync to these objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Value>,
}

/// Who started an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OperationInitiator {
    /// The user, for manual operations.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Whether the controller started it.
    #[serde(default)]
    pub automated: bool,
}

/// Phases of an operation, as Argo CD names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum OperationPhase {
    /// Under way.
    #[default]
    Running,
    /// Ending early because it was asked to.
    Terminating,
    /// Ended, and the cluster was changed as asked.
    Succeeded,
    /// Ended with an error in a resource.
    Failed,
    /// Ended with an error before any resource was touched.
    Error,
}

/// The current or last operation and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OperationState {
    /// What was asked.
    #[serde(default)]
    pub operation: Operation,
    /// Where it stands.
    #[serde(default)]
    pub phase: OperationPhase,
    /// A summary for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Per-resource results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_result: Option<Value>,
    /// When it started (RFC 3339).
    #[serde(default)]
    pub started_at: String,
    /// When it ended (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// How many retries were made.
    #[serde(default)]
    pub retry_count: i64,
}

/// One past sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RevisionHistory {
    /// Increasing identifier.
    pub id: i64,
    /// The commit synced.
    #[serde(default)]
    pub revision: String,
    /// When the sync finished (RFC 3339).
    #[serde(default)]
    pub deployed_at: String,
    /// When the sync started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_started_at: Option<String>,
    /// The source synced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::ApplicationSource>,
    /// Who asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<OperationInitiator>,
    /// ferry's extension: how the sync ended (`Succeeded`, `Failed`, `Error`); absent in
    /// entries written by Argo CD, which records successful syncs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<OperationPhase>,
    /// ferry's extension: the sync's message (why it failed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub result_message: String,
    /// ferry's extension: the commit message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commit_message: String,
    /// ferry's extension: the commit's author, `Name <email>`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commit_author: String,
    /// ferry's extension: the commit time (committer date, RFC 3339), for lead time.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commit_time: String,
    /// ferry's extension: how long each part of the sync took, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<PhaseTiming>,
}

impl RevisionHistory {
    /// Whether the sync succeeded (entries without a result are Argo CD's: successes).
    pub fn succeeded(&self) -> bool {
        self.result
            .is_none_or(|result| result == OperationPhase::Succeeded)
    }
}

/// How long one part of a sync took (`fetch`, `diff`, `validate`, `apply Sync/0`, `wait
/// Sync/0`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PhaseTiming {
    /// The part.
    pub name: String,
    /// Its duration in milliseconds.
    pub milliseconds: u64,
}

/// An error or warning about an app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationCondition {
    /// Such as `ComparisonError`, `SyncError`, `InvalidSpecError`.
    #[serde(rename = "type")]
    pub condition_type: String,
    /// What happened.
    pub message: String,
    /// When it was last seen (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
}
