//! Benchmark: renders a generated corpus of kustomize overlays with ferry (in-process) and
//! with `kubectl kustomize` (one process per overlay, as a user runs it), in the same run, and
//! checks that both produce the same objects.
//!
//! ```sh
//! cargo run --release -p ferry-kustomize --example bench_kustomize [BASES] [OVERLAYS_PER_BASE]
//! ```
//!
//! The corpus (default 20 bases x 10 overlays) is written to a temporary directory. ferry reads
//! it into one `MemoryTree` once (timed on its own, reported apart), then builds every overlay
//! from that tree; the ferry figure is the median of several rounds. kubectl reads the files
//! from disk every time, which is part of what it costs a user.

#[allow(dead_code)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ferry_kustomize::{BuildOptions, build};
use ferry_types::RepoPath;
use serde_json::Value;

/// Rounds of ferry builds over the whole corpus; the median round is reported.
const FERRY_ROUNDS: usize = 5;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|arg| arg.parse::<usize>().expect("arguments are counts"));
    let bases = args.next().unwrap_or(20);
    let overlays_per_base = args.next().unwrap_or(10);

    let workspace = tempfile::tempdir().expect("creating a temporary directory");
    let overlays =
        write_corpus(workspace.path(), bases, overlays_per_base).expect("writing the corpus");
    println!(
        "corpus: {bases} bases x {overlays_per_base} overlays = {} overlays in {}",
        overlays.len(),
        workspace.path().display()
    );

    let started = Instant::now();
    let tree = support::load_tree(workspace.path()).expect("loading the corpus");
    let load_time = started.elapsed();
    println!(
        "ferry: loaded {} files into one MemoryTree in {:.1} ms (once, not counted below)",
        tree.len(),
        ms(load_time)
    );

    let options = BuildOptions::default();
    let mut ferry_outputs: Vec<Result<Vec<Value>, String>> = Vec::new();
    let mut rounds = Vec::new();
    for _ in 0..FERRY_ROUNDS {
        let started = Instant::now();
        ferry_outputs = overlays
            .iter()
            .map(|overlay| {
                let dir = RepoPath::new(overlay).map_err(|error| error.to_string())?;
                let manifests =
                    build(&tree, &dir, &options).map_err(|error| support::error_chain(&error))?;
                Ok(manifests
                    .into_iter()
                    .map(|manifest| manifest.object)
                    .collect())
            })
            .collect();
        rounds.push(started.elapsed());
    }
    rounds.sort();
    let ferry_time = rounds[rounds.len() / 2];
    let ferry_failures = ferry_outputs
        .iter()
        .filter(|output| output.is_err())
        .count();

    if !support::kubectl_available() {
        println!("kubectl is not on PATH: ferry only");
        print_table(overlays.len(), ferry_time, None);
        return;
    }
    let mut kubectl_time = Duration::ZERO;
    let mut kubectl_outputs = Vec::new();
    for overlay in &overlays {
        let started = Instant::now();
        let output = Command::new("kubectl")
            .arg("kustomize")
            .arg(workspace.path().join(overlay))
            .output();
        kubectl_time += started.elapsed();
        let output = output.expect("running kubectl");
        assert!(
            output.status.success(),
            "kubectl kustomize {overlay}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let documents = ferry_yaml::parse_documents("kubectl-output.yaml", &output.stdout)
            .expect("parsing kubectl's output");
        kubectl_outputs.push(
            documents
                .into_iter()
                .map(|document| document.value)
                .collect::<Vec<_>>(),
        );
    }

    print_table(overlays.len(), ferry_time, Some(kubectl_time));
    let mut equal = 0;
    let mut shown = 0;
    for ((overlay, ferry), kubectl) in overlays.iter().zip(&ferry_outputs).zip(&kubectl_outputs) {
        let problem = match ferry {
            Ok(objects) => support::compare(kubectl, objects).map(|difference| difference.summary),
            Err(error) => Some(format!("ferry failed: {error}")),
        };
        match problem {
            None => equal += 1,
            Some(problem) if shown < 3 => {
                shown += 1;
                println!("  differs: {overlay}: {problem}");
            }
            Some(_) => {}
        }
    }
    println!(
        "equal to kubectl: {equal}/{} overlays (ferry errors: {ferry_failures})",
        overlays.len()
    );
}

