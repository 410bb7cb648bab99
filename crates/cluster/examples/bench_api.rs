//! Requests per second of the API on a durable store (redb file in a temporary directory, every
//! write fsynced), called in-process through the router: gets, lists of 1,000 ConfigMaps,
//! server-side applies and creates from many concurrent clients (group commit lets concurrent
//! writes share one fsync).
//!
//! `cargo run -p ferry-cluster --release --example bench_api` (`FERRY_BENCH_SECONDS` per phase,
//! default 3).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use ferry_cluster::store::{DEFAULT_EVENT_LOG_CAPACITY, Store};
use ferry_cluster::{ClusterState, Limits, router};
use tower::ServiceExt as _;

const NAMESPACE: &str = "bench";

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

fn config_map(name: &str, value: u64) -> String {
    serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"bench": "yes"}},
        "data": {"value": value.to_string(), "greeting": "hello"}
    })
    .to_string()
}

/// Runs `clients` concurrent loops of `operation` for `seconds`; returns completed requests.
async fn measure<F, Fut>(clients: u64, seconds: Duration, operation: F) -> (u64, Duration)
where
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let operation = Arc::new(operation);
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + seconds;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let operation = operation.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut round = 0;
                while Instant::now() < deadline {
                    if operation(client, round).await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    round += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    (done.load(Ordering::Relaxed), start.elapsed())
}

fn row(name: &str, clients: u64, (count, elapsed): (u64, Duration)) {
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "| {name:<34} | {clients:>7} | {count:>9} | {:>7.2} | {rate:>10.0} |",
        elapsed.as_secs_f64()
    );
}

fn main() {
    let seconds = Duration::from_secs(
        std::env::var("FERRY_BENCH_SECONDS")
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(3),
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(
        &dir.path().join("store.redb"),
        true,
        DEFAULT_EVENT_LOG_CAPACITY,
    )
    .expect("store");
    let state = ClusterState::new(store, None, Limits::default()).expect("cluster state");
    let app = router(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let namespace = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}});
        assert_eq!(
            send(&app, "POST", "/api/v1/namespaces", "application/json", namespace.to_string()).await,
            201
        );
        let collection = format!("/api/v1/namespaces/{NAMESPACE}/configmaps");
        println!("| operation                          | clients |  requests | seconds | per second |");
        println!("|------------------------------------|---------|-----------|---------|------------|");

        // Creates stop by themselves after 1,000 objects.
        let created = tokio::time::timeout(Duration::from_secs(600), async {
            let (app, collection) = (app.clone(), collection.clone());
            let next = Arc::new(AtomicU64::new(0));
            let start = Instant::now();
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let (app, collection, next) = (app.clone(), collection.clone(), next.clone());
                    tokio::spawn(async move {
                        let mut ok = 0;
                        loop {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            if index >= 1_000 {
                                return ok;
                            }
                            let body = config_map(&format!("item-{index:04}"), index);
                            if send(&app, "POST", &collection, "application/json", body).await == 201 {
                                ok += 1;
                            }
                        }
                    })
                })
                .collect();
            let mut total = 0;
            for task in tasks {
                total += task.await.unwrap_or(0);
            }
            (total, start.elapsed())
        })
        .await
        .expect("creates finish");
        row("create (1,000 ConfigMaps)", 64, created);

        let gets = {
            let (app, collection) = (app.clone(), collection.clone());
            measure(32, seconds, move |client, round| {
                let (app, collection) = (app.clone(), collection.clone());
                async move {
                    let path = format!("{collection}/item-{:04}", (client * 31 + round * 7) % 1_000);
                    send(&app, "GET", &path, "application/json", String::new()).await == 200
                }
            })
            .await
        };
        row("get", 32, gets);

        let lists = {
            let (app, collection) = (app.clone(), collection.clone());
            measure(4, seconds, move |_, _| {
                let (app, collection) = (app.clone(), collection.clone());
                async move { send(&app, "GET", &collection, "application/json", String::new()).await == 200 }
            })
            .await
        };
        row("list of 1,000 ConfigMaps", 4, lists);

        for clients in [1, 64] {
            let applies = {
                let (app, collection) = (app.clone(), collection.clone());
                measure(clients, seconds, move |client, round| {
                    let (app, collection) = (app.clone(), collection.clone());
                    async move {
                        let name = format!("applied-{client}");
                        let path = format!("{collection}/{name}?fieldManager=bench&force=true");
                        let body = config_map(&name, round);
                        let code = send(&app, "PATCH", &path, "application/apply-patch+yaml", body).await;
                        code == 200 || code == 201
                    }
                })
                .await
            };
            row(&format!("server-side apply ({clients} client{})", if clients == 1 { "" } else { "s" }), clients, applies);
        }
    });
}
