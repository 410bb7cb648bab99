//! An HTTP/1.1 receiver on 127.0.0.1 for notification tests: answers each request with the
//! next scripted status (200 once the script is used up) and keeps what it received.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request the receiver reads.
const MAX_REQUEST: usize = 1 << 20;

/// One request received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `POST /path`.
    pub request_line: String,
    /// Header lines, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The status answered.
    pub answered: u16,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A running receiver.
#[derive(Clone)]
pub struct Receiver {
    /// Where it listens.
    pub address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Starts listening; `script` lists the statuses of the first answers.
    pub async fn start(script: &[u16]) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let shared = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (received, script) = (shared.clone(), script.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, received, script).await;
                });
            }
        });
        Receiver { address, received }
    }

    /// A URL of this receiver with `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// What was received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (bounded, 20 s) until `count` requests arrived whose request line contains
    /// `path`; returns them.
    pub async fn wait_for(&self, path: &str, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let matching: Vec<Received> = self
                .received()
                .into_iter()
                .filter(|request| request.request_line.contains(path))
                .collect();
            if matching.len() >= count {
                return matching;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{count} requests to {path} expected, got {matching:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn serve(
    mut stream: TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
) -> std::io::Result<()> {
    // One request per connection is enough for reqwest; keep-alive connections are served
    // request by request.
    loop {
        let mut buffer = Vec::new();
        let header_end = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                break end;
            }
            if buffer.len() > MAX_REQUEST {
                return Ok(());
            }
            let mut chunk = [0u8; 4096];
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..read]);
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0)
            .min(MAX_REQUEST);
        let mut body = buffer[header_end + 4..].to_vec();
        while body.len() < length {
            let mut chunk = [0u8; 4096];
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            body.extend_from_slice(&chunk[..read]);
        }
        body.truncate(length);
        let status = script.lock().unwrap().pop_front().unwrap_or(200);
        received.lock().unwrap().push(Received {
            request_line,
            headers,
            body,
            answered: status,
        });
        let reason = if status == 200 { "OK" } else { "Scripted" };
        let response = format!("HTTP/1.1 {status} {reason}\r\ncontent-length: 2\r\n\r\nok");
        stream.write_all(response.as_bytes()).await?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
