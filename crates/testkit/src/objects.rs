//! Small manifests and readers of an Application's status that many tests use.

use serde_json::Value;

/// A ConfigMap manifest named `name` with `data.value`.
pub fn config_map(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: {value:?}\n"
    )
}

/// A Deployment manifest with one replica of `nginx:1.27`, labelled `app: name`.
pub fn deployment(name: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: {name}
        image: nginx:1.27
"
    )
}

/// The sync status of an Application (`Synced`, `OutOfSync`, …; empty before the first).
pub fn sync_status(app: &Value) -> &str {
    app["status"]["sync"]["status"].as_str().unwrap_or("")
}

/// The health status of an Application.
pub fn health_status(app: &Value) -> &str {
    app["status"]["health"]["status"].as_str().unwrap_or("")
}

/// The history entries of an Application.
pub fn history(app: &Value) -> Vec<Value> {
    app["status"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}
