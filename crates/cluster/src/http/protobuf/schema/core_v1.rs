//! The message tables of `k8s.io/api` core/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};
use super::meta_v1;

/// `ConfigMap`.
pub static CONFIG_MAP: Message = message(
    "ConfigMap",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(4, "immutable", Bool, Present),
        field(2, "data", TextMap, Repeated),
        field(3, "binaryData", BytesMap, Repeated),
    ],
);

/// `Secret`.
pub static SECRET: Message = message(
    "Secret",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(5, "immutable", Bool, Present),
        field(2, "data", BytesMap, Repeated),
        field(4, "stringData", TextMap, Repeated),
        field(3, "type", Text, Omitted),
    ],
);

/// `Namespace`.
pub static NAMESPACE: Message = message(
    "Namespace",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&NAMESPACE_SPEC), Present),
        field(3, "status", Opaque("NamespaceStatus"), Present),
    ],
);

/// `ServiceAccount`.
pub static SERVICE_ACCOUNT: Message = message(
    "ServiceAccount",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "secrets", Nested(&OBJECT_REFERENCE), Repeated),
        field(
            3,
            "imagePullSecrets",
            Nested(&LOCAL_OBJECT_REFERENCE),
            Repeated,
        ),
        field(4, "automountServiceAccountToken", Bool, Present),
    ],
);

/// `Service`.
pub static SERVICE: Message = message(
    "Service",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&SERVICE_SPEC), Present),
        field(3, "status", Opaque("ServiceStatus"), Present),
    ],
);

/// `Pod`.
pub static POD: Message = message(
    "Pod",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&POD_SPEC), Present),
        field(3, "status", Opaque("PodStatus"), Present),
    ],
);

/// `NamespaceSpec`.
pub static NAMESPACE_SPEC: Message =
    message("NamespaceSpec", &[field(1, "finalizers", Text, Repeated)]);

/// `ObjectReference`.
pub static OBJECT_REFERENCE: Message = message(
    "ObjectReference",
    &[
        field(1, "kind", Text, Omitted),
        field(2, "namespace", Text, Omitted),
        field(3, "name", Text, Omitted),
        field(4, "uid", Text, Omitted),
        field(5, "apiVersion", Text, Omitted),
        field(6, "resourceVersion", Text, Omitted),
        field(7, "fieldPath", Text, Omitted),
    ],
);

/// `LocalObjectReference`.
pub static LOCAL_OBJECT_REFERENCE: Message =
    message("LocalObjectReference", &[field(1, "name", Text, Omitted)]);

/// `ServiceSpec`.
pub static SERVICE_SPEC: Message = message(
    "ServiceSpec",
    &[
        field(1, "ports", Nested(&SERVICE_PORT), Repeated),
        field(2, "selector", TextMap, Repeated),
        field(3, "clusterIP", Text, Omitted),
        field(18, "clusterIPs", Text, Omitted),
        field(4, "type", Text, Omitted),
        field(5, "externalIPs", Text, Repeated),
        field(7, "sessionAffinity", Text, Omitted),
        field(8, "loadBalancerIP", Text, Omitted),
        field(9, "loadBalancerSourceRanges", Text, Omitted),
        field(10, "externalName", Text, Omitted),
        field(11, "externalTrafficPolicy", Text, Omitted),
        field(12, "healthCheckNodePort", Int32, Omitted),
        field(13, "publishNotReadyAddresses", Bool, Omitted),
        field(
            14,
            "sessionAffinityConfig",
            Nested(&SESSION_AFFINITY_CONFIG),
            Present,
        ),
        field(19, "ipFamilies", Text, Omitted),
        field(17, "ipFamilyPolicy", Text, Present),
        field(20, "allocateLoadBalancerNodePorts", Bool, Present),
        field(21, "loadBalancerClass", Text, Present),
        field(22, "internalTrafficPolicy", Text, Present),
        field(23, "trafficDistribution", Text, Present),
    ],
);

