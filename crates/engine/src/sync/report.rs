//! Turning what happened into a [`SyncResult`]: the result of a rejected validation, of a
//! dry run, and of a sync that ran; per-object results and the one-line summary.

use ferry_sync::{Action, Step, SyncPhase};
use ferry_types::{HealthStatusCode, OperationPhase};

use super::attempt::Attempt;
use super::result::{ObjectAction, ObjectResult, SyncResult};
use super::step::action_for;
use crate::Rejection;
use crate::observe::{Observed, Prediction};

impl Attempt<'_> {
    /// The result when the server rejected objects: nothing was applied.
    pub(super) fn rejected(
        &self,
        steps: &[Step],
        predictions: &[Prediction],
        rejections: &[Rejection],
    ) -> SyncResult {
        let mut objects: Vec<ObjectResult> = steps
            .iter()
            .zip(predictions)
            .map(|(step, prediction)| match prediction {
                Prediction::Rejected(rejection) => failed(step, rejection.message.clone()),
                _ => skipped(step, "not applied: another object was rejected"),
            })
            .collect();
        if steps.is_empty() {
            objects = rejections
                .iter()
                .map(|rejection| ObjectResult {
                    key: rejection.key.clone(),
                    phase: SyncPhase::Sync,
                    wave: 0,
                    action: ObjectAction::Failed,
                    health: None,
                    message: rejection.message.clone(),
                })
                .collect();
        }
        let reasons: Vec<String> = rejections
            .iter()
            .map(|rejection| format!("{}: {}", rejection.key, rejection.message))
            .collect();
        let message = format!(
            "nothing applied: {} object(s) rejected: {}",
            rejections.len(),
            reasons.join("; ")
        );
        finish(
            objects,
            OperationPhase::Failed,
            message,
            self.options.dry_run,
        )
    }

    /// The result of a dry run: what each step would do.
    pub(super) fn dry_run(&self, observed: &Observed, predictions: &[Prediction]) -> SyncResult {
        let ignore = &self.app.spec.ignore_differences;
        let objects: Vec<ObjectResult> = observed
            .plan
            .steps
            .iter()
            .zip(predictions)
            .map(|(step, prediction)| {
                let live = observed.live.get(&step.key);
                let (action, message) = match &step.action {
                    Action::Apply | Action::Replace => {
                        let object = step.object.as_ref().unwrap_or(&serde_json::Value::Null);
                        let note = match prediction {
                            Prediction::Deferred(reason) => reason.clone(),
                            _ => String::new(),
                        };
                        (action_for(object, prediction, live, ignore), note)
                    }
                    Action::RunHook { .. } => (ObjectAction::Hook, "would run".to_string()),
                    Action::Prune => (ObjectAction::Pruned, "would be pruned".to_string()),
                    Action::KeepExtraneous { reason } => (ObjectAction::Skipped, reason.clone()),
                };
                ObjectResult {
                    key: step.key.clone(),
                    phase: step.phase,
                    wave: step.wave,
                    action,
                    health: live
                        .and_then(ferry_health::assess)
                        .map(|health| health.status),
                    message,
                }
            })
            .collect();
        let message = format!(
            "dry run, nothing changed: would {}",
            summary(&objects, true)
        );
        finish(objects, OperationPhase::Succeeded, message, true)
    }
}

pub(super) fn failed(step: &Step, message: String) -> ObjectResult {
    ObjectResult {
        key: step.key.clone(),
        phase: step.phase,
        wave: step.wave,
        action: ObjectAction::Failed,
        health: None,
        message,
    }
}

pub(super) fn skipped(step: &Step, message: &str) -> ObjectResult {
    ObjectResult {
        key: step.key.clone(),
        phase: step.phase,
        wave: step.wave,
        action: ObjectAction::Skipped,
        health: None,
        message: message.to_string(),
    }
}

/// Counts of actions, as `3 created, 1 pruned` (or `create 3, prune 1` for a dry run).
pub(super) fn summary(objects: &[ObjectResult], dry_run: bool) -> String {
    let mut counts: Vec<(ObjectAction, usize)> = Vec::new();
    for object in objects {
        match counts
            .iter_mut()
            .find(|(action, _)| *action == object.action)
        {
            Some((_, count)) => *count += 1,
            None => counts.push((object.action, 1)),
        }
    }
    if counts.is_empty() {
        return "nothing to do".into();
    }
    counts
        .iter()
        .map(|(action, count)| {
            if dry_run {
                let verb = match action {
                    ObjectAction::Created => "create",
                    ObjectAction::Configured => "configure",
                    ObjectAction::Unchanged => "leave unchanged",
                    ObjectAction::Pruned => "prune",
                    ObjectAction::Hook => "run hook",
                    ObjectAction::Skipped => "skip",
                    ObjectAction::Failed => "fail",
                };
                format!("{verb} {count}")
            } else {
                format!("{count} {}", action.as_str())
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The result with the app's health: the worst of its objects', hooks and prunes aside.
pub(super) fn finish(
    objects: Vec<ObjectResult>,
    phase: OperationPhase,
    message: String,
    dry_run: bool,
) -> SyncResult {
    let health = objects
        .iter()
        .filter(|object| !matches!(object.action, ObjectAction::Hook | ObjectAction::Pruned))
        .filter_map(|object| object.health)
        .fold(HealthStatusCode::Healthy, HealthStatusCode::worst);
    SyncResult {
        phase,
        message,
        dry_run,
        attempts: 1,
        health,
        objects,
    }
}
