//! A simulated ingress controller: every Ingress gets the address of the cluster's one
//! ingress load balancer in `status.loadBalancer.ingress`, as ingress-nginx publishes it, so
//! health checks that wait for an address see one.

use serde_json::{Value, json};

use crate::change::{Change, Outcome};
use crate::object;
use crate::resources::INGRESSES;

/// The address the simulated ingress controller publishes.
pub const INGRESS_ADDRESS: &str = "172.18.255.1";

/// Publishes the ingress address on an Ingress that lacks it.
pub fn reconcile(ingress: &Value) -> Outcome {
    let mut outcome = Outcome::none();
    let published = json!([{"ip": INGRESS_ADDRESS}]);
    if ingress.pointer("/status/loadBalancer/ingress") == Some(&published) {
        return outcome;
    }
    let mut updated = ingress.clone();
    object::ensure_map(&mut updated).insert(
        "status".into(),
        json!({"loadBalancer": {"ingress": published}}),
    );
    outcome.push(Change::UpdateStatus {
        resource: &INGRESSES,
        object: updated,
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ingress_without_an_address_gets_the_ingress_controllers_address() {
        let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": {}});
        let outcome = reconcile(&ingress);
        assert_eq!(outcome.changes.len(), 1);
        let Change::UpdateStatus { object, .. } = &outcome.changes[0] else {
            panic!("expected a status update")
        };
        assert_eq!(
            object["status"]["loadBalancer"]["ingress"][0]["ip"],
            INGRESS_ADDRESS
        );
    }

    #[test]
    fn an_ingress_that_already_has_the_address_is_left_alone() {
        let ingress = json!({"kind": "Ingress", "metadata": {"name": "web"}, "status": {"loadBalancer": {"ingress": [{"ip": INGRESS_ADDRESS}]}}});
        assert!(reconcile(&ingress).changes.is_empty());
    }
}
