//! The request hook: admin paths go to the admin endpoint; health checks and exempt requests
//! pass untouched; every other request is classified (verb, resource), delayed and possibly
//! failed as the faults decide, and a watch's body is cut when a drop-watches fault says so.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Map, json};

use super::Exempt;
use super::admin;
use super::set::{InjectedError, RequestInfo};
use crate::http::ClusterState;
use crate::http::path::{self, Route};
use crate::http::query::Query;
use crate::http::status::ApiError;

/// Runs `next` for the request unless the faults decide otherwise.
pub(crate) async fn around<F, Fut>(state: Arc<ClusterState>, request: Request, next: F) -> Response
where
    F: FnOnce(Arc<ClusterState>, Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let path = request.uri().path();
    if admin::admin_target(path).is_some() {
        return admin::handle(state, request).await;
    }
    if request.extensions().get::<Exempt>().is_some() {
        return next(state, request).await;
    }
    let route = path::parse(path);
    if route == Route::Health {
        return next(state, request).await;
    }
    let now = SystemTime::now();
    let watch = matches!(&route, Route::Resource(resource) if resource.name.is_none())
        && matches!(*request.method(), Method::GET | Method::HEAD)
        && Query::parse(request.uri().query()).watch;
    if !state.faults.is_quiet(now) {
        state.faults.compact_if_due(&state.store, now);
        let verb = verb(&route, request.method(), watch);
        let (resource, group) = match &route {
            Route::Resource(resource) => {
                (Some(resource.resource.as_str()), resource.group.as_str())
            }
            _ => (None, ""),
        };
        let decision = state.faults.decide(
            &RequestInfo {
                verb,
                resource,
                group,
            },
            now,
        );
        if !decision.delay.is_zero() {
            tokio::time::sleep(decision.delay).await;
        }
        if let Some(error) = decision.error {
            return injected(&error);
        }
    }
    let response = next(state.clone(), request).await;
    if watch && response.status() == StatusCode::OK {
        return cut_when_told(response, state, now);
    }
    response
}

fn verb(route: &Route, method: &Method, watch: bool) -> &'static str {
    let named = matches!(route, Route::Resource(resource) if resource.name.is_some());
    match *method {
        Method::GET | Method::HEAD if !matches!(route, Route::Resource(_)) || named => "get",
        Method::GET | Method::HEAD if watch => "watch",
        Method::GET | Method::HEAD => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if named => "delete",
        Method::DELETE => "deletecollection",
        _ => "get",
    }
}

/// The Status a real kube-apiserver answers with for each code.
fn injected(error: &InjectedError) -> Response {
    let cause = format!("injected by ferry fault {}", error.fault);
    match error.code {
        429 => {
            let seconds = error.retry_after.as_secs().max(1);
            let mut details = Map::new();
            details.insert("retryAfterSeconds".into(), json!(seconds));
            let mut response = ApiError::new(
                429,
                "TooManyRequests",
                "Too many requests, please try again later.",
            )
            .with_details(details)
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        503 => ApiError::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        )
        .into_response(),
        _ => {
            let mut details = Map::new();
            details.insert("causes".into(), json!([{"message": cause}]));
            ApiError::new(
                500,
                "InternalError",
                format!("Internal error occurred: {cause}"),
            )
            .with_details(details)
            .into_response()
        }
    }
}

/// Wraps a watch body so that it ends when a drop-watches fault's deadline passes (faults added
/// later are seen through the registry's change signal).
fn cut_when_told(response: Response, state: Arc<ClusterState>, opened: SystemTime) -> Response {
    let (parts, body) = response.into_parts();
    let changes = state.faults.subscribe();
    let stream = futures_util::stream::unfold(
        (body.into_data_stream(), changes, state),
        move |(mut stream, mut changes, state)| async move {
            loop {
                let now = SystemTime::now();
                let deadline = state.faults.watch_deadline(opened, now);
                let wait = deadline.map(|at| at.duration_since(now).unwrap_or(Duration::ZERO));
                let sleep = async {
                    match wait {
                        Some(wait) => tokio::time::sleep(wait).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    chunk = stream.next() => return chunk.map(|chunk| (chunk, (stream, changes, state))),
                    _ = sleep => return None,
                    changed = changes.changed() => {
                        if changed.is_err() {
                            return stream.next().await.map(|chunk| (chunk, (stream, changes, state)));
                        }
                    }
                }
            }
        },
    );
    Response::from_parts(parts, Body::from_stream(stream))
}
