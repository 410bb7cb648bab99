//! ferry's own `Application` (`ferry.dev`): the health its controller reports in
//! `status.health.status`, so an app of apps waits wave by wave for its children.
//!
//! Argo CD gives its `argoproj.io` Application no built-in check (users add one in Lua to
//! order apps of apps by waves); that kind stays without an assessment here too. ferry's kind
//! has one: an app its controller has not reported on yet is Progressing.

use ferry_types::HealthStatusCode;
use serde_json::Value;

use crate::Health;
use crate::error::Result;

/// The health of a ferry Application, as its controller reported it.
pub(crate) fn assess(application: &Value) -> Result<Health> {
    let health = &application["status"]["health"];
    let message = health["message"].as_str().unwrap_or_default();
    let code = health["status"]
        .as_str()
        .and_then(|status| serde_json::from_value::<HealthStatusCode>(status.into()).ok());
    Ok(match code {
        Some(code) => Health::new(code, message),
        None => Health::progressing("Waiting for the application's controller to report health"),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_application_has_the_health_its_controller_reported() {
        let object =
            json!({"status": {"health": {"status": "Degraded", "message": "web: crashloop"}}});
        assert_eq!(assess(&object).unwrap(), Health::degraded("web: crashloop"));
        let object = json!({"status": {"health": {"status": "Healthy"}}});
        assert_eq!(assess(&object).unwrap(), Health::healthy(""));
    }

    #[test]
    fn an_application_not_yet_reported_on_is_progressing() {
        assert_eq!(
            assess(&json!({"spec": {}})).unwrap().status,
            HealthStatusCode::Progressing
        );
        let object = json!({"status": {"health": {"status": "Sideways"}}});
        assert_eq!(
            assess(&object).unwrap().status,
            HealthStatusCode::Progressing
        );
    }

    #[test]
    fn argo_cds_application_keeps_no_built_in_assessment() {
        let object = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "status": {"health": {"status": "Degraded"}}});
        assert_eq!(crate::assess(&object), None);
        let object = json!({"apiVersion": "ferry.dev/v1alpha1", "kind": "Application",
            "status": {"health": {"status": "Degraded"}}});
        assert_eq!(
            crate::assess(&object).unwrap().status,
            HealthStatusCode::Degraded
        );
    }
}
