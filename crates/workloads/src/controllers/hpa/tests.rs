use std::time::SystemTime;

use serde_json::{Value, json};

use super::*;
use crate::change::CountingNames;
use crate::config::SimulationConfig;

fn autoscaler(minimum: i64, maximum: i64, metrics: Value) -> Value {
    json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop", "uid": "hpa-uid"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": minimum, "maxReplicas": maximum, "metrics": metrics
        }
    })
}

fn cpu() -> Value {
    json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}])
}

fn deployment(replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "uid": "d-uid"},
        "spec": {"replicas": replicas}, "status": {"replicas": replicas}})
}

fn run(autoscaler: &Value, target: Option<&Value>) -> Outcome {
    let config = SimulationConfig::default();
    let names = CountingNames::default();
    let ctx = Context {
        now: SystemTime::now(),
        config: &config,
        names: &names,
    };
    reconcile(&AutoscalerInputs { autoscaler, target }, &ctx)
}

fn written_status(outcome: &Outcome) -> Value {
    outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::UpdateStatus { object, .. } => Some(object["status"].clone()),
            _ => None,
        })
        .expect("a status write")
}

fn condition<'a>(status: &'a Value, kind: &str) -> &'a Value {
    status["conditions"]
        .as_array()
        .and_then(|list| list.iter().find(|c| c["type"] == kind))
        .unwrap_or(&Value::Null)
}

#[test]
fn an_autoscaler_within_range_reports_its_metric_on_target_and_is_able_to_scale() {
    let target = deployment(3);
    let status = written_status(&run(&autoscaler(2, 5, cpu()), Some(&target)));
    assert_eq!(status["currentReplicas"], 3);
    assert_eq!(status["desiredReplicas"], 3);
    assert_eq!(
        status["currentMetrics"][0]["resource"]["current"]["averageUtilization"],
        80
    );
    assert_eq!(
        condition(&status, "AbleToScale")["reason"],
        "ReadyForNewScale"
    );
    assert_eq!(
        condition(&status, "ScalingActive")["reason"],
        "ValidMetricFound"
    );
    assert_eq!(
        condition(&status, "ScalingActive")["message"],
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"
    );
    assert_eq!(condition(&status, "ScalingLimited")["status"], "False");
    let mut settled = autoscaler(2, 5, cpu());
    settled["status"] = status;
    assert!(run(&settled, Some(&target)).changes.is_empty());
}

#[test]
fn a_target_below_the_minimum_is_scaled_up_with_the_real_reason() {
    let target = deployment(1);
    let outcome = run(&autoscaler(3, 5, cpu()), Some(&target));
    let scaled = outcome.changes.iter().find_map(|change| match change {
        Change::Update { object, .. } => Some(object),
        _ => None,
    });
    assert_eq!(scaled.expect("the target rescaled")["spec"]["replicas"], 3);
    let status = written_status(&outcome);
    assert_eq!(status["desiredReplicas"], 3);
    assert_eq!(
        condition(&status, "AbleToScale")["reason"],
        "SucceededRescale"
    );
    assert_eq!(
        condition(&status, "ScalingLimited")["reason"],
        "TooFewReplicas"
    );
    assert!(status["lastScaleTime"].is_string());
    assert!(outcome.changes.iter().any(|change| matches!(change,
        Change::Record(event) if event.reason == "SuccessfulRescale"
            && event.message == "New size: 3; reason: Current number of replicas below Spec.MinReplicas")));
}

#[test]
fn custom_and_external_metrics_fail_as_on_a_cluster_without_their_apis() {
    let target = deployment(2);
    let metrics = json!([{"type": "External", "external": {"metric": {"name": "queue_depth"}, "target": {"type": "Value", "value": "10"}}}]);
    let status = written_status(&run(&autoscaler(1, 5, metrics), Some(&target)));
    let active = condition(&status, "ScalingActive");
    assert_eq!(active["status"], "False");
    assert_eq!(active["reason"], "FailedGetExternalMetric");
    assert_eq!(status["desiredReplicas"], 2);
}

#[test]
fn a_missing_target_fails_to_get_its_scale() {
    let status = written_status(&run(&autoscaler(1, 5, cpu()), None));
    let able = condition(&status, "AbleToScale");
    assert_eq!(able["status"], "False");
    assert_eq!(able["reason"], "FailedGetScale");
    assert_eq!(
        able["message"],
        "the HPA controller was unable to get the target's current scale: deployments.apps \"web\" not found"
    );
}
