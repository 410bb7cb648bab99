//! Argo Workflow (`argoproj.io`, any version): read from `status.phase`, with
//! `status.message` as the message.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::text;

/// The health of an Argo Workflow.
pub(crate) fn assess(workflow: &Value) -> Result<Health> {
    let message = text(workflow, &["status", "message"])?;
    Ok(match text(workflow, &["status", "phase"])? {
        "" | "Pending" | "Running" => Health::progressing(message),
        "Succeeded" => Health::healthy(message),
        "Failed" | "Error" => Health::degraded(message),
        _ => Health::unknown(message),
    })
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_workflow_in_error_is_degraded_with_its_message() {
        let workflow = json!({"status": {"phase": "Error", "message": "pod deleted"}});
        assert_eq!(assess(&workflow).unwrap(), Health::degraded("pod deleted"));
    }

    #[test]
    fn a_workflow_in_a_phase_it_does_not_know_is_unknown() {
        let workflow = json!({"status": {"phase": "Paused"}});
        assert_eq!(assess(&workflow).unwrap().status, Unknown);
    }
}
