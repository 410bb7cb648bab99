//! DELETE of one object or a collection: preconditions, finalizers and `deletionTimestamp`,
//! propagation (Foreground, Background, Orphan), namespaces entering Terminating.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::ClusterState;
use super::common::{Call, commit, store_error};
use super::lifecycle;
use super::list;
use super::status::ApiError;
use crate::error::Error;
use crate::object::{meta, time};
use crate::registry::ResourceInfo;
use crate::store::{Change, ObjectKey, Precondition, resource_version_of};

/// How to delete.
#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    /// `Foreground`, `Background` or `Orphan`.
    pub propagation: Option<String>,
    /// `preconditions.uid`.
    pub uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub resource_version: Option<String>,
    /// `dryRun=All`.
    pub dry_run: bool,
}

/// What a deletion did.
#[derive(Debug)]
pub enum Deleted {
    /// The object is gone; its last state.
    Gone(Arc<Value>),
    /// The object is being deleted (finalizers remain); its current state.
    Deleting(Arc<Value>),
}

const RETRIES: usize = 10;

fn options(call: &Call) -> Result<DeleteOptions, ApiError> {
    let mut options = DeleteOptions {
        propagation: call.query.propagation_policy.clone(),
        dry_run: call.query.is_dry_run(),
        ..DeleteOptions::default()
    };
    if call.body.iter().any(|byte| !byte.is_ascii_whitespace()) {
        let body: Value = serde_json::from_slice(&call.body).map_err(|error| {
            ApiError::bad_request(format!("error decoding DeleteOptions: {error}"))
        })?;
        if let Some(policy) = body.get("propagationPolicy").and_then(Value::as_str) {
            options.propagation = Some(policy.to_string());
        }
        if let Some(policy) = body.get("orphanDependents").and_then(Value::as_bool) {
            options.propagation = Some(if policy { "Orphan" } else { "Background" }.to_string());
        }
        options.uid = body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string);
        options.resource_version = body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        if body
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|values| values.iter().any(|v| v == "All"))
        {
            options.dry_run = true;
        }
    }
    match options.propagation.as_deref() {
        None | Some("Foreground" | "Background" | "Orphan") => Ok(options),
        Some(other) => Err(ApiError::bad_request(format!(
            "propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
        ))),
    }
}

/// Handles a delete of one object.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("delete")?;
    if call.subresource.is_some() {
        return Err(ApiError::method_not_allowed());
    }
    let options = options(&call)?;
    let name = call.name().to_string();
    match delete_object(&call.state, &call.info, call.key(&name), options.clone()).await? {
        Deleted::Gone(object) => {
            if !options.dry_run {
                lifecycle::after_delete(&call.state, &call.info, &object).await;
            }
            if call.info.custom {
                return call.respond(StatusCode::OK, &object, &[]);
            }
            let mut details = Map::new();
            details.insert("name".into(), json!(name));
            if !call.info.group.is_empty() {
                details.insert("group".into(), json!(call.info.group));
            }
            details.insert("kind".into(), json!(call.info.resource));
            details.insert(
                "uid".into(),
                json!(meta::text(&object, "uid").unwrap_or("")),
            );
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details});
            call.respond(StatusCode::OK, &status, &[])
        }
        Deleted::Deleting(object) => {
            if !options.dry_run {
                follow_up(&call.state, &call.info, &object).await;
            }
            call.respond(StatusCode::OK, &object, &[])
        }
    }
}

/// Starts what the controllers do for an object that entered deletion.
async fn follow_up(state: &Arc<ClusterState>, info: &Arc<ResourceInfo>, object: &Arc<Value>) {
    lifecycle::after_write(state, info, object).await;
    let finalizers = meta::finalizers(object);
    if finalizers
        .iter()
        .any(|finalizer| finalizer == "foregroundDeletion" || finalizer == "orphan")
    {
        let (state, info, object) = (state.clone(), info.clone(), object.clone());
        tokio::spawn(async move { lifecycle::propagate(&state, &info, &object).await });
    }
}

