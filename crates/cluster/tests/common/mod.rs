//! Shared helpers of the conformance tests: the fixture directory, an in-process client over the
//! router, and normalisation of the fields the fixtures' README lists as varying.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use ferry_cluster::{ClusterState, router};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// The User-Agent of the recorder that made the fixtures (requests without `fieldManager` are
/// managed as `conformance-recorder`).
pub const RECORDER_AGENT: &str = "conformance-recorder/1.0";

/// `shared/conformance` beside the workspace (CI has the same layout).
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}

/// Reads a fixture as JSON.
pub fn fixture(path: &str) -> Value {
    let full = fixtures().join(path);
    let text = std::fs::read_to_string(&full)
        .unwrap_or_else(|error| panic!("reading {}: {error}", full.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", full.display()))
}

/// Reads a YAML fixture.
pub fn fixture_yaml(path: &str) -> Value {
    let full = fixtures().join(path);
    let bytes =
        std::fs::read(&full).unwrap_or_else(|error| panic!("reading {}: {error}", full.display()));
    ferry_yaml::parse_single(path, &bytes)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", full.display()))
}

/// An answer of the server.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub code: u16,
    /// Content type.
    pub content_type: String,
    /// Warning headers.
    pub warnings: Vec<String>,
    /// Raw body.
    pub text: String,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// An in-process cluster.
#[derive(Clone)]
pub struct Cluster {
    /// Its state.
    pub state: Arc<ClusterState>,
}

impl Cluster {
    /// A fresh in-memory cluster (no authentication).
    pub fn new() -> Cluster {
        Cluster {
            state: ClusterState::in_memory().expect("in-memory cluster"),
        }
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        accept: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("user-agent", RECORDER_AGENT);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let request = request.body(Body::from(body)).expect("request");
        let response = router(self.state.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let code = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let warnings = response
            .headers()
            .get_all("warning")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_string))
            .collect();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .expect("body");
        Answer {
            code,
            content_type,
            warnings,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// GET as JSON.
    pub async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, Some("application/json"), Vec::new())
            .await
    }

    /// A JSON request.
    pub async fn json(&self, method: &str, path: &str, content_type: &str, body: &Value) -> Answer {
        self.send(
            method,
            path,
            Some(content_type),
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await
    }

    /// POSTs an object to a collection and expects 201.
    pub async fn create(&self, collection: &str, object: &Value) -> Value {
        let answer = self
            .json("POST", collection, "application/json", object)
            .await;
        assert_eq!(
            answer.code, 201,
            "creating in {collection}: {}",
            answer.text
        );
        answer.json()
    }

    /// Re-creates a recorded object (server fields removed) under the field manager that created
    /// it in the recording, so its managedFields match.
    pub async fn create_recorded(&self, collection: &str, recorded: &Value) -> Value {
        let manager = recorded
            .pointer("/metadata/managedFields/0/manager")
            .and_then(Value::as_str)
            .unwrap_or("conformance-recorder");
        let separator = if collection.contains('?') { '&' } else { '?' };
        self.create(
            &format!("{collection}{separator}fieldManager={manager}"),
            &as_new(recorded),
        )
        .await
    }

    /// The collection path and object path of a manifest (`/apis/apps/v1/namespaces/x/deployments`,
    /// `.../deployments/web`).
    pub fn paths(&self, manifest: &Value) -> (String, String) {
        let api_version = manifest["apiVersion"].as_str().unwrap_or("");
        let kind = manifest["kind"].as_str().unwrap_or("");
        let info = self
            .state
            .registry
            .all()
            .into_iter()
            .find(|info| info.kind == kind && info.api_version() == api_version)
            .unwrap_or_else(|| panic!("{api_version} {kind} is served"));
        let prefix = if info.group.is_empty() {
            "/api/v1".to_string()
        } else {
            format!("/apis/{}/{}", info.group, info.version)
        };
        let collection = match manifest
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
        {
            Some(namespace) if info.namespaced => {
                format!("{prefix}/namespaces/{namespace}/{}", info.resource)
            }
            _ => format!("{prefix}/{}", info.resource),
        };
        let name = manifest["metadata"]["name"].as_str().unwrap_or("");
        let object = format!("{collection}/{name}");
        (collection, object)
    }

    /// `kubectl apply --server-side` of a manifest fixture by `manager`.
    pub async fn apply_fixture(&self, file: &str, manager: &str, force: bool) -> Answer {
        let full = fixtures().join(file);
        let text = std::fs::read_to_string(&full)
            .unwrap_or_else(|error| panic!("reading {}: {error}", full.display()));
        let manifest = ferry_yaml::parse_single(file, text.as_bytes()).expect("manifest");
        let (_, object) = self.paths(&manifest);
        self.send(
            "PATCH",
            &format!("{object}?fieldManager={manager}&fieldValidation=Strict&force={force}"),
            Some("application/apply-patch+yaml"),
            Some("application/json"),
            text.into_bytes(),
        )
        .await
    }

    /// Creates a namespace.
    pub async fn namespace(&self, name: &str) {
        self.create(
            "/api/v1/namespaces",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
        )
        .await;
    }

    /// Creates the conformance CRDs (widgets and gadgets) from the apply fixtures.
    pub async fn conformance_crds(&self) {
        for case in ["28-crd-with-status", "30-crd-no-status"] {
            let crd = fixture_yaml(&format!("apply/{case}/input.yaml"));
            self.create(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                &crd,
            )
            .await;
        }
    }

    /// Runs one recorded exchange (`request` of the fixture) and returns our answer.
    pub async fn replay(&self, exchange: &Value) -> Answer {
        let request = &exchange["request"];
        let method = request["method"].as_str().unwrap_or("GET");
        let path = request["path"].as_str().unwrap_or("/");
        let content_type = request["contentType"].as_str();
        let accept = request["accept"].as_str();
        let body = match (&request["body"], &request["bodyText"]) {
            (Value::Null, Value::String(text)) => text.clone().into_bytes(),
            (Value::Null, _) => Vec::new(),
            (body, _) => body.to_string().into_bytes(),
        };
        self.send(method, path, content_type, accept, body).await
    }
}

/// Replaces the varying fields the README lists. `managedFields` entries keep everything but
/// their time, and are sorted by operation, manager, apiVersion and subresource (the real order
/// sorts by time first, which varies).
pub fn normalise(value: &Value) -> Value {
    let mut value = value.clone();
    normalise_in_place(&mut value, None, true);
    value
}

/// [`normalise`], and `managedFields` dropped (for objects the recorded controllers wrote).
pub fn normalise_without_managed_fields(value: &Value) -> Value {
    let mut value = value.clone();
    normalise_in_place(&mut value, None, false);
    value
}

fn sort_managed_fields(entries: &mut Value) {
    if let Value::Array(items) = entries {
        for item in items.iter_mut() {
            if let Some(map) = item.as_object_mut()
                && map.contains_key("time")
            {
                map.insert("time".into(), json!("<time>"));
            }
        }
        let key = |item: &Value| {
            ["operation", "manager", "apiVersion", "subresource"]
                .map(|field| item[field].as_str().unwrap_or("").to_string())
        };
        items.sort_by_key(key);
    }
}

fn normalise_in_place(value: &mut Value, parent: Option<&str>, managed_fields: bool) {
    match value {
        Value::Object(map) => {
            let in_metadata = parent == Some("metadata");
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let placeholder = match key.as_str() {
                    "uid" | "resourceVersion" | "creationTimestamp" | "deletionTimestamp"
                    | "continue"
                        if in_metadata =>
                    {
                        Some("<varies>")
                    }
                    "uid" if parent == Some("details") => Some("<varies>"),
                    "lastTransitionTime" | "lastUpdateTime" | "startTime" => Some("<time>"),
                    "clusterIP" => Some("<ip>"),
                    "controller-uid" | "batch.kubernetes.io/controller-uid" => Some("<uid>"),
                    _ => None,
                };
                if key == "managedFields" && in_metadata {
                    if managed_fields {
                        if let Some(entries) = map.get_mut(&key) {
                            sort_managed_fields(entries);
                        }
                    } else {
                        map.remove(&key);
                    }
                    continue;
                }
                if key == "clusterIPs" {
                    map.insert(key, json!(["<ip>"]));
                    continue;
                }
                if let Some(placeholder) = placeholder {
                    if map.get(&key).is_some_and(|value| !value.is_null()) {
                        map.insert(key, json!(placeholder));
                    }
                    continue;
                }
                if key == "message"
                    && let Some(Value::String(text)) = map.get_mut(&key)
                {
                    *text = scrub_message(text);
                }
                if let Some(child) = map.get_mut(&key) {
                    normalise_in_place(child, Some(&key), managed_fields);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                normalise_in_place(item, parent, managed_fields);
            }
        }
        _ => {}
    }
}

/// Replaces uids and record resourceVersions quoted inside Status messages.
fn scrub_message(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        let rest: String = chars[index..].iter().take(36).collect();
        if rest.len() == 36 && is_uuid(&rest) {
            out.push_str("<uid>");
            index += 36;
            continue;
        }
        out.push(chars[index]);
        index += 1;
    }
    if let Some(start) = out.find("ResourceVersion in record (") {
        let from = start + "ResourceVersion in record (".len();
        if let Some(end) = out[from..].find(')') {
            out.replace_range(from..from + end, "<rv>");
        }
    }
    out
}

fn is_uuid(text: &str) -> bool {
    text.chars().enumerate().all(|(index, c)| match index {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// A generated name (`prefix` + 5 characters) becomes `prefix<generated>`.
pub fn scrub_generated_name(value: &mut Value) {
    if let Some(prefix) = value
        .pointer("/metadata/generateName")
        .and_then(Value::as_str)
        .map(str::to_string)
        && let Some(name) = value.pointer_mut("/metadata/name")
        && name
            .as_str()
            .is_some_and(|name| name.starts_with(&prefix) && name.len() == prefix.len() + 5)
    {
        *name = json!(format!("{prefix}<generated>"));
    }
}

/// The server fields of an object removed, so it can be POSTed again.
pub fn as_new(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
        ] {
            metadata.remove(field);
        }
    }
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    object
}

/// Tallies fixture comparisons and prints a report line.
#[derive(Default)]
pub struct Tally {
    /// Names of passing cases.
    pub passed: Vec<String>,
    /// Names and reasons of failing cases.
    pub failed: Vec<(String, String)>,
}

impl Tally {
    /// Records a comparison of expected and actual JSON (a failure lists the differing paths).
    pub fn compare(&mut self, case: &str, expected: &Value, actual: &Value) {
        if expected == actual {
            self.passed.push(case.to_string());
        } else {
            let mut differences = Vec::new();
            differences_between(expected, actual, "", &mut differences);
            self.failed
                .push((case.to_string(), differences.join("\n    ")));
        }
    }

    /// Records a check.
    pub fn check(&mut self, case: &str, ok: bool, detail: impl Into<String>) {
        if ok {
            self.passed.push(case.to_string());
        } else {
            self.failed.push((case.to_string(), detail.into()));
        }
    }

    /// Prints the report and fails when any case failed.
    pub fn finish(self, area: &str) {
        println!(
            "conformance {area}: {} passed, {} failed",
            self.passed.len(),
            self.failed.len()
        );
        for (case, detail) in &self.failed {
            println!("FAILED {case}: {detail}");
        }
        assert!(
            self.failed.is_empty(),
            "{} {area} fixture(s) differ",
            self.failed.len()
        );
    }
}

/// The JSON pointers where two values differ, with both sides (at most 20).
pub fn differences_between(expected: &Value, actual: &Value, at: &str, out: &mut Vec<String>) {
    if out.len() >= 20 || expected == actual {
        return;
    }
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let path = format!("{at}/{key}");
                match b.get(key) {
                    Some(other) => differences_between(value, other, &path, out),
                    None => out.push(format!("{path}: missing (expected {value})")),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    out.push(format!("{at}/{key}: unexpected {value}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                differences_between(x, y, &format!("{at}/{index}"), out);
            }
        }
        _ => out.push(format!("{at}: expected {expected}\n       actual {actual}")),
    }
}
