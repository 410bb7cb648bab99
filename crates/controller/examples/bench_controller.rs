//! The controller's benchmark: a local cluster (HTTPS, in this process), one Git repository
//! over file://, and the controller in a child process (this binary again, `controller`
//! mode), so its memory is its own. Measures commit-to-deployed latency with a refresh
//! request, drift-to-healed latency over 100 trials (100 self-healing apps, one drift each,
//! so no backoff is involved), the time from nothing to N apps × 10 ConfigMaps all Synced and
//! Healthy, and the controller's resident memory then. Prints a table.
//!
//! ```text
//! cargo build --release -p ferry-controller --example bench_controller
//! target/release/examples/bench_controller [APPS=1000] [WORKERS=8]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ferry_cluster::ClusterConfig;
use ferry_controller::{Controller, ControllerConfig};
use ferry_engine::{ClusterClient, ConnectOptions, WriteOptions};
use futures_util::{StreamExt, stream};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

const HEAL_TRIALS: usize = 100;
const COMMIT_TRIALS: usize = 10;
const OBJECTS_PER_APP: usize = 10;
/// Bound of every wait.
const PATIENCE: Duration = Duration::from_secs(900);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("controller") {
        run_controller(&args[2..]);
        return;
    }
    let apps: usize = args
        .get(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(1000);
    let workers: usize = args.get(2).and_then(|text| text.parse().ok()).unwrap_or(8);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(bench(apps, workers));
}

/// `controller KUBECONFIG CACHE WORKERS`: the controller alone, until killed.
fn run_controller(args: &[String]) {
    let config = ControllerConfig {
        connect: ConnectOptions {
            kubeconfig: Some(PathBuf::from(&args[0])),
            context: None,
        },
        cache_dir: PathBuf::from(&args[1]),
        workers: args[2].parse().unwrap(),
        poll_interval: Duration::from_secs(600),
        ..ControllerConfig::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let controller = Controller::connect(config).await.unwrap();
        controller.run(std::future::pending()).await.unwrap();
    });
}

async fn bench(apps: usize, workers: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = ferry_cluster::start(ClusterConfig {
        data_dir: dir.path().join("cluster"),
        listen: "127.0.0.1:0".parse().unwrap(),
        kubeconfig_path: None,
        insecure_http: false,
    })
    .await
    .unwrap();
    let connect = ConnectOptions {
        kubeconfig: Some(cluster.kubeconfig.clone()),
        context: None,
    };
    let client = ClusterClient::connect(&connect, &Default::default())
        .await
        .unwrap();
    let repo = dir.path().join("repo");
    make_repo(&repo, apps);
    let mut controller = Command::new(std::env::current_exe().unwrap())
        .arg("controller")
        .arg(&cluster.kubeconfig)
        .arg(dir.path().join("cache"))
        .arg(workers.to_string())
        .stdout(Stdio::null())
        .stderr(match std::env::var_os("BENCH_CONTROLLER_LOG") {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::null(),
        })
        .spawn()
        .unwrap();
    let url = format!("file://{}", repo.display());

    // Commit to deployed, with a refresh request.
    create_apps(&client, &url, &["latency".to_string()], false).await;
    let heal: Vec<String> = (0..HEAL_TRIALS)
        .map(|index| format!("heal-{index:03}"))
        .collect();
    create_apps(&client, &url, &heal, true).await;
    wait_synced(&client, 1 + HEAL_TRIALS).await;
    eprintln!(
        "{} apps synced; measuring commit → deployed",
        1 + HEAL_TRIALS
    );
    let mut commit_latencies = Vec::new();
    for trial in 0..COMMIT_TRIALS {
        let value = format!("v{trial}");
        write(
            &repo.join("latency/cm.yaml"),
            &config_map("latency-0", &value),
        );
        git(&repo, &["commit", "-qam", &value]);
        let started = Instant::now();
        patch_app(&client, "latency").await;
        wait_value(&client, "latency-0", &value).await;
        commit_latencies.push(started.elapsed());
    }

    eprintln!("measuring drift → healed");
    // Drift to healed: one drift per app.
    let mut heal_latencies = Vec::new();
    for name in &heal {
        let object = format!("{name}-0");
        let started = Instant::now();
        patch_config_map(&client, &object, "drifted").await;
        wait_value(&client, &object, "original").await;
        heal_latencies.push(started.elapsed());
    }

    // Empty to N apps × 10 objects, all Synced and Healthy.
    let names: Vec<String> = (0..apps).map(|index| format!("app-{index:04}")).collect();
    eprintln!("creating {apps} apps");
    let started = Instant::now();
    create_apps(&client, &url, &names, false).await;
    wait_synced(&client, 1 + HEAL_TRIALS + apps).await;
    let converged = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss, peak) = memory(controller.id());
    controller.kill().unwrap();
    controller.wait().unwrap();

    let row = |what: &str, value: String| println!("{what:<58} {value}");
    println!(
        "ferry-controller benchmark: {apps} apps × {OBJECTS_PER_APP} ConfigMaps, {workers} workers\n"
    );
    row(
        &format!("commit → deployed, refresh on demand (p50 of {COMMIT_TRIALS})"),
        format!("{:?}", percentile(&mut commit_latencies, 50)),
    );
    row(
        &format!("drift → healed, selfHeal (p50 of {HEAL_TRIALS})"),
        format!("{:?}", percentile(&mut heal_latencies, 50)),
    );
    row(
        &format!("drift → healed, selfHeal (p99 of {HEAL_TRIALS})"),
        format!("{:?}", percentile(&mut heal_latencies, 99)),
    );
    row(
        &format!("empty → {apps} apps Synced and Healthy"),
        format!("{converged:.1?}"),
    );
    row(
        &format!("controller RSS with {} apps (peak)", apps + HEAL_TRIALS + 1),
        format!("{} MiB ({} MiB)", rss / 1024, peak / 1024),
    );
}

