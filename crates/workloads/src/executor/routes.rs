//! Which keys a change to an object makes due: the object's own controller, its controlling
//! owner's, and the Services selecting a pod.

use std::collections::BTreeMap;

use ferry_cluster::ClusterState;
use ferry_cluster::selector::LabelSelector;
use ferry_cluster::store::TypeKey;
use serde_json::Value;

use super::queue::{Controller, Key};
use crate::object;

/// The keys to reconcile when `object` (or its `previous` state) of `type_key` changed.
pub fn keys_for(
    state: &ClusterState,
    type_key: &TypeKey,
    object: &Value,
    previous: Option<&Value>,
) -> Vec<Key> {
    let namespace = object::namespace(object);
    let name = object::name(object);
    let own = |controller| vec![Key::new(controller, namespace, name)];
    let mut keys = match (type_key.group.as_str(), type_key.resource.as_str()) {
        ("", "namespaces") => own(Controller::Namespace),
        ("", "nodes") => {
            let mut keys = vec![Key::new(Controller::Nodes, "", "")];
            let (daemon_sets, _) = state.store.list(&TypeKey::new("apps", "daemonsets"), None);
            keys.extend(daemon_sets.iter().map(|daemon_set| {
                Key::new(
                    Controller::DaemonSet,
                    object::namespace(daemon_set),
                    object::name(daemon_set),
                )
            }));
            // A node lost or found again changes what its pods report.
            let (pods, _) = state.store.list(&TypeKey::new("", "pods"), None);
            keys.extend(
                pods.iter()
                    .filter(|pod| object::text(pod, "/spec/nodeName") == Some(name))
                    .map(|pod| {
                        Key::new(Controller::Pod, object::namespace(pod), object::name(pod))
                    }),
            );
            keys
        }
        ("apps", "deployments") => {
            let mut keys = own(Controller::Deployment);
            keys.extend(autoscalers_of(state, namespace, "Deployment", name));
            keys
        }
        ("apps", "replicasets") => {
            let mut keys = own(Controller::ReplicaSet);
            keys.extend(autoscalers_of(state, namespace, "ReplicaSet", name));
            keys
        }
        ("apps", "statefulsets") => {
            let mut keys = own(Controller::StatefulSet);
            keys.extend(autoscalers_of(state, namespace, "StatefulSet", name));
            keys
        }
        ("autoscaling", "horizontalpodautoscalers") => own(Controller::Autoscaler),
        ("apps", "daemonsets") => own(Controller::DaemonSet),
        ("batch", "jobs") => own(Controller::Job),
        ("batch", "cronjobs") => own(Controller::CronJob),
        ("", "pods") => {
            let mut keys = own(Controller::Pod);
            keys.extend(services_selecting(state, namespace, object, previous));
            keys
        }
        ("", "services" | "endpoints") => own(Controller::Service),
        ("discovery.k8s.io", "endpointslices") => object::labels(object)
            .get("kubernetes.io/service-name")
            .map(|service| vec![Key::new(Controller::Service, namespace, service)])
            .unwrap_or_default(),
        ("", "persistentvolumeclaims") => own(Controller::Claim),
        ("networking.k8s.io", "ingresses") => own(Controller::Ingress),
        ("", "persistentvolumes") => match (
            object::text(object, "/spec/claimRef/namespace"),
            object::text(object, "/spec/claimRef/name"),
        ) {
            (Some(namespace), Some(name)) => vec![Key::new(Controller::Claim, namespace, name)],
            _ => Vec::new(),
        },
        ("", "configmaps" | "serviceaccounts") => {
            vec![Key::new(Controller::Namespace, "", namespace)]
        }
        _ => Vec::new(),
    };
    for candidate in [Some(object), previous].into_iter().flatten() {
        if let Some((kind, owner)) = object::controller_kind(candidate) {
            let controller = match kind {
                "Deployment" => Controller::Deployment,
                "ReplicaSet" => Controller::ReplicaSet,
                "StatefulSet" => Controller::StatefulSet,
                "DaemonSet" => Controller::DaemonSet,
                "Job" => Controller::Job,
                "CronJob" => Controller::CronJob,
                _ => continue,
            };
            keys.push(Key::new(controller, namespace, owner));
        }
    }
    keys
}

/// The autoscalers in `namespace` whose scale target is this object.
fn autoscalers_of(state: &ClusterState, namespace: &str, kind: &str, name: &str) -> Vec<Key> {
    let (autoscalers, _) = state.store.list(
        &TypeKey::new("autoscaling", "horizontalpodautoscalers"),
        Some(namespace),
    );
    autoscalers
        .iter()
        .filter(|autoscaler| {
            object::text(autoscaler, "/spec/scaleTargetRef/kind") == Some(kind)
                && object::text(autoscaler, "/spec/scaleTargetRef/name") == Some(name)
        })
        .map(|autoscaler| Key::new(Controller::Autoscaler, namespace, object::name(autoscaler)))
        .collect()
}

fn services_selecting(
    state: &ClusterState,
    namespace: &str,
    pod: &Value,
    previous: Option<&Value>,
) -> Vec<Key> {
    let label_sets: Vec<BTreeMap<String, String>> = [Some(pod), previous]
        .into_iter()
        .flatten()
        .map(object::labels)
        .collect();
    let (services, _) = state
        .store
        .list(&TypeKey::new("", "services"), Some(namespace));
    services
        .iter()
        .filter(|service| {
            let Some(selector) = service
                .pointer("/spec/selector")
                .and_then(Value::as_object)
                .filter(|selector| !selector.is_empty())
            else {
                return false;
            };
            let selector =
                LabelSelector::from_object(&serde_json::json!({"matchLabels": selector}));
            label_sets.iter().any(|labels| selector.matches(labels))
        })
        .map(|service| Key::new(Controller::Service, namespace, object::name(service)))
        .collect()
}

/// Every key there is, for a full resync.
pub fn all_keys(state: &ClusterState) -> Vec<Key> {
    let mut keys = vec![Key::new(Controller::Nodes, "", "")];
    for (group, resource, controller) in [
        ("", "namespaces", Controller::Namespace),
        ("apps", "deployments", Controller::Deployment),
        ("apps", "replicasets", Controller::ReplicaSet),
        ("apps", "statefulsets", Controller::StatefulSet),
        ("apps", "daemonsets", Controller::DaemonSet),
        ("batch", "jobs", Controller::Job),
        ("batch", "cronjobs", Controller::CronJob),
        ("", "pods", Controller::Pod),
        ("", "services", Controller::Service),
        ("", "persistentvolumeclaims", Controller::Claim),
        ("networking.k8s.io", "ingresses", Controller::Ingress),
        (
            "autoscaling",
            "horizontalpodautoscalers",
            Controller::Autoscaler,
        ),
    ] {
        let (items, _) = state.store.list(&TypeKey::new(group, resource), None);
        keys.extend(
            items
                .iter()
                .map(|item| Key::new(controller, object::namespace(item), object::name(item))),
        );
    }
    keys
}
