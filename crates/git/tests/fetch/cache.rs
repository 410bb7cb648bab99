//! The cache: incremental fetches, concurrency, damage and force pushes.

use std::sync::Arc;

use ferry_git::RepoCache;

use crate::support::{GitDaemon, Repo, require_git};
use crate::{fetch, file, new_cache};

#[test]
fn a_second_fetch_after_a_new_commit_transfers_only_the_new_objects() {
    require_git!();
    let repo = Repo::new();
    for index in 0..50 {
        repo.write(&format!("apps/cm-{index}.yaml"), config_map(index));
    }
    repo.commit("fifty files");
    let daemon = GitDaemon::start(repo.base());
    let url = daemon.url(&repo.name());
    let (_dir, cache) = new_cache();
    let cold = fetch(&cache, &url, "main");
    assert!(cold.stats.cloned);
    assert!(cold.stats.received_objects >= 52, "{:?}", cold.stats);

    repo.write("apps/cm-7.yaml", "kind: ConfigMap\nindex: changed\n");
    let next = repo.commit("change one file");
    let warm = fetch(&cache, &url, "main");
    assert_eq!(warm.commit, next);
    assert!(!warm.stats.cloned);
    // The new commit, the root tree, the `apps` tree and the changed blob, plus the delta
    // base gitoxide appends when completing a thin pack.
    assert!(
        (4..=5).contains(&warm.stats.received_objects),
        "{:?}",
        warm.stats
    );
    assert!(
        warm.stats.received_bytes < cold.stats.received_bytes / 10,
        "{:?} {:?}",
        warm.stats,
        cold.stats
    );
    assert_eq!(
        file(&warm, "apps/cm-7.yaml"),
        "kind: ConfigMap\nindex: changed\n"
    );
}

/// A ConfigMap with a kilobyte of data that neither compresses nor deltifies well.
fn config_map(index: u64) -> String {
    let mut state = index
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let data: String = (0..64)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            format!("{:016x}", state)
        })
        .collect();
    format!("kind: ConfigMap\nindex: {index}\ndata:\n  blob: {data}\n")
}

#[test]
fn a_fetch_with_nothing_new_transfers_nothing() {
    require_git!();
    let repo = Repo::new();
    repo.write("a.yaml", "a: 1\n");
    let sha = repo.commit("one");
    let (_dir, cache) = new_cache();
    fetch(&cache, &repo.url(), "main");
    let again = fetch(&cache, &repo.url(), "main");
    assert_eq!(again.commit, sha);
    assert!(again.stats.contacted_remote);
    assert_eq!(
        (again.stats.received_objects, again.stats.received_bytes),
        (0, 0)
    );
}

#[test]
fn concurrent_fetches_of_one_repository_all_succeed() {
    require_git!();
    let repo = Repo::new();
    for index in 0..20 {
        repo.write(&format!("f{index}.yaml"), format!("i: {index}\n"));
    }
    let sha = repo.commit("twenty files");
    let daemon = GitDaemon::start(repo.base());
    let url = daemon.url(&repo.name());
    let (dir, shared) = new_cache();
    let shared = Arc::new(shared);
    let threads: Vec<_> = (0..6)
        .map(|index| {
            // Half share one cache value, half open their own on the same root.
            let cache = if index % 2 == 0 {
                shared.clone()
            } else {
                Arc::new(RepoCache::new(dir.path().join("cache")))
            };
            let (url, revision) = (url.clone(), if index % 3 == 0 { "HEAD" } else { "main" });
            std::thread::spawn(move || cache.fetch(&ferry_git::FetchRequest::new(url, revision)))
        })
        .collect();
    for thread in threads {
        let checkout = thread
            .join()
            .unwrap()
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(checkout.commit, sha);
        assert_eq!(checkout.tree.len(), 20);
    }
    let clones = std::fs::read_dir(dir.path().join("cache"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().is_dir());
    assert_eq!(clones.count(), 1);
}

#[test]
fn spellings_of_one_url_share_one_cache_directory() {
    let (_dir, cache) = new_cache();
    let plain = cache.path_for("https://example.com/org/app").unwrap();
    assert_eq!(
        cache.path_for("https://EXAMPLE.com/org/app.git/").unwrap(),
        plain
    );
    assert_eq!(
        cache
            .path_for("https://user:secret@example.com/org/app")
            .unwrap(),
        plain
    );
    assert_ne!(
        cache.path_for("https://example.com/org/other").unwrap(),
        plain
    );
    assert!(
        plain
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("app-")
    );
}

#[test]
fn a_damaged_cache_directory_is_cloned_again() {
    require_git!();
    let repo = Repo::new();
    repo.write("a.yaml", "a: 1\n");
    let sha = repo.commit("one");
    let (_dir, cache) = new_cache();
    let dir = cache.path_for(&repo.url()).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("HEAD"), "garbage").unwrap();
    let checkout = fetch(&cache, &repo.url(), "main");
    assert_eq!(checkout.commit, sha);
    assert!(checkout.stats.cloned);
}

#[test]
fn a_force_pushed_branch_resolves_to_its_new_tip() {
    require_git!();
    let repo = Repo::new();
    repo.write("a.yaml", "a: 1\n");
    let first = repo.commit("one");
    repo.write("a.yaml", "a: 2\n");
    repo.commit("two");
    let (_dir, cache) = new_cache();
    fetch(&cache, &repo.url(), "main");
    repo.git(&["reset", "-q", "--hard", &first]);
    repo.write("a.yaml", "a: rewritten\n");
    let rewritten = repo.commit("rewritten");
    let checkout = fetch(&cache, &repo.url(), "main");
    assert_eq!(checkout.commit, rewritten);
    assert_eq!(file(&checkout, "a.yaml"), "a: rewritten\n");
}

#[test]
fn a_cache_holding_too_many_packs_is_cloned_again() {
    require_git!();
    let repo = Repo::new();
    repo.write("a.yaml", "a: 1\n");
    let sha = repo.commit("one");
    let (_dir, cache) = new_cache();
    assert!(fetch(&cache, &repo.url(), "main").stats.cloned);
    let packs = cache.path_for(&repo.url()).unwrap().join("objects/pack");
    for index in 0..60 {
        std::fs::write(packs.join(format!("pack-stale{index}.pack")), "").unwrap();
    }
    let checkout = fetch(&cache, &repo.url(), "main");
    assert!(checkout.stats.cloned, "{:?}", checkout.stats);
    assert_eq!(checkout.commit, sha);
    assert_eq!(
        std::fs::read_dir(&packs).unwrap().count(),
        2,
        "one pack and its index"
    );
}
