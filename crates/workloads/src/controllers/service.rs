//! Services: Endpoints and an EndpointSlice listing the selected pods (ready ones as addresses,
//! others as not ready), target ports resolved by name, and load-balancer ingress addresses for
//! `type: LoadBalancer`.

use std::collections::BTreeMap;

use ferry_cluster::selector::LabelSelector;
use serde_json::{Map, Value, json};

use super::pods;
use crate::change::{Change, Context, Outcome};
use crate::object;
use crate::resources::{ENDPOINT_SLICES, ENDPOINTS, SERVICES};

/// The label the endpoints controller puts on the Endpoints it manages.
pub const ENDPOINTS_MANAGED_BY: (&str, &str) =
    ("endpoints.kubernetes.io/managed-by", "endpoint-controller");
/// The label the EndpointSlice controller puts on the slices it manages.
pub const SLICE_MANAGED_BY: (&str, &str) = (
    "endpointslice.kubernetes.io/managed-by",
    "endpointslice-controller.k8s.io",
);
/// The label naming a slice's Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// What the endpoint controllers of one Service look at.
pub struct ServiceInputs<'a> {
    /// The Service.
    pub service: &'a Value,
    /// The pods of its namespace.
    pub pods: Vec<&'a Value>,
    /// Its Endpoints, if any.
    pub endpoints: Option<&'a Value>,
    /// Its managed EndpointSlices.
    pub slices: Vec<&'a Value>,
}

struct Target<'a> {
    pod: &'a Value,
    ip: String,
    ready: bool,
    ports: Vec<Value>,
}

fn selected<'a>(service: &Value, pods: &[&'a Value]) -> Vec<Target<'a>> {
    let Some(selector) = service
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .filter(|selector| !selector.is_empty())
    else {
        return Vec::new();
    };
    let selector = LabelSelector::from_object(&json!({"matchLabels": selector}));
    let mut targets: Vec<Target<'a>> = pods
        .iter()
        .filter(|pod| pods::is_active(pod) && selector.matches(&object::labels(pod)))
        .filter_map(|pod| {
            let ip = object::text(pod, "/status/podIP").filter(|ip| !ip.is_empty())?;
            Some(Target {
                pod,
                ip: ip.to_string(),
                ready: pods::is_ready(pod),
                ports: resolve_ports(service, pod),
            })
        })
        .collect();
    targets.sort_by(|a, b| {
        a.ip.cmp(&b.ip)
            .then(object::name(a.pod).cmp(object::name(b.pod)))
    });
    targets
}

/// The Service's ports as `{name, port, protocol}` with `targetPort` resolved against the pod.
fn resolve_ports(service: &Value, pod: &Value) -> Vec<Value> {
    let container_ports: Vec<&Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|container| {
            container
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .collect();
    service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|port| {
            let protocol = port
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("TCP");
            let number = match port.get("targetPort") {
                Some(Value::String(name)) => container_ports
                    .iter()
                    .find(|candidate| candidate.get("name").and_then(Value::as_str) == Some(name))
                    .and_then(|candidate| candidate.get("containerPort"))
                    .and_then(Value::as_i64)?,
                Some(Value::Number(number)) => number.as_i64()?,
                _ => port.get("port").and_then(Value::as_i64)?,
            };
            let mut resolved = Map::new();
            if let Some(name) = port
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            {
                resolved.insert("name".into(), json!(name));
            }
            resolved.insert("port".into(), json!(number));
            resolved.insert("protocol".into(), json!(protocol));
            Some(Value::Object(resolved))
        })
        .collect()
}

fn target_ref(pod: &Value) -> Value {
    json!({"kind": "Pod", "namespace": object::namespace(pod), "name": object::name(pod), "uid": object::uid(pod)})
}

/// The addresses (ready, not ready) of one set of resolved ports.
#[derive(Default)]
struct Subset {
    ready: Vec<Value>,
    not_ready: Vec<Value>,
    ports: Vec<Value>,
}

