//! GET of one object (and of its `/status` or `/scale` view), as JSON, YAML, a one-row Table or
//! its PartialObjectMetadata.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Map;

use super::common::{Call, served};
use super::negotiate::{self, Output};
use super::scale;
use super::status::{ApiError, json_response};
use crate::table::{self, Include};

/// Handles a get.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("get")?;
    let name = call.name().to_string();
    let object = call
        .state
        .store
        .get(&call.key(&name))
        .ok_or_else(|| ApiError::not_found(&call.info, &name))?;
    if call.subresource.as_deref() == Some("scale") {
        return call.respond(StatusCode::OK, &scale::view(&object, &call.info), &[]);
    }
    match negotiate::output(&call.headers, true)? {
        Output::Table => {
            let mut metadata = Map::new();
            if let Some(version) = object.pointer("/metadata/resourceVersion") {
                metadata.insert("resourceVersion".into(), version.clone());
            }
            let include = Include::parse(call.query.include_object.as_deref());
            let rows = [served(&object, &call.info)];
            let printed = table::table(&call.info, &rows, include, metadata);
            Ok(json_response(StatusCode::OK, &printed))
        }
        Output::Metadata => Ok(json_response(
            StatusCode::OK,
            &table::partial_metadata(&object),
        )),
        Output::Json if !call.info.custom => Ok(json_response(StatusCode::OK, &object)),
        Output::Json | Output::Yaml => call.respond(StatusCode::OK, &object, &[]),
    }
}
