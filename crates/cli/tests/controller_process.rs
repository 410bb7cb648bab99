//! `ferry controller` as a process and `ferry app …` as a user runs them, against a local
//! cluster (HTTPS, simulated workloads at 10x) and a real Git repository: the controller is
//! killed with SIGKILL in the middle of a sync and started again; the app commands create,
//! list, watch, show, diff, and delete an Application.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{git, stderr, stdout, write_files};
use ferry_cluster::{ClusterConfig, RunningCluster};
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_types::Gvk;
use serde_json::Value;
use tempfile::TempDir;

/// The longest a test waits for a state.
const PATIENCE: Duration = Duration::from_secs(40);

const MIGRATE: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox:1.36
";

/// Ready 60 s (6 s at 10x) after its pod starts: a sync waits on it long enough to be killed.
const SLOW_WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations: {cluster.ferry.dev/fault: slow-start=60s}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  value: one\n";

struct Setup {
    dir: TempDir,
    cluster: RunningCluster,
    client: ClusterClient,
    _controllers: ferry_workloads::ControllersHandle,
}

impl Setup {
    async fn start(files: &[(&str, &str)]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let cluster = ferry_cluster::start(ClusterConfig {
            data_dir: dir.path().join("cluster"),
            listen: "127.0.0.1:0".parse().unwrap(),
            kubeconfig_path: None,
            insecure_http: false,
        })
        .await
        .unwrap();
        let simulation = ferry_workloads::SimulationConfig::with_time_factor(0.1)
            .with_root_ca_from(&dir.path().join("cluster"));
        let controllers = ferry_workloads::spawn_controllers(cluster.state.clone(), simulation);
        let connect = ConnectOptions {
            kubeconfig: Some(cluster.kubeconfig.clone()),
            context: None,
        };
        let client = ClusterClient::connect(&connect, &Default::default())
            .await
            .unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        write_files(&repo, files);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "first"]);
        Setup {
            dir,
            cluster,
            client,
            _controllers: controllers,
        }
    }

    fn repo_url(&self) -> String {
        format!("file://{}", self.dir.path().join("repo").display())
    }

    /// `ferry controller` in the background, polling every second.
    fn controller(&self) -> Child {
        Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(["controller", "--poll-interval", "1s", "--kubeconfig"])
            .arg(&self.cluster.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("controller-cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ferry controller starts")
    }

    /// Runs `ferry app <args> --kubeconfig <the cluster's>`, off the runtime's threads.
    fn app(&self, args: &[&str]) -> std::process::Output {
        let kubeconfig = self.cluster.kubeconfig.display().to_string();
        let mut all = vec!["app"];
        all.extend(args);
        all.extend(["--kubeconfig", &kubeconfig]);
        tokio::task::block_in_place(|| common::ferry(self.dir.path(), &all))
    }

    async fn get(&self, api_version: &str, kind: &str, name: &str) -> Option<Value> {
        let resource = self
            .client
            .resource(&Gvk::from_api_version(api_version, kind))
            .await
            .unwrap();
        self.client.get(&resource, "default", name).await.unwrap()
    }

    async fn wait_for(&self, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let app = self
                .get("ferry.dev/v1alpha1", "Application", "shop")
                .await
                .unwrap_or_default();
            if ready(&app) {
                return app;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "not {what} after {PATIENCE:?}:\n{}",
                serde_json::to_string_pretty(&app).unwrap()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Creates Application `shop` with `ferry app create`, retrying (bounded) until the
    /// controller has installed the CRD.
    fn create_app(&self, extra: &[&str]) {
        let url = self.repo_url();
        let mut args = vec![
            "create",
            "shop",
            "--repo",
            &url,
            "--revision",
            "main",
            "--dest-namespace",
            "default",
        ];
        args.extend(extra);
        let started = Instant::now();
        loop {
            let output = self.app(&args);
            if output.status.success() {
                assert_eq!(stdout(&output), "application default/shop created\n");
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "ferry app create: {}",
                stderr(&output)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn kill(mut child: Child) {
    // SIGKILL: no chance to finish anything.
    child.kill().unwrap();
    child.wait().unwrap();
}

fn history(app: &Value) -> Vec<Value> {
    app["status"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_killed_mid_sync_converges_after_a_restart_without_running_a_hook_twice() {
    let setup = Setup::start(&[("migrate.yaml", MIGRATE), ("web.yaml", SLOW_WEB)]).await;
    let controller = setup.controller();
    setup.create_app(&["--auto-sync"]);
    // Mid-sync: the PreSync hook has run and the Deployment's wave is waiting on its health.
    setup
        .wait_for("syncing the Deployment's wave", |app| {
            app["status"]["operationState"]["phase"] == "Running"
        })
        .await;
    let started = Instant::now();
    while setup.get("apps/v1", "Deployment", "web").await.is_none() {
        assert!(
            started.elapsed() < PATIENCE,
            "the Deployment was never applied"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hook = setup.get("batch/v1", "Job", "migrate").await.unwrap();
    kill(controller);
    let running = setup.wait_for("left Running", |_| true).await;
    assert_eq!(running["status"]["operationState"]["phase"], "Running");
    assert!(history(&running).is_empty());

    let controller = setup.controller();
    let app = setup
        .wait_for("Synced and Healthy after the restart", |app| {
            app["status"]["sync"]["status"] == "Synced"
                && app["status"]["health"]["status"] == "Healthy"
                && app["status"]["operationState"]["phase"] == "Succeeded"
        })
        .await;
    let after = setup.get("batch/v1", "Job", "migrate").await.unwrap();
    assert_eq!(
        after["metadata"]["uid"], hook["metadata"]["uid"],
        "the PreSync hook ran a second time"
    );
    let history = history(&app);
    assert_eq!(history.len(), 1, "{history:#?}");
    assert_eq!(history[0]["result"], "Succeeded");
    assert_eq!(
        app["status"]["operationState"]["startedAt"],
        running["status"]["operationState"]["startedAt"],
        "the same operation was carried out, not a new one"
    );
    kill(controller);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_commands_create_list_watch_get_diff_history_and_delete_an_application() {
    let setup = Setup::start(&[("settings.yaml", SETTINGS)]).await;
    let controller = setup.controller();
    setup.create_app(&[]);
    setup
        .wait_for("OutOfSync (no automation)", |app| {
            app["status"]["sync"]["status"] == "OutOfSync"
        })
        .await;

    let diff = setup.app(&["diff", "shop"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    assert!(
        stdout(&diff).contains("+++ desired ConfigMap/default/settings"),
        "{}",
        stdout(&diff)
    );

    // Waiting for a revision that never comes ends at the timeout with exit 1.
    let missing = setup.app(&["wait", "shop", "--revision", "0000000", "--timeout", "1s"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("after 1s"),
        "{}",
        stderr(&missing)
    );

    // A partial sync naming the app's one object (Argo CD's --resource form).
    let bad = setup.app(&["sync", "shop", "--resource", "ConfigMap/settings"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("--resource \"ConfigMap/settings\": expected GROUP:KIND:NAME"),
        "{}",
        stderr(&bad)
    );
    let sync = setup.app(&["sync", "shop", "--resource", ":ConfigMap:settings"]);
    assert!(sync.status.success(), "{}", stderr(&sync));
    assert_eq!(stdout(&sync), "sync of shop requested (1 of its objects)\n");
    // As a CI job would: wait for the sync to land.
    let waited = setup.app(&["wait", "shop", "--timeout", "30s"]);
    assert!(waited.status.success(), "{}", stderr(&waited));
    assert!(
        stdout(&waited).starts_with("application default/shop: Synced/Healthy at "),
        "{}",
        stdout(&waited)
    );
    setup
        .wait_for("Synced", |app| {
            app["status"]["sync"]["status"] == "Synced" && history(app).len() == 1
        })
        .await;

    let list = setup.app(&["list"]);
    let text = stdout(&list);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("NAMESPACE  NAME  SYNC STATUS  HEALTH STATUS  REVISION"),
        "{text}"
    );
    assert!(lines[1].starts_with("default    shop  Synced"), "{text}");

    // A live view: the first frame at once, then it ends at --watch-for.
    let watch = setup.app(&["list", "--watch", "--watch-for", "2s"]);
    assert!(watch.status.success(), "{}", stderr(&watch));
    assert!(stdout(&watch).starts_with(&text), "{}", stdout(&watch));

    let yaml = setup.app(&["get", "shop", "-o", "yaml"]);
    let document = ferry_yaml::parse_single("get", yaml.stdout.as_slice()).unwrap();
    assert_eq!(document["status"]["sync"]["status"], "Synced");

    let history_table = stdout(&setup.app(&["history", "shop"]));
    let header: Vec<&str> = history_table
        .lines()
        .next()
        .unwrap()
        .split("  ")
        .map(str::trim)
        .filter(|column| !column.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "ID",
            "REVISION",
            "DEPLOYED AT",
            "RESULT",
            "DURATION",
            "AUTHOR",
            "MESSAGE",
            "INITIATOR"
        ]
    );
    let row = history_table.lines().nth(1).unwrap();
    assert!(row.contains("Succeeded"), "{history_table}");
    assert!(row.contains("first"), "{history_table}");

    let diff = setup.app(&["diff", "shop"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));

    // A cascading delete (the default, as `argocd app delete`): the controller deletes the
    // objects, then lets the Application go; `--wait` returns once it is gone.
    let delete = setup.app(&["delete", "shop", "--wait", "--timeout", "30s"]);
    assert!(delete.status.success(), "{}", stderr(&delete));
    assert_eq!(
        String::from_utf8_lossy(&delete.stdout),
        "application default/shop deleted (its objects were deleted first)\n"
    );
    assert!(
        setup
            .get("ferry.dev/v1alpha1", "Application", "shop")
            .await
            .is_none()
    );
    assert!(setup.get("v1", "ConfigMap", "settings").await.is_none());
    kill(controller);
}
