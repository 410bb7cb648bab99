//! Resolving branches, tags, SHAs and `HEAD`.

use ferry_git::{Error, FetchRequest};

use crate::support::{GitDaemon, Repo, require_git};
use crate::{fetch, file, new_cache};

/// A repository with two commits on `main`, a `dev` branch, a lightweight tag `v1` on the
/// first commit and an annotated tag `v2` on the second.
fn history() -> (Repo, String, String, String) {
    let repo = Repo::new();
    repo.write("app.yaml", "version: 1\n");
    let first = repo.commit("first");
    repo.git(&["tag", "v1"]);
    repo.write("app.yaml", "version: 2\n");
    let second = repo.commit("second");
    repo.git(&["tag", "-a", "v2", "-m", "release 2"]);
    repo.git(&["checkout", "-q", "-b", "dev"]);
    repo.write("app.yaml", "version: dev\n");
    let dev = repo.commit("dev work");
    repo.git(&["checkout", "-q", "main"]);
    (repo, first, second, dev)
}

#[test]
fn a_branch_resolves_to_its_tip_commit() {
    require_git!();
    let (repo, _, second, dev) = history();
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &repo.url(), "main").commit, second);
    let checkout = fetch(&cache, &repo.url(), "dev");
    assert_eq!(checkout.commit, dev);
    assert_eq!(file(&checkout, "app.yaml"), "version: dev\n");
    assert_eq!(fetch(&cache, &repo.url(), "refs/heads/dev").commit, dev);
}

#[test]
fn a_lightweight_tag_resolves_to_its_commit() {
    require_git!();
    let (repo, first, _, _) = history();
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &repo.url(), "v1");
    assert_eq!(checkout.commit, first);
    assert_eq!(file(&checkout, "app.yaml"), "version: 1\n");
}

#[test]
fn an_annotated_tag_resolves_to_the_commit_it_tags() {
    require_git!();
    let (repo, _, second, _) = history();
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &repo.url(), "v2").commit, second);
    assert_eq!(fetch(&cache, &repo.url(), "refs/tags/v2").commit, second);
}

#[test]
fn a_full_sha_resolves_to_that_commit() {
    require_git!();
    let (repo, first, _, _) = history();
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &repo.url(), &first);
    assert_eq!(checkout.commit, first);
    assert_eq!(file(&checkout, "app.yaml"), "version: 1\n");
}

#[test]
fn a_short_sha_resolves_to_the_unique_commit_it_abbreviates() {
    require_git!();
    let (repo, first, _, dev) = history();
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &repo.url(), &first[..7]).commit, first);
    assert_eq!(
        fetch(&cache, &repo.url(), &dev[..10].to_uppercase()).commit,
        dev
    );
}

#[test]
fn head_and_an_empty_revision_resolve_to_the_default_branch() {
    require_git!();
    let (repo, _, second, _) = history();
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &repo.url(), "HEAD").commit, second);
    assert_eq!(fetch(&cache, &repo.url(), "").commit, second);
}

#[test]
fn an_unknown_revision_fails_naming_it_and_the_known_branches() {
    require_git!();
    let (repo, _, _, _) = history();
    let (_dir, cache) = new_cache();
    let error = cache
        .fetch(&FetchRequest::new(repo.url(), "release-9"))
        .unwrap_err();
    assert!(matches!(error, Error::RevisionNotFound { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            r#"revision "release-9" not found in {} (branches: dev, main; tags: v1, v2)"#,
            repo.url()
        )
    );
    let unknown_sha = "0123456789abcdef0123456789abcdef01234567";
    let error = cache
        .fetch(&FetchRequest::new(repo.url(), unknown_sha))
        .unwrap_err();
    assert!(matches!(error, Error::RevisionNotFound { .. }), "{error:?}");
}

#[test]
fn a_cached_full_sha_is_served_without_contacting_the_server() {
    require_git!();
    let (repo, first, _, _) = history();
    let (_dir, cache) = new_cache();
    let daemon = GitDaemon::start(repo.base());
    let url = daemon.url(&repo.name());
    assert!(fetch(&cache, &url, "main").stats.contacted_remote);
    drop(daemon);
    let checkout = fetch(&cache, &url, &first);
    assert_eq!(checkout.commit, first);
    assert!(!checkout.stats.contacted_remote);
}

#[test]
fn a_commit_no_ref_points_at_is_fetched_by_its_id() {
    require_git!();
    let (repo, _, second, _) = history();
    repo.write("app.yaml", "version: orphan\n");
    let orphan = repo.commit("soon unreachable");
    repo.git(&["reset", "-q", "--hard", &second]);
    let (_dir, cache) = new_cache();
    let daemon = GitDaemon::start(repo.base());
    let checkout = fetch(&cache, &daemon.url(&repo.name()), &orphan);
    assert_eq!(checkout.commit, orphan);
    assert_eq!(file(&checkout, "app.yaml"), "version: orphan\n");
}

#[test]
fn a_ref_outside_branches_and_tags_is_fetched_by_its_full_name() {
    require_git!();
    let (repo, _, _, dev) = history();
    repo.git(&["update-ref", "refs/pull/7/head", &dev]);
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &repo.url(), "refs/pull/7/head").commit, dev);
}
