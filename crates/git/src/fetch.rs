//! Fetching from the remote into a cached bare repository: every branch and tag (so later
//! fetches negotiate and transfer only new objects), `HEAD`, and on request a single ref or
//! commit by id.

use std::sync::atomic::AtomicBool;

use gix::ObjectId;
use gix::remote::Direction;
use gix::remote::fetch::{Status, Tags};

use crate::credentials::authenticate;
use crate::error::describe;
use crate::resolve::RemoteRefs;
use crate::url::RepoUrl;
use crate::{Credentials, Error, Result};

/// The refspecs of every fetch: branches and tags mirrored under their own names, and `HEAD`
/// fetched without being stored (its target is read from the advertisement).
const MIRROR_REFSPECS: [&str; 3] = [
    "+refs/heads/*:refs/heads/*",
    "+refs/tags/*:refs/tags/*",
    "HEAD",
];

/// What to fetch and which revision to resolve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchRequest {
    /// The repository URL (`https://`, `http://`, `ssh://`, `user@host:path`, `git://`,
    /// `file://`) or a local path.
    pub url: String,
    /// A branch, tag, full ref name, full or abbreviated commit SHA, or `HEAD`; empty means `HEAD`.
    pub revision: String,
    /// How to authenticate.
    pub credentials: Credentials,
}

impl FetchRequest {
    /// A request for `revision` of `url`, without credentials.
    pub fn new(url: impl Into<String>, revision: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            revision: revision.into(),
            credentials: Credentials::None,
        }
    }

    /// The same request with `credentials`.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }
}

/// What one fetch brought.
#[derive(Debug, Default)]
pub(crate) struct Received {
    /// The refs the server advertised.
    pub(crate) refs: RemoteRefs,
    /// Objects in the received pack; 0 when nothing was new.
    pub(crate) objects: u64,
    /// Size of the received pack in bytes.
    pub(crate) bytes: u64,
}

/// A connection's worth of context: the cached repository, where it fetches from and as whom.
pub(crate) struct Remote<'a> {
    pub(crate) repo: &'a gix::Repository,
    pub(crate) url: &'a RepoUrl,
    pub(crate) credentials: &'a Credentials,
}

impl Remote<'_> {
    /// Fetches all branches, all tags and `HEAD`, plus `extra_ref` under its own name.
    pub(crate) fn fetch_refs(&self, extra_ref: Option<&str>) -> Result<Received> {
        let mut specs: Vec<String> = MIRROR_REFSPECS
            .iter()
            .map(|spec| spec.to_string())
            .collect();
        specs.extend(extra_ref.map(|name| format!("+{name}:{name}")));
        self.fetch(&specs, true)
    }

    /// Fetches one commit by id, for commits no advertised ref points at. Servers may refuse
    /// (`uploadpack.allowReachableSHA1InWant`); that is reported as a fetch error.
    pub(crate) fn fetch_commit(&self, id: ObjectId) -> Result<Received> {
        self.fetch(&[id.to_string()], false)
    }

    fn fetch(&self, specs: &[String], require_refs: bool) -> Result<Received> {
        let failed = |error: gix::Error| self.error(error);
        let remote = self
            .repo
            .remote_at_without_url_rewrite(self.url.transport.clone())
            .and_then(|remote| {
                remote.with_refspecs(specs.iter().map(String::as_str), Direction::Fetch)
            })
            .map_err(failed)?
            .with_fetch_tags(Tags::None);
        let account = self
            .credentials
            .account()
            .or_else(|| self.url.embedded.as_ref().and_then(Credentials::account));
        let prepare = remote
            .connect(Direction::Fetch)
            .map_err(failed)?
            .with_credentials(authenticate(account))
            .prepare_fetch(gix::progress::Discard, Default::default())
            .map_err(failed)?;
        let refs = RemoteRefs::from_advertised(&prepare.ref_map().remote_refs);
        if require_refs && refs.0.is_empty() {
            return Err(Error::EmptyRepository {
                url: self.url.display.clone(),
            });
        }
        let outcome = prepare
            .with_write_packed_refs_only(true)
            .receive(gix::progress::Discard, &AtomicBool::new(false))
            .map_err(failed)?;
        let mut received = Received {
            refs,
            ..Received::default()
        };
        if let Status::Change {
            write_pack_bundle, ..
        } = outcome.status
        {
            received.objects = u64::from(write_pack_bundle.index.num_objects);
            if let Some(pack) = &write_pack_bundle.data_path {
                received.bytes = std::fs::metadata(pack).map(|meta| meta.len()).unwrap_or(0);
            }
            if let Some(keep) = &write_pack_bundle.keep_path {
                // Only left behind when no ref was updated; nothing garbage-collects this cache.
                std::fs::remove_file(keep).ok();
            }
        }
        Ok(received)
    }

    fn error(&self, error: gix::Error) -> Error {
        let url = self.url.display.clone();
        let reason = describe(&error);
        if error.is_unauthenticated() || error.is_permission_denied() {
            Error::Authentication { url, reason }
        } else {
            Error::Fetch { url, reason }
        }
    }
}
