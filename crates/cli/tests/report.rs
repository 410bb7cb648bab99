//! `ferry report` end to end: the real binary reads Applications from `ferry cluster up`
//! (CRD from `ferry install`, status written with kubectl) and prints the figures of a known
//! history.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::*;
use serde_json::{Value, json};

/// A running `ferry cluster up`, stopped on drop.
struct Cluster(Child);

impl Cluster {
    fn start(data: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(["cluster", "up", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ferry runs");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        assert!(first_line.contains("https://127.0.0.1:"), "{first_line:?}");
        Self(child)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str], input: Option<&str>) -> (bool, String) {
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    if let Some(input) = input {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Runs kubectl until it succeeds (bounded: the CRD takes a moment to be served).
fn kubectl_eventually(kubeconfig: &Path, args: &[&str], input: Option<&str>) {
    let started = Instant::now();
    loop {
        let (ok, text) = kubectl(kubeconfig, args, input);
        if ok {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "kubectl {args:?}: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn ago(seconds: u64) -> String {
    ferry_telemetry::format_rfc3339(SystemTime::now() - Duration::from_secs(seconds))
}

#[test]
fn ferry_report_prints_the_figures_of_a_recorded_history() {
    if !tool_available("kubectl") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let _cluster = Cluster::start(data.path());
    let kubeconfig = data.path().join("kubeconfig");

    let install = ferry(data.path(), &["install"]);
    assert!(install.status.success(), "{}", stderr(&install));
    let crds: Vec<Value> = parse_stream(&stdout(&install))
        .into_iter()
        .filter(|object| object["kind"] == "CustomResourceDefinition")
        .collect();
    let crds =
        serde_json::to_string(&json!({"apiVersion": "v1", "kind": "List", "items": crds})).unwrap();
    kubectl_eventually(
        &kubeconfig,
        &["apply", "--validate=false", "-f", "-"],
        Some(&crds),
    );
    let app = json!({
        "apiVersion": "ferry.dev/v1alpha1", "kind": "Application",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://example.com/repo.git", "path": "."},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "staging"}
        }
    });
    kubectl_eventually(
        &kubeconfig,
        &["apply", "--validate=false", "-f", "-"],
        Some(&app.to_string()),
    );
    let hour = 3600;
    // Deployed 2 min after its start, a failed sync, then the fix 1 h 4.5 min after the
    // failure; commit times give lead times of 1h2m and 1h35m.
    let status = json!({"status": {
        "sync": {"status": "Synced", "revision": "bbb"},
        "health": {"status": "Healthy"},
        "history": [
            {"id": 1, "revision": "aaa", "deployStartedAt": ago(3 * hour),
             "deployedAt": ago(3 * hour - 120), "commitTime": ago(4 * hour)},
            {"id": 2, "revision": "bbb", "deployStartedAt": ago(2 * hour),
             "deployedAt": ago(2 * hour - 30), "result": "Failed"},
            {"id": 3, "revision": "bbb", "deployStartedAt": ago(hour),
             "deployedAt": ago(hour - 300), "commitTime": ago(2 * hour + 1800)}
        ]
    }});
    kubectl_eventually(
        &kubeconfig,
        &[
            "patch",
            "applications.ferry.dev",
            "web",
            "-n",
            "default",
            "--subresource=status",
            "--type=merge",
            "-p",
            &status.to_string(),
        ],
        None,
    );

    let kubeconfig_arg = kubeconfig.to_str().unwrap();
    let table = ferry(
        data.path(),
        &["report", "--kubeconfig", kubeconfig_arg, "--since", "1d"],
    );
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Deployments from "), "{text}");
    assert!(lines[0].ends_with("(1d), from recorded history"), "{text}");
    assert_eq!(
        lines[1..].join("\n"),
        "\
ENVIRONMENT  NAMESPACE  APP  DEPLOYS  FAILED  SUCCESS  P50  P95  LEAD TIME  CHANGE FAILURE  TIME TO RESTORE
staging      default    web  2        1       67%      2m   5m   1h2m       33%             1h4m"
    );

    let json = ferry(
        data.path(),
        &[
            "report",
            "--kubeconfig",
            kubeconfig_arg,
            "-A",
            "--app",
            "web",
            "-o",
            "json",
        ],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let report: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let figures = &report["apps"][0]["figures"];
    assert_eq!(report["windowSeconds"], 7 * 86_400);
    assert_eq!(figures["deployments"], 2);
    assert_eq!(figures["attempts"], 3);
    assert_eq!(figures["leadTimeSeconds"], 3720.0);
    assert_eq!(figures["timeToRestoreSeconds"], 3870.0);

    let missing = ferry(
        data.path(),
        &["report", "--kubeconfig", kubeconfig_arg, "--app", "nope"],
    );
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("no Application nope in namespace default"));
    let bad = ferry(
        data.path(),
        &["report", "--kubeconfig", kubeconfig_arg, "--since", "soon"],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("invalid duration \"soon\""),
        "{}",
        stderr(&bad)
    );
}
