//! HorizontalPodAutoscaler (`autoscaling` v1, v2, v2beta2, v2beta1): read from its
//! conditions.
//!
//! Version 1 carries its conditions as JSON in the annotation
//! `autoscaling.alpha.kubernetes.io/conditions`; the other versions in `status.conditions`.
//! Argo CD reads only v1 and v2; the beta versions have the same conditions and are read alike.

use serde_json::Value;

use crate::Health;
use crate::error::{Error, Result};
use crate::fields::{Condition, annotation, conditions, text};

/// Where autoscaling/v1 keeps the conditions.
const CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";

/// Condition type and reason pairs that mean the autoscaler cannot do its job.
const FAILURES: &[(&str, &str)] = &[
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "FailedGetObjectMetric"),
    ("ScalingActive", "FailedGetPodsMetric"),
    ("ScalingActive", "FailedGetExternalMetric"),
    ("ScalingActive", "FailedComputeMetricsReplicas"),
    ("ScalingActive", "InvalidSelector"),
];

/// Condition types that, when `True`, mean the autoscaler works.
const WORKING: &[&str] = &["AbleToScale", "ScalingLimited"];

/// The message while the autoscaler has reported nothing useful yet.
const WAITING: &str = "Waiting to Autoscale";

/// The health of a HorizontalPodAutoscaler.
pub(crate) fn assess(autoscaler: &Value) -> Result<Health> {
    if text(autoscaler, &["apiVersion"])? != "autoscaling/v1" {
        return Ok(judge(&conditions(autoscaler, &["status", "conditions"])?));
    }
    let Some(encoded) = annotation(autoscaler, CONDITIONS_ANNOTATION)? else {
        return Ok(Health::progressing(WAITING));
    };
    if encoded.trim().is_empty() {
        return Ok(Health::progressing(WAITING));
    }
    let decoded: Value = serde_json::from_str(encoded).map_err(|source| Error::Annotation {
        annotation: CONDITIONS_ANNOTATION,
        source,
    })?;
    Ok(judge(&conditions(&decoded, &[])?))
}

/// Degraded on any failure condition, else Healthy on a working one, else Progressing.
fn judge(conditions: &[Condition<'_>]) -> Health {
    let failure = conditions
        .iter()
        .find(|condition| FAILURES.contains(&(condition.condition_type, condition.reason)));
    if let Some(failure) = failure {
        return Health::degraded(failure.message);
    }
    let working = conditions
        .iter()
        .find(|condition| WORKING.contains(&condition.condition_type) && condition.is_true());
    match working {
        Some(working) => Health::healthy(working.message),
        None => Health::progressing(WAITING),
    }
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_v1_autoscaler_without_the_conditions_annotation_is_waiting() {
        let autoscaler = json!({"apiVersion": "autoscaling/v1", "metadata": {"annotations": {
            CONDITIONS_ANNOTATION: "[]"}}});
        assert_eq!(assess(&autoscaler).unwrap(), Health::progressing(WAITING));
    }

    #[test]
    fn a_v1_autoscaler_with_a_broken_annotation_cannot_be_read() {
        let autoscaler = json!({"apiVersion": "autoscaling/v1", "metadata": {"annotations": {
            CONDITIONS_ANNOTATION: "[{"}}});
        let error = assess(&autoscaler).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("annotation autoscaling.alpha.kubernetes.io/conditions is not valid")
        );
    }

    #[test]
    fn a_failure_anywhere_outranks_a_working_condition() {
        let autoscaler = json!({"apiVersion": "autoscaling/v2beta2", "status": {"conditions": [
            {"type": "AbleToScale", "status": "True", "reason": "SucceededGetScale"},
            {"type": "ScalingActive", "status": "False", "reason": "FailedGetPodsMetric",
             "message": "unable to get metric http_requests"}
        ]}});
        assert_eq!(
            assess(&autoscaler).unwrap(),
            Health::degraded("unable to get metric http_requests")
        );
    }

    #[test]
    fn an_autoscaler_able_to_scale_is_healthy() {
        let autoscaler = json!({"apiVersion": "autoscaling/v2", "status": {"conditions": [
            {"type": "AbleToScale", "status": "True", "message": "ready for new scale"}
        ]}});
        assert_eq!(assess(&autoscaler).unwrap().status, Healthy);
    }
}
