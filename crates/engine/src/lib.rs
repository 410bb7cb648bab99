//! The executor of ferry: talks to any Kubernetes cluster through kube-rs and carries out
//! what the pure crates decide. [`ClusterClient`] connects from a kubeconfig, discovers every
//! served resource and reads and writes objects as JSON; [`diff`] compares what Git declares
//! with what the cluster has (after a server-side-apply dry-run, so server defaults are never
//! drift); [`sync`] validates every object first, then applies phase by phase and wave by wave,
//! waiting for health, runs hooks, prunes only when asked, and returns a [`SyncResult`].

#![deny(missing_docs)]

mod client;
mod delete;
mod diff;
mod error;
mod observe;
mod sync;
mod target;

pub use client::{
    ClusterClient, ConnectOptions, FIELD_MANAGER, IN_CLUSTER_SERVER, INVENTORY_ANNOTATION,
    LiveObjects, ResourceInfo, WriteOptions, choose_context, gvk_of, inventory_name,
};
pub use delete::{Deleted, delete_app};
pub use diff::{Comparison, ResourceComparison, compare, diff, diff_status_text};
pub use error::{Error, Rejection, Result};
pub use ferry_sync::ResourceSelector;
pub use sync::{
    OPERATION_ANNOTATION, ObjectAction, ObjectResult, RetryPolicy, SyncEvent, SyncOptions,
    SyncResult, phase_text, sync,
};
pub use target::{Target, app_name, prepare};
