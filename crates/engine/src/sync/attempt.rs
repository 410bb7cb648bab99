//! One attempt at a sync: observe, plan, validate every object by a server dry-run (nothing is
//! applied if any is rejected), then phase by phase and wave by wave apply and wait for health.
//! On failure the SyncFail hooks run and the steps not reached are reported skipped.

use std::collections::{BTreeMap, BTreeSet};

use ferry_health::Health;
use ferry_sync::{Action, Step, SyncPhase};
use ferry_types::{
    Application, HealthStatusCode, Manifest, ObjectKey, OperationPhase, ResourceIgnoreDifferences,
};
use futures_util::{FutureExt, StreamExt, stream};
use serde_json::Value;
use tokio::time::Instant;

use super::SyncOptions;
use super::hooks::{self, HookRun};
use super::report::{failed, finish, skipped, summary};
use super::result::{ObjectAction, ObjectResult, SyncEvent, SyncResult, phase_text};
use super::step::Executed;
use super::wait::{Member, WaitOutcome, wait_for_wave};
use crate::client::ClusterClient;
use crate::observe::{Observed, Prediction, observe, plan_options, predict};
use crate::{Error, Rejection, Result};

/// Phases that run in order; SyncFail runs only on failure.
const PHASES: [SyncPhase; 3] = [SyncPhase::PreSync, SyncPhase::Sync, SyncPhase::PostSync];

/// Everything one attempt needs.
pub(crate) struct Attempt<'a> {
    pub app: &'a Application,
    pub rendered: &'a [Manifest],
    pub client: &'a ClusterClient,
    pub options: &'a SyncOptions,
    pub deadline: Instant,
    /// `ApplyOutOfSyncOnly=true`: objects that match are not sent.
    pub apply_out_of_sync_only: bool,
    /// `RespectIgnoreDifferences=true`: ignored fields are sent with their live values.
    pub respect_ignore_differences: bool,
}

type Progress<'p> = &'p mut (dyn FnMut(&SyncEvent) + Send);

