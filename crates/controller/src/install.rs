//! What `ferry install` prints or applies: everything to run the controller inside a real
//! cluster. The two CRDs, Namespace `ferry`, a ServiceAccount, a ClusterRole and its binding,
//! and a Deployment of the controller with two replicas (leader election through a Lease in
//! `ferry`). Without a kubeconfig in the pod, the engine connects with the service account's
//! mounted token and CA.

use ferry_engine::{ClusterClient, WriteOptions};
use serde_json::{Value, json};

use crate::Result;
use crate::crd::{application_crd, appproject_crd};

/// The namespace ferry runs in.
pub const INSTALL_NAMESPACE: &str = "ferry";

/// The controller's image for `version`.
pub fn default_image(version: &str) -> String {
    format!("ghcr.io/ferry-dev/ferry:{version}")
}

/// Every object of an installation running `image`, in apply order.
pub fn install_objects(image: &str) -> Vec<Value> {
    let labels =
        json!({"app.kubernetes.io/name": "ferry", "app.kubernetes.io/component": "controller"});
    let namespace = INSTALL_NAMESPACE;
    vec![
        application_crd(),
        appproject_crd(),
        json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace}
        }),
        json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "ferry-controller", "namespace": namespace, "labels": labels}
        }),
        // The controller applies whatever Git declares, as Argo CD's application controller.
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "ferry-controller", "labels": labels},
            "rules": [
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                {"nonResourceURLs": ["*"], "verbs": ["*"]}
            ]
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "ferry-controller", "labels": labels},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "ferry-controller"
            },
            "subjects": [{"kind": "ServiceAccount", "name": "ferry-controller", "namespace": namespace}]
        }),
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "ferry-controller", "namespace": namespace, "labels": labels},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": "ferry-controller",
                        "securityContext": {"runAsNonRoot": true, "runAsUser": 999, "fsGroup": 999},
                        "containers": [{
                            "name": "controller",
                            "image": image,
                            "args": [
                                "controller",
                                "--cache-dir", "/var/cache/ferry",
                                "--leader-elect",
                                "--lease-namespace", INSTALL_NAMESPACE
                            ],
                            "env": [{"name": "HOME", "value": "/var/cache/ferry"}],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"memory": "512Mi"}
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": false,
                                "readOnlyRootFilesystem": true,
                                "capabilities": {"drop": ["ALL"]}
                            },
                            "volumeMounts": [
                                {"name": "cache", "mountPath": "/var/cache/ferry"}
                            ]
                        }],
                        "volumes": [
                            {"name": "cache", "emptyDir": {}}
                        ]
                    }
                }
            }
        }),
    ]
}

/// Applies `objects` in order (server-side apply: create or update), refreshing discovery
/// after the CRDs so later objects of their kinds resolve.
pub async fn apply_install(client: &ClusterClient, objects: &[Value]) -> Result<Vec<String>> {
    let mut applied = Vec::new();
    for object in objects {
        client.apply(object, WriteOptions::APPLY).await?;
        let kind = object["kind"].as_str().unwrap_or_default();
        if kind == "CustomResourceDefinition" {
            client.refresh_discovery().await?;
        }
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        applied.push(match object["metadata"]["namespace"].as_str() {
            Some(namespace) => format!("{kind} {namespace}/{name}"),
            None => format!("{kind} {name}"),
        });
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installation_runs_two_controllers_of_the_versioned_image() {
        let objects = install_objects(&default_image("1.2.3"));
        let kinds: Vec<&str> = objects
            .iter()
            .map(|object| object["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "CustomResourceDefinition",
                "CustomResourceDefinition",
                "Namespace",
                "ServiceAccount",
                "ClusterRole",
                "ClusterRoleBinding",
                "Deployment"
            ]
        );
        let deployment = &objects[6];
        assert_eq!(deployment["spec"]["replicas"], 2);
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], "ghcr.io/ferry-dev/ferry:1.2.3");
        assert_eq!(container["args"][0], "controller");
    }
}
