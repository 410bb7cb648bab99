//! Actions on an app (admin tokens only): sync (through `.operation`, as `ferry app sync`),
//! refresh (the `ferry.dev/refresh` annotation the controller honours within a second) and
//! rollback (to a history entry; switches automation off, as `ferry app rollback`). The
//! caller's token name is recorded as the operation's initiator (`api:<name>`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, Error};
use crate::state::AppState;
use crate::watch::application_resource;

/// The body of `POST …/sync` (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncRequest {
    /// Revision to sync; the app's `targetRevision` when empty.
    pub revision: String,
    /// Delete objects that left Git.
    pub prune: bool,
    /// A partial sync of these objects only: `GROUP:KIND:NAME` or `GROUP:KIND:NAMESPACE/NAME`.
    pub resources: Vec<String>,
}

/// The body of `POST …/rollback` (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RollbackRequest {
    /// History entry; the one before the newest when absent.
    pub id: Option<i64>,
    /// Delete objects the older revision does not have.
    pub prune: bool,
}

/// An optional JSON body: empty means the defaults.
fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes)
        .map_err(|error| ApiError::bad_request(format!("request body: {error}")))
}

fn username(caller: &Caller) -> String {
    format!("api:{}", caller.name)
}

/// `POST /api/v1/applications/{namespace}/{name}/sync`.
pub async fn sync(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((namespace, name)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request: SyncRequest = body(&bytes)?;
    let resources = request
        .resources
        .iter()
        .map(|text| ferry_engine::ResourceSelector::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| ApiError::bad_request(format!("resources: {error}")))?;
    super::apps::read(&state, &namespace, &name).await?;
    ferry_controller::request_sync(
        state.kube(),
        &namespace,
        &name,
        &request.revision,
        request.prune,
        &username(&caller),
        &resources,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({"message": format!("sync of {namespace}/{name} requested"), "revision": request.revision}),
        ),
    ))
}

/// `POST /api/v1/applications/{namespace}/{name}/rollback`.
pub async fn rollback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((namespace, name)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request: RollbackRequest = body(&bytes)?;
    super::apps::read(&state, &namespace, &name).await?;
    let entry = ferry_controller::rollback(
        state.kube(),
        &namespace,
        &name,
        request.id,
        request.prune,
        &username(&caller),
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "message": format!("rollback of {namespace}/{name} to history entry {} requested; automated sync is suspended", entry.id),
            "id": entry.id,
            "revision": entry.revision,
        })),
    ))
}

/// `POST /api/v1/applications/{namespace}/{name}/refresh`.
pub async fn refresh_one(
    State(state): State<AppState>,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    super::apps::read(&state, &namespace, &name).await?;
    refresh(state.kube(), &namespace, &name).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"message": format!("refresh of {namespace}/{name} requested")})),
    ))
}

/// Sets `ferry.dev/refresh` on an app: the controller fetches and compares it on its next
/// tick (at most a second) and removes the annotation.
pub async fn refresh(kube: &kube::Client, namespace: &str, name: &str) -> Result<(), ApiError> {
    let api: Api<DynamicObject> =
        Api::namespaced_with(kube.clone(), namespace, &application_resource());
    let patch =
        json!({"metadata": {"annotations": {ferry_controller::REFRESH_ANNOTATION: "normal"}}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(|source| Error::Kube {
            action: format!("refreshing Application {namespace}/{name}"),
            source,
        })?;
    Ok(())
}
