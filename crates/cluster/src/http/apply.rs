//! Server-side apply (`PATCH` with `application/apply-patch+yaml`): the applied configuration is
//! merged into the live object by field ownership, fields the applier stopped sending are pruned,
//! changes to fields other managers own are 409 conflicts unless `force=true`, and an object that
//! does not exist yet is created (201). `dryRun=All` answers the would-be object without storing.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use std::sync::Arc;

use super::ClusterState;
use super::common::{Call, add_warnings, check_namespace_for_create, commit, store_error, stored};
use super::create;
use super::lifecycle;
use super::ownership::{Ownership, ignored_fields};
use super::status::ApiError;
use super::update::{self, WriteError, write};
use crate::error::Error;
use crate::managed::{self, Conflict, ManagedFields, Manager, Operation, Schema};
use crate::object::{fields, meta, time, zero};
use crate::registry::ResourceInfo;
use crate::store::{Change, ObjectKey, Precondition, resource_version_of};

/// How often a write that lost a race with another writer is retried.
const RETRIES: usize = 10;

/// Handles an apply patch (the content type, `fieldManager` and kind were checked by `patch`).
pub async fn handle(call: Call, config: Value) -> Result<Response, ApiError> {
    let (config, warnings) = checked_config(&call, config)?;
    let manager = call.field_manager();
    let request = Request {
        state: &call.state,
        info: &call.info,
        namespace: call.namespace.as_deref(),
        name: call.name(),
        subresource: call.subresource.as_deref(),
        manager: &manager,
        force: call.query.force == Some(true),
        dry_run: call.query.is_dry_run(),
    };
    match apply_object(&request, &config).await? {
        Outcome::Created(created) => {
            if !request.dry_run {
                lifecycle::after_write(&call.state, &call.info, &created).await;
            }
            let mut response = call.respond(StatusCode::CREATED, &created, &[])?;
            add_warnings(&mut response, &warnings);
            Ok(response)
        }
        Outcome::Written(written) => update::finish(&call, written, &warnings).await,
    }
}

/// One server-side apply.
pub struct Request<'a> {
    /// Shared state.
    pub state: &'a Arc<ClusterState>,
    /// The resource.
    pub info: &'a ResourceInfo,
    /// The namespace of the object.
    pub namespace: Option<&'a str>,
    /// The name of the object.
    pub name: &'a str,
    /// `status` for an apply to `/status`.
    pub subresource: Option<&'a str>,
    /// The field manager.
    pub manager: &'a str,
    /// `force=true`: take over conflicting fields.
    pub force: bool,
    /// `dryRun=All`: compute without storing.
    pub dry_run: bool,
}

/// What an apply did.
pub enum Outcome {
    /// The object did not exist and was created (or would be, on a dry run).
    Created(Arc<Value>),
    /// The existing object was written (or left alone when nothing changed).
    Written(update::Written),
}

/// Applies `config` (already checked) as `request.manager`.
pub async fn apply_object(request: &Request<'_>, config: &Value) -> Result<Outcome, ApiError> {
    let info = request.info;
    let key = ObjectKey::new(
        &info.group,
        &info.resource,
        request.namespace.unwrap_or(""),
        request.name,
    );
    let schema = Schema::for_resource(info);
    let ignored = ignored_fields(info, request.subresource);
    let manager = Manager::new(
        request.manager,
        Operation::Apply,
        &info.api_version(),
        request.subresource.unwrap_or(""),
    );
    let expected = match meta::text(config, "resourceVersion").filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {text}")))?,
        ),
    };
    for _ in 0..RETRIES {
        let now = time::now();
        let write_params = managed::Write {
            manager: &manager,
            ty: schema.root(),
            ignored: &ignored,
            now: &now,
        };
        let Some(current) = request.state.store.get(&key) else {
            if request.subresource.is_some() || expected.is_some() {
                return Err(ApiError::not_found(info, request.name));
            }
            match create_object(request, &key, config, write_params).await {
                Err(Retry) => continue,
                Ok(result) => return result.map(Outcome::Created),
            }
        };
        if expected.is_some_and(|expected| expected != resource_version_of(&current)) {
            return Err(ApiError::conflict(info, request.name));
        }
        let managed = ManagedFields::of(&current).unwrap_or_default();
        let applied = managed::apply(&current, config, managed, write_params, request.force)
            .map_err(|conflicts| conflict_error(&conflicts))?;
        let written = write(
            request.state,
            info,
            request.subresource,
            &key,
            &current,
            applied.object,
            request.dry_run,
            &Ownership::Decided(applied.managed),
        )
        .await;
        match written {
            Err(WriteError::Conflict) if expected.is_none() => continue,
            Err(WriteError::Conflict) => return Err(ApiError::conflict(info, request.name)),
            Err(WriteError::Api(error)) => return Err(error),
            Ok(written) => return Ok(Outcome::Written(written)),
        }
    }
    Err(ApiError::conflict(info, request.name))
}

