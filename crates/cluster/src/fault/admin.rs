//! The admin endpoint: `GET /ferry/faults` lists the active faults, `POST` adds one (the body
//! is a [`FaultRequest`](super::FaultRequest)), `DELETE /ferry/faults/{id}` clears one and
//! `DELETE /ferry/faults` clears them all. It takes the same bearer token as the API and is
//! never faulted itself. Failures are Status bodies like the API's.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Fault;
use super::spec::FaultRequest;
use crate::http::ClusterState;
use crate::http::status::{ApiError, json_response};
use crate::store::{ObjectKey, TypeKey};

/// The path of the admin endpoint.
pub const ADMIN_PATH: &str = "/ferry/faults";

/// Largest accepted fault body.
const BODY_LIMIT: usize = 64 * 1024;

/// The fault id in an admin path: `Some(None)` for the collection, `Some(Some(id))` for one
/// fault, `None` for any other path.
pub fn admin_target(path: &str) -> Option<Option<&str>> {
    let rest = path.strip_prefix(ADMIN_PATH)?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return Some(None);
    }
    let id = rest.strip_prefix('/')?;
    (!id.is_empty() && !id.contains('/')).then_some(Some(id))
}

fn list_body(faults: &[Fault]) -> Value {
    json!({
        "kind": "FaultList",
        "apiVersion": "ferry.dev/v1",
        "items": faults.iter().map(Fault::to_json).collect::<Vec<Value>>(),
    })
}

fn not_found(id: &str) -> Response {
    let mut details = Map::new();
    details.insert("name".into(), json!(id));
    details.insert("kind".into(), json!("faults"));
    ApiError::new(404, "NotFound", format!("faults \"{id}\" not found"))
        .with_details(details)
        .into_response()
}

/// Serves one admin request (the token was checked by the caller).
pub async fn handle(state: Arc<ClusterState>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let Some(target) = admin_target(&path) else {
        return crate::http::status::page_not_found();
    };
    let method = request.method().clone();
    match (method, target) {
        (Method::GET | Method::HEAD, None) => {
            json_response(StatusCode::OK, &list_body(&state.faults.list()))
        }
        (Method::GET | Method::HEAD, Some(id)) => {
            match state.faults.list().into_iter().find(|fault| fault.id == id) {
                Some(fault) => json_response(StatusCode::OK, &fault.to_json()),
                None => not_found(id),
            }
        }
        (Method::POST, None) => add(state, request).await,
        (Method::DELETE, None) => json_response(StatusCode::OK, &list_body(&state.faults.clear())),
        (Method::DELETE, Some(id)) => match state.faults.remove(id) {
            Some(fault) => json_response(StatusCode::OK, &fault.to_json()),
            None => not_found(id),
        },
        _ => ApiError::method_not_allowed().into_response(),
    }
}

async fn add(state: Arc<ClusterState>, request: Request) -> Response {
    let body = match axum::body::to_bytes(request.into_body(), BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => return ApiError::too_large(BODY_LIMIT).into_response(),
    };
    let fault_request: FaultRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return ApiError::bad_request(format!("invalid fault: {error}")).into_response();
        }
    };
    let (spec, duration) = match fault_request.check() {
        Ok(checked) => checked,
        Err(error) => return ApiError::bad_request(error.to_string()).into_response(),
    };
    if let super::FaultSpec::NodeLoss { node, .. } = &spec {
        let key = ObjectKey::new("", "nodes", "", node);
        if state.store.get(&key).is_none() {
            let (nodes, _) = state.store.list(&TypeKey::new("", "nodes"), None);
            let names: Vec<&str> = nodes
                .iter()
                .filter_map(|node| node.pointer("/metadata/name").and_then(Value::as_str))
                .collect();
            return ApiError::bad_request(format!(
                "invalid fault: node: nodes \"{node}\" not found (nodes: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ))
            .into_response();
        }
    }
    let store = state.store.clone();
    let added = tokio::task::spawn_blocking(move || state.faults.add(spec, duration, &store)).await;
    match added {
        Ok(fault) => json_response(StatusCode::CREATED, &fault.to_json()),
        Err(_) => ApiError::internal().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_paths_name_the_collection_or_one_fault() {
        assert_eq!(admin_target("/ferry/faults"), Some(None));
        assert_eq!(admin_target("/ferry/faults/"), Some(None));
        assert_eq!(admin_target("/ferry/faults/fault-2"), Some(Some("fault-2")));
        assert_eq!(admin_target("/ferry/faultsx"), None);
        assert_eq!(admin_target("/ferry/faults/a/b"), None);
        assert_eq!(admin_target("/api/v1/pods"), None);
    }
}
