//! Request paths: discovery documents, OpenAPI, health checks and resource paths
//! (`/api/v1/namespaces/{namespace}/{resource}/{name}/{subresource}`).

/// What a path asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/version`.
    Version,
    /// `/api`.
    Api,
    /// `/apis`.
    Apis,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1` or `/apis/{group}/{version}`.
    GroupVersion(String, String),
    /// `/openapi/v3`.
    OpenApiRoot,
    /// `/openapi/v3/{api/v1 | apis/group/version}`.
    OpenApiDocument(String, String),
    /// `/healthz`, `/livez`, `/readyz`.
    Health,
    /// A resource path.
    Resource(ResourcePath),
    /// Nothing is served here.
    NotFound,
}

/// A resource path, not yet resolved against the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourcePath {
    /// API group (`""` for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Namespace from `namespaces/{namespace}/...`.
    pub namespace: Option<String>,
    /// Plural resource.
    pub resource: String,
    /// Object name.
    pub name: Option<String>,
    /// Subresource.
    pub subresource: Option<String>,
}

fn decode(segment: &str) -> String {
    form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// Parses a request path.
pub fn parse(path: &str) -> Route {
    let segments: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(decode)
        .collect();
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz", ..] => Route::Health,
        ["api"] => Route::Api,
        ["apis"] => Route::Apis,
        ["apis", group] => Route::Group(group.to_string()),
        ["api", version] => Route::GroupVersion(String::new(), version.to_string()),
        ["apis", group, version] => Route::GroupVersion(group.to_string(), version.to_string()),
        ["openapi", "v3"] => Route::OpenApiRoot,
        ["openapi", "v3", "api", version] => {
            Route::OpenApiDocument(String::new(), version.to_string())
        }
        ["openapi", "v3", "apis", group, version] => {
            Route::OpenApiDocument(group.to_string(), version.to_string())
        }
        ["api", version, rest @ ..] => resource("", version, rest),
        ["apis", group, version, rest @ ..] => resource(group, version, rest),
        _ => Route::NotFound,
    }
}

fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    let path = |namespace: Option<&str>, rest: &[&str]| -> Route {
        let (resource, name, subresource) = match rest {
            [resource] => (*resource, None, None),
            [resource, name] => (*resource, Some(*name), None),
            [resource, name, subresource] => (*resource, Some(*name), Some(*subresource)),
            _ => return Route::NotFound,
        };
        Route::Resource(ResourcePath {
            group: group.to_string(),
            version: version.to_string(),
            namespace: namespace.map(str::to_string),
            resource: resource.to_string(),
            name: name.map(str::to_string),
            subresource: subresource.map(str::to_string),
        })
    };
    match rest {
        ["namespaces", _, "status" | "finalize"] => path(None, rest),
        ["namespaces", namespace, tail @ ..] if !tail.is_empty() => path(Some(namespace), tail),
        _ => path(None, rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource_path(
        namespace: Option<&str>,
        resource: &str,
        name: Option<&str>,
        sub: Option<&str>,
    ) -> Route {
        Route::Resource(ResourcePath {
            group: "apps".into(),
            version: "v1".into(),
            namespace: namespace.map(Into::into),
            resource: resource.into(),
            name: name.map(Into::into),
            subresource: sub.map(Into::into),
        })
    }

    #[test]
    fn resource_paths_split_into_namespace_resource_name_and_subresource() {
        assert_eq!(
            parse("/apis/apps/v1/deployments"),
            resource_path(None, "deployments", None, None)
        );
        assert_eq!(
            parse("/apis/apps/v1/namespaces/web/deployments/api/scale"),
            resource_path(Some("web"), "deployments", Some("api"), Some("scale"))
        );
        assert_eq!(
            parse("/api/v1/namespaces/doomed"),
            Route::Resource(ResourcePath {
                group: String::new(),
                version: "v1".into(),
                namespace: None,
                resource: "namespaces".into(),
                name: Some("doomed".into()),
                subresource: None,
            })
        );
        assert!(matches!(
            parse("/api/v1/namespaces/doomed/status"),
            Route::Resource(ResourcePath {
                namespace: None,
                ..
            })
        ));
        assert_eq!(parse("/apis/apps"), Route::Group("apps".into()));
        assert_eq!(
            parse("/api/v1"),
            Route::GroupVersion(String::new(), "v1".into())
        );
        assert_eq!(parse("/nothing/here"), Route::NotFound);
    }
}
