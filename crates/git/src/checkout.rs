//! A resolved revision: the commit, its metadata and its whole tree, plus numbers about the
//! fetch that produced it.

use std::time::{Duration, Instant};

use ferry_types::MemoryTree;
use gix::ObjectId;

use crate::error::describe;
use crate::tree::read_tree;
use crate::{Error, Result};

/// How many hex digits of the commit name the tree (`<url>@<short sha>`).
const SHORT_SHA_LEN: usize = 7;

/// A commit read out of the cache.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The repository URL, credentials masked.
    pub url: String,
    /// The full hex SHA of the commit.
    pub commit: String,
    /// The commit message, without trailing newlines.
    pub message: String,
    /// The author, as `Name <email>`.
    pub author: String,
    /// The commit time (committer date) in Unix seconds.
    pub committed_at: i64,
    /// Every file and symbolic link of the commit; submodules are skipped.
    pub tree: MemoryTree,
    /// Numbers about the fetch, for logs and benchmarks.
    pub stats: FetchStats,
}

/// Numbers about one [`crate::RepoCache::fetch`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Whether the server was contacted; a full commit SHA already in the cache needs no fetch.
    pub contacted_remote: bool,
    /// Whether the repository was cloned from scratch into the cache.
    pub cloned: bool,
    /// Objects in the packs written to the cache (a thin pack's completed delta bases
    /// included); 0 when the cache was up to date.
    pub received_objects: u64,
    /// Bytes of those packs on disk, close to the bytes transferred.
    pub received_bytes: u64,
    /// Files and symbolic links in the tree.
    pub files: usize,
    /// Time spent waiting for the cache lock, fetching and resolving.
    pub fetch_time: Duration,
    /// Time spent reading the tree.
    pub read_time: Duration,
}

/// Reads commit `id` and its tree into a [`Checkout`], completing `stats` with the read time.
pub(crate) fn read_checkout(
    repo: &gix::Repository,
    url: &str,
    id: ObjectId,
    mut stats: FetchStats,
) -> Result<Checkout> {
    let started = Instant::now();
    let read_error = |object: String, error: gix::Error| Error::Read {
        url: url.to_string(),
        object,
        reason: describe(&error),
    };
    let commit = repo
        .find_commit(id)
        .map_err(|error| read_error(format!("commit {id}"), error))?;
    let decoded = commit
        .decode()
        .map_err(|error| read_error(format!("commit {id}"), error))?;
    let author = decoded
        .author()
        .map(|signature| {
            let signature = signature.trim();
            format!("{} <{}>", signature.name, signature.email)
        })
        .unwrap_or_default();
    let committed_at = decoded.time().map(|time| time.seconds).unwrap_or_default();
    let message = decoded.message.to_string().trim_end().to_string();
    let commit_hex = id.to_string();
    let name = format!("{url}@{}", &commit_hex[..SHORT_SHA_LEN]);
    let tree = read_tree(repo, decoded.tree(), name, url)?;
    stats.files = tree.len();
    stats.read_time = started.elapsed();
    Ok(Checkout {
        url: url.to_string(),
        commit: commit_hex,
        message,
        author,
        committed_at,
        tree,
        stats,
    })
}
