//! What every verb shares: the parsed request, body decoding, committing off the async threads,
//! and writing objects back in the negotiated representation.

use std::sync::Arc;

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use super::ClusterState;
use super::json;
use super::negotiate::{self, BodyFormat, Output};
use super::protobuf;
use super::query::Query;
use super::status::{ApiError, json_response};
use crate::error::Error;
use crate::object::{fields, meta};
use crate::registry::ResourceInfo;
use crate::store::{Change, ObjectKey, Precondition};

/// One resource request, parsed and resolved.
pub struct Call {
    /// Shared state.
    pub state: Arc<ClusterState>,
    /// The resource.
    pub info: Arc<ResourceInfo>,
    /// Namespace from the path.
    pub namespace: Option<String>,
    /// Object name from the path.
    pub name: Option<String>,
    /// Subresource from the path.
    pub subresource: Option<String>,
    /// Query parameters.
    pub query: Query,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
}

/// A decoded request body and the warnings decoding produced.
pub struct Decoded {
    /// The object.
    pub object: Value,
    /// `Warning` header texts.
    pub warnings: Vec<String>,
}

impl Call {
    /// The key of the named object.
    pub fn key(&self, name: &str) -> ObjectKey {
        ObjectKey::new(
            &self.info.group,
            &self.info.resource,
            self.namespace.as_deref().unwrap_or(""),
            name,
        )
    }

    /// The name from the path.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    /// 405 unless the resource supports the verb.
    pub fn allow(&self, verb: &str) -> Result<(), ApiError> {
        let allowed = match &self.subresource {
            Some(_) => matches!(verb, "get" | "update" | "patch"),
            None => self.info.has_verb(verb),
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed())
        }
    }

    /// Decodes a create or update body as an object of this resource.
    pub fn decode(&self) -> Result<Decoded, ApiError> {
        let format =
            negotiate::body_format(&self.headers).ok_or_else(ApiError::unsupported_body)?;
        let info = &self.info;
        let text = String::from_utf8_lossy(&self.body).into_owned();
        let unrecognized = |detail: String| {
            ApiError::bad_request(format!(
                "the object provided is unrecognized (must be of type {}): couldn't get version/kind; json parse error: {detail} ({text})",
                info.kind
            ))
        };
        let (mut object, duplicates) = match format {
            BodyFormat::Json => json::parse(&self.body)
                .map_err(|error| unrecognized(json::go_error(&error, &self.body)))?,
            BodyFormat::Yaml => {
                let value = ferry_yaml::parse_single("body", &self.body).map_err(|error| {
                    unrecognized(format!("error converting YAML to JSON: {error}"))
                })?;
                (value, Vec::new())
            }
            BodyFormat::Protobuf => match protobuf::decode(&self.body) {
                Ok(value) => (value, Vec::new()),
                Err(protobuf::Refusal::Malformed(detail)) => {
                    return Err(ApiError::bad_request(format!(
                        "the object provided is unrecognized (must be of type {}): {detail}",
                        info.kind
                    )));
                }
                Err(protobuf::Refusal::Unsupported(detail)) => {
                    return Err(ApiError::new(415, "UnsupportedMediaType", detail));
                }
            },
        };
        if !object.is_object() {
            return Err(unrecognized(format!(
                "json: cannot unmarshal {} into Go value of type struct",
                kind_of(&object)
            )));
        }
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if kind.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'Kind' is missing in '{}'",
                text.trim()
            )));
        }
        if api_version.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'apiVersion' is missing in '{}'",
                text.trim()
            )));
        }
        let (body_group, body_version) = match api_version.split_once('/') {
            Some((group, version)) => (group.to_string(), version.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let cannot_handle = |detail: String| {
            ApiError::bad_request(format!(
                "{kind} in version \"{body_version}\" cannot be handled as a {}: {detail}",
                info.kind
            ))
        };
        if let Some(detail) = fields::decode_error(&object, &body_group, &kind) {
            return Err(cannot_handle(detail));
        }
        if kind != info.kind || api_version != info.api_version() {
            return Err(ApiError::bad_request(format!(
                "invalid object type: {body_group}/{body_version}, Kind={kind}"
            )));
        }
        let unknown = if info.custom {
            crate::object::crd_validation::unknown_in_custom(&mut object, info.schema.as_ref())
        } else {
            fields::prune_unknown(&mut object, &info.group, &info.kind)
        };
        let mut problems: Vec<String> = unknown
            .iter()
            .map(|field| format!("unknown field \"{field}\""))
            .collect();
        problems.extend(
            duplicates
                .iter()
                .map(|field| format!("duplicate field \"{field}\"")),
        );
        let mut warnings = Vec::new();
        match self.query.field_validation.as_deref() {
            Some("Strict") if !problems.is_empty() => {
                return Err(cannot_handle(format!(
                    "strict decoding error: {}",
                    problems.join(", ")
                )));
            }
            Some("Ignore") => {}
            _ => warnings = problems,
        }
        Ok(Decoded { object, warnings })
    }

    /// Writes an object in the negotiated representation.
    pub fn respond(
        &self,
        code: StatusCode,
        object: &Value,
        warnings: &[String],
    ) -> Result<Response, ApiError> {
        let output = negotiate::output(&self.headers, false)?;
        let object = if object.get("kind").and_then(Value::as_str) == Some(self.info.kind.as_str())
        {
            served(object, &self.info)
        } else {
            object.clone()
        };
        let mut response = match output {
            Output::Yaml => {
                let text = ferry_yaml::to_yaml(&object).map_err(|_| ApiError::internal())?;
                let mut response = Response::new(Body::from(text));
                *response.status_mut() = code;
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/yaml"),
                );
                headers.insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache, private"),
                );
                response
            }
            Output::Json | Output::Table | Output::Metadata => json_response(code, &object),
        };
        add_warnings(&mut response, warnings);
        Ok(response)
    }

    /// The namespace of this request must exist and not be terminating (for creates).
    pub fn check_namespace_for_create(&self, name: &str) -> Result<(), ApiError> {
        check_namespace_for_create(&self.state, &self.info, self.namespace.as_deref(), name)
    }

    /// Maps a store failure on the named object to its Status.
    pub fn store_error(&self, error: Error, name: &str) -> ApiError {
        store_error(&self.info, error, name)
    }
}

