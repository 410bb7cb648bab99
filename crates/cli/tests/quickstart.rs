//! `ferry quickstart` end to end, as a user runs it: the real binary on a fresh data
//! directory, then a commit, drift and the API, then Ctrl-C (SIGINT).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// Stops the quickstart if a test fails midway.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kubectl(data: &Path, args: &[&str]) -> String {
    let output = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", data.join("kubeconfig"))
        .output()
        .expect("kubectl runs");
    assert!(
        output.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Polls `check` every 250 ms until it holds or `limit` passes.
fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("{what}: not within {limit:?}");
}

/// One plain HTTP/1.1 GET; the status code and body.
fn get(address: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (code, body)
}

#[test]
fn the_quickstart_deploys_the_example_then_a_commit_and_heals_drift_on_a_fresh_data_directory() {
    if !tool_available("kubectl") || !tool_available("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("state");
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["quickstart", "--data"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0", "--timeout", "4m"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("ferry runs");
    let mut running = Running(child);
    let (lines, received) = mpsc::channel();
    let stdout = running.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });

    // Fresh directory: everything is made, staging then production deployed.
    let mut output = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !output
        .iter()
        .any(|line: &String| line.starts_with("ferry quickstart is ready"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) => output.push(line),
            Err(_) => panic!(
                "not ready in 300 s; stdout:\n{}\nstderr:\n{}",
                output.join("\n"),
                std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default()
            ),
        }
    }
    // The rest of the summary follows the ready line.
    while let Ok(line) = received.recv_timeout(Duration::from_secs(2)) {
        output.push(line);
    }
    let text = output.join("\n");
    assert!(
        text.contains("created from examples/real-estate-ai-os"),
        "{text}"
    );
    let staging = text
        .find("reai-staging: Synced/Healthy")
        .expect("staging ready");
    let production = text
        .find("reai-production: Synced/Healthy")
        .expect("production ready");
    assert!(staging < production, "staging first:\n{text}");
    for file in ["kubeconfig", "api-token", "webhook-secret"] {
        assert!(data.join(file).is_file(), "{file}");
    }
    let apps = kubectl(
        &data,
        &[
            "get",
            "applications.ferry.dev",
            "-n",
            "ferry",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.status.sync.status}/{.status.health.status} {end}",
        ],
    );
    assert_eq!(
        apps,
        "reai-production=Synced/Healthy reai-root=Synced/Healthy reai-staging=Synced/Healthy"
    );
    let replicas = |data: &Path| {
        kubectl(
            data,
            &[
                "-n",
                "reai-staging",
                "get",
                "deployment",
                "web",
                "-o",
                "jsonpath={.spec.replicas}",
            ],
        )
    };
    assert_eq!(replicas(&data), "1");

    // The API answers with the token the quickstart wrote, and refuses without it.
    let api = text
        .lines()
        .find_map(|line| line.strip_prefix("API and UI"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|url| url.strip_prefix("http://"))
        .expect("the API address is printed")
        .to_string();
    let token = std::fs::read_to_string(data.join("api-token")).unwrap();
    let (code, body) = get(&api, "/api/v1/applications", Some(token.trim()));
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("reai-staging"), "{body}");
    assert_eq!(get(&api, "/api/v1/applications", None).0, 401);

    // A commit is deployed (the quickstart announces it by webhook).
    let repo = data.join("repos/real-estate-ai-os");
    let kustomization = repo.join("overlays/staging/kustomization.yaml");
    let before = std::fs::read_to_string(&kustomization).unwrap();
    std::fs::write(
        &kustomization,
        before.replace("  - name: web\n    count: 1", "  - name: web\n    count: 2"),
    )
    .unwrap();
    git(&repo, &["commit", "-qam", "staging: two web replicas"]);
    eventually(Duration::from_secs(60), "the commit is deployed", || {
        replicas(&data) == "2"
    });

    // Drift heals.
    kubectl(
        &data,
        &[
            "-n",
            "reai-staging",
            "scale",
            "deployment/web",
            "--replicas=5",
        ],
    );
    eventually(
        Duration::from_secs(90),
        "the scaled Deployment heals",
        || replicas(&data) == "2",
    );

    // Ctrl-C stops everything cleanly.
    let pid = running.0.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = running.0.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running 60 s after SIGINT");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(exit.success(), "{exit:?}");
}
