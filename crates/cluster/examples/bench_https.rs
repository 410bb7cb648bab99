//! The local cluster over real TCP + TLS (HTTP/1.1 keep-alive connections, bearer token, the
//! generated CA), as `kubectl` and kube-rs reach it: creates, gets, lists of 1,000 ConfigMaps and
//! server-side applies from concurrent connections, then watch fan-out: 100 watch connections on
//! one namespace, writes made one at a time (latency from sending the write to its event reaching
//! the 100th watcher) and then 64 writers at once (events delivered per second).
//!
//! `cargo run -p ferry-cluster --release --example bench_https` (`FERRY_BENCH_SECONDS` per phase,
//! default 3).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::Request;
use ferry_cluster::{ClusterConfig, start};
use futures_util::StreamExt as _;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const NAMESPACE: &str = "bench";
const FANOUT_NAMESPACE: &str = "fanout";
const WATCHERS: usize = 100;

/// What every connection needs: the address, TLS trusting the cluster's CA, and the token.
#[derive(Clone)]
struct Target {
    address: SocketAddr,
    tls: TlsConnector,
    token: Arc<str>,
}

/// One keep-alive HTTPS connection.
struct Connection {
    sender: SendRequest<Body>,
    token: Arc<str>,
}

impl Target {
    async fn connect(&self) -> Connection {
        let tcp = TcpStream::connect(self.address).await.expect("tcp connect");
        tcp.set_nodelay(true).expect("nodelay");
        let name = ServerName::IpAddress(self.address.ip().into());
        let tls = self.tls.connect(name, tcp).await.expect("tls handshake");
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .expect("http handshake");
        tokio::spawn(connection);
        Connection {
            sender,
            token: self.token.clone(),
        }
    }
}

impl Connection {
    fn request(&self, method: &str, path: &str, content_type: &str, body: String) -> Request<Body> {
        Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", content_type)
            .header("accept", "application/json")
            .header("user-agent", "bench-https/1")
            .body(Body::from(body))
            .expect("request")
    }

    async fn send(&mut self, method: &str, path: &str, content_type: &str, body: String) -> u16 {
        let request = self.request(method, path, content_type, body);
        self.sender.ready().await.expect("connection ready");
        let response = self.sender.send_request(request).await.expect("response");
        let status = response.status().as_u16();
        let _ = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX).await;
        status
    }

    /// Starts a watch and returns its stream of body chunks.
    async fn watch(mut self, path: &str) -> impl futures_util::Stream<Item = Bytes> + use<> {
        let request = self.request("GET", path, "application/json", String::new());
        self.sender.ready().await.expect("connection ready");
        let response = self
            .sender
            .send_request(request)
            .await
            .expect("watch response");
        assert_eq!(response.status().as_u16(), 200, "watch {path}");
        Body::new(response.into_body())
            .into_data_stream()
            .filter_map(|chunk| async move { chunk.ok() })
    }
}

fn config_map(namespace: &str, name: &str, value: u64) -> String {
    serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": {"bench": "yes"}},
        "data": {"value": value.to_string(), "greeting": "hello"}
    })
    .to_string()
}

fn row(name: &str, clients: u64, count: u64, elapsed: Duration) {
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "| {name:<38} | {clients:>7} | {count:>9} | {:>7.2} | {rate:>10.0} |",
        elapsed.as_secs_f64()
    );
}

