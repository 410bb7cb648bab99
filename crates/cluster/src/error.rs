//! The crate's one error type: data directory, storage, TLS and serving failures, and the store's
//! optimistic-concurrency outcomes that the HTTP layer turns into Status bodies.

use std::path::PathBuf;

/// Everything that can go wrong in `ferry-cluster`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`reading`, `writing`, `creating`).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The data directory holds files that ferry did not write.
    #[error(
        "data directory {path} is not empty and has no ferry-cluster.json: it was not created by ferry cluster; refusing to use it (choose an empty or new directory)"
    )]
    ForeignDataDir {
        /// The directory.
        path: PathBuf,
    },
    /// The data directory was written by an incompatible ferry, or its marker is damaged.
    #[error("data directory {path} is not usable: {detail}")]
    UnsupportedDataDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The object store is damaged.
    #[error(
        "object store {path} is corrupt: {detail}; refusing to start (restore a backup or move the directory away)"
    )]
    CorruptStore {
        /// The store file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
    /// The embedded database failed.
    #[error("storage failed while {operation}: {detail}")]
    Storage {
        /// The operation (`committing`, `opening a table`, ...).
        operation: &'static str,
        /// The database's message.
        detail: String,
    },
    /// The object does not exist.
    #[error("object not found")]
    NotFound,
    /// An object with this key already exists.
    #[error("object already exists")]
    AlreadyExists,
    /// The object changed since the resourceVersion the caller expected.
    #[error("object was modified: resourceVersion is now {current}")]
    Conflict {
        /// The stored resourceVersion.
        current: u64,
    },
    /// The watch asked for a resourceVersion older than the event log holds.
    #[error("too old resource version: {requested} ({oldest})")]
    Expired {
        /// The resourceVersion asked for.
        requested: u64,
        /// The oldest resourceVersion a watch can still start from.
        oldest: u64,
    },
    /// A certificate or key could not be made or read.
    #[error("tls: {0}")]
    Tls(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: std::net::SocketAddr,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A fault asked of the admin endpoint is not valid.
    #[error("invalid fault: {0}")]
    InvalidFault(String),
    /// The server task ended unexpectedly.
    #[error("server task failed: {0}")]
    Server(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn storage(operation: &'static str, detail: impl std::fmt::Display) -> Self {
        Error::Storage {
            operation,
            detail: detail.to_string(),
        }
    }
}
