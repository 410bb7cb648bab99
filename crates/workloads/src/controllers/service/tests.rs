use std::time::SystemTime;

use serde_json::{Value, json};

use super::*;
use crate::change::CountingNames;
use crate::config::SimulationConfig;

fn service(kind: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "hello", "namespace": "demo", "uid": "svc-uid"},
        "spec": {"type": kind, "selector": {"app": "hello"},
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]}
    })
}

fn pod(name: &str, ip: &str, ready: bool) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "demo", "uid": format!("{name}-uid"), "labels": {"app": "hello"}},
        "spec": {"nodeName": "ferry-node-1",
                 "containers": [{"name": "hello", "ports": [{"name": "http", "containerPort": 8080}]}]},
        "status": {"phase": "Running", "podIP": ip,
                   "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
    })
}

fn run(inputs: &ServiceInputs<'_>) -> Outcome {
    let config = SimulationConfig::default();
    let names = CountingNames::default();
    reconcile(
        inputs,
        &Context {
            now: SystemTime::now(),
            config: &config,
            names: &names,
        },
    )
}

fn created(outcome: &Outcome, kind: &str) -> Value {
    outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Create { object, .. } if object["kind"] == kind => Some(object.clone()),
            _ => None,
        })
        .unwrap_or(Value::Null)
}

#[test]
fn endpoints_list_ready_pods_as_addresses_and_others_as_not_ready_with_named_ports_resolved() {
    let service = service("ClusterIP");
    let ready = pod("a", "10.244.1.5", true);
    let starting = pod("b", "10.244.2.7", false);
    let outcome = run(&ServiceInputs {
        service: &service,
        pods: vec![&ready, &starting],
        endpoints: None,
        slices: vec![],
    });
    let endpoints = created(&outcome, "Endpoints");
    assert_eq!(
        endpoints["metadata"]["labels"],
        json!({"endpoints.kubernetes.io/managed-by": "endpoint-controller"})
    );
    assert_eq!(
        endpoints["subsets"],
        json!([{
            "addresses": [{"ip": "10.244.1.5", "nodeName": "ferry-node-1",
                           "targetRef": {"kind": "Pod", "namespace": "demo", "name": "a", "uid": "a-uid"}}],
            "notReadyAddresses": [{"ip": "10.244.2.7", "nodeName": "ferry-node-1",
                                   "targetRef": {"kind": "Pod", "namespace": "demo", "name": "b", "uid": "b-uid"}}],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]
        }])
    );
    let slice = created(&outcome, "EndpointSlice");
    assert_eq!(slice["metadata"]["name"], "hello-bbbbb");
    assert_eq!(
        slice["metadata"]["labels"]["kubernetes.io/service-name"],
        "hello"
    );
    assert_eq!(slice["metadata"]["ownerReferences"][0]["uid"], "svc-uid");
    assert_eq!(
        slice["endpoints"][0]["conditions"],
        json!({"ready": true, "serving": true, "terminating": false})
    );
    assert_eq!(slice["endpoints"][1]["conditions"]["ready"], false);
}

#[test]
fn a_service_without_pods_gets_empty_endpoints_and_a_slice_with_null_lists() {
    let service = service("ClusterIP");
    let outcome = run(&ServiceInputs {
        service: &service,
        pods: vec![],
        endpoints: None,
        slices: vec![],
    });
    assert_eq!(created(&outcome, "Endpoints").get("subsets"), None);
    let slice = created(&outcome, "EndpointSlice");
    assert_eq!(slice["endpoints"], Value::Null);
    assert_eq!(slice["ports"], Value::Null);
}

#[test]
fn a_load_balancer_service_gets_an_ingress_address() {
    let service = service("LoadBalancer");
    let outcome = run(&ServiceInputs {
        service: &service,
        pods: vec![],
        endpoints: None,
        slices: vec![],
    });
    let status = outcome
        .changes
        .iter()
        .find_map(|change| match change {
            Change::UpdateStatus { object, .. } => Some(object["status"].clone()),
            _ => None,
        })
        .expect("a status write");
    assert!(
        status["loadBalancer"]["ingress"][0]["ip"]
            .as_str()
            .unwrap()
            .starts_with("172.18.255.")
    );
}
