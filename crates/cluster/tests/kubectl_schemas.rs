//! The real `kubectl` over HTTPS against what the OpenAPI schemas and CRD validation give it:
//! `kubectl explain` of built-in kinds and of a CRD kind, `kubectl describe`, and the error
//! `kubectl apply` prints for an invalid custom resource. Without kubectl on the PATH the tests
//! are skipped locally and fail under `CI=true`.

use std::net::SocketAddr;

use ferry_cluster::{ClusterConfig, RunningCluster, start};
use ferry_testkit::{Kubectl, available};

/// A cluster over HTTPS, and kubectl pointed at it.
struct Served {
    kubectl: Kubectl,
    _cluster: RunningCluster,
    _temp: tempfile::TempDir,
}

async fn served() -> Served {
    let temp = tempfile::tempdir().expect("tempdir");
    let kubeconfig = temp.path().join("kubeconfig");
    let config = ClusterConfig {
        data_dir: temp.path().join("data"),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig_path: Some(kubeconfig.clone()),
        insecure_http: false,
    };
    let cluster = start(config).await.expect("cluster starts");
    Served {
        kubectl: Kubectl::new(&kubeconfig, temp.path()),
        _cluster: cluster,
        _temp: temp,
    }
}

const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: A widget of the test suite.
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [size]
            properties:
              size: {type: integer, minimum: 1, description: How big the widget is.}
              mode: {type: string, enum: [fast, slow]}
";

const STACK: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example.invalid/web:1.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: lone
  namespace: default
spec:
  containers:
  - name: main
    image: registry.example.invalid/main:1.0
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_explain_describes_built_in_kinds_and_their_nested_fields() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    let deployment = kubectl.ok(&["explain", "deployment"]).await;
    assert!(
        deployment.starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n"),
        "{deployment}"
    );
    assert!(
        deployment.contains("Deployment enables declarative updates for Pods and ReplicaSets."),
        "{deployment}"
    );
    assert!(
        deployment.contains("  spec\t<DeploymentSpec>"),
        "{deployment}"
    );

    let containers = kubectl
        .ok(&["explain", "deployment.spec.template.spec.containers"])
        .await;
    assert!(
        containers.contains("FIELD: containers <[]Container>"),
        "{containers}"
    );
    assert!(containers.contains("  image\t<string>"), "{containers}");

    let statefulsets = kubectl.ok(&["explain", "statefulsets"]).await;
    assert!(
        statefulsets.contains("KIND:       StatefulSet"),
        "{statefulsets}"
    );
    assert!(
        statefulsets.contains("  spec\t<StatefulSetSpec>"),
        "{statefulsets}"
    );

    let pods = kubectl.ok(&["explain", "pods"]).await;
    assert!(
        pods.starts_with("KIND:       Pod\nVERSION:    v1\n"),
        "{pods}"
    );
    assert!(
        pods.contains("  spec\t<PodSpec>") && pods.contains("  status\t<PodStatus>"),
        "{pods}"
    );
    let pod_phase = kubectl.ok(&["explain", "pod.status.phase"]).await;
    assert!(pod_phase.contains("ENUM:"), "{pod_phase}");

    let config_maps = kubectl.ok(&["explain", "configmaps"]).await;
    assert!(
        config_maps.contains("KIND:       ConfigMap"),
        "{config_maps}"
    );
    assert!(
        config_maps.contains("  data\t<map[string]string>"),
        "{config_maps}"
    );

    let services = kubectl.ok(&["explain", "services.spec.ports"]).await;
    assert!(
        services.contains("FIELD: ports <[]ServicePort>"),
        "{services}"
    );
    assert!(
        services.contains("  targetPort\t<IntOrString>"),
        "{services}"
    );

    let jobs = kubectl
        .ok(&["explain", "cronjob.spec.jobTemplate.spec.template"])
        .await;
    assert!(jobs.contains("FIELD: template <PodTemplateSpec>"), "{jobs}");

    let roles = kubectl.ok(&["explain", "roles"]).await;
    assert!(roles.contains("KIND:       Role"), "{roles}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_explains_a_crd_kind_and_prints_its_validation_errors() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    let crd = kubectl.file("crd.yaml", WIDGET_CRD);
    kubectl.ok(&["apply", "-f", &crd]).await;
    kubectl
        .ok(&[
            "wait",
            "--for=condition=Established",
            "crd/widgets.example.com",
            "--timeout=20s",
        ])
        .await;

    let explained = kubectl.ok(&["explain", "widgets.spec"]).await;
    assert!(explained.contains("KIND:       Widget"), "{explained}");
    assert!(
        explained.contains("What the widget should be."),
        "{explained}"
    );
    assert!(
        explained.contains("  size\t<integer> -required-"),
        "{explained}"
    );
    assert!(explained.contains("How big the widget is."), "{explained}");

    let invalid = kubectl.file(
        "invalid.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  size: big\n  mode: medium\n",
    );
    let run = kubectl.run(&["apply", "-f", &invalid]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "The Widget \"w\" is invalid: \n\
         * spec.mode: Unsupported value: \"medium\": supported values: \"fast\", \"slow\"\n\
         * spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"\n"
    );
    let run = kubectl
        .run(&["apply", "--server-side", "-f", &invalid])
        .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("spec.size in body must be of type integer"),
        "{}",
        run.stderr
    );

    let unknown = kubectl.file(
        "unknown.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  size: 1\n  colour: red\n",
    );
    let run = kubectl.run(&["apply", "-f", &unknown]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("strict decoding error: unknown field \"spec.colour\""),
        "{}",
        run.stderr
    );

    let valid = kubectl.file(
        "valid.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  size: 2\n  mode: fast\n",
    );
    assert_eq!(
        kubectl.ok(&["apply", "-f", &valid]).await,
        "widget.example.com/w created\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_describe_prints_deployments_services_and_pods() {
    if !available("kubectl", &["version", "--client"]) {
        return;
    }
    let served = served().await;
    let kubectl = &served.kubectl;
    let stack = kubectl.file("stack.yaml", STACK);
    kubectl.ok(&["apply", "-f", &stack]).await;

    let deployment = squeezed(&kubectl.ok(&["describe", "deployment", "web"]).await);
    for line in [
        "Name: web",
        "Namespace: default",
        "Selector: app=web",
        "Replicas: 2 desired",
        "StrategyType: RollingUpdate",
        "RollingUpdateStrategy: 25% max unavailable, 25% max surge",
        "Image: registry.example.invalid/web:1.0",
        "Port: 8080/TCP",
    ] {
        assert!(deployment.contains(line), "{line} in {deployment}");
    }

    let service = squeezed(&kubectl.ok(&["describe", "service", "web"]).await);
    for line in [
        "Name: web",
        "Selector: app=web",
        "Type: ClusterIP",
        "Port: <unset> 80/TCP",
        "TargetPort: 8080/TCP",
    ] {
        assert!(service.contains(line), "{line} in {service}");
    }

    let pod = squeezed(&kubectl.ok(&["describe", "pod", "lone"]).await);
    for line in [
        "Name: lone",
        "Namespace: default",
        "Status: Pending",
        "Image: registry.example.invalid/main:1.0",
        "QoS Class: BestEffort",
    ] {
        assert!(pod.contains(line), "{line} in {pod}");
    }
}

/// The text with runs of spaces made one, so assertions do not depend on column widths.
fn squeezed(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}
