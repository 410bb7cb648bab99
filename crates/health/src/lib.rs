//! Health of live Kubernetes objects, as pure functions: an object in, a ranked [`Health`] out.
//!
//! [`assess`] dispatches by API group and kind through one table (`dispatch.rs`) to one file
//! per kind, following the rules of Argo CD's built-in checks and going further where they
//! hide a failure (a Deployment that cannot create pods, a pod stuck in an init container, a
//! suspended CronJob). Custom resources with standard `status.conditions` (`Ready`,
//! `Available`, `Stalled`, `Reconciling`) get a generic check; any other kind gets no
//! assessment at all, which is not the same as [`HealthStatusCode::Unknown`].
//! [`aggregate`] folds the health of an application's objects into one.

#![deny(missing_docs)]

mod error;
mod fields;
mod health;

mod apiservice;
mod application;
mod crd;
mod cronjob;
mod daemonset;
mod deletion;
mod deployment;
mod dispatch;
mod generic;
mod hpa;
mod ingress;
mod job;
mod namespace;
mod pdb;
mod pod;
mod pvc;
mod replicaset;
mod service;
mod statefulset;
mod workflow;
mod workload_pods;

pub use dispatch::assess;
pub use ferry_types::HealthStatusCode;
pub use health::{Health, aggregate};
pub use workload_pods::{pods_explain, with_pods};
