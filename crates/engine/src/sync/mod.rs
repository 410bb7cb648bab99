//! `sync`: make the cluster match Git. Every object is validated by a server dry-run before
//! anything is applied; then phase by phase and wave by wave objects are applied and awaited
//! healthy; hooks run once; prune only when asked; failed syncs are retried per `retry`.
//! The outcome is a [`SyncResult`]; progress goes to a callback as [`SyncEvent`]s.

mod attempt;
mod hooks;
mod report;
mod result;
mod retry;
mod step;
mod wait;

use std::time::Duration;

use ferry_types::{Application, Manifest, OperationPhase};
use tokio::time::Instant;

pub use hooks::OPERATION_ANNOTATION;
pub use result::{ObjectAction, ObjectResult, SyncEvent, SyncResult, phase_text};
pub use retry::RetryPolicy;

use crate::client::ClusterClient;

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Show what would happen; change nothing.
    pub dry_run: bool,
    /// Delete tracked objects that left Git (also on with `syncPolicy.automated.prune`).
    pub prune: bool,
    /// The whole sync, retries and health waits included, ends by then.
    pub timeout: Duration,
    /// How often health is read while a wave waits.
    pub poll_interval: Duration,
    /// Retries; `None` reads the Application's `syncPolicy.retry`.
    pub retry: Option<RetryPolicy>,
    /// The operation this sync carries out: hooks it creates carry it
    /// ([`OPERATION_ANNOTATION`]), a `generateName` hook gets a name derived from it, and a
    /// hook the operation created (or ran to the end, then deleted by its policy) is not run
    /// again, so a sync carried out again after a restart runs no hook twice.
    pub operation_id: Option<String>,
    /// A partial sync: only these objects are applied or pruned, and no hook runs; the
    /// inventory keeps every other object it named.
    pub resources: Option<Vec<ferry_sync::ResourceSelector>>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            prune: false,
            timeout: Duration::from_secs(300),
            poll_interval: Duration::from_millis(500),
            retry: None,
            operation_id: None,
            resources: None,
        }
    }
}

/// Syncs the `rendered` objects of `app` to the cluster of `client`. Every outcome, errors
/// included, is a [`SyncResult`]; `progress` hears about each wave and object as it goes.
pub async fn sync(
    app: &Application,
    rendered: &[Manifest],
    client: &ClusterClient,
    options: &SyncOptions,
    progress: &mut (dyn FnMut(&SyncEvent) + Send),
) -> SyncResult {
    let deadline = Instant::now() + options.timeout;
    let policy = match &options.retry {
        Some(policy) => policy.clone(),
        None => match RetryPolicy::from_strategy(
            app.spec
                .sync_policy
                .as_ref()
                .and_then(|policy| policy.retry.as_ref()),
        ) {
            Ok(policy) => policy,
            Err(error) => return SyncResult::error(error.to_string(), options.dry_run),
        },
    };
    let apply_out_of_sync_only = app
        .spec
        .sync_policy
        .as_ref()
        .is_some_and(|policy| policy.has_option("ApplyOutOfSyncOnly", "true"));
    let attempt = attempt::Attempt {
        app,
        rendered,
        client,
        options,
        deadline,
        apply_out_of_sync_only,
        respect_ignore_differences: app
            .spec
            .sync_policy
            .as_ref()
            .is_some_and(|policy| policy.has_option("RespectIgnoreDifferences", "true")),
    };
    let mut number = 1;
    loop {
        progress(&SyncEvent::Attempt { number });
        let mut result = attempt.run(progress).await;
        result.attempts = number;
        if result.phase == OperationPhase::Succeeded || options.dry_run {
            return result;
        }
        let Some(delay) = policy.delay(number - 1) else {
            return result;
        };
        if Instant::now() + delay >= deadline {
            return result;
        }
        number += 1;
        progress(&SyncEvent::Retry {
            next: number,
            after: delay,
            reason: result.message.clone(),
        });
        tokio::time::sleep(delay).await;
    }
}
