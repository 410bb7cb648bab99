//! The one error type of this crate: a rule that cannot be used, or inputs that cannot be
//! compared. Errors never carry object values, so no Secret data can leak through them.

use ferry_types::ObjectKey;

/// Why a comparison or normalisation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An `ignoreDifferences` JSON pointer is not an RFC 6901 pointer.
    #[error("ignoreDifferences jsonPointer {pointer:?} is invalid: {reason}")]
    InvalidJsonPointer {
        /// The pointer as written.
        pointer: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An `ignoreDifferences` jq path expression does not compile.
    #[error("ignoreDifferences jqPathExpression {expression:?} is invalid: {reason}")]
    InvalidJqExpression {
        /// The expression as written.
        expression: String,
        /// What the jq parser or compiler reported.
        reason: String,
    },
    /// Neither a desired nor a live object was given.
    #[error("nothing to compare: no desired and no live object")]
    NothingToCompare,
    /// The object is desired and live, but the server's predicted object is missing.
    #[error("{object}: desired and live, but no predicted (dry-run) object to compare with")]
    MissingPrediction {
        /// The object.
        object: ObjectKey,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
