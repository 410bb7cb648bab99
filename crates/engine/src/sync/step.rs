//! Carrying out one step of a plan: apply or replace (after the CRD of a custom resource is
//! established), run a hook, prune, or keep; the result says what was done.

use std::sync::Arc;

use ferry_diff::ResourceDiffStatus;
use ferry_sync::{Action, Step};
use ferry_types::{ObjectKey, ResourceIgnoreDifferences};
use serde_json::Value;
use tokio::time::Instant;

use super::attempt::Attempt;
use super::hooks::{self, Started};
use super::result::{ObjectAction, ObjectResult};
use super::wait::Member;
use crate::client::{WriteOptions, gvk_of};
use crate::observe::{Observed, Prediction, send, validates};
use crate::{Error, Result};

/// What one step did, and what its wave must wait for.
pub(crate) struct Executed {
    /// The result so far (health filled in after the wave).
    pub result: ObjectResult,
    /// The object the wave waits for, if any.
    pub member: Option<Member>,
}

impl Attempt<'_> {
    /// Carries out step `index`.
    pub(crate) async fn execute(
        &self,
        index: usize,
        step: &Step,
        prediction: &Prediction,
        observed: &Observed,
    ) -> Result<Executed> {
        let result = |action, key: &ObjectKey, message: String| ObjectResult {
            key: key.clone(),
            phase: step.phase,
            wave: step.wave,
            action,
            health: None,
            message,
        };
        match &step.action {
            Action::Apply | Action::Replace => {
                let object = step.object.as_ref().ok_or_else(|| missing_object(step))?;
                if observed.target.is_pending(object) {
                    self.wait_until_served(object, &step.key).await?;
                }
                let live = observed.live.get(&step.key);
                let action = action_for(object, prediction, live, self.ignore());
                // A dry-run that predicts exactly the live object (same resourceVersion, same
                // managedFields) proves the apply is a no-op on the server: skip the request.
                let no_op = live.is_some() && prediction.object() == live;
                let stored = if no_op
                    || (self.apply_out_of_sync_only && action == ObjectAction::Unchanged)
                {
                    live.cloned()
                } else {
                    let options = WriteOptions {
                        validate: validates(object)?,
                        ..WriteOptions::APPLY
                    };
                    Some(send(self.client, &step.action, object, options).await?)
                };
                let resource = self.client.resource_of(object).await?;
                let health = stored.as_ref().and_then(ferry_health::assess);
                Ok(Executed {
                    result: result(action, &step.key, String::new()),
                    member: Some(Member {
                        index,
                        key: step.key.clone(),
                        resource,
                        health,
                    }),
                })
            }
            Action::RunHook { delete_policies } => {
                let object = step.object.as_ref().ok_or_else(|| missing_object(step))?;
                let resource = self.client.resource_of(object).await?;
                let started = hooks::start(
                    self.client,
                    &resource,
                    object,
                    delete_policies,
                    self.hook_run(observed),
                    self.deadline,
                    self.options.poll_interval,
                )
                .await?;
                let (stored, message) = match &started {
                    Started::Created(stored) => (stored, "created"),
                    Started::Exists(stored) => (stored, "exists; not run again"),
                    Started::Finished(key) => {
                        return Ok(Executed {
                            result: result(
                                ObjectAction::Hook,
                                key,
                                "finished earlier in this operation; not run again".into(),
                            ),
                            member: None,
                        });
                    }
                };
                let namespace = stored["metadata"]["namespace"].as_str().unwrap_or("");
                let name = stored["metadata"]["name"].as_str().unwrap_or("");
                let key = hooks::key_of(&resource, namespace, name);
                let health = ferry_health::assess(stored);
                Ok(Executed {
                    result: result(ObjectAction::Hook, &key, message.into()),
                    member: Some(Member {
                        index,
                        key,
                        resource: Arc::clone(&resource),
                        health,
                    }),
                })
            }
            Action::Prune => {
                let live = observed
                    .live
                    .get(&step.key)
                    .ok_or_else(|| missing_object(step))?;
                let resource = self.client.resource_of(live).await?;
                self.client.delete(&resource, &step.key, false).await?;
                Ok(Executed {
                    result: result(ObjectAction::Pruned, &step.key, String::new()),
                    member: None,
                })
            }
            Action::KeepExtraneous { reason } => Ok(Executed {
                result: result(ObjectAction::Skipped, &step.key, reason.clone()),
                member: None,
            }),
        }
    }

    /// Waits until the kind of `object` is served (its CRD, applied earlier in this sync, is
    /// established), or the deadline passes.
    async fn wait_until_served(&self, object: &Value, key: &ObjectKey) -> Result<()> {
        let gvk = gvk_of(object);
        loop {
            match self.client.resource(&gvk).await {
                Ok(_) => return Ok(()),
                Err(Error::NotServed { .. })
                    if Instant::now() + self.options.poll_interval <= self.deadline =>
                {
                    tokio::time::sleep(self.options.poll_interval).await;
                }
                Err(Error::NotServed { api_version, kind }) => {
                    return Err(Error::Application {
                        message: format!(
                            "{key}: {api_version} {kind} is still not served; its CRD is not established"
                        ),
                    });
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn ignore(&self) -> &[ResourceIgnoreDifferences] {
        &self.app.spec.ignore_differences
    }
}

/// What applying `desired` does, judged before the apply: created when not live, unchanged
/// when the server's prediction matches live, configured otherwise.
pub(crate) fn action_for(
    desired: &Value,
    prediction: &Prediction,
    live: Option<&Value>,
    ignore: &[ResourceIgnoreDifferences],
) -> ObjectAction {
    let Some(live) = live else {
        return ObjectAction::Created;
    };
    let synced = prediction.object().is_some_and(|predicted| {
        ferry_diff::compare(Some(desired), Some(predicted), Some(live), ignore)
            .is_ok_and(|comparison| comparison.status == ResourceDiffStatus::Synced)
    });
    if synced {
        ObjectAction::Unchanged
    } else {
        ObjectAction::Configured
    }
}

fn missing_object(step: &Step) -> Error {
    Error::Application {
        message: format!("{}: the plan has no object to send", step.key),
    }
}
