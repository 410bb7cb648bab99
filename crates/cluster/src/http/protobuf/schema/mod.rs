//! Which message table decodes which kind. The tables were derived from the `protobuf:` and
//! `json:` struct tags of `k8s.io/api` and `k8s.io/apimachinery`; messages kubectl's typed
//! generators never fill (probes, volumes, security contexts, affinity, statuses) are
//! [`Kind::Opaque`](super::message::Kind::Opaque): accepted only when all their values are zero.

mod apps_v1;
mod batch_v1;
pub mod core_v1;
mod meta_v1;
mod networking_v1;
mod policy_v1;
mod rbac_v1;

use super::message::Message;

/// The kinds whose protobuf bodies are decoded, by `apiVersion` and `kind`.
pub static KINDS: &[(&str, &str, &Message)] = &[
    ("v1", "ConfigMap", &core_v1::CONFIG_MAP),
    ("v1", "Secret", &core_v1::SECRET),
    ("v1", "Namespace", &core_v1::NAMESPACE),
    ("v1", "ServiceAccount", &core_v1::SERVICE_ACCOUNT),
    ("v1", "Service", &core_v1::SERVICE),
    ("v1", "Pod", &core_v1::POD),
    ("apps/v1", "Deployment", &apps_v1::DEPLOYMENT),
    ("batch/v1", "Job", &batch_v1::JOB),
    ("batch/v1", "CronJob", &batch_v1::CRON_JOB),
    ("rbac.authorization.k8s.io/v1", "Role", &rbac_v1::ROLE),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        &rbac_v1::CLUSTER_ROLE,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        &rbac_v1::ROLE_BINDING,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        &rbac_v1::CLUSTER_ROLE_BINDING,
    ),
    (
        "policy/v1",
        "PodDisruptionBudget",
        &policy_v1::POD_DISRUPTION_BUDGET,
    ),
    ("networking.k8s.io/v1", "Ingress", &networking_v1::INGRESS),
];

/// The table of a top-level kind.
pub fn for_kind(api_version: &str, kind: &str) -> Option<&'static Message> {
    KINDS
        .iter()
        .find(|(version, name, _)| *version == api_version && *name == kind)
        .map(|(_, _, message)| *message)
}