impl Attempt<'_> {
    /// Runs the attempt; every outcome, errors included, is a [`SyncResult`].
    pub(crate) async fn run(&self, progress: Progress<'_>) -> SyncResult {
        match self.try_run(progress).await {
            Ok(result) => result,
            Err(Error::Rejected { rejections }) => self.rejected(&[], &[], &rejections),
            Err(error) => SyncResult::error(error.to_string(), self.options.dry_run),
        }
    }

    async fn try_run(&self, progress: Progress<'_>) -> Result<SyncResult> {
        let plan_options = plan_options(self.app, self.options.prune)?;
        let mut observed = observe(self.app, self.rendered, self.client, &plan_options).await?;
        if self.respect_ignore_differences {
            respect_ignored(&mut observed, &self.app.spec.ignore_differences)?;
        }
        if let Some(selected) = &self.options.resources {
            observed.plan = ferry_sync::select(&observed.plan, selected);
        }
        let observed = observed;
        let steps = &observed.plan.steps;
        let predictions = predict(self.client, &observed, steps).await?;
        let on_failure = predict(self.client, &observed, &observed.plan.on_failure).await?;
        let rejections: Vec<Rejection> = predictions
            .iter()
            .chain(&on_failure)
            .filter_map(|prediction| match prediction {
                Prediction::Rejected(rejection) => Some(rejection.clone()),
                _ => None,
            })
            .collect();
        let deferred = predictions
            .iter()
            .filter(|p| matches!(p, Prediction::Deferred(_)))
            .count();
        progress(&SyncEvent::Validated {
            accepted: predictions.iter().filter(|p| p.object().is_some()).count(),
            deferred,
            rejected: rejections.len(),
        });
        if !rejections.is_empty() {
            return Ok(self.rejected(steps, &predictions, &rejections));
        }
        if self.options.dry_run {
            return Ok(self.dry_run(&observed, &predictions));
        }
        // Before anything is applied the inventory names everything this sync may create, so a
        // sync cut short (a crash, kill -9) leaves nothing behind that a later prune cannot find.
        let planned = planned_inventory(&observed);
        let mut inventory = Inventory {
            due: observed.inventory.as_ref() != Some(&planned),
            written: observed.inventory.clone(),
            planned,
        };
        let mut result = self
            .execute_all(&observed, &predictions, &mut inventory, progress)
            .await;
        let written = inventory.written;
        let keys = if self.options.resources.is_some() {
            // A partial sync leaves the objects it did not name, and their inventory entries.
            without_pruned(&inventory.planned, &result)
        } else {
            inventory_keys(&observed, &result)
        };
        if written.as_ref() != Some(&keys)
            && let Err(error) = self.write_inventory(&observed, &keys).await
        {
            result.message = format!("{}; the inventory was not written: {error}", result.message);
        }
        Ok(result)
    }

    /// Writes the inventory of the app.
    async fn write_inventory(&self, observed: &Observed, keys: &BTreeSet<ObjectKey>) -> Result<()> {
        let app = crate::target::app_name(self.app)?;
        self.client
            .write_inventory(app, &observed.inventory_namespace, keys)
            .await
    }

    /// Applies every wave in order; stops at the first failure. The planned inventory is
    /// written, when it differs, before the first object other than a Namespace (the
    /// inventory's own namespace may be one this sync creates).
    async fn execute_all(
        &self,
        observed: &Observed,
        predictions: &[Prediction],
        inventory: &mut Inventory,
        progress: Progress<'_>,
    ) -> SyncResult {
        let steps = &observed.plan.steps;
        let mut results: Vec<Option<ObjectResult>> = vec![None; steps.len()];
        let mut failure: Option<String> = None;
        'phases: for phase in PHASES {
            for (wave, indices) in waves(steps, phase) {
                progress(&SyncEvent::Wave {
                    phase,
                    wave,
                    objects: indices.len(),
                });
                let mut members = Vec::new();
                // Objects of one kind in one wave go out together (the server groups their
                // commits); kinds still go one after another, so Namespaces and CRDs land
                // before what needs them.
                for group in kind_groups(steps, &indices) {
                    let namespaces = group.iter().all(|&index| {
                        steps[index].key.kind == "Namespace" && steps[index].key.group.is_empty()
                    });
                    if !namespaces && inventory.due {
                        inventory.due = false;
                        match self.write_inventory(observed, &inventory.planned).await {
                            Ok(()) => inventory.written = Some(inventory.planned.clone()),
                            Err(Error::Api { code: 404, .. }) => {
                                failure = Some(format!(
                                    "namespace {} does not exist, so the inventory cannot be \
                                     written there and nothing was applied (create it, or set \
                                     CreateNamespace=true)",
                                    observed.inventory_namespace
                                ));
                                break;
                            }
                            Err(error) => {
                                failure = Some(format!(
                                    "the inventory could not be written, so nothing was \
                                     applied after it: {error}"
                                ));
                                break;
                            }
                        }
                    }
                    let outcomes: Vec<(usize, Result<Executed>)> = stream::iter(group)
                        .map(|index| {
                            async move {
                                let step = &steps[index];
                                (
                                    index,
                                    self.execute(index, step, &predictions[index], observed)
                                        .await,
                                )
                            }
                            .boxed()
                        })
                        .buffered(CONCURRENT_APPLIES)
                        .collect()
                        .await;
                    for (index, outcome) in outcomes {
                        let step = &steps[index];
                        match outcome {
                            Ok(executed) => {
                                progress(&SyncEvent::Object(executed.result.clone()));
                                results[index] = Some(executed.result);
                                members.extend(executed.member);
                            }
                            Err(error) => {
                                let result = failed(step, error.to_string());
                                progress(&SyncEvent::Object(result.clone()));
                                failure.get_or_insert_with(|| format!("{}: {error}", step.key));
                                results[index] = Some(result);
                            }
                        }
                    }
                    if failure.is_some() {
                        break;
                    }
                }
                let outcome = if failure.is_none() {
                    self.wait(&mut members, progress).await
                } else {
                    Ok(WaitOutcome::Healthy)
                };
                record_health(&mut results, &members);
                if let Err(error) = self.finish_hooks(observed, &mut results, &members).await {
                    failure.get_or_insert_with(|| error.to_string());
                }
                match outcome {
                    Ok(WaitOutcome::Healthy) => {}
                    Ok(WaitOutcome::Degraded(key, health)) => {
                        failure.get_or_insert_with(|| {
                            format!("{key} is Degraded: {}", health.message)
                        });
                    }
                    Ok(WaitOutcome::TimedOut(key, health)) => {
                        failure.get_or_insert_with(|| {
                            format!(
                                "timed out in {} wave {wave} waiting for {key}: {:?}: {}",
                                phase_text(phase),
                                health.status,
                                health.message
                            )
                        });
                    }
                    Err(error) => {
                        failure.get_or_insert_with(|| error.to_string());
                    }
                }
                if failure.is_some() {
                    break 'phases;
                }
            }
        }
        let mut objects: Vec<ObjectResult> = results
            .into_iter()
            .zip(steps)
            .map(|(result, step)| {
                result.unwrap_or_else(|| {
                    skipped(step, "not reached: the sync stopped at an earlier failure")
                })
            })
            .collect();
        let Some(failure) = failure else {
            let message = format!("synced: {}", summary(&objects, false));
            return finish(objects, OperationPhase::Succeeded, message, false);
        };
        for step in &observed.plan.on_failure {
            let result = match self.run_sync_fail_hook(observed, step).await {
                Ok(result) => result,
                Err(error) => failed(step, error.to_string()),
            };
            progress(&SyncEvent::Object(result.clone()));
            objects.push(result);
        }
        finish(objects, OperationPhase::Failed, failure, false)
    }

    async fn wait(&self, members: &mut [Member], progress: Progress<'_>) -> Result<WaitOutcome> {
        wait_for_wave(
            self.client,
            members,
            self.deadline,
            self.options.poll_interval,
            progress,
        )
        .await
    }

    /// The operation hooks run under, if any, and where their record is kept.
    pub(crate) fn hook_run<'s>(&'s self, observed: &'s Observed) -> Option<HookRun<'s>> {
        Some(HookRun {
            operation: self.options.operation_id.as_deref()?,
            // Checked when the plan options were made.
            app: crate::target::app_name(self.app).ok()?,
            inventory_namespace: &observed.inventory_namespace,
        })
    }

    /// Applies the delete policies of the hooks of a finished wave.
    async fn finish_hooks(
        &self,
        observed: &Observed,
        results: &mut [Option<ObjectResult>],
        members: &[Member],
    ) -> Result<()> {
        let steps = &observed.plan.steps;
        for member in members {
            let Action::RunHook { delete_policies } = &steps[member.index].action else {
                continue;
            };
            let health = member
                .health
                .as_ref()
                .map_or(HealthStatusCode::Healthy, |health| health.status);
            if let Some(note) = hooks::finish(
                self.client,
                &member.resource,
                &member.key,
                delete_policies,
                health,
                self.hook_run(observed),
            )
            .await?
                && let Some(result) = results[member.index].as_mut()
            {
                result.message = format!("{}; {note}", result.message);
            }
        }
        Ok(())
    }

    /// Creates a SyncFail hook, without waiting for it.
    async fn run_sync_fail_hook(&self, observed: &Observed, step: &Step) -> Result<ObjectResult> {
        let object = step.object.as_ref().ok_or_else(|| Error::Application {
            message: format!("{}: the plan has no object to send", step.key),
        })?;
        let resource = self.client.resource_of(object).await?;
        let policies = match &step.action {
            Action::RunHook { delete_policies } => delete_policies.as_slice(),
            _ => &[],
        };
        let started = hooks::start(
            self.client,
            &resource,
            object,
            policies,
            self.hook_run(observed),
            self.deadline,
            self.options.poll_interval,
        )
        .await?;
        let key = match &started {
            hooks::Started::Created(stored) | hooks::Started::Exists(stored) => hooks::key_of(
                &resource,
                stored["metadata"]["namespace"].as_str().unwrap_or(""),
                stored["metadata"]["name"].as_str().unwrap_or(""),
            ),
            hooks::Started::Finished(key) => key.clone(),
        };
        Ok(ObjectResult {
            key,
            phase: step.phase,
            wave: step.wave,
            action: ObjectAction::Hook,
            health: None,
            message: "created because the sync failed".into(),
        })
    }
}