/// `PodSpec`.
pub static POD_SPEC: Message = message(
    "PodSpec",
    &[
        field(1, "volumes", Opaque("Volume"), Repeated),
        field(20, "initContainers", Nested(&CONTAINER), Repeated),
        field(2, "containers", Nested(&CONTAINER), Repeated),
        field(
            34,
            "ephemeralContainers",
            Opaque("EphemeralContainer"),
            Repeated,
        ),
        field(3, "restartPolicy", Text, Omitted),
        field(4, "terminationGracePeriodSeconds", Int64, Present),
        field(5, "activeDeadlineSeconds", Int64, Present),
        field(6, "dnsPolicy", Text, Omitted),
        field(7, "nodeSelector", TextMap, Repeated),
        field(8, "serviceAccountName", Text, Omitted),
        field(9, "serviceAccount", Text, Omitted),
        field(21, "automountServiceAccountToken", Bool, Present),
        field(10, "nodeName", Text, Omitted),
        field(11, "hostNetwork", Bool, Omitted),
        field(12, "hostPID", Bool, Omitted),
        field(13, "hostIPC", Bool, Omitted),
        field(27, "shareProcessNamespace", Bool, Present),
        field(14, "securityContext", Opaque("PodSecurityContext"), Present),
        field(
            15,
            "imagePullSecrets",
            Nested(&LOCAL_OBJECT_REFERENCE),
            Repeated,
        ),
        field(16, "hostname", Text, Omitted),
        field(17, "subdomain", Text, Omitted),
        field(18, "affinity", Opaque("Affinity"), Present),
        field(19, "schedulerName", Text, Omitted),
        field(22, "tolerations", Nested(&TOLERATION), Present),
        field(23, "hostAliases", Nested(&HOST_ALIAS), Repeated),
        field(24, "priorityClassName", Text, Omitted),
        field(25, "priority", Int32, Present),
        field(26, "dnsConfig", Nested(&POD_DNS_CONFIG), Present),
        field(28, "readinessGates", Nested(&POD_READINESS_GATE), Present),
        field(29, "runtimeClassName", Text, Present),
        field(30, "enableServiceLinks", Bool, Present),
        field(31, "preemptionPolicy", Text, Present),
        field(32, "overhead", QuantityMap, Omitted),
        field(
            33,
            "topologySpreadConstraints",
            Nested(&TOPOLOGY_SPREAD_CONSTRAINT),
            Present,
        ),
        field(35, "setHostnameAsFQDN", Bool, Present),
        field(36, "os", Nested(&POD_OS), Present),
        field(37, "hostUsers", Bool, Present),
        field(38, "schedulingGates", Nested(&POD_SCHEDULING_GATE), Present),
        field(39, "resourceClaims", Nested(&POD_RESOURCE_CLAIM), Repeated),
        field(40, "resources", Nested(&RESOURCE_REQUIREMENTS), Present),
        field(41, "hostnameOverride", Text, Present),
        field(43, "schedulingGroup", Opaque("PodSchedulingGroup"), Present),
        field(
            44,
            "evictionResponders",
            Opaque("EvictionResponder"),
            Repeated,
        ),
    ],
);

/// `ServicePort`.
pub static SERVICE_PORT: Message = message(
    "ServicePort",
    &[
        field(1, "name", Text, Omitted),
        field(2, "protocol", Text, Omitted),
        field(6, "appProtocol", Text, Present),
        field(3, "port", Int32, Kept),
        field(4, "targetPort", IntOrString, Omitted),
        field(5, "nodePort", Int32, Omitted),
    ],
);

/// `SessionAffinityConfig`.
pub static SESSION_AFFINITY_CONFIG: Message = message(
    "SessionAffinityConfig",
    &[field(1, "clientIP", Nested(&CLIENT_IP_CONFIG), Present)],
);

