//! The real `kubectl create <kind>` generators send protobuf bodies; each object they create must
//! equal the one the JSON path creates from the same generator's `--dry-run=client -o json`
//! output. Without kubectl on the PATH the tests are skipped locally and fail under `CI=true`.

use std::net::SocketAddr;
use std::path::Path;

use ferry_cluster::{ClusterConfig, RunningCluster, start};
use ferry_testkit::{Kubectl, available};
use serde_json::{Value, json};

async fn cluster(data: &Path, kubeconfig: &Path) -> RunningCluster {
    let config = ClusterConfig {
        data_dir: data.to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig_path: Some(kubeconfig.to_path_buf()),
        insecure_http: false,
    };
    start(config).await.expect("cluster starts")
}

/// The object with what legitimately differs between two creations blanked: identity, times,
/// the namespace, allocated IPs, status and the entries of managers other than kubectl's.
fn comparable(object: &Value) -> Value {
    let mut object = object.clone();
    let uid = object["metadata"]["uid"].as_str().unwrap_or("").to_string();
    let namespace = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_string();
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    if let Some(metadata) = object["metadata"].as_object_mut() {
        for key in ["resourceVersion", "creationTimestamp", "annotations"] {
            metadata.remove(key);
        }
        if let Some(Value::Array(entries)) = metadata.get_mut("managedFields") {
            entries.retain(|entry| entry["manager"] == "kubectl-create");
            for entry in entries {
                entry["time"] = json!("<time>");
            }
        }
    }
    if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
        for key in ["clusterIP", "clusterIPs"] {
            if spec.contains_key(key) {
                spec.insert(key.into(), json!("<allocated>"));
            }
        }
    }
    blank(&mut object, &[(uid, "<uid>"), (namespace, "<namespace>")]);
    object
}

