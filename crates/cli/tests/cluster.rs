//! `ferry cluster up` end to end: the real binary serves, the real kubectl uses the kubeconfig
//! it writes, and state survives a restart.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::*;

/// A running `ferry cluster up`, stopped on drop.
struct Cluster(Child);

impl Cluster {
    fn start(data: &Path) -> (Self, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args([
                "cluster",
                "up",
                "--listen",
                "127.0.0.1:0",
                "--time-factor",
                "0.1",
                "--data",
            ])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ferry runs");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        let url = first_line
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(
            url.starts_with("https://127.0.0.1:"),
            "unexpected first line {first_line:?}"
        );
        (Self(child), url)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .expect("kubectl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn kubectl_uses_the_written_kubeconfig_workloads_roll_out_and_objects_survive_a_restart() {
    if !tool_available("kubectl") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let kubeconfig = data.path().join("kubeconfig");
    let (cluster, _) = Cluster::start(data.path());
    let (ok, namespaces) = kubectl(&kubeconfig, &["get", "namespaces", "-o", "name"]);
    assert!(ok, "{namespaces}");
    assert!(namespaces.contains("namespace/default"), "{namespaces}");
    let manifest = workspace().join("examples/real-estate-ai-os/base/web.yaml");
    let (ok, created) = kubectl(
        &kubeconfig,
        &["apply", "-n", "default", "-f", manifest.to_str().unwrap()],
    );
    assert!(ok, "{created}");
    let (ok, rollout) = kubectl(
        &kubeconfig,
        &[
            "rollout",
            "status",
            "deployment/web",
            "-n",
            "default",
            "--timeout=60s",
        ],
    );
    assert!(ok, "{rollout}");
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    drop(cluster);

    let (_cluster, _) = Cluster::start(data.path());
    let (ok, deployments) = kubectl(
        &kubeconfig,
        &[
            "get",
            "deployment",
            "web",
            "-n",
            "default",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert!(ok, "{deployments}");
    assert_eq!(deployments, "registry.example.com/reai/web:3.0.2");
    let unauthorised = Command::new("kubectl")
        .args(["--kubeconfig"])
        .arg(&kubeconfig)
        .args(["--token", "wrong", "get", "namespaces"])
        .output()
        .unwrap();
    assert!(!unauthorised.status.success());
    assert!(String::from_utf8_lossy(&unauthorised.stderr).contains("Unauthorized"));
}

#[test]
fn ferry_cluster_fault_adds_lists_and_clears_faults_that_kubectl_sees() {
    if !tool_available("kubectl") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let kubeconfig = data.path().join("kubeconfig");
    let data_arg = data.path().to_str().unwrap();
    let (_cluster, _) = Cluster::start(data.path());
    let added = ferry(
        data.path(),
        &[
            "cluster",
            "fault",
            "add",
            "errors",
            "--code",
            "503",
            "--resource",
            "configmaps",
            "--data",
            data_arg,
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(
        stdout(&added),
        "fault-1 added: errors code=503 fraction=1.0 resources=configmaps\n"
    );
    let (ok, refused) = kubectl(&kubeconfig, &["get", "configmaps"]);
    assert!(!ok);
    assert!(
        refused.contains("Error from server (ServiceUnavailable)"),
        "{refused}"
    );
    let (ok, namespaces) = kubectl(&kubeconfig, &["get", "namespaces", "-o", "name"]);
    assert!(ok, "{namespaces}");
    let listed = ferry(
        data.path(),
        &["cluster", "fault", "list", "--data", data_arg],
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    let lines: Vec<String> = stdout(&listed).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("ID"), "{lines:?}");
    assert!(
        lines[1].starts_with("fault-1   errors   code=503 fraction=1.0 resources=configmaps   -"),
        "{lines:?}"
    );
    let wrong = ferry(
        data.path(),
        &[
            "cluster", "fault", "add", "errors", "--code", "404", "--data", data_arg,
        ],
    );
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains(
            "invalid fault: code: unsupported value 404: supported values: 429, 500, 503"
        ),
        "{}",
        stderr(&wrong)
    );
    let cleared = ferry(
        data.path(),
        &["cluster", "fault", "clear", "fault-1", "--data", data_arg],
    );
    assert!(cleared.status.success(), "{}", stderr(&cleared));
    assert_eq!(stdout(&cleared), "fault-1 cleared\n");
    let (ok, config_maps) = kubectl(&kubeconfig, &["get", "configmaps", "-o", "name"]);
    assert!(ok, "{config_maps}");
    let cleared = ferry(
        data.path(),
        &["cluster", "fault", "clear", "--all", "--data", data_arg],
    );
    assert_eq!(stdout(&cleared), "cleared 0 faults\n");
    let listed = ferry(
        data.path(),
        &["cluster", "fault", "list", "--data", data_arg],
    );
    assert_eq!(stdout(&listed), "no active faults\n");
}
