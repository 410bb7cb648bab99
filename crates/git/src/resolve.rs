//! Resolving a `targetRevision` to a commit: first against the refs the server advertised
//! (`HEAD`, then `refs/<rev>`, `refs/tags/<rev>`, `refs/heads/<rev>`, the order of
//! `git rev-parse`), then as a full or abbreviated commit SHA in the cached object database.

use std::collections::{BTreeMap, HashSet};

use gix::ObjectId;

use crate::error::{LISTED_NAMES, describe};
use crate::fetch::{Received, Remote};
use crate::url::RepoUrl;
use crate::{Error, FetchRequest, FetchStats, Result};

/// The refs a server advertised, by full name (`HEAD`, `refs/heads/main`), each with the
/// object it points at: a commit, or a tag object for annotated tags.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RemoteRefs(pub(crate) BTreeMap<String, ObjectId>);

impl RemoteRefs {
    /// Reduces a ref advertisement; unborn refs (an empty repository's `HEAD`) are left out.
    pub(crate) fn from_advertised(refs: &[gix::protocol::handshake::Ref]) -> Self {
        let refs = refs
            .iter()
            .filter_map(|reference| {
                let (name, target, _peeled) = reference.unpack();
                Some((name.to_string(), target?.to_owned()))
            })
            .collect();
        Self(refs)
    }

    /// The short names of refs under `prefix` (`refs/heads/`), at most [`LISTED_NAMES`].
    pub(crate) fn short_names(&self, prefix: &str) -> Vec<String> {
        self.0
            .keys()
            .filter_map(|name| name.strip_prefix(prefix))
            .filter(|name| !name.ends_with("^{}"))
            .take(LISTED_NAMES)
            .map(str::to_string)
            .collect()
    }

    /// The ref a revision names, with the object it points at, in `git rev-parse` order.
    pub(crate) fn find(&self, revision: &str) -> Option<(&str, ObjectId)> {
        candidate_names(revision)
            .into_iter()
            .find_map(|name| self.0.get_key_value(&name))
            .map(|(name, id)| (name.as_str(), *id))
    }
}

/// The full ref names a revision may stand for, most specific first.
fn candidate_names(revision: &str) -> Vec<String> {
    match revision {
        "" | "HEAD" => vec!["HEAD".to_string()],
        name if name.starts_with("refs/") => vec![name.to_string()],
        name => vec![
            format!("refs/{name}"),
            format!("refs/tags/{name}"),
            format!("refs/heads/{name}"),
        ],
    }
}

/// A ref outside `refs/heads/` and `refs/tags/` that must be fetched explicitly, such as
/// `refs/pull/1/head`.
fn extra_ref(revision: &str) -> Option<&str> {
    let is_other_ref = revision.starts_with("refs/")
        && !revision.starts_with("refs/heads/")
        && !revision.starts_with("refs/tags/");
    is_other_ref.then_some(revision)
}

/// The revision as a commit SHA: 4 to 40 hexadecimal digits.
fn as_hex(revision: &str) -> Option<&str> {
    let is_hex =
        (4..=40).contains(&revision.len()) && revision.bytes().all(|b| b.is_ascii_hexdigit());
    is_hex.then_some(revision)
}

/// A full 40-digit SHA, which names a commit forever and so may be served from the cache.
fn as_full_id(revision: &str) -> Option<ObjectId> {
    as_hex(revision)
        .filter(|hex| hex.len() == 40)
        .and_then(|hex| ObjectId::from_hex(hex.as_bytes()).ok())
}

/// Where a revision is looked for.
struct Lookup<'a> {
    repo: &'a gix::Repository,
    url: &'a str,
    revision: &'a str,
}

