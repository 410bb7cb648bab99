//! One Application reconciled once: fetch and render its source, compare it with the cluster,
//! sync when automation or a requested `.operation` says so, and write `.status`.

use std::collections::BTreeMap;
use std::time::Instant;

use ferry_diff::ResourceDiffStatus;
use ferry_engine::{ClusterClient, SyncOptions};
use ferry_types::{
    Application, ApplicationStatus, HealthStatus, HealthStatusCode, ObjectKey, Operation,
    OperationPhase, OperationState, ResourceStatus, RevisionHistory, SyncStatusCode,
};
use kube::api::{Api, DynamicObject};
use serde_json::json;

use crate::apps::{Context, clear_operation, write_status};
use crate::decide::automated_request;
use crate::drift::{Fingerprints, fingerprints_of};
use crate::events::{AppEvent, emit, status_events};
use crate::project::{AppProjectSpec, check, project_for};
use crate::signal::{AppRef, Signal};
use crate::timings::{Mark, timing, timings};

use crate::source::{Fetched, fetch_and_render};
use crate::status::{
    DEFAULT_HISTORY_LIMIT, app_health, condition, now_rfc3339, push_history, resource_status,
    sync_code, sync_result_resource,
};
use crate::{Error, Result};

/// What one reconcile found and did, as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Sync status written.
    pub sync: SyncStatusCode,
    /// Health written.
    pub health: HealthStatusCode,
    /// The revision compared (`status.sync.revision`).
    pub revision: String,
    /// The phase of the sync run by this reconcile, if one ran.
    pub operation: Option<OperationPhase>,
    /// The error written as a condition, if any.
    pub error: Option<String>,
    /// The per-resource status written.
    pub resources: Vec<ResourceStatus>,
    /// Fingerprints of the managed objects as last compared (`None` when the comparison
    /// failed): the baseline of drift detection.
    pub fingerprints: Option<Fingerprints>,
    /// Fetching or rendering the source failed (or timed out): retried with backoff.
    pub fetch_failed: bool,
    /// The Application's resourceVersion after this reconcile's last write.
    pub written_version: u64,
    /// The Application as last written still asks for something (a refresh annotation, an
    /// operation or a spec change made while this reconcile ran): reconcile it again.
    pub requests_pending: bool,
}

