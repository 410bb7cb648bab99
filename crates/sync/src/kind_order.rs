//! The order kinds are applied in within one wave: dependencies first (namespaces, CRDs,
//! identities and config before the workloads that use them). Argo CD's and Helm's order,
//! except that CRDs come right after Namespaces, as Flux orders them: nothing in between needs
//! them, and custom resources anywhere after may.

/// Kinds in apply order. Kinds not listed come after all of these, in name order.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "CustomResourceDefinition",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The rank of a kind in apply order; unknown kinds (custom resources) rank last.
pub fn kind_rank(kind: &str) -> usize {
    KIND_ORDER
        .iter()
        .position(|known| *known == kind)
        .unwrap_or(KIND_ORDER.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_crds_come_before_workloads_and_custom_resources_last() {
        assert!(kind_rank("Namespace") < kind_rank("CustomResourceDefinition"));
        assert!(kind_rank("CustomResourceDefinition") < kind_rank("ServiceAccount"));
        assert!(kind_rank("ServiceAccount") < kind_rank("ClusterRole"));
        assert!(kind_rank("ClusterRole") < kind_rank("Service"));
        assert!(kind_rank("ConfigMap") < kind_rank("Deployment"));
        assert!(kind_rank("Service") < kind_rank("Ingress"));
        assert_eq!(kind_rank("Widget"), kind_rank("Certificate"));
        assert!(kind_rank("APIService") < kind_rank("Widget"));
    }
}
