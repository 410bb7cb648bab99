//! The real `kubectl`, pointed at one kubeconfig, with its own discovery cache and working
//! directory so tests never touch the user's.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// kubectl with a test cluster's kubeconfig.
#[derive(Debug, Clone)]
pub struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
    work: PathBuf,
}

/// What one kubectl run printed.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Kubectl {
    /// kubectl using `kubeconfig`, with its discovery cache in `scratch/cache` and its working
    /// directory (where [`Kubectl::file`] writes) `scratch/work`.
    pub fn new(kubeconfig: &Path, scratch: &Path) -> Self {
        let work = scratch.join("work");
        std::fs::create_dir_all(&work).expect("kubectl work dir");
        Self {
            kubeconfig: kubeconfig.to_path_buf(),
            cache: scratch.join("cache"),
            work,
        }
    }

    /// The kubeconfig it uses.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// Its working directory: relative paths in arguments resolve here.
    pub fn work(&self) -> &Path {
        &self.work
    }

    /// Runs kubectl with `args` (20 s request timeout), off the async runtime's threads.
    pub async fn run(&self, args: &[&str]) -> Run {
        let mut command = self.command(args);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("kubectl runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs kubectl and asserts it succeeded; its stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args).await;
        assert_eq!(
            run.code, 0,
            "kubectl {args:?} failed\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Runs kubectl with `-o json` appended and parses what it printed.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all).await).expect("kubectl printed JSON")
    }

    /// Writes `manifest` to `name` in the working directory and `kubectl apply -f`s it;
    /// what kubectl printed.
    pub async fn apply(&self, name: &str, manifest: &str) -> String {
        self.file(name, manifest);
        self.ok(&["apply", "-f", name]).await
    }

    /// Writes `text` to `name` in kubectl's working directory; the name, for `-f`.
    pub fn file(&self, name: &str, text: &str) -> String {
        std::fs::write(self.work.join(name), text).expect("write manifest");
        name.to_string()
    }

    /// The prepared command (kubeconfig, cache, 20 s request timeout, working directory),
    /// for runs a test drives itself, such as a `get -w` in the background.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .arg("--request-timeout=20s")
            .args(args)
            .current_dir(&self.work)
            .env_remove("KUBECONFIG");
        command
    }
}
