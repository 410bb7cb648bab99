//! Compact, hand-written OpenAPI schemas of the built-in kinds the recorded `apps/v1` document
//! does not carry (ConfigMap, Secret, Service, Pod status, Namespace, Job, CronJob, ...), in the
//! real documents' shape (`allOf` references, `x-kubernetes-group-version-kind`). Their field
//! lists follow the Kubernetes API reference; descriptions are short. Kinds described nowhere get
//! a generic schema from [`generic`].

use serde_json::{Map, Value, json};

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1";
const CORE: &str = "io.k8s.api.core.v1";
const BATCH: &str = "io.k8s.api.batch.v1";

fn string(description: &str) -> Value {
    json!({"description": description, "type": "string"})
}

fn integer(description: &str) -> Value {
    json!({"description": description, "type": "integer", "format": "int32"})
}

fn boolean(description: &str) -> Value {
    json!({"description": description, "type": "boolean"})
}

fn strings(description: &str) -> Value {
    json!({"description": description, "type": "array", "items": {"type": "string", "default": ""}})
}

fn string_map(description: &str) -> Value {
    json!({"description": description, "type": "object", "additionalProperties": {"type": "string", "default": ""}})
}

fn reference(description: &str, schema: &str) -> Value {
    json!({"description": description, "allOf": [{"$ref": format!("#/components/schemas/{schema}")}]})
}

fn list(description: &str, schema: &str) -> Value {
    json!({"description": description, "type": "array",
        "items": {"default": {}, "allOf": [{"$ref": format!("#/components/schemas/{schema}")}]}})
}

fn free_object(description: &str) -> Value {
    json!({"description": description, "type": "object", "x-kubernetes-preserve-unknown-fields": true})
}

