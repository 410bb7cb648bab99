//! The one error type of this crate. Messages name the repository URL with its credentials
//! masked, never the secret itself.

use std::path::PathBuf;

/// Errors raised while fetching a repository or reading a revision out of it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository URL could not be understood.
    #[error("invalid repository url {url}: {reason}")]
    InvalidUrl {
        /// The URL as given, credentials masked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The cache directory or a repository inside it could not be created, locked or opened.
    #[error("cache for {url} at {path}: {reason}")]
    Cache {
        /// The repository URL, credentials masked.
        url: String,
        /// The directory or file involved.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The server asked for credentials and none were given, or it refused them.
    #[error("authentication failed for {url}: {reason}")]
    Authentication {
        /// The repository URL, credentials masked.
        url: String,
        /// What the transport reported.
        reason: String,
    },
    /// Talking to the server failed: unreachable, timed out, not a repository, protocol error.
    #[error("could not fetch {url}: {reason}")]
    Fetch {
        /// The repository URL, credentials masked.
        url: String,
        /// What the transport reported.
        reason: String,
    },
    /// The repository has no commits at all.
    #[error("repository {url} is empty")]
    EmptyRepository {
        /// The repository URL, credentials masked.
        url: String,
    },
    /// No branch, tag or commit of that name exists.
    #[error("revision {revision:?} not found in {url} ({})", describe_known(.branches, .tags))]
    RevisionNotFound {
        /// The repository URL, credentials masked.
        url: String,
        /// The revision asked for.
        revision: String,
        /// Some of the branches the server has, to help spot a typo.
        branches: Vec<String>,
        /// Some of the tags the server has.
        tags: Vec<String>,
    },
    /// A short commit SHA matches more than one object.
    #[error("revision {revision:?} is ambiguous in {url}: several objects start with it")]
    AmbiguousRevision {
        /// The repository URL, credentials masked.
        url: String,
        /// The revision asked for.
        revision: String,
    },
    /// The revision names an object that is not a commit and does not peel to one.
    #[error("revision {revision:?} in {url} does not point to a commit")]
    NotACommit {
        /// The repository URL, credentials masked.
        url: String,
        /// The revision asked for.
        revision: String,
    },
    /// An object of the cached repository could not be read or decoded.
    #[error("reading {object} of {url}: {reason}")]
    Read {
        /// The repository URL, credentials masked.
        url: String,
        /// The object or path being read.
        object: String,
        /// What went wrong.
        reason: String,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many known names a [`Error::RevisionNotFound`] message lists at most per kind.
pub(crate) const LISTED_NAMES: usize = 10;

fn describe_known(branches: &[String], tags: &[String]) -> String {
    let list = |names: &[String]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    format!("branches: {}; tags: {}", list(branches), list(tags))
}

/// Flattens a gitoxide error into one line: each distinct message of its chain, outermost first.
pub(crate) fn describe(error: &gix::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.iter_errors() {
        let text = cause.to_string();
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}
