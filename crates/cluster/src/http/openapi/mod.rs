//! OpenAPI v3: the index and one document per served group/version, with the PATCH operations
//! (`x-kubernetes-group-version-kind` and the `fieldValidation` parameter, which `kubectl apply`
//! reads to use server-side field validation) and the component schemas of every served kind
//! plus what they reference (`kubectl explain`). Schemas come from the `apps/v1` document
//! recorded from a real kube-apiserver (`recorded_apps_v1_schemas.json`: apps kinds and the
//! core/v1 and meta types they use), hand-written compact schemas ([`builtin`]), a CRD's
//! `openAPIV3Schema`, or a generic schema.
//!
//! The PATCH operations do not offer `application/strategic-merge-patch+json`, so client-side
//! `kubectl apply` keeps computing strategic merge patches from its compiled-in types rather than
//! from these (partly hand-written) schemas.

mod builtin;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

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

/// The recorded and hand-written schemas by component name, and the component naming each
/// (group, version, kind) they describe.
struct Pool {
    schemas: Map<String, Value>,
    kinds: HashMap<(String, String, String), String>,
}

const RECORDED: &str = include_str!("recorded_apps_v1_schemas.json");

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut schemas: Map<String, Value> = serde_json::from_str(RECORDED).unwrap_or_default();
        for (name, schema) in builtin::schemas() {
            schemas.insert(name, schema);
        }
        let mut kinds = HashMap::new();
        for (name, schema) in &schemas {
            for gvk in schema
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let text = |key: &str| gvk[key].as_str().unwrap_or("").to_string();
                kinds
                    .entry((text("group"), text("version"), text("kind")))
                    .or_insert_with(|| name.clone());
            }
        }
        Pool { schemas, kinds }
    })
}

/// `io.k8s.api.<first label of the group>.<version>.<Kind>`, as the real documents name
/// built-in kinds; custom resources use the reversed group (`com.example.conformance.v1.Widget`).
fn component_name(info: &ResourceInfo) -> String {
    if info.custom {
        let reversed: Vec<&str> = info.group.split('.').rev().collect();
        return format!("{}.{}.{}", reversed.join("."), info.version, info.kind);
    }
    if info.group == "apiextensions.k8s.io" {
        return format!(
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{}.{}",
            info.version, info.kind
        );
    }
    let short = match info.group.split('.').next() {
        Some("") | None => "core",
        Some(first) => first,
    };
    format!("io.k8s.api.{short}.{}.{}", info.version, info.kind)
}

/// A CRD version's `openAPIV3Schema` as the real server publishes it: type metadata described,
/// `metadata` a reference to ObjectMeta, the group/version/kind attached.
fn custom_schema(info: &ResourceInfo) -> Value {
    let mut schema =
        info.schema.clone().filter(Value::is_object).unwrap_or_else(
            || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
        );
    let generic = builtin::generic(&info.group, &info.version, &info.kind);
    if let Some(map) = schema.as_object_mut() {
        let properties = map.entry("properties").or_insert_with(|| json!({}));
        if let (Some(properties), Some(meta)) = (
            properties.as_object_mut(),
            generic["properties"].as_object(),
        ) {
            for (name, meta_schema) in meta {
                properties.insert(name.clone(), meta_schema.clone());
            }
        }
        map.insert(
            "x-kubernetes-group-version-kind".into(),
            generic["x-kubernetes-group-version-kind"].clone(),
        );
    }
    schema
}

/// Every `$ref` target below `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            out.push(name.to_string());
                        }
                    }
                    _ => references(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, out)),
        _ => {}
    }
}

/// The components of a group/version: each served kind's schema and, transitively, what it
/// references (bounded by the pool's size).
fn components(resources: &[std::sync::Arc<ResourceInfo>]) -> Map<String, Value> {
    let pool = pool();
    let mut chosen: BTreeMap<String, Value> = BTreeMap::new();
    for info in resources {
        let key = (info.group.clone(), info.version.clone(), info.kind.clone());
        let (name, schema) = if info.custom {
            (component_name(info), custom_schema(info))
        } else if let Some(name) = pool.kinds.get(&key) {
            (name.clone(), pool.schemas[name].clone())
        } else {
            (
                component_name(info),
                builtin::generic(&info.group, &info.version, &info.kind),
            )
        };
        chosen.entry(name).or_insert(schema);
    }
    let mut pending = Vec::new();
    for schema in chosen.values() {
        references(schema, &mut pending);
    }
    while let Some(name) = pending.pop() {
        if chosen.contains_key(&name) {
            continue;
        }
        if let Some(schema) = pool.schemas.get(&name) {
            references(schema, &mut pending);
            chosen.insert(name, schema.clone());
        }
    }
    chosen.into_iter().collect()
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
        "components": {"schemas": components(&resources)}
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unresolved(document: &Value) -> Vec<String> {
        let mut targets = Vec::new();
        references(document, &mut targets);
        let schemas = &document["components"]["schemas"];
        targets
            .into_iter()
            .filter(|name| schemas.get(name).is_none())
            .collect()
    }

    #[test]
    fn every_served_document_resolves_all_its_references_and_describes_every_kind() {
        let state = ClusterState::in_memory().expect("state");
        for group in state.registry.groups() {
            for version in &group.versions {
                let document = build(&state, &group.name, version).expect("document");
                assert_eq!(
                    unresolved(&document),
                    Vec::<String>::new(),
                    "{}/{version}",
                    group.name
                );
                for info in state.registry.resources(&group.name, version) {
                    let described = document["components"]["schemas"]
                        .as_object()
                        .into_iter()
                        .flat_map(|schemas| schemas.values())
                        .any(|schema| {
                            schema["x-kubernetes-group-version-kind"]
                                .as_array()
                                .is_some_and(|kinds| {
                                    kinds.iter().any(|gvk| {
                                        gvk["group"] == info.group.as_str()
                                            && gvk["version"] == info.version.as_str()
                                            && gvk["kind"] == info.kind.as_str()
                                    })
                                })
                        });
                    assert!(described, "{} {} has no schema", info.group, info.kind);
                }
            }
        }
    }

    #[test]
    fn apps_kinds_are_published_as_the_real_server_records_them() {
        let state = ClusterState::in_memory().expect("state");
        let document = build(&state, "apps", "v1").expect("apps/v1");
        let recorded: Map<String, Value> = serde_json::from_str(RECORDED).expect("recorded");
        let schemas = &document["components"]["schemas"];
        for name in [
            "io.k8s.api.apps.v1.Deployment",
            "io.k8s.api.apps.v1.StatefulSetSpec",
            "io.k8s.api.core.v1.Container",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        ] {
            assert_eq!(schemas[name], recorded[name], "{name}");
        }
    }
}
