//! The Grafana dashboard in `deploy/grafana/` parses, selects its Prometheus data source
//! through a variable, and queries exactly the metric families `Telemetry::render` produces.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use ferry_controller::{AppRef, Signal};
use ferry_telemetry::Telemetry;
use ferry_types::{Application, HealthStatusCode, OperationPhase};
use serde_json::{Value, json};

fn dashboard() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/grafana/ferry-dashboard.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every string under a key named `expr` or `query`, at any depth.
fn queries(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                match (key.as_str(), field) {
                    ("expr" | "query" | "definition", Value::String(text)) => {
                        found.push(text.clone())
                    }
                    _ => queries(field, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| queries(item, found)),
        _ => {}
    }
}

/// The `ferry_…` identifiers of a PromQL expression.
fn metric_names(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = expression.as_bytes();
    let mut index = 0;
    while let Some(offset) = expression[index..].find("ferry_") {
        let start = index + offset;
        let preceded =
            start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let end = expression[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(expression.len(), |length| start + length);
        if !preceded {
            names.push(expression[start..end].to_string());
        }
        index = end;
    }
    names
}

/// What render writes for one app after a few signals, parsed.
fn rendered_families() -> support::prometheus::Exposition {
    let telemetry = Telemetry::new();
    let app = AppRef {
        namespace: "ferry".into(),
        name: "web".into(),
        project: "default".into(),
    };
    let now = SystemTime::now();
    telemetry.record(
        &Signal::SyncFinished {
            app: app.clone(),
            phase: OperationPhase::Succeeded,
            duration: Duration::from_secs(3),
            revision: "abc".into(),
            automated: true,
            username: String::new(),
            message: String::new(),
            dry_run: false,
        },
        now,
    );
    telemetry.record(
        &Signal::HealthChanged {
            app,
            from: HealthStatusCode::Healthy,
            to: HealthStatusCode::Degraded,
            revision: "abc".into(),
        },
        now,
    );
    telemetry.count_webhook("github", "accepted");
    let application: Application = serde_json::from_value(json!({
        "apiVersion": "ferry.dev/v1alpha1", "kind": "Application",
        "metadata": {"name": "web", "namespace": "ferry"},
        "spec": {"destination": {"namespace": "staging"}},
        "status": {"health": {"status": "Healthy"}, "history": [
            {"id": 1, "revision": "abc", "deployedAt": ferry_telemetry::format_rfc3339(now - Duration::from_secs(60))}
        ]}
    }))
    .unwrap();
    let text = telemetry.render(&[application], now);
    support::prometheus::parse(&text).unwrap()
}

#[test]
fn the_dashboard_parses_and_chooses_its_prometheus_through_a_variable() {
    let dashboard = dashboard();
    let variables = dashboard["templating"]["list"].as_array().unwrap();
    assert!(
        variables
            .iter()
            .any(|variable| variable["name"] == "datasource"
                && variable["type"] == "datasource"
                && variable["query"] == "prometheus")
    );
    for panel in dashboard["panels"].as_array().unwrap() {
        if panel["type"] != "row" {
            assert_eq!(
                panel["datasource"]["uid"], "${datasource}",
                "{}",
                panel["title"]
            );
        }
    }
}

#[test]
fn every_metric_the_dashboard_queries_is_one_render_produces_and_every_one_is_shown() {
    let families = rendered_families().families;
    let mut found = Vec::new();
    queries(&dashboard(), &mut found);
    assert!(!found.is_empty());
    let mut used = BTreeSet::new();
    for expression in &found {
        for name in metric_names(expression) {
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| {
                    name.strip_suffix(suffix)
                        .filter(|base| families.get(*base).is_some_and(|f| f.kind == "histogram"))
                })
                .unwrap_or(&name)
                .to_string();
            assert!(
                families.contains_key(&family),
                "the dashboard queries {name}, which render does not produce ({expression})"
            );
            used.insert(family);
        }
    }
    let rendered: BTreeSet<String> = families.keys().cloned().collect();
    let unused: Vec<&String> = rendered.difference(&used).collect();
    assert!(unused.is_empty(), "no panel shows {unused:?}");
}