/// The app's inventory during a sync: what the cluster holds, and what is to be written before
/// the first object is applied.
pub(crate) struct Inventory {
    /// What the cluster holds.
    written: Option<BTreeSet<ObjectKey>>,
    /// What is written before the first object.
    planned: BTreeSet<ObjectKey>,
    /// Whether `planned` is still to be written.
    due: bool,
}

/// The keys of the objects of the Sync phase (not hooks) the plan applies, keeps or prunes.
fn sync_phase_keys(observed: &Observed) -> impl Iterator<Item = &ObjectKey> {
    observed
        .plan
        .steps
        .iter()
        .filter(|step| step.phase == SyncPhase::Sync)
        .filter(|step| !matches!(step.action, Action::RunHook { .. }))
        .map(|step| &step.key)
}

/// The inventory written before a sync applies anything: what it had, and every object of
/// the sync phase the plan may apply or prune.
fn planned_inventory(observed: &Observed) -> BTreeSet<ObjectKey> {
    let mut keys = observed.inventory.clone().unwrap_or_default();
    keys.extend(sync_phase_keys(observed).cloned());
    keys
}

/// The inventory after a sync: the objects of its Sync phase, less what it pruned (a prune
/// not carried out stays, for the next sync).
fn inventory_keys(observed: &Observed, result: &SyncResult) -> BTreeSet<ObjectKey> {
    let all: BTreeSet<ObjectKey> = sync_phase_keys(observed).cloned().collect();
    without_pruned(&all, result)
}

