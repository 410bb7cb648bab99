//! Checks every rendered object before anything may be applied: identity fields present,
//! names valid for their kind, scope right for the built-in kinds, no duplicates.

use std::collections::{BTreeMap, HashMap};

use ferry_types::{Manifest, ObjectKey};
use serde_json::Value;

use crate::Problem;

/// Built-in kinds that are cluster-scoped, by group and kind.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
];

/// Built-in kinds that are namespaced, by group and kind.
const NAMESPACED: &[(&str, &str)] = &[
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("", "Pod"),
    ("", "Endpoints"),
    ("", "Event"),
    ("", "PersistentVolumeClaim"),
    ("", "ReplicationController"),
    ("", "LimitRange"),
    ("", "ResourceQuota"),
    ("", "PodTemplate"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("apps", "ControllerRevision"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("policy", "PodDisruptionBudget"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("coordination.k8s.io", "Lease"),
    ("events.k8s.io", "Event"),
    ("discovery.k8s.io", "EndpointSlice"),
];

/// Whether kinds are namespaced: the built-in table plus the CRDs a render declares.
#[derive(Debug, Clone, Default)]
pub struct ScopeTable {
    namespaced: HashMap<(String, String), bool>,
}

impl ScopeTable {
    /// The built-in kinds, plus every CustomResourceDefinition among `manifests`.
    pub fn with_definitions(manifests: &[Manifest]) -> Self {
        let mut namespaced = HashMap::new();
        for (group, kind) in CLUSTER_SCOPED {
            namespaced.insert((group.to_string(), kind.to_string()), false);
        }
        for (group, kind) in NAMESPACED {
            namespaced.insert((group.to_string(), kind.to_string()), true);
        }
        for manifest in manifests
            .iter()
            .filter(|m| m.kind() == "CustomResourceDefinition")
        {
            let spec = &manifest.object["spec"];
            if let (Some(group), Some(kind)) =
                (spec["group"].as_str(), spec["names"]["kind"].as_str())
            {
                let is_namespaced = spec["scope"].as_str() != Some("Cluster");
                namespaced.insert((group.to_string(), kind.to_string()), is_namespaced);
            }
        }
        Self { namespaced }
    }

    /// `Some(true)` for namespaced kinds, `Some(false)` for cluster-scoped, `None` if unknown.
    pub fn is_namespaced(&self, group: &str, kind: &str) -> Option<bool> {
        self.namespaced
            .get(&(group.to_string(), kind.to_string()))
            .copied()
    }
}

/// How a kind's names are checked, as the API server checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRule {
    /// DNS-1123 subdomain: most kinds.
    Subdomain,
    /// DNS-1123 label: Namespaces and Services.
    Label,
    /// Path segment: RBAC kinds (`system:controller:x` is valid).
    PathSegment,
}

fn name_rule(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace" | "Service") => NameRule::Label,
        ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
        _ => NameRule::Subdomain,
    }
}

fn is_dns_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

fn is_dns_subdomain(text: &str) -> bool {
    text.len() <= 253
        && text.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

fn name_problem(rule: NameRule, name: &str) -> Option<String> {
    let valid = match rule {
        NameRule::Label => is_dns_label(name),
        NameRule::Subdomain => is_dns_subdomain(name),
        NameRule::PathSegment => {
            !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '%'])
        }
    };
    if valid {
        return None;
    }
    Some(match rule {
        NameRule::Label => format!(
            "metadata.name {name:?} is not a valid DNS-1123 label (lower case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)"
        ),
        NameRule::Subdomain => format!(
            "metadata.name {name:?} is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', at most 253 characters, each part starting and ending with a letter or digit)"
        ),
        NameRule::PathSegment => {
            format!("metadata.name {name:?} may not be '.', '..' or contain '/' or '%'")
        }
    })
}

/// Checks every object and returns one problem per fault, in origin order. An empty list
/// means the set may be applied.
pub fn validate(manifests: &[Manifest]) -> Vec<Problem> {
    let scopes = ScopeTable::with_definitions(manifests);
    let mut problems = Vec::new();
    let mut seen: BTreeMap<ObjectKey, &Manifest> = BTreeMap::new();
    for manifest in manifests {
        let label = object_label(manifest);
        let mut report = |message: String| {
            problems.push(Problem {
                file: manifest.origin.file.clone(),
                line: manifest.origin.line,
                object: Some(label.clone()),
                message,
            });
        };
        check_identity(manifest, &scopes, &mut report);
        if !manifest.name().is_empty() && !manifest.kind().is_empty() {
            let key = manifest.key();
            if let Some(first) = seen.get(&key) {
                report(format!(
                    "duplicate object {key}: also declared at {}",
                    first.origin
                ));
            } else {
                seen.insert(key, manifest);
            }
        }
    }
    problems
}