/// `Container`.
pub static CONTAINER: Message = message(
    "Container",
    &[
        field(1, "name", Text, Kept),
        field(2, "image", Text, Omitted),
        field(3, "command", Text, Repeated),
        field(4, "args", Text, Repeated),
        field(5, "workingDir", Text, Omitted),
        field(6, "ports", Nested(&CONTAINER_PORT), Repeated),
        field(19, "envFrom", Nested(&ENV_FROM_SOURCE), Repeated),
        field(7, "env", Nested(&ENV_VAR), Repeated),
        field(8, "resources", Nested(&RESOURCE_REQUIREMENTS), Present),
        field(
            23,
            "resizePolicy",
            Nested(&CONTAINER_RESIZE_POLICY),
            Repeated,
        ),
        field(24, "restartPolicy", Text, Present),
        field(
            25,
            "restartPolicyRules",
            Nested(&CONTAINER_RESTART_RULE),
            Repeated,
        ),
        field(9, "volumeMounts", Nested(&VOLUME_MOUNT), Repeated),
        field(21, "volumeDevices", Nested(&VOLUME_DEVICE), Repeated),
        field(10, "livenessProbe", Opaque("Probe"), Present),
        field(11, "readinessProbe", Opaque("Probe"), Present),
        field(22, "startupProbe", Opaque("Probe"), Present),
        field(12, "lifecycle", Opaque("Lifecycle"), Present),
        field(13, "terminationMessagePath", Text, Omitted),
        field(20, "terminationMessagePolicy", Text, Omitted),
        field(14, "imagePullPolicy", Text, Omitted),
        field(15, "securityContext", Opaque("SecurityContext"), Present),
        field(16, "stdin", Bool, Omitted),
        field(17, "stdinOnce", Bool, Omitted),
        field(18, "tty", Bool, Omitted),
    ],
);

/// `Toleration`.
pub static TOLERATION: Message = message(
    "Toleration",
    &[
        field(1, "key", Text, Omitted),
        field(2, "operator", Text, Omitted),
        field(3, "value", Text, Omitted),
        field(4, "effect", Text, Omitted),
        field(5, "tolerationSeconds", Int64, Present),
    ],
);

/// `HostAlias`.
pub static HOST_ALIAS: Message = message(
    "HostAlias",
    &[
        field(1, "ip", Text, Kept),
        field(2, "hostnames", Text, Repeated),
    ],
);

/// `PodDNSConfig`.
pub static POD_DNS_CONFIG: Message = message(
    "PodDNSConfig",
    &[
        field(1, "nameservers", Text, Repeated),
        field(2, "searches", Text, Repeated),
        field(3, "options", Nested(&POD_DNS_CONFIG_OPTION), Repeated),
    ],
);

/// `PodReadinessGate`.
pub static POD_READINESS_GATE: Message =
    message("PodReadinessGate", &[field(1, "conditionType", Text, Kept)]);

/// `TopologySpreadConstraint`.
pub static TOPOLOGY_SPREAD_CONSTRAINT: Message = message(
    "TopologySpreadConstraint",
    &[
        field(1, "maxSkew", Int32, Kept),
        field(2, "topologyKey", Text, Kept),
        field(3, "whenUnsatisfiable", Text, Kept),
        field(
            4,
            "labelSelector",
            Nested(&meta_v1::LABEL_SELECTOR),
            Present,
        ),
        field(5, "minDomains", Int32, Present),
        field(6, "nodeAffinityPolicy", Text, Present),
        field(7, "nodeTaintsPolicy", Text, Present),
        field(8, "matchLabelKeys", Text, Omitted),
    ],
);

/// `PodOS`.
pub static POD_OS: Message = message("PodOS", &[field(1, "name", Text, Kept)]);

/// `PodSchedulingGate`.
pub static POD_SCHEDULING_GATE: Message =
    message("PodSchedulingGate", &[field(1, "name", Text, Kept)]);

