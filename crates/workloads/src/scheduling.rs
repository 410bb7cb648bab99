//! The simulated scheduler and network: which node a pod lands on and which addresses the node
//! and the pod get.

use serde_json::Value;

use crate::kubelet::status::Placement;
use crate::object;

/// The name of the `index`-th simulated node (from 1).
pub fn node_name(index: usize) -> String {
    format!("ferry-node-{index}")
}

/// The index of a simulated node from its name (`ferry-node-2` is 2).
pub fn node_index(name: &str) -> Option<usize> {
    name.strip_prefix("ferry-node-")?.parse().ok()
}

/// The InternalIP of the `index`-th node.
pub fn node_ip(index: usize) -> String {
    format!("172.18.0.{}", 1 + index % 250)
}

/// The pod CIDR of the `index`-th node.
pub fn pod_cidr(index: usize) -> String {
    format!("10.244.{}.0/24", index % 256)
}

/// A Ready node for a pod, spread by the pod's uid (or any stable key).
pub fn pick_node(ready_nodes: &[String], key: &str) -> Option<String> {
    if ready_nodes.is_empty() {
        return None;
    }
    let index = object::fnv32a(key.as_bytes()) as usize % ready_nodes.len();
    ready_nodes.get(index).cloned()
}

/// The addresses of a pod on `node_name` (the node object gives its InternalIP and pod CIDR).
pub fn placement(node: Option<&Value>, node_name: &str, pod_uid: &str) -> Placement {
    let index = node_index(node_name).unwrap_or(0);
    let host_ip = node
        .and_then(|node| node.pointer("/status/addresses"))
        .and_then(Value::as_array)
        .and_then(|addresses| {
            addresses
                .iter()
                .find(|address| address.get("type").and_then(Value::as_str) == Some("InternalIP"))
        })
        .and_then(|address| address.get("address"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| node_ip(index));
    let cidr = node
        .and_then(|node| object::text(node, "/spec/podCIDR"))
        .map(str::to_string)
        .unwrap_or_else(|| pod_cidr(index));
    let prefix = cidr
        .split('/')
        .next()
        .unwrap_or("10.244.0.0")
        .rsplit_once('.')
        .map(|(prefix, _)| prefix.to_string())
        .unwrap_or_else(|| "10.244.0".to_string());
    let host = 2 + object::fnv32a(pod_uid.as_bytes()) % 250;
    Placement {
        host_ip,
        pod_ip: format!("{prefix}.{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_land_on_ready_nodes_and_get_an_address_in_the_node_cidr() {
        let nodes = vec![node_name(1), node_name(2), node_name(3)];
        let node = pick_node(&nodes, "some-uid").unwrap();
        assert!(nodes.contains(&node));
        assert_eq!(pick_node(&[], "some-uid"), None);
        let placement = placement(None, "ferry-node-2", "some-uid");
        assert_eq!(placement.host_ip, "172.18.0.3");
        assert!(placement.pod_ip.starts_with("10.244.2."));
    }
}
