//! Test fixtures: repositories built with the real `git` CLI, served by `git daemon`, by
//! `git http-backend` behind a tiny std-only HTTP server, or through a fake `ssh`.

mod daemon;
mod http;
mod ssh;

use std::cell::Cell;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use daemon::GitDaemon;
pub use http::{Auth, HttpServer};
pub use ssh::FakeSsh;

/// Returns early from a test when `git` is missing, unless `CI=true`, where that fails.
macro_rules! require_git {
    () => {
        if !$crate::support::git_available() {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "the git binary is required under CI=true"
            );
            eprintln!("skipping: git not found");
            return;
        }
    };
}
pub(crate) use require_git;

pub fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// A `git` command isolated from the user's and the system's configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ferry Tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.com");
    command
}

/// Runs `git` in `dir`, panicking with its stderr on failure; returns trimmed stdout.
pub fn run_git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir).args(args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A repository with a worktree, in `<tempdir>/repo`; its parent is the base path servers export.
pub struct Repo {
    _dir: TempDir,
    pub path: PathBuf,
    clock: Cell<i64>,
}

impl Repo {
    pub fn new() -> Self {
        Self::named("repo")
    }

    pub fn named(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::create_dir(&path).unwrap();
        run_git(&path, &["init", "-q", "-b", "main"]);
        Self {
            _dir: dir,
            path,
            clock: Cell::new(1_700_000_000),
        }
    }

    /// The directory holding the repository, exported by the servers.
    pub fn base(&self) -> &Path {
        self.path.parent().unwrap()
    }

    pub fn name(&self) -> String {
        self.path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    pub fn url(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    pub fn git(&self, args: &[&str]) -> String {
        run_git(&self.path, args)
    }

    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Self {
        let file = self.path.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
        self
    }

    pub fn symlink(&self, path: &str, target: &str) -> &Self {
        let link = self.path.join(path);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, link).unwrap();
        self
    }

    /// Commits everything at a fixed, increasing time; returns the commit SHA.
    pub fn commit(&self, message: &str) -> String {
        let time = self.clock.get() + 60;
        self.clock.set(time);
        let date = format!("{time} +0000");
        self.git(&["add", "-A"]);
        let output = git_command(&self.path)
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// The last commit time, in Unix seconds.
    pub fn last_time(&self) -> i64 {
        self.clock.get()
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "server on port {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
