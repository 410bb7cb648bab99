//! Benchmark: `ferry render --repo` on a repository of 5,000 manifest files served by
//! `git daemon` on 127.0.0.1, cold (empty cache) and warm, next to `git clone` followed by
//! `ferry render` of the clone. Every row runs real processes, as a user would.
//!
//! Run with `cargo build --release && cargo run --release -p ferry-git --example bench_render_repo`.

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Daemon, FILES, build_repository, git};

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
