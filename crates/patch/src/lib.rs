//! Strategic merge patch and JSON 6902 patch over JSON values, with the built-in kinds' merge keys.
//!
//! [`strategic_merge`] applies a Kubernetes strategic merge patch as kubectl 1.32 does,
//! directives included (`$patch`, `$retainKeys`, `$setElementOrder/…`,
//! `$deleteFromPrimitiveList/…`); [`strategic_merge_with`] can follow kustomize where the two
//! differ. [`json6902`] applies RFC 6902 operations. [`list_strategy`] exposes the merge-key
//! table of the built-in kinds. See `NOTES.md` for the known differences from kubectl and
//! kustomize.

#![deny(missing_docs)]

mod directives;
mod error;
mod json6902;
mod keys;
mod list;
mod order;
mod strategic;

pub use error::{Error, Result};
pub use json6902::json6902;
pub use keys::{ListStrategy, list_strategy};
pub use strategic::{Flavor, strategic_merge, strategic_merge_with};
