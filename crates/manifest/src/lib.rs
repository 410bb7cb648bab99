//! Turns a source tree into the exact, validated set of Kubernetes objects it declares.
//!
//! A directory holding a kustomization is built with ferry's native Kustomize; any other
//! directory is read as plain manifests (Argo CD's directory source). Either every object
//! renders and validates, or the result is an error listing every problem: nothing partial
//! is ever returned.

mod directory;
mod disk;
mod error;
mod limits;
mod render;
mod validate;

pub use directory::DirectoryOptions;
pub use disk::DiskTree;
pub use error::{Error, Problem, Result};
pub use limits::Limits;
pub use render::{Rendered, SourceType, render, render_application_source};
pub use validate::{ScopeTable, validate};
