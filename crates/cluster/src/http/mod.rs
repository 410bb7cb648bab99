//! The Kubernetes HTTP API as an axum [`Router`]: discovery, the verbs on every served resource,
//! watch streams, and Status errors. One fallback handler parses the path and dispatches to the
//! module of the verb.

mod aggregation;
mod apply;
mod common;
mod create;
mod delete;
mod discovery;
mod encode;
mod get;
mod json;
mod lifecycle;
mod list;
pub mod negotiate;
mod openapi;
mod ownership;
mod patch;
pub mod path;
mod protobuf;
pub mod query;
mod scale;
pub mod status;
mod update;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};

use crate::error::Result;
use crate::registry::{Lookup, Registry, resources_of_crd};
use crate::store::{Store, TypeKey};
pub use common::Call;
use path::Route;
use query::Query;
use status::{ApiError, page_not_found};

/// Limits and timings of the API.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted request body in bytes (the real server's is 3 MiB).
    pub body_bytes: usize,
    /// Longest a watch stays open when the client gives no `timeoutSeconds`.
    pub watch_timeout: Duration,
    /// How often an idle watch with `allowWatchBookmarks` gets a BOOKMARK.
    pub bookmark_interval: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 3 * 1024 * 1024,
            watch_timeout: Duration::from_secs(1800),
            bookmark_interval: Duration::from_secs(60),
        }
    }
}

/// Everything the API shares: the store, the registry, the bearer token and limits.
#[derive(Debug)]
pub struct ClusterState {
    /// The objects.
    pub store: Store,
    /// What is served.
    pub registry: Registry,
    /// The bearer token every request must carry; `None` serves without authentication (for
    /// in-process tests only).
    pub token: Option<String>,
    /// Limits and timings.
    pub limits: Limits,
    /// The cluster-wide faults injected on purpose (`/ferry/faults`).
    pub faults: crate::fault::FaultRegistry,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl ClusterState {
    /// A state over `store`: serves the CRDs it holds and creates the default namespaces when
    /// missing. Writes to the store: call it off the async worker threads.
    pub fn new(store: Store, token: Option<String>, limits: Limits) -> Result<Arc<ClusterState>> {
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let state = Arc::new(ClusterState {
            store,
            registry: Registry::new(),
            token,
            limits,
            faults: crate::fault::FaultRegistry::default(),
            shutdown,
        });
        state.refresh_custom_resources();
        lifecycle::bootstrap(&state)?;
        Ok(state)
    }

    /// A state over a fresh in-memory store, without authentication: for tests.
    pub fn in_memory() -> Result<Arc<ClusterState>> {
        let store = Store::in_memory(crate::store::DEFAULT_EVENT_LOG_CAPACITY)?;
        ClusterState::new(store, None, Limits::default())
    }

    /// Re-reads the CRDs and serves the resources of the Established ones.
    pub fn refresh_custom_resources(&self) {
        let (crds, _) = self.store.list(
            &TypeKey::new("apiextensions.k8s.io", "customresourcedefinitions"),
            None,
        );
        let resources = crds.iter().flat_map(|crd| resources_of_crd(crd)).collect();
        self.registry.set_custom(resources);
    }

    /// Ends every open watch (on server shutdown).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    pub(crate) fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}

/// The API as a router. Requests without the bearer token get a 401 Status when the state has one.
pub fn router(state: Arc<ClusterState>) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

async fn dispatch(State(state): State<Arc<ClusterState>>, request: Request) -> Response {
    if let Some(token) = &state.token
        && !crate::auth::authorized(request.headers(), token)
    {
        return ApiError::unauthorized().into_response();
    }
    crate::fault::around(state, request, serve).await
}

/// Serves an authorized request that the faults let through.
async fn serve(state: Arc<ClusterState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let route = path::parse(parts.uri.path());
    let get = parts.method == Method::GET || parts.method == Method::HEAD;
    match route {
        Route::Version if get => discovery::version(),
        Route::Health if get => discovery::health(),
        Route::Api if get => discovery::api(&state, &parts.headers),
        Route::Apis if get => discovery::apis(&state, &parts.headers),
        Route::Group(group) if get => discovery::group(&state, &group),
        Route::GroupVersion(group, version) if get => {
            discovery::group_version(&state, &group, &version)
        }
        Route::OpenApiRoot if get => openapi::root(&state),
        Route::OpenApiDocument(group, version) if get => {
            openapi::document(&state, &group, &version)
        }
        Route::Resource(path) => resource(state, parts, body, path).await,
        Route::NotFound => page_not_found(),
        _ => ApiError::method_not_allowed().into_response(),
    }
}

async fn resource(
    state: Arc<ClusterState>,
    parts: axum::http::request::Parts,
    body: Body,
    path: path::ResourcePath,
) -> Response {
    let info = match state
        .registry
        .lookup(&path.group, &path.version, &path.resource)
    {
        Lookup::Found(info) => info,
        Lookup::UnknownResource | Lookup::UnknownVersion => {
            return ApiError::no_such_resource().into_response();
        }
        Lookup::UnknownGroup => return page_not_found(),
    };
    if path.namespace.is_some() && !info.namespaced {
        return ApiError::no_such_resource().into_response();
    }
    if info.namespaced && path.namespace.is_none() && path.name.is_some() {
        return ApiError::no_such_resource().into_response();
    }
    if let Some(subresource) = &path.subresource
        && info.subresource(subresource).is_none()
    {
        return ApiError::no_such_resource().into_response();
    }
    let limit = state.limits.body_bytes;
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::too_large(limit).into_response(),
    };
    let call = Call {
        state,
        info,
        namespace: path.namespace,
        name: path.name,
        subresource: path.subresource,
        query: Query::parse(parts.uri.query()),
        headers: parts.headers,
        body,
    };
    let result = match (parts.method.clone(), call.name.is_some()) {
        (Method::GET | Method::HEAD, false) if call.query.watch => watch::handle(call).await,
        (Method::GET | Method::HEAD, false) => list::handle(call).await,
        (Method::GET | Method::HEAD, true) => get::handle(call).await,
        (Method::POST, false) => create::handle(call).await,
        (Method::PUT, true) => update::handle(call).await,
        (Method::PATCH, true) => patch::handle(call).await,
        (Method::DELETE, true) => delete::handle(call).await,
        (Method::DELETE, false) => delete::collection(call).await,
        _ => Err(ApiError::method_not_allowed()),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}
