//! A minimal OpenAPI v3: the index and, per group/version, the PATCH operations with their
//! `x-kubernetes-group-version-kind` and query parameters. That is what `kubectl apply` reads to
//! decide it may send `fieldValidation=Strict`; schemas (for `kubectl explain`) are a later slice.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use sha2::Digest as _;

use super::ClusterState;
use super::discovery::KUBERNETES_VERSION;
use super::status::{json_response, page_not_found};
use crate::registry::ResourceInfo;

fn prefix(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

fn parameter(name: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}})
}

fn operations(info: &ResourceInfo) -> Value {
    let gvk = json!({"group": info.group, "version": info.version, "kind": info.kind});
    let body_types = json!({
        "application/json-patch+json": {"schema": {"type": "object"}},
        "application/merge-patch+json": {"schema": {"type": "object"}},
        "application/apply-patch+yaml": {"schema": {"type": "object"}}
    });
    json!({
        "get": {"x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk, "responses": {"200": {"description": "OK"}}},
        "put": {
            "x-kubernetes-action": "put", "x-kubernetes-group-version-kind": gvk,
            "parameters": [parameter("dryRun"), parameter("fieldManager"), parameter("fieldValidation")],
            "responses": {"200": {"description": "OK"}}
        },
        "patch": {
            "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
            "parameters": [parameter("dryRun"), parameter("fieldManager"), parameter("fieldValidation"), parameter("force")],
            "requestBody": {"content": body_types, "required": true},
            "responses": {"200": {"description": "OK"}}
        }
    })
}

fn build(state: &ClusterState, group: &str, version: &str) -> Option<Value> {
    let resources = state.registry.resources(group, version);
    if resources.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    for info in &resources {
        let path = if info.namespaced {
            format!(
                "/{}/namespaces/{{namespace}}/{}/{{name}}",
                prefix(group, version),
                info.resource
            )
        } else {
            format!("/{}/{}/{{name}}", prefix(group, version), info.resource)
        };
        paths.insert(path, operations(info));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION.2},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}

fn hash(value: &Value) -> String {
    sha2::Sha512::digest(value.to_string().as_bytes())
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect()
}

/// `/openapi/v3`: one entry per served group/version.
pub fn root(state: &ClusterState) -> Response {
    let mut paths = Map::new();
    for group in state.registry.groups() {
        for version in &group.versions {
            if let Some(document) = build(state, &group.name, version) {
                let path = prefix(&group.name, version);
                let url = format!("/openapi/v3/{path}?hash={}", hash(&document));
                paths.insert(path, json!({"serverRelativeURL": url}));
            }
        }
    }
    let mut response = json_response(StatusCode::OK, &json!({"paths": paths}));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `/openapi/v3/{api/v1 | apis/group/version}`.
pub fn document(state: &ClusterState, group: &str, version: &str) -> Response {
    match build(state, group, version) {
        Some(document) => json_response(StatusCode::OK, &document),
        None => page_not_found(),
    }
}
