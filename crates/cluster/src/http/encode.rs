//! Lists written straight from the stored objects: a list of built-in objects is serialised
//! without copying its items (their `kind` and `apiVersion` are skipped while writing).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use super::common::served;
use crate::registry::ResourceInfo;

struct Item<'a> {
    info: &'a ResourceInfo,
    object: &'a Value,
}

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.info.custom {
            return served(self.object, self.info).serialize(serializer);
        }
        let Value::Object(map) = self.object else {
            return self.object.serialize(serializer);
        };
        let mut out = serializer.serialize_map(None)?;
        for (key, value) in map {
            if key != "kind" && key != "apiVersion" {
                out.serialize_entry(key, value)?;
            }
        }
        out.end()
    }
}

struct Items<'a> {
    info: &'a ResourceInfo,
    items: &'a [Arc<Value>],
}

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_seq(Some(self.items.len()))?;
        for object in self.items {
            out.serialize_element(&Item {
                info: self.info,
                object,
            })?;
        }
        out.end()
    }
}

struct List<'a> {
    info: &'a ResourceInfo,
    metadata: &'a Map<String, Value>,
    items: Items<'a>,
}

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(4))?;
        out.serialize_entry("kind", &self.info.list_kind)?;
        out.serialize_entry("apiVersion", &self.info.api_version())?;
        out.serialize_entry("metadata", self.metadata)?;
        out.serialize_entry("items", &self.items)?;
        out.end()
    }
}

/// A JSON list response of `items` with `metadata`, written like `json_response` writes values.
pub fn list_response(
    info: &ResourceInfo,
    metadata: &Map<String, Value>,
    items: &[Arc<Value>],
) -> Response {
    let list = List {
        info,
        metadata,
        items: Items { info, items },
    };
    let mut bytes = serde_json::to_vec(&list).unwrap_or_default();
    bytes.push(b'\n');
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    response
}
