//! Custom resources that follow the Kubernetes condition conventions (kstatus): a generic
//! check for kinds without one of their own.
//!
//! It applies only when `status.conditions` holds a `Ready`, `Available`, `Stalled` or
//! `Reconciling` condition; any other object gets no assessment, as Argo CD gives none (a
//! Knative Service without status, an Argo CD Application). In order:
//! - `status.observedGeneration` behind `metadata.generation`: Progressing;
//! - `Stalled` True: Degraded; `Reconciling` True: Progressing;
//! - `Ready` (else `Available`) reported for an older generation: Progressing;
//!   True: Healthy; False: Degraded; Unknown: Progressing;
//! - neither, with `Stalled` and `Reconciling` not True: Healthy.

use serde_json::Value;

use crate::Health;
use crate::fields::{conditions, find, lookup};

/// The condition types that make an object eligible.
const KNOWN: &[&str] = &["Ready", "Available", "Stalled", "Reconciling"];

/// The health of a custom resource from its standard conditions, or `None` when it has none.
pub(crate) fn assess(object: &Value) -> Option<Health> {
    let conditions = conditions(object, &["status", "conditions"]).ok()?;
    if !conditions
        .iter()
        .any(|condition| KNOWN.contains(&condition.condition_type))
    {
        return None;
    }
    let generation = generation_field(object, &["metadata", "generation"]);
    let observed = generation_field(object, &["status", "observedGeneration"]);
    if let (Some(generation), Some(observed)) = (generation, observed)
        && observed < generation
    {
        return Some(Health::progressing(format!(
            "Waiting for the controller to observe generation {generation} (observed {observed})"
        )));
    }
    if let Some(stalled) = find(&conditions, "Stalled").filter(|c| c.is_true()) {
        return Some(Health::degraded(stalled.summary()));
    }
    if let Some(reconciling) = find(&conditions, "Reconciling").filter(|c| c.is_true()) {
        return Some(Health::progressing(reconciling.summary()));
    }
    let Some(main) = find(&conditions, "Ready").or_else(|| find(&conditions, "Available")) else {
        return Some(Health::healthy(""));
    };
    if let (Some(generation), Some(reported)) = (generation, main.observed_generation)
        && reported < generation
    {
        return Some(Health::progressing(format!(
            "Waiting for the controller to report on generation {generation} ({} is for {reported})",
            main.condition_type
        )));
    }
    Some(if main.is_true() {
        Health::healthy(main.message)
    } else if main.is_false() {
        Health::degraded(main.summary())
    } else {
        Health::progressing(main.summary())
    })
}

/// A generation read leniently: some controllers write `observedGeneration` as a string.
fn generation_field(object: &Value, path: &[&str]) -> Option<i64> {
    match lookup(object, path).ok()?? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn resource(generation: i64, status: Value) -> Value {
        json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "generation": generation},
            "status": status
        })
    }

    #[test]
    fn a_ready_custom_resource_is_healthy() {
        let object = resource(
            2,
            json!({"observedGeneration": 2, "conditions": [
                {"type": "Ready", "status": "True", "message": "all good"}]}),
        );
        assert_eq!(assess(&object), Some(Health::healthy("all good")));
    }

    #[test]
    fn a_custom_resource_not_ready_is_degraded_with_the_reason() {
        let object = resource(
            1,
            json!({"conditions": [{"type": "Ready", "status": "False",
                "reason": "ArtifactFailed", "message": "repository not found"}]}),
        );
        assert_eq!(
            assess(&object),
            Some(Health::degraded("ArtifactFailed: repository not found"))
        );
    }

    #[test]
    fn an_available_custom_resource_is_healthy_when_it_has_no_ready_condition() {
        let object = resource(
            1,
            json!({"conditions": [{"type": "Available", "status": "True"}]}),
        );
        assert_eq!(assess(&object).unwrap().status, Healthy);
    }

    #[test]
    fn a_custom_resource_behind_its_generation_is_progressing() {
        let object = resource(
            3,
            json!({"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "True"}]}),
        );
        assert_eq!(
            assess(&object),
            Some(Health::progressing(
                "Waiting for the controller to observe generation 3 (observed 2)"
            ))
        );
    }

    #[test]
    fn a_ready_condition_for_an_older_generation_is_progressing() {
        let object = resource(
            3,
            json!({"conditions": [{"type": "Ready", "status": "True", "observedGeneration": 2}]}),
        );
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }

    #[test]
    fn stalled_is_degraded_and_reconciling_is_progressing() {
        let stalled = resource(
            1,
            json!({"conditions": [
                {"type": "Ready", "status": "Unknown"},
                {"type": "Stalled", "status": "True", "reason": "InvalidSpec"}]}),
        );
        assert_eq!(assess(&stalled), Some(Health::degraded("InvalidSpec")));
        let reconciling = resource(
            1,
            json!({"conditions": [
                {"type": "Ready", "status": "False"},
                {"type": "Reconciling", "status": "True", "reason": "Progressing",
                 "message": "fetching revision"}]}),
        );
        assert_eq!(
            assess(&reconciling),
            Some(Health::progressing("Progressing: fetching revision"))
        );
    }

    #[test]
    fn a_ready_condition_of_unknown_status_is_progressing() {
        let object = resource(
            1,
            json!({"conditions": [{"type": "Ready", "status": "Unknown"}]}),
        );
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }

    #[test]
    fn a_string_observed_generation_is_read_as_a_number() {
        let object = resource(
            5,
            json!({"observedGeneration": "4", "conditions": [{"type": "Available", "status": "True"}]}),
        );
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }

    #[test]
    fn a_custom_resource_without_standard_conditions_has_no_health() {
        let object = resource(
            1,
            json!({"conditions": [{"type": "SyncError", "status": "True"}]}),
        );
        assert_eq!(assess(&object), None);
        assert_eq!(
            assess(&resource(1, json!({"health": {"status": "Healthy"}}))),
            None
        );
        assert_eq!(assess(&resource(1, json!({"conditions": "bogus"}))), None);
    }
}
