//! The one error type of this crate.

/// Errors raised while reading or checking ferry's own types.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A document is not an Application of a known API group.
    #[error("{origin}: not an Application: {reason}")]
    NotAnApplication {
        /// Where the document came from.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A field holds a value of the wrong type or shape.
    #[error("{origin}: invalid Application {name:?}: {reason}")]
    InvalidApplication {
        /// Where the document came from.
        origin: String,
        /// `metadata.name`, when known.
        name: String,
        /// What serde reported, naming the field.
        reason: String,
    },
    /// A path is absolute or leaves the root of its tree.
    #[error("path {path:?} leaves the repository root")]
    PathEscapes {
        /// The path as written.
        path: String,
    },
    /// A path does not exist in the tree.
    #[error("path {path:?} not found in {tree}")]
    NotFound {
        /// The path looked for.
        path: String,
        /// The tree it was looked for in.
        tree: String,
    },
    /// Too many symbolic links in a row, or a link cycle.
    #[error("path {path:?}: too many levels of symbolic links")]
    SymlinkLoop {
        /// The path being resolved.
        path: String,
    },
    /// Reading from the underlying storage failed.
    #[error("reading {path:?}: {message}")]
    Read {
        /// The path being read.
        path: String,
        /// The underlying error, as text.
        message: String,
    },
    /// A Go-style duration such as `5s` or `3m` could not be read.
    #[error(
        "invalid duration {0:?}: expected a number with a unit (ns, us, ms, s, m, h), like \"5s\" or \"1m30s\""
    )]
    Duration(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
