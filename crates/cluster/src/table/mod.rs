//! Server-side printing: a `Table` (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) with
//! the real columns of each built-in kind, a custom resource's `additionalPrinterColumns` (or
//! Name and Age), rows carrying no object, the object's metadata or the object
//! (`includeObject`), and the metadata-only forms `PartialObjectMetadata(List)`.

mod cells;
mod columns;
mod custom;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::registry::ResourceInfo;
pub use cells::{human_duration, selector_text};

/// What each row carries (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Include {
    /// Nothing (`object: null`).
    None,
    /// A `PartialObjectMetadata` (the default).
    Metadata,
    /// The whole object.
    Object,
}

impl Include {
    /// Reads `includeObject` (absent or unknown means metadata).
    pub fn parse(value: Option<&str>) -> Include {
        match value {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// The Table of `objects` of `info` (served objects, with kind and apiVersion), with `metadata`
/// (resourceVersion, continue, remainingItemCount).
pub fn table(
    info: &ResourceInfo,
    objects: &[Value],
    include: Include,
    metadata: Map<String, Value>,
) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let (definitions, rows): (Vec<Value>, Vec<Vec<Value>>) =
        match (info.custom, columns::columns(&info.group, &info.kind)) {
            (false, Some(columns)) => (
                columns.iter().map(definition).collect(),
                objects
                    .iter()
                    .map(|object| {
                        cells::cells(&info.group, &info.kind, object, now).unwrap_or_default()
                    })
                    .collect(),
            ),
            (true, _) => custom::table(info, objects, now),
            (false, None) => default_table(objects),
        };
    let rows: Vec<Value> = objects
        .iter()
        .zip(rows)
        .map(|(object, cells)| {
            let object = match include {
                Include::None => Value::Null,
                Include::Metadata => partial_metadata(object),
                Include::Object => object.clone(),
            };
            json!({"cells": cells, "object": object})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

fn definition(column: &columns::Column) -> Value {
    json!({
        "name": column.name,
        "type": column.kind,
        "format": column.format,
        "description": column.description,
        "priority": column.priority,
    })
}

/// Name and creation time, for kinds without a printer.
fn default_table(objects: &[Value]) -> (Vec<Value>, Vec<Vec<Value>>) {
    let definitions = vec![
        definition(&columns::NAME),
        json!({"name": "Created At", "type": "date", "format": "", "description": columns::CREATION_TIMESTAMP, "priority": 0}),
    ];
    let rows = objects
        .iter()
        .map(|object| {
            vec![
                object
                    .pointer("/metadata/name")
                    .cloned()
                    .unwrap_or(Value::Null),
                object
                    .pointer("/metadata/creationTimestamp")
                    .cloned()
                    .unwrap_or(Value::Null),
            ]
        })
        .collect();
    (definitions, rows)
}

/// The `PartialObjectMetadata` of an object.
pub fn partial_metadata(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// The `PartialObjectMetadataList` of objects, with the list's `metadata`.
pub fn partial_metadata_list(objects: &[Value], metadata: Map<String, Value>) -> Value {
    json!({
        "kind": "PartialObjectMetadataList",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "items": objects.iter().map(partial_metadata).collect::<Vec<_>>(),
    })
}