/// Reconciles one Application and writes its status. Errors are returned only when the status
/// itself could not be written; everything else becomes a condition.
pub async fn reconcile(app: &Application, context: &Context) -> Result<Outcome> {
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let api = context.api(&namespace);
    let name = app.metadata.name.clone();
    let mut status = app.status.clone().unwrap_or_default();
    let before = status.clone();
    // A requested operation; or one recorded as Running by a controller that stopped before
    // finishing it, which is carried out again.
    let requested = app.operation.clone().or_else(|| {
        status
            .operation_state
            .as_ref()
            .filter(|state| state.phase == OperationPhase::Running)
            .map(|state| state.operation.clone())
    });
    let outcome = match observe_and_act(app, context, &api, &mut status, requested.as_ref()).await {
        Ok((operation, fingerprints)) => Outcome {
            sync: status.sync.status,
            health: status.health.status,
            revision: status.sync.revision.clone(),
            operation,
            error: None,
            resources: status.resources.clone(),
            fingerprints: Some(fingerprints),
            fetch_failed: false,
            written_version: 0,
            requests_pending: false,
        },
        Err(error) => {
            let message = error.to_string();
            let fetch_failed = matches!(
                error,
                Error::Git(_) | Error::Render(_) | Error::Timeout { .. }
            );
            let kind = match error {
                Error::InvalidSpec(_) => "InvalidSpecError",
                _ => "ComparisonError",
            };
            status.conditions = vec![condition(kind, message.clone())];
            status.sync.status = SyncStatusCode::Unknown;
            status.reconciled_at = Some(now_rfc3339());
            let mut operation = None;
            let finished = status.operation_state.as_ref().is_some_and(|state| {
                Some(&state.operation) == requested.as_ref() && state.finished_at.is_some()
            });
            if let Some(state) = status
                .operation_state
                .as_mut()
                .filter(|state| state.phase == OperationPhase::Running)
            {
                // Started by this reconcile, then failed before the sync ran.
                state.phase = OperationPhase::Error;
                state.message = message.clone();
                state.finished_at = Some(now_rfc3339());
                operation = Some(OperationPhase::Error);
                emit_completed(context, app, state);
            } else if let Some(requested) = requested.as_ref().filter(|_| !finished) {
                // A requested sync that cannot start ends in Error and is not retried.
                let state = OperationState {
                    operation: requested.clone(),
                    phase: OperationPhase::Error,
                    message: message.clone(),
                    started_at: now_rfc3339(),
                    finished_at: Some(now_rfc3339()),
                    ..OperationState::default()
                };
                emit_completed(context, app, &state);
                status.operation_state = Some(state);
                operation = Some(OperationPhase::Error);
            }
            if app.operation.is_some() {
                clear_operation(api.clone(), name.clone(), app.operation.as_ref()).await?;
            }
            Outcome {
                sync: SyncStatusCode::Unknown,
                health: status.health.status,
                revision: status.sync.revision.clone(),
                operation,
                error: Some(message),
                resources: status.resources.clone(),
                fingerprints: None,
                fetch_failed,
                written_version: 0,
                requests_pending: false,
            }
        }
    };
    let mut outcome = outcome;
    let written = write_status(api.clone(), name.clone(), status.clone()).await?;
    outcome.written_version = written
        .metadata
        .resource_version
        .as_deref()
        .and_then(|version| version.parse().ok())
        .unwrap_or(0);
    outcome.requests_pending = written
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|annotations| annotations.contains_key(crate::REFRESH_ANNOTATION))
        || !written.data["operation"].is_null()
        || written.metadata.generation != app.metadata.generation;
    emit(context, app, status_events(&before, &status));
    if before.health.status != status.health.status {
        context.signals.send(Signal::HealthChanged {
            app: AppRef::of(app),
            from: before.health.status,
            to: status.health.status,
            revision: status.sync.revision.clone(),
        });
    }
    Ok(outcome)
}