fn subsets(targets: &[Target<'_>]) -> Option<Value> {
    let mut groups: BTreeMap<String, Subset> = BTreeMap::new();
    for target in targets {
        let mut ports = target.ports.clone();
        ports.sort_by_key(|port| port.to_string());
        let group = groups
            .entry(Value::Array(ports.clone()).to_string())
            .or_insert_with(|| Subset {
                ports,
                ..Subset::default()
            });
        let mut address = json!({"ip": target.ip});
        if let Some(node) = object::text(target.pod, "/spec/nodeName") {
            address["nodeName"] = json!(node);
        }
        address["targetRef"] = target_ref(target.pod);
        if target.ready {
            group.ready.push(address);
        } else {
            group.not_ready.push(address);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let subsets: Vec<Value> = groups
        .into_values()
        .map(|group| {
            let mut subset = Map::new();
            if !group.ready.is_empty() {
                subset.insert("addresses".into(), Value::Array(group.ready));
            }
            if !group.not_ready.is_empty() {
                subset.insert("notReadyAddresses".into(), Value::Array(group.not_ready));
            }
            if !group.ports.is_empty() {
                subset.insert("ports".into(), Value::Array(group.ports));
            }
            Value::Object(subset)
        })
        .collect();
    Some(Value::Array(subsets))
}

fn slice_contents(targets: &[Target<'_>]) -> (Value, Value) {
    if targets.is_empty() {
        return (Value::Null, Value::Null);
    }
    let endpoints: Vec<Value> = targets
        .iter()
        .map(|target| {
            let mut endpoint = json!({
                "addresses": [target.ip],
                "conditions": {"ready": target.ready, "serving": target.ready, "terminating": false},
                "targetRef": target_ref(target.pod),
            });
            if let Some(node) = object::text(target.pod, "/spec/nodeName") {
                endpoint["nodeName"] = json!(node);
            }
            endpoint
        })
        .collect();
    let ports = targets
        .first()
        .map(|target| target.ports.clone())
        .unwrap_or_default();
    (Value::Array(endpoints), Value::Array(ports))
}

fn labels_with(service: &Value, extra: &[(&str, &str)]) -> Value {
    let mut labels: Map<String, Value> = service
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, value) in extra {
        labels.insert((*key).to_string(), json!(value));
    }
    Value::Object(labels)
}

/// Writes the Service's Endpoints, EndpointSlice and load-balancer status.
pub fn reconcile(inputs: &ServiceInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let service = inputs.service;
    let mut outcome = Outcome::none();
    if object::is_deleting(service) {
        return outcome;
    }
    load_balancer(service, &mut outcome);
    let has_selector = service
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .is_some_and(|selector| !selector.is_empty());
    if !has_selector {
        return outcome;
    }
    let targets = selected(service, &inputs.pods);
    let namespace = object::namespace(service);
    let name = object::name(service);
    let now = ctx.timestamp();
    let subsets = subsets(&targets);
    match inputs.endpoints {
        None => {
            let mut endpoints = json!({
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": {
                    "name": name, "namespace": namespace,
                    "labels": labels_with(service, &[ENDPOINTS_MANAGED_BY]),
                    "annotations": {TRIGGER_TIME: now},
                },
            });
            if let Some(subsets) = subsets {
                endpoints["subsets"] = subsets;
            }
            outcome.push(Change::Create {
                resource: &ENDPOINTS,
                object: endpoints,
            });
        }
        Some(current) if current.get("subsets") != subsets.as_ref() => {
            let mut updated = current.clone();
            object::set_annotation(&mut updated, TRIGGER_TIME, Some(&now));
            let map = object::ensure_map(&mut updated);
            match subsets {
                Some(subsets) => map.insert("subsets".into(), subsets),
                None => map.remove("subsets"),
            };
            outcome.push(Change::Update {
                resource: &ENDPOINTS,
                object: updated,
            });
        }
        Some(_) => {}
    }
    let (endpoints, ports) = slice_contents(&targets);
    match inputs.slices.split_first() {
        None => {
            let prefix = format!("{name}-");
            outcome.push(Change::Create {
                resource: &ENDPOINT_SLICES,
                object: json!({
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {
                        "name": super::pods::generated_name(&prefix, ctx.names),
                        "generateName": prefix,
                        "namespace": namespace,
                        "labels": labels_with(service, &[SLICE_MANAGED_BY, (SERVICE_NAME_LABEL, name)]),
                        "annotations": {TRIGGER_TIME: now},
                        "ownerReferences": [object::owner_reference(service)],
                    },
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                }),
            });
        }
        Some((slice, extra)) => {
            if slice.get("endpoints").unwrap_or(&Value::Null) != &endpoints
                || slice.get("ports").unwrap_or(&Value::Null) != &ports
            {
                let mut updated = (*slice).clone();
                object::set_annotation(&mut updated, TRIGGER_TIME, Some(&now));
                let map = object::ensure_map(&mut updated);
                map.insert("endpoints".into(), endpoints);
                map.insert("ports".into(), ports);
                outcome.push(Change::Update {
                    resource: &ENDPOINT_SLICES,
                    object: updated,
                });
            }
            for slice in extra {
                outcome.push(Change::Delete {
                    resource: &ENDPOINT_SLICES,
                    namespace: namespace.to_string(),
                    name: object::name(slice).to_string(),
                    uid: object::uid(slice).to_string(),
                });
            }
        }
    }
    outcome
}

/// The load-balancer address of a `type: LoadBalancer` Service.
fn load_balancer(service: &Value, outcome: &mut Outcome) {
    if object::text(service, "/spec/type") != Some("LoadBalancer") {
        return;
    }
    let index = 2 + object::fnv32a(object::uid(service).as_bytes()) % 250;
    let ingress = json!([{"ip": format!("172.18.255.{index}"), "ipMode": "VIP"}]);
    if service.pointer("/status/loadBalancer/ingress") == Some(&ingress) {
        return;
    }
    let mut updated = service.clone();
    object::ensure_map(&mut updated).insert(
        "status".into(),
        json!({"loadBalancer": {"ingress": ingress}}),
    );
    outcome.push(Change::UpdateStatus {
        resource: &SERVICES,
        object: updated,
    });
}

/// Removes the Endpoints the controller made for a Service that is gone.
pub fn service_gone(endpoints: &Value) -> Outcome {
    let mut outcome = Outcome::none();
    if object::labels(endpoints)
        .get(ENDPOINTS_MANAGED_BY.0)
        .map(String::as_str)
        == Some(ENDPOINTS_MANAGED_BY.1)
    {
        outcome.push(Change::Delete {
            resource: &ENDPOINTS,
            namespace: object::namespace(endpoints).to_string(),
            name: object::name(endpoints).to_string(),
            uid: object::uid(endpoints).to_string(),
        });
    }
    outcome
}

#[cfg(test)]
mod tests;
