//! Fetches Git repositories into a local cache and reads a revision's tree without a worktree.
//!
//! [`RepoCache::fetch`] clones a repository into a cache of bare repositories on first use and
//! fetches only new objects afterwards, resolves a `targetRevision` (branch, tag, full or short
//! commit SHA, `HEAD`) and reads the whole tree of that commit straight from the object database
//! into a [`ferry_types::MemoryTree`]. Transports: local paths and `file://`, `git://`,
//! `http(s)://` (smart protocol) and `ssh://`. The API is blocking; call it from
//! `spawn_blocking` in async code.
#![warn(missing_docs)]

mod cache;
mod checkout;
mod credentials;
mod error;
mod fetch;
mod resolve;
mod tree;
mod url;

pub use cache::RepoCache;
pub use checkout::{Checkout, FetchStats};
pub use credentials::Credentials;
pub use error::{Error, Result};
pub use fetch::FetchRequest;
pub use url::redact_url;
