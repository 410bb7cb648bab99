//! [`ClusterClient`]: one Kubernetes cluster reached through kube-rs, with a discovery cache.
//! Objects go in and out as `serde_json::Value`, so any kind (CRDs included) passes unchanged.

mod connect;
mod discovery;
mod inventory;
mod list;
mod requests;
mod retry;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

pub use connect::{ConnectOptions, IN_CLUSTER_SERVER, choose_context};
pub use discovery::ResourceInfo;
pub use inventory::{INVENTORY_ANNOTATION, inventory_name};
pub use list::LiveObjects;
pub use requests::{FIELD_MANAGER, WriteOptions, gvk_of};

use discovery::Discovery;

/// A client of one cluster: kube-rs underneath, discovery cached, verbs on JSON objects.
#[derive(Clone)]
pub struct ClusterClient {
    client: kube::Client,
    discovery: Arc<Discovery>,
    /// Whether the server accepts server-side apply: unknown, yes, or no (415).
    server_side_apply: Arc<AtomicU8>,
}

impl std::fmt::Debug for ClusterClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ClusterClient")
            .field("default_namespace", &self.client.default_namespace())
            .finish_non_exhaustive()
    }
}

const SSA_UNKNOWN: u8 = 0;
const SSA_SUPPORTED: u8 = 1;
const SSA_UNSUPPORTED: u8 = 2;

impl ClusterClient {
    /// Wraps a kube client (for tests, or a client built elsewhere).
    pub fn new(client: kube::Client) -> Self {
        Self {
            discovery: Arc::new(Discovery::new(client.clone())),
            client,
            server_side_apply: Arc::new(AtomicU8::new(SSA_UNKNOWN)),
        }
    }

    /// The namespace of the kubeconfig context (`default` when it sets none): where namespaced
    /// objects go when neither the manifest nor `destination.namespace` names one.
    pub fn default_namespace(&self) -> &str {
        self.client.default_namespace()
    }

    /// The underlying kube client.
    pub fn kube(&self) -> &kube::Client {
        &self.client
    }

    /// Whether the server has shown that it does server-side apply; `None` before the first
    /// apply. A server that answers 415 gets a create or JSON merge patch instead.
    pub fn server_side_apply(&self) -> Option<bool> {
        match self.server_side_apply.load(Ordering::Relaxed) {
            SSA_SUPPORTED => Some(true),
            SSA_UNSUPPORTED => Some(false),
            _ => None,
        }
    }

    fn set_server_side_apply(&self, supported: bool) {
        let value = if supported {
            SSA_SUPPORTED
        } else {
            SSA_UNSUPPORTED
        };
        self.server_side_apply.store(value, Ordering::Relaxed);
    }
}
