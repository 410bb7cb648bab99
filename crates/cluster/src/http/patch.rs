//! PATCH: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch, applied
//! to the stored object and written like an update. Strategic merge patch uses `ferry-patch` with
//! the built-in kinds' merge keys (custom resources refuse it with 415, as recorded). Server-side
//! apply is handed to `apply`.

use axum::response::Response;
use serde_json::Value;

use super::common::Call;
use super::negotiate;
use super::scale;
use super::status::{ApiError, Cause};
use super::update::{self, write_with_retries};
use crate::object::meta;
use crate::registry::ResourceInfo;

/// The patch flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatchType {
    Merge,
    Json,
    Strategic,
    Apply,
}

fn rejected() -> ApiError {
    ApiError::new(
        422,
        "Invalid",
        "the server rejected our request due to an error in our request",
    )
    .with_details(serde_json::Map::new())
}

/// Handles a patch.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("patch")?;
    let patch_type = match negotiate::content_type(&call.headers).as_deref() {
        Some("application/merge-patch+json") => PatchType::Merge,
        Some("application/json-patch+json") => PatchType::Json,
        Some("application/strategic-merge-patch+json") => PatchType::Strategic,
        Some("application/apply-patch+yaml" | "application/apply-patch+cbor") => PatchType::Apply,
        _ => {
            return Err(
                ApiError::new(415, "UnsupportedMediaType", "415: Unsupported Media Type")
                    .with_details(serde_json::Map::new()),
            );
        }
    };
    let patch_options = |cause: Cause| {
        ApiError::invalid_kind(
            "PatchOptions.meta.k8s.io",
            "meta.k8s.io",
            "PatchOptions",
            "",
            vec![cause],
        )
    };
    if call.query.force.is_some() && patch_type != PatchType::Apply {
        return Err(patch_options(Cause::forbidden(
            "force",
            "may not be specified for non-apply patch",
        )));
    }
    if patch_type == PatchType::Apply
        && call
            .query
            .field_manager
            .as_deref()
            .is_none_or(str::is_empty)
    {
        return Err(patch_options(Cause::required(
            "fieldManager",
            "is required for apply patch",
        )));
    }
    if patch_type == PatchType::Apply {
        if negotiate::content_type(&call.headers).as_deref() == Some("application/apply-patch+cbor")
        {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
            ));
        }
        let applied = ferry_yaml::parse_single("apply", &call.body)
            .map_err(|error| ApiError::bad_request(format!("error decoding YAML: {error}")))?;
        let kind = applied.get("kind").and_then(Value::as_str).unwrap_or("");
        let api_version = applied
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if kind != call.info.kind || api_version != call.info.api_version() {
            let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
            return Err(ApiError::bad_request(format!(
                "invalid object type: {group}/{version}, Kind={kind}"
            )));
        }
        return super::apply::handle(call, applied).await;
    }
    if patch_type == PatchType::Strategic && call.info.custom {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        ));
    }
    let patch: Value = serde_json::from_slice(&call.body).map_err(|error| {
        ApiError::bad_request(format!(
            "error decoding patch: {}",
            super::json::go_error(&error, &call.body)
        ))
    })?;
    let operations: Option<json_patch::Patch> = match patch_type {
        PatchType::Json => Some(serde_json::from_value(patch.clone()).map_err(|_| {
            ApiError::bad_request(format!(
                "error decoding patch: json: cannot unmarshal {} into Go value of type []handlers.jsonPatchOp",
                if patch.is_object() { "object" } else { "value" }
            ))
        })?),
        _ => None,
    };
    if patch_type != PatchType::Json && !patch.is_object() {
        return Err(ApiError::bad_request(
            "error decoding patch: json: cannot unmarshal into an object",
        ));
    }
    if call.subresource.as_deref() == Some("scale") {
        let scale_info = ResourceInfo {
            group: "autoscaling".into(),
            version: "v1".into(),
            kind: "Scale".into(),
            ..(*call.info).clone()
        };
        return scale::patch(call, move |view| {
            apply_patch(view, &patch, operations.as_ref(), patch_type, &scale_info)
        })
        .await;
    }
    let name = call.name().to_string();
    let expected = patch
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(|text| {
            text.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {text}")))
        })
        .transpose()?;
    let key = call.key(&name);
    let info = call.info.clone();
    let written = write_with_retries(&call, &key, expected, |current| {
        let mut patched = apply_patch(current, &patch, operations.as_ref(), patch_type, &info)?;
        if meta::name(&patched) != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                meta::name(&patched)
            )));
        }
        if info.custom
            && let Some(map) = patched.as_object_mut()
        {
            map.insert("apiVersion".into(), Value::String(info.api_version()));
        }
        Ok(patched)
    })
    .await?;
    update::finish(&call, written, &[]).await
}

fn apply_patch(
    current: &Value,
    patch: &Value,
    operations: Option<&json_patch::Patch>,
    patch_type: PatchType,
    info: &ResourceInfo,
) -> Result<Value, ApiError> {
    let mut target = current.clone();
    match (patch_type, operations) {
        (PatchType::Json, Some(operations)) => {
            json_patch::patch(&mut target, operations).map_err(|_| rejected())?;
        }
        (PatchType::Strategic, _) => {
            let gvk = ferry_types::Gvk::from_api_version(&info.api_version(), &info.kind);
            return ferry_patch::strategic_merge(current, patch, &gvk).map_err(|error| {
                ApiError::bad_request(format!("error applying strategic merge patch: {error}"))
            });
        }
        _ => json_patch::merge(&mut target, patch),
    }
    Ok(target)
}
