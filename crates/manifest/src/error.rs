//! The one error type of this crate, and the problems it lists.

use std::fmt;

/// One thing wrong with a source, located as `file:line: Kind/name: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// File, relative to the source root.
    pub file: String,
    /// One-based line; 0 when unknown.
    pub line: usize,
    /// `Kind/name` of the object, when the problem is about one.
    pub object: Option<String>,
    /// What is wrong, in lower case.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: ", self.file, self.line)?;
        } else if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        if let Some(object) = &self.object {
            write!(f, "{object}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Rendering or validating a source failed; nothing was produced.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source path does not exist or is not a directory.
    #[error("{path}: {reason}")]
    Source {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A path in the tree is unsafe or unreadable.
    #[error(transparent)]
    Tree(#[from] ferry_types::Error),
    /// The kustomization failed to build.
    #[error(transparent)]
    Kustomize(#[from] ferry_kustomize::Error),
    /// One or more files or objects are invalid; every one is listed.
    #[error("{}", list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
