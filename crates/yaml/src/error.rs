//! The one error type of this crate.

/// A document could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not valid YAML or JSON.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file, relative to its source root.
        file: String,
        /// One-based line.
        line: u64,
        /// One-based column.
        column: u64,
        /// What the parser reported.
        message: String,
    },
    /// The file is not UTF-8.
    #[error("{file}: not valid UTF-8 text")]
    NotUtf8 {
        /// The file.
        file: String,
    },
    /// A file expected to hold exactly one document holds another number.
    #[error("{file}: expected one YAML document, found {found}")]
    DocumentCount {
        /// The file.
        file: String,
        /// How many documents it holds.
        found: usize,
    },
    /// A value could not be written as YAML.
    #[error("writing YAML: {0}")]
    Write(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
