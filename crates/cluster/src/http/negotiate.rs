//! Content negotiation: which representation a client accepts and which body format it sent.

use axum::http::{HeaderMap, header};

use super::status::ApiError;

/// The representation of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// `application/json`.
    Json,
    /// `application/yaml`.
    Yaml,
    /// `application/json;as=Table;v=v1;g=meta.k8s.io`.
    Table,
    /// `application/json;as=PartialObjectMetadata(List);v=v1;g=meta.k8s.io`: metadata only.
    Metadata,
}

/// The discovery representation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// The classic documents.
    Plain,
    /// `apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`.
    Aggregated,
}

/// A media type with its parameters.
struct MediaType<'a> {
    essence: String,
    parameters: Vec<(String, &'a str)>,
}

impl MediaType<'_> {
    fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| *value)
    }
}

fn media_types(value: &str) -> Vec<MediaType<'_>> {
    value
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let essence = parts.next()?.trim().to_ascii_lowercase();
            if essence.is_empty() {
                return None;
            }
            let parameters = parts
                .filter_map(|parameter| {
                    let (key, value) = parameter.split_once('=')?;
                    Some((key.trim().to_ascii_lowercase(), value.trim()))
                })
                .collect();
            Some(MediaType {
                essence,
                parameters,
            })
        })
        .filter(|media| media.parameter("q") != Some("0"))
        .collect()
}

fn accept(headers: &HeaderMap) -> &str {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// The representation to answer a resource request with; 406 when nothing acceptable is offered.
pub fn output(headers: &HeaderMap, table_supported: bool) -> Result<Output, ApiError> {
    let accept = accept(headers);
    if accept.trim().is_empty() {
        return Ok(Output::Json);
    }
    for media in media_types(accept) {
        match media.essence.as_str() {
            "application/json" => match media.parameter("as") {
                None => return Ok(Output::Json),
                Some("Table") if table_supported && media.parameter("g") == Some("meta.k8s.io") => {
                    if media.parameter("v") == Some("v1") {
                        return Ok(Output::Table);
                    }
                }
                Some("PartialObjectMetadata" | "PartialObjectMetadataList")
                    if table_supported
                        && media.parameter("g") == Some("meta.k8s.io")
                        && media.parameter("v") == Some("v1") =>
                {
                    return Ok(Output::Metadata);
                }
                Some(_) => {}
            },
            "application/yaml" if media.parameter("as").is_none() => return Ok(Output::Yaml),
            "*/*" | "application/*" => return Ok(Output::Json),
            _ => {}
        }
    }
    Err(ApiError::not_acceptable())
}

/// Which discovery document a client asked for; 406 when nothing acceptable is offered.
pub fn discovery(headers: &HeaderMap) -> Result<Discovery, ApiError> {
    let accept = accept(headers);
    if accept.trim().is_empty() {
        return Ok(Discovery::Plain);
    }
    for media in media_types(accept) {
        match media.essence.as_str() {
            "application/json" => match media.parameter("as") {
                None => return Ok(Discovery::Plain),
                Some("APIGroupDiscoveryList")
                    if media.parameter("g") == Some("apidiscovery.k8s.io")
                        && media.parameter("v") == Some("v2") =>
                {
                    return Ok(Discovery::Aggregated);
                }
                Some(_) => {}
            },
            "*/*" | "application/*" => return Ok(Discovery::Plain),
            _ => {}
        }
    }
    Err(ApiError::new(
        406,
        "NotAcceptable",
        "only the following media types are accepted: application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    )
    .with_details(serde_json::Map::new()))
}

/// The format of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// `application/vnd.kubernetes.protobuf` (the built-in kinds kubectl's typed clients send).
    Protobuf,
}

/// The bare content type of a request (`application/merge-patch+json`), lower case.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// The format of a create or update body; `None` for a type those verbs refuse (415).
pub fn body_format(headers: &HeaderMap) -> Option<BodyFormat> {
    match content_type(headers).as_deref() {
        None | Some("application/json") | Some("") | Some("*/*") => Some(BodyFormat::Json),
        Some("application/yaml") => Some(BodyFormat::Yaml),
        Some("application/vnd.kubernetes.protobuf") => Some(BodyFormat::Protobuf),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(accept: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
        headers
    }

    #[test]
    fn kubectl_table_requests_fall_back_to_json_when_tables_are_not_served() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(output(&headers(kubectl), false).ok(), Some(Output::Json));
        assert_eq!(output(&headers(kubectl), true).ok(), Some(Output::Table));
        assert!(output(&headers("application/xml"), false).is_err());
        assert_eq!(
            output(&headers("application/yaml"), false).ok(),
            Some(Output::Yaml)
        );
    }

    #[test]
    fn protobuf_bodies_are_read_and_json_answers_kubectl_typed_clients() {
        let mut headers = headers("application/vnd.kubernetes.protobuf,application/json");
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.kubernetes.protobuf"),
        );
        assert_eq!(body_format(&headers), Some(BodyFormat::Protobuf));
        assert_eq!(output(&headers, false).ok(), Some(Output::Json));
    }

    #[test]
    fn aggregated_discovery_is_chosen_only_for_v2() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(
            discovery(&headers(kubectl)).ok(),
            Some(Discovery::Aggregated)
        );
        assert!(
            discovery(&headers(
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
            ))
            .is_err()
        );
        assert_eq!(
            discovery(&headers("application/json")).ok(),
            Some(Discovery::Plain)
        );
    }
}
