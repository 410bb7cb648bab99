//! Discovery: `/version`, `/api`, `/apis`, `/apis/{group}`, the group/version resource lists,
//! and aggregated discovery (`apidiscovery.k8s.io/v2`) chosen by the Accept header.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use sha2::Digest as _;

use super::ClusterState;
use super::negotiate::{self, Discovery};
use super::status::{json_response, page_not_found};
use crate::registry::{ResourceInfo, Subresource};

/// The Kubernetes version this server answers as (the level its behaviour follows).
pub const KUBERNETES_VERSION: (&str, &str, &str) = ("1", "36", "v1.36.2+ferry");

/// `/version`.
pub fn version() -> Response {
    let (major, minor, git_version) = KUBERNETES_VERSION;
    let body = json!({
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": "35",
        "gitVersion": git_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": concat!("ferry-cluster ", env!("CARGO_PKG_VERSION")),
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, go_arch()),
    });
    json_response(StatusCode::OK, &body)
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// `/healthz`, `/livez`, `/readyz`.
pub fn health() -> Response {
    let mut response = Response::new(axum::body::Body::from("ok"));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn server_address(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

/// `/api`.
pub fn api(state: &ClusterState, headers: &HeaderMap) -> Response {
    match negotiate::discovery(headers) {
        Err(error) => error.into_response(),
        Ok(Discovery::Aggregated) => aggregated(state, true),
        Ok(Discovery::Plain) => json_response(
            StatusCode::OK,
            &json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address(headers)}]
            }),
        ),
    }
}

fn group_document(name: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|version| json!({"groupVersion": format!("{name}/{version}"), "version": version}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": name, "versions": versions, "preferredVersion": preferred})
}

/// `/apis`.
pub fn apis(state: &ClusterState, headers: &HeaderMap) -> Response {
    match negotiate::discovery(headers) {
        Err(error) => error.into_response(),
        Ok(Discovery::Aggregated) => aggregated(state, false),
        Ok(Discovery::Plain) => {
            let groups: Vec<Value> = state
                .registry
                .groups()
                .into_iter()
                .filter(|group| !group.name.is_empty())
                .map(|group| group_document(&group.name, &group.versions))
                .collect();
            json_response(
                StatusCode::OK,
                &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
            )
        }
    }
}

/// `/apis/{group}`.
pub fn group(state: &ClusterState, name: &str) -> Response {
    let Some(group) = state
        .registry
        .groups()
        .into_iter()
        .find(|group| group.name == name && !name.is_empty())
    else {
        return page_not_found();
    };
    let mut document = Map::new();
    document.insert("kind".into(), json!("APIGroup"));
    document.insert("apiVersion".into(), json!("v1"));
    if let Value::Object(fields) = group_document(&group.name, &group.versions) {
        document.extend(fields);
    }
    json_response(StatusCode::OK, &Value::Object(document))
}

/// `/api/v1` and `/apis/{group}/{version}`.
pub fn group_version(state: &ClusterState, group: &str, version: &str) -> Response {
    let resources = state.registry.resources(group, version);
    if resources.is_empty() {
        return page_not_found();
    }
    let mut entries = Vec::new();
    for info in &resources {
        entries.push(resource_entry(info));
        let mut subresources: Vec<&Subresource> = info.subresources.iter().collect();
        subresources.sort_by_key(|subresource| subresource.name());
        for subresource in subresources {
            entries.push(subresource_entry(info, *subresource));
        }
    }
    let group_version = crate::registry::group_version(group, version);
    let body = if group.is_empty() {
        json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": entries})
    } else {
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": entries})
    };
    json_response(StatusCode::OK, &body)
}

fn resource_entry(info: &ResourceInfo) -> Value {
    let mut entry = Map::new();
    entry.insert("name".into(), json!(info.resource));
    entry.insert("singularName".into(), json!(info.singular));
    entry.insert("namespaced".into(), json!(info.namespaced));
    entry.insert("kind".into(), json!(info.kind));
    entry.insert("verbs".into(), json!(info.verbs));
    if !info.short_names.is_empty() {
        entry.insert("shortNames".into(), json!(info.short_names));
    }
    if !info.categories.is_empty() {
        entry.insert("categories".into(), json!(info.categories));
    }
    entry.insert(
        "storageVersionHash".into(),
        json!(info.storage_version_hash()),
    );
    Value::Object(entry)
}

fn subresource_entry(info: &ResourceInfo, subresource: Subresource) -> Value {
    let name = format!("{}/{}", info.resource, subresource.name());
    match subresource {
        Subresource::Scale => json!({
            "name": name, "singularName": "", "namespaced": info.namespaced, "group": "autoscaling",
            "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]
        }),
        Subresource::Status => json!({
            "name": name, "singularName": "", "namespaced": info.namespaced, "kind": info.kind,
            "verbs": ["get", "patch", "update"]
        }),
    }
}

fn response_kind(info: &ResourceInfo, kind: &str) -> Value {
    if info.custom {
        json!({"group": info.group, "version": info.version, "kind": kind})
    } else {
        json!({"group": "", "version": "", "kind": kind})
    }
}

fn aggregated_resource(info: &ResourceInfo) -> Value {
    let mut entry = Map::new();
    entry.insert("resource".into(), json!(info.resource));
    entry.insert("responseKind".into(), response_kind(info, &info.kind));
    entry.insert(
        "scope".into(),
        json!(if info.namespaced {
            "Namespaced"
        } else {
            "Cluster"
        }),
    );
    entry.insert("singularResource".into(), json!(info.singular));
    entry.insert("verbs".into(), json!(info.verbs));
    if !info.short_names.is_empty() {
        entry.insert("shortNames".into(), json!(info.short_names));
    }
    if !info.categories.is_empty() {
        entry.insert("categories".into(), json!(info.categories));
    }
    if !info.subresources.is_empty() {
        let mut subresources: Vec<Subresource> = info.subresources.clone();
        subresources.sort_by_key(|subresource| subresource.name());
        let entries: Vec<Value> = subresources
            .into_iter()
            .map(|subresource| {
                let kind = match subresource {
                    Subresource::Scale => json!({"group": "autoscaling", "version": "v1", "kind": "Scale"}),
                    Subresource::Status => response_kind(info, &info.kind),
                };
                json!({"subresource": subresource.name(), "responseKind": kind, "verbs": ["get", "patch", "update"]})
            })
            .collect();
        entry.insert("subresources".into(), Value::Array(entries));
    }
    Value::Object(entry)
}

fn aggregated(state: &ClusterState, core: bool) -> Response {
    let items: Vec<Value> = state
        .registry
        .groups()
        .into_iter()
        .filter(|group| group.name.is_empty() == core)
        .map(|group| {
            let versions: Vec<Value> = group
                .versions
                .iter()
                .map(|version| {
                    let resources: Vec<Value> = state
                        .registry
                        .resources(&group.name, version)
                        .iter()
                        .map(|info| aggregated_resource(info))
                        .collect();
                    json!({"version": version, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if group.name.is_empty() {
                json!({})
            } else {
                json!({"name": group.name})
            };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    let body = json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items});
    let mut response = json_response(StatusCode::OK, &body);
    let etag = sha2::Sha512::digest(body.to_string().as_bytes())
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<String>();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Ok(value) = HeaderValue::from_str(&format!("\"{etag}\"")) {
        headers.insert(header::ETAG, value);
    }
    response
}
