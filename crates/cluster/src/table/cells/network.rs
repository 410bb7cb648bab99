//! Cells of the networking kinds: Services, Ingresses, IngressClasses, NetworkPolicies,
//! Endpoints and EndpointSlices.

use super::{map_text, or_none, selector_text, text};
use serde_json::{Value, json};

pub(super) fn service(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let spec = &object["spec"];
    let kind = text(spec, "/type");
    let cluster_ip = spec["clusterIPs"]
        .as_array()
        .and_then(|ips| ips.first())
        .and_then(Value::as_str)
        .unwrap_or("<none>");
    let external: Vec<&str> = spec["externalIPs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let balancer = load_balancer(&object["status"]["loadBalancer"]);
    let external_ip = match kind {
        "ClusterIP" | "NodePort" if !external.is_empty() => external.join(","),
        "ClusterIP" | "NodePort" => "<none>".to_string(),
        "LoadBalancer" => {
            let mut all: Vec<String> = balancer.clone();
            all.extend(external.iter().map(|ip| ip.to_string()));
            if all.is_empty() {
                "<pending>".to_string()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => text(spec, "/externalName").to_string(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = spec["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|port| {
            let protocol = port["protocol"].as_str().unwrap_or("");
            match port["nodePort"].as_i64().filter(|node_port| *node_port > 0) {
                Some(node_port) => format!("{}:{node_port}/{protocol}", port["port"]),
                None => format!("{}/{protocol}", port["port"]),
            }
        })
        .collect();
    vec![
        name,
        json!(kind),
        json!(cluster_ip),
        json!(external_ip),
        json!(if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports.join(",")
        }),
        age,
        json!(map_text(spec.get("selector"))),
    ]
}

pub(super) fn load_balancer(status: &Value) -> Vec<String> {
    status["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|ingress| {
            ingress["ip"]
                .as_str()
                .or_else(|| ingress["hostname"].as_str())
        })
        .map(str::to_string)
        .collect()
}

pub(super) fn ingress(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let rules = object
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let hosts: Vec<&str> = rules
        .iter()
        .filter_map(|rule| rule["host"].as_str())
        .filter(|host| !host.is_empty())
        .take(4)
        .collect();
    let hosts_text = match (hosts.is_empty(), rules.len() > 4) {
        (true, _) => "*".to_string(),
        (false, true) => format!("{} + {} more...", hosts.join(","), rules.len() - 4),
        (false, false) => hosts.join(","),
    };
    let tls = object
        .pointer("/spec/tls")
        .and_then(Value::as_array)
        .is_some_and(|tls| !tls.is_empty());
    vec![
        name,
        json!(or_none(text(object, "/spec/ingressClassName"))),
        json!(hosts_text),
        json!(load_balancer(&object["status"]["loadBalancer"]).join(",")),
        json!(if tls { "80, 443" } else { "80" }),
        age,
    ]
}

pub(super) fn ingress_class(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let parameters = object
        .pointer("/spec/parameters")
        .map(|parameters| {
            let group = parameters["apiGroup"].as_str().unwrap_or("");
            let kind = parameters["kind"].as_str().unwrap_or("");
            let kind = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            format!("{kind}/{}", parameters["name"].as_str().unwrap_or(""))
        })
        .unwrap_or_else(|| "<none>".into());
    vec![
        name,
        json!(text(object, "/spec/controller")),
        json!(parameters),
        age,
    ]
}

pub(super) fn network_policy(object: &Value, name: Value, age: Value) -> Vec<Value> {
    vec![
        name,
        json!(selector_text(object.pointer("/spec/podSelector"))),
        age,
    ]
}

pub(super) fn endpoints(object: &Value, name: Value, age: Value) -> Vec<Value> {
    vec![name, json!(endpoint_addresses(object)), age]
}

fn endpoint_addresses(object: &Value) -> String {
    let mut list = Vec::new();
    for subset in object["subsets"].as_array().into_iter().flatten() {
        for address in subset["addresses"].as_array().into_iter().flatten() {
            let ip = address["ip"].as_str().unwrap_or("");
            let ports: Vec<String> = subset["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|port| port["port"].to_string())
                .collect();
            if ports.is_empty() {
                list.push(ip.to_string());
            } else {
                list.extend(ports.iter().map(|port| format!("{ip}:{port}")));
            }
        }
    }
    let shown: Vec<String> = list.iter().take(3).cloned().collect();
    match list.len() {
        0 => "<none>".to_string(),
        1..=3 => shown.join(","),
        count => format!("{} + {} more...", shown.join(","), count - 3),
    }
}

pub(super) fn endpoint_slice(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let ports: Vec<String> = object["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|port| port["port"].to_string())
        .collect();
    let addresses: Vec<String> = object["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|endpoint| {
            endpoint["addresses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|address| address.as_str().map(str::to_string))
        .collect();
    let shown = |items: &[String]| match items.len() {
        0 => "<unset>".to_string(),
        1..=3 => items.join(","),
        count => format!("{} + {} more...", items[..3].join(","), count - 3),
    };
    vec![
        name,
        json!(text(object, "/addressType")),
        json!(shown(&ports)),
        json!(shown(&addresses)),
        age,
    ]
}

#[cfg(test)]
mod tests {
    use super::super::cells;
    use serde_json::json;

    #[test]
    fn node_ports_show_in_service_port_cells() {
        let service = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "clusterIPs": ["10.0.0.1"],
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}});
        let row = cells("", "Service", &service, 0).expect("services print");
        assert_eq!(row[4], "80:30080/TCP");
        assert_eq!(row[3], "<none>");
    }
}
