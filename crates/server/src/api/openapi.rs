//! `GET /api/v1/openapi.json`: an OpenAPI 3.0 document of the API, webhooks and open
//! endpoints, written by hand next to the routes it describes.

use axum::Json;
use serde_json::{Value, json};

fn app_parameters() -> Value {
    json!([
        {"name": "namespace", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The Application's namespace."},
        {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The Application's name."}
    ])
}

fn errors(codes: &[&str]) -> serde_json::Map<String, Value> {
    codes
        .iter()
        .map(|code| {
            let description = match *code {
                "400" => "Malformed request body.",
                "401" => "No token, or a wrong one (API); missing or wrong signature (webhooks).",
                "403" => "The token is read-only.",
                "404" => "No such Application.",
                "409" => "The action cannot be carried out on this app (no history entry…).",
                "413" => "Body larger than 1 MiB.",
                _ => "Error.",
            };
            (
                (*code).to_string(),
                json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            )
        })
        .collect()
}

fn operation(summary: &str, ok: &str, schema: &str, codes: &[&str]) -> Value {
    let mut responses = errors(codes);
    responses.insert(
        ok.into(),
        json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}),
    );
    json!({"summary": summary, "responses": responses})
}

fn with_app(mut operation: Value) -> Value {
    operation["parameters"] = app_parameters();
    operation
}