fn print_table(overlays: usize, ferry: Duration, kubectl: Option<Duration>) {
    println!();
    println!(
        "{:>8}  {:>14}  {:>16}  {:>8}",
        "overlays", "ferry total ms", "kubectl total ms", "ratio"
    );
    let (kubectl_ms, ratio) = match kubectl {
        Some(kubectl) => (
            format!("{:.1}", ms(kubectl)),
            format!("{:.1}x", ms(kubectl) / ms(ferry).max(0.001)),
        ),
        None => ("-".to_string(), "-".to_string()),
    };
    println!(
        "{overlays:>8}  {:>14.1}  {kubectl_ms:>16}  {ratio:>8}",
        ms(ferry)
    );
    let per = |total: f64| total / overlays.max(1) as f64;
    println!(
        "per overlay: ferry {:.3} ms, kubectl {}",
        per(ms(ferry)),
        kubectl.map_or("-".to_string(), |kubectl| format!(
            "{:.1} ms",
            per(ms(kubectl))
        ))
    );
    println!();
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Writes `bases` bases and `overlays_per_base` overlays of each under `root`; returns the
/// overlay directories, relative to `root`.
fn write_corpus(
    root: &Path,
    bases: usize,
    overlays_per_base: usize,
) -> std::io::Result<Vec<String>> {
    let mut overlays = Vec::new();
    for base in 0..bases {
        let app = format!("svc-{base:02}");
        let base_dir = root.join("bases").join(&app);
        fs::create_dir_all(&base_dir)?;
        fs::write(
            base_dir.join("kustomization.yaml"),
            "resources:\n  - deployment.yaml\n  - service.yaml\n",
        )?;
        fs::write(base_dir.join("deployment.yaml"), deployment(&app))?;
        fs::write(base_dir.join("service.yaml"), service(&app))?;
        for overlay in 0..overlays_per_base {
            let name = format!("overlays/{app}-env-{overlay:02}");
            let dir = root.join(&name);
            fs::create_dir_all(&dir)?;
            fs::write(
                dir.join("kustomization.yaml"),
                overlay_kustomization(&app, overlay),
            )?;
            fs::write(dir.join("patch.yaml"), overlay_patch(&app, overlay))?;
            overlays.push(name);
        }
    }
    Ok(overlays)
}

fn deployment(app: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  labels:
    app: {app}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      containers:
        - name: {app}
          image: ghcr.io/example/{app}:1.0.0
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: {app}-settings
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
        - name: proxy
          image: envoyproxy/envoy:v1.31.2
"
    )
}

fn service(app: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: {app}
spec:
  selector:
    app: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
"
    )
}

fn overlay_kustomization(app: &str, overlay: usize) -> String {
    format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: env{overlay:02}-
namespace: env-{overlay:02}
commonLabels:
  environment: env-{overlay:02}
images:
  - name: ghcr.io/example/{app}
    newTag: 1.0.{overlay}
replicas:
  - name: {app}
    count: {replicas}
resources:
  - ../../bases/{app}
configMapGenerator:
  - name: {app}-settings
    literals:
      - ENVIRONMENT=env-{overlay:02}
      - LOG_LEVEL=info
patches:
  - path: patch.yaml
",
        replicas = overlay % 4 + 1
    )
}

fn overlay_patch(app: &str, overlay: usize) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
spec:
  template:
    spec:
      containers:
        - name: {app}
          env:
            - name: OVERLAY
              value: \"{overlay}\"
          resources:
            limits:
              memory: {memory}Mi
",
        memory = 256 * (overlay % 3 + 1)
    )
}
