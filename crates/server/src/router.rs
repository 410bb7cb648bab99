//! The whole HTTP app as one `Router`, callable without a socket: the open endpoints
//! (`/healthz`, `/readyz`, `/metrics`, the UI page), the webhooks (authenticated by
//! signature) and `/api/v1` (by bearer token).

use std::time::SystemTime;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::state::AppState;

/// The web UI: one page, no build step; the token is asked once and kept in sessionStorage.
const INDEX_HTML: &str = include_str!("ui/index.html");

/// The server's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/webhook/github", post(crate::webhook::github))
        .route("/api/webhook/gitlab", post(crate::webhook::gitlab))
        .route("/api/webhook/generic", post(crate::webhook::generic))
        .nest("/api/v1", crate::api::routes(state.clone()))
        .with_state(state)
}

async fn index() -> Response {
    let mut response = Html(INDEX_HTML).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.is_synced() {
        (StatusCode::OK, "ready\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: Applications not listed yet\n",
        )
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let apps = state.cached_apps().await;
    let text = state.telemetry().render(&apps, SystemTime::now());
    (
        [(header::CONTENT_TYPE, ferry_telemetry::CONTENT_TYPE)],
        text,
    )
        .into_response()
}
