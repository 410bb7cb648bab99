//! Pure decisions: whether automation asks for a sync, and how an operation's own sync
//! options change the app a sync sees.

use ferry_types::{
    Application, ApplicationStatus, HealthStatusCode, Operation, OperationInitiator,
    OperationPhase, SyncOperation, SyncStatusCode,
};
use serde_json::Value;

/// The app as a sync of `operation` sees it: the operation's `syncOptions` (`argocd app sync
/// --sync-option`) override the app's options of the same name and add the others.
pub fn with_operation_options(app: &Application, operation: &Operation) -> Application {
    let options = operation
        .sync
        .as_ref()
        .map(|sync| sync.sync_options.as_slice())
        .unwrap_or_default();
    let mut app = app.clone();
    if options.is_empty() {
        return app;
    }
    let name_of = |option: &str| {
        option
            .split_once('=')
            .map_or(option, |(name, _)| name)
            .trim()
            .to_string()
    };
    let overridden: Vec<String> = options.iter().map(|option| name_of(option)).collect();
    let policy = app.spec.sync_policy.get_or_insert_with(Default::default);
    policy
        .sync_options
        .retain(|option| !overridden.contains(&name_of(option)));
    policy.sync_options.extend(options.iter().cloned());
    app
}

/// The objects a partial sync names (`operation.sync.resources`, Argo CD's
/// `[{group, kind, name, namespace}]`); empty for a whole sync. An entry without a kind or a
/// name is an error naming it.
pub fn selected_resources(
    operation: &Operation,
) -> Result<Vec<ferry_engine::ResourceSelector>, String> {
    let resources = operation
        .sync
        .as_ref()
        .map(|sync| sync.resources.as_slice())
        .unwrap_or_default();
    resources
        .iter()
        .enumerate()
        .map(|(index, resource)| {
            let field = |name: &str| resource[name].as_str().unwrap_or("").to_string();
            let selector = ferry_engine::ResourceSelector {
                group: field("group"),
                kind: field("kind"),
                name: field("name"),
                namespace: field("namespace"),
            };
            if selector.kind.is_empty() || selector.name.is_empty() {
                return Err(format!(
                    "operation.sync.resources[{index}]: kind and name are required"
                ));
            }
            Ok(selector)
        })
        .collect()
}

/// What `ferry app wait` waits for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitFor {
    /// Sync status Synced.
    pub synced: bool,
    /// Health Healthy.
    pub healthy: bool,
    /// The synced revision starts with this (a commit or a prefix of one).
    pub revision: Option<String>,
}

/// Where an app stands against a [`WaitFor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited {
    /// Everything waited for holds, and no operation is requested or running.
    Done,
    /// Not yet; why.
    Waiting(String),
    /// It will not come by itself: the sync of the revision waited for failed.
    Failed(String),
}

/// Whether `app` is what `want` waits for. Pure.
pub fn wait_state(app: &Application, want: &WaitFor) -> Waited {
    let Some(status) = &app.status else {
        return Waited::Waiting("no status yet (is the controller running?)".into());
    };
    let revision_matches = |revision: &str| {
        want.revision
            .as_deref()
            .is_none_or(|wanted| !wanted.is_empty() && revision.starts_with(wanted))
    };
    if let Some(wanted) = &want.revision
        && let Some(last) = status.history.last()
        && revision_matches(&last.revision)
        && last.result == Some(OperationPhase::Failed)
    {
        return Waited::Failed(format!(
            "the sync of {wanted} failed: {}",
            last.result_message
        ));
    }
    if app.operation.is_some() {
        return Waited::Waiting("a sync is requested".into());
    }
    if status
        .operation_state
        .as_ref()
        .is_some_and(|state| state.phase == OperationPhase::Running)
    {
        return Waited::Waiting("a sync is running".into());
    }
    if !revision_matches(&status.sync.revision) {
        return Waited::Waiting(format!(
            "at revision {}",
            &status.sync.revision[..status.sync.revision.len().min(12)]
        ));
    }
    if want.synced && status.sync.status != SyncStatusCode::Synced {
        return Waited::Waiting(format!("{:?}", status.sync.status));
    }
    if want.healthy && status.health.status != HealthStatusCode::Healthy {
        return Waited::Waiting(format!("{:?}", status.health.status));
    }
    Waited::Done
}

