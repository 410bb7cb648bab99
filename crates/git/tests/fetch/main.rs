//! Integration tests of ferry-git: real `git` repositories served over file paths, `git
//! daemon`, `git http-backend` and a fake `ssh`, fetched into a temporary cache.

mod cache;
mod errors;
mod revisions;
mod support;
mod transports;
mod tree;

use ferry_git::{Checkout, FetchRequest, RepoCache};
use tempfile::TempDir;

/// An empty cache in a temporary directory.
fn new_cache() -> (TempDir, RepoCache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path().join("cache"));
    (dir, cache)
}

/// Fetches `revision` of `url` into `cache`, panicking with the error.
fn fetch(cache: &RepoCache, url: &str, revision: &str) -> Checkout {
    cache
        .fetch(&FetchRequest::new(url, revision))
        .unwrap_or_else(|error| panic!("{error}"))
}

/// The text of a file of a checkout.
fn file(checkout: &Checkout, path: &str) -> String {
    use ferry_types::{RepoPath, SourceTree};
    let bytes = checkout
        .tree
        .read_file(&RepoPath::new(path).unwrap())
        .unwrap();
    String::from_utf8(bytes).unwrap()
}
