//! Benchmark: a repository of 5,000 small ConfigMap manifests served by `git daemon` on
//! 127.0.0.1, fetched by ferry (cold, warm, cached SHA) and cloned by `git` for comparison.
//!
//! Run with `cargo run --release -p ferry-git --example bench_fetch`.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use ferry_git::{FetchRequest, RepoCache};

use support::{Daemon, FILES, build_repository, git};

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