/// Fetch, compare, maybe sync. Returns the phase of the sync that ran and the fingerprints of
/// the last comparison.
async fn observe_and_act(
    app: &Application,
    context: &Context,
    api: &Api<DynamicObject>,
    status: &mut ApplicationStatus,
    requested: Option<&Operation>,
) -> Result<(Option<OperationPhase>, Fingerprints)> {
    let client = context.client_for(app).await?;
    let project = project_for(&context.kube, app).await?;
    let fetch_started = Instant::now();
    let fetched = fetch(context, app, None).await?;
    let fetch_time = fetch_started.elapsed();
    enforce(&project, app, &fetched, &client).await?;
    let diff_started = Instant::now();
    let compared = compare(app, &fetched, &client, status).await?;
    let diff_time = diff_started.elapsed();
    let Some(operation) = requested
        .cloned()
        .or_else(|| automated_request(app, status))
    else {
        return Ok((None, compared));
    };
    let sync = operation.sync.clone().unwrap_or_default();
    // An operation left Running by a stopped controller keeps its start and id, so the hooks
    // it created are recognised and not run again.
    let resumed = status
        .operation_state
        .as_ref()
        .filter(|state| state.phase == OperationPhase::Running && state.operation == operation)
        .cloned();
    let started_at = resumed
        .as_ref()
        .map_or_else(now_rfc3339, |state| state.started_at.clone());
    let operation_id = resumed
        .as_ref()
        .and_then(|state| state.sync_result.as_ref())
        .and_then(|result| result["operationId"].as_str())
        .map_or_else(
            || crate::lease::micro_time(std::time::SystemTime::now()),
            str::to_string,
        );
    status.operation_state = Some(OperationState {
        operation: operation.clone(),
        phase: OperationPhase::Running,
        message: if resumed.is_some() {
            "sync resumed after a restart".into()
        } else {
            "sync started".into()
        },
        started_at: started_at.clone(),
        sync_result: Some(json!({"operationId": operation_id})),
        ..OperationState::default()
    });
    // Recorded before acting, so a restart sees what was under way.
    write_status(api.clone(), app.metadata.name.clone(), status.clone()).await?;
    let target_revision = if sync.revision.is_empty() {
        &fetched.revision
    } else {
        &sync.revision
    };
    let initiator = if operation.initiated_by.automated {
        "Initiated automated sync".to_string()
    } else if operation.initiated_by.username.is_empty() {
        "Initiated sync".to_string()
    } else {
        format!("{} initiated sync", operation.initiated_by.username)
    };
    emit(
        context,
        app,
        vec![AppEvent::normal(
            "OperationStarted",
            format!("{initiator} to {target_revision}"),
        )],
    );
    if app.operation.is_some() {
        clear_operation(
            api.clone(),
            app.metadata.name.clone(),
            app.operation.as_ref(),
        )
        .await?;
    }
    let mut phase_timings = vec![
        timing("fetch".into(), fetch_time),
        timing("diff".into(), diff_time),
    ];
    // The head as fetched, compared again after the sync; the sync's own revision when an
    // operation names another one (rollback, `ferry app sync --revision`).
    let head = fetched;
    let other;
    let fetched = if sync.revision.is_empty() || sync.revision == head.revision {
        &head
    } else {
        let fetch_started = Instant::now();
        other = fetch(context, app, Some(&sync.revision)).await?;
        phase_timings.push(timing("fetch revision".into(), fetch_started.elapsed()));
        enforce(&project, app, &other, &client).await?;
        &other
    };
    let started = Instant::now();
    let mut marks: Vec<(Instant, Mark)> = Vec::new();
    // The operation's own retry and sync options win over the app's.
    let retry = match &operation.retry {
        Some(strategy) => Some(ferry_engine::RetryPolicy::from_strategy(Some(strategy))?),
        None => None,
    };
    let selected =
        crate::decide::selected_resources(&operation).map_err(|message| Error::Application {
            name: app.metadata.name.clone(),
            message,
        })?;
    let options = SyncOptions {
        dry_run: sync.dry_run,
        prune: sync.prune,
        timeout: context.sync_timeout,
        operation_id: Some(operation_id),
        retry,
        resources: (!selected.is_empty()).then_some(selected),
        ..SyncOptions::default()
    };
    let synced_app = crate::decide::with_operation_options(app, &operation);
    let result = ferry_engine::sync(
        &synced_app,
        &fetched.rendered.manifests,
        &client,
        &options,
        &mut |event| {
            if let Some(mark) = Mark::of(event) {
                marks.push((Instant::now(), mark));
            }
        },
    )
    .await;
    phase_timings.extend(timings(started, &marks, Instant::now()));
    let finished_at = now_rfc3339();
    status.operation_state = Some(OperationState {
        operation: operation.clone(),
        phase: result.phase,
        message: result.message.clone(),
        sync_result: Some(json!({
            "revision": fetched.revision,
            "resources": result.objects.iter().map(sync_result_resource).collect::<Vec<_>>(),
        })),
        started_at: started_at.clone(),
        finished_at: Some(finished_at.clone()),
        retry_count: i64::from(result.attempts.saturating_sub(1)),
    });
    if let Some(state) = &status.operation_state {
        emit_completed(context, app, state);
    }
    context.signals.send(Signal::SyncFinished {
        app: AppRef::of(app),
        phase: result.phase,
        duration: started.elapsed(),
        revision: fetched.revision.clone(),
        automated: operation.initiated_by.automated,
        username: operation.initiated_by.username.clone(),
        message: result.message.clone(),
        dry_run: sync.dry_run,
    });
    // Every sync that ran is recorded, failed ones too (a rollback picks successful ones).
    if !sync.dry_run {
        let limit = app
            .spec
            .revision_history_limit
            .and_then(|limit| usize::try_from(limit).ok())
            .unwrap_or(DEFAULT_HISTORY_LIMIT);
        let entry = RevisionHistory {
            revision: fetched.revision.clone(),
            deployed_at: finished_at,
            deploy_started_at: Some(started_at),
            source: app.source().cloned(),
            initiated_by: Some(operation.initiated_by.clone()),
            result: Some(result.phase),
            result_message: if result.phase == OperationPhase::Succeeded {
                String::new()
            } else {
                result.message.clone()
            },
            commit_message: fetched.message.clone(),
            commit_author: fetched.author.clone(),
            commit_time: fetched.commit_time.clone(),
            timings: phase_timings,
            ..RevisionHistory::default()
        };
        push_history(&mut status.history, entry, limit);
    }
    let synced_revision = fetched.revision.clone();
    // Git is not fetched again: the status compares with the head fetched at the start (a
    // commit made since is seen on the next refresh).
    let compared = compare(app, &head, &client, status).await?;
    if result.phase != OperationPhase::Succeeded {
        status.conditions.push(condition(
            "SyncError",
            format!("sync of {synced_revision} failed: {}", result.message),
        ));
    }
    Ok((Some(result.phase), compared))
}

