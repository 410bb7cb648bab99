//! Benchmark: a repository of 5,000 small ConfigMap manifests served by `git daemon` on
//! 127.0.0.1, fetched by ferry (cold, warm, cached SHA) and cloned by `git` for comparison.
//!
//! Run with `cargo run --release -p ferry-git --example bench_fetch`.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ferry_git::{FetchRequest, RepoCache};

const FILES: usize = 5_000;
const RUNS: usize = 5;

fn main() {
    let work = tempfile::tempdir().expect("temporary directory");
    let base = work.path().join("served");
    let repo = base.join("manifests");
    std::fs::create_dir_all(&repo).expect("repository directory");
    let sha = build_repository(&repo);
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _daemon = Daemon::start(&base, port);
    let url = format!("git://127.0.0.1:{port}/manifests");

    let mut rows: Vec<(&str, Vec<Duration>, String)> = Vec::new();
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut by_sha = Vec::new();
    let (mut cold_stats, mut warm_stats) = (None, None);
    for run in 0..RUNS {
        let cache_dir = work.path().join(format!("cache-{run}"));
        let cache = RepoCache::new(&cache_dir);
        let request = FetchRequest::new(&url, "main");
        let (elapsed, checkout) = time(|| cache.fetch(&request).expect("cold fetch"));
        assert_eq!(checkout.commit, sha);
        assert_eq!(checkout.tree.len(), FILES);
        cold.push(elapsed);
        cold_stats = Some(checkout.stats);
        let (elapsed, checkout) = time(|| cache.fetch(&request).expect("warm fetch"));
        warm.push(elapsed);
        warm_stats = Some(checkout.stats);
        let (elapsed, _) = time(|| {
            cache
                .fetch(&FetchRequest::new(&url, &sha))
                .expect("fetch by sha")
        });
        by_sha.push(elapsed);
    }
    let cold_stats = cold_stats.expect("ran");
    let warm_stats = warm_stats.expect("ran");
    let split = |stats: &ferry_git::FetchStats| {
        format!(
            "fetch {} ms + tree {} ms, {} objects, {} KiB",
            stats.fetch_time.as_millis(),
            stats.read_time.as_millis(),
            stats.received_objects,
            stats.received_bytes / 1024
        )
    };
    rows.push(("ferry cold fetch + tree read", cold, split(&cold_stats)));
    rows.push(("ferry warm fetch + tree read", warm, split(&warm_stats)));
    rows.push((
        "ferry cached full SHA + tree read",
        by_sha,
        "no network".into(),
    ));

    for (label, args) in [
        ("git clone", vec!["clone", "-q"]),
        ("git clone --depth 1", vec!["clone", "-q", "--depth", "1"]),
        ("git clone --bare", vec!["clone", "-q", "--bare"]),
    ] {
        let mut times = Vec::new();
        for run in 0..RUNS {
            let target = work
                .path()
                .join(format!("clone-{}-{run}", label.replace(' ', "_")));
            let (elapsed, status) =
                time(|| git(work.path()).args(&args).arg(&url).arg(&target).status());
            assert!(status.expect("git runs").success(), "{label} failed");
            times.push(elapsed);
        }
        rows.push((label, times, String::new()));
    }

    println!("{FILES} files, {RUNS} runs each, git daemon on 127.0.0.1\n");
    println!(
        "| {:<36} | {:>9} | {:>6} | notes",
        "step", "median ms", "min ms"
    );
    println!("|{:-<38}|{:->11}|{:->8}|------", "", "", "");
    for (label, mut times, notes) in rows {
        times.sort();
        let median = times[times.len() / 2].as_secs_f64() * 1000.0;
        let min = times[0].as_secs_f64() * 1000.0;
        println!("| {label:<36} | {median:>9.1} | {min:>6.1} | {notes}");
    }
}

fn time<T>(action: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let value = action();
    (started.elapsed(), value)
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

/// Writes 5,000 ConfigMaps in 50 directories and commits them; returns the commit SHA.
fn build_repository(repo: &Path) -> String {
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
struct Daemon(Child);

impl Daemon {
    fn start(base: &Path, port: u16) -> Self {
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