/// The sync automation asks for, if any: the app is OutOfSync and the last automated sync
/// was not of this revision (or self-heal is on and that sync succeeded). Argo CD's rule: a
/// failed revision is not retried automatically until Git changes.
pub fn automated_request(app: &Application, status: &ApplicationStatus) -> Option<Operation> {
    let automated = app.spec.sync_policy.as_ref()?.automated.as_ref()?;
    if automated.enabled == Some(false) || status.sync.status != SyncStatusCode::OutOfSync {
        return None;
    }
    if let Some(last) = &status.operation_state
        && last.operation.initiated_by.automated
        && last
            .sync_result
            .as_ref()
            .and_then(|result| result.get("revision"))
            .and_then(Value::as_str)
            == Some(status.sync.revision.as_str())
        && (last.phase != OperationPhase::Succeeded || !automated.self_heal)
    {
        return None;
    }
    Some(Operation {
        sync: Some(SyncOperation {
            revision: status.sync.revision.clone(),
            prune: automated.prune,
            ..SyncOperation::default()
        }),
        initiated_by: OperationInitiator {
            username: String::new(),
            automated: true,
        },
        ..Operation::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waited(status: Value, operation: Option<Value>) -> Waited {
        let mut document = serde_json::json!({
            "apiVersion": "ferry.dev/v1alpha1", "kind": "Application",
            "metadata": {"name": "shop"},
            "spec": {"source": {"repoURL": "https://example.com/r.git"}, "destination": {}},
            "status": status,
        });
        if let Some(operation) = operation {
            document["operation"] = operation;
        }
        let app = Application::from_value(document, "test").unwrap().0;
        let want = WaitFor {
            synced: true,
            healthy: true,
            revision: Some("abc1".into()),
        };
        wait_state(&app, &want)
    }

    #[test]
    fn waiting_ends_when_the_revision_is_synced_and_healthy_with_no_sync_under_way() {
        let ready = serde_json::json!({
            "sync": {"status": "Synced", "revision": "abc123"},
            "health": {"status": "Healthy"},
        });
        assert_eq!(waited(ready.clone(), None), Waited::Done);
        assert!(matches!(
            waited(ready.clone(), Some(serde_json::json!({"sync": {}}))),
            Waited::Waiting(_)
        ));
        let mut other = ready.clone();
        other["sync"]["revision"] = "fff000".into();
        assert_eq!(
            waited(other, None),
            Waited::Waiting("at revision fff000".into())
        );
        let mut progressing = ready;
        progressing["health"]["status"] = "Progressing".into();
        assert_eq!(
            waited(progressing, None),
            Waited::Waiting("Progressing".into())
        );
    }

    #[test]
    fn waiting_fails_at_once_when_the_sync_of_the_revision_failed() {
        let failed = serde_json::json!({
            "sync": {"status": "OutOfSync", "revision": "abc123"},
            "health": {"status": "Healthy"},
            "history": [{"id": 0, "revision": "abc123", "deployedAt": "2026-11-26T10:00:00Z",
                         "result": "Failed", "resultMessage": "web is Degraded"}],
        });
        assert_eq!(
            waited(failed, None),
            Waited::Failed("the sync of abc1 failed: web is Degraded".into())
        );
    }

    #[test]
    fn an_operations_sync_options_override_the_apps_of_the_same_name() {
        let (app, _) = Application::from_value(
            serde_json::json!({
                "apiVersion": "ferry.dev/v1alpha1", "kind": "Application",
                "metadata": {"name": "shop"},
                "spec": {"source": {"repoURL": "https://example.com/r.git"}, "destination": {},
                         "syncPolicy": {"syncOptions": ["PruneLast=true", "Replace=false"]}},
            }),
            "test",
        )
        .unwrap();
        let operation = Operation {
            sync: Some(SyncOperation {
                sync_options: vec!["Replace=true".into(), "ApplyOutOfSyncOnly=true".into()],
                ..SyncOperation::default()
            }),
            ..Operation::default()
        };
        let seen = with_operation_options(&app, &operation);
        assert_eq!(
            seen.spec.sync_policy.unwrap().sync_options,
            ["PruneLast=true", "Replace=true", "ApplyOutOfSyncOnly=true"]
        );
        assert_eq!(with_operation_options(&app, &Operation::default()), app);
    }
    use ferry_types::OperationState;
    use ferry_types::{SyncPolicy, SyncPolicyAutomated};
    use serde_json::json;

    fn app(self_heal: bool) -> Application {
        let mut app = Application::default();
        app.spec.sync_policy = Some(SyncPolicy {
            automated: Some(SyncPolicyAutomated {
                self_heal,
                prune: true,
                ..SyncPolicyAutomated::default()
            }),
            ..SyncPolicy::default()
        });
        app
    }

    fn out_of_sync_after(phase: Option<OperationPhase>, revision: &str) -> ApplicationStatus {
        let mut status = ApplicationStatus::default();
        status.sync.status = SyncStatusCode::OutOfSync;
        status.sync.revision = "abc".into();
        status.operation_state = phase.map(|phase| OperationState {
            operation: Operation {
                initiated_by: OperationInitiator {
                    automated: true,
                    ..OperationInitiator::default()
                },
                ..Operation::default()
            },
            phase,
            sync_result: Some(json!({"revision": revision})),
            ..OperationState::default()
        });
        status
    }

    #[test]
    fn automation_syncs_a_new_revision_with_its_prune_setting() {
        let request = automated_request(&app(false), &out_of_sync_after(None, "")).unwrap();
        assert!(request.initiated_by.automated);
        assert_eq!(request.sync.unwrap().revision, "abc");
    }

    #[test]
    fn automation_does_not_retry_a_revision_whose_sync_failed() {
        let status = out_of_sync_after(Some(OperationPhase::Failed), "abc");
        assert_eq!(automated_request(&app(true), &status), None);
        let status = out_of_sync_after(Some(OperationPhase::Failed), "older");
        assert!(automated_request(&app(true), &status).is_some());
    }

    #[test]
    fn drift_after_a_successful_sync_is_reverted_only_with_self_heal() {
        let status = out_of_sync_after(Some(OperationPhase::Succeeded), "abc");
        assert_eq!(automated_request(&app(false), &status), None);
        assert!(automated_request(&app(true), &status).is_some());
    }

    #[test]
    fn automation_switched_off_requests_nothing() {
        let mut app = app(true);
        if let Some(automated) = app
            .spec
            .sync_policy
            .as_mut()
            .and_then(|policy| policy.automated.as_mut())
        {
            automated.enabled = Some(false);
        }
        assert_eq!(automated_request(&app, &out_of_sync_after(None, "")), None);
    }
}
