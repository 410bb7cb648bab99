//! APIService (`apiregistration.k8s.io` v1, v1beta1): Healthy once `Available`.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{conditions, find};

/// The health of an APIService.
pub(crate) fn assess(api_service: &Value) -> Result<Health> {
    let conditions = conditions(api_service, &["status", "conditions"])?;
    Ok(match find(&conditions, "Available") {
        Some(available) if available.is_true() => Health::healthy(available.summary()),
        Some(available) => Health::progressing(available.summary()),
        None => Health::progressing("Waiting to be processed"),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_api_service_without_endpoints_is_progressing_with_the_reason() {
        let object = json!({"status": {"conditions": [{"type": "Available", "status": "False",
            "reason": "MissingEndpoints", "message": "endpoints for service/metrics have no addresses"}]}});
        assert_eq!(
            assess(&object).unwrap(),
            Health::progressing(
                "MissingEndpoints: endpoints for service/metrics have no addresses"
            )
        );
    }

    #[test]
    fn an_api_service_without_conditions_is_waiting() {
        assert_eq!(
            assess(&json!({})).unwrap(),
            Health::progressing("Waiting to be processed")
        );
    }
}