fn blank(value: &mut Value, replacements: &[(String, &str)]) {
    match value {
        Value::String(text) => {
            for (from, to) in replacements {
                if !from.is_empty() && text == from {
                    *text = to.to_string();
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| blank(item, replacements)),
        Value::Object(map) => {
            // kubectl 1.32's JSON carries `creationTimestamp: null` in pod templates, which the
            // JSON path keeps; a v1.36 server (and the protobuf path) leaves the zero time out.
            if map.get("creationTimestamp") == Some(&Value::Null) {
                map.remove("creationTimestamp");
            }
            map.values_mut().for_each(|item| blank(item, replacements));
        }
        _ => {}
    }
}

/// `kubectl create` generator arguments and the resource to read the object back from.
const GENERATORS: &[(&str, &[&str])] = &[
    (
        "configmap/settings",
        &[
            "configmap",
            "settings",
            "--from-literal=greeting=hello",
            "--from-literal=empty=",
            "--from-file=notes.txt",
            "--from-file=blob.bin",
        ],
    ),
    (
        "secret/credentials",
        &[
            "secret",
            "generic",
            "credentials",
            "--from-literal=user=admin",
            "--from-literal=password=s3cr=t",
            "--type=Opaque",
        ],
    ),
    (
        "secret/registry",
        &[
            "secret",
            "docker-registry",
            "registry",
            "--docker-server=registry.example.invalid",
            "--docker-username=robot",
            "--docker-password=token",
        ],
    ),
    (
        "secret/serving",
        &[
            "secret",
            "tls",
            "serving",
            "--cert=tls.crt",
            "--key=tls.key",
        ],
    ),
    (
        "deployment/web",
        &[
            "deployment",
            "web",
            "--image=registry.example.invalid/web:1.0",
            "--replicas=3",
            "--port=8080",
        ],
    ),
    (
        "deployment/sidecars",
        &[
            "deployment",
            "sidecars",
            "--image=registry.example.invalid/a:1",
            "--image=registry.example.invalid/b:1",
        ],
    ),
    ("serviceaccount/builder", &["serviceaccount", "builder"]),
    (
        "service/frontend",
        &[
            "service",
            "clusterip",
            "frontend",
            "--tcp=80:8080",
            "--tcp=443",
        ],
    ),
    (
        "job/migrate",
        &[
            "job",
            "migrate",
            "--image=registry.example.invalid/migrate:1",
            "--",
            "migrate",
            "--all",
        ],
    ),
    (
        "cronjob/nightly",
        &[
            "cronjob",
            "nightly",
            "--image=registry.example.invalid/backup:1",
            "--schedule=0 3 1 1 *",
            "--restart=OnFailure",
            "--",
            "backup",
        ],
    ),
    (
        "role/reader",
        &[
            "role",
            "reader",
            "--verb=get,list",
            "--resource=pods,deployments.apps",
            "--resource-name=web",
        ],
    ),
    (
        "rolebinding/readers",
        &[
            "rolebinding",
            "readers",
            "--role=reader",
            "--user=alice",
            "--serviceaccount=kube-system:builder",
        ],
    ),
    (
        "poddisruptionbudget/web",
        &[
            "poddisruptionbudget",
            "web",
            "--selector=app=web",
            "--min-available=0",
        ],
    ),
    (
        "ingress/site",
        &[
            "ingress",
            "site",
            "--class=default",
            "--rule=example.invalid/api*=frontend:80,tls=serving",
        ],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_create_generators_send_protobuf_and_get_the_objects_the_json_path_creates() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let kubeconfig = temp.path().join("kubeconfig");
    let data = temp.path().join("data");
    let _running = cluster(&data, &kubeconfig).await;
    let work = temp.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    std::fs::write(work.join("notes.txt"), "line one\nline two\n").expect("write");
    std::fs::write(work.join("blob.bin"), [0u8, 159, 146, 150, 255]).expect("write");
    std::fs::copy(data.join("server.crt"), work.join("tls.crt")).expect("copy cert");
    std::fs::copy(data.join("server.key"), work.join("tls.key")).expect("copy key");
    let kubectl = Kubectl::new(&kubeconfig, temp.path());

    // Namespaces: `proto` through the protobuf generator, `json` through `create -f`.
    assert_eq!(
        kubectl.ok(&["create", "namespace", "proto"]).await,
        "namespace/proto created\n"
    );
    let sent = kubectl
        .ok(&[
            "create",
            "namespace",
            "json",
            "--dry-run=client",
            "-o",
            "json",
        ])
        .await;
    std::fs::write(kubectl.work().join("namespace.json"), sent).expect("write");
    kubectl.ok(&["create", "-f", "namespace.json"]).await;
    let mut proto = kubectl.json(&["get", "namespace", "proto"]).await;
    let mut json_namespace = kubectl.json(&["get", "namespace", "json"]).await;
    for (object, name) in [(&mut proto, "proto"), (&mut json_namespace, "json")] {
        blank(object, &[(name.to_string(), "<name>")]);
    }
    assert_eq!(comparable(&proto), comparable(&json_namespace));

    for (resource, args) in GENERATORS {
        let mut create = vec!["create", "-n", "proto"];
        create.extend_from_slice(args);
        let printed = kubectl.ok(&create).await;
        assert!(printed.ends_with(" created\n"), "{resource}: {printed}");

        // The flags go first: the job generators pass what follows `--` to the container.
        let mut dry_run = vec!["create", "-n", "json", "--dry-run=client", "-o", "json"];
        dry_run.extend_from_slice(args);
        let sent = kubectl.ok(&dry_run).await;
        let file = format!("{}.json", resource.replace('/', "-"));
        std::fs::write(kubectl.work().join(&file), sent).expect("write");
        kubectl.ok(&["create", "-n", "json", "-f", &file]).await;

        let proto = kubectl.json(&["get", "-n", "proto", resource]).await;
        let json_object = kubectl.json(&["get", "-n", "json", resource]).await;
        assert_eq!(
            comparable(&proto),
            comparable(&json_object),
            "{resource}: the protobuf and JSON creations differ"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_create_with_server_dry_run_and_yaml_output_decodes_protobuf() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let kubeconfig = temp.path().join("kubeconfig");
    let _running = cluster(&temp.path().join("data"), &kubeconfig).await;
    let work = temp.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let kubectl = Kubectl::new(&kubeconfig, temp.path());

    let printed = kubectl
        .ok(&[
            "create",
            "configmap",
            "preview",
            "--from-literal=a=b",
            "--dry-run=server",
            "-o",
            "yaml",
        ])
        .await;
    assert!(printed.contains("  a: b\n"), "{printed}");
    assert!(printed.contains("name: preview\n"), "{printed}");
    assert!(printed.contains("uid: "), "{printed}");
    let missing = kubectl.run(&["get", "configmap", "preview"]).await;
    assert_eq!(
        missing.stderr.trim(),
        "Error from server (NotFound): configmaps \"preview\" not found"
    );

    let printed = kubectl
        .ok(&[
            "create",
            "deployment",
            "api",
            "--image=registry.example.invalid/api:2",
            "--replicas=2",
            "-o",
            "yaml",
        ])
        .await;
    assert!(printed.contains("replicas: 2\n"), "{printed}");
    assert!(
        printed.contains("progressDeadlineSeconds: 600\n"),
        "{printed}"
    );
    let stored = kubectl.json(&["get", "deployment", "api"]).await;
    assert_eq!(
        stored["spec"]["template"]["spec"]["containers"],
        json!([{
            "image": "registry.example.invalid/api:2",
            "imagePullPolicy": "IfNotPresent",
            "name": "api",
            "resources": {},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File"
        }])
    );

    let printed = kubectl
        .ok(&[
            "run",
            "shell",
            "--image=registry.example.invalid/shell:1",
            "--port=80",
            "--labels=app=shell",
            "--env=MODE=test",
        ])
        .await;
    assert_eq!(printed, "pod/shell created\n");
    let stored = kubectl.json(&["get", "pod", "shell"]).await;
    assert_eq!(
        stored["spec"]["containers"][0]["env"],
        json!([{"name": "MODE", "value": "test"}])
    );
    assert_eq!(stored["metadata"]["labels"], json!({"app": "shell"}));

    let printed = kubectl
        .ok(&["create", "secret", "generic", "token", "--from-literal=t=x"])
        .await;
    assert_eq!(printed, "secret/token created\n");
    let stored = kubectl.json(&["get", "secret", "token"]).await;
    assert_eq!(stored["data"], json!({"t": "eA=="}));
    assert_eq!(stored["type"], "Opaque");
}
