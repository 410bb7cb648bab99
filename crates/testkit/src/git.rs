//! Real Git repositories for tests, with a fixed author so commits do not depend on the
//! machine's configuration.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir`, panicking with its stderr on failure; its stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Makes `dir` (created if missing) an empty repository on branch `main`.
pub fn init_repo(dir: &Path) {
    std::fs::create_dir_all(dir).expect("repository directory");
    git(dir, &["init", "-q", "-b", "main"]);
}

/// Commits everything in `dir` with `message`; the new commit's full SHA.
pub fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}
