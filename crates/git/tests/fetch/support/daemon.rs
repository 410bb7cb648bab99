//! `git daemon` on 127.0.0.1 for `git://` tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{free_port, run_git, wait_for_port};

/// `git daemon` exporting every repository under a base path, on 127.0.0.1; killed on drop.
pub struct GitDaemon {
    child: Child,
    port: u16,
}

impl GitDaemon {
    pub fn start(base: &Path) -> Self {
        let port = free_port();
        // `git daemon` would run `git-daemon` as a child that outlives a kill of `git`.
        let program = PathBuf::from(run_git(base, &["--exec-path"])).join("git-daemon");
        let child = Command::new(program)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["--reuseaddr", "--export-all", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let daemon = Self { child, port };
        wait_for_port(port);
        daemon
    }

    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
