//! The real kubectl over HTTPS against a cluster with its controllers: Jobs complete or fail,
//! Services get Endpoints and EndpointSlices, namespaces get their defaults.

mod common;

use std::time::Duration;

use common::{eventually, kubectl_available, served};
use serde_json::Value;

const JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: once
  namespace: default
spec:
  completions: 3
  parallelism: 2
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: once
        image: registry.example.invalid/once:1
";

const FAILING_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: doomed
  namespace: default
spec:
  backoffLimit: 1
  template:
    metadata:
      annotations:
        cluster.ferry.dev/fault: fail-after=1s
    spec:
      restartPolicy: Never
      containers:
      - name: doomed
        image: registry.example.invalid/doomed:1
";

const SERVED_APP: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: hello
        image: registry.example.invalid/hello:1.0
        ports:
        - name: http
          containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: hello
  namespace: shop
spec:
  type: LoadBalancer
  selector:
    app: hello
  ports:
  - name: http
    port: 80
    targetPort: http
";

#[tokio::test]
async fn kubectl_wait_sees_a_job_complete_and_a_failing_job_fail() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl.apply("job.yaml", JOB).await;
    kubectl.apply("failing.yaml", FAILING_JOB).await;
    let out = kubectl
        .ok(&[
            "wait",
            "--for=condition=complete",
            "job/once",
            "--timeout=30s",
        ])
        .await;
    assert_eq!(out.trim(), "job.batch/once condition met");
    let job = kubectl.json(&["get", "job", "once"]).await;
    assert_eq!(job["status"]["succeeded"], 3);
    assert!(job["status"]["completionTime"].is_string());
    let pods = kubectl.json(&["get", "pods", "-l", "job-name=once"]).await;
    let phases: Vec<&str> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pod| pod["status"]["phase"].as_str())
        .collect();
    assert_eq!(phases, ["Succeeded", "Succeeded", "Succeeded"]);
    let out = kubectl
        .ok(&[
            "wait",
            "--for=condition=failed",
            "job/doomed",
            "--timeout=30s",
        ])
        .await;
    assert_eq!(out.trim(), "job.batch/doomed condition met");
    let job = kubectl.json(&["get", "job", "doomed"]).await;
    assert_eq!(job["status"]["failed"], 2);
    let failed = job["status"]["conditions"]
        .as_array()
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == "Failed"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(failed["reason"], "BackoffLimitExceeded");
    served.controllers.stop().await;
}

#[tokio::test]
async fn a_service_gets_endpoints_and_a_slice_of_its_ready_pods_and_a_new_namespace_its_defaults() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl.apply("app.yaml", SERVED_APP).await;
    kubectl
        .ok(&[
            "rollout",
            "status",
            "deployment/hello",
            "-n",
            "shop",
            "--timeout=30s",
        ])
        .await;
    let endpoints = eventually("two ready addresses", Duration::from_secs(10), || async {
        let endpoints = kubectl
            .json(&["get", "endpoints", "hello", "-n", "shop"])
            .await;
        let addresses = endpoints.pointer("/subsets/0/addresses")?.as_array()?.len();
        (addresses == 2).then_some(endpoints)
    })
    .await;
    assert_eq!(endpoints["subsets"][0]["ports"][0]["port"], 8080);
    assert_eq!(
        endpoints["metadata"]["labels"]["endpoints.kubernetes.io/managed-by"],
        "endpoint-controller"
    );
    let slices = kubectl
        .json(&[
            "get",
            "endpointslices",
            "-n",
            "shop",
            "-l",
            "kubernetes.io/service-name=hello",
        ])
        .await;
    let slice = &slices["items"][0];
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(slice["endpoints"].as_array().map(Vec::len), Some(2));
    assert_eq!(slice["endpoints"][0]["conditions"]["ready"], true);
    let service = kubectl
        .json(&["get", "service", "hello", "-n", "shop"])
        .await;
    assert!(service["status"]["loadBalancer"]["ingress"][0]["ip"].is_string());
    let account = kubectl
        .json(&["get", "serviceaccount", "default", "-n", "shop"])
        .await;
    assert_eq!(account["metadata"]["name"], "default");
    let root_ca = kubectl
        .json(&["get", "configmap", "kube-root-ca.crt", "-n", "shop"])
        .await;
    assert!(
        root_ca["data"]["ca.crt"]
            .as_str()
            .is_some_and(|pem| pem.starts_with("-----BEGIN CERTIFICATE-----")),
        "{root_ca}"
    );
    let nodes = kubectl.json(&["get", "nodes"]).await;
    assert_eq!(nodes["items"].as_array().map(Vec::len), Some(3));
    kubectl
        .ok(&["scale", "deployment/hello", "-n", "shop", "--replicas=0"])
        .await;
    eventually("no addresses", Duration::from_secs(10), || async {
        let endpoints = kubectl
            .json(&["get", "endpoints", "hello", "-n", "shop"])
            .await;
        endpoints.get("subsets").is_none().then_some(())
    })
    .await;
    served.controllers.stop().await;
}

