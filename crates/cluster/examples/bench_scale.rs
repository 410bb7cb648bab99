//! Memory and restart time of the local cluster holding many objects: creates `FERRY_BENCH_OBJECTS`
//! (default 100,000) ConfigMaps through the API (in-process router, 64 concurrent clients, durable
//! store with every write fsynced, HTTPS listener up), prints VmRSS/VmHWM from
//! `/proc/self/status`, stops the server, then starts it again on the same data directory in a
//! fresh process (this binary re-run as `restart <dir>`) and prints how long `start` took and that
//! process's memory.
//!
//! `cargo run -p ferry-cluster --release --example bench_scale`

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use ferry_cluster::store::TypeKey;
use ferry_cluster::{ClusterConfig, RunningCluster, router};
use tower::ServiceExt as _;

const NAMESPACE: &str = "scale";

fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<u64>().ok())
            .map(|kib| format!("{:.0} MiB", kib as f64 / 1024.0))
            .unwrap_or_else(|| "?".to_string())
    };
    format!("VmRSS {}, VmHWM {}", field("VmRSS:"), field("VmHWM:"))
}

fn config(data: &Path) -> ClusterConfig {
    ClusterConfig {
        data_dir: data.to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig_path: Some(data.join("kubeconfig")),
        insecure_http: false,
    }
}

async fn send(app: &axum::Router, method: &str, path: &str, body: String) -> u16 {
    let token = TOKEN.get().map(String::as_str).unwrap_or("");
    let request = Request::builder()
        .header("authorization", format!("Bearer {token}"))
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Body::from(body))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    status
}

/// The bearer token of the data directory (the router checks it like the HTTPS server).
static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn remember_token(data: &Path) {
    let token = std::fs::read_to_string(data.join("token")).unwrap_or_default();
    let _ = TOKEN.set(token.trim().to_string());
}

fn count(cluster: &RunningCluster) -> usize {
    cluster
        .state
        .store
        .list(&TypeKey::new("", "configmaps"), Some(NAMESPACE))
        .0
        .len()
}

async fn fill(data: &Path, objects: u64) {
    let cluster = ferry_cluster::start(config(data))
        .await
        .expect("cluster starts");
    remember_token(data);
    println!("empty server: {}", memory());
    let app = router(cluster.state.clone());
    let namespace = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}});
    assert_eq!(
        send(&app, "POST", "/api/v1/namespaces", namespace.to_string()).await,
        201
    );
    let collection = format!("/api/v1/namespaces/{NAMESPACE}/configmaps");
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (app, collection, next) = (app.clone(), collection.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= objects {
                        return;
                    }
                    let body = serde_json::json!({
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": format!("config-{index:06}"), "namespace": NAMESPACE,
                            "labels": {"app": format!("app-{}", index % 100), "tier": "backend"}},
                        "data": {"index": index.to_string(), "greeting": "hello", "settings.yaml": "log:\n  level: info\n  format: json\n"}
                    });
                    let code = send(&app, "POST", &collection, body.to_string()).await;
                    assert_eq!(code, 201, "create {index}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("creator");
    }
    let elapsed = start.elapsed();
    let stored = count(&cluster);
    let sample = cluster
        .state
        .store
        .list(&TypeKey::new("", "configmaps"), Some(NAMESPACE))
        .0
        .first()
        .map(|object| object.to_string().len())
        .unwrap_or(0);
    println!(
        "created {stored} ConfigMaps in {:.1} s ({:.0}/s), {sample} bytes of JSON each",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64()
    );
    println!("with {stored} ConfigMaps: {}", memory());
    let size = std::fs::metadata(data.join("store.redb"))
        .map(|meta| meta.len())
        .unwrap_or(0);
    println!("store.redb: {:.0} MiB", size as f64 / (1024.0 * 1024.0));
    cluster.stop().await.expect("cluster stops");
}

async fn restart(data: &Path) {
    let start = Instant::now();
    let cluster = ferry_cluster::start(config(data))
        .await
        .expect("cluster restarts");
    let elapsed = start.elapsed();
    remember_token(data);
    let stored = count(&cluster);
    let app = router(cluster.state.clone());
    let first = send(
        &app,
        "GET",
        &format!("/api/v1/namespaces/{NAMESPACE}/configmaps/config-000000"),
        String::new(),
    )
    .await;
    println!(
        "restart with {stored} ConfigMaps: start() returned in {:.2} s (first get: {first}); {}",
        elapsed.as_secs_f64(),
        memory()
    );
    cluster.stop().await.expect("cluster stops");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let arguments: Vec<String> = std::env::args().collect();
    if let [_, mode, dir] = arguments.as_slice()
        && mode == "restart"
    {
        runtime.block_on(restart(Path::new(dir)));
        return;
    }
    let objects = std::env::var("FERRY_BENCH_OBJECTS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let data: PathBuf = dir.path().join("data");
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(1_800), fill(&data, objects))
            .await
            .expect("filling finishes");
    });
    drop(runtime);
    let exe = std::env::current_exe().expect("own path");
    let status = std::process::Command::new(exe)
        .arg("restart")
        .arg(&data)
        .status()
        .expect("restart process runs");
    assert!(status.success(), "restart process failed");
}
