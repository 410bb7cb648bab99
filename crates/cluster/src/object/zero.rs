//! The empty object of each kind as the real server serialises it (Go zero values: structs that
//! are never omitted, lists and pointers that are `null`; zero times are omitted). A create is compared with it to find
//! the fields its manager set, and an apply that creates an object merges into it. Only maps and
//! lists matter (they decide where `.: {}` appears); scalars and `status` are left out.

use serde_json::{Value, json};

use crate::registry::ResourceInfo;

/// The empty object of `info`'s kind.
pub fn empty(info: &ResourceInfo) -> Value {
    let mut object = json!({"kind": info.kind, "apiVersion": info.api_version()});
    if info.custom {
        return object;
    }
    let template = || json!({"metadata": {}, "spec": {"containers": null}});
    let body = match (info.group.as_str(), info.kind.as_str()) {
        ("apps", "Deployment") => {
            json!({"spec": {"selector": null, "template": template(), "strategy": {}}})
        }
        ("apps", "ReplicaSet") => json!({"spec": {"selector": null, "template": template()}}),
        ("apps", "StatefulSet" | "DaemonSet") => {
            json!({"spec": {"selector": null, "template": template(), "updateStrategy": {}}})
        }
        ("batch", "Job") => json!({"spec": {"template": template()}}),
        ("batch", "CronJob") => json!({"spec": {"jobTemplate": {
            "metadata": {},
            "spec": {"template": template()}
        }}}),
        ("", "Pod") => json!({"spec": {"containers": null}}),
        ("", "PodTemplate") => json!({"template": template()}),
        ("", "PersistentVolumeClaim") => json!({"spec": {"resources": {}}}),
        ("", "Service" | "Namespace" | "Node" | "PersistentVolume")
        | ("coordination.k8s.io", "Lease")
        | ("networking.k8s.io", "Ingress" | "IngressClass")
        | ("policy", "PodDisruptionBudget") => json!({"spec": {}}),
        ("networking.k8s.io", "NetworkPolicy") => json!({"spec": {"podSelector": {}}}),
        ("autoscaling", "HorizontalPodAutoscaler") => json!({"spec": {"scaleTargetRef": {}}}),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => json!({"rules": null}),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            json!({"roleRef": {}})
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            json!({"spec": {"names": {}, "versions": null}})
        }
        ("discovery.k8s.io", "EndpointSlice") => json!({"endpoints": null, "ports": null}),
        ("", "Event") => json!({"involvedObject": {}, "source": {}}),
        ("events.k8s.io", "Event") => json!({"regarding": {}, "deprecatedSource": {}}),
        _ => json!({}),
    };
    if let (Some(map), Value::Object(body)) = (object.as_object_mut(), body) {
        map.insert("metadata".into(), json!({}));
        map.extend(body);
    }
    object
}