fn object(description: &str, properties: Vec<(&str, Value)>, required: &[&str]) -> Value {
    let properties: Map<String, Value> = properties
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema))
        .collect();
    let mut schema =
        json!({"description": description, "type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// The `apiVersion`, `kind` and `metadata` every kind starts with.
fn type_meta() -> Vec<(&'static str, Value)> {
    vec![
        (
            "apiVersion",
            string(
                "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
            ),
        ),
        (
            "kind",
            string(
                "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
            ),
        ),
        (
            "metadata",
            reference(
                "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
                &format!("{META}.ObjectMeta"),
            ),
        ),
    ]
}

fn kind(
    description: &str,
    (group, version, kind): (&str, &str, &str),
    properties: Vec<(&str, Value)>,
) -> Value {
    let mut all = type_meta();
    all.extend(properties);
    let mut schema = object(description, all, &[]);
    schema["x-kubernetes-group-version-kind"] =
        json!([{"group": group, "kind": kind, "version": version}]);
    schema
}

/// A schema for a kind nobody described: its type metadata, anything else preserved.
pub fn generic(group: &str, version: &str, kind_name: &str) -> Value {
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let mut schema = kind(
        &format!(
            "{kind_name} ({api_version}). The local cluster stores every field of it; their descriptions are not published."
        ),
        (group, version, kind_name),
        Vec::new(),
    );
    schema["x-kubernetes-preserve-unknown-fields"] = json!(true);
    schema
}

/// The hand-written schemas, by component name.
pub fn schemas() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut add = |name: String, schema: Value| out.push((name, schema));
    let time = format!("{META}.Time");
    let selector = format!("{META}.LabelSelector");

    add(
        format!("{CORE}.ConfigMap"),
        kind(
            "ConfigMap holds configuration data for pods to consume.",
            ("", "v1", "ConfigMap"),
            vec![
                (
                    "binaryData",
                    json!({"description": "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values are base64 encoded bytes. Keys must not overlap with the Data field.", "type": "object", "additionalProperties": {"type": "string", "format": "byte"}}),
                ),
                (
                    "data",
                    string_map(
                        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field.",
                    ),
                ),
                (
                    "immutable",
                    boolean(
                        "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).",
                    ),
                ),
            ],
        ),
    );
    add(
        format!("{CORE}.Secret"),
        kind(
            "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
            ("", "v1", "Secret"),
            vec![
                (
                    "data",
                    json!({"description": "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string.", "type": "object", "additionalProperties": {"type": "string", "format": "byte"}}),
                ),
                (
                    "immutable",
                    boolean(
                        "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).",
                    ),
                ),
                (
                    "stringData",
                    string_map(
                        "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.",
                    ),
                ),
                (
                    "type",
                    string(
                        "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
                    ),
                ),
            ],
        ),
    );
    add(
        format!("{CORE}.Namespace"),
        kind(
            "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
            ("", "v1", "Namespace"),
            vec![
                (
                    "spec",
                    reference(
                        "Spec defines the behavior of the Namespace.",
                        &format!("{CORE}.NamespaceSpec"),
                    ),
                ),
                (
                    "status",
                    reference(
                        "Status describes the current status of a Namespace.",
                        &format!("{CORE}.NamespaceStatus"),
                    ),
                ),
            ],
        ),
    );
    add(
        format!("{CORE}.NamespaceSpec"),
        object(
            "NamespaceSpec describes the attributes on a Namespace.",
            vec![(
                "finalizers",
                strings(
                    "Finalizers is an opaque list of values that must be empty to permanently remove object from storage.",
                ),
            )],
            &[],
        ),
    );
    add(
        format!("{CORE}.NamespaceStatus"),
        object(
            "NamespaceStatus is information about the current status of a Namespace.",
            vec![
                (
                    "conditions",
                    free_object(
                        "Represents the latest available observations of a namespace's current state.",
                    ),
                ),
                (
                    "phase",
                    json!({"description": "Phase is the current lifecycle phase of the namespace.", "type": "string", "enum": ["Active", "Terminating"]}),
                ),
            ],
            &[],
        ),
    );
    add(
        format!("{CORE}.Service"),
        kind(
            "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
            ("", "v1", "Service"),
            vec![
                (
                    "spec",
                    reference(
                        "Spec defines the behavior of a service.",
                        &format!("{CORE}.ServiceSpec"),
                    ),
                ),
                (
                    "status",
                    reference(
                        "Most recently observed status of the service. Populated by the system. Read-only.",
                        &format!("{CORE}.ServiceStatus"),
                    ),
                ),
            ],
        ),
    );
    add(
        format!("{CORE}.ServiceSpec"),
        object(
            "ServiceSpec describes the attributes that a user creates on a service.",
            vec![
                (
                    "allocateLoadBalancerNodePorts",
                    boolean(
                        "allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer. Default is \"true\".",
                    ),
                ),
                (
                    "clusterIP",
                    string(
                        "clusterIP is the IP address of the service and is usually assigned randomly. \"None\" makes a headless service.",
                    ),
                ),
                (
                    "clusterIPs",
                    strings(
                        "ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.",
                    ),
                ),
                (
                    "externalIPs",
                    strings(
                        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
                    ),
                ),
                (
                    "externalName",
                    string(
                        "externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). Requires `type` to be \"ExternalName\".",
                    ),
                ),
                (
                    "externalTrafficPolicy",
                    json!({"description": "externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service's \"externally-facing\" addresses.", "type": "string", "enum": ["Cluster", "Local"]}),
                ),
                (
                    "healthCheckNodePort",
                    integer(
                        "healthCheckNodePort specifies the healthcheck nodePort for the service.",
                    ),
                ),
                (
                    "internalTrafficPolicy",
                    json!({"description": "InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.", "type": "string", "enum": ["Cluster", "Local"]}),
                ),
                (
                    "ipFamilies",
                    strings(
                        "IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.",
                    ),
                ),
                (
                    "ipFamilyPolicy",
                    json!({"description": "IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.", "type": "string", "enum": ["PreferDualStack", "RequireDualStack", "SingleStack"]}),
                ),
                (
                    "loadBalancerClass",
                    string(
                        "loadBalancerClass is the class of the load balancer implementation this Service belongs to.",
                    ),
                ),
                (
                    "loadBalancerSourceRanges",
                    strings(
                        "If specified and supported by the platform, traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.",
                    ),
                ),
                ("ports", {
                    let mut ports = list(
                        "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
                        &format!("{CORE}.ServicePort"),
                    );
                    ports["x-kubernetes-list-map-keys"] = json!(["port", "protocol"]);
                    ports["x-kubernetes-list-type"] = json!("map");
                    ports["x-kubernetes-patch-merge-key"] = json!("port");
                    ports["x-kubernetes-patch-strategy"] = json!("merge");
                    ports
                }),
                (
                    "publishNotReadyAddresses",
                    boolean(
                        "publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.",
                    ),
                ),
                (
                    "selector",
                    string_map(
                        "Route service traffic to pods with label keys and values matching this selector. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
                    ),
                ),
                (
                    "sessionAffinity",
                    json!({"description": "Supports \"ClientIP\" and \"None\". Used to maintain session affinity.", "type": "string", "enum": ["ClientIP", "None"]}),
                ),
                (
                    "type",
                    json!({"description": "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types", "type": "string", "enum": ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]}),
                ),
            ],
            &[],
        ),
    );
    add(
        format!("{CORE}.ServicePort"),
        object(
            "ServicePort contains information on service's port.",
            vec![
                (
                    "appProtocol",
                    string("The application protocol for this port."),
                ),
                (
                    "name",
                    string(
                        "The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names.",
                    ),
                ),
                (
                    "nodePort",
                    integer(
                        "The port on each node on which this service is exposed when type is NodePort or LoadBalancer. Usually assigned by the system.",
                    ),
                ),
                (
                    "port",
                    integer("The port that will be exposed by this service."),
                ),
                (
                    "protocol",
                    json!({"description": "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP.", "type": "string", "default": "TCP", "enum": ["SCTP", "TCP", "UDP"]}),
                ),
                (
                    "targetPort",
                    reference(
                        "Number or name of the port to access on the pods targeted by the service. Defaults to the value of the 'port' field.",
                        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                    ),
                ),
            ],
            &["port"],
        ),
    );
    add(
        format!("{CORE}.ServiceStatus"),
        object(
            "ServiceStatus represents the current status of a service.",
            vec![
                ("conditions", free_object("Current service state")),
                (
                    "loadBalancer",
                    free_object(
                        "LoadBalancer contains the current status of the load-balancer, if one is present.",
                    ),
                ),
            ],
            &[],
        ),
    );
    add(
        format!("{CORE}.Pod"),
        kind(
            "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.",
            ("", "v1", "Pod"),
            vec![
                (
                    "spec",
                    reference(
                        "Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
                        &format!("{CORE}.PodSpec"),
                    ),
                ),
                (
                    "status",
                    reference(
                        "Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only.",
                        &format!("{CORE}.PodStatus"),
                    ),
                ),
            ],
        ),
    );
    add(
        format!("{CORE}.PodStatus"),
        object(
            "PodStatus represents information about the status of a pod. Status may trail the actual state of a system.",
            vec![
                (
                    "conditions",
                    list(
                        "Current service state of pod. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions",
                        &format!("{CORE}.PodCondition"),
                    ),
                ),
                (
                    "containerStatuses",
                    list(
                        "Statuses of the containers in this pod, one per container in the manifest.",
                        &format!("{CORE}.ContainerStatus"),
                    ),
                ),
                (
                    "hostIP",
                    string("hostIP holds the IP address of the host to which the pod is assigned."),
                ),
                (
                    "initContainerStatuses",
                    list(
                        "Statuses of the init containers in this pod.",
                        &format!("{CORE}.ContainerStatus"),
                    ),
                ),
                (
                    "message",
                    string(
                        "A human readable message indicating details about why the pod is in this condition.",
                    ),
                ),
                (
                    "phase",
                    json!({"description": "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.", "type": "string", "enum": ["Failed", "Pending", "Running", "Succeeded", "Unknown"]}),
                ),
                (
                    "podIP",
                    string(
                        "podIP address allocated to the pod. Routable at least within the cluster.",
                    ),
                ),
                (
                    "qosClass",
                    json!({"description": "The Quality of Service (QOS) classification assigned to the pod based on resource requirements.", "type": "string", "enum": ["BestEffort", "Burstable", "Guaranteed"]}),
                ),
                (
                    "reason",
                    string(
                        "A brief CamelCase message indicating details about why the pod is in this state, e.g. 'Evicted'.",
                    ),
                ),
                (
                    "startTime",
                    reference(
                        "RFC 3339 date and time at which the object was acknowledged by the Kubelet.",
                        &time,
                    ),
                ),
            ],
            &[],
        ),
    );
    add(
        format!("{CORE}.PodCondition"),
        object(
            "PodCondition contains details for the current condition of this pod.",
            vec![
                (
                    "lastProbeTime",
                    reference("Last time we probed the condition.", &time),
                ),
                (
                    "lastTransitionTime",
                    reference(
                        "Last time the condition transitioned from one status to another.",
                        &time,
                    ),
                ),
                (
                    "message",
                    string("Human-readable message indicating details about last transition."),
                ),
                (
                    "reason",
                    string(
                        "Unique, one-word, CamelCase reason for the condition's last transition.",
                    ),
                ),
                (
                    "status",
                    string("Status is the status of the condition. Can be True, False, Unknown."),
                ),
                ("type", string("Type is the type of the condition.")),
            ],
            &["type", "status"],
        ),
    );
    add(
        format!("{CORE}.ContainerStatus"),
        object(
            "ContainerStatus contains details for the current status of this container.",
            vec![
                (
                    "containerID",
                    string(
                        "ContainerID is the ID of the container in the format '<type>://<container_id>'.",
                    ),
                ),
                (
                    "image",
                    string("Image is the name of container image that the container is running."),
                ),
                (
                    "imageID",
                    string("ImageID is the image ID of the container's image."),
                ),
                (
                    "lastState",
                    free_object(
                        "LastTerminationState holds the last termination state of the container.",
                    ),
                ),
                (
                    "name",
                    string("Name is a DNS_LABEL representing the unique name of the container."),
                ),
                (
                    "ready",
                    boolean(
                        "Ready specifies whether the container is currently passing its readiness check.",
                    ),
                ),
                (
                    "restartCount",
                    integer(
                        "RestartCount holds the number of times the container has been restarted.",
                    ),
                ),
                (
                    "started",
                    boolean(
                        "Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.",
                    ),
                ),
                (
                    "state",
                    free_object("State holds details about the container's current condition."),
                ),
            ],
            &["name", "ready", "restartCount", "image", "imageID"],
        ),
    );
    add(
        format!("{CORE}.ServiceAccount"),
        kind(
            "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets",
            ("", "v1", "ServiceAccount"),
            vec![
                (
                    "automountServiceAccountToken",
                    boolean(
                        "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.",
                    ),
                ),
                (
                    "imagePullSecrets",
                    list(
                        "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.",
                        &format!("{CORE}.LocalObjectReference"),
                    ),
                ),
                (
                    "secrets",
                    free_object(
                        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                    ),
                ),
            ],
        ),
    );

    let job_spec = format!("{BATCH}.JobSpec");
    add(
        format!("{BATCH}.Job"),
        kind(
            "Job represents the configuration of a single job.",
            ("batch", "v1", "Job"),
            vec![
                (
                    "spec",
                    reference(
                        "Specification of the desired behavior of a job. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
                        &job_spec,
                    ),
                ),
                (
                    "status",
                    free_object(
                        "Current status of a job. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
                    ),
                ),
            ],
        ),
    );
    add(
        job_spec.clone(),
        object(
            "JobSpec describes how the job execution will look like.",
            vec![
                (
                    "activeDeadlineSeconds",
                    json!({"description": "Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.", "type": "integer", "format": "int64"}),
                ),
                (
                    "backoffLimit",
                    integer(
                        "Specifies the number of retries before marking this job failed. Defaults to 6.",
                    ),
                ),
                (
                    "completionMode",
                    string(
                        "completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.",
                    ),
                ),
                (
                    "completions",
                    integer(
                        "Specifies the desired number of successfully finished pods the job should be run with.",
                    ),
                ),
                (
                    "manualSelector",
                    boolean(
                        "manualSelector controls generation of pod labels and pod selectors. Leave unset unless you are certain what you are doing.",
                    ),
                ),
                (
                    "parallelism",
                    integer(
                        "Specifies the maximum desired number of pods the job should run at any given time.",
                    ),
                ),
                (
                    "selector",
                    reference(
                        "A label query over pods that should match the pod count. Normally, the system sets this field for you.",
                        &selector,
                    ),
                ),
                (
                    "suspend",
                    boolean(
                        "suspend specifies whether the Job controller should create Pods or not.",
                    ),
                ),
                (
                    "template",
                    reference(
                        "Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are \"Never\" or \"OnFailure\".",
                        &format!("{CORE}.PodTemplateSpec"),
                    ),
                ),
                (
                    "ttlSecondsAfterFinished",
                    integer(
                        "ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).",
                    ),
                ),
            ],
            &["template"],
        ),
    );
    add(
        format!("{BATCH}.CronJob"),
        kind(
            "CronJob represents the configuration of a single cron job.",
            ("batch", "v1", "CronJob"),
            vec![
                (
                    "spec",
                    reference(
                        "Specification of the desired behavior of a cron job, including the schedule.",
                        &format!("{BATCH}.CronJobSpec"),
                    ),
                ),
                ("status", free_object("Current status of a cron job.")),
            ],
        ),
    );
    add(
        format!("{BATCH}.CronJobSpec"),
        object(
            "CronJobSpec describes how the job execution will look like and when it will actually run.",
            vec![
                (
                    "concurrencyPolicy",
                    json!({"description": "Specifies how to treat concurrent executions of a Job.", "type": "string", "enum": ["Allow", "Forbid", "Replace"]}),
                ),
                (
                    "failedJobsHistoryLimit",
                    integer("The number of failed finished jobs to retain. Defaults to 1."),
                ),
                (
                    "jobTemplate",
                    reference(
                        "Specifies the job that will be created when executing a CronJob.",
                        &format!("{BATCH}.JobTemplateSpec"),
                    ),
                ),
                (
                    "schedule",
                    string("The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
                ),
                (
                    "startingDeadlineSeconds",
                    json!({"description": "Optional deadline in seconds for starting the job if it misses scheduled time for any reason.", "type": "integer", "format": "int64"}),
                ),
                (
                    "successfulJobsHistoryLimit",
                    integer("The number of successful finished jobs to retain. Defaults to 3."),
                ),
                (
                    "suspend",
                    boolean(
                        "This flag tells the controller to suspend subsequent executions. Defaults to false.",
                    ),
                ),
                (
                    "timeZone",
                    string(
                        "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
                    ),
                ),
            ],
            &["schedule", "jobTemplate"],
        ),
    );
    add(
        format!("{BATCH}.JobTemplateSpec"),
        object(
            "JobTemplateSpec describes the data a Job should have when created from a template",
            vec![
                (
                    "metadata",
                    reference(
                        "Standard object's metadata of the jobs created from this template.",
                        &format!("{META}.ObjectMeta"),
                    ),
                ),
                (
                    "spec",
                    reference(
                        "Specification of the desired behavior of the job.",
                        &job_spec,
                    ),
                ),
            ],
            &[],
        ),
    );
    out
}
