//! Writes to the cluster through its own HTTP API, in process: the axum router called with
//! `tower::ServiceExt::oneshot`, so defaults, validation, generation, resourceVersions,
//! garbage collection and watch events are exactly those of a `kubectl` request. Reads go
//! straight to the store's index (they have no side effects).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use ferry_cluster::ClusterState;
use serde_json::Value;
use tower::ServiceExt;

use crate::error::{Error, Result};
use crate::object;
use crate::resources::Resource;

/// The field manager the simulated controllers write as.
pub const FIELD_MANAGER: &str = "kube-controller-manager";

/// A client of one cluster, in process.
#[derive(Clone)]
pub struct Client {
    state: Arc<ClusterState>,
    router: Router,
    authorization: Option<HeaderValue>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client of `state`, authenticated with its bearer token.
    pub fn new(state: Arc<ClusterState>) -> Client {
        let authorization = state
            .token
            .as_ref()
            .and_then(|token| HeaderValue::from_str(&format!("Bearer {token}")).ok());
        Client {
            router: ferry_cluster::router(state.clone()),
            state,
            authorization,
        }
    }

    /// The cluster state (for reads from the store).
    pub fn state(&self) -> &Arc<ClusterState> {
        &self.state
    }

    /// Creates an object in its namespace (`metadata.namespace`).
    pub async fn create(&self, resource: &Resource, object: &Value) -> Result<Value> {
        let path = format!(
            "{}?fieldManager={FIELD_MANAGER}",
            resource.collection_path(object::namespace(object))
        );
        self.send(
            resource,
            object::name(object),
            Method::POST,
            path,
            Some(object),
        )
        .await
    }

    /// Replaces an object; its `metadata.resourceVersion` makes the write conditional.
    pub async fn update(&self, resource: &Resource, object: &Value) -> Result<Value> {
        let path = format!(
            "{}?fieldManager={FIELD_MANAGER}",
            resource.object_path(object::namespace(object), object::name(object))
        );
        self.send(
            resource,
            object::name(object),
            Method::PUT,
            path,
            Some(object),
        )
        .await
    }

    /// Replaces an object's status through its `/status` subresource.
    pub async fn update_status(&self, resource: &Resource, object: &Value) -> Result<Value> {
        let path = format!(
            "{}/status?fieldManager={FIELD_MANAGER}",
            resource.object_path(object::namespace(object), object::name(object))
        );
        self.send(
            resource,
            object::name(object),
            Method::PUT,
            path,
            Some(object),
        )
        .await
    }

    /// Deletes an object (background propagation), only if it still has `uid` when given.
    pub async fn delete(
        &self,
        resource: &Resource,
        namespace: &str,
        name: &str,
        uid: Option<&str>,
    ) -> Result<()> {
        let mut options = serde_json::json!({
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "propagationPolicy": "Background",
        });
        if let Some(uid) = uid {
            options["preconditions"] = serde_json::json!({"uid": uid});
        }
        let path = resource.object_path(namespace, name);
        self.send(resource, name, Method::DELETE, path, Some(&options))
            .await
            .map(|_| ())
    }

    async fn send(
        &self,
        resource: &Resource,
        name: &str,
        method: Method,
        path: String,
        body: Option<&Value>,
    ) -> Result<Value> {
        let transport = |detail: String| Error::Transport {
            method: method.to_string(),
            path: path.clone(),
            detail,
        };
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(&path)
            .header(header::ACCEPT, "application/json");
        if let Some(authorization) = &self.authorization {
            builder = builder.header(header::AUTHORIZATION, authorization.clone());
        }
        // The simulated controllers run inside the server: cluster-wide faults (latency, error
        // fractions) are for the API's clients, not for them.
        builder = builder.extension(ferry_cluster::fault::Exempt);
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        }
        .map_err(|error| transport(error.to_string()))?;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|error| transport(error.to_string()))?;
        let code = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|error| transport(error.to_string()))?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if code.is_success() {
            return Ok(answer);
        }
        let reason = answer.get("reason").and_then(Value::as_str).unwrap_or("");
        let named = |resource: &Resource| (resource.plural.to_string(), name.to_string());
        Err(match (code, reason) {
            (StatusCode::CONFLICT, "AlreadyExists") => {
                let (resource, name) = named(resource);
                Error::AlreadyExists { resource, name }
            }
            (StatusCode::CONFLICT, _) => {
                let (resource, name) = named(resource);
                Error::Conflict { resource, name }
            }
            (StatusCode::NOT_FOUND, _) => {
                let (resource, name) = named(resource);
                Error::NotFound { resource, name }
            }
            _ => Error::Refused {
                method: method.to_string(),
                path: path.clone(),
                code: code.as_u16(),
                message: answer
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::CONFIG_MAPS;
    use serde_json::json;

    #[tokio::test]
    async fn writes_go_through_the_api_and_report_conflicts_as_data() {
        let state = ClusterState::in_memory().unwrap();
        let client = Client::new(state);
        let config_map = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "default"},
            "data": {"a": "1"}
        });
        let created = client.create(&CONFIG_MAPS, &config_map).await.unwrap();
        assert!(object::uid(&created).len() == 36);
        assert!(matches!(
            client.create(&CONFIG_MAPS, &config_map).await,
            Err(Error::AlreadyExists { .. })
        ));
        let mut stale = created.clone();
        stale["data"]["a"] = json!("2");
        client.update(&CONFIG_MAPS, &stale).await.unwrap();
        assert!(matches!(
            client.update(&CONFIG_MAPS, &stale).await,
            Err(Error::Conflict { .. })
        ));
        client
            .delete(
                &CONFIG_MAPS,
                "default",
                "settings",
                Some(object::uid(&created)),
            )
            .await
            .unwrap();
        assert!(matches!(
            client
                .delete(&CONFIG_MAPS, "default", "settings", None)
                .await,
            Err(Error::NotFound { .. })
        ));
    }
}
