//! Reading Applications: the list (a summary each), one app with its status, its history.

use axum::Json;
use axum::extract::{Path, State};
use ferry_types::Application;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// The fields of an app a list shows: identity, source, destination, sync, health, revision,
/// last operation, and whether automation is on, suspended (rolled back) or off.
pub fn summary(app: &Application) -> Value {
    let status = app.status.clone().unwrap_or_default();
    let source = app.source().cloned().unwrap_or_default();
    let policy = match app
        .spec
        .sync_policy
        .as_ref()
        .and_then(|policy| policy.automated.as_ref())
    {
        Some(automated) if automated.enabled == Some(false) => "suspended",
        Some(_) => "automated",
        None => "manual",
    };
    json!({
        "namespace": app.metadata.namespace.clone().unwrap_or_default(),
        "name": app.metadata.name,
        "project": app.project(),
        "repoURL": source.repo_url,
        "path": source.path,
        "targetRevision": source.revision(),
        "destination": {
            "server": app.spec.destination.server,
            "name": app.spec.destination.name,
            "namespace": app.spec.destination.namespace,
        },
        "sync": status.sync.status,
        "health": status.health.status,
        "healthMessage": status.health.message,
        "revision": status.sync.revision,
        "reconciledAt": status.reconciled_at,
        "operationPhase": status.operation_state.as_ref().map(|state| state.phase),
        "syncPolicy": policy,
        "resourceVersion": app.metadata.resource_version,
    })
}

/// `GET /api/v1/applications`: `{"items": [summary…]}`, by namespace and name.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let apps = ferry_controller::list_applications(state.kube(), state.apps_namespace()).await?;
    let items: Vec<Value> = apps.iter().map(summary).collect();
    Ok(Json(json!({"items": items})))
}

/// Reads one app, refusing namespaces the server does not serve.
pub(crate) async fn read(
    state: &AppState,
    namespace: &str,
    name: &str,
) -> Result<Application, ApiError> {
    if let Some(served) = state.apps_namespace()
        && served != namespace
    {
        return Err(ApiError::not_found(format!(
            "this server serves Applications of namespace {served} only"
        )));
    }
    Ok(ferry_controller::get_application(state.kube(), namespace, name).await?)
}

/// `GET /api/v1/applications/{namespace}/{name}`: the Application, status included.
pub async fn get(
    State(state): State<AppState>,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let app = read(&state, &namespace, &name).await?;
    let mut value = serde_json::to_value(&app).unwrap_or_default();
    value["summary"] = summary(&app);
    Ok(Json(value))
}

/// `GET /api/v1/applications/{namespace}/{name}/history`: `{"items": [entry…]}`, newest
/// first.
pub async fn history(
    State(state): State<AppState>,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let app = read(&state, &namespace, &name).await?;
    let mut entries = app.status.map(|status| status.history).unwrap_or_default();
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.id));
    Ok(Json(json!({"items": entries})))
}