fn percentile(values: &mut [Duration], percent: usize) -> Duration {
    values.sort();
    let index = (values.len() * percent).div_ceil(100).saturating_sub(1);
    values[index.min(values.len() - 1)]
}

/// VmRSS and VmHWM of a process, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn make_repo(repo: &Path, apps: usize) {
    std::fs::create_dir_all(repo).unwrap();
    git(repo, &["init", "-q", "-b", "main"]);
    write(&repo.join("latency/cm.yaml"), &config_map("latency-0", "v"));
    for index in 0..HEAL_TRIALS {
        let name = format!("heal-{index:03}");
        write(
            &repo.join(format!("{name}/cm.yaml")),
            &config_map(&format!("{name}-0"), "original"),
        );
    }
    for index in 0..apps {
        let name = format!("app-{index:04}");
        for object in 0..OBJECTS_PER_APP {
            write(
                &repo.join(format!("{name}/cm-{object}.yaml")),
                &config_map(&format!("{name}-{object}"), "value"),
            );
        }
    }
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "apps"]);
}

fn config_map(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: {value}\n")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

async fn create_apps(client: &ClusterClient, url: &str, names: &[String], self_heal: bool) {
    let documents: Vec<Value> = names
        .iter()
        .map(|name| {
            let mut document = json!({
                "apiVersion": "ferry.dev/v1alpha1",
                "kind": "Application",
                "metadata": {"name": name, "namespace": "default"},
                "spec": {
                    "source": {"repoURL": url, "targetRevision": "main", "path": name},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
                    "syncPolicy": {"automated": {"prune": true}}
                }
            });
            if self_heal {
                document["spec"]["syncPolicy"]["automated"]["selfHeal"] = true.into();
            }
            document
        })
        .collect();
    stream::iter(documents)
        .for_each_concurrent(16, |document| async move {
            let started = Instant::now();
            // Until the controller has installed the CRD.
            while client.create(&document, WriteOptions::APPLY).await.is_err() {
                assert!(started.elapsed() < PATIENCE, "cannot create {document}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
}

async fn wait_synced(client: &ClusterClient, count: usize) {
    let started = Instant::now();
    loop {
        let apps = ferry_controller::list_applications(client.kube(), Some("default"))
            .await
            .unwrap_or_default();
        let done = apps
            .iter()
            .filter(|app| {
                app.status.as_ref().is_some_and(|status| {
                    status.sync.status == ferry_types::SyncStatusCode::Synced
                        && status.health.status == ferry_types::HealthStatusCode::Healthy
                })
            })
            .count();
        if done >= count {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{done} of {count} apps synced"
        );
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            eprintln!("{:?}: {done} of {count} apps synced", started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn config_maps(client: &ClusterClient) -> Api<DynamicObject> {
    let resource = ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
    };
    Api::namespaced_with(client.kube().clone(), "default", &resource)
}

async fn wait_value(client: &ClusterClient, name: &str, value: &str) {
    let started = Instant::now();
    let api = config_maps(client);
    loop {
        if let Ok(object) = api.get(name).await
            && object.data["data"]["value"] == value
        {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "{name} never had {value}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn patch_config_map(client: &ClusterClient, name: &str, value: &str) {
    config_maps(client)
        .patch(
            name,
            &PatchParams {
                field_manager: Some("bench".into()),
                ..PatchParams::default()
            },
            &Patch::Merge(json!({"data": {"value": value}})),
        )
        .await
        .unwrap();
}

async fn patch_app(client: &ClusterClient, name: &str) {
    let resource = ApiResource {
        group: "ferry.dev".into(),
        version: "v1alpha1".into(),
        api_version: "ferry.dev/v1alpha1".into(),
        kind: "Application".into(),
        plural: "applications".into(),
    };
    Api::<DynamicObject>::namespaced_with(client.kube().clone(), "default", &resource)
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"ferry.dev/refresh": "normal"}}})),
        )
        .await
        .unwrap();
}