const STATEFUL_SET: &str = "apiVersion: v1
kind: Service
metadata:
  name: store
  namespace: default
spec:
  clusterIP: None
  selector:
    app: store
  ports:
  - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: store
  namespace: default
spec:
  serviceName: store
  replicas: 2
  selector:
    matchLabels:
      app: store
  template:
    metadata:
      labels:
        app: store
    spec:
      containers:
      - name: store
        image: registry.example.invalid/store:1
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [\"ReadWriteOnce\"]
      resources:
        requests:
          storage: 1Gi
";

const DAEMON_SET: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: registry.example.invalid/agent:1
";

#[tokio::test]
async fn a_stateful_set_rolls_out_in_order_with_bound_claims_and_a_daemon_set_covers_every_node() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl.apply("store.yaml", STATEFUL_SET).await;
    kubectl.apply("agent.yaml", DAEMON_SET).await;
    let out = kubectl
        .ok(&["rollout", "status", "statefulset/store", "--timeout=30s"])
        .await;
    assert!(
        out.trim_end()
            .ends_with("partitioned roll out complete: 2 new pods have been updated..."),
        "{out}"
    );
    let set = kubectl.json(&["get", "statefulset", "store"]).await;
    assert_eq!(set["status"]["readyReplicas"], 2);
    assert_eq!(
        set["status"]["currentRevision"],
        set["status"]["updateRevision"]
    );
    let pods = kubectl.json(&["get", "pods", "-l", "app=store"]).await;
    let names: Vec<&str> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pod| pod["metadata"]["name"].as_str())
        .collect();
    assert_eq!(names, ["store-0", "store-1"]);
    let claims = eventually("bound claims", Duration::from_secs(10), || async {
        let claims = kubectl.json(&["get", "persistentvolumeclaims"]).await;
        let bound = claims["items"].as_array().is_some_and(|items| {
            items.len() == 2
                && items
                    .iter()
                    .all(|claim| claim["status"]["phase"] == "Bound")
        });
        bound.then_some(claims)
    })
    .await;
    assert_eq!(claims["items"][0]["metadata"]["name"], "data-store-0");
    let volumes = kubectl.json(&["get", "persistentvolumes"]).await;
    assert_eq!(volumes["items"].as_array().map(Vec::len), Some(2));
    let revisions = kubectl
        .json(&["get", "controllerrevisions", "-l", "app=store"])
        .await;
    assert_eq!(revisions["items"][0]["revision"], 1);
    let out = kubectl
        .ok(&[
            "rollout",
            "status",
            "daemonset/agent",
            "-n",
            "kube-system",
            "--timeout=30s",
        ])
        .await;
    assert!(
        out.trim_end()
            .ends_with("daemon set \"agent\" successfully rolled out"),
        "{out}"
    );
    let pods = kubectl
        .json(&["get", "pods", "-n", "kube-system", "-l", "app=agent"])
        .await;
    let mut nodes: Vec<&str> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pod| pod["spec"]["nodeName"].as_str())
        .collect();
    nodes.sort();
    assert_eq!(nodes, ["ferry-node-1", "ferry-node-2", "ferry-node-3"]);
    served.controllers.stop().await;
}

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
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
        image: registry.example.invalid/web:1
";

#[tokio::test]
async fn rollout_history_lists_revisions_and_undo_restores_the_previous_template() {
    if !kubectl_available() {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    kubectl.apply("web.yaml", WEB).await;
    kubectl
        .ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    kubectl
        .ok(&[
            "set",
            "image",
            "deployment/web",
            "web=registry.example.invalid/web:2",
        ])
        .await;
    kubectl
        .ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    let history = kubectl.ok(&["rollout", "history", "deployment/web"]).await;
    let revisions: Vec<&str> = history
        .lines()
        .skip_while(|line| !line.starts_with("REVISION"))
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(revisions, ["1", "2"], "{history}");
    let out = kubectl.ok(&["rollout", "undo", "deployment/web"]).await;
    assert_eq!(out.trim(), "deployment.apps/web rolled back");
    kubectl
        .ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    let deployment = kubectl.json(&["get", "deployment", "web"]).await;
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.invalid/web:1"
    );
    assert_eq!(
        deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    let sets = kubectl.json(&["get", "replicasets", "-l", "app=web"]).await;
    let active: Vec<(String, i64)> = sets["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|set| {
            (
                set["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                set["spec"]["replicas"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert!(active.contains(&("3".to_string(), 2)), "{active:?}");
    assert!(active.contains(&("2".to_string(), 0)), "{active:?}");
    served.controllers.stop().await;
}