/// `clients` connections each running `operation` in a loop for `seconds`.
async fn measure<F, Fut>(
    target: &Target,
    clients: u64,
    seconds: Duration,
    operation: F,
) -> (u64, Duration)
where
    F: Fn(Connection, u64, u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = (Connection, bool)> + Send,
{
    let mut connections = Vec::new();
    for _ in 0..clients {
        connections.push(target.connect().await);
    }
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + seconds;
    let tasks: Vec<_> = connections
        .into_iter()
        .zip(0..)
        .map(|(mut connection, client)| {
            let (operation, done) = (operation.clone(), done.clone());
            tokio::spawn(async move {
                let mut round = 0;
                while Instant::now() < deadline {
                    let (back, ok) = operation(connection, client, round).await;
                    connection = back;
                    if ok {
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

/// Arrivals of each object's ADDED event: how many watchers saw it and when the last one did.
type Arrivals = Arc<Mutex<HashMap<String, (usize, Instant)>>>;

/// Reads one watch stream, recording every ADDED event's object name as it arrives, until
/// `expected` ADDED events were seen.
async fn follow(
    stream: impl futures_util::Stream<Item = Bytes>,
    arrivals: Arrivals,
    expected: usize,
) {
    let mut stream = std::pin::pin!(stream);
    let mut pending = Vec::new();
    let mut seen = 0;
    while seen < expected {
        let Some(chunk) = stream.next().await else {
            return;
        };
        let now = Instant::now();
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            // The client must stay cheap next to the server it measures: no JSON parse, the
            // first `"name":"` of an event line is the object's metadata.name.
            if !line.starts_with(br#"{"type":"ADDED""#) {
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let name = text
                .split_once(r#""name":""#)
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(name, _)| name);
            if let Some(name) = name {
                let mut arrivals = arrivals.lock().unwrap_or_else(|poison| poison.into_inner());
                let entry = arrivals.entry(name.to_string()).or_insert((0, now));
                entry.0 += 1;
                entry.1 = now;
                seen += 1;
            }
        }
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn fan_out(target: &Target, sequential: usize, concurrent: usize) {
    let collection = format!("/api/v1/namespaces/{FANOUT_NAMESPACE}/configmaps");
    let expected = sequential + concurrent;
    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let stream = target
            .connect()
            .await
            .watch(&format!("{collection}?watch=true"))
            .await;
        watchers.push(tokio::spawn(follow(stream, arrivals.clone(), expected)));
    }
    // Let every watch register before the first write (the streams are open: their 200 came).
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut writer = target.connect().await;
    let mut sent: Vec<(String, Instant)> = Vec::new();
    for index in 0..sequential {
        let name = format!("one-{index:05}");
        let at = Instant::now();
        let code = writer
            .send(
                "POST",
                &collection,
                "application/json",
                config_map(FANOUT_NAMESPACE, &name, 0),
            )
            .await;
        assert_eq!(code, 201);
        sent.push((name.clone(), at));
        // Wait (bounded) for the 100th watcher before the next write, so latencies do not queue.
        for _ in 0..2_000 {
            let done = arrivals
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .get(&name)
                .is_some_and(|(count, _)| *count == WATCHERS);
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    let mut latencies: Vec<Duration> = {
        let arrivals = arrivals.lock().unwrap_or_else(|poison| poison.into_inner());
        sent.iter()
            .filter_map(|(name, at)| {
                arrivals
                    .get(name)
                    .filter(|(count, _)| *count == WATCHERS)
                    .map(|(_, last)| last.duration_since(*at))
            })
            .collect()
    };
    latencies.sort();
    println!(
        "| write → 100th watcher, one write at a time | {} writes | p50 {:.2} ms | p99 {:.2} ms | max {:.2} ms |",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        percentile(&latencies, 1.0).as_secs_f64() * 1e3,
    );

    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut writers = Vec::new();
    for _ in 0..64 {
        let mut connection = target.connect().await;
        let (next, collection) = (next.clone(), collection.clone());
        writers.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed) as usize;
                if index >= concurrent {
                    return;
                }
                let name = format!("many-{index:05}");
                let body = config_map(FANOUT_NAMESPACE, &name, 0);
                connection
                    .send("POST", &collection, "application/json", body)
                    .await;
            }
        }));
    }
    for writer in writers {
        let _ = writer.await;
    }
    let written = start.elapsed();
    let all_delivered = tokio::time::timeout(Duration::from_secs(300), async {
        for watcher in watchers {
            let _ = watcher.await;
        }
    })
    .await
    .is_ok();
    let delivered_at = start.elapsed();
    let delivered: usize = arrivals
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .iter()
        .filter(|(name, _)| name.starts_with("many-"))
        .map(|(_, (count, _))| *count)
        .sum();
    println!(
        "| {concurrent} writes by 64 writers to 100 watchers | writes {:.2} s ({:.0}/s) | {delivered} events delivered in {:.2} s | {:.0} events/s{} |",
        written.as_secs_f64(),
        concurrent as f64 / written.as_secs_f64(),
        delivered_at.as_secs_f64(),
        delivered as f64 / delivered_at.as_secs_f64(),
        if all_delivered { "" } else { " (timed out)" },
    );
}

fn main() {
    let seconds = Duration::from_secs(
        std::env::var("FERRY_BENCH_SECONDS")
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(3),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = ClusterConfig {
            data_dir: dir.path().join("data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            kubeconfig_path: Some(dir.path().join("kubeconfig")),
            insecure_http: false,
        };
        let cluster = start(config).await.expect("cluster starts");
        let ca = CertificateDer::from_pem_file(dir.path().join("data/ca.crt")).expect("ca.crt");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).expect("trust the CA");
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let token = std::fs::read_to_string(dir.path().join("data/token")).expect("token");
        let target = Target {
            address: cluster.address,
            tls: TlsConnector::from(Arc::new(tls)),
            token: Arc::from(token.trim()),
        };

        let mut admin = target.connect().await;
        for namespace in [NAMESPACE, FANOUT_NAMESPACE] {
            let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
            assert_eq!(admin.send("POST", "/api/v1/namespaces", "application/json", body.to_string()).await, 201);
        }
        let collection = format!("/api/v1/namespaces/{NAMESPACE}/configmaps");
        println!("| operation (HTTPS)                      | clients |  requests | seconds | per second |");
        println!("|----------------------------------------|---------|-----------|---------|------------|");

        let next = Arc::new(AtomicU64::new(0));
        let created = {
            // Creates stop by themselves after 1,000 objects; time them directly.
            let start = Instant::now();
            let mut connections = Vec::new();
            for _ in 0..64 {
                connections.push(target.connect().await);
            }
            let tasks: Vec<_> = connections
                .into_iter()
                .map(|mut connection| {
                    let (next, collection) = (next.clone(), collection.clone());
                    tokio::spawn(async move {
                        let mut ok = 0;
                        loop {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            if index >= 1_000 {
                                return ok;
                            }
                            let body = config_map(NAMESPACE, &format!("item-{index:04}"), index);
                            if connection.send("POST", &collection, "application/json", body).await == 201 {
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
        };
        row("create (1,000 ConfigMaps)", 64, created.0, created.1);

        for clients in [1, 32] {
            let collection = collection.clone();
            let (count, elapsed) = measure(&target, clients, seconds, move |mut connection, client, round| {
                let path = format!("{collection}/item-{:04}", (client * 31 + round * 7) % 1_000);
                async move {
                    let ok = connection.send("GET", &path, "application/json", String::new()).await == 200;
                    (connection, ok)
                }
            })
            .await;
            row("get", clients, count, elapsed);
        }

        let (count, elapsed) = {
            let collection = collection.clone();
            measure(&target, 4, seconds, move |mut connection, _, _| {
                let collection = collection.clone();
                async move {
                    let ok = connection.send("GET", &collection, "application/json", String::new()).await == 200;
                    (connection, ok)
                }
            })
            .await
        };
        row("list of 1,000 ConfigMaps", 4, count, elapsed);

        for clients in [1, 64] {
            let collection = collection.clone();
            let (count, elapsed) = measure(&target, clients, seconds, move |mut connection, client, round| {
                let name = format!("applied-{client}");
                let path = format!("{collection}/{name}?fieldManager=bench&force=true");
                let body = config_map(NAMESPACE, &name, round);
                async move {
                    let code = connection.send("PATCH", &path, "application/apply-patch+yaml", body).await;
                    (connection, code == 200 || code == 201)
                }
            })
            .await;
            row("server-side apply", clients, count, elapsed);
        }

        println!();
        fan_out(&target, 200, 2_000).await;
        let _ = cluster.stop().await;
    });
}
