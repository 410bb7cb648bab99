//! The built-in resources, as one table. Facts (verbs, short names, categories, subresources) are
//! those a kube-apiserver v1.36 advertises in discovery.

use super::Subresource::{self, Scale, Status};

/// Every verb of an ordinary collection.
const ALL: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
/// Namespaces cannot be deleted as a collection.
const NO_COLLECTION_DELETE: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const NONE: &[&str] = &[];
const STATUS: &[Subresource] = &[Status];
const SCALE_STATUS: &[Subresource] = &[Scale, Status];
const NO_SUBRESOURCES: &[Subresource] = &[];

/// One row of the table.
pub struct Builtin {
    /// API group (`""` for core).
    pub group: &'static str,
    /// Served version.
    pub version: &'static str,
    /// Plural resource name.
    pub resource: &'static str,
    /// Singular name.
    pub singular: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs of the main resource.
    pub verbs: &'static [&'static str],
    /// Short names (`cm`).
    pub short_names: &'static [&'static str],
    /// Categories (`all`).
    pub categories: &'static [&'static str],
    /// Served subresources.
    pub subresources: &'static [Subresource],
    /// True when `metadata.generation` is tracked (bumped on spec changes).
    pub generation: bool,
}

macro_rules! row {
    ($group:expr, $version:expr, $resource:expr, $singular:expr, $kind:expr, $namespaced:expr, $verbs:expr,
     $short:expr, $categories:expr, $subresources:expr, $generation:expr) => {
        Builtin {
            group: $group,
            version: $version,
            resource: $resource,
            singular: $singular,
            kind: $kind,
            namespaced: $namespaced,
            verbs: $verbs,
            short_names: $short,
            categories: $categories,
            subresources: $subresources,
            generation: $generation,
        }
    };
}

/// The built-in resources. Groups appear in the order the real server lists them.
#[rustfmt::skip]
pub const BUILTINS: &[Builtin] = &[
    row!("", "v1", "configmaps", "configmap", "ConfigMap", true, ALL, &["cm"], NONE, NO_SUBRESOURCES, false),
    row!("", "v1", "endpoints", "endpoints", "Endpoints", true, ALL, &["ep"], NONE, NO_SUBRESOURCES, false),
    row!("", "v1", "events", "event", "Event", true, ALL, &["ev"], NONE, NO_SUBRESOURCES, false),
    row!("", "v1", "namespaces", "namespace", "Namespace", false, NO_COLLECTION_DELETE, &["ns"], NONE, STATUS, false),
    row!("", "v1", "nodes", "node", "Node", false, ALL, &["no"], NONE, STATUS, false),
    row!("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, ALL, &["pvc"], NONE, STATUS, false),
    row!("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, ALL, &["pv"], NONE, STATUS, false),
    row!("", "v1", "pods", "pod", "Pod", true, ALL, &["po"], &["all"], STATUS, true),
    row!("", "v1", "secrets", "secret", "Secret", true, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, ALL, &["sa"], NONE, NO_SUBRESOURCES, false),
    row!("", "v1", "services", "service", "Service", true, ALL, &["svc"], &["all"], STATUS, false),
    row!("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, ALL, &["ds"], &["all"], STATUS, true),
    row!("apps", "v1", "deployments", "deployment", "Deployment", true, ALL, &["deploy"], &["all"], SCALE_STATUS, true),
    row!("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ALL, &["rs"], &["all"], SCALE_STATUS, true),
    row!("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, ALL, &["sts"], &["all"], SCALE_STATUS, true),
    row!("events.k8s.io", "v1", "events", "event", "Event", true, ALL, &["ev"], NONE, NO_SUBRESOURCES, false),
    row!("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true, ALL, &["hpa"], &["all"], STATUS, false),
    row!("batch", "v1", "cronjobs", "cronjob", "CronJob", true, ALL, &["cj"], &["all"], STATUS, true),
    row!("batch", "v1", "jobs", "job", "Job", true, ALL, NONE, &["all"], STATUS, true),
    row!("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false, ALL, NONE, NONE, NO_SUBRESOURCES, true),
    row!("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, ALL, &["ing"], NONE, STATUS, true),
    row!("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, ALL, &["netpol"], NONE, NO_SUBRESOURCES, true),
    row!("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, ALL, &["pdb"], NONE, STATUS, true),
    row!("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, ALL, &["crd", "crds"], &["api-extensions"], STATUS, true),
    row!("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, ALL, NONE, NONE, NO_SUBRESOURCES, false),
    row!("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, ALL, NONE, NONE, NO_SUBRESOURCES, true),
];
