//! The HorizontalPodAutoscaler controller (autoscaling/v2), on a cluster whose metrics server
//! reports every pod exactly at its resource target. Resource and ContainerResource metrics are
//! therefore always on target: the recommendation is the current size, held within
//! `minReplicas..maxReplicas` (a target below the minimum or above the maximum is rescaled, as
//! the real controller does before it reads metrics). Pods, Object and External metrics need a
//! custom or external metrics API, which this cluster does not have: they fail with the real
//! reasons (FailedGetPodsMetric, FailedGetObjectMetric, FailedGetExternalMetric), which Argo CD
//! and ferry's health read as Degraded. The status carries currentReplicas (the target's
//! `spec.replicas`), desiredReplicas, currentMetrics and the AbleToScale, ScalingActive and
//! ScalingLimited conditions with the real reasons and messages.

use serde_json::{Map, Value, json};

use crate::change::{Change, Context, EventRecord, EventType, Outcome};
use crate::object;
use crate::resources::{AUTOSCALERS, DEPLOYMENTS, REPLICA_SETS, Resource, STATEFUL_SETS};

const COMPONENT: &str = "horizontal-pod-autoscaler";

/// What the controller of one autoscaler looks at.
pub struct AutoscalerInputs<'a> {
    /// The HorizontalPodAutoscaler.
    pub autoscaler: &'a Value,
    /// Its scale target, when it exists and is of a kind with `/scale`.
    pub target: Option<&'a Value>,
}

/// The resource of a scale target reference (`apps/v1` Deployment, StatefulSet, ReplicaSet).
pub fn target_resource(autoscaler: &Value) -> Option<&'static Resource> {
    let api_version = object::text(autoscaler, "/spec/scaleTargetRef/apiVersion").unwrap_or("");
    let group = api_version.split_once('/').map_or("", |(group, _)| group);
    match (
        group,
        object::text(autoscaler, "/spec/scaleTargetRef/kind").unwrap_or(""),
    ) {
        ("apps", "Deployment") => Some(&DEPLOYMENTS),
        ("apps", "StatefulSet") => Some(&STATEFUL_SETS),
        ("apps", "ReplicaSet") => Some(&REPLICA_SETS),
        _ => None,
    }
}

/// One condition as the controller sets it.
struct Condition {
    kind: &'static str,
    status: &'static str,
    reason: &'static str,
    message: String,
}

impl Condition {
    fn new(
        kind: &'static str,
        status: &'static str,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Condition {
            kind,
            status,
            reason,
            message: message.into(),
        }
    }
}

/// What a metric is called in messages (`cpu resource utilization (percentage of request)`).
fn describe(metric: &Value) -> String {
    let source = metric
        .get("resource")
        .or_else(|| metric.get("containerResource"))
        .unwrap_or(&Value::Null);
    let name = source.get("name").and_then(Value::as_str).unwrap_or("cpu");
    let container = source
        .get("container")
        .and_then(Value::as_str)
        .map(|container| format!(" in container {container}"))
        .unwrap_or_default();
    match source.pointer("/target/type").and_then(Value::as_str) {
        Some("Utilization") => {
            format!("{name} resource utilization (percentage of request){container}")
        }
        _ => format!("{name} resource{container}"),
    }
}

/// The metric as the simulated metrics server reports it: exactly on target.
fn current_metric(metric: &Value) -> Value {
    let kind = metric
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Resource");
    let field = if kind == "ContainerResource" {
        "containerResource"
    } else {
        "resource"
    };
    let source = metric.get(field).unwrap_or(&Value::Null);
    let target = source.get("target").unwrap_or(&Value::Null);
    let mut current = Map::new();
    if let Some(utilization) = target.get("averageUtilization") {
        current.insert("averageUtilization".into(), utilization.clone());
    }
    if let Some(value) = target.get("averageValue").or_else(|| target.get("value")) {
        current.insert("averageValue".into(), value.clone());
    }
    let mut reported = Map::new();
    reported.insert(
        "name".into(),
        source.get("name").cloned().unwrap_or(json!("cpu")),
    );
    if let Some(container) = source.get("container") {
        reported.insert("container".into(), container.clone());
    }
    reported.insert("current".into(), Value::Object(current));
    json!({"type": kind, field: reported})
}

