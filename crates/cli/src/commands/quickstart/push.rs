//! Commits to the quickstart's repository reach ferry the way GitHub's would: as a signed
//! push webhook. A bounded poll of `main` (once a second, until shutdown) posts ferry's
//! generic webhook, HMAC-signed with the server's secret, whenever the branch moves.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

use super::example::head;

/// How often `main` is read.
const INTERVAL: Duration = Duration::from_secs(1);

/// Watches `repo`'s `main` until `stop` turns true; each new commit is announced to the
/// server at `server` for the repository `url`.
pub(crate) async fn announce_commits(
    repo: PathBuf,
    url: String,
    server: SocketAddr,
    secret: String,
    mut stop: watch::Receiver<bool>,
    progress: super::Progress,
) {
    let mut last = read_head(&repo).await;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(INTERVAL) => {}
        }
        if *stop.borrow() {
            return;
        }
        let current = read_head(&repo).await;
        if current.is_none() || current == last {
            continue;
        }
        last = current.clone();
        let revision = current.unwrap_or_default();
        let body = serde_json::json!({
            "repository": url,
            "branch": "main",
            "defaultBranch": "main",
            "revision": revision,
        })
        .to_string();
        let signature = ferry_server::webhook::sign(secret.as_bytes(), body.as_bytes());
        match post(server, &body, &signature).await {
            Ok(status) => progress.say(&format!(
                "commit {} on main: push webhook sent ({status})",
                &revision[..revision.len().min(12)]
            )),
            Err(error) => eprintln!("commit {revision}: the push webhook failed: {error}"),
        }
    }
}

async fn read_head(repo: &std::path::Path) -> Option<String> {
    let repo = repo.to_path_buf();
    tokio::task::spawn_blocking(move || head(&repo))
        .await
        .ok()
        .flatten()
}

/// One HTTP/1.1 POST of the generic webhook; the status line's code and reason.
async fn post(server: SocketAddr, body: &str, signature: &str) -> std::io::Result<String> {
    let request = format!(
        "POST /api/webhook/generic HTTP/1.1\r\nHost: {server}\r\nContent-Type: application/json\r\n{}: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        ferry_server::webhook::GENERIC_SIGNATURE,
        body.len()
    );
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(server).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.take(64 * 1024).read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 10 s"))??;
    let text = String::from_utf8_lossy(&response);
    let status = text.lines().next().unwrap_or_default();
    Ok(status
        .split_once(' ')
        .map_or(status, |(_, rest)| rest)
        .to_string())
}
