//! PUT of an object (or its `/status`): name and namespace checks, optimistic concurrency on
//! `metadata.resourceVersion`, server-owned fields kept, generation, finalizers.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::ClusterState;
use super::common::{Call, commit, store_error, stored};
use super::lifecycle;
use super::ownership::{self, Ownership};
use super::scale;
use super::status::ApiError;
use crate::error::Error;
use crate::object::{defaults, meta, structural, validate};
use crate::registry::ResourceInfo;
use crate::store::{Change, ObjectKey, Precondition, resource_version_of};

/// The result of a successful write.
pub enum Written {
    /// The object as stored (or as it would be, for a dry run).
    Stored(Arc<Value>),
    /// The last finalizer was removed from an object being deleted: it is gone.
    Removed(Arc<Value>),
}

/// Handles a replace.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("update")?;
    let name = call.name().to_string();
    if call.subresource.as_deref() == Some("scale") {
        return scale::replace(call).await;
    }
    let decoded = call.decode()?;
    let mut object = decoded.object;
    match meta::name(&object) {
        "" => {
            if let Some(metadata) = meta::metadata_mut(&mut object) {
                metadata.insert("name".into(), Value::String(name.clone()));
            }
        }
        given if given != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({given}) does not match the name on the URL ({name})"
            )));
        }
        _ => {}
    }
    let namespace = call.namespace.clone().unwrap_or_default();
    match meta::text(&object, "namespace") {
        Some(given) if !given.is_empty() && given != namespace => {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        _ => {}
    }
    if let Some(metadata) = meta::metadata_mut(&mut object) {
        if call.info.namespaced {
            metadata.insert("namespace".into(), Value::String(namespace));
        } else {
            metadata.remove("namespace");
        }
    }
    let expected = match meta::text(&object, "resourceVersion").filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {text}")))?,
        ),
    };
    let key = call.key(&name);
    let written = write_with_retries(&call, &key, expected, |_| Ok(object.clone())).await?;
    finish(&call, written, &decoded.warnings).await
}

/// Answers a write: runs the controllers' reactions and writes the object back.
pub async fn finish(
    call: &Call,
    written: Written,
    warnings: &[String],
) -> Result<Response, ApiError> {
    match written {
        Written::Stored(object) => {
            if !call.query.is_dry_run() {
                lifecycle::after_write(&call.state, &call.info, &object).await;
            }
            call.respond(StatusCode::OK, &object, warnings)
        }
        Written::Removed(object) => {
            lifecycle::after_delete(&call.state, &call.info, &object).await;
            call.respond(StatusCode::OK, &object, warnings)
        }
    }
}

/// Reads the current object, builds its replacement with `change`, and writes it; retries on a
/// concurrent write unless the client pinned a resourceVersion.
pub async fn write_with_retries(
    call: &Call,
    key: &ObjectKey,
    expected: Option<u64>,
    mut change: impl FnMut(&Value) -> Result<Value, ApiError>,
) -> Result<Written, ApiError> {
    for _ in 0..10 {
        let current = call
            .state
            .store
            .get(key)
            .ok_or_else(|| ApiError::not_found(&call.info, &key.name))?;
        let current_version = resource_version_of(&current);
        if expected.is_some_and(|expected| expected != current_version) {
            return Err(ApiError::conflict(&call.info, &key.name));
        }
        let replacement = change(&current)?;
        match write(
            &call.state,
            &call.info,
            call.subresource.as_deref(),
            key,
            &current,
            replacement,
            call.query.is_dry_run(),
            &call.ownership(),
        )
        .await
        {
            Err(WriteError::Conflict) if expected.is_none() => continue,
            Err(WriteError::Conflict) => return Err(ApiError::conflict(&call.info, &key.name)),
            Err(WriteError::Api(error)) => return Err(error),
            Ok(written) => return Ok(written),
        }
    }
    Err(ApiError::conflict(&call.info, &key.name))
}

