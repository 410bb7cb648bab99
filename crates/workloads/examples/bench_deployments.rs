//! 1,000 Deployments of 3 replicas applied at once (server-side apply from 64 concurrent
//! clients, in process through the router) on a durable store with the simulated controllers:
//! the time until every Deployment is Available, the process's CPU time (user + system, from
//! `/proc/self/stat`) and its peak resident memory (`VmHWM` from `/proc/self/status`). The
//! process is the whole cluster: API server, store, controllers and kubelets, and the client.
//!
//! `cargo run --release -p ferry-workloads --example bench_deployments`
//! (`FERRY_BENCH_DEPLOYMENTS`, default 1000; `FERRY_BENCH_REPLICAS`, default 3;
//! `FERRY_BENCH_TIME_FACTOR`, default 1.0; `FERRY_BENCH_TIMEOUT` seconds, default 900).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use ferry_cluster::store::{DEFAULT_EVENT_LOG_CAPACITY, Store, TypeKey};
use ferry_cluster::{ClusterState, Limits, router};
use ferry_workloads::{SimulationConfig, spawn_controllers};
use serde_json::Value;
use tower::ServiceExt as _;

const NAMESPACE: &str = "bench";

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

async fn send(app: &Router, method: &str, path: &str, content_type: &str, body: String) -> u16 {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .header("accept", "application/json")
        .body(Body::from(body))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    status
}

fn deployment(name: &str, replicas: u64) -> String {
    serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}
            }
        }
    })
    .to_string()
}

/// CPU seconds (user, system) of this process, from `/proc/self/stat` (clock ticks of 1/100 s,
/// Linux's USER_HZ).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|text| text.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 100.0
    };
    // utime is field 14, stime field 15; `fields[0]` is field 3.
    (ticks(11), ticks(12))
}

/// Peak resident memory in MiB (`VmHWM`).
fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn available(state: &ClusterState, replicas: u64) -> usize {
    let (deployments, _) = state
        .store
        .list(&TypeKey::new("apps", "deployments"), Some(NAMESPACE));
    deployments
        .iter()
        .filter(|deployment| {
            deployment
                .pointer("/status/availableReplicas")
                .and_then(Value::as_u64)
                == Some(replicas)
                && deployment
                    .pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .is_some_and(|conditions| {
                        conditions
                            .iter()
                            .any(|c| c["type"] == "Available" && c["status"] == "True")
                    })
        })
        .count()
}

fn main() {
    let count: u64 = env_number("FERRY_BENCH_DEPLOYMENTS", 1000);
    let replicas: u64 = env_number("FERRY_BENCH_REPLICAS", 3);
    let time_factor: f64 = env_number("FERRY_BENCH_TIME_FACTOR", 1.0);
    let timeout = Duration::from_secs(env_number("FERRY_BENCH_TIMEOUT", 900));
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(
        &dir.path().join("store.redb"),
        true,
        DEFAULT_EVENT_LOG_CAPACITY,
    )
    .expect("store");
    let state = ClusterState::new(store, None, Limits::default()).expect("cluster state");
    let app = router(state.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let controllers = spawn_controllers(state.clone(), SimulationConfig::with_time_factor(time_factor));
        let namespace = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}});
        assert_eq!(
            send(&app, "POST", "/api/v1/namespaces", "application/json", namespace.to_string()).await,
            201
        );
        let (cpu_user_before, cpu_system_before) = cpu_seconds();
        let writes_before = state.store.resource_version();
        let start = Instant::now();
        let next = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (app, next) = (app.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= count {
                            return;
                        }
                        let name = format!("web-{index:04}");
                        let path = format!("/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{name}?fieldManager=bench&force=true");
                        let code = send(&app, "PATCH", &path, "application/apply-patch+yaml", deployment(&name, replicas)).await;
                        assert!(code == 200 || code == 201, "apply of {name} answered {code}");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("apply task");
        }
        let applied = start.elapsed();
        let deadline = start + timeout;
        let mut ready = available(&state, replicas);
        while ready < count as usize && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            ready = available(&state, replicas);
        }
        let all_available = start.elapsed();
        let (cpu_user, cpu_system) = cpu_seconds();
        let stats = controllers.stats();
        let writes = state.store.resource_version() - writes_before;
        let (pods, _) = state.store.list(&TypeKey::new("", "pods"), Some(NAMESPACE));
        controllers.stop().await;
        println!("| measure                                   | value |");
        println!("|-------------------------------------------|-------|");
        println!("| Deployments × replicas                    | {count} × {replicas} |");
        println!("| time factor                               | {time_factor} |");
        println!("| all applied (64 clients, server-side apply) | {:.2} s |", applied.as_secs_f64());
        println!(
            "| all Available{}                       | {:.2} s |",
            if ready < count as usize { " (TIMED OUT)" } else { "" },
            all_available.as_secs_f64()
        );
        println!("| Available Deployments / pods              | {ready} / {} |", pods.len());
        println!(
            "| CPU time (user + system)                  | {:.1} s + {:.1} s |",
            cpu_user - cpu_user_before,
            cpu_system - cpu_system_before
        );
        println!("| peak memory (VmHWM)                       | {:.0} MiB |", peak_memory_mib());
        println!("| writes (resourceVersions)                 | {writes} |");
        println!(
            "| reconciles / controller writes / conflicts | {} / {} / {} |",
            stats.reconciles, stats.writes, stats.conflicts
        );
    });
}