impl Lookup<'_> {
    /// Peels `id` (a commit, or a tag pointing at one) to its commit.
    fn peel_to_commit(&self, id: ObjectId) -> Result<ObjectId> {
        let object = self.repo.find_object(id).map_err(|error| Error::Read {
            url: self.url.to_string(),
            object: format!("object {id} for revision {:?}", self.revision),
            reason: describe(&error),
        })?;
        object
            .peel_to_commit()
            .map(|commit| commit.id)
            .map_err(|_| Error::NotACommit {
                url: self.url.to_string(),
                revision: self.revision.to_string(),
            })
    }

    /// The commit a full or abbreviated SHA names in the cache, `None` if no object matches.
    /// Objects that are not commits (trees, blobs) are ignored, as `git` does for a commit-ish.
    fn commit_by_hex(&self, hex: &str) -> Result<Option<ObjectId>> {
        let read_error = |reason: String| Error::Read {
            url: self.url.to_string(),
            object: format!("objects starting with {hex}"),
            reason,
        };
        let prefix =
            gix::hash::Prefix::from_hex(hex).map_err(|error| read_error(error.to_string()))?;
        let mut candidates = HashSet::new();
        self.repo
            .objects
            .lookup_prefix(prefix, Some(&mut candidates))
            .map_err(|error| read_error(describe(&error)))?;
        let commits: HashSet<ObjectId> = candidates
            .into_iter()
            .filter_map(|id| self.peel_to_commit(id).ok())
            .collect();
        match commits.len() {
            0 => Ok(None),
            1 => Ok(commits.into_iter().next()),
            _ => Err(Error::AmbiguousRevision {
                url: self.url.to_string(),
                revision: self.revision.to_string(),
            }),
        }
    }

    /// The error for a revision that matched nothing, listing what the server has.
    fn not_found(&self, refs: &RemoteRefs) -> Error {
        Error::RevisionNotFound {
            url: self.url.to_string(),
            revision: self.revision.to_string(),
            branches: refs.short_names("refs/heads/"),
            tags: refs.short_names("refs/tags/"),
        }
    }
}

/// Resolves the request's revision to a commit, fetching what is needed: nothing for a cached
/// full SHA, otherwise every branch and tag, and as a last resort a full SHA by id.
pub(crate) fn resolve_commit(
    repo: &gix::Repository,
    url: &RepoUrl,
    request: &FetchRequest,
    stats: &mut FetchStats,
) -> Result<ObjectId> {
    let revision = request.revision.trim();
    let lookup = Lookup {
        repo,
        url: &url.display,
        revision,
    };
    if let Some(id) = as_full_id(revision)
        && let Ok(commit) = lookup.peel_to_commit(id)
    {
        return Ok(commit);
    }
    let remote = Remote {
        repo,
        url,
        credentials: &request.credentials,
    };
    stats.contacted_remote = true;
    let received = remote.fetch_refs(extra_ref(revision))?;
    count(stats, &received);
    if let Some((_, id)) = received.refs.find(revision) {
        return lookup.peel_to_commit(id);
    }
    if let Some(hex) = as_hex(revision)
        && let Some(commit) = lookup.commit_by_hex(hex)?
    {
        return Ok(commit);
    }
    if let Some(id) = as_full_id(revision)
        && let Ok(more) = remote.fetch_commit(id)
    {
        count(stats, &more);
        if let Ok(commit) = lookup.peel_to_commit(id) {
            return Ok(commit);
        }
    }
    Err(lookup.not_found(&received.refs))
}

fn count(stats: &mut FetchStats, received: &Received) {
    stats.received_objects += received.objects;
    stats.received_bytes += received.bytes;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    fn refs() -> RemoteRefs {
        RemoteRefs(BTreeMap::from([
            ("HEAD".to_string(), id(1)),
            ("refs/heads/main".to_string(), id(1)),
            ("refs/heads/v1".to_string(), id(2)),
            ("refs/tags/v1".to_string(), id(3)),
            ("refs/tags/release".to_string(), id(4)),
        ]))
    }

    #[test]
    fn an_empty_revision_and_head_both_mean_the_remote_head() {
        assert_eq!(refs().find(""), Some(("HEAD", id(1))));
        assert_eq!(refs().find("HEAD"), Some(("HEAD", id(1))));
    }

    #[test]
    fn a_tag_wins_over_a_branch_of_the_same_name_as_in_git_rev_parse() {
        assert_eq!(refs().find("v1"), Some(("refs/tags/v1", id(3))));
        assert_eq!(refs().find("refs/heads/v1"), Some(("refs/heads/v1", id(2))));
        assert_eq!(refs().find("main"), Some(("refs/heads/main", id(1))));
        assert_eq!(refs().find("nope"), None);
    }

    #[test]
    fn only_four_to_forty_hex_digits_can_be_a_commit_sha() {
        assert_eq!(as_hex("abc"), None);
        assert_eq!(as_hex("abcd"), Some("abcd"));
        assert_eq!(as_hex("main"), None);
        assert!(as_full_id(&"a".repeat(40)).is_some());
        assert!(as_full_id(&"a".repeat(39)).is_none());
    }

    #[test]
    fn refs_outside_heads_and_tags_are_fetched_explicitly() {
        assert_eq!(extra_ref("refs/pull/7/head"), Some("refs/pull/7/head"));
        assert_eq!(extra_ref("refs/heads/main"), None);
        assert_eq!(extra_ref("main"), None);
    }

    #[test]
    fn known_names_are_listed_by_kind() {
        assert_eq!(refs().short_names("refs/heads/"), ["main", "v1"]);
        assert_eq!(refs().short_names("refs/tags/"), ["release", "v1"]);
    }
}