/// `PodResourceClaim`.
pub static POD_RESOURCE_CLAIM: Message = message(
    "PodResourceClaim",
    &[
        field(1, "name", Text, Kept),
        field(3, "resourceClaimName", Text, Present),
        field(4, "resourceClaimTemplateName", Text, Present),
    ],
);

/// `ResourceRequirements`.
pub static RESOURCE_REQUIREMENTS: Message = message(
    "ResourceRequirements",
    &[
        field(1, "limits", QuantityMap, Repeated),
        field(2, "requests", QuantityMap, Repeated),
        field(3, "claims", Nested(&RESOURCE_CLAIM), Present),
    ],
);

/// `PodTemplateSpec`.
pub static POD_TEMPLATE_SPEC: Message = message(
    "PodTemplateSpec",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&POD_SPEC), Present),
    ],
);

/// `ClientIPConfig`.
pub static CLIENT_IP_CONFIG: Message = message(
    "ClientIPConfig",
    &[field(1, "timeoutSeconds", Int32, Present)],
);

/// `ContainerPort`.
pub static CONTAINER_PORT: Message = message(
    "ContainerPort",
    &[
        field(1, "name", Text, Omitted),
        field(2, "hostPort", Int32, Omitted),
        field(3, "containerPort", Int32, Kept),
        field(4, "protocol", Text, Omitted),
        field(5, "hostIP", Text, Omitted),
    ],
);

/// `EnvFromSource`.
pub static ENV_FROM_SOURCE: Message = message(
    "EnvFromSource",
    &[
        field(1, "prefix", Text, Omitted),
        field(2, "configMapRef", Nested(&CONFIG_MAP_ENV_SOURCE), Present),
        field(3, "secretRef", Nested(&SECRET_ENV_SOURCE), Present),
    ],
);

/// `EnvVar`.
pub static ENV_VAR: Message = message(
    "EnvVar",
    &[
        field(1, "name", Text, Kept),
        field(2, "value", Text, Omitted),
        field(3, "valueFrom", Nested(&ENV_VAR_SOURCE), Present),
    ],
);

/// `ContainerResizePolicy`.
pub static CONTAINER_RESIZE_POLICY: Message = message(
    "ContainerResizePolicy",
    &[
        field(1, "resourceName", Text, Kept),
        field(2, "restartPolicy", Text, Kept),
    ],
);

/// `ContainerRestartRule`.
pub static CONTAINER_RESTART_RULE: Message = message(
    "ContainerRestartRule",
    &[
        field(1, "action", Text, Omitted),
        field(
            2,
            "exitCodes",
            Nested(&CONTAINER_RESTART_RULE_ON_EXIT_CODES),
            Present,
        ),
    ],
);

/// `VolumeMount`.
pub static VOLUME_MOUNT: Message = message(
    "VolumeMount",
    &[
        field(1, "name", Text, Kept),
        field(2, "readOnly", Bool, Omitted),
        field(7, "recursiveReadOnly", Text, Present),
        field(3, "mountPath", Text, Kept),
        field(4, "subPath", Text, Omitted),
        field(5, "mountPropagation", Text, Present),
        field(6, "subPathExpr", Text, Omitted),
        field(8, "bindMountOptions", Text, Repeated),
    ],
);

/// `VolumeDevice`.
pub static VOLUME_DEVICE: Message = message(
    "VolumeDevice",
    &[
        field(1, "name", Text, Kept),
        field(2, "devicePath", Text, Kept),
    ],
);

/// `PodDNSConfigOption`.
pub static POD_DNS_CONFIG_OPTION: Message = message(
    "PodDNSConfigOption",
    &[
        field(1, "name", Text, Omitted),
        field(2, "value", Text, Present),
    ],
);

