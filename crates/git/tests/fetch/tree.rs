//! What a checkout holds: files, links, commit metadata.

use ferry_types::{Entry, RepoPath, SourceTree};

use crate::support::{Repo, require_git, run_git};
use crate::{fetch, file, new_cache};

#[test]
fn the_tree_holds_every_file_with_its_bytes() {
    require_git!();
    let repo = Repo::new();
    repo.write("README.md", "hello\n")
        .write("apps/web/deploy.yaml", "kind: Deployment\n")
        .write("apps/web/svc.yaml", "kind: Service\n")
        .write("bin/blob", [0u8, 159, 146, 150, 255])
        .write("scripts/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(
        repo.path.join("scripts/run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    repo.commit("files");
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &repo.url(), "main");
    assert_eq!(checkout.tree.len(), 5);
    assert_eq!(checkout.stats.files, 5);
    assert_eq!(
        file(&checkout, "apps/web/deploy.yaml"),
        "kind: Deployment\n"
    );
    assert_eq!(file(&checkout, "scripts/run.sh"), "#!/bin/sh\n");
    let blob = checkout
        .tree
        .read_file(&RepoPath::new("bin/blob").unwrap())
        .unwrap();
    assert_eq!(blob, [0u8, 159, 146, 150, 255]);
    assert_eq!(
        checkout
            .tree
            .list_dir(&RepoPath::new("apps/web").unwrap())
            .unwrap(),
        ["deploy.yaml", "svc.yaml"]
    );
}

#[test]
fn symlinks_are_kept_as_symlinks_with_their_target() {
    require_git!();
    let repo = Repo::new();
    repo.write("base/app.yaml", "kind: ConfigMap\n")
        .symlink("current", "base")
        .symlink("base/link.yaml", "app.yaml");
    repo.commit("links");
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &repo.url(), "main");
    let entry = |path: &str| checkout.tree.entry(&RepoPath::new(path).unwrap()).unwrap();
    assert_eq!(
        entry("current"),
        Some(Entry::Symlink {
            target: "base".into()
        })
    );
    assert_eq!(
        entry("base/link.yaml"),
        Some(Entry::Symlink {
            target: "app.yaml".into()
        })
    );
    let resolved =
        ferry_types::resolve(&checkout.tree, &RepoPath::new("current/app.yaml").unwrap()).unwrap();
    assert_eq!(resolved.as_str(), "base/app.yaml");
}

#[test]
fn submodules_are_skipped() {
    require_git!();
    let library = Repo::named("library");
    library.write("lib.yaml", "x: 1\n");
    library.commit("library");
    let repo = Repo::new();
    repo.write("app.yaml", "a: 1\n");
    run_git(
        &repo.path,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &library.url(),
            "vendor/lib",
        ],
    );
    repo.commit("with a submodule");
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &repo.url(), "main");
    let mut names = checkout.tree.list_dir(&RepoPath::root()).unwrap();
    names.sort();
    assert_eq!(names, [".gitmodules", "app.yaml"]);
}

#[test]
fn the_checkout_carries_the_commit_message_author_and_time() {
    require_git!();
    let repo = Repo::new();
    repo.write("a.yaml", "a: 1\n");
    let sha = repo.commit("Add a\n\nWith a body.");
    let (_dir, cache) = new_cache();
    let checkout = fetch(&cache, &repo.url(), "main");
    assert_eq!(checkout.commit, sha);
    assert_eq!(checkout.message, "Add a\n\nWith a body.");
    assert_eq!(checkout.author, "Ada Lovelace <ada@example.com>");
    assert_eq!(checkout.committed_at, repo.last_time());
    assert_eq!(checkout.url, repo.url());
    assert_eq!(
        checkout.tree.describe(),
        format!("{}@{}", repo.url(), &sha[..7])
    );
}
