//! The real `kubectl` against the server over HTTPS with the written kubeconfig. Without kubectl
//! on the PATH the tests are skipped locally and fail under `CI=true`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ferry_cluster::{ClusterConfig, RunningCluster, start};
use ferry_testkit::{Kubectl, available};
use serde_json::Value;

async fn cluster(data: &Path, kubeconfig: &Path) -> RunningCluster {
    let config = ClusterConfig {
        data_dir: data.to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig_path: Some(kubeconfig.to_path_buf()),
        insecure_http: false,
    };
    start(config).await.expect("cluster starts")
}

const STACK: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: default
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example.invalid/web:1.0
";

const WIDGET: &str = "apiVersion: conformance.example.com/v1
kind: Widget
metadata:
  name: sprocket
  namespace: default
spec:
  size: 3
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_manages_objects_over_https_with_the_written_kubeconfig() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let kubeconfig = temp.path().join("kubeconfig");
    let running = cluster(&temp.path().join("data"), &kubeconfig).await;
    assert!(running.url.starts_with("https://127.0.0.1:"));
    let work = temp.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let kubectl = Kubectl::new(&kubeconfig.clone(), temp.path());

    let namespaces = kubectl.ok(&["get", "ns"]).await;
    assert!(
        namespaces.contains("default") && namespaces.contains("kube-system"),
        "{namespaces}"
    );

    let stack = kubectl.file("stack.yaml", STACK);
    let applied = kubectl.ok(&["apply", "-f", &stack]).await;
    assert_eq!(
        applied,
        "configmap/app-config created\ndeployment.apps/web created\n"
    );
    let unchanged = kubectl.ok(&["apply", "-f", &stack]).await;
    assert_eq!(
        unchanged,
        "configmap/app-config unchanged\ndeployment.apps/web unchanged\n"
    );

    let changed = kubectl.file(
        "changed.yaml",
        &STACK.replace("greeting: hello", "greeting: hello again"),
    );
    let configured = kubectl.ok(&["apply", "-f", &changed]).await;
    assert_eq!(
        configured,
        "configmap/app-config configured\ndeployment.apps/web unchanged\n"
    );
    let config_map = kubectl.json(&["get", "configmap", "app-config"]).await;
    assert_eq!(config_map["data"]["greeting"], "hello again");
    let strategic = kubectl
        .ok(&["patch", "deployment", "web", "-p", r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.invalid/web:1.1"}]}}}}"#])
        .await;
    assert_eq!(strategic, "deployment.apps/web patched\n");
    assert!(
        config_map["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .is_string()
    );

    assert_eq!(
        kubectl
            .ok(&["label", "configmap", "app-config", "tier=backend"])
            .await,
        "configmap/app-config labeled\n"
    );
    assert_eq!(
        kubectl
            .ok(&["annotate", "configmap", "app-config", "note=hi"])
            .await,
        "configmap/app-config annotated\n"
    );
    let patched = kubectl
        .ok(&[
            "patch",
            "deployment",
            "web",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"replicas":3}}"#,
        ])
        .await;
    assert_eq!(patched, "deployment.apps/web patched\n");
    let config_map = kubectl
        .json(&["get", "cm", "app-config", "--show-managed-fields"])
        .await;
    assert_eq!(config_map["metadata"]["labels"]["tier"], "backend");
    assert_eq!(config_map["metadata"]["annotations"]["note"], "hi");
    let mut managers: Vec<&str> = config_map["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .map(|entry| entry["manager"].as_str().unwrap_or(""))
        .collect();
    managers.sort();
    assert_eq!(
        managers,
        vec![
            "kubectl-annotate",
            "kubectl-client-side-apply",
            "kubectl-label"
        ],
        "each kubectl command records its own Update manager"
    );
    let deployment = kubectl.json(&["get", "deploy", "web"]).await;
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert_eq!(deployment["metadata"]["generation"], 3);
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.invalid/web:1.1"
    );
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "IfNotPresent"
    );

    let resources = kubectl.ok(&["api-resources"]).await;
    for expected in [
        "configmaps",
        "deployments",
        "customresourcedefinitions",
        "leases",
        "endpointslices",
    ] {
        assert!(
            resources.contains(expected),
            "api-resources lacks {expected}:\n{resources}"
        );
    }

    let crd_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/apply/28-crd-with-status/input.yaml");
    let crd = kubectl.file(
        "crd.yaml",
        &std::fs::read_to_string(crd_path).expect("CRD fixture"),
    );
    assert_eq!(
        kubectl.ok(&["apply", "-f", &crd]).await,
        "customresourcedefinition.apiextensions.k8s.io/widgets.conformance.example.com created\n"
    );
    kubectl
        .ok(&[
            "wait",
            "--for=condition=Established",
            "crd/widgets.conformance.example.com",
            "--timeout=20s",
        ])
        .await;
    let widget = kubectl.file("widget.yaml", WIDGET);
    assert_eq!(
        kubectl.ok(&["apply", "-f", &widget]).await,
        "widget.conformance.example.com/sprocket created\n"
    );
    let widgets = kubectl.ok(&["get", "widgets"]).await;
    assert!(widgets.contains("sprocket"), "{widgets}");
    let widget = kubectl.json(&["get", "wdg", "sprocket"]).await;
    assert_eq!(widget["spec"]["size"], 3);
    assert_eq!(widget["metadata"]["generation"], 1);

    assert_eq!(
        kubectl.ok(&["delete", "configmap", "app-config"]).await,
        "configmap \"app-config\" deleted\n"
    );
    let missing = kubectl.run(&["get", "configmap", "app-config"]).await;
    assert_eq!(missing.code, 1);
    assert_eq!(
        missing.stderr,
        "Error from server (NotFound): configmaps \"app-config\" not found\n"
    );

    let unauthorized = kubectl.run(&["--token=wrong", "get", "ns"]).await;
    assert_ne!(unauthorized.code, 0);
    assert!(
        unauthorized.stderr.contains("Unauthorized"),
        "{}",
        unauthorized.stderr
    );

    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_and_resource_versions_survive_a_restart() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let kubeconfig = temp.path().join("kubeconfig");
    let data = temp.path().join("data");
    let work = temp.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let kubectl = Kubectl::new(&kubeconfig.clone(), temp.path());
    let running = cluster(&data, &kubeconfig).await;
    let kept = kubectl.file(
        "kept.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\ndata:\n  k: v\n",
    );
    kubectl.ok(&["create", "-f", &kept]).await;
    let before = kubectl.json(&["get", "cm", "kept"]).await;
    running.stop().await.expect("stops");

    let running = cluster(&data, &kubeconfig).await;
    let after = kubectl.json(&["get", "cm", "kept"]).await;
    assert_eq!(before, after);
    let next = kubectl.file(
        "next.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: next\n",
    );
    kubectl.ok(&["create", "-f", &next]).await;
    let next = kubectl.json(&["get", "cm", "next"]).await;
    let version = |object: &Value| {
        object["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or("0")
            .parse::<u64>()
            .unwrap_or(0)
    };
    assert!(
        version(&next) > version(&after),
        "resourceVersions continue after a restart"
    );
    running.stop().await.expect("stops");
}

