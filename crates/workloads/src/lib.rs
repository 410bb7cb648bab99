//! Simulated controllers and kubelets that make workloads come alive on ferry's local cluster,
//! and fault injection by annotation.
//!
//! Every controller is a pure `reconcile(objects, context) -> Outcome`: the writes and Events it
//! wants, as data ([`Change`]), and when to look again. One executor ([`spawn_controllers`])
//! watches the cluster's store, gathers each controller's objects, runs the reconcile and applies
//! the changes through the cluster's own HTTP API in process ([`Client`]), so defaults,
//! validation, resourceVersions, generation and watch events are those of any other write.
//! Timings come from [`SimulationConfig`]; faults from the `cluster.ferry.dev/fault` annotation
//! ([`Faults`]).

#![deny(missing_docs)]

mod change;
mod client;
mod config;
pub mod controllers;
mod error;
mod executor;
mod fault;
pub mod kubelet;
mod object;
pub mod resources;
mod scheduling;

pub use change::{
    Change, Context, CountingNames, EventRecord, EventType, NameSource, Outcome, RandomNames,
};
pub use client::{Client, FIELD_MANAGER};
pub use config::SimulationConfig;
pub use error::{Error, Result};
pub use executor::{ControllersHandle, StatsSnapshot, spawn_controllers};
pub use fault::{FAULT_ANNOTATION, Faults, is_broken_image};
