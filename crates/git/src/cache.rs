//! The cache of bare repositories, one directory per normalised URL, and the operation on
//! it: fetch a revision (clone on first use, incremental afterwards) and read its tree.
//!
//! Each repository has a lock file next to its directory; a fetch holds it (an OS file lock,
//! so it also excludes other threads and processes) from opening the repository until the
//! tree is read.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::checkout::read_checkout;
use crate::credentials::ssh_command;
use crate::error::describe;
use crate::resolve::resolve_commit;
use crate::url::RepoUrl;
use crate::{Checkout, Credentials, Error, FetchRequest, FetchStats, Result};

/// Every fetch that brings new objects adds a pack; past this many the repository is
/// re-cloned, since gitoxide cannot repack and lookups slow down with the pack count.
const MAX_PACKS: usize = 50;

/// How many hex digits of the URL's hash name its cache directory.
const KEY_HASH_LEN: usize = 20;

/// A directory of bare repositories, one per normalised repository URL.
#[derive(Debug, Clone)]
pub struct RepoCache {
    root: PathBuf,
    ssh_program: PathBuf,
}

impl RepoCache {
    /// A cache rooted at `root`, created on first fetch.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            ssh_program: PathBuf::from("ssh"),
        }
    }

    /// The same cache running `program` instead of `ssh` from `PATH` for `ssh://` URLs.
    pub fn with_ssh_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.ssh_program = program.into();
        self
    }

    /// The root directory of the cache.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory caching the repository at `url`: `<name>-<hash of the normalised URL>`.
    pub fn path_for(&self, url: &str) -> Result<PathBuf> {
        Ok(self.dir_for(&RepoUrl::parse(url)?))
    }

    /// Fetches the repository (a clone into the cache on first use, an incremental fetch
    /// afterwards), resolves the revision and reads its commit and tree. A full commit SHA
    /// that is already cached is served without contacting the server.
    pub fn fetch(&self, request: &FetchRequest) -> Result<Checkout> {
        let started = Instant::now();
        let url = RepoUrl::parse(&request.url)?;
        let dir = self.dir_for(&url);
        let _lock = lock(&url, &dir)?;
        let (repo, cloned) = self.open(&url, &dir, &request.credentials)?;
        let mut stats = FetchStats {
            cloned,
            ..FetchStats::default()
        };
        let commit = resolve_commit(&repo, &url, request, &mut stats)?;
        stats.fetch_time = started.elapsed();
        read_checkout(&repo, &url.display, commit, stats)
    }

    fn dir_for(&self, url: &RepoUrl) -> PathBuf {
        let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
        hasher.update(url.key.as_bytes());
        let hash = hasher
            .try_finalize()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let short = hash.get(..KEY_HASH_LEN).unwrap_or(&hash);
        self.root.join(format!("{}-{short}", url.slug()))
    }

    /// Opens the cached repository, initialising it when missing, unreadable or holding too
    /// many packs. Returns whether it starts empty.
    fn open(
        &self,
        url: &RepoUrl,
        dir: &Path,
        credentials: &Credentials,
    ) -> Result<(gix::Repository, bool)> {
        let cache_error = |reason: String| Error::Cache {
            url: url.display.clone(),
            path: dir.to_path_buf(),
            reason,
        };
        let options = gix::open::Options::isolated().config_overrides([
            format!(
                "core.sshCommand={}",
                ssh_command(&self.ssh_program, credentials)
            ),
            "ssh.variant=ssh".to_string(),
            format!("gitoxide.userAgent=ferry/{}", env!("CARGO_PKG_VERSION")),
        ]);
        let usable = dir.join("HEAD").is_file() && pack_count(dir) <= MAX_PACKS;
        let existing = usable
            .then(|| gix::open_opts(dir, options.clone()).ok())
            .flatten();
        let (mut repo, fresh) = match existing {
            Some(repo) => (repo, false),
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(|error| cache_error(error.to_string()))?;
                }
                gix::init_bare(dir).map_err(|error| cache_error(describe(&error)))?;
                let repo =
                    gix::open_opts(dir, options).map_err(|error| cache_error(describe(&error)))?;
                (repo, true)
            }
        };
        repo.committer_or_set_generic_fallback()
            .map_err(|error| cache_error(describe(&error)))?;
        Ok((repo, fresh))
    }
}

/// Takes the exclusive lock of the repository cached in `dir`, waiting for other fetches.
fn lock(url: &RepoUrl, dir: &Path) -> Result<File> {
    let path = dir.with_extension("lock");
    let cache_error = |error: std::io::Error| Error::Cache {
        url: url.display.clone(),
        path: path.clone(),
        reason: error.to_string(),
    };
    if let Some(root) = dir.parent() {
        std::fs::create_dir_all(root).map_err(cache_error)?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(cache_error)?;
    file.lock().map_err(cache_error)?;
    Ok(file)
}

fn pack_count(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir.join("objects").join("pack")) else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "pack"))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RepoCache>();
        assert_send_sync::<Checkout>();
    }

    #[test]
    fn a_cache_directory_is_named_after_the_repository_and_its_url_hash() {
        let cache = RepoCache::new("/cache");
        let path = cache
            .path_for("https://example.com/org/guestbook.git")
            .unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("guestbook-"), "{name}");
        assert_eq!(name.len(), "guestbook-".len() + KEY_HASH_LEN);
        assert_eq!(path.parent().unwrap(), Path::new("/cache"));
    }
}
