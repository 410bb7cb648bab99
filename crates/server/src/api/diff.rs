//! `GET …/diff`: what Git declares against what the cluster has, per object, through the
//! engine's comparison (a server-side-apply dry-run, `ignoreDifferences`, other managers'
//! fields) and unified YAML diffs in which Secret values are masked.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ferry_git::RepoCache;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{AppState, run_local};

/// `GET /api/v1/applications/{namespace}/{name}/diff`: `{"revision", "items": [{key,
/// status, diff, message}…]}` at the revision the status compared (the app's target when
/// it has none yet).
pub async fn get(
    State(state): State<AppState>,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let app = super::apps::read(&state, &namespace, &name).await?;
    let client = state.destination(&app).await?;
    let (cache_dir, credentials) = state.git();
    let revision = app
        .status
        .as_ref()
        .map(|status| status.sync.revision.clone())
        .filter(|revision| !revision.is_empty());
    let rendered_app = app.clone();
    let fetched = tokio::task::spawn_blocking(move || {
        ferry_controller::fetch_and_render(
            &RepoCache::new(cache_dir),
            &credentials,
            &rendered_app,
            revision.as_deref(),
        )
    })
    .await
    .map_err(|error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
    .map_err(|error| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!("fetching and rendering the source: {error}"),
        )
    })?;
    let revision = fetched.revision.clone();
    let comparisons = run_local(move || async move {
        ferry_engine::diff(&app, &fetched.rendered.manifests, &client)
            .await
            .map_err(|error| {
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    format!("comparing with the cluster: {error}"),
                )
            })
    })
    .await?;
    Ok(Json(json!({"revision": revision, "items": comparisons})))
}
