//! The simulated controllers, one module per kind. Each is a pure `reconcile(inputs, context)`
//! returning an [`Outcome`](crate::Outcome).

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod hpa;
pub mod ingress;
pub mod job;
pub mod namespace;
pub mod node_lifecycle;
pub mod nodes;
pub mod pods;
pub mod replicaset;
pub mod revisions;
pub mod service;
pub mod statefulset;
pub mod volumes;