/// Handles a deletecollection: deletes every matching object and returns them as a list.
pub async fn collection(call: Call) -> Result<Response, ApiError> {
    call.allow("deletecollection")?;
    let options = options(&call)?;
    let selection = list::Selection::parse(&call.info, &call.query)?;
    let (items, _) = call
        .state
        .store
        .list(&call.info.type_key(), call.namespace.as_deref());
    let mut deleted = Vec::new();
    for item in items.iter().filter(|item| selection.matches(item)) {
        let key = ObjectKey::new(
            &call.info.group,
            &call.info.resource,
            item.pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(""),
            meta::name(item),
        );
        match delete_object(&call.state, &call.info, key, options.clone()).await {
            Ok(Deleted::Gone(object)) => {
                if !options.dry_run {
                    lifecycle::after_delete(&call.state, &call.info, &object).await;
                }
                deleted.push(item.clone());
            }
            Ok(Deleted::Deleting(object)) => {
                if !options.dry_run {
                    follow_up(&call.state, &call.info, &object).await;
                }
                deleted.push(object);
            }
            Err(error) if error.code == 404 => {}
            Err(error) => return Err(error),
        }
    }
    let list = list::render(
        &call.info,
        &deleted,
        call.state.store.resource_version(),
        None,
    );
    call.respond(StatusCode::OK, &list, &[])
}

/// Deletes one object: checks preconditions, then either marks it deleting (finalizers) or
/// removes it. Retries on concurrent writes.
pub async fn delete_object(
    state: &Arc<ClusterState>,
    info: &ResourceInfo,
    key: ObjectKey,
    options: DeleteOptions,
) -> Result<Deleted, ApiError> {
    for _ in 0..RETRIES {
        let current = state
            .store
            .get(&key)
            .ok_or_else(|| ApiError::not_found(info, &key.name))?;
        check_preconditions(info, &key.name, &current, &options)?;
        if meta::is_deleting(&current) {
            return Ok(Deleted::Deleting(current));
        }
        let mut finalizers = meta::finalizers(&current);
        let is_namespace = (info.group.as_str(), info.resource.as_str()) == ("", "namespaces");
        let added = match options.propagation.as_deref() {
            Some("Foreground") => Some("foregroundDeletion"),
            Some("Orphan") => Some("orphan"),
            _ => None,
        };
        if let Some(added) = added
            && !finalizers.iter().any(|finalizer| finalizer == added)
        {
            finalizers.push(added.to_string());
        }
        let precondition = Precondition::ResourceVersion(resource_version_of(&current));
        let result = if finalizers.is_empty() && !is_namespace {
            if options.dry_run {
                return Ok(Deleted::Gone(current));
            }
            commit(state, key.clone(), Change::Delete, precondition)
                .await
                .map(Deleted::Gone)
        } else {
            let mut deleting = (*current).clone();
            if let Some(metadata) = meta::metadata_mut(&mut deleting) {
                metadata.insert("deletionTimestamp".into(), json!(time::now()));
                metadata.insert("deletionGracePeriodSeconds".into(), json!(0));
                if !finalizers.is_empty() {
                    metadata.insert("finalizers".into(), json!(finalizers));
                }
            }
            if is_namespace {
                if let Some(map) = deleting.as_object_mut() {
                    map.insert("status".into(), json!({"phase": "Terminating"}));
                }
                if let Some(metadata) = meta::metadata_mut(&mut deleting) {
                    metadata.remove("deletionGracePeriodSeconds");
                }
            }
            meta::bump_generation(&mut deleting, info);
            meta::normalise(&mut deleting);
            if options.dry_run {
                return Ok(Deleted::Deleting(Arc::new(deleting)));
            }
            commit(state, key.clone(), Change::Put(deleting), precondition)
                .await
                .map(Deleted::Deleting)
        };
        match result {
            Ok(deleted) => return Ok(deleted),
            Err(Error::Conflict { .. }) => continue,
            Err(error) => return Err(store_error(info, error, &key.name)),
        }
    }
    Err(ApiError::conflict(info, &key.name))
}

fn check_preconditions(
    info: &ResourceInfo,
    name: &str,
    current: &Value,
    options: &DeleteOptions,
) -> Result<(), ApiError> {
    let uid = meta::text(current, "uid").unwrap_or("");
    if let Some(expected) = options.uid.as_deref()
        && expected != uid
    {
        return Err(ApiError::precondition_failed(
            info,
            name,
            format!(
                "the UID in the precondition ({expected}) does not match the UID in record ({uid}). The object might have been deleted and then recreated"
            ),
        ));
    }
    let resource_version = meta::text(current, "resourceVersion").unwrap_or("");
    if let Some(expected) = options.resource_version.as_deref()
        && expected != resource_version
    {
        return Err(ApiError::precondition_failed(
            info,
            name,
            format!(
                "the ResourceVersion in the precondition ({expected}) does not match the ResourceVersion in record ({resource_version}). The object might have been modified"
            ),
        ));
    }
    Ok(())
}
