//! The Application objects as the controller reaches them: the shared [`Context`], and the
//! writes it makes to an Application (status, clearing `.operation`, removing an annotation).

use std::collections::HashMap;
use std::time::Duration;

use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_git::{Credentials, RepoCache};
use ferry_types::{Application, ApplicationStatus, Operation};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::signal::Signals;
use crate::{Error, Result};

/// What every reconcile shares: the cluster holding Applications, clients of destinations,
/// the Git cache and credentials, and the sync deadline.
pub struct Context {
    /// The cluster holding the Application objects.
    pub kube: kube::Client,
    /// How to reach destination clusters (kubeconfig and context).
    pub connect: ConnectOptions,
    /// The Git cache.
    pub cache: RepoCache,
    /// Git credentials for every repository.
    pub credentials: Credentials,
    /// Deadline of one sync (health waits and retries included).
    pub sync_timeout: Duration,
    /// Where reconciles, fetches and syncs are reported.
    pub signals: Signals,
    /// Deadline of one fetch and render.
    pub fetch_timeout: Duration,
    /// The Events written recently, for counting repeats.
    pub events: crate::events::EventRecorder,
    /// Clients of destination clusters, by (server, name).
    clients: Mutex<HashMap<(String, String), ClusterClient>>,
}

impl Context {
    /// A context; destination clients are made on first use.
    pub fn new(
        kube: kube::Client,
        connect: ConnectOptions,
        cache: RepoCache,
        credentials: Credentials,
        sync_timeout: Duration,
    ) -> Self {
        Self {
            kube,
            connect,
            cache,
            credentials,
            sync_timeout,
            signals: Signals::default(),
            fetch_timeout: Duration::from_secs(120),
            events: crate::events::EventRecorder::default(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The same context, reporting to `signals`.
    pub fn with_signals(mut self, signals: Signals) -> Self {
        self.signals = signals;
        self
    }

    /// The same context, abandoning a fetch and render after `timeout`.
    pub fn with_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    pub(crate) async fn client_for(&self, app: &Application) -> Result<ClusterClient> {
        let destination = &app.spec.destination;
        let key = (destination.server.clone(), destination.name.clone());
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = ClusterClient::connect(&self.connect, destination).await?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    pub(crate) fn api(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(self.kube.clone(), namespace, &application_resource())
    }
}

/// An Application as listed or read through the dynamic API, typed.
pub(crate) fn parse_application(object: &DynamicObject) -> Result<Application> {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    value["apiVersion"] = ferry_types::FERRY_API_VERSION.into();
    value["kind"] = "Application".into();
    let name = object.metadata.name.clone().unwrap_or_default();
    Application::from_value(value, &format!("Application {name}"))
        .map(|(app, _warnings)| app)
        .map_err(|error| Error::Application {
            name,
            message: error.to_string(),
        })
}

/// The Application resource as kube addresses it.
pub(crate) fn application_resource() -> ApiResource {
    ApiResource {
        group: "ferry.dev".into(),
        version: "v1alpha1".into(),
        api_version: ferry_types::FERRY_API_VERSION.into(),
        kind: "Application".into(),
        plural: "applications".into(),
    }
}

/// The status fields ferry writes; a field left out of the patch would keep its old value, so
/// each one absent from the new status is patched to null.
const STATUS_FIELDS: [&str; 9] = [
    "resources",
    "sync",
    "health",
    "history",
    "conditions",
    "reconciledAt",
    "operationState",
    "sourceType",
    "summary",
];

/// Writes `.status` through the status subresource (a JSON merge patch); returns the
/// Application as stored after the write.
pub(crate) async fn write_status(
    api: Api<DynamicObject>,
    name: String,
    status: ApplicationStatus,
) -> Result<DynamicObject> {
    let mut value = serde_json::to_value(&status).unwrap_or_else(|_| json!({}));
    if let Some(fields) = value.as_object_mut() {
        for field in STATUS_FIELDS {
            fields.entry(field).or_insert(Value::Null);
        }
    }
    let params = PatchParams::default();
    let patch = Patch::Merge(json!({"status": value}));
    retrying(|| api.patch_status(&name, &params, &patch))
        .await
        .map_err(|source| Error::Kube {
            action: format!("writing the status of Application {name}"),
            source,
        })
}

/// Removes `.operation` once the controller has taken it on, but only while it is still the
/// operation `taken`: the patch carries the resourceVersion just read, so an operation set
/// again meanwhile (409) is read and left for the next reconcile instead of being lost.
pub(crate) async fn clear_operation(
    api: Api<DynamicObject>,
    name: String,
    taken: Option<&Operation>,
) -> Result<()> {
    let params = PatchParams::default();
    let failed = |source| Error::Kube {
        action: format!("clearing the operation of Application {name}"),
        source,
    };
    for _ in 0..5 {
        let object = retrying(|| api.get(&name)).await.map_err(failed)?;
        let current = parse_application(&object)?;
        if current.operation.is_none() || current.operation.as_ref() != taken {
            return Ok(());
        }
        let patch = Patch::Merge(json!({
            "metadata": {"resourceVersion": object.metadata.resource_version},
            "operation": null,
        }));
        match retrying(|| api.patch(&name, &params, &patch)).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(status)) if status.code == 409 => continue,
            Err(source) => return Err(failed(source)),
        }
    }
    Err(Error::Application {
        name: name.clone(),
        message: "the operation kept changing while it was being cleared".into(),
    })
}

/// Removes an annotation (the refresh request, once honoured).
pub(crate) async fn remove_annotation(
    context: &Context,
    namespace: &str,
    name: &str,
    annotation: &str,
) -> Result<()> {
    let api = context.api(namespace);
    let params = PatchParams::default();
    let patch = Patch::Merge(json!({"metadata": {"annotations": {annotation: null}}}));
    retrying(|| api.patch(name, &params, &patch))
        .await
        .map_err(|source| Error::Kube {
            action: format!("removing annotation {annotation} from Application {name}"),
            source,
        })?;
    Ok(())
}

/// Runs a merge patch (safe to repeat) again while the server answers 429 or 5xx, at most
/// five more times, 100 ms, 200 ms, ... apart.
pub(crate) async fn retrying<T, F, Fut>(mut send: F) -> kube::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = kube::Result<T>>,
{
    let mut wait = Duration::from_millis(100);
    for _ in 0..5 {
        match send().await {
            Err(kube::Error::Api(status)) if matches!(status.code, 429 | 500 | 502 | 503 | 504) => {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            answer => return answer,
        }
    }
    send().await
}