fn with_body(mut operation: Value, schema: &str) -> Value {
    operation["requestBody"] = json!({"required": false, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    operation
}

fn webhook(summary: &str, header: &str) -> Value {
    let mut responses = errors(&["400", "401", "413"]);
    responses.insert("202".into(), json!({"description": "Verified; the apps refreshed (possibly none).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookResult"}}}}));
    json!({"post": {
        "summary": summary,
        "security": [],
        "parameters": [{"name": header, "in": "header", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": responses
    }})
}

/// The OpenAPI document.
pub fn openapi() -> Value {
    let read = ["401", "404"];
    let act = ["400", "401", "403", "404", "409"];
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "ferry API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Applications, their resource trees, diffs and history, and actions on them. Every /api/v1 route needs `Authorization: Bearer <token>`; actions need an admin token."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/applications": {"get": operation("List Applications (summaries).", "200", "ApplicationList", &["401"])},
            "/api/v1/applications/{namespace}/{name}": {"get": with_app(operation("One Application with its spec and status.", "200", "Application", &read))},
            "/api/v1/applications/{namespace}/{name}/tree": {"get": with_app(operation("Managed objects and their descendants (ownerReferences), with health.", "200", "Tree", &read))},
            "/api/v1/applications/{namespace}/{name}/diff": {"get": with_app(operation("Desired (Git) against live, per object; unified YAML diffs, Secret values masked.", "200", "Diff", &read))},
            "/api/v1/applications/{namespace}/{name}/history": {"get": with_app(operation("Deployment history, newest first.", "200", "History", &read))},
            "/api/v1/applications/{namespace}/{name}/sync": {"post": with_body(with_app(operation("Request a sync (admin).", "202", "Message", &act)), "SyncRequest")},
            "/api/v1/applications/{namespace}/{name}/refresh": {"post": with_app(operation("Refresh from Git now (admin).", "202", "Message", &act))},
            "/api/v1/applications/{namespace}/{name}/rollback": {"post": with_body(with_app(operation("Roll back to a history entry; suspends automated sync (admin).", "202", "Message", &act)), "RollbackRequest")},
            "/api/v1/stream": {"get": {
                "summary": "Server-Sent Events: `snapshot`, then `application` (ADDED/MODIFIED/DELETED + summary) and `signal` (controller reports) events.",
                "responses": {"200": {"description": "An event stream.", "content": {"text/event-stream": {"schema": {"type": "string"}}}}, "401": {"description": "No token, or a wrong one."}}
            }},
            "/api/v1/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/webhook/github": webhook("GitHub push event; `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>`.", "X-Hub-Signature-256"),
            "/api/webhook/gitlab": webhook("GitLab Push Hook / Tag Push Hook; `X-Gitlab-Token` equals the secret.", "X-Gitlab-Token"),
            "/api/webhook/generic": webhook("`{\"repository\": URL, \"branch\": …, \"revision\": …}`; `X-Ferry-Signature-256: sha256=<HMAC-SHA256 of the body>`.", "X-Ferry-Signature-256"),
            "/healthz": {"get": {"summary": "Liveness (open).", "security": [], "responses": {"200": {"description": "Alive."}}}},
            "/readyz": {"get": {"summary": "Readiness: Applications listed once (open).", "security": [], "responses": {"200": {"description": "Ready."}, "503": {"description": "Not ready yet."}}}},
            "/metrics": {"get": {"summary": "Prometheus text exposition (open).", "security": [], "responses": {"200": {"description": "Metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from the ferry-api-tokens Secret (key `<role>.<name>`, role `admin` or `read-only`)."}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
                "Message": {"type": "object", "properties": {"message": {"type": "string"}}},
                "Summary": {"type": "object", "properties": {
                    "namespace": {"type": "string"}, "name": {"type": "string"}, "project": {"type": "string"},
                    "repoURL": {"type": "string"}, "path": {"type": "string"}, "targetRevision": {"type": "string"},
                    "destination": {"type": "object"},
                    "sync": {"type": "string", "enum": ["Synced", "OutOfSync", "Unknown"]},
                    "health": {"type": "string", "enum": ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"]},
                    "healthMessage": {"type": "string", "nullable": true},
                    "revision": {"type": "string"}, "reconciledAt": {"type": "string", "nullable": true},
                    "operationPhase": {"type": "string", "nullable": true},
                    "syncPolicy": {"type": "string", "enum": ["automated", "suspended", "manual"]}
                }},
                "ApplicationList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}}}},
                "Application": {"type": "object", "description": "The Application (Argo CD's field names) plus `summary`.", "properties": {"metadata": {"type": "object"}, "spec": {"type": "object"}, "status": {"type": "object"}, "summary": {"$ref": "#/components/schemas/Summary"}}},
                "TreeNode": {"type": "object", "properties": {
                    "group": {"type": "string"}, "version": {"type": "string"}, "kind": {"type": "string"},
                    "namespace": {"type": "string"}, "name": {"type": "string"}, "uid": {"type": "string"},
                    "parents": {"type": "array", "items": {"type": "string"}},
                    "managed": {"type": "boolean"}, "sync": {"type": "string"},
                    "health": {"type": "object", "properties": {"status": {"type": "string"}, "message": {"type": "string"}}},
                    "requiresPruning": {"type": "boolean"}
                }},
                "Tree": {"type": "object", "properties": {"nodes": {"type": "array", "items": {"$ref": "#/components/schemas/TreeNode"}}}},
                "Diff": {"type": "object", "properties": {"revision": {"type": "string"}, "items": {"type": "array", "items": {"type": "object", "properties": {
                    "key": {"type": "object"}, "status": {"type": "string", "enum": ["Synced", "OutOfSync", "Missing", "Extraneous"]},
                    "diff": {"type": "string", "nullable": true}, "message": {"type": "string", "nullable": true}
                }}}}},
                "History": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "revision": {"type": "string"}, "deployedAt": {"type": "string"}, "deployStartedAt": {"type": "string"}, "initiatedBy": {"type": "object"}
                }}}}},
                "SyncRequest": {"type": "object", "properties": {"revision": {"type": "string"}, "prune": {"type": "boolean"}, "resources": {"type": "array", "items": {"type": "string"}, "description": "A partial sync: GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME"}}},
                "RollbackRequest": {"type": "object", "properties": {"id": {"type": "integer"}, "prune": {"type": "boolean"}}},
                "WebhookResult": {"type": "object", "properties": {"refreshed": {"type": "array", "items": {"type": "string"}}, "repository": {"type": "string"}, "reference": {"type": "string", "nullable": true}}}
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn get() -> Json<Value> {
    Json(openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_reference_resolves_in_the_document() {
        let document = openapi();
        let text = document.to_string();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for reference in text.split("#/components/schemas/").skip(1) {
            let name: String = reference
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            assert!(schemas.contains_key(&name), "unresolved schema {name}");
        }
        assert_eq!(document["openapi"], "3.0.3");
    }
}