/// `keys` less the objects `result` pruned.
fn without_pruned(keys: &BTreeSet<ObjectKey>, result: &SyncResult) -> BTreeSet<ObjectKey> {
    let pruned: BTreeSet<&ObjectKey> = result
        .objects
        .iter()
        .filter(|object| object.action == ObjectAction::Pruned)
        .map(|object| &object.key)
        .collect();
    keys.iter()
        .filter(|key| !pruned.contains(key))
        .cloned()
        .collect()
}

/// `RespectIgnoreDifferences=true`: every object sent over a live one carries the live value
/// of each ignored `jsonPointers` path (or lacks it, when live does), so a sync never
/// overwrites an ignored field.
fn respect_ignored(observed: &mut Observed, ignore: &[ResourceIgnoreDifferences]) -> Result<()> {
    for step in &mut observed.plan.steps {
        if !matches!(step.action, Action::Apply | Action::Replace) {
            continue;
        }
        let (Some(object), Some(live)) = (step.object.as_mut(), observed.live.get(&step.key))
        else {
            continue;
        };
        for rule in ignore.iter().filter(|rule| rule_matches(rule, &step.key)) {
            for pointer in &rule.json_pointers {
                let tokens = pointer_tokens(pointer).ok_or_else(|| Error::Application {
                    message: format!("ignoreDifferences: {pointer:?} is not a JSON pointer"),
                })?;
                match pointer_get(live, &tokens) {
                    Some(value) => pointer_set(object, &tokens, value.clone()),
                    None => pointer_remove(object, &tokens),
                }
            }
        }
    }
    Ok(())
}

fn rule_matches(rule: &ResourceIgnoreDifferences, key: &ObjectKey) -> bool {
    rule.group == key.group
        && rule.kind == key.kind
        && (rule.name.is_empty() || rule.name == key.name)
        && (rule.namespace.is_empty() || rule.namespace == key.namespace)
}

/// RFC 6901 tokens of a pointer (`~1` is `/`, `~0` is `~`).
fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

fn pointer_get<'v>(value: &'v Value, tokens: &[String]) -> Option<&'v Value> {
    tokens.iter().try_fold(value, |value, token| match value {
        Value::Object(map) => map.get(token),
        Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn pointer_set(value: &mut Value, tokens: &[String], new: Value) {
    let Some((last, parents)) = tokens.split_last() else {
        *value = new;
        return;
    };
    let mut current = value;
    for token in parents {
        current = match current {
            Value::Object(map) => map
                .entry(token.clone())
                .or_insert_with(|| Value::Object(Default::default())),
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i))
            {
                Some(item) => item,
                None => return,
            },
            _ => return,
        };
    }
    match current {
        Value::Object(map) => {
            map.insert(last.clone(), new);
        }
        Value::Array(items) => {
            if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *item = new;
            }
        }
        _ => {}
    }
}

