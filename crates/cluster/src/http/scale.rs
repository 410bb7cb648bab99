//! The `/scale` subresource: an `autoscaling/v1` Scale view of an object's replica count.

use axum::response::Response;
use serde_json::{Value, json};

use super::common::Call;
use super::status::ApiError;
use super::update::{self, write_with_retries};
use crate::registry::ResourceInfo;
use crate::selector::labels_of;

fn pointer(path: &str) -> String {
    path.trim_start_matches('.')
        .split('.')
        .fold(String::new(), |pointer, part| format!("{pointer}/{part}"))
}

fn paths(info: &ResourceInfo) -> (String, String, Option<String>) {
    match &info.scale {
        Some(scale) => (
            pointer(
                scale["specReplicasPath"]
                    .as_str()
                    .unwrap_or(".spec.replicas"),
            ),
            pointer(
                scale["statusReplicasPath"]
                    .as_str()
                    .unwrap_or(".status.replicas"),
            ),
            scale["labelSelectorPath"].as_str().map(pointer),
        ),
        None => ("/spec/replicas".into(), "/status/replicas".into(), None),
    }
}

/// The Scale view of an object.
pub fn view(object: &Value, info: &ResourceInfo) -> Value {
    let (spec_path, status_path, selector_path) = paths(info);
    let metadata = &object["metadata"];
    let mut scale_metadata = serde_json::Map::new();
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(value) = metadata.get(field) {
            scale_metadata.insert(field.into(), value.clone());
        }
    }
    let selector = match selector_path {
        Some(path) => object
            .pointer(&path)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        None => labels_of(object.pointer("/spec/selector/matchLabels"))
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join(","),
    };
    let mut status =
        json!({"replicas": object.pointer(&status_path).and_then(Value::as_i64).unwrap_or(0)});
    if !selector.is_empty() {
        status["selector"] = json!(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_metadata,
        "spec": {"replicas": object.pointer(&spec_path).and_then(Value::as_i64).unwrap_or(0)},
        "status": status,
    })
}

fn with_replicas(object: &Value, info: &ResourceInfo, replicas: &Value) -> Result<Value, ApiError> {
    let Some(count) = replicas.as_i64() else {
        return Err(ApiError::bad_request(
            "Scale.spec.replicas must be an integer",
        ));
    };
    if count < 0 {
        return Err(ApiError::invalid_kind(
            "Scale.autoscaling",
            "autoscaling",
            "Scale",
            crate::object::meta::name(object),
            vec![super::status::Cause::invalid(
                "spec.replicas",
                replicas,
                "must be greater than or equal to 0",
            )],
        ));
    }
    let (spec_path, _, _) = paths(info);
    let mut updated = object.clone();
    let mut target = &mut updated;
    let parts: Vec<&str> = spec_path.trim_start_matches('/').split('/').collect();
    for (index, part) in parts.iter().enumerate() {
        let Some(map) = target.as_object_mut() else {
            return Err(ApiError::internal());
        };
        if index + 1 == parts.len() {
            map.insert((*part).to_string(), json!(count));
            break;
        }
        target = map.entry((*part).to_string()).or_insert_with(|| json!({}));
    }
    Ok(updated)
}

/// PUT on `/scale`.
pub async fn replace(call: Call) -> Result<Response, ApiError> {
    let scale: Value = serde_json::from_slice(&call.body)
        .map_err(|error| ApiError::bad_request(format!("error decoding Scale: {error}")))?;
    let replicas = scale.pointer("/spec/replicas").cloned().unwrap_or(json!(0));
    let expected = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok());
    let key = call.key(call.name());
    let info = call.info.clone();
    let written = write_with_retries(&call, &key, expected, |current| {
        with_replicas(current, &info, &replicas)
    })
    .await?;
    respond(call, written).await
}

/// PATCH on `/scale`: the patch applies to the Scale view.
pub async fn patch(
    call: Call,
    apply: impl Fn(&Value) -> Result<Value, ApiError>,
) -> Result<Response, ApiError> {
    let key = call.key(call.name());
    let info = call.info.clone();
    let written = write_with_retries(&call, &key, None, |current| {
        let patched = apply(&view(current, &info))?;
        with_replicas(
            current,
            &info,
            patched.pointer("/spec/replicas").unwrap_or(&json!(0)),
        )
    })
    .await?;
    respond(call, written).await
}

async fn respond(call: Call, written: update::Written) -> Result<Response, ApiError> {
    let object = match &written {
        update::Written::Stored(object) | update::Written::Removed(object) => {
            view(object, &call.info)
        }
    };
    if let update::Written::Stored(stored) = &written {
        super::lifecycle::after_write(&call.state, &call.info, stored).await;
    }
    call.respond(axum::http::StatusCode::OK, &object, &[])
}
