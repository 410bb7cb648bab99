//! Benchmark: `ferry render --repo` on a repository of 5,000 manifest files served by
//! `git daemon` on 127.0.0.1, cold (empty cache) and warm, next to `git clone` followed by
//! `ferry render` of the clone. Every row runs real processes, as a user would.
//!
//! Run with `cargo build --release && cargo run --release -p ferry-cli --example bench_render_repo`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 5_000;
const RUNS: usize = 5;

fn main() {
    let ferry = ferry_binary();
    let work = tempfile::tempdir().expect("temporary directory");
    let served = work.path().join("served");
    let repo = served.join("manifests");
    std::fs::create_dir_all(&repo).expect("repository directory");
    build_repository(&repo);
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _daemon = Daemon::start(&served, port);
    let url = format!("git://127.0.0.1:{port}/manifests");

    let render_repo = |cache: &Path| {
        let output = Command::new(&ferry)
            .args([
                "render",
                "--repo",
                &url,
                "--revision",
                "main",
                "--path",
                "apps",
                "--recurse",
            ])
            .env("FERRY_CACHE_DIR", cache)
            .output()
            .expect("ferry runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout.len()
    };
    let mut rows: Vec<(&str, Vec<Duration>)> = Vec::new();
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    for run in 0..RUNS {
        let cache = work.path().join(format!("cache-{run}"));
        let started = Instant::now();
        bytes = render_repo(&cache);
        cold.push(started.elapsed());
        let started = Instant::now();
        render_repo(&cache);
        warm.push(started.elapsed());
    }
    rows.push(("ferry render --repo, cold cache", cold));
    rows.push(("ferry render --repo, warm cache", warm));
    for (label, depth) in [
        ("git clone + ferry render", None),
        ("git clone --depth 1 + ferry render", Some("1")),
    ] {
        let mut times = Vec::new();
        for run in 0..RUNS {
            let target = work
                .path()
                .join(format!("clone-{}-{run}", depth.unwrap_or("full")));
            let started = Instant::now();
            let mut clone = git(work.path());
            clone.args(["clone", "-q"]);
            if let Some(depth) = depth {
                clone.args(["--depth", depth]);
            }
            assert!(
                clone
                    .arg(&url)
                    .arg(&target)
                    .status()
                    .expect("git runs")
                    .success()
            );
            let output = Command::new(&ferry)
                .args(["render", "--recurse"])
                .arg(target.join("apps"))
                .output()
                .expect("ferry runs");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            times.push(started.elapsed());
        }
        rows.push((label, times));
    }

    println!(
        "{FILES} manifest files, {RUNS} runs each, git daemon on 127.0.0.1, output {} KiB\n",
        bytes / 1024
    );
    println!(
        "| {:<36} | {:>9} | {:>6} |",
        "command", "median ms", "min ms"
    );
    println!("|{:-<38}|{:->11}|{:->8}|", "", "", "");
    for (label, mut times) in rows {
        times.sort();
        let median = times[times.len() / 2].as_secs_f64() * 1000.0;
        let min = times[0].as_secs_f64() * 1000.0;
        println!("| {label:<36} | {median:>9.1} | {min:>6.1} |");
    }
}

/// The `ferry` binary built beside this example (`target/release/ferry`).
fn ferry_binary() -> PathBuf {
    let example = std::env::current_exe().expect("own path");
    let binary = example
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("ferry");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --release` first",
        binary.display()
    );
    binary
}

fn git(dir: &Path) -> Command {
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

/// 5,000 ConfigMaps in 50 directories under `apps/`, one commit on `main`.
fn build_repository(repo: &Path) {
    let run = |args: &[&str]| {
        assert!(
            git(repo).args(args).status().expect("git runs").success(),
            "git {args:?}"
        )
    };
    run(&["init", "-q", "-b", "main"]);
    for index in 0..FILES {
        let team = index % 50;
        let dir = repo.join(format!("apps/team-{team:02}"));
        std::fs::create_dir_all(&dir).expect("directory");
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{index}\n  namespace: team-{team:02}\ndata:\n  index: \"{index}\"\n  greeting: hello from config {index}\n"
        );
        std::fs::write(dir.join(format!("config-{index}.yaml")), manifest).expect("manifest");
    }
    run(&["add", "-A"]);
    run(&["commit", "-q", "-m", "5000 config maps"]);
}

/// `git-daemon` on 127.0.0.1, killed on drop.
struct Daemon(Child);

impl Daemon {
    fn start(base: &Path, port: u16) -> Self {
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
