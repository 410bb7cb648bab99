//! Carries out a reconcile's changes through the in-process client, and records Events the way
//! the real event recorder does (a repeated Event bumps the count of the first).

use serde_json::{Value, json};

use crate::change::{Change, EventRecord};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::object;
use crate::resources::{EVENTS, Resource};

/// Applies one change.
pub async fn apply(client: &Client, change: &Change) -> Result<()> {
    match change {
        Change::Create { resource, object } => client.create(resource, object).await.map(|_| ()),
        Change::Update { resource, object } => client.update(resource, object).await.map(|_| ()),
        Change::UpdateStatus { resource, object } => update_status(client, resource, object).await,
        Change::Delete {
            resource,
            namespace,
            name,
            uid,
        } => match client.delete(resource, namespace, name, Some(uid)).await {
            Err(Error::NotFound { .. }) => Ok(()),
            other => other,
        },
        Change::Record(event) => record(client, event).await,
    }
}

/// Writes the status through `/status`. The server keeps the written annotations on the status
/// writes of `apps` kinds (the Deployment revision annotation travels that way, as on a real
/// cluster), so the generation moves only with the spec.
async fn update_status(client: &Client, resource: &Resource, object: &Value) -> Result<()> {
    client.update_status(resource, object).await.map(|_| ())
}

async fn record(client: &Client, event: &EventRecord) -> Result<()> {
    let involved_namespace = event
        .involved
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|namespace| !namespace.is_empty())
        .unwrap_or("default");
    let involved_name = event
        .involved
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let identity = format!(
        "{}/{}/{}/{}/{}",
        event
            .involved
            .get("uid")
            .and_then(Value::as_str)
            .unwrap_or(""),
        event.field_path.as_deref().unwrap_or(""),
        event.kind.as_str(),
        event.reason,
        event.message
    );
    let name = format!(
        "{involved_name}.{:016x}",
        object::fnv64a(identity.as_bytes())
    );
    let now = object::timestamp(std::time::SystemTime::now());
    let key = ferry_cluster::store::ObjectKey::new("", "events", involved_namespace, &name);
    if let Some(existing) = client.state().store.get(&key) {
        let mut updated = (*existing).clone();
        let count = object::integer(&updated, "/count").unwrap_or(1) + 1;
        let map = object::ensure_map(&mut updated);
        map.insert("count".into(), json!(count));
        map.insert("lastTimestamp".into(), json!(now));
        return match client.update(&EVENTS, &updated).await {
            Err(Error::Conflict { .. }) => Ok(()),
            other => other.map(|_| ()),
        };
    }
    let mut involved = event.involved.clone();
    if let Some(field_path) = &event.field_path {
        object::ensure_map(&mut involved).insert("fieldPath".into(), json!(field_path));
    }
    let mut source = json!({"component": event.component});
    if let Some(host) = &event.host {
        source["host"] = json!(host);
    }
    let body = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": involved_namespace},
        "involvedObject": involved,
        "reason": event.reason,
        "message": event.message,
        "source": source,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": event.kind.as_str(),
        "eventTime": null,
        "reportingComponent": event.component,
        "reportingInstance": event.host.clone().unwrap_or_default(),
    });
    match client.create(&EVENTS, &body).await {
        Err(Error::AlreadyExists { .. }) => Ok(()),
        other => other.map(|_| ()),
    }
}
