//! The controller's one error type.

/// What can go wrong in the controller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The engine failed (connect, discovery, diff, requests).
    #[error(transparent)]
    Engine(#[from] ferry_engine::Error),
    /// A Kubernetes request made by the controller itself failed.
    #[error("{action}: {source}")]
    Kube {
        /// What the controller was doing.
        action: String,
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// Fetching the source from Git failed.
    #[error(transparent)]
    Git(#[from] ferry_git::Error),
    /// Rendering the source failed.
    #[error(transparent)]
    Render(#[from] ferry_manifest::Error),
    /// The Application cannot be used as written.
    #[error("application {name}: {message}")]
    Application {
        /// The app.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The app's project forbids it (an `InvalidSpecError` condition; nothing is applied).
    #[error("{0}")]
    InvalidSpec(String),
    /// Something took longer than its deadline and was abandoned.
    #[error("{action}: no answer after {after:?}; abandoned")]
    Timeout {
        /// What was under way.
        action: String,
        /// The deadline.
        after: std::time::Duration,
    },
    /// The CRD did not become established in time.
    #[error("CRD {name} not established after {seconds} s")]
    NotEstablished {
        /// The CRD.
        name: String,
        /// How long we waited.
        seconds: u64,
    },
}

/// Results with the controller's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
