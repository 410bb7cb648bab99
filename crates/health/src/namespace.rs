//! Namespace (`v1`): Active, or Terminating with the reason deletion is held up.
//!
//! A terminating Namespace normally carries a `deletionTimestamp`, so the deletion rule that
//! runs before every kind answers first; this file reads the phase and the namespace
//! controller's deletion conditions for the rest.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{conditions, text};

/// The conditions the namespace controller sets while deletion is held up.
const DELETION_PROBLEMS: &[&str] = &[
    "NamespaceDeletionDiscoveryFailure",
    "NamespaceDeletionGroupVersionParsingFailure",
    "NamespaceDeletionContentFailure",
    "NamespaceContentRemaining",
    "NamespaceFinalizersRemaining",
];

/// The health of a Namespace.
pub(crate) fn assess(namespace: &Value) -> Result<Health> {
    match text(namespace, &["status", "phase"])? {
        // A namespace exists and can hold objects as soon as it is created.
        "" | "Active" => Ok(Health::healthy("")),
        "Terminating" => {
            let conditions = conditions(namespace, &["status", "conditions"])?;
            let problems: Vec<String> = conditions
                .iter()
                .filter(|condition| {
                    DELETION_PROBLEMS.contains(&condition.condition_type) && condition.is_true()
                })
                .map(|condition| condition.summary())
                .collect();
            if problems.is_empty() {
                Ok(Health::progressing("Namespace is terminating"))
            } else {
                Ok(Health::progressing(format!(
                    "Namespace is terminating: {}",
                    problems.join("; ")
                )))
            }
        }
        phase => Ok(Health::unknown(format!("Unknown phase \"{phase}\""))),
    }
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn an_active_namespace_is_healthy() {
        let namespace = json!({"apiVersion": "v1", "kind": "Namespace",
            "status": {"phase": "Active"}});
        assert_eq!(assess(&namespace).unwrap().status, Healthy);
    }

    #[test]
    fn a_terminating_namespace_is_progressing() {
        let namespace = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "team-a", "deletionTimestamp": "2024-05-01T10:00:00Z"},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Terminating"}
        });
        assert_eq!(
            crate::assess(&namespace),
            Some(Health::progressing("Pending deletion"))
        );
    }

    #[test]
    fn a_terminating_namespace_names_what_holds_it() {
        let namespace = json!({"status": {"phase": "Terminating", "conditions": [
            {"type": "NamespaceDeletionDiscoveryFailure", "status": "False"},
            {"type": "NamespaceFinalizersRemaining", "status": "True",
             "reason": "SomeFinalizersRemain",
             "message": "Some content in the namespace has finalizers remaining: example.com/cleanup in 1 resource instances"}
        ]}});
        assert_eq!(
            assess(&namespace).unwrap(),
            Health::progressing(
                "Namespace is terminating: SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/cleanup in 1 resource instances"
            )
        );
    }
}
