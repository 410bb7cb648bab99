//! The merge-key table: how the lists of the built-in kinds merge, transcribed from the
//! `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api and k8s.io/apimachinery v0.32
//! (the versions in kubectl 1.32 and kustomize 5.5).
//!
//! Only the paths that lead to a list with a strategy are written down. Every other field of a
//! built-in kind, and every field of an unknown kind, patches like JSON merge patch: objects
//! merge, lists are replaced.

use ferry_types::Gvk;

/// How a list field is patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListStrategy {
    /// A list of objects merged element by element, matched on the value of `key`.
    Merge {
        /// The merge key, e.g. `name` for containers.
        key: &'static str,
    },
    /// A list of primitives merged as a set: the patch's values are added to the base's.
    MergePrimitive,
    /// The patch's list replaces the base's.
    Replace,
}

/// How one field of a built-in type patches.
#[derive(Debug, Clone, Copy)]
enum FieldKind {
    /// An object whose own fields are listed.
    Object(&'static [Field]),
    /// A list with a strategy, and the fields of its elements.
    List(ListStrategy, &'static [Field]),
    /// An object that a patch replaces whole (`patchStrategy:"replace"`).
    ReplaceObject,
}

/// One field of a built-in type that matters to patching.
#[derive(Debug)]
struct Field {
    name: &'static str,
    kind: FieldKind,
}

const fn object(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        kind: FieldKind::Object(fields),
    }
}

const fn keyed(name: &'static str, key: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        kind: FieldKind::List(ListStrategy::Merge { key }, fields),
    }
}

const fn primitives(name: &'static str) -> Field {
    Field {
        name,
        kind: FieldKind::List(ListStrategy::MergePrimitive, &[]),
    }
}

const OBJECT_META: &[Field] = &[
    keyed("ownerReferences", "uid", &[]),
    primitives("finalizers"),
];

const CONTAINER: &[Field] = &[
    keyed("ports", "containerPort", &[]),
    keyed("env", "name", &[]),
    keyed("volumeMounts", "mountPath", &[]),
    keyed("volumeDevices", "devicePath", &[]),
];

const POD_SPEC: &[Field] = &[
    keyed("volumes", "name", &[]),
    keyed("initContainers", "name", CONTAINER),
    keyed("containers", "name", CONTAINER),
    keyed("ephemeralContainers", "name", CONTAINER),
    keyed("imagePullSecrets", "name", &[]),
    keyed("hostAliases", "ip", &[]),
    keyed("topologySpreadConstraints", "topologyKey", &[]),
    keyed("schedulingGates", "name", &[]),
    keyed("resourceClaims", "name", &[]),
];

const POD_STATUS: &[Field] = &[
    keyed("conditions", "type", &[]),
    keyed("hostIPs", "ip", &[]),
    keyed("podIPs", "ip", &[]),
    keyed("resourceClaimStatuses", "name", &[]),
];

const POD_TEMPLATE_SPEC: &[Field] = &[object("metadata", OBJECT_META), object("spec", POD_SPEC)];

const CONDITIONS: &[Field] = &[keyed("conditions", "type", &[])];

const POD: &[Field] = &[
    object("metadata", OBJECT_META),
    object("spec", POD_SPEC),
    object("status", POD_STATUS),
];

/// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController.
const WORKLOAD: &[Field] = &[
    object("metadata", OBJECT_META),
    object("spec", &[object("template", POD_TEMPLATE_SPEC)]),
    object("status", CONDITIONS),
];

const CRON_JOB: &[Field] = &[
    object("metadata", OBJECT_META),
    object(
        "spec",
        &[object(
            "jobTemplate",
            &[
                object("metadata", OBJECT_META),
                object("spec", &[object("template", POD_TEMPLATE_SPEC)]),
            ],
        )],
    ),
];

const POD_TEMPLATE: &[Field] = &[
    object("metadata", OBJECT_META),
    object("template", POD_TEMPLATE_SPEC),
];

const SERVICE: &[Field] = &[
    object("metadata", OBJECT_META),
    object("spec", &[keyed("ports", "port", &[])]),
    object("status", CONDITIONS),
];

const SERVICE_ACCOUNT: &[Field] = &[
    object("metadata", OBJECT_META),
    keyed("secrets", "name", &[]),
];

const NODE: &[Field] = &[
    object("metadata", OBJECT_META),
    object("spec", &[primitives("podCIDRs")]),
    object(
        "status",
        &[
            keyed("conditions", "type", &[]),
            keyed("addresses", "type", &[]),
        ],
    ),
];

/// Kinds whose only keyed list is `status.conditions`.
const STATUS_CONDITIONS: &[Field] = &[
    object("metadata", OBJECT_META),
    object("status", CONDITIONS),
];

const COMPONENT_STATUS: &[Field] = &[
    object("metadata", OBJECT_META),
    keyed("conditions", "type", &[]),
];