/// The project's checks on the rendered objects (namespaces resolved by `prepare`); any
/// violation is an [`Error::InvalidSpec`], so nothing is applied.
async fn enforce(
    project: &AppProjectSpec,
    app: &Application,
    fetched: &Fetched,
    client: &ClusterClient,
) -> Result<()> {
    let target = ferry_engine::prepare(app, &fetched.rendered.manifests, client).await?;
    let violations = check(project, app, &target.manifests);
    if violations.is_empty() {
        return Ok(());
    }
    let messages: Vec<String> = violations.iter().map(ToString::to_string).collect();
    Err(Error::InvalidSpec(format!(
        "project {}: {}",
        app.project(),
        messages.join("; ")
    )))
}

/// The `OperationCompleted` Event of a finished operation (Warning unless it succeeded).
fn emit_completed(context: &Context, app: &Application, state: &OperationState) {
    let revision = state
        .sync_result
        .as_ref()
        .and_then(|result| result["revision"].as_str())
        .map(|revision| format!(" to {revision}"))
        .unwrap_or_default();
    let event = if state.phase == OperationPhase::Succeeded {
        AppEvent::normal(
            "OperationCompleted",
            format!("Sync operation{revision} succeeded"),
        )
    } else {
        AppEvent::warning(
            "OperationCompleted",
            format!(
                "Sync operation{revision} {:?}: {}",
                state.phase, state.message
            ),
        )
    };
    emit(context, app, vec![event]);
}

async fn fetch(context: &Context, app: &Application, revision: Option<&str>) -> Result<Fetched> {
    let cache = context.cache.clone();
    let credentials = context.credentials.clone();
    let app = app.clone();
    let revision = revision.map(str::to_string);
    let repo = app
        .source()
        .map(|source| source.repo_url.clone())
        .unwrap_or_default();
    let started = Instant::now();
    let name = app.metadata.name.clone();
    let task = tokio::task::spawn_blocking(move || {
        fetch_and_render(&cache, &credentials, &app, revision.as_deref())
    });
    // A fetch or render that hangs is abandoned (its blocking thread ends when its I/O does);
    // the app's worker is free again and the next refresh tries anew.
    let fetched = match tokio::time::timeout(context.fetch_timeout, task).await {
        Ok(Ok(fetched)) => fetched,
        Ok(Err(error)) => Err(Error::Application {
            name,
            message: format!("render task failed: {error}"),
        }),
        Err(_) => Err(Error::Timeout {
            action: format!("fetching and rendering {repo}"),
            after: context.fetch_timeout,
        }),
    };
    context.signals.send(Signal::GitFetched {
        repo,
        duration: started.elapsed(),
        ok: fetched.is_ok(),
    });
    fetched
}

