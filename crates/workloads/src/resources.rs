//! The resources the controllers read and write, as one table, and their API paths.

use ferry_cluster::store::TypeKey;

/// A served resource.
#[derive(Debug, PartialEq, Eq)]
pub struct Resource {
    /// API group (`""` for core).
    pub group: &'static str,
    /// Version.
    pub version: &'static str,
    /// Plural name.
    pub plural: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
}

macro_rules! resource {
    ($name:ident, $group:expr, $version:expr, $plural:expr, $kind:expr, $namespaced:expr) => {
        #[doc = concat!("`", $plural, "` (", $kind, ").")]
        pub const $name: Resource = Resource {
            group: $group,
            version: $version,
            plural: $plural,
            kind: $kind,
            namespaced: $namespaced,
        };
    };
}

resource!(NAMESPACES, "", "v1", "namespaces", "Namespace", false);
resource!(NODES, "", "v1", "nodes", "Node", false);
resource!(PODS, "", "v1", "pods", "Pod", true);
resource!(
    INGRESSES,
    "networking.k8s.io",
    "v1",
    "ingresses",
    "Ingress",
    true
);
resource!(SERVICES, "", "v1", "services", "Service", true);
resource!(ENDPOINTS, "", "v1", "endpoints", "Endpoints", true);
resource!(EVENTS, "", "v1", "events", "Event", true);
resource!(CONFIG_MAPS, "", "v1", "configmaps", "ConfigMap", true);
resource!(
    SERVICE_ACCOUNTS,
    "",
    "v1",
    "serviceaccounts",
    "ServiceAccount",
    true
);
resource!(
    CLAIMS,
    "",
    "v1",
    "persistentvolumeclaims",
    "PersistentVolumeClaim",
    true
);
resource!(
    VOLUMES,
    "",
    "v1",
    "persistentvolumes",
    "PersistentVolume",
    false
);
resource!(DEPLOYMENTS, "apps", "v1", "deployments", "Deployment", true);
resource!(
    REPLICA_SETS,
    "apps",
    "v1",
    "replicasets",
    "ReplicaSet",
    true
);
resource!(
    STATEFUL_SETS,
    "apps",
    "v1",
    "statefulsets",
    "StatefulSet",
    true
);
resource!(DAEMON_SETS, "apps", "v1", "daemonsets", "DaemonSet", true);
resource!(
    REVISIONS,
    "apps",
    "v1",
    "controllerrevisions",
    "ControllerRevision",
    true
);
resource!(JOBS, "batch", "v1", "jobs", "Job", true);
resource!(
    AUTOSCALERS,
    "autoscaling",
    "v2",
    "horizontalpodautoscalers",
    "HorizontalPodAutoscaler",
    true
);
resource!(CRON_JOBS, "batch", "v1", "cronjobs", "CronJob", true);
resource!(
    ENDPOINT_SLICES,
    "discovery.k8s.io",
    "v1",
    "endpointslices",
    "EndpointSlice",
    true
);

impl Resource {
    /// `apiVersion` of its objects.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The store's key for this resource.
    pub fn type_key(&self) -> TypeKey {
        TypeKey::new(self.group, self.plural)
    }

    /// The collection path in a namespace (ignored for cluster-scoped resources).
    pub fn collection_path(&self, namespace: &str) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        if self.namespaced {
            format!("{root}/namespaces/{namespace}/{}", self.plural)
        } else {
            format!("{root}/{}", self.plural)
        }
    }

    /// The path of one object.
    pub fn object_path(&self, namespace: &str, name: &str) -> String {
        format!("{}/{name}", self.collection_path(namespace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api_layout() {
        assert_eq!(
            PODS.object_path("default", "web-1"),
            "/api/v1/namespaces/default/pods/web-1"
        );
        assert_eq!(
            DEPLOYMENTS.collection_path("team"),
            "/apis/apps/v1/namespaces/team/deployments"
        );
        assert_eq!(
            NODES.object_path("", "ferry-node-1"),
            "/api/v1/nodes/ferry-node-1"
        );
        assert_eq!(ENDPOINT_SLICES.api_version(), "discovery.k8s.io/v1");
    }
}
