//! The one error type of this crate.

/// A manifest carries sync annotations ferry cannot read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An annotation value is not one ferry knows.
    #[error("{object}: annotation {annotation}: {message}")]
    Annotation {
        /// The object, as `Kind/name`.
        object: String,
        /// The annotation key.
        annotation: String,
        /// What is wrong.
        message: String,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
