//! LIST: label and field selectors, `limit`/`continue` pages with `remainingItemCount`, and
//! resourceVersion semantics (latest, or exactly an older version still in the event log).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::common::{Call, served};
use super::negotiate::{self, Output};
use super::status::{ApiError, Cause, json_response};
use crate::object::meta;
use crate::registry::ResourceInfo;
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{EventType, Store, TypeKey};
use crate::table::{self, Include};

/// The label and field selectors of a request.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Selection {
    /// Parses the selectors of a query on objects of `info` (400 with the real server's
    /// message when malformed).
    pub fn parse(
        info: &crate::registry::ResourceInfo,
        query: &super::query::Query,
    ) -> Result<Selection, ApiError> {
        let labels = match &query.label_selector {
            Some(text) => LabelSelector::parse(text).map_err(ApiError::bad_request)?,
            None => LabelSelector::default(),
        };
        let fields = match &query.field_selector {
            Some(text) => FieldSelector::parse_for(&info.group, &info.kind, text)
                .map_err(ApiError::bad_request)?,
            None => FieldSelector::default(),
        };
        Ok(Selection { labels, fields })
    }

    /// True when the object matches both selectors.
    pub fn matches(&self, object: &Value) -> bool {
        self.labels.matches_object(object) && self.fields.matches_object(object)
    }
}

/// Parses `resourceVersion` (`None` for absent, empty or `"0"`-less values kept as given).
pub fn resource_version(query: &super::query::Query) -> Result<Option<u64>, ApiError> {
    match query.resource_version.as_deref() {
        None | Some("") => Ok(None),
        Some(text) => text.parse::<u64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "invalid resource version: resourceVersion: Invalid value: \"{text}\": strconv.ParseUint: parsing \"{text}\": invalid syntax"
            ))
        }),
    }
}

/// 422 for a `resourceVersionMatch` the request may not carry.
pub fn list_options_forbidden(detail: &str) -> ApiError {
    ApiError::invalid_kind(
        "ListOptions.meta.k8s.io",
        "meta.k8s.io",
        "ListOptions",
        "",
        vec![Cause::forbidden("resourceVersionMatch", detail)],
    )
}

struct Continue {
    resource_version: u64,
    namespace: String,
    name: String,
}