/// `ResourceClaim`.
pub static RESOURCE_CLAIM: Message = message(
    "ResourceClaim",
    &[
        field(1, "name", Text, Kept),
        field(2, "request", Text, Omitted),
    ],
);

/// `TypedLocalObjectReference`.
pub static TYPED_LOCAL_OBJECT_REFERENCE: Message = message(
    "TypedLocalObjectReference",
    &[
        field(1, "apiGroup", Text, Present),
        field(2, "kind", Text, Kept),
        field(3, "name", Text, Kept),
    ],
);

/// `ConfigMapEnvSource`.
pub static CONFIG_MAP_ENV_SOURCE: Message = message(
    "ConfigMapEnvSource",
    &[
        field(
            1,
            "LocalObjectReference",
            Inline(&LOCAL_OBJECT_REFERENCE),
            Present,
        ),
        field(2, "optional", Bool, Present),
    ],
);

/// `SecretEnvSource`.
pub static SECRET_ENV_SOURCE: Message = message(
    "SecretEnvSource",
    &[
        field(
            1,
            "LocalObjectReference",
            Inline(&LOCAL_OBJECT_REFERENCE),
            Present,
        ),
        field(2, "optional", Bool, Present),
    ],
);

/// `EnvVarSource`.
pub static ENV_VAR_SOURCE: Message = message(
    "EnvVarSource",
    &[
        field(1, "fieldRef", Nested(&OBJECT_FIELD_SELECTOR), Present),
        field(
            2,
            "resourceFieldRef",
            Nested(&RESOURCE_FIELD_SELECTOR),
            Present,
        ),
        field(
            3,
            "configMapKeyRef",
            Nested(&CONFIG_MAP_KEY_SELECTOR),
            Present,
        ),
        field(4, "secretKeyRef", Nested(&SECRET_KEY_SELECTOR), Present),
        field(5, "fileKeyRef", Nested(&FILE_KEY_SELECTOR), Present),
    ],
);

/// `ContainerRestartRuleOnExitCodes`.
pub static CONTAINER_RESTART_RULE_ON_EXIT_CODES: Message = message(
    "ContainerRestartRuleOnExitCodes",
    &[
        field(1, "operator", Text, Omitted),
        field(2, "values", Int32, Repeated),
    ],
);

/// `ObjectFieldSelector`.
pub static OBJECT_FIELD_SELECTOR: Message = message(
    "ObjectFieldSelector",
    &[
        field(1, "apiVersion", Text, Omitted),
        field(2, "fieldPath", Text, Kept),
    ],
);

/// `ResourceFieldSelector`.
pub static RESOURCE_FIELD_SELECTOR: Message = message(
    "ResourceFieldSelector",
    &[
        field(1, "containerName", Text, Omitted),
        field(2, "resource", Text, Kept),
        field(3, "divisor", Quantity, Omitted),
    ],
);

/// `ConfigMapKeySelector`.
pub static CONFIG_MAP_KEY_SELECTOR: Message = message(
    "ConfigMapKeySelector",
    &[
        field(
            1,
            "LocalObjectReference",
            Inline(&LOCAL_OBJECT_REFERENCE),
            Present,
        ),
        field(2, "key", Text, Kept),
        field(3, "optional", Bool, Present),
    ],
);

/// `SecretKeySelector`.
pub static SECRET_KEY_SELECTOR: Message = message(
    "SecretKeySelector",
    &[
        field(
            1,
            "LocalObjectReference",
            Inline(&LOCAL_OBJECT_REFERENCE),
            Present,
        ),
        field(2, "key", Text, Kept),
        field(3, "optional", Bool, Present),
    ],
);

/// `FileKeySelector`.
pub static FILE_KEY_SELECTOR: Message = message(
    "FileKeySelector",
    &[
        field(1, "volumeName", Text, Kept),
        field(2, "path", Text, Kept),
        field(3, "key", Text, Kept),
        field(4, "optional", Bool, Present),
    ],
);