/// Lost a race: start over.
struct Retry;

async fn create_object(
    request: &Request<'_>,
    key: &ObjectKey,
    config: &Value,
    write_params: managed::Write<'_>,
) -> Result<Result<Arc<Value>, ApiError>, Retry> {
    let info = request.info;
    if let Err(error) =
        check_namespace_for_create(request.state, info, request.namespace, request.name)
    {
        return Ok(Err(error));
    }
    let mut live = zero::empty(info);
    if let Some(metadata) = meta::metadata_mut(&mut live) {
        metadata.insert("name".into(), json!(request.name));
        if let Some(namespace) = request.namespace.filter(|_| info.namespaced) {
            metadata.insert("namespace".into(), json!(namespace));
        }
    }
    let applied = match managed::apply(&live, config, ManagedFields::default(), write_params, false)
    {
        Ok(applied) => applied,
        Err(conflicts) => return Ok(Err(conflict_error(&conflicts))),
    };
    let ownership = Ownership::Decided(applied.managed);
    let mut object = match create::prepare(request.state, info, applied.object, &ownership) {
        Ok(object) => object,
        Err(error) => return Ok(Err(error)),
    };
    if request.dry_run {
        return Ok(Ok(Arc::new(object)));
    }
    meta::reserve_resource_version(&mut object);
    match commit(
        request.state,
        key.clone(),
        Change::Put(stored(object, info)),
        Precondition::Absent,
    )
    .await
    {
        Ok(created) => Ok(Ok(created)),
        Err(Error::AlreadyExists) => Err(Retry),
        Err(error) => Ok(Err(store_error(info, error, request.name))),
    }
}

/// The configuration with its name and namespace checked against the URL and unknown fields
/// handled as `fieldValidation` says.
fn checked_config(call: &Call, mut config: Value) -> Result<(Value, Vec<String>), ApiError> {
    let name = call.name();
    match meta::name(&config) {
        given if given == name => {}
        "" => {
            return Err(ApiError::bad_request(format!(
                "the name of the object () does not match the name on the URL ({name})"
            )));
        }
        given => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({given}) does not match the name on the URL ({name})"
            )));
        }
    }
    if let Some(given) = meta::text(&config, "namespace").filter(|given| !given.is_empty())
        && call.info.namespaced
        && Some(given) != call.namespace.as_deref()
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|value| !value.is_null())
    {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    let unknown = if call.info.custom {
        crate::object::crd_validation::unknown_in_custom(&mut config, call.info.schema.as_ref())
    } else {
        fields::prune_unknown(&mut config, &call.info.group, &call.info.kind)
    };
    let problems: Vec<String> = unknown
        .iter()
        .map(|field| format!("unknown field \"{field}\""))
        .collect();
    match call.query.field_validation.as_deref() {
        Some("Strict") if !problems.is_empty() => Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
            call.info.kind,
            call.info.version,
            call.info.kind,
            problems.join(", ")
        ))),
        Some("Ignore") => Ok((config, Vec::new())),
        _ => Ok((config, problems)),
    }
}

/// The 409 of an apply that would change fields other managers own.
fn conflict_error(conflicts: &[Conflict]) -> ApiError {
    let count = conflicts.len();
    let message = match conflicts {
        [only] => format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            only.manager.describe(),
            managed::path_text(&only.path)
        ),
        _ => {
            let mut lines = Vec::new();
            let mut previous: Option<String> = None;
            for conflict in conflicts {
                let identity = conflict.manager.identity();
                if previous.as_ref() != Some(&identity) {
                    lines.push(format!("conflicts with {}:", conflict.manager.describe()));
                    previous = Some(identity);
                }
                lines.push(format!("- {}", managed::path_text(&conflict.path)));
            }
            format!("Apply failed with {count} conflicts: {}", lines.join("\n"))
        }
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|conflict| {
            json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with {}", conflict.manager.describe()),
                "field": managed::path_text(&conflict.path),
            })
        })
        .collect();
    let mut details = Map::new();
    details.insert("causes".into(), Value::Array(causes));
    ApiError::new(409, "Conflict", message).with_details(details)
}