/// A recorded kubectl run (`kubectl/NN-*.json`).
fn recorded(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/kubectl")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("recording")).expect("JSON")
}

/// The changed lines of a `kubectl diff` (the context carries uids, times and versions).
fn changed_lines(diff: &str) -> Vec<String> {
    diff.lines()
        .filter(|line| {
            (line.starts_with('+') || line.starts_with('-'))
                && !line.starts_with("+++")
                && !line.starts_with("---")
        })
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_applies_and_diffs_server_side_like_the_recording() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let kubeconfig = temp.path().join("kubeconfig");
    let running = cluster(&temp.path().join("data"), &kubeconfig).await;
    let work = temp.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let files =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/kubectl/files");
    for file in ["stack.yaml", "stack-changed.yaml"] {
        std::fs::copy(files.join(file), work.join(file)).expect("copy manifest");
    }
    let kubectl = Kubectl::new(&kubeconfig, temp.path());
    let apply = ["apply", "--server-side", "--field-manager=ferry"];

    let created = kubectl
        .ok(&[&apply[..], &["-f", "stack.yaml"]].concat())
        .await;
    assert_eq!(created, recorded("01-apply-server-side.json")["stdout"]);
    let deployment = ["get", "deploy", "api", "-n", "kubectl-demo"];
    let before = kubectl.json(&deployment).await;
    let again = kubectl
        .ok(&[&apply[..], &["-f", "stack.yaml"]].concat())
        .await;
    assert_eq!(again, recorded("02-apply-server-side-again.json")["stdout"]);
    let after = kubectl.json(&deployment).await;
    assert_eq!(
        before["metadata"]["resourceVersion"], after["metadata"]["resourceVersion"],
        "an unchanged server-side apply stores nothing"
    );

    let dry_run = kubectl
        .ok(&[
            &apply[..],
            &["--dry-run=server", "-f", "stack-changed.yaml"],
        ]
        .concat())
        .await;
    assert_eq!(
        dry_run,
        recorded("03-apply-server-side-dry-run.json")["stdout"]
    );
    let config_map = kubectl
        .json(&["get", "cm", "api-config", "-n", "kubectl-demo"])
        .await;
    assert_eq!(config_map["data"]["GREETING"], "hello");

    let printed = kubectl
        .ok(&["get", "configmaps", "-n", "kubectl-demo"])
        .await;
    let lines: Vec<Vec<&str>> = printed
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], vec!["NAME", "DATA", "AGE"], "{printed}");
    assert_eq!(lines[1][..2], ["api-config", "1"], "{printed}");
    let wide = kubectl
        .ok(&["get", "deploy", "-n", "kubectl-demo", "-o", "wide"])
        .await;
    let header: Vec<&str> = wide
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        vec![
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR"
        ]
    );
    assert!(
        wide.contains("0/2")
            && wide.contains("registry.example.invalid/api:1.0")
            && wide.contains("app=api"),
        "{wide}"
    );
    let watch = {
        let mut command = kubectl.command(&[
            "get",
            "configmaps",
            "-n",
            "kubectl-demo",
            "-w",
            "--request-timeout=3s",
        ]);
        std::thread::spawn(move || command.output())
    };
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    kubectl
        .ok(&[
            "label",
            "cm",
            "api-config",
            "-n",
            "kubectl-demo",
            "seen=yes",
        ])
        .await;
    let watched = watch.join().expect("watch thread").expect("kubectl runs");
    let watched = String::from_utf8_lossy(&watched.stdout).into_owned();
    let rows: Vec<Vec<&str>> = watched
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], vec!["NAME", "DATA", "AGE"], "{watched}");
    let updates = rows
        .iter()
        .filter(|row| row.first() == Some(&"api-config"))
        .count();
    assert_eq!(
        updates, 2,
        "the initial row and the labelled one:\n{watched}"
    );

    let diff = ["diff", "--server-side", "--field-manager=ferry", "-f"];
    let changed = kubectl
        .run(&[&diff[..], &["stack-changed.yaml"]].concat())
        .await;
    assert_eq!(changed.code, 1, "{}", changed.stderr);
    let recorded_diff = recorded("14-diff-server-side-changed.json");
    assert_eq!(
        changed_lines(&changed.stdout),
        changed_lines(recorded_diff["stdout"].as_str().unwrap_or(""))
    );
    let unchanged = kubectl.run(&[&diff[..], &["stack.yaml"]].concat()).await;
    assert_eq!((unchanged.code, unchanged.stdout.as_str()), (0, ""));

    let other = kubectl.file(
        "other.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: kubectl-demo\nspec:\n  replicas: 5\n",
    );
    let conflict = kubectl
        .run(&[
            "apply",
            "--server-side",
            "--field-manager=other",
            "-f",
            &other,
        ])
        .await;
    assert_eq!(conflict.code, 1);
    assert!(
        conflict.stderr.starts_with(
            "error: Apply failed with 1 conflict: conflict with \"ferry\": .spec.replicas\n"
        ),
        "{}",
        conflict.stderr
    );
    let forced = kubectl
        .ok(&[
            "apply",
            "--server-side",
            "--field-manager=other",
            "--force-conflicts",
            "-f",
            &other,
        ])
        .await;
    assert_eq!(forced, "deployment.apps/api serverside-applied\n");
    let taken = kubectl
        .json(&[&deployment[..], &["--show-managed-fields"]].concat())
        .await;
    assert_eq!(taken["spec"]["replicas"], 5);
    let managers: Vec<(String, Value)> = taken["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .map(|entry| {
            (
                entry["manager"].as_str().unwrap_or("").to_string(),
                entry["fieldsV1"]["f:spec"]["f:replicas"].clone(),
            )
        })
        .collect();
    assert_eq!(
        managers,
        vec![
            ("ferry".to_string(), Value::Null),
            ("other".to_string(), serde_json::json!({}))
        ]
    );
    let client_side = kubectl.file(
        "client-side.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: migrated\n  namespace: kubectl-demo\ndata:\n  a: \"1\"\n",
    );
    assert_eq!(
        kubectl.ok(&["apply", "-f", &client_side]).await,
        "configmap/migrated created\n"
    );
    // kubectl moves the client-side apply ownership to the server-side manager (a JSON patch of
    // managedFields) before applying: no conflict.
    assert_eq!(
        kubectl
            .ok(&[&apply[..], &["-f", &client_side]].concat())
            .await,
        "configmap/migrated serverside-applied\n"
    );
    let migrated = kubectl
        .json(&[
            "get",
            "cm",
            "migrated",
            "-n",
            "kubectl-demo",
            "--show-managed-fields",
        ])
        .await;
    let managers: Vec<&str> = migrated["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .map(|entry| entry["manager"].as_str().unwrap_or(""))
        .collect();
    assert!(managers.contains(&"ferry"), "{managers:?}");

    let back = kubectl
        .run(&[&apply[..], &["-f", "stack-changed.yaml"]].concat())
        .await;
    assert!(
        back.stderr.starts_with(
            "error: Apply failed with 1 conflict: conflict with \"other\": .spec.replicas\n"
        ),
        "{}",
        back.stderr
    );
    running.stop().await.expect("stops");
}
