//! CustomResourceDefinition (`apiextensions.k8s.io` v1, v1beta1): names accepted, schema
//! structural, and Established, so that its custom resources can be applied.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{conditions, find};

/// The health of a CustomResourceDefinition.
pub(crate) fn assess(definition: &Value) -> Result<Health> {
    let conditions = conditions(definition, &["status", "conditions"])?;
    if let Some(names) = find(&conditions, "NamesAccepted").filter(|c| c.is_false()) {
        return Ok(Health::degraded(format!(
            "Names not accepted: {}",
            names.summary()
        )));
    }
    if let Some(schema) = find(&conditions, "NonStructuralSchema").filter(|c| c.is_true()) {
        return Ok(Health::degraded(format!(
            "Schema is not structural: {}",
            schema.summary()
        )));
    }
    if let Some(terminating) = find(&conditions, "Terminating").filter(|c| c.is_true()) {
        return Ok(Health::progressing(format!(
            "Terminating: {}",
            terminating.summary()
        )));
    }
    Ok(match find(&conditions, "Established") {
        Some(established) if established.is_true() => Health::healthy(""),
        Some(established) if established.reason == "Installing" || !established.is_false() => {
            Health::progressing(format!("Not yet established: {}", established.summary()))
        }
        Some(established) => {
            Health::degraded(format!("Not established: {}", established.summary()))
        }
        None => Health::progressing("Waiting for the definition to be established"),
    })
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn definition(conditions: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "status": {"conditions": conditions}
        })
    }

    #[test]
    fn an_established_definition_is_healthy() {
        let object = definition(json!([
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted"}
        ]));
        assert_eq!(assess(&object).unwrap(), Health::healthy(""));
    }

    #[test]
    fn a_definition_whose_names_conflict_is_degraded() {
        let object = definition(json!([
            {"type": "NamesAccepted", "status": "False", "reason": "MultipleNamesConflict",
             "message": "\"widgets\" is already in use"},
            {"type": "Established", "status": "False", "reason": "NotAccepted"}
        ]));
        assert_eq!(
            assess(&object).unwrap(),
            Health::degraded(
                "Names not accepted: MultipleNamesConflict: \"widgets\" is already in use"
            )
        );
    }

    #[test]
    fn a_definition_being_installed_is_progressing() {
        let object = definition(json!([
            {"type": "NamesAccepted", "status": "True"},
            {"type": "Established", "status": "False", "reason": "Installing",
             "message": "the initial names have been accepted"}
        ]));
        assert_eq!(assess(&object).unwrap().status, Progressing);
    }

    #[test]
    fn a_new_definition_without_conditions_is_progressing() {
        assert_eq!(
            assess(&definition(json!([]))).unwrap(),
            Health::progressing("Waiting for the definition to be established")
        );
    }
}
