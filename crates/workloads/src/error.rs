//! The crate's one error type: what can go wrong when a controller writes to the cluster or a
//! fault annotation is read.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The object changed since it was read (409 Conflict); the controller tries again.
    #[error("{resource} \"{name}\" changed since it was read")]
    Conflict {
        /// Plural resource name.
        resource: String,
        /// Object name.
        name: String,
    },
    /// The object to create exists already (409 AlreadyExists).
    #[error("{resource} \"{name}\" already exists")]
    AlreadyExists {
        /// Plural resource name.
        resource: String,
        /// Object name.
        name: String,
    },
    /// The object is gone (404).
    #[error("{resource} \"{name}\" not found")]
    NotFound {
        /// Plural resource name.
        resource: String,
        /// Object name.
        name: String,
    },
    /// The server refused the write for another reason.
    #[error("the server refused {method} {path}: {code} {message}")]
    Refused {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// HTTP status code.
        code: u16,
        /// The Status message.
        message: String,
    },
    /// The in-process request could not be sent or its answer read.
    #[error("in-process request {method} {path} failed: {detail}")]
    Transport {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// What failed.
        detail: String,
    },
    /// A `cluster.ferry.dev/fault` annotation could not be read.
    #[error(
        "unknown fault \"{0}\" (expected crashloop, image-pull, never-ready, oom, slow-start=<duration> or fail-after=<duration>)"
    )]
    UnknownFault(String),
    /// A CronJob schedule could not be read.
    #[error("invalid schedule \"{0}\" (expected five cron fields or a macro such as @hourly)")]
    InvalidSchedule(String),
    /// A duration in a fault annotation could not be read.
    #[error("invalid duration \"{0}\" (expected a number followed by ms, s, m or h)")]
    InvalidDuration(String),
}

/// A result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
