//! POST on a collection: decode, name (with `generateName`), namespace checks, server-owned
//! metadata, defaults, validation, `dryRun`, then a durable create (201).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::ClusterState;
use super::common::{Call, commit, stored};
use super::lifecycle;
use super::ownership::{self, Ownership};
use super::status::ApiError;
use crate::object::{defaults, ids, meta, structural, validate, zero};
use crate::registry::ResourceInfo;
use crate::store::{Change, Precondition, TypeKey};

/// Handles a create.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("create")?;
    let decoded = call.decode()?;
    let mut object = decoded.object;
    let info = call.info.clone();
    if info.namespaced {
        let namespace = call.namespace.clone().unwrap_or_default();
        if namespace.is_empty() {
            return Err(ApiError::method_not_allowed());
        }
        match meta::text(&object, "namespace") {
            Some(given) if !given.is_empty() && given != namespace => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {}
        }
        if let Some(metadata) = meta::metadata_mut(&mut object) {
            metadata.insert("namespace".into(), json!(namespace));
        }
    } else if let Some(metadata) = meta::metadata_mut(&mut object) {
        metadata.remove("namespace");
    }
    assign_generated_name(&mut object);
    let name = meta::name(&object).to_string();
    call.check_namespace_for_create(&name)?;
    let mut object = prepare(&call.state, &info, object, &call.ownership())?;
    if call.query.is_dry_run() {
        return call.respond(StatusCode::CREATED, &object, &decoded.warnings);
    }
    meta::reserve_resource_version(&mut object);
    let created = commit(
        &call.state,
        call.key(&name),
        Change::Put(stored(object, &info)),
        Precondition::Absent,
    )
    .await
    .map_err(|error| call.store_error(error, &name))?;
    lifecycle::after_write(&call.state, &info, &created).await;
    call.respond(StatusCode::CREATED, &created, &decoded.warnings)
}

fn assign_generated_name(object: &mut Value) {
    if !meta::name(object).is_empty() {
        return;
    }
    let Some(prefix) = meta::text(object, "generateName").map(str::to_string) else {
        return;
    };
    if prefix.is_empty() {
        return;
    }
    let prefix: String = prefix.chars().take(58).collect();
    if let Some(metadata) = meta::metadata_mut(object) {
        metadata.insert(
            "name".into(),
            json!(format!("{prefix}{}", ids::name_suffix())),
        );
    }
}

/// Turns a decoded object into the object to store: server-owned metadata, initial status,
/// defaults, the managedFields of its creator, allocations, validation and key order.
pub fn prepare(
    state: &Arc<ClusterState>,
    info: &ResourceInfo,
    mut object: Value,
    ownership: &Ownership,
) -> Result<Value, ApiError> {
    let offered = ownership::offered(&object);
    meta::prepare_create(&mut object, info);
    if let Some(map) = object.as_object_mut() {
        if info.custom {
            if info.subresource("status").is_some() {
                map.remove("status");
            }
        } else if let Some(status) = defaults::initial_status(&info.group, &info.kind) {
            map.insert("status".into(), status);
        }
    }
    if let (true, Some(schema)) = (info.custom, &info.schema) {
        structural::apply(&mut object, schema);
    }
    if !info.custom {
        defaults::set_defaults(&mut object, &info.group, &info.kind);
        if (info.group.as_str(), info.kind.as_str())
            == ("apiextensions.k8s.io", "CustomResourceDefinition")
        {
            lifecycle::initial_crd_status(&mut object);
        }
    }
    meta::normalise(&mut object);
    let managed = ownership::record(info, None, &zero::empty(info), &object, offered, ownership);
    managed.write_to(&mut object);
    if !info.custom {
        defaults::allocate(&mut object, &info.group, &info.kind, &taken(state, info));
        if (info.group.as_str(), info.kind.as_str()) == ("batch", "Job") {
            defaults::job_selector(&mut object);
        }
        defaults::on_create(&mut object, &info.group, &info.kind);
    }
    let causes = validate::create(&object, info);
    if !causes.is_empty() {
        return Err(ApiError::invalid(info, meta::name(&object), causes));
    }
    meta::normalise(&mut object);
    Ok(object)
}

fn taken(state: &Arc<ClusterState>, info: &ResourceInfo) -> defaults::Taken {
    let mut taken = defaults::Taken::default();
    if (info.group.as_str(), info.kind.as_str()) != ("", "Service") {
        return taken;
    }
    let (services, _) = state.store.list(&TypeKey::new("", "services"), None);
    for service in services {
        if let Some(ip) = service.pointer("/spec/clusterIP").and_then(Value::as_str) {
            taken.cluster_ips.insert(ip.to_string());
        }
        for port in service
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(node_port) = port.get("nodePort").and_then(Value::as_u64) {
                taken.node_ports.insert(node_port);
            }
        }
    }
    taken
}
