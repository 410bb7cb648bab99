//! The Deployment controller: finds or creates the ReplicaSet of the current template (named by
//! its pod-template-hash, numbered by revision), moves replicas between ReplicaSets as the
//! strategy allows, honours pause and scale, cleans up old revisions and reports status with the
//! real conditions.

mod rollout;
mod sets;
mod status;

use serde_json::Value;

use crate::change::{Change, Context, Outcome};
use crate::controllers::pods;
use crate::object;
use crate::resources::DEPLOYMENTS;
use sets::Sets;
pub use sets::{POD_TEMPLATE_HASH, REVISION, template_hash};

/// What the controller of one Deployment looks at.
pub struct DeploymentInputs<'a> {
    /// The Deployment.
    pub deployment: &'a Value,
    /// The ReplicaSets it controls.
    pub replica_sets: Vec<&'a Value>,
    /// The pods those ReplicaSets control.
    pub pods: Vec<&'a Value>,
}

enum Step {
    /// Paused or resized: resize only.
    Sync,
    /// A rollout step was taken (or nothing was left to do).
    Rollout,
}

/// One pass of the Deployment controller.
pub fn reconcile(inputs: &DeploymentInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let deployment = inputs.deployment;
    let mut outcome = Outcome::none();
    if object::is_deleting(deployment) {
        return outcome;
    }
    let fenceposts = rollout::fenceposts(deployment);
    let mut sets = Sets::new(
        deployment,
        &inputs.replica_sets,
        fenceposts.max_surge,
        ctx.config.record_events,
    );
    let mut conditions: Vec<Value> = deployment
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    status::paused_conditions(deployment, &mut conditions, ctx.now);
    let paused = deployment.pointer("/spec/paused") == Some(&Value::Bool(true));
    let recreate = object::text(deployment, "/spec/strategy/type") == Some("Recreate");
    let mut revision = sets.sync_new();
    if revision.is_some()
        && status::has_progress_deadline(deployment)
        && status::find(&conditions, "Progressing").is_none()
    {
        let message = format!(
            "Found new replica set \"{}\"",
            sets.new_name().unwrap_or_default()
        );
        status::set_condition(
            &mut conditions,
            status::new_condition(
                "Progressing",
                "True",
                status::FOUND_NEW_REPLICA_SET,
                &message,
                ctx.now,
            ),
        );
    }
    let step = if paused || sets.is_scaling_event() {
        rollout::scale(&mut sets, fenceposts);
        if paused {
            sets.clean_up();
        }
        Step::Sync
    } else if recreate {
        let scaled_down = rollout::scale_down_old_for_recreate(&mut sets);
        let old_uids = sets.uids(&sets.old());
        let old_running = sets.status_sum(&sets.old(), "replicas") > 0
            || inputs.pods.iter().any(|pod| {
                pods::is_active(pod)
                    && object::controller_uid(pod)
                        .is_some_and(|uid| old_uids.iter().any(|old| old == uid))
            });
        if !scaled_down && !old_running {
            if sets.new_index().is_none() {
                let desired = sets.desired();
                revision = Some(create_new(&mut sets, &mut conditions, desired, ctx));
            }
            if let Some(new) = sets.new_index() {
                let desired = sets.desired();
                sets.scale(new, desired);
            }
            if status::is_complete(deployment, deployment.get("status").unwrap_or(&Value::Null)) {
                sets.clean_up();
            }
        }
        Step::Rollout
    } else {
        if sets.new_index().is_none() {
            let replicas = rollout::new_replicas_rolling(&sets, 0, fenceposts);
            revision = Some(create_new(&mut sets, &mut conditions, replicas, ctx));
        }
        let scaled = rollout::reconcile_new(&mut sets, fenceposts)
            || rollout::reconcile_old(&mut sets, fenceposts);
        if !scaled
            && status::is_complete(deployment, deployment.get("status").unwrap_or(&Value::Null))
        {
            sets.clean_up();
        }
        Step::Rollout
    };
    let all = sets.all();
    let counts = status::Counts {
        replicas: sets.status_sum(&all, "replicas"),
        updated: sets
            .new_index()
            .map_or(0, |new| sets.status_count(new, "replicas")),
        ready: sets.status_sum(&all, "readyReplicas"),
        available: sets.status_sum(&all, "availableReplicas"),
        desired_total: sets.desired_sum(&all),
    };
    let mut new_status = status::calculate(
        deployment,
        counts,
        conditions,
        fenceposts.max_unavailable,
        ctx.now,
    );
    if matches!(step, Step::Rollout) {
        let new_name = sets.new_name();
        status::sync_rollout(deployment, &mut new_status, new_name.as_deref(), ctx.now);
        if let Some(delay) = status::requeue_stuck(deployment, &new_status, ctx.now) {
            outcome.requeue(delay);
        }
    }
    outcome.changes.extend(sets.finish());
    let new_status = Value::Object(new_status);
    let revision_text = revision.map(|revision| revision.to_string());
    let revision_changed = revision_text.is_some()
        && object::annotation(deployment, REVISION) != revision_text.as_deref();
    if deployment.get("status") != Some(&new_status) || revision_changed {
        let mut updated = deployment.clone();
        if let Some(revision) = &revision_text {
            object::set_annotation(&mut updated, REVISION, Some(revision));
        }
        object::ensure_map(&mut updated).insert("status".into(), new_status);
        outcome.push(Change::UpdateStatus {
            resource: &DEPLOYMENTS,
            object: updated,
        });
    }
    outcome
}

fn create_new(
    sets: &mut Sets<'_>,
    conditions: &mut Vec<Value>,
    replicas: i64,
    ctx: &Context<'_>,
) -> i64 {
    let revision = sets.create_new(replicas, ctx);
    if let Some(name) = sets.new_name() {
        let message = format!("Created new replica set \"{name}\"");
        status::set_condition(
            conditions,
            status::new_condition(
                "Progressing",
                "True",
                status::NEW_REPLICA_SET_CREATED,
                &message,
                ctx.now,
            ),
        );
    }
    revision
}

#[cfg(test)]
mod tests;
