//! The JSON API under `/api/v1`, behind bearer tokens: applications (list, get, resource
//! tree, diff, history), actions (sync, refresh, rollback), the live stream and the OpenAPI
//! document.

mod actions;
mod apps;
mod diff;
mod openapi;
mod stream;
mod tree;

pub use actions::refresh;
pub use apps::summary;
pub use openapi::openapi;
pub use stream::{signal_data, signal_event};
pub use tree::{TreeNode, build_tree};

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::state::AppState;

/// The routes of `/api/v1` (relative), every one behind [`crate::auth::require_token`].
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/applications", get(apps::list))
        .route("/applications/{namespace}/{name}", get(apps::get))
        .route("/applications/{namespace}/{name}/tree", get(tree::get))
        .route("/applications/{namespace}/{name}/diff", get(diff::get))
        .route(
            "/applications/{namespace}/{name}/history",
            get(apps::history),
        )
        .route("/applications/{namespace}/{name}/sync", post(actions::sync))
        .route(
            "/applications/{namespace}/{name}/refresh",
            post(actions::refresh_one),
        )
        .route(
            "/applications/{namespace}/{name}/rollback",
            post(actions::rollback),
        )
        .route("/stream", get(stream::get))
        .route("/openapi.json", get(openapi::get))
        .route_layer(middleware::from_fn_with_state(
            state,
            crate::auth::require_token,
        ))
}
