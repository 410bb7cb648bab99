//! Sync of an app of 1,000 objects (500 ConfigMaps, 250 Services, 250 Secrets): ferry's first
//! sync, no-op resync and diff, against `kubectl apply --server-side` of the same objects and
//! its no-op re-apply (and `kubectl diff --server-side`), in the same run.
//!
//! `cargo run --release -p ferry-engine --example bench_sync` (`FERRY_BENCH_RUNS` rounds,
//! default 3; `FERRY_BENCH_OBJECTS` objects, default 1,000).
//!
//! Each round starts two fresh local clusters in this process, over HTTPS on 127.0.0.1 (port 0),
//! with their stores in a temporary directory: one for ferry, one for kubectl, so both start
//! from the same empty cluster. The clusters run on their own tokio runtime whose threads are
//! named `ferry-cluster`, the engine on another: CPU time is read per thread from
//! `/proc/self/task/*/stat` (utime + stime), so ferry's own CPU (every thread that is not the
//! cluster's) and the server's CPU are told apart. kubectl's CPU is its child process's, from
//! `/usr/bin/time -f`; the server's CPU while kubectl runs is the cluster threads' again.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ferry_cluster::{ClusterConfig, RunningCluster};
use ferry_engine::{ClusterClient, ConnectOptions, ObjectAction, SyncOptions, WriteOptions};
use ferry_types::{Application, Manifest, OperationPhase, Origin};
use serde_json::{Value, json};

const NAMESPACE: &str = "bench";
const CLUSTER_THREADS: &str = "ferry-cluster";

/// CPU seconds so far: (this process's threads that are not the cluster's, the cluster's).
fn cpu_split(ticks_per_second: f64) -> (f64, f64) {
    let mut engine = 0u64;
    let mut cluster = 0u64;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0.0, 0.0);
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = &stat[open + 1..close];
        // After the name: state (field 3) ... utime (14) and stime (15).
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks: u64 = fields
            .get(11..13)
            .map(|times| times.iter().filter_map(|t| t.parse::<u64>().ok()).sum())
            .unwrap_or(0);
        if name.starts_with(CLUSTER_THREADS) {
            cluster += ticks;
        } else {
            engine += ticks;
        }
    }
    (
        engine as f64 / ticks_per_second,
        cluster as f64 / ticks_per_second,
    )
}

fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A kubectl step: its name, arguments and environment.
type KubectlStep<'a> = (&'static str, &'a [&'a str], &'a [(&'a str, &'a str)]);

/// One measured step.
struct Row {
    round: usize,
    step: &'static str,
    wall: Duration,
    /// ferry's (the engine threads') or kubectl's CPU seconds; `None` when unknown.
    client_cpu: Option<f64>,
    server_cpu: f64,
    outcome: String,
}

fn objects(count: usize) -> Vec<Manifest> {
    let config_maps = count / 2;
    let services = count / 4;
    let secrets = count - config_maps - services;
    let mut out = Vec::with_capacity(count);
    let mut push = |object: Value| {
        let file = format!("objects-{:04}.yaml", out.len());
        out.push(Manifest::new(
            object,
            Origin {
                file,
                document: 0,
                line: 1,
            },
        ));
    };
    for index in 0..config_maps {
        push(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("settings-{index:04}"), "labels": {"app": "bench", "tier": "config"}},
            "data": {
                "index": index.to_string(),
                "greeting": "hello from ferry",
                "settings.properties": format!("color=blue\nsize={index}\nmode=production\n"),
            }
        }));
    }
    for index in 0..services {
        push(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": format!("web-{index:04}"), "labels": {"app": "bench", "tier": "web"}},
            "spec": {
                "selector": {"app": format!("web-{index:04}")},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": 8080},
                    {"name": "metrics", "port": 9090, "targetPort": 9090}
                ]
            }
        }));
    }
    for index in 0..secrets {
        // base64 of "password-NNNN", computed without a dependency.
        let value = base64(format!("password-{index:04}").as_bytes());
        push(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": format!("credentials-{index:04}"), "labels": {"app": "bench", "tier": "secret"}},
            "type": "Opaque",
            "data": {"password": value, "username": "YWRtaW4="}
        }));
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The rendered objects as one multi-document YAML file (JSON documents are YAML), for kubectl.
fn write_rendered(path: &Path, rendered: &[Manifest]) {
    let mut text = String::new();
    for manifest in rendered {
        text.push_str("---\n");
        text.push_str(&serde_json::to_string(&manifest.object).expect("json"));
        text.push('\n');
    }
    std::fs::write(path, text).expect("write rendered file");
}

