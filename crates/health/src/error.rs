//! The one error type of this crate: why a supported kind could not be read.
//!
//! These errors never leave the crate as errors: [`crate::assess`] turns them into an
//! `Unknown` health whose message is the error's text.

/// A live object of a supported kind that its check cannot read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The kind is supported, but not in this API version.
    #[error("no health check for {kind} in {api_version}")]
    UnsupportedVersion {
        /// The object's `apiVersion`.
        api_version: String,
        /// The object's `kind`.
        kind: String,
    },
    /// A field holds a value of the wrong type.
    #[error("field {path} should be {expected}")]
    FieldType {
        /// Dotted path of the field, from the object's root.
        path: String,
        /// What the field should hold, as a phrase (`an integer`).
        expected: &'static str,
    },
    /// An annotation that should hold JSON does not.
    #[error("annotation {annotation} is not valid: {source}")]
    Annotation {
        /// The annotation's key.
        annotation: &'static str,
        /// What the JSON parser reported.
        #[source]
        source: serde_json::Error,
    },
}

/// The result of reading an object.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
