//! Failures: unreachable servers, empty or missing repositories, and secrets kept out of
//! messages.

use std::time::{Duration, Instant};

use ferry_git::{Credentials, Error, FetchRequest};

use crate::new_cache;
use crate::support::{Repo, free_port, require_git};

/// Fetches from a port nobody listens on and checks the error comes fast.
fn assert_unreachable_fails_quickly(url: String) {
    let (_dir, cache) = new_cache();
    let started = Instant::now();
    let error = cache.fetch(&FetchRequest::new(&url, "main")).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(error, Error::Fetch { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("could not fetch {url}: ")),
        "{error}"
    );
}

#[test]
fn an_unreachable_git_daemon_fails_quickly() {
    assert_unreachable_fails_quickly(format!("git://127.0.0.1:{}/repo", free_port()));
}

#[test]
fn an_unreachable_http_server_fails_quickly() {
    assert_unreachable_fails_quickly(format!("http://127.0.0.1:{}/repo", free_port()));
}

#[test]
fn errors_never_show_the_password_of_the_url() {
    let (_dir, cache) = new_cache();
    let port = free_port();
    let url = format!("https://deploy:hunter2@127.0.0.1:{port}/repo.git");
    let request =
        FetchRequest::new(url, "main").with_credentials(Credentials::Token("tok-456".into()));
    let error = cache.fetch(&request).unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("tok-456"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("https://deploy:***@127.0.0.1:{port}/repo.git")),
        "{shown}"
    );
}

#[test]
fn an_empty_repository_fails_as_empty() {
    require_git!();
    let repo = Repo::new();
    let (_dir, cache) = new_cache();
    let error = cache.fetch(&FetchRequest::new(repo.url(), "")).unwrap_err();
    assert!(matches!(error, Error::EmptyRepository { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("repository {} is empty", repo.url())
    );
}

#[test]
fn a_missing_local_repository_fails_naming_the_path() {
    require_git!();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let (_cache_dir, cache) = new_cache();
    let error = cache
        .fetch(&FetchRequest::new(missing.to_string_lossy(), "main"))
        .unwrap_err();
    assert!(matches!(error, Error::Fetch { .. }), "{error:?}");
    assert!(error.to_string().contains("nothing-here"), "{error}");
}
