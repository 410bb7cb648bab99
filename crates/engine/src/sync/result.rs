//! The outcome of a sync as data: per object what was done and how healthy it is, the
//! overall phase, and the progress events sent while it runs.

use std::time::Duration;

use ferry_sync::SyncPhase;
use ferry_types::{HealthStatusCode, ObjectKey, OperationPhase};
use serde::Serialize;

/// What a sync did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectAction {
    /// It did not exist and was created.
    Created,
    /// It existed and differed; it was applied.
    Configured,
    /// It existed and matched; applying it changed nothing.
    Unchanged,
    /// It left Git and was deleted.
    Pruned,
    /// A hook that ran.
    Hook,
    /// Nothing was done: kept (pruning off, `Prune=false`), or not reached.
    Skipped,
    /// The server refused it, or it ended unhealthy.
    Failed,
}

impl ObjectAction {
    /// The lower-case word printed in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectAction::Created => "created",
            ObjectAction::Configured => "configured",
            ObjectAction::Unchanged => "unchanged",
            ObjectAction::Pruned => "pruned",
            ObjectAction::Hook => "hook",
            ObjectAction::Skipped => "skipped",
            ObjectAction::Failed => "failed",
        }
    }
}

/// What happened to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectResult {
    /// The object (a hook with `generateName` carries the name it got).
    pub key: ObjectKey,
    /// Its phase.
    #[serde(serialize_with = "phase_name")]
    pub phase: SyncPhase,
    /// Its wave.
    pub wave: i64,
    /// What was done (or, in a dry run, what would be done).
    pub action: ObjectAction,
    /// Its health after the sync; `None` for kinds without a health check and for objects
    /// not applied.
    pub health: Option<HealthStatusCode>,
    /// Why, in words: the server's message, the health message or the reason it was skipped.
    pub message: String,
}

/// The outcome of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncResult {
    /// Succeeded, Failed (an object was rejected, failed or ended unhealthy) or Error (the sync
    /// could not run).
    pub phase: OperationPhase,
    /// What happened, in one sentence.
    pub message: String,
    /// Whether this was a dry run (nothing changed).
    pub dry_run: bool,
    /// Attempts made (retries included).
    pub attempts: u32,
    /// The app's health after the sync: the worst of its objects'.
    pub health: HealthStatusCode,
    /// Every object, in plan order.
    pub objects: Vec<ObjectResult>,
}

impl SyncResult {
    /// A sync that could not run.
    pub fn error(message: impl Into<String>, dry_run: bool) -> Self {
        Self {
            phase: OperationPhase::Error,
            message: message.into(),
            dry_run,
            attempts: 1,
            health: HealthStatusCode::Unknown,
            objects: Vec::new(),
        }
    }

    /// Whether the sync succeeded and the app is healthy.
    pub fn is_synced_and_healthy(&self) -> bool {
        self.phase == OperationPhase::Succeeded && matches!(self.health, HealthStatusCode::Healthy)
    }
}

/// Progress, sent while a sync runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// An attempt starts (1 for the first).
    Attempt {
        /// Its number.
        number: u32,
    },
    /// Every object was validated by a server dry-run.
    Validated {
        /// Objects the server accepted.
        accepted: usize,
        /// Objects the server can only judge once their CRD or namespace exists.
        deferred: usize,
        /// Objects it refused.
        rejected: usize,
    },
    /// A wave starts.
    Wave {
        /// Its phase.
        phase: SyncPhase,
        /// Its number.
        wave: i64,
        /// How many objects it has.
        objects: usize,
    },
    /// An object was applied, pruned, run or skipped.
    Object(ObjectResult),
    /// An object's health changed while its wave waits.
    Health {
        /// The object.
        key: ObjectKey,
        /// Its health now.
        health: HealthStatusCode,
        /// Why.
        message: String,
    },
    /// The sync failed and will be tried again.
    Retry {
        /// The attempt that comes next.
        next: u32,
        /// How long until it starts.
        after: Duration,
        /// Why the last one failed.
        reason: String,
    },
}

/// A phase's name as Argo CD writes it.
pub fn phase_text(phase: SyncPhase) -> &'static str {
    match phase {
        SyncPhase::PreSync => "PreSync",
        SyncPhase::Sync => "Sync",
        SyncPhase::PostSync => "PostSync",
        SyncPhase::SyncFail => "SyncFail",
    }
}

fn phase_name<S: serde::Serializer>(
    phase: &SyncPhase,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(phase_text(*phase))
}
