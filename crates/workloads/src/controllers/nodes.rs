//! The simulated Nodes: `ferry-node-1` to `ferry-node-N`, Ready, with addresses, pod CIDRs,
//! capacity and node info as a kubelet reports them; a node lost by a `node-loss` fault is
//! marked as the node lifecycle controller marks it ([`node_lifecycle`](super::node_lifecycle)).

use ferry_cluster::fault::LostNode;
use serde_json::{Value, json};

use super::node_lifecycle;

use crate::change::{Change, Context, Outcome};
use crate::object;
use crate::resources::NODES;
use crate::scheduling::{node_ip, node_name, pod_cidr};

/// The names of the nodes that are Ready and schedulable.
pub fn ready_nodes(nodes: &[&Value]) -> Vec<String> {
    let mut ready: Vec<String> = nodes
        .iter()
        .filter(|node| {
            object::condition_is_true(node, "Ready")
                && node.pointer("/spec/unschedulable") != Some(&Value::Bool(true))
                && !object::is_deleting(node)
        })
        .map(|node| object::name(node).to_string())
        .collect();
    ready.sort();
    ready
}

/// Creates the configured nodes that are missing, and marks lost nodes NotReady (and found
/// ones Ready again).
pub fn reconcile(nodes: &[&Value], lost: &[LostNode], ctx: &Context<'_>) -> Outcome {
    let mut outcome = Outcome::none();
    for node in nodes {
        let name = object::name(node);
        let marked =
            node_lifecycle::reconcile_node(node, lost.iter().find(|lost| lost.node == name), ctx);
        if let Some(delay) = marked.requeue_after {
            outcome.requeue(delay);
        }
        outcome.changes.extend(marked.changes);
    }
    for index in 1..=ctx.config.nodes {
        let name = node_name(index);
        if nodes.iter().any(|node| object::name(node) == name) {
            continue;
        }
        outcome.push(Change::Create {
            resource: &NODES,
            object: node(index, ctx),
        });
    }
    outcome
}

fn node(index: usize, ctx: &Context<'_>) -> Value {
    let name = node_name(index);
    let now = ctx.timestamp();
    let resources = json!({
        "cpu": "4", "ephemeral-storage": "102350Mi", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
        "memory": "16384Mi", "pods": "110"
    });
    let cidr = pod_cidr(index);
    let id = format!("{:032x}", u128::from(object::fnv64a(name.as_bytes())));
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux"
            },
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"
            }
        },
        "spec": {
            "podCIDR": cidr,
            "podCIDRs": [cidr],
            "providerID": format!("ferry://{name}")
        },
        "status": {
            "capacity": resources,
            "allocatable": resources,
            "conditions": node_lifecycle::conditions(false, &now),
            "addresses": [
                {"type": "InternalIP", "address": node_ip(index)},
                {"type": "Hostname", "address": name}
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": id,
                "systemUUID": id,
                "bootID": id,
                "kernelVersion": "6.8.0-ferry",
                "osImage": "ferry simulated node",
                "containerRuntimeVersion": "containerd://2.0.0",
                "kubeletVersion": "v1.36.2",
                "kubeProxyVersion": "",
                "operatingSystem": "linux",
                "architecture": "amd64"
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;
    use crate::config::SimulationConfig;
    use std::time::SystemTime;

    #[test]
    fn the_configured_nodes_are_created_ready_and_only_once() {
        let config = SimulationConfig::default();
        let names = CountingNames::default();
        let ctx = Context {
            now: SystemTime::now(),
            config: &config,
            names: &names,
        };
        let outcome = reconcile(&[], &[], &ctx);
        let created: Vec<Value> = outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Create { object, .. } => Some(object.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(created.len(), 3);
        let refs: Vec<&Value> = created.iter().collect();
        assert_eq!(
            ready_nodes(&refs),
            ["ferry-node-1", "ferry-node-2", "ferry-node-3"]
        );
        assert!(reconcile(&refs, &[], &ctx).changes.is_empty());
    }
}
