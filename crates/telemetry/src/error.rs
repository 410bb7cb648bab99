//! The crate's one error type.

/// What can go wrong while measuring, reporting or notifying.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The notification ConfigMap could not be read.
    #[error("cannot read notification config map {namespace}/{name}: {source}")]
    ReadConfig {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// Why.
        #[source]
        source: kube::Error,
    },
    /// The notification targets are not valid.
    #[error("invalid notification targets in {key}: {reason}")]
    InvalidTargets {
        /// The ConfigMap key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A notification could not be delivered.
    #[error("delivery to {target} failed: {reason}")]
    Delivery {
        /// The target's name.
        target: String,
        /// Why (URL secrets masked).
        reason: String,
    },
    /// Applications could not be listed.
    #[error("cannot list Applications: {source}")]
    ListApplications {
        /// Why.
        #[source]
        source: kube::Error,
    },
    /// A duration argument is not valid.
    #[error("invalid duration {text:?}: {reason}")]
    InvalidDuration {
        /// The text given.
        text: String,
        /// Why.
        reason: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
