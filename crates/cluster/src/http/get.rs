//! GET of one object (and of its `/status` or `/scale` view).

use axum::http::StatusCode;
use axum::response::Response;

use super::common::Call;
use super::scale;
use super::status::ApiError;

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
    call.respond(StatusCode::OK, &object, &[])
}