fn application() -> Application {
    let document = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "bench", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://example.com/bench.git", "targetRevision": "main", "path": "."},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": NAMESPACE}
        }
    });
    Application::from_value(document, "bench")
        .expect("application")
        .0
}

fn start_cluster(runtime: &tokio::runtime::Runtime, dir: &Path) -> RunningCluster {
    runtime
        .block_on(ferry_cluster::start(ClusterConfig {
            data_dir: dir.to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("address"),
            kubeconfig_path: None,
            insecure_http: false,
        }))
        .expect("cluster starts")
}

async fn connect(kubeconfig: &Path) -> ClusterClient {
    let client = ClusterClient::connect(
        &ConnectOptions {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            context: None,
        },
        &Default::default(),
    )
    .await
    .expect("connect");
    client
        .create(
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
            WriteOptions::APPLY,
        )
        .await
        .expect("namespace");
    client
}

/// Runs kubectl under `/usr/bin/time`; returns (wall, kubectl CPU seconds, outcome).
fn kubectl(
    kubeconfig: &Path,
    cache: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Duration, Option<f64>, String) {
    let times = cache.with_extension("time");
    let timed = Path::new("/usr/bin/time").exists();
    let mut command = if timed {
        let mut command = Command::new("/usr/bin/time");
        command
            .args(["-f", "%U %S", "-o"])
            .arg(&times)
            .arg("kubectl");
        command
    } else {
        Command::new("kubectl")
    };
    command
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let start = Instant::now();
    let output = command.output().expect("kubectl runs");
    let wall = start.elapsed();
    let cpu = timed
        .then(|| std::fs::read_to_string(&times).ok())
        .flatten()
        .and_then(|text| {
            let line = text.lines().last()?.to_string();
            let mut parts = line.split_whitespace().map(|p| p.parse::<f64>().ok());
            Some(parts.next()?? + parts.next()??)
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let outcome = if output.status.success() {
        format!("exit 0, {} lines out", stdout.lines().count())
    } else {
        format!(
            "exit {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .next()
                .unwrap_or("")
        )
    };
    (wall, cpu, outcome)
}

fn count_actions(result: &ferry_engine::SyncResult) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for object in &result.objects {
        let name = object.action.as_str();
        match counts.iter_mut().find(|(seen, _)| *seen == name) {
            Some((_, count)) => *count += 1,
            None => counts.push((name, 1)),
        }
    }
    let actions: Vec<String> = counts
        .iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    format!("{:?}, {}", result.phase, actions.join(", "))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rounds = env_number("FERRY_BENCH_RUNS", 3).max(1);
    let count = env_number("FERRY_BENCH_OBJECTS", 1_000).max(4);
    let ticks = ticks_per_second();
    let cluster_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(CLUSTER_THREADS)
        .thread_keep_alive(Duration::from_secs(3_600))
        .enable_all()
        .build()
        .expect("cluster runtime");
    let engine_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("ferry-engine")
        .thread_keep_alive(Duration::from_secs(3_600))
        .enable_all()
        .build()
        .expect("engine runtime");
    let app = application();
    let rendered = objects(count);
    let options = SyncOptions {
        poll_interval: Duration::from_millis(100),
        ..SyncOptions::default()
    };
    let mut rows: Vec<Row> = Vec::new();

    for round in 1..=rounds {
        let dir = tempfile::tempdir().expect("temporary directory");
        let ferry_cluster = start_cluster(&cluster_runtime, &dir.path().join("ferry-cluster"));
        let kubectl_cluster = start_cluster(&cluster_runtime, &dir.path().join("kubectl-cluster"));
        let file = dir.path().join("rendered.yaml");
        write_rendered(&file, &rendered);
        let client = engine_runtime.block_on(connect(&ferry_cluster.kubeconfig));
        // kubectl's namespace, made the same way (not measured).
        drop(engine_runtime.block_on(connect(&kubectl_cluster.kubeconfig)));

        let mut measure_ferry = |step: &'static str, run: &mut dyn FnMut() -> String| {
            let (engine_before, cluster_before) = cpu_split(ticks);
            let start = Instant::now();
            let outcome = run();
            let wall = start.elapsed();
            let (engine_after, cluster_after) = cpu_split(ticks);
            rows.push(Row {
                round,
                step,
                wall,
                client_cpu: Some(engine_after - engine_before),
                server_cpu: cluster_after - cluster_before,
                outcome,
            });
        };
        for step in ["ferry first sync", "ferry no-op resync"] {
            measure_ferry(step, &mut || {
                let result = engine_runtime.block_on(ferry_engine::sync(
                    &app,
                    &rendered,
                    &client,
                    &options,
                    &mut |_| {},
                ));
                assert_eq!(
                    result.phase,
                    OperationPhase::Succeeded,
                    "{}",
                    result.message
                );
                if step == "ferry no-op resync" {
                    let applied = result
                        .objects
                        .iter()
                        .filter(|object| object.action != ObjectAction::Unchanged)
                        .count();
                    assert_eq!(applied, 0, "a no-op resync changed objects");
                }
                count_actions(&result)
            });
        }
        measure_ferry("ferry diff", &mut || {
            let comparisons = engine_runtime
                .block_on(ferry_engine::diff(&app, &rendered, &client))
                .expect("diff");
            let synced = comparisons
                .iter()
                .filter(|comparison| comparison.is_synced())
                .count();
            format!("{synced}/{} Synced", comparisons.len())
        });

        let cache = dir.path().join("kubectl-cache");
        let file_text = file.to_string_lossy().to_string();
        let apply = ["apply", "--server-side", "-n", NAMESPACE, "-f", &file_text];
        let diff = ["diff", "--server-side", "-n", NAMESPACE, "-f", &file_text];
        let steps: [KubectlStep; 3] = [
            ("kubectl apply --server-side", &apply, &[]),
            ("kubectl no-op re-apply", &apply, &[]),
            (
                "kubectl diff --server-side",
                &diff,
                &[("KUBECTL_EXTERNAL_DIFF", "true")],
            ),
        ];
        for (step, args, env) in steps {
            let (_, cluster_before) = cpu_split(ticks);
            let (wall, cpu, outcome) = kubectl(&kubectl_cluster.kubeconfig, &cache, args, env);
            let (_, cluster_after) = cpu_split(ticks);
            rows.push(Row {
                round,
                step,
                wall,
                client_cpu: cpu,
                server_cpu: cluster_after - cluster_before,
                outcome,
            });
        }

        drop(client);
        for cluster in [ferry_cluster, kubectl_cluster] {
            cluster_runtime
                .block_on(cluster.stop())
                .expect("cluster stops");
        }
        eprintln!("round {round} of {rounds} done");
    }

    println!(
        "{count} objects ({} ConfigMaps, {} Services, {} Secrets), {rounds} rounds, CLK_TCK {ticks}\n",
        count / 2,
        count / 4,
        count - count / 2 - count / 4
    );
    println!("| round | step | wall ms | client CPU ms | server CPU ms | outcome |");
    println!("|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {:.0} | {} | {:.0} | {} |",
            row.round,
            row.step,
            row.wall.as_secs_f64() * 1000.0,
            row.client_cpu
                .map_or("?".to_string(), |cpu| format!("{:.0}", cpu * 1000.0)),
            row.server_cpu * 1000.0,
            row.outcome
        );
    }

    let of = |step: &str, value: &dyn Fn(&Row) -> f64| {
        median(
            rows.iter()
                .filter(|row| row.step == step)
                .map(value)
                .collect(),
        )
    };
    let wall = |row: &Row| row.wall.as_secs_f64() * 1000.0;
    let client = |row: &Row| row.client_cpu.unwrap_or(f64::NAN) * 1000.0;
    let server = |row: &Row| row.server_cpu * 1000.0;
    println!("\nMedians over {rounds} rounds:\n");
    println!("| step | wall ms | client CPU ms | server CPU ms |");
    println!("|---|---|---|---|");
    let steps = [
        "ferry first sync",
        "ferry no-op resync",
        "ferry diff",
        "kubectl apply --server-side",
        "kubectl no-op re-apply",
        "kubectl diff --server-side",
    ];
    for step in steps {
        println!(
            "| {step} | {:.0} | {:.0} | {:.0} |",
            of(step, &wall),
            of(step, &client),
            of(step, &server)
        );
    }
    let ratio =
        |ours: &str, theirs: &str, value: &dyn Fn(&Row) -> f64| of(theirs, value) / of(ours, value);
    println!(
        "\nkubectl / ferry, first sync: wall {:.1}×, client CPU {:.1}×; no-op: wall {:.1}×, client CPU {:.1}×; diff: wall {:.1}×",
        ratio("ferry first sync", "kubectl apply --server-side", &wall),
        ratio("ferry first sync", "kubectl apply --server-side", &client),
        ratio("ferry no-op resync", "kubectl no-op re-apply", &wall),
        ratio("ferry no-op resync", "kubectl no-op re-apply", &client),
        ratio("ferry diff", "kubectl diff --server-side", &wall),
    );
}