fn decode_continue(token: &str, namespaced_list: bool) -> Result<Continue, ApiError> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let invalid =
        |detail: String| ApiError::bad_request(format!("invalid continue token: {detail}"));
    let bytes = engine
        .decode(token.trim_end_matches('='))
        .map_err(|error| invalid(error.to_string()))?;
    let decoded: Value = serde_json::from_slice(&bytes).map_err(|error| {
        invalid(format!(
            "continue key is not valid: {}",
            super::json::go_error(&error, &bytes)
        ))
    })?;
    if decoded["v"] != "meta.k8s.io/v1" {
        return Err(invalid("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into()));
    }
    let resource_version = decoded["rv"]
        .as_u64()
        .ok_or_else(|| invalid("continue key is not valid: no resourceVersion".into()))?;
    let start = decoded["start"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches('/')
        .trim_end_matches('\u{0}');
    let (namespace, name) = match (namespaced_list, start.split_once('/')) {
        (false, Some((namespace, name))) => (namespace.to_string(), name.to_string()),
        _ => (String::new(), start.to_string()),
    };
    Ok(Continue {
        resource_version,
        namespace,
        name,
    })
}

fn encode_continue(resource_version: u64, start: &str) -> String {
    let token =
        json!({"v": "meta.k8s.io/v1", "rv": resource_version, "start": format!("{start}\u{0}")});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

/// The objects of a type as they were at `resource_version`, rebuilt from the event log; `None`
/// when the log no longer reaches back that far.
pub fn at_version(
    store: &Store,
    type_key: &TypeKey,
    namespace: Option<&str>,
    resource_version: u64,
) -> Option<Vec<Arc<Value>>> {
    let (items, _) = store.list(type_key, namespace);
    let events = store.events_since(resource_version).ok()?;
    let mut state: BTreeMap<(String, String), Arc<Value>> = items
        .into_iter()
        .map(|item| {
            let key = (
                meta::text(&item, "namespace").unwrap_or("").to_string(),
                meta::name(&item).to_string(),
            );
            (key, item)
        })
        .collect();
    for event in events.iter().rev() {
        if event.key.type_key() != *type_key
            || namespace.is_some_and(|namespace| namespace != event.key.namespace)
        {
            continue;
        }
        let slot = (event.key.namespace.clone(), event.key.name.clone());
        match (event.kind, &event.previous) {
            (EventType::Added, _) | (_, None) => {
                state.remove(&slot);
            }
            (_, Some(previous)) => {
                state.insert(slot, previous.clone());
            }
        }
    }
    Some(state.into_values().collect())
}

/// Handles a list.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("list")?;
    let requested = resource_version(&call.query)?;
    let exact = match call.query.resource_version_match.as_deref() {
        None | Some("") => false,
        Some(_)
            if call
                .query
                .resource_version
                .as_deref()
                .is_none_or(str::is_empty) =>
        {
            return Err(list_options_forbidden(
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        Some("Exact") => true,
        Some("NotOlderThan") => false,
        Some(other) => {
            return Err(ApiError::invalid_kind(
                "ListOptions.meta.k8s.io",
                "meta.k8s.io",
                "ListOptions",
                "",
                vec![Cause::not_supported(
                    "resourceVersionMatch",
                    &json!(other),
                    &["Exact", "NotOlderThan"],
                )],
            ));
        }
    };
    let selection = Selection::parse(&call.info, &call.query)?;
    let limit = call
        .query
        .limit
        .as_deref()
        .and_then(|text| text.parse::<usize>().ok())
        .filter(|limit| *limit > 0);
    let namespace = call.namespace.as_deref();
    let continuation = match call
        .query
        .continue_token
        .as_deref()
        .filter(|token| !token.is_empty())
    {
        Some(token) => Some(decode_continue(
            token,
            namespace.is_some() || !call.info.namespaced,
        )?),
        None => None,
    };
    let store = &call.state.store;
    let current = store.resource_version();
    let (items, list_version) = match (exact, requested) {
        (true, Some(version)) if version > 0 && version < current => {
            let items =
                at_version(store, &call.info.type_key(), namespace, version).ok_or_else(|| {
                    ApiError::new(
                        410,
                        "Expired",
                        "The resourceVersion for the provided list is too old.",
                    )
                })?;
            (items, version)
        }
        _ => store.list(&call.info.type_key(), namespace),
    };
    let list_version = continuation
        .as_ref()
        .map(|token| token.resource_version)
        .unwrap_or(list_version);
    let mut selected: Vec<Arc<Value>> = items
        .into_iter()
        .filter(|item| selection.matches(item))
        .collect();
    if let Some(token) = &continuation {
        let start = (token.namespace.clone(), token.name.clone());
        selected.retain(|item| {
            let key = if namespace.is_some() || !call.info.namespaced {
                (String::new(), meta::name(item).to_string())
            } else {
                (
                    meta::text(item, "namespace").unwrap_or("").to_string(),
                    meta::name(item).to_string(),
                )
            };
            key > start
        });
    }
    let mut page = None;
    if let Some(limit) = limit
        && selected.len() > limit
    {
        let remaining = selected.len() - limit;
        selected.truncate(limit);
        let last = selected.last().cloned().unwrap_or_default();
        let start = if namespace.is_some() || !call.info.namespaced {
            format!("/{}", meta::name(&last))
        } else {
            format!(
                "/{}/{}",
                meta::text(&last, "namespace").unwrap_or(""),
                meta::name(&last)
            )
        };
        page = Some((encode_continue(list_version, &start), remaining));
    }
    match negotiate::output(&call.headers, true)? {
        Output::Table => {
            let include = Include::parse(call.query.include_object.as_deref());
            let rows: Vec<Value> = selected
                .iter()
                .map(|item| served(item, &call.info))
                .collect();
            let metadata = list_metadata(list_version, page);
            let printed = table::table(&call.info, &rows, include, metadata);
            Ok(json_response(StatusCode::OK, &printed))
        }
        Output::Metadata => {
            let items: Vec<Value> = selected
                .iter()
                .map(|item| served(item, &call.info))
                .collect();
            let metadata = list_metadata(list_version, page);
            Ok(json_response(
                StatusCode::OK,
                &table::partial_metadata_list(&items, metadata),
            ))
        }
        Output::Json => {
            let mut metadata = list_metadata(list_version, page);
            if call.info.custom && !metadata.contains_key("continue") {
                metadata.insert("continue".into(), json!(""));
            }
            Ok(super::encode::list_response(
                &call.info, &metadata, &selected,
            ))
        }
        Output::Yaml => {
            let list = render(&call.info, &selected, list_version, page);
            call.respond(StatusCode::OK, &list, &[])
        }
    }
}

/// The `metadata` of a list page.
fn list_metadata(resource_version: u64, page: Option<(String, usize)>) -> Map<String, Value> {
    let mut metadata = Map::new();
    metadata.insert(
        "resourceVersion".into(),
        json!(resource_version.to_string()),
    );
    if let Some((token, remaining)) = page {
        metadata.insert("continue".into(), json!(token));
        metadata.insert("remainingItemCount".into(), json!(remaining));
    }
    metadata
}

/// A list document: built-in items carry no kind/apiVersion, custom resource items do.
pub fn render(
    info: &ResourceInfo,
    items: &[Arc<Value>],
    resource_version: u64,
    page: Option<(String, usize)>,
) -> Value {
    let mut metadata = Map::new();
    metadata.insert(
        "resourceVersion".into(),
        json!(resource_version.to_string()),
    );
    match page {
        Some((token, remaining)) => {
            metadata.insert("continue".into(), json!(token));
            metadata.insert("remainingItemCount".into(), json!(remaining));
        }
        None if info.custom => {
            metadata.insert("continue".into(), json!(""));
        }
        None => {}
    }
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut item = served(item, info);
            if !info.custom
                && let Some(map) = item.as_object_mut()
            {
                map.remove("kind");
                map.remove("apiVersion");
            }
            item
        })
        .collect();
    json!({"kind": info.list_kind, "apiVersion": info.api_version(), "metadata": metadata, "items": items})
}