const POD_DISRUPTION_BUDGET: &[Field] = &[
    object("metadata", OBJECT_META),
    object(
        "spec",
        &[Field {
            name: "selector",
            kind: FieldKind::ReplaceObject,
        }],
    ),
    object("status", CONDITIONS),
];

const WEBHOOK_CONFIGURATION: &[Field] = &[
    object("metadata", OBJECT_META),
    keyed("webhooks", "name", &[keyed("matchConditions", "name", &[])]),
];

const VALIDATING_ADMISSION_POLICY: &[Field] = &[
    object("metadata", OBJECT_META),
    object(
        "spec",
        &[
            keyed("matchConditions", "name", &[]),
            keyed("variables", "name", &[]),
        ],
    ),
];

const MUTATING_ADMISSION_POLICY: &[Field] = &[
    object("metadata", OBJECT_META),
    object("spec", &[keyed("matchConditions", "name", &[])]),
];

const CSI_NODE: &[Field] = &[
    object("metadata", OBJECT_META),
    object("spec", &[keyed("drivers", "name", &[])]),
];

const RESOURCE_CLAIM: &[Field] = &[
    object("metadata", OBJECT_META),
    object("status", &[keyed("reservedFor", "uid", &[])]),
];

/// Built-in kinds with no keyed list outside `metadata`.
const METADATA_ONLY: &[Field] = &[object("metadata", OBJECT_META)];

/// The built-in kinds, by API group and kind (the version does not change the merge keys).
fn root_fields(gvk: &Gvk) -> Option<&'static [Field]> {
    let fields = match (gvk.group.as_str(), gvk.kind.as_str()) {
        ("", "Pod") => POD,
        ("", "PodTemplate") => POD_TEMPLATE,
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "DaemonSet" | "ReplicaSet")
        | ("apps", "StatefulSet")
        | ("batch", "Job") => WORKLOAD,
        ("batch", "CronJob") => CRON_JOB,
        ("", "Service") => SERVICE,
        ("", "ServiceAccount") => SERVICE_ACCOUNT,
        ("", "Node") => NODE,
        ("", "Namespace" | "PersistentVolumeClaim")
        | ("autoscaling", "HorizontalPodAutoscaler")
        | ("flowcontrol.apiserver.k8s.io", "FlowSchema" | "PriorityLevelConfiguration")
        | ("networking.k8s.io", "ServiceCIDR")
        | ("storagemigration.k8s.io", "StorageVersionMigration") => STATUS_CONDITIONS,
        ("", "ComponentStatus") => COMPONENT_STATUS,
        ("policy", "PodDisruptionBudget") => POD_DISRUPTION_BUDGET,
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => WEBHOOK_CONFIGURATION,
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") => {
            VALIDATING_ADMISSION_POLICY
        }
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy") => MUTATING_ADMISSION_POLICY,
        ("storage.k8s.io", "CSINode") => CSI_NODE,
        ("resource.k8s.io", "ResourceClaim") => RESOURCE_CLAIM,
        (group, kind) if is_plain_built_in(group, kind) => METADATA_ONLY,
        _ => return None,
    };
    Some(fields)
}

/// Built-in kinds whose only merge keys are those of `metadata`.
fn is_plain_built_in(group: &str, kind: &str) -> bool {
    let kinds: &[&str] = match group {
        "" => &[
            "ConfigMap",
            "Secret",
            "Endpoints",
            "Event",
            "LimitRange",
            "PersistentVolume",
            "ResourceQuota",
        ],
        "apps" => &["ControllerRevision"],
        "extensions" => &["Ingress", "NetworkPolicy"],
        "networking.k8s.io" => &["Ingress", "IngressClass", "NetworkPolicy", "IPAddress"],
        "rbac.authorization.k8s.io" => {
            &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]
        }
        "storage.k8s.io" => &[
            "StorageClass",
            "VolumeAttachment",
            "CSIDriver",
            "CSIStorageCapacity",
            "VolumeAttributesClass",
        ],
        "admissionregistration.k8s.io" => &[
            "ValidatingAdmissionPolicyBinding",
            "MutatingAdmissionPolicyBinding",
        ],
        "apiextensions.k8s.io" => &["CustomResourceDefinition"],
        "apiregistration.k8s.io" => &["APIService"],
        "certificates.k8s.io" => &["CertificateSigningRequest", "ClusterTrustBundle"],
        "coordination.k8s.io" => &["Lease", "LeaseCandidate"],
        "discovery.k8s.io" => &["EndpointSlice"],
        "events.k8s.io" => &["Event"],
        "node.k8s.io" => &["RuntimeClass"],
        "scheduling.k8s.io" => &["PriorityClass"],
        "resource.k8s.io" => &["DeviceClass", "ResourceClaimTemplate", "ResourceSlice"],
        _ => &[],
    };
    kinds.contains(&kind)
}

