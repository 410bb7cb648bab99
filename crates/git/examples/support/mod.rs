//! Shared by the benchmarks: a repository of 5,000 ConfigMap manifests and `git daemon` on
//! 127.0.0.1 serving it.

#![allow(dead_code)]

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How many manifest files the benchmark repository holds.
pub const FILES: usize = 5_000;

/// `git` in `dir`, with configuration and identity fixed so runs are repeatable.
pub fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com");
    command
}

/// Writes 5,000 ConfigMaps in 50 directories under `apps/` and commits them on `main`;
/// returns the commit SHA.
pub fn build_repository(repo: &Path) -> String {
    let run = |args: &[&str]| {
        let output = git(repo).args(args).output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    run(&["init", "-q", "-b", "main"]);
    for index in 0..FILES {
        let dir = repo.join(format!("apps/team-{:02}", index % 50));
        std::fs::create_dir_all(&dir).expect("directory");
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{index}\n  namespace: team-{:02}\n\
             data:\n  index: \"{index}\"\n  greeting: hello from config {index}\n",
            index % 50
        );
        std::fs::write(dir.join(format!("config-{index}.yaml")), manifest).expect("manifest");
    }
    run(&["add", "-A"]);
    run(&["commit", "-q", "-m", "5000 config maps"]);
    run(&["rev-parse", "HEAD"])
}

/// `git daemon` on 127.0.0.1, killed on drop.
pub struct Daemon(Child);

impl Daemon {
    /// Starts `git-daemon` exporting every repository under `base` on 127.0.0.1:`port`.
    pub fn start(base: &Path, port: u16) -> Self {
        // Run `git-daemon` itself: `git daemon` runs it as a child that outlives a kill of `git`.
        let exec_path = git(base)
            .arg("--exec-path")
            .output()
            .expect("git runs")
            .stdout;
        let program = Path::new(String::from_utf8_lossy(&exec_path).trim()).join("git-daemon");
        let child = Command::new(program)
            .args(["--reuseaddr", "--export-all", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self(child)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}
