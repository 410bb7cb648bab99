//! The Table columns of the built-in kinds: names, types and descriptions as the real server
//! sends them (the recorded kinds are exact; the others follow kubectl's well-known columns).

/// One column of a Table.
#[derive(Debug)]
pub struct Column {
    /// Header (`Name`, `Ready`).
    pub name: &'static str,
    /// `string`, `integer`, `boolean`, `date`.
    pub kind: &'static str,
    /// `name` for the name column, else empty.
    pub format: &'static str,
    /// What the column shows.
    pub description: &'static str,
    /// 0 for default columns, 1 for `-o wide` ones.
    pub priority: u8,
}

/// The name column every table starts with.
#[rustfmt::skip]
pub const NAME: Column = Column { name: "Name", kind: "string", format: "name", description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", priority: 0, };

/// The age column of the built-in kinds.
#[rustfmt::skip]
pub const AGE: Column = Column { name: "Age", kind: "string", format: "", description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", priority: 0, };

/// The description of `metadata.creationTimestamp` (custom resources' default Age column).
#[rustfmt::skip]
pub const CREATION_TIMESTAMP: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// The columns of a built-in kind, when it has a printer.
pub fn columns(group: &str, kind: &str) -> Option<&'static [Column]> {
    Some(match (group, kind) {
        ("apps", "Deployment") => APPS_DEPLOYMENT,
        ("", "Pod") => POD,
        ("", "Service") => SERVICE,
        ("", "ConfigMap") => CONFIGMAP,
        ("", "Namespace") => NAMESPACE,
        ("apps", "StatefulSet") => APPS_STATEFULSET,
        ("batch", "Job") => BATCH_JOB,
        ("batch", "CronJob") => BATCH_CRONJOB,
        ("networking.k8s.io", "Ingress") => NETWORKING_K8S_IO_INGRESS,
        ("apps", "ReplicaSet") => APPS_REPLICASET,
        ("apps", "DaemonSet") => APPS_DAEMONSET,
        ("apps", "ControllerRevision") => APPS_CONTROLLERREVISION,
        ("", "Secret") => SECRET,
        ("", "ServiceAccount") => SERVICEACCOUNT,
        ("", "Endpoints") => ENDPOINTS,
        ("", "PersistentVolumeClaim") => PERSISTENTVOLUMECLAIM,
        ("", "PersistentVolume") => PERSISTENTVOLUME,
        ("", "Node") => NODE,
        ("", "Event") => EVENT,
        ("autoscaling", "HorizontalPodAutoscaler") => AUTOSCALING_HORIZONTALPODAUTOSCALER,
        ("policy", "PodDisruptionBudget") => POLICY_PODDISRUPTIONBUDGET,
        ("networking.k8s.io", "NetworkPolicy") => NETWORKING_K8S_IO_NETWORKPOLICY,
        ("networking.k8s.io", "IngressClass") => NETWORKING_K8S_IO_INGRESSCLASS,
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => RBAC_AUTHORIZATION_K8S_IO_ROLE,
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            RBAC_AUTHORIZATION_K8S_IO_ROLEBINDING
        }
        ("coordination.k8s.io", "Lease") => COORDINATION_K8S_IO_LEASE,
        ("discovery.k8s.io", "EndpointSlice") => DISCOVERY_K8S_IO_ENDPOINTSLICE,
        ("events.k8s.io", "Event") => EVENTS_K8S_IO_EVENT,
        _ => return None,
    })
}

