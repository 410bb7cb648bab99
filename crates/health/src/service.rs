//! Service (`v1`): Healthy, unless a LoadBalancer still waits for its address.

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{list, text};

/// The health of a Service.
pub(crate) fn assess(service: &Value) -> Result<Health> {
    let load_balancer = text(service, &["spec", "type"])? == "LoadBalancer";
    if load_balancer && list(service, &["status", "loadBalancer", "ingress"])?.is_empty() {
        return Ok(Health::progressing(
            "Waiting for the load balancer to be given an address",
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
    fn a_load_balancer_without_an_address_is_progressing() {
        let service = json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {}}});
        assert_eq!(assess(&service).unwrap().status, Progressing);
    }

    #[test]
    fn a_load_balancer_with_an_address_is_healthy() {
        let service = json!({"spec": {"type": "LoadBalancer"},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}});
        assert_eq!(assess(&service).unwrap().status, Healthy);
    }

    #[test]
    fn a_node_port_service_is_healthy() {
        let service = json!({"spec": {"type": "NodePort"}});
        assert_eq!(assess(&service).unwrap().status, Healthy);
    }
}