fn object_label(manifest: &Manifest) -> String {
    let kind = if manifest.kind().is_empty() {
        "<no kind>"
    } else {
        manifest.kind()
    };
    let name = match manifest.name() {
        "" => manifest.object["metadata"]["generateName"]
            .as_str()
            .unwrap_or("<no name>"),
        name => name,
    };
    format!("{kind}/{name}")
}

fn check_identity(manifest: &Manifest, scopes: &ScopeTable, report: &mut impl FnMut(String)) {
    let object = &manifest.object;
    match object.get("apiVersion") {
        Some(Value::String(text)) if !text.is_empty() => {}
        Some(_) => report("apiVersion must be a non-empty string".to_string()),
        None => report("apiVersion is missing".to_string()),
    }
    match object.get("kind") {
        Some(Value::String(text)) if !text.is_empty() => {}
        Some(_) => report("kind must be a non-empty string".to_string()),
        None => report("kind is missing".to_string()),
    }
    let metadata = match object.get("metadata") {
        Some(Value::Object(metadata)) => metadata,
        Some(_) => return report("metadata must be a mapping".to_string()),
        None => return report("metadata is missing".to_string()),
    };
    let gvk = manifest.gvk();
    match (metadata.get("name"), metadata.get("generateName")) {
        (Some(Value::String(name)), _) if !name.is_empty() => {
            if let Some(message) = name_problem(name_rule(&gvk.group, &gvk.kind), name) {
                report(message);
            }
        }
        (None | Some(Value::Null), Some(Value::String(prefix))) if !prefix.is_empty() => {}
        (Some(Value::String(_)) | None | Some(Value::Null), _) => {
            report("metadata.name is missing".to_string())
        }
        (Some(_), _) => report("metadata.name must be a string".to_string()),
    }
    if let Some(namespace) = metadata.get("namespace") {
        match namespace {
            Value::String(text) if text.is_empty() || is_dns_label(text) => {}
            Value::String(text) => report(format!(
                "metadata.namespace {text:?} is not a valid DNS-1123 label"
            )),
            _ => report("metadata.namespace must be a string".to_string()),
        }
    }
    if scopes.is_namespaced(&gvk.group, &gvk.kind) == Some(false) && manifest.namespace().is_some()
    {
        report(format!(
            "{} is cluster-scoped but sets metadata.namespace {:?}",
            gvk.kind,
            manifest.namespace().unwrap_or_default()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    fn manifest(line: usize, object: Value) -> Manifest {
        Manifest::new(
            object,
            Origin {
                file: "app.yaml".into(),
                document: 0,
                line,
            },
        )
    }

    fn messages(manifests: &[Manifest]) -> Vec<String> {
        validate(manifests)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn valid_objects_have_no_problems() {
        let objects = [
            manifest(
                1,
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
            ),
            manifest(
                5,
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "system:reader"}}),
            ),
            manifest(
                9,
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "migrate-", "namespace": "prod"}}),
            ),
        ];
        assert!(messages(&objects).is_empty(), "{:?}", messages(&objects));
    }

    #[test]
    fn each_problem_is_one_line_naming_file_line_object_and_field() {
        let objects = [
            manifest(
                1,
                json!({"kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}),
            ),
            manifest(
                7,
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a.b"}}),
            ),
            manifest(
                12,
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "namespace": "y"}}),
            ),
            manifest(
                15,
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {}}),
            ),
        ];
        let found = messages(&objects);
        assert_eq!(found.len(), 5, "{found:#?}");
        assert_eq!(
            found[0],
            "app.yaml:1: ConfigMap/Bad_Name: apiVersion is missing"
        );
        assert!(found[1].starts_with("app.yaml:1: ConfigMap/Bad_Name: metadata.name \"Bad_Name\" is not a valid DNS-1123 subdomain"));
        assert!(found[2].starts_with(
            "app.yaml:7: Service/a.b: metadata.name \"a.b\" is not a valid DNS-1123 label"
        ));
        assert_eq!(
            found[3],
            "app.yaml:12: Namespace/x: Namespace is cluster-scoped but sets metadata.namespace \"y\""
        );
        assert_eq!(
            found[4],
            "app.yaml:15: Secret/<no name>: metadata.name is missing"
        );
    }

    #[test]
    fn duplicates_name_both_origins() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}});
        let found = messages(&[manifest(1, object.clone()), manifest(9, object)]);
        assert_eq!(
            found,
            [
                "app.yaml:9: ConfigMap/a: duplicate object ConfigMap/n/a: also declared at app.yaml:1"
            ]
        );
    }

    #[test]
    fn a_crd_in_the_same_render_sets_the_scope_of_its_kind() {
        let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"}}});
        let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "n"}});
        let found = messages(&[manifest(1, crd), manifest(9, widget)]);
        assert_eq!(
            found,
            ["app.yaml:9: Widget/w: Widget is cluster-scoped but sets metadata.namespace \"n\""]
        );
    }
}
