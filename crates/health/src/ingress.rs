//! Ingress (`networking.k8s.io`, `extensions`, any version): Healthy once an address is
//! published.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::list;

/// The health of an Ingress.
pub(crate) fn assess(ingress: &Value) -> Result<Health> {
    if list(ingress, &["status", "loadBalancer", "ingress"])?.is_empty() {
        return Ok(Health::progressing(
            "Waiting for the ingress controller to publish an address",
        ));
    }
    Ok(Health::healthy(""))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn an_ingress_without_an_address_is_progressing() {
        let ingress = json!({"status": {"loadBalancer": {"ingress": []}}});
        assert_eq!(assess(&ingress).unwrap().status, Progressing);
    }

    #[test]
    fn an_ingress_with_a_hostname_is_healthy() {
        let ingress =
            json!({"status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}});
        assert_eq!(assess(&ingress).unwrap().status, Healthy);
    }
}