/// Why a metric cannot be read on this cluster, as the real controller says it.
fn unavailable(metric: &Value, namespace: &str) -> Option<(&'static str, String)> {
    let kind = metric.get("type").and_then(Value::as_str).unwrap_or("");
    let metric_name = |field: &str| {
        metric
            .pointer(&format!("/{field}/metric/name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    match kind {
        "Resource" | "ContainerResource" => None,
        "Pods" => {
            let name = metric_name("pods");
            Some((
                "FailedGetPodsMetric",
                format!(
                    "the HPA was unable to compute the replica count: unable to get metric {name}: unable to fetch metrics from custom metrics API: the server could not find the metric {name} for pods"
                ),
            ))
        }
        "Object" => {
            let name = metric_name("object");
            let described = metric
                .pointer("/object/describedObject")
                .cloned()
                .unwrap_or(Value::Null);
            let described_kind = described.get("kind").and_then(Value::as_str).unwrap_or("");
            let described_name = described.get("name").and_then(Value::as_str).unwrap_or("");
            Some((
                "FailedGetObjectMetric",
                format!(
                    "the HPA was unable to compute the replica count: unable to get metric {name}: {described_kind} on {namespace} {described_name}/unable to fetch metrics from custom metrics API: the server could not find the requested resource"
                ),
            ))
        }
        "External" => {
            let name = metric_name("external");
            Some((
                "FailedGetExternalMetric",
                format!(
                    "the HPA was unable to compute the replica count: unable to get external metric {namespace}/{name}/nil: unable to fetch metrics from external metrics API: the server could not find the requested resource (get {name}.external.metrics.k8s.io)"
                ),
            ))
        }
        other => Some((
            "InvalidMetricSourceType",
            format!(
                "the HPA was unable to compute the replica count: unknown metric source type \"{other}\""
            ),
        )),
    }
}

/// Writes the autoscaler's status and rescales its target when it is outside the bounds.
pub fn reconcile(inputs: &AutoscalerInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let autoscaler = inputs.autoscaler;
    let mut outcome = Outcome::none();
    if object::is_deleting(autoscaler) {
        return outcome;
    }
    let namespace = object::namespace(autoscaler);
    let minimum = object::integer(autoscaler, "/spec/minReplicas").unwrap_or(1);
    let maximum = object::integer(autoscaler, "/spec/maxReplicas").unwrap_or(minimum);
    let metrics: Vec<Value> = autoscaler
        .pointer("/spec/metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let previous = autoscaler.get("status").cloned().unwrap_or(json!({}));
    let mut status = Map::new();
    let mut conditions = Vec::new();
    let mut last_scale_time = previous.get("lastScaleTime").cloned();
    let Some(target) = inputs.target else {
        let reference = format!(
            "{}.{}",
            object::text(autoscaler, "/spec/scaleTargetRef/kind")
                .unwrap_or("")
                .to_lowercase(),
            object::text(autoscaler, "/spec/scaleTargetRef/name").unwrap_or("")
        );
        let message = match target_resource(autoscaler) {
            Some(resource) => format!(
                "the HPA controller was unable to get the target's current scale: {}.{} \"{}\" not found",
                resource.plural,
                resource.group,
                object::text(autoscaler, "/spec/scaleTargetRef/name").unwrap_or("")
            ),
            None => format!(
                "the HPA controller was unable to get the target's current scale: no matches for {reference}"
            ),
        };
        conditions.push(Condition::new(
            "AbleToScale",
            "False",
            "FailedGetScale",
            message.clone(),
        ));
        status.insert("currentReplicas".into(), json!(0));
        status.insert("desiredReplicas".into(), json!(0));
        return finish(
            autoscaler,
            &previous,
            status,
            conditions,
            last_scale_time,
            outcome,
            ctx,
            Some(("FailedGetScale", message)),
        );
    };
    let current = object::integer(target, "/spec/replicas").unwrap_or(1);
    let mut desired = current;
    let mut rescale_reason = None;
    let mut failure = None;
    if current == 0 && minimum != 0 {
        conditions.push(Condition::new(
            "AbleToScale",
            "True",
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        ));
        conditions.push(Condition::new(
            "ScalingActive",
            "False",
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
        ));
        desired = 0;
    } else if current > maximum {
        desired = maximum;
        rescale_reason = Some("Current number of replicas above Spec.MaxReplicas");
    } else if current < minimum {
        desired = minimum;
        rescale_reason = Some("Current number of replicas below Spec.MinReplicas");
    } else if let Some((reason, message)) = metrics.iter().find_map(|m| unavailable(m, namespace)) {
        conditions.push(Condition::new(
            "AbleToScale",
            "True",
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        ));
        conditions.push(Condition::new(
            "ScalingActive",
            "False",
            reason,
            message.clone(),
        ));
        failure = Some((reason, message));
    }
    let metrics_read = failure.is_none() && !(current == 0 && minimum != 0);
    if metrics_read {
        if let Some(reason) = rescale_reason {
            conditions.push(Condition::new(
                "AbleToScale",
                "True",
                "SucceededRescale",
                format!("the HPA controller was able to update the target scale to {desired}"),
            ));
            let resource = target_resource(autoscaler);
            if let Some(resource) = resource {
                let mut scaled = target.clone();
                object::map_at(&mut scaled, "spec").insert("replicas".into(), json!(desired));
                outcome.push(Change::Update {
                    resource,
                    object: scaled,
                });
            }
            last_scale_time = Some(json!(ctx.timestamp()));
            if ctx.config.record_events {
                outcome.record(EventRecord::new(
                    autoscaler,
                    EventType::Normal,
                    "SuccessfulRescale",
                    format!("New size: {desired}; reason: {reason}"),
                    COMPONENT,
                ));
            }
        } else {
            conditions.push(Condition::new(
                "AbleToScale",
                "True",
                "ReadyForNewScale",
                "recommended size matches current size",
            ));
        }
        let described = metrics
            .first()
            .map(describe)
            .unwrap_or_else(|| "cpu resource utilization (percentage of request)".to_string());
        conditions.push(Condition::new(
            "ScalingActive",
            "True",
            "ValidMetricFound",
            format!("the HPA was able to successfully calculate a replica count from {described}"),
        ));
        conditions.push(match rescale_reason {
            Some(_) if current > maximum => Condition::new(
                "ScalingLimited",
                "True",
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            ),
            Some(_) => Condition::new(
                "ScalingLimited",
                "True",
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            ),
            None => Condition::new(
                "ScalingLimited",
                "False",
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            ),
        });
        status.insert(
            "currentMetrics".into(),
            Value::Array(metrics.iter().map(current_metric).collect()),
        );
    }
    status.insert("currentReplicas".into(), json!(current));
    status.insert("desiredReplicas".into(), json!(desired));
    finish(
        autoscaler,
        &previous,
        status,
        conditions,
        last_scale_time,
        outcome,
        ctx,
        failure,
    )
}

/// Completes the status (times kept from the previous conditions when unchanged) and writes it
/// when it differs.
#[allow(clippy::too_many_arguments)]
fn finish(
    autoscaler: &Value,
    previous: &Value,
    mut status: Map<String, Value>,
    conditions: Vec<Condition>,
    last_scale_time: Option<Value>,
    mut outcome: Outcome,
    ctx: &Context<'_>,
    failure: Option<(&'static str, String)>,
) -> Outcome {
    let now = ctx.timestamp();
    let written: Vec<Value> = conditions
        .into_iter()
        .map(|condition| {
            let kept = previous
                .get("conditions")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter().find(|old| {
                        old.get("type").and_then(Value::as_str) == Some(condition.kind)
                            && old.get("status").and_then(Value::as_str) == Some(condition.status)
                    })
                })
                .and_then(|old| old.get("lastTransitionTime").cloned())
                .unwrap_or_else(|| json!(now));
            json!({
                "type": condition.kind,
                "status": condition.status,
                "lastTransitionTime": kept,
                "reason": condition.reason,
                "message": condition.message,
            })
        })
        .collect();
    let mut ordered = Map::new();
    if let Some(time) = last_scale_time {
        ordered.insert("lastScaleTime".into(), time);
    }
    for key in ["currentReplicas", "desiredReplicas", "currentMetrics"] {
        if let Some(value) = status.remove(key) {
            ordered.insert(key.into(), value);
        }
    }
    ordered.insert("conditions".into(), Value::Array(written));
    let status = Value::Object(ordered);
    if autoscaler.get("status") == Some(&status) {
        return outcome;
    }
    if let Some((reason, message)) = failure
        && ctx.config.record_events
    {
        outcome.record(EventRecord::new(
            autoscaler,
            EventType::Warning,
            reason,
            message,
            COMPONENT,
        ));
    }
    let mut updated = autoscaler.clone();
    object::ensure_map(&mut updated).insert("status".into(), status);
    outcome.push(Change::UpdateStatus {
        resource: &AUTOSCALERS,
        object: updated,
    });
    outcome
}

#[cfg(test)]
mod tests;
