//! The table of built-in checks by API group and kind, and [`assess`], which walks it.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::{
    Health, apiservice, application, crd, cronjob, daemonset, deletion, deployment, generic, hpa,
    ingress, job, namespace, pdb, pod, pvc, replicaset, service, statefulset, workflow,
};

/// A kind's check: the object in, its health out, or why it cannot be read.
type Check = fn(&Value) -> Result<Health>;

/// One built-in check and the kind it applies to.
struct Entry {
    /// API group; empty for the core group.
    group: &'static str,
    /// Kind, as in the object's `kind`.
    kind: &'static str,
    /// The API versions the check reads; empty means any version.
    versions: &'static [&'static str],
    /// The check itself.
    check: Check,
}

const ANY_VERSION: &[&str] = &[];

/// Every built-in check. Kinds not listed here go to the generic conditions check.
const TABLE: &[Entry] = &[
    entry("apps", "Deployment", &["v1"], deployment::assess),
    entry("apps", "ReplicaSet", &["v1"], replicaset::assess),
    entry("apps", "StatefulSet", &["v1"], statefulset::assess),
    entry("apps", "DaemonSet", &["v1"], daemonset::assess),
    entry("batch", "Job", &["v1"], job::assess),
    entry("batch", "CronJob", &["v1", "v1beta1"], cronjob::assess),
    entry("", "Pod", &["v1"], pod::assess),
    entry("", "Service", &["v1"], service::assess),
    entry("", "PersistentVolumeClaim", &["v1"], pvc::assess),
    entry("", "Namespace", &["v1"], namespace::assess),
    entry("networking.k8s.io", "Ingress", ANY_VERSION, ingress::assess),
    entry("extensions", "Ingress", ANY_VERSION, ingress::assess),
    entry(
        "autoscaling",
        "HorizontalPodAutoscaler",
        &["v1", "v2", "v2beta2", "v2beta1"],
        hpa::assess,
    ),
    entry(
        "apiregistration.k8s.io",
        "APIService",
        &["v1", "v1beta1"],
        apiservice::assess,
    ),
    entry("argoproj.io", "Workflow", ANY_VERSION, workflow::assess),
    entry("ferry.dev", "Application", ANY_VERSION, application::assess),
    entry(
        "policy",
        "PodDisruptionBudget",
        &["v1", "v1beta1"],
        pdb::assess,
    ),
    entry(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        &["v1", "v1beta1"],
        crd::assess,
    ),
];

const fn entry(
    group: &'static str,
    kind: &'static str,
    versions: &'static [&'static str],
    check: Check,
) -> Entry {
    Entry {
        group,
        kind,
        versions,
        check,
    }
}

/// The health of one live object, or `None` when ferry has no check for its kind (not the
/// same as Unknown).
///
/// An object being deleted is Progressing whatever its kind, unless it is a hook held by
/// Argo CD's hook finalizer. A supported kind in a version its check does not read, or with a
/// field of the wrong type, is Unknown, and the message says why.
pub fn assess(object: &Value) -> Option<Health> {
    let api_version = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    if let Some(health) = deletion::assess(object) {
        return Some(health);
    }
    let (group, version) = match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    };
    let Some(entry) = TABLE
        .iter()
        .find(|entry| entry.group == group && entry.kind == kind)
    else {
        return generic::assess(object);
    };
    let result = if entry.versions.is_empty() || entry.versions.contains(&version) {
        (entry.check)(object)
    } else {
        Err(Error::UnsupportedVersion {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
        })
    };
    Some(result.unwrap_or_else(|error| Health::unknown(error.to_string())))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_kind_without_a_check_has_no_health() {
        let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {}});
        assert_eq!(assess(&config_map), None);
    }

    #[test]
    fn an_object_without_api_version_or_kind_has_no_health() {
        assert_eq!(assess(&json!({"kind": "Pod"})), None);
        assert_eq!(assess(&json!({"apiVersion": "v1"})), None);
        assert_eq!(assess(&json!("text")), None);
    }

    #[test]
    fn a_supported_kind_in_an_unsupported_version_is_unknown() {
        let deployment = json!({"apiVersion": "apps/v1beta2", "kind": "Deployment"});
        assert_eq!(
            assess(&deployment),
            Some(Health::unknown(
                "no health check for Deployment in apps/v1beta2"
            ))
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_unknown_with_the_field_named() {
        let deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "spec": {"replicas": "two"}, "status": {}
        });
        let health = assess(&deployment).unwrap();
        assert_eq!(health.status, Unknown);
        assert_eq!(health.message, "field spec.replicas should be an integer");
    }

    #[test]
    fn the_same_kind_in_another_group_is_not_dispatched_to_the_built_in_check() {
        let service = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service"});
        assert_eq!(assess(&service), None);
    }

    #[test]
    fn an_object_being_deleted_is_progressing_even_without_a_check_for_its_kind() {
        let service = json!({
            "apiVersion": "serving.knative.dev/v1", "kind": "Service",
            "metadata": {"name": "hello", "deletionTimestamp": "2024-05-01T10:00:00Z"}
        });
        assert_eq!(
            assess(&service),
            Some(Health::progressing("Pending deletion"))
        );
    }

    #[test]
    fn every_kind_in_the_table_is_listed_once() {
        for (index, entry) in TABLE.iter().enumerate() {
            let duplicate = TABLE[index + 1..]
                .iter()
                .any(|other| other.group == entry.group && other.kind == entry.kind);
            assert!(!duplicate, "{}/{} is listed twice", entry.group, entry.kind);
        }
    }
}
