//! What every request handler shares: the Kubernetes client, the token and webhook Secrets,
//! the cache of Applications the watch keeps, the live stream's channel, and the shutdown
//! signal.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_git::Credentials;
use ferry_types::Application;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock, broadcast, watch};

use crate::auth::TokenStore;
use crate::error::ApiError;
use crate::secrets::CachedSecret;

/// One event of the live stream (`/api/v1/stream`): an SSE event name and its JSON data.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEvent {
    /// `application` (an Application was added, changed or deleted) or `signal` (something
    /// the controller did).
    pub event: &'static str,
    /// The event's data.
    pub data: Value,
}

/// The shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    kube: kube::Client,
    connect: ConnectOptions,
    apps_namespace: Option<String>,
    tokens: TokenStore,
    webhook: CachedSecret,
    cache_dir: std::path::PathBuf,
    credentials: Credentials,
    apps: RwLock<BTreeMap<(String, String), Application>>,
    synced: AtomicBool,
    events: broadcast::Sender<StreamEvent>,
    shutdown: watch::Receiver<bool>,
    destinations: Mutex<HashMap<(String, String), ClusterClient>>,
    telemetry: ferry_telemetry::Telemetry,
}

/// What [`AppState::new`] needs.
pub struct StateParts {
    /// The cluster holding Applications and the server's Secrets.
    pub kube: kube::Client,
    /// How to reach destination clusters.
    pub connect: ConnectOptions,
    /// Applications of this namespace only; all when `None`.
    pub apps_namespace: Option<String>,
    /// The tokens Secret.
    pub tokens: CachedSecret,
    /// The webhook Secret.
    pub webhook: CachedSecret,
    /// The Git cache (for diffs).
    pub cache_dir: std::path::PathBuf,
    /// Git credentials (for diffs).
    pub credentials: Credentials,
    /// Becomes `true` when the server stops.
    pub shutdown: watch::Receiver<bool>,
    /// Metrics.
    pub telemetry: ferry_telemetry::Telemetry,
}

/// Unread live-stream events kept per listener.
const STREAM_CAPACITY: usize = 256;

impl AppState {
    /// The state of a server.
    pub fn new(parts: StateParts) -> Self {
        let (events, _) = broadcast::channel(STREAM_CAPACITY);
        Self {
            inner: Arc::new(Inner {
                kube: parts.kube,
                connect: parts.connect,
                apps_namespace: parts.apps_namespace,
                tokens: TokenStore::new(parts.tokens),
                webhook: parts.webhook,
                cache_dir: parts.cache_dir,
                credentials: parts.credentials,
                apps: RwLock::new(BTreeMap::new()),
                synced: AtomicBool::new(false),
                events,
                shutdown: parts.shutdown,
                destinations: Mutex::new(HashMap::new()),
                telemetry: parts.telemetry,
            }),
        }
    }

    /// The client of the cluster holding Applications.
    pub fn kube(&self) -> &kube::Client {
        &self.inner.kube
    }

    /// Applications of this namespace only; all when `None`.
    pub fn apps_namespace(&self) -> Option<&str> {
        self.inner.apps_namespace.as_deref()
    }

    /// The API tokens.
    pub fn tokens(&self) -> &TokenStore {
        &self.inner.tokens
    }

    /// The webhook Secret.
    pub fn webhook_secret(&self) -> &CachedSecret {
        &self.inner.webhook
    }

    /// Metrics.
    pub fn telemetry(&self) -> &ferry_telemetry::Telemetry {
        &self.inner.telemetry
    }

    /// The Git cache directory and credentials.
    pub fn git(&self) -> (std::path::PathBuf, Credentials) {
        (self.inner.cache_dir.clone(), self.inner.credentials.clone())
    }

    /// Every Application the watch has seen, by namespace and name.
    pub async fn cached_apps(&self) -> Vec<Application> {
        self.inner.apps.read().await.values().cloned().collect()
    }

    /// Replaces the cache after a list; returns what it held before.
    pub(crate) async fn replace_apps(
        &self,
        apps: BTreeMap<(String, String), Application>,
    ) -> BTreeMap<(String, String), Application> {
        let old = std::mem::replace(&mut *self.inner.apps.write().await, apps);
        self.inner.synced.store(true, Ordering::Release);
        old
    }

    /// Whether the cache holds this Application.
    pub(crate) async fn cached_app(&self, key: &(String, String)) -> bool {
        self.inner.apps.read().await.contains_key(key)
    }

    /// Puts (or, with `None`, removes) one Application in the cache.
    pub(crate) async fn put_app(&self, key: (String, String), app: Option<Application>) {
        let mut apps = self.inner.apps.write().await;
        match app {
            Some(app) => apps.insert(key, app),
            None => apps.remove(&key),
        };
    }

    /// Whether the cache has been filled once (`/readyz`).
    pub fn is_synced(&self) -> bool {
        self.inner.synced.load(Ordering::Acquire)
    }

    /// Sends a live-stream event to every listener (dropped without listeners).
    pub fn publish(&self, event: StreamEvent) {
        let _ = self.inner.events.send(event);
    }

    /// A new live-stream listener.
    pub fn subscribe(&self) -> broadcast::Receiver<StreamEvent> {
        self.inner.events.subscribe()
    }

    /// A receiver that turns `true` when the server stops.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.clone()
    }

    /// A client of the app's destination cluster (made once per destination).
    pub async fn destination(&self, app: &Application) -> Result<ClusterClient, ApiError> {
        let destination = &app.spec.destination;
        let key = (destination.server.clone(), destination.name.clone());
        let mut clients = self.inner.destinations.lock().await;
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = ClusterClient::connect(&self.inner.connect, destination)
            .await
            .map_err(crate::Error::from)?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// Runs `work` to completion on a blocking thread that drives it with the runtime's handle:
/// for the engine's futures, which are not `Send` (see crates/controller/NOTES.md) and so
/// cannot run in a handler directly.
pub async fn run_local<F, Fut, T>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, ApiError>>,
    T: Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(work()))
        .await
        .map_err(|error| {
            eprintln!("server: a request's task failed: {error}");
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal error (see the server's log)",
            )
        })?
}