/// Diffs the rendered source against the cluster and fills the comparison part of `status`;
/// returns the fingerprints of the live objects compared.
async fn compare(
    app: &Application,
    fetched: &Fetched,
    client: &ClusterClient,
    status: &mut ApplicationStatus,
) -> Result<Fingerprints> {
    // One observation of the cluster serves the diff, the health and the drift baselines.
    let ferry_engine::Comparison {
        resources: comparisons,
        target,
        live,
    } = ferry_engine::compare(app, &fetched.rendered.manifests, client).await?;
    let versions: BTreeMap<ObjectKey, String> = target
        .manifests
        .iter()
        .map(|manifest| (manifest.key(), version_of(manifest.api_version())))
        .collect();
    let mut resources: Vec<ResourceStatus> = Vec::with_capacity(comparisons.len());
    for comparison in &comparisons {
        let object = live.get(&comparison.key);
        let version = versions.get(&comparison.key).cloned().unwrap_or_else(|| {
            version_of(
                object
                    .and_then(|object| object["apiVersion"].as_str())
                    .unwrap_or(""),
            )
        });
        let health = match (comparison.status, object) {
            (ResourceDiffStatus::Missing, _) | (_, None) => Some(ferry_health::Health {
                status: HealthStatusCode::Missing,
                message: String::new(),
            }),
            (_, Some(object)) => match ferry_health::assess(object) {
                Some(health)
                    if ferry_health::pods_explain(
                        &comparison.key.group,
                        &comparison.key.kind,
                        &health,
                    ) =>
                {
                    Some(explained_by_pods(client, object, health).await)
                }
                health => health,
            },
        };
        resources.push(resource_status(comparison, &version, health));
    }
    let fingerprints = fingerprints_of(
        resources
            .iter()
            .zip(&comparisons)
            .map(|(resource, comparison)| (resource, live.get(&comparison.key))),
    );
    status.sync.status = sync_code(&resources);
    status.sync.revision = fetched.revision.clone();
    status.sync.compared_to = Some(json!({
        "source": app.source(),
        "destination": app.spec.destination,
    }));
    status.health = app_health(&resources);
    if status.health.status == HealthStatusCode::Healthy {
        status.health = HealthStatus {
            status: HealthStatusCode::Healthy,
            message: None,
        };
    }
    status.resources = resources;
    status.source_type = Some(fetched.rendered.source_type.as_str().to_string());
    status.conditions.clear();
    status.reconciled_at = Some(now_rfc3339());
    Ok(fingerprints)
}

/// Pods read at most to explain one workload's health.
const EXPLAINING_PODS: u32 = 50;

/// A workload's health with its worst pod's reason added, read from the pods its
/// `spec.selector.matchLabels` selects; unchanged when they cannot be read.
async fn explained_by_pods(
    client: &ClusterClient,
    object: &serde_json::Value,
    health: ferry_health::Health,
) -> ferry_health::Health {
    let Some(labels) = object["spec"]["selector"]["matchLabels"].as_object() else {
        return health;
    };
    let selector: Vec<String> = labels
        .iter()
        .filter_map(|(key, value)| Some(format!("{key}={}", value.as_str()?)))
        .collect();
    if selector.is_empty() {
        return health;
    }
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or("");
    let pods = client
        .list_selected(
            &ferry_types::Gvk::from_api_version("v1", "Pod"),
            namespace,
            &selector.join(","),
            EXPLAINING_PODS,
        )
        .await;
    match pods {
        Ok(pods) => ferry_health::with_pods(health, &pods),
        Err(_) => health,
    }
}

fn version_of(api_version: &str) -> String {
    api_version
        .rsplit_once('/')
        .map_or(api_version, |(_, version)| version)
        .to_string()
}
