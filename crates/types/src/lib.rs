//! ferry's data model, shared by every other crate: the `Application` resource, rendered
//! objects with their origin, object identity, and the read-only source tree that renderers
//! walk. Pure types: serde and nothing that does IO.

mod application;
mod duration;
mod error;
mod hash;
mod health;
mod object;
mod status;
pub mod time;
mod tree;

pub use application::*;
pub use duration::{parse_go_duration, parse_window};
pub use error::{Error, Result};
pub use hash::stable_hash;
pub use health::HealthStatusCode;
pub use object::{Gvk, Manifest, ObjectKey, Origin};
pub use status::*;
pub use tree::{Entry, MemoryTree, RepoPath, SourceTree, resolve};
