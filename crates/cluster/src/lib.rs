//! ferry's local cluster: an embedded, Kubernetes-API-compatible server that `kubectl` and kube-rs
//! use unchanged. Objects live in a durable store ([`store`]); the HTTP API is an axum `Router`
//! ([`router`]) usable in-process through `tower::ServiceExt::oneshot` or served over HTTPS with a
//! generated CA, a bearer token and a kubeconfig ([`serve`], [`start`]).

mod auth;
pub mod datadir;
mod error;
pub mod fault;
pub mod http;
pub mod kubeconfig;
pub mod managed;
pub mod object;
pub mod registry;
pub mod selector;
mod serve;
pub mod store;
pub mod table;
pub mod tls;

pub use error::{Error, Result};
pub use http::{ClusterState, Limits, router};
pub use serve::{ClusterConfig, RunningCluster, serve, start};