/// Why a write failed.
pub enum WriteError {
    /// The object changed since it was read.
    Conflict,
    /// Any other failure.
    Api(ApiError),
}

/// Writes `replacement` over `current`: keeps server-owned metadata, keeps the status on the main
/// resource (or everything but the status on `/status`), moves generation, defaults, records field
/// ownership, validates, and removes an object being deleted whose last finalizer is gone. A write
/// that changes nothing is not stored (the resourceVersion stays).
#[allow(clippy::too_many_arguments)]
pub async fn write(
    state: &Arc<ClusterState>,
    info: &ResourceInfo,
    subresource: Option<&str>,
    key: &ObjectKey,
    current: &Value,
    replacement: Value,
    dry_run: bool,
    ownership: &Ownership,
) -> Result<Written, WriteError> {
    let status_is_separate = !info.custom || info.subresource("status").is_some();
    let offered = ownership::offered(&replacement);
    let mut object = match subresource {
        Some("status") => {
            let mut object = current.clone();
            if let Some(map) = object.as_object_mut() {
                match replacement.get("status") {
                    Some(status) => map.insert("status".into(), status.clone()),
                    None => map.remove("status"),
                };
            }
            // The apps status strategies keep the annotations of the update (the deployment
            // controller records its revision annotation through `/status`).
            if info.group == "apps"
                && let Some(metadata) = meta::metadata_mut(&mut object)
            {
                match replacement.pointer("/metadata/annotations") {
                    Some(annotations) => metadata.insert("annotations".into(), annotations.clone()),
                    None => metadata.remove("annotations"),
                };
            }
            object
        }
        _ => {
            let mut object = replacement;
            if status_is_separate && let Some(map) = object.as_object_mut() {
                match current.get("status") {
                    Some(status) => map.insert("status".into(), status.clone()),
                    None => map.remove("status"),
                };
            }
            object
        }
    };
    match &info.schema {
        Some(schema) if info.custom => structural::apply(&mut object, schema),
        _ => defaults::set_defaults(&mut object, &info.group, &info.kind),
    }
    meta::prepare_update(&mut object, current, info);
    if subresource == Some("status")
        && let (Some(metadata), Some(generation)) = (
            meta::metadata_mut(&mut object),
            current.pointer("/metadata/generation"),
        )
    {
        metadata.insert("generation".into(), generation.clone());
    }
    meta::normalise(&mut object);
    let managed = ownership::record(info, subresource, current, &object, offered, ownership);
    managed.write_to(&mut object);
    if !info.custom {
        defaults::allocate(
            &mut object,
            &info.group,
            &info.kind,
            &defaults::Taken::default(),
        );
        defaults::on_update(&mut object, current, &info.group, &info.kind);
    }
    let causes = validate::update(&object, current, info);
    if !causes.is_empty() {
        return Err(WriteError::Api(ApiError::invalid(info, &key.name, causes)));
    }
    meta::normalise(&mut object);
    let object = stored(object, info);
    let precondition = Precondition::ResourceVersion(resource_version_of(current));
    let remove = meta::is_deleting(current) && meta::finalizers(&object).is_empty();
    if !remove && object == *current {
        return Ok(Written::Stored(Arc::new(object)));
    }
    if dry_run {
        let object = Arc::new(object);
        return Ok(if remove {
            Written::Removed(object)
        } else {
            Written::Stored(object)
        });
    }
    if remove {
        return match commit(state, key.clone(), Change::Delete, precondition).await {
            Ok(_) => Ok(Written::Removed(Arc::new(object))),
            Err(Error::Conflict { .. }) => Err(WriteError::Conflict),
            Err(error) => Err(WriteError::Api(store_error(info, error, &key.name))),
        };
    }
    match commit(state, key.clone(), Change::Put(object), precondition).await {
        Ok(object) => Ok(Written::Stored(object)),
        Err(Error::Conflict { .. }) => Err(WriteError::Conflict),
        Err(error) => Err(WriteError::Api(store_error(info, error, &key.name))),
    }
}