/// Where a merge stands in the table: the fields of a built-in type, or untyped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schema(Option<&'static [Field]>);

impl Schema {
    /// No type information: objects merge, lists are replaced.
    pub(crate) const UNTYPED: Schema = Schema(None);

    /// The schema of a whole object of kind `gvk`; untyped for kinds not in the table.
    pub(crate) fn for_kind(gvk: &Gvk) -> Schema {
        Schema(root_fields(gvk))
    }

    /// Whether the kind is a built-in one.
    pub(crate) fn is_typed(self) -> bool {
        self.0.is_some()
    }

    fn lookup(self, name: &str) -> Option<FieldKind> {
        self.0?
            .iter()
            .find(|field| field.name == name)
            .map(|field| field.kind)
    }

    /// The schema of the object held by field `name`.
    pub(crate) fn object(self, name: &str) -> Schema {
        match self.lookup(name) {
            Some(FieldKind::Object(fields)) => Schema(Some(fields)),
            _ => Schema::UNTYPED,
        }
    }

    /// Whether a patch replaces the object held by field `name` instead of merging into it.
    pub(crate) fn replaces_object(self, name: &str) -> bool {
        matches!(self.lookup(name), Some(FieldKind::ReplaceObject))
    }

    /// The strategy of the list held by field `name`, and the schema of its elements.
    pub(crate) fn list(self, name: &str) -> (ListStrategy, Schema) {
        match self.lookup(name) {
            Some(FieldKind::List(strategy, fields)) => (strategy, Schema(Some(fields))),
            _ => (ListStrategy::Replace, Schema::UNTYPED),
        }
    }
}

/// The strategy of the list at `path` (field names from the object root, e.g.
/// `["spec", "template", "spec", "containers"]`) in an object of kind `gvk`. List elements are
/// stepped through implicitly; numeric segments (list indices) are skipped. Lists of unknown
/// kinds and fields are [`ListStrategy::Replace`].
pub fn list_strategy(gvk: &Gvk, path: &[&str]) -> ListStrategy {
    let mut names = path
        .iter()
        .filter(|segment| segment.parse::<usize>().is_err());
    let Some(last) = names.next_back() else {
        return ListStrategy::Replace;
    };
    let mut schema = Schema::for_kind(gvk);
    for name in names {
        schema = match schema.lookup(name) {
            Some(FieldKind::Object(fields) | FieldKind::List(_, fields)) => Schema(Some(fields)),
            _ => return ListStrategy::Replace,
        };
    }
    schema.list(last).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gvk(api_version: &str, kind: &str) -> Gvk {
        Gvk::from_api_version(api_version, kind)
    }

    #[test]
    fn deployment_containers_merge_by_name() {
        let strategy = list_strategy(
            &gvk("apps/v1", "Deployment"),
            &["spec", "template", "spec", "containers"],
        );
        assert_eq!(strategy, ListStrategy::Merge { key: "name" });
    }

    #[test]
    fn container_ports_merge_by_container_port_below_a_list_index() {
        let path = ["spec", "containers", "0", "ports"];
        assert_eq!(
            list_strategy(&gvk("v1", "Pod"), &path),
            ListStrategy::Merge {
                key: "containerPort"
            }
        );
    }

    #[test]
    fn cron_job_pod_template_is_under_job_template() {
        let path = [
            "spec",
            "jobTemplate",
            "spec",
            "template",
            "spec",
            "initContainers",
            "env",
        ];
        assert_eq!(
            list_strategy(&gvk("batch/v1", "CronJob"), &path),
            ListStrategy::Merge { key: "name" }
        );
    }

    #[test]
    fn finalizers_merge_as_a_set_of_primitives() {
        let strategy = list_strategy(&gvk("v1", "ConfigMap"), &["metadata", "finalizers"]);
        assert_eq!(strategy, ListStrategy::MergePrimitive);
    }

    #[test]
    fn service_ports_merge_by_port() {
        let strategy = list_strategy(&gvk("v1", "Service"), &["spec", "ports"]);
        assert_eq!(strategy, ListStrategy::Merge { key: "port" });
    }

    #[test]
    fn rbac_rules_are_replaced() {
        let strategy = list_strategy(&gvk("rbac.authorization.k8s.io/v1", "Role"), &["rules"]);
        assert_eq!(strategy, ListStrategy::Replace);
    }

    #[test]
    fn custom_resources_replace_every_list() {
        let strategy = list_strategy(
            &gvk("example.com/v1", "Widget"),
            &["metadata", "finalizers"],
        );
        assert_eq!(strategy, ListStrategy::Replace);
    }

    #[test]
    fn an_empty_path_names_no_list() {
        assert_eq!(list_strategy(&gvk("v1", "Pod"), &[]), ListStrategy::Replace);
    }
}