#[rustfmt::skip]
const APPS_DEPLOYMENT: &[Column] = &[
    NAME,
    Column { name: "Ready", kind: "string", format: "", description: "Number of the pod with ready state", priority: 0, },
    Column { name: "Up-to-date", kind: "string", format: "", description: "Total number of non-terminating pods targeted by this deployment that have the desired template spec.", priority: 0, },
    Column { name: "Available", kind: "string", format: "", description: "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.", priority: 0, },
    AGE,
    Column { name: "Containers", kind: "string", format: "", description: "Names of each container in the template.", priority: 1, },
    Column { name: "Images", kind: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, },
    Column { name: "Selector", kind: "string", format: "", description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", priority: 1, },
];

#[rustfmt::skip]
const POD: &[Column] = &[
    NAME,
    Column { name: "Ready", kind: "string", format: "", description: "The aggregate readiness state of this pod for accepting traffic.", priority: 0, },
    Column { name: "Status", kind: "string", format: "", description: "The aggregate status of the containers in this pod.", priority: 0, },
    Column { name: "Restarts", kind: "string", format: "", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", priority: 0, },
    AGE,
    Column { name: "IP", kind: "string", format: "", description: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", priority: 1, },
    Column { name: "Node", kind: "string", format: "", description: "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename", priority: 1, },
    Column { name: "Nominated Node", kind: "string", format: "", description: "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.", priority: 1, },
    Column { name: "Readiness Gates", kind: "string", format: "", description: "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates", priority: 1, },
];

#[rustfmt::skip]
const SERVICE: &[Column] = &[
    NAME,
    Column { name: "Type", kind: "string", format: "", description: "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types", priority: 0, },
    Column { name: "Cluster-IP", kind: "string", format: "", description: "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies", priority: 0, },
    Column { name: "External-IP", kind: "string", format: "", description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.", priority: 0, },
    Column { name: "Port(s)", kind: "string", format: "", description: "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies", priority: 0, },
    AGE,
    Column { name: "Selector", kind: "string", format: "", description: "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/", priority: 1, },
];

#[rustfmt::skip]
const CONFIGMAP: &[Column] = &[
    NAME,
    Column { name: "Data", kind: "string", format: "", description: "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const NAMESPACE: &[Column] = &[
    NAME,
    Column { name: "Status", kind: "string", format: "", description: "The status of the namespace", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const APPS_STATEFULSET: &[Column] = &[
    NAME,
    Column { name: "Ready", kind: "string", format: "", description: "Number of the pod with ready state", priority: 0, },
    AGE,
    Column { name: "Containers", kind: "string", format: "", description: "Names of each container in the template.", priority: 1, },
    Column { name: "Images", kind: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, },
];

#[rustfmt::skip]
const BATCH_JOB: &[Column] = &[
    NAME,
    Column { name: "Status", kind: "string", format: "", description: "Status of the job.", priority: 0, },
    Column { name: "Completions", kind: "string", format: "", description: "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.", priority: 0, },
    Column { name: "Duration", kind: "string", format: "", description: "Time required to complete the job.", priority: 0, },
    AGE,
    Column { name: "Containers", kind: "string", format: "", description: "Names of each container in the template.", priority: 1, },
    Column { name: "Images", kind: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, },
    Column { name: "Selector", kind: "string", format: "", description: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1, },
];

#[rustfmt::skip]
const BATCH_CRONJOB: &[Column] = &[
    NAME,
    Column { name: "Schedule", kind: "string", format: "", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", priority: 0, },
    Column { name: "Timezone", kind: "string", format: "", description: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones", priority: 0, },
    Column { name: "Suspend", kind: "boolean", format: "", description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.", priority: 0, },
    Column { name: "Active", kind: "integer", format: "", description: "A list of pointers to currently running jobs.", priority: 0, },
    Column { name: "Last Schedule", kind: "string", format: "", description: "Information when was the last time the job was successfully scheduled.", priority: 0, },
    AGE,
    Column { name: "Containers", kind: "string", format: "", description: "Names of each container in the template.", priority: 1, },
    Column { name: "Images", kind: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, },
    Column { name: "Selector", kind: "string", format: "", description: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1, },
];

const NETWORKING_K8S_IO_INGRESS: &[Column] = &[
    NAME,
    Column {
        name: "Class",
        kind: "string",
        format: "",
        description: "The name of the IngressClass resource that should be used for additional configuration",
        priority: 0,
    },
    Column {
        name: "Hosts",
        kind: "string",
        format: "",
        description: "Hosts that incoming requests are matched against before the ingress rule",
        priority: 0,
    },
    Column {
        name: "Address",
        kind: "string",
        format: "",
        description: "Address is a list containing ingress points for the load-balancer",
        priority: 0,
    },
    Column {
        name: "Ports",
        kind: "string",
        format: "",
        description: "Ports of TLS configurations that open",
        priority: 0,
    },
    AGE,
];

#[rustfmt::skip]
const APPS_REPLICASET: &[Column] = &[
    NAME,
    Column { name: "Desired", kind: "integer", format: "", description: "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", priority: 0, },
    Column { name: "Current", kind: "integer", format: "", description: "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", priority: 0, },
    Column { name: "Ready", kind: "integer", format: "", description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.", priority: 0, },
    AGE,
    Column { name: "Containers", kind: "string", format: "", description: "Names of each container in the template.", priority: 1, },
    Column { name: "Images", kind: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, },
    Column { name: "Selector", kind: "string", format: "", description: "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1, },
];

#[rustfmt::skip]
const APPS_DAEMONSET: &[Column] = &[
    NAME,
    Column { name: "Desired", kind: "integer", format: "", description: "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", priority: 0, },
    Column { name: "Current", kind: "integer", format: "", description: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", priority: 0, },
    Column { name: "Ready", kind: "integer", format: "", description: "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.", priority: 0, },
    Column { name: "Up-to-date", kind: "integer", format: "", description: "The total number of nodes that are running updated daemon pod", priority: 0, },
    Column { name: "Available", kind: "integer", format: "", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)", priority: 0, },
    Column { name: "Node Selector", kind: "string", format: "", description: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/", priority: 0, },
    AGE,
    Column { name: "Containers", kind: "string", format: "", description: "Names of each container in the template.", priority: 1, },
    Column { name: "Images", kind: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, },
    Column { name: "Selector", kind: "string", format: "", description: "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1, },
];

#[rustfmt::skip]
const APPS_CONTROLLERREVISION: &[Column] = &[
    NAME,
    Column { name: "Controller", kind: "string", format: "", description: "Controller of the object", priority: 0, },
    Column { name: "Revision", kind: "integer", format: "", description: "Revision indicates the revision of the state represented by Data.", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const SECRET: &[Column] = &[
    NAME,
    Column { name: "Type", kind: "string", format: "", description: "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types", priority: 0, },
    Column { name: "Data", kind: "integer", format: "", description: "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const SERVICEACCOUNT: &[Column] = &[
    NAME,
    Column { name: "Secrets", kind: "integer", format: "", description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const ENDPOINTS: &[Column] = &[
    NAME,
    Column { name: "Endpoints", kind: "string", format: "", description: "Endpoints of the service", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const PERSISTENTVOLUMECLAIM: &[Column] = &[
    NAME,
    Column { name: "Status", kind: "string", format: "", description: "Phase represents the current phase of PersistentVolumeClaim.", priority: 0, },
    Column { name: "Volume", kind: "string", format: "", description: "volumeName is the binding reference to the PersistentVolume backing this claim.", priority: 0, },
    Column { name: "Capacity", kind: "string", format: "", description: "capacity represents the actual resources of the underlying volume.", priority: 0, },
    Column { name: "Access Modes", kind: "string", format: "", description: "accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1", priority: 0, },
    Column { name: "StorageClass", kind: "string", format: "", description: "storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1", priority: 0, },
    Column { name: "VolumeAttributesClass", kind: "string", format: "", description: "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.", priority: 0, },
    AGE,
    Column { name: "VolumeMode", kind: "string", format: "", description: "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.", priority: 1, },
];

#[rustfmt::skip]
const PERSISTENTVOLUME: &[Column] = &[
    NAME,
    Column { name: "Capacity", kind: "string", format: "", description: "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity", priority: 0, },
    Column { name: "Access Modes", kind: "string", format: "", description: "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes", priority: 0, },
    Column { name: "Reclaim Policy", kind: "string", format: "", description: "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.", priority: 0, },
    Column { name: "Status", kind: "string", format: "", description: "phase indicates if a volume is available, bound to a claim, or released by a claim.", priority: 0, },
    Column { name: "Claim", kind: "string", format: "", description: "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.", priority: 0, },
    Column { name: "StorageClass", kind: "string", format: "", description: "storageClassName is the name of StorageClass to which this persistent volume belongs.", priority: 0, },
    Column { name: "VolumeAttributesClass", kind: "string", format: "", description: "Name of VolumeAttributesClass to which this persistent volume belongs.", priority: 0, },
    Column { name: "Reason", kind: "string", format: "", description: "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.", priority: 0, },
    AGE,
    Column { name: "VolumeMode", kind: "string", format: "", description: "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", priority: 1, },
];

#[rustfmt::skip]
const NODE: &[Column] = &[
    NAME,
    Column { name: "Status", kind: "string", format: "", description: "The status of the node", priority: 0, },
    Column { name: "Roles", kind: "string", format: "", description: "The roles of the node", priority: 0, },
    AGE,
    Column { name: "Version", kind: "string", format: "", description: "Kubelet Version reported by the node.", priority: 0, },
    Column { name: "Internal-IP", kind: "string", format: "", description: "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1, },
    Column { name: "External-IP", kind: "string", format: "", description: "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1, },
    Column { name: "OS-Image", kind: "string", format: "", description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1, },
    Column { name: "Kernel-Version", kind: "string", format: "", description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1, },
    Column { name: "Container-Runtime", kind: "string", format: "", description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1, },
];

#[rustfmt::skip]
const EVENT: &[Column] = &[
    Column { name: "Last Seen", kind: "string", format: "", description: "The time at which the most recent occurrence of this event was recorded.", priority: 0, },
    Column { name: "Type", kind: "string", format: "", description: "Type of this event (Normal, Warning), new types could be added in the future.", priority: 0, },
    Column { name: "Reason", kind: "string", format: "", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", priority: 0, },
    Column { name: "Object", kind: "string", format: "", description: "The object that this event is about.", priority: 0, },
    Column { name: "Subobject", kind: "string", format: "", description: "The subobject that this event is about.", priority: 1, },
    Column { name: "Source", kind: "string", format: "", description: "The component reporting this event. Should be a short machine understandable string.", priority: 1, },
    Column { name: "Message", kind: "string", format: "", description: "A human-readable description of the status of this operation.", priority: 0, },
    Column { name: "First Seen", kind: "string", format: "", description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", priority: 1, },
    Column { name: "Count", kind: "string", format: "", description: "The number of times this event has occurred.", priority: 1, },
    Column { name: "Name", kind: "string", format: "name", description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", priority: 1, },
];

#[rustfmt::skip]
const AUTOSCALING_HORIZONTALPODAUTOSCALER: &[Column] = &[
    NAME,
    Column { name: "Reference", kind: "string", format: "", description: "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.", priority: 0, },
    Column { name: "Targets", kind: "string", format: "", description: "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).", priority: 0, },
    Column { name: "MinPods", kind: "string", format: "", description: "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.", priority: 0, },
    Column { name: "MaxPods", kind: "integer", format: "", description: "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.", priority: 0, },
    Column { name: "Replicas", kind: "integer", format: "", description: "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.", priority: 0, },
    AGE,
];

#[rustfmt::skip]
const POLICY_PODDISRUPTIONBUDGET: &[Column] = &[
    NAME,
    Column { name: "Min Available", kind: "string", format: "", description: "An eviction is allowed if at least \"minAvailable\" pods selected by \"selector\" will still be available after the eviction, i.e. even in the absence of the evicted pod.", priority: 0, },
    Column { name: "Max Unavailable", kind: "string", format: "", description: "An eviction is allowed if at most \"maxUnavailable\" pods selected by \"selector\" are unavailable after the eviction, i.e. even in absence of the evicted pod.", priority: 0, },
    Column { name: "Allowed Disruptions", kind: "integer", format: "", description: "Number of pod disruptions that are currently allowed.", priority: 0, },
    AGE,
];

const NETWORKING_K8S_IO_NETWORKPOLICY: &[Column] = &[
    NAME,
    Column {
        name: "Pod-Selector",
        kind: "string",
        format: "",
        description: "podSelector selects the pods to which this NetworkPolicy object applies.",
        priority: 0,
    },
    AGE,
];

const NETWORKING_K8S_IO_INGRESSCLASS: &[Column] = &[
    NAME,
    Column {
        name: "Controller",
        kind: "string",
        format: "",
        description: "controller refers to the name of the controller that should handle this class.",
        priority: 0,
    },
    Column {
        name: "Parameters",
        kind: "string",
        format: "",
        description: "parameters is a link to a custom resource containing additional configuration for the controller.",
        priority: 0,
    },
    AGE,
];

/// Role and ClusterRole print the same columns.
const RBAC_AUTHORIZATION_K8S_IO_ROLE: &[Column] = &[
    NAME,
    Column {
        name: "Created At",
        kind: "string",
        format: "",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        priority: 0,
    },
];

/// RoleBinding and ClusterRoleBinding print the same columns.
const RBAC_AUTHORIZATION_K8S_IO_ROLEBINDING: &[Column] = &[
    NAME,
    Column {
        name: "Role",
        kind: "string",
        format: "",
        description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
        priority: 0,
    },
    AGE,
    Column {
        name: "Users",
        kind: "string",
        format: "",
        description: "Users in the roleBinding",
        priority: 1,
    },
    Column {
        name: "Groups",
        kind: "string",
        format: "",
        description: "Groups in the roleBinding",
        priority: 1,
    },
    Column {
        name: "ServiceAccounts",
        kind: "string",
        format: "",
        description: "ServiceAccounts in the roleBinding",
        priority: 1,
    },
];

const COORDINATION_K8S_IO_LEASE: &[Column] = &[
    NAME,
    Column {
        name: "Holder",
        kind: "string",
        format: "",
        description: "holderIdentity contains the identity of the holder of a current lease.",
        priority: 0,
    },
    AGE,
];

const DISCOVERY_K8S_IO_ENDPOINTSLICE: &[Column] = &[
    NAME,
    Column {
        name: "AddressType",
        kind: "string",
        format: "",
        description: "addressType specifies the type of address carried by this EndpointSlice.",
        priority: 0,
    },
    Column {
        name: "Ports",
        kind: "string",
        format: "",
        description: "ports specifies the list of network ports exposed by each endpoint in this slice.",
        priority: 0,
    },
    Column {
        name: "Endpoints",
        kind: "string",
        format: "",
        description: "endpoints is a list of unique endpoints in this slice.",
        priority: 0,
    },
    AGE,
];

const EVENTS_K8S_IO_EVENT: &[Column] = &[
    Column {
        name: "Last Seen",
        kind: "string",
        format: "",
        description: "The time at which the most recent occurrence of this event was recorded.",
        priority: 0,
    },
    Column {
        name: "Type",
        kind: "string",
        format: "",
        description: "Type of this event (Normal, Warning), new types could be added in the future.",
        priority: 0,
    },
    Column {
        name: "Reason",
        kind: "string",
        format: "",
        description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        priority: 0,
    },
    Column {
        name: "Object",
        kind: "string",
        format: "",
        description: "The object that this event is about.",
        priority: 0,
    },
    Column {
        name: "Subobject",
        kind: "string",
        format: "",
        description: "The subobject that this event is about.",
        priority: 1,
    },
    Column {
        name: "Source",
        kind: "string",
        format: "",
        description: "The component reporting this event. Should be a short machine understandable string.",
        priority: 1,
    },
    Column {
        name: "Message",
        kind: "string",
        format: "",
        description: "A human-readable description of the status of this operation.",
        priority: 0,
    },
    Column {
        name: "First Seen",
        kind: "string",
        format: "",
        description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
        priority: 1,
    },
    Column {
        name: "Count",
        kind: "string",
        format: "",
        description: "The number of times this event has occurred.",
        priority: 1,
    },
    Column {
        name: "Name",
        kind: "string",
        format: "name",
        description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        priority: 1,
    },
];
