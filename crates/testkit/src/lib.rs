//! What ferry's tests share, so each crate's tests say only what they test: the real tools
//! (`git`, `kubectl`) with CI's rule that a missing tool is a failure, never a silent skip,
//! and, with the `cluster` feature, a local cluster over HTTPS with its simulated workloads.
//! A dev-dependency only; nothing here ships in the binary.

#![deny(missing_docs)]

#[cfg(feature = "cluster")]
mod cluster;
mod git;
mod kubectl;
mod objects;
mod tools;

#[cfg(feature = "cluster")]
pub use cluster::{LocalCluster, TIME_FACTOR};
pub use git::{commit_all, git, init_repo};
pub use kubectl::{Kubectl, Run};
pub use objects::{config_map, deployment, health_status, history, sync_status};
pub use tools::available;
