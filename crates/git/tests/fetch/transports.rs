//! Every transport: plain paths, `file://`, `git://`, smart HTTP with and without
//! credentials, and `ssh://` through the configured ssh program.

use ferry_git::{Credentials, Error, FetchRequest, RepoCache};

use crate::support::{Auth, FakeSsh, GitDaemon, HttpServer, Repo, require_git};
use crate::{fetch, file, new_cache};

fn one_commit() -> (Repo, String) {
    let repo = Repo::new();
    repo.write("app/cm.yaml", "kind: ConfigMap\n");
    let sha = repo.commit("one");
    (repo, sha)
}

fn basic(username: &str, password: &str) -> Credentials {
    Credentials::Basic {
        username: username.into(),
        password: password.into(),
    }
}

#[test]
fn plain_paths_and_file_urls_are_fetched() {
    require_git!();
    let (repo, sha) = one_commit();
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &repo.url(), "main").commit, sha);
    let checkout = fetch(&cache, &format!("file://{}", repo.url()), "main");
    assert_eq!(checkout.commit, sha);
    assert_eq!(file(&checkout, "app/cm.yaml"), "kind: ConfigMap\n");
}

#[test]
fn git_daemon_urls_are_fetched() {
    require_git!();
    let (repo, sha) = one_commit();
    let daemon = GitDaemon::start(repo.base());
    let (_dir, cache) = new_cache();
    assert_eq!(fetch(&cache, &daemon.url(&repo.name()), "main").commit, sha);
}

#[test]
fn smart_http_urls_are_fetched() {
    require_git!();
    let (repo, sha) = one_commit();
    let server = HttpServer::start(repo.base(), Auth::Anyone);
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &server.url(&repo.name()), "main");
    assert_eq!(checkout.commit, sha);
    assert_eq!(file(&checkout, "app/cm.yaml"), "kind: ConfigMap\n");
    repo.write("app/cm.yaml", "kind: ConfigMap\ndata: {}\n");
    let next = repo.commit("two");
    let warm = fetch(&cache, &server.url(&repo.name()), "main");
    assert_eq!(warm.commit, next);
    assert!(
        (4..=5).contains(&warm.stats.received_objects),
        "{:?}",
        warm.stats
    );
}

#[test]
fn http_basic_credentials_are_accepted() {
    require_git!();
    let (repo, sha) = one_commit();
    let auth = Auth::Basic {
        username: Some("deploy".into()),
        password: "s3cret".into(),
    };
    let server = HttpServer::start(repo.base(), auth);
    let (_dir, cache) = new_cache();
    let request = FetchRequest::new(server.url(&repo.name()), "main")
        .with_credentials(basic("deploy", "s3cret"));
    assert_eq!(cache.fetch(&request).unwrap().commit, sha);
}

#[test]
fn http_without_credentials_fails_as_unauthenticated() {
    require_git!();
    let (repo, _) = one_commit();
    let auth = Auth::Basic {
        username: Some("deploy".into()),
        password: "s3cret".into(),
    };
    let server = HttpServer::start(repo.base(), auth);
    let (_dir, cache) = new_cache();
    let error = cache
        .fetch(&FetchRequest::new(server.url(&repo.name()), "main"))
        .unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert!(error.to_string().starts_with(&format!(
        "authentication failed for {}",
        server.url(&repo.name())
    )));
}

#[test]
fn http_with_wrong_credentials_fails_as_unauthenticated() {
    require_git!();
    let (repo, _) = one_commit();
    let auth = Auth::Basic {
        username: Some("deploy".into()),
        password: "s3cret".into(),
    };
    let server = HttpServer::start(repo.base(), auth);
    let (_dir, cache) = new_cache();
    let request = FetchRequest::new(server.url(&repo.name()), "main")
        .with_credentials(basic("deploy", "wrong"));
    let error = cache.fetch(&request).unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert!(!error.to_string().contains("wrong"), "{error}");
}

#[test]
fn an_http_token_is_sent_as_the_basic_auth_password() {
    require_git!();
    let (repo, sha) = one_commit();
    let server = HttpServer::start(
        repo.base(),
        Auth::Basic {
            username: None,
            password: "tok-123".into(),
        },
    );
    let (_dir, cache) = new_cache();
    let request = FetchRequest::new(server.url(&repo.name()), "main")
        .with_credentials(Credentials::Token("tok-123".into()));
    assert_eq!(cache.fetch(&request).unwrap().commit, sha);
}

#[test]
fn credentials_in_the_url_are_used_and_never_shown() {
    require_git!();
    let (repo, sha) = one_commit();
    let auth = Auth::Basic {
        username: Some("deploy".into()),
        password: "s3cret".into(),
    };
    let server = HttpServer::start(repo.base(), auth);
    let (_dir, cache) = new_cache();
    let checkout = fetch(
        &cache,
        &server.url_with_userinfo("deploy:s3cret", &repo.name()),
        "main",
    );
    assert_eq!(checkout.commit, sha);
    assert_eq!(
        checkout.url,
        server.url_with_userinfo("deploy:***", &repo.name())
    );
    assert!(!ferry_types::SourceTree::describe(&checkout.tree).contains("s3cret"));
}

#[test]
fn ssh_urls_run_the_ssh_program_with_the_private_key() {
    require_git!();
    let (repo, sha) = one_commit();
    let ssh = FakeSsh::new();
    let key = ssh.dir.path().join("id ed25519");
    std::fs::write(&key, "not a real key").unwrap();
    let (_dir, cache) = new_cache();
    let cache: RepoCache = cache.with_ssh_program(ssh.program());
    let url = format!("ssh://git@localhost{}", repo.url());
    let request = FetchRequest::new(&url, "main").with_credentials(Credentials::SshKey {
        private_key: key.clone(),
    });
    let checkout = cache
        .fetch(&request)
        .unwrap_or_else(|error| panic!("{error}: {}", ssh.recorded_args()));
    assert_eq!(checkout.commit, sha);
    let args = ssh.recorded_args();
    assert!(args.contains(&format!("-i {}", key.display())), "{args}");
    assert!(args.contains("BatchMode=yes"), "{args}");
    assert!(args.contains("git@localhost"), "{args}");
}