fn pointer_remove(value: &mut Value, tokens: &[String]) {
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut current = value;
    for token in parents {
        let next = match current {
            Value::Object(map) => map.get_mut(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        let Some(next) = next else { return };
        current = next;
    }
    match current {
        Value::Object(map) => {
            map.shift_remove(last);
        }
        Value::Array(items) => {
            if let Some(index) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// The waves of one phase, in order, with the indices of their steps.
/// How many objects of one kind are sent at once.
const CONCURRENT_APPLIES: usize = 32;

/// Splits a wave's steps (already in plan order) into runs of the same kind and action
/// class, which may be sent concurrently.
fn kind_groups(steps: &[Step], indices: &[usize]) -> Vec<Vec<usize>> {
    let class = |index: usize| {
        let step = &steps[index];
        let prune = matches!(step.action, Action::Prune | Action::KeepExtraneous { .. });
        (
            ferry_sync::kind_rank(&step.key.kind),
            step.key.kind.clone(),
            prune,
        )
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &index in indices {
        match groups.last_mut() {
            Some(group) if class(group[0]) == class(index) => group.push(index),
            _ => groups.push(vec![index]),
        }
    }
    groups
}

fn waves(steps: &[Step], phase: SyncPhase) -> Vec<(i64, Vec<usize>)> {
    let mut waves: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (index, step) in steps.iter().enumerate() {
        if step.phase == phase {
            waves.entry(step.wave).or_default().push(index);
        }
    }
    waves.into_iter().collect()
}

fn record_health(results: &mut [Option<ObjectResult>], members: &[Member]) {
    for member in members {
        if let Some(result) = results[member.index].as_mut() {
            result.health = member.health.as_ref().map(|health| health.status);
            if result.message.is_empty()
                && let Some(Health { message, .. }) = &member.health
            {
                result.message = message.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(kind: &str, name: &str, action: Action) -> Step {
        Step {
            phase: SyncPhase::Sync,
            wave: 0,
            action,
            key: ferry_types::ObjectKey {
                group: String::new(),
                kind: kind.into(),
                namespace: String::new(),
                name: name.into(),
            },
            object: None,
        }
    }

    #[test]
    fn objects_of_one_kind_go_together_and_kinds_and_prunes_stay_apart() {
        let steps = [
            step("Namespace", "a", Action::Apply),
            step("ConfigMap", "b", Action::Apply),
            step("ConfigMap", "c", Action::Apply),
            step("Service", "d", Action::Apply),
            step("ConfigMap", "e", Action::Prune),
            step("ConfigMap", "f", Action::Prune),
        ];
        let groups = kind_groups(&steps, &[0, 1, 2, 3, 4, 5]);
        assert_eq!(groups, vec![vec![0], vec![1, 2], vec![3], vec![4, 5]]);
    }
    use serde_json::json;

    #[test]
    fn json_pointers_copy_the_live_value_or_drop_the_path() {
        let tokens = pointer_tokens("/metadata/annotations/a~1b").unwrap();
        assert_eq!(tokens, ["metadata", "annotations", "a/b"]);
        assert_eq!(pointer_tokens("spec"), None);

        let live = json!({"spec": {"replicas": 3, "template": {"x": [1, 2]}}});
        let mut desired = json!({"spec": {"replicas": 1, "paused": true}});
        pointer_set(
            &mut desired,
            &pointer_tokens("/spec/replicas").unwrap(),
            json!(3),
        );
        pointer_remove(&mut desired, &pointer_tokens("/spec/paused").unwrap());
        assert_eq!(desired, json!({"spec": {"replicas": 3}}));
        assert_eq!(
            pointer_get(&live, &pointer_tokens("/spec/template/x/1").unwrap()),
            Some(&json!(2))
        );
    }
}