/// Maps a store failure on an object of `info` to its Status.
pub fn store_error(info: &ResourceInfo, error: Error, name: &str) -> ApiError {
    match error {
        Error::NotFound => ApiError::not_found(info, name),
        Error::AlreadyExists => ApiError::already_exists(info, name),
        Error::Conflict { .. } => ApiError::conflict(info, name),
        _ => ApiError::internal(),
    }
}

/// The namespace of a create must exist and not be terminating.
pub fn check_namespace_for_create(
    state: &ClusterState,
    info: &ResourceInfo,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), ApiError> {
    let Some(namespace) = namespace.filter(|_| info.namespaced) else {
        return Ok(());
    };
    let key = ObjectKey::new("", "namespaces", "", namespace);
    match state.store.get(&key) {
        None => Err(ApiError::namespace_not_found(namespace)),
        Some(object) if meta::is_deleting(&object) => {
            let mut details = serde_json::Map::new();
            details.insert("name".into(), Value::String(name.to_string()));
            if !info.group.is_empty() {
                details.insert("group".into(), Value::String(info.group.clone()));
            }
            details.insert("kind".into(), Value::String(info.resource.clone()));
            details.insert(
                "causes".into(),
                serde_json::json!([{
                    "reason": "NamespaceTerminating",
                    "message": format!("namespace {namespace} is being terminated"),
                    "field": "metadata.namespace"
                }]),
            );
            Err(ApiError::new(
                403,
                "Forbidden",
                format!(
                    "{} \"{name}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                    info.qualified_resource()
                ),
            )
            .with_details(details))
        }
        Some(_) => Ok(()),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

/// Adds one `Warning: 299 - "<text>"` header per warning.
pub fn add_warnings(response: &mut Response, warnings: &[String]) {
    for warning in warnings {
        let quoted = format!("299 - {}", serde_json::Value::String(warning.clone()));
        if let Ok(value) = HeaderValue::from_str(&quoted) {
            response.headers_mut().append(header::WARNING, value);
        }
    }
}

/// The object as served at the request's version (custom resources are stored at their storage
/// version and served at any served version without conversion).
pub fn served(object: &Value, info: &ResourceInfo) -> Value {
    let mut object = object.clone();
    if info.custom
        && let Some(map) = object.as_object_mut()
        && map.contains_key("apiVersion")
    {
        map.insert("apiVersion".into(), Value::String(info.api_version()));
    }
    object
}

/// The object as stored (custom resources at their storage version).
pub fn stored(mut object: Value, info: &ResourceInfo) -> Value {
    if info.custom
        && let Some(map) = object.as_object_mut()
    {
        map.insert(
            "apiVersion".into(),
            Value::String(crate::registry::group_version(
                &info.group,
                &info.storage_version,
            )),
        );
    }
    object
}

/// Commits on the blocking pool.
pub async fn commit(
    state: &Arc<ClusterState>,
    key: ObjectKey,
    change: Change,
    precondition: Precondition,
) -> Result<Arc<Value>, Error> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.commit(&key, change, precondition))
        .await
        .map_err(|error| Error::Server(error.to_string()))?
}
