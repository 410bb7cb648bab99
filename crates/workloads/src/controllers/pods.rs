//! Pods made from a workload's pod template, the way the API server leaves them after
//! admission: the owner reference, the template's labels and annotations, the fault annotation
//! inherited from the workload, the default ServiceAccount and its token volume, default
//! tolerations, priority, and the node the simulated scheduler chose.

use serde_json::{Map, Value, json};

use crate::change::NameSource;
use crate::fault::FAULT_ANNOTATION;
use crate::object;

/// What differs between the pods of one template.
#[derive(Debug, Default)]
pub struct PodIdentity {
    /// The name (for `generateName`-style pods: prefix plus a random suffix).
    pub name: String,
    /// The `generateName` prefix, when the real controller uses one.
    pub generate_name: Option<String>,
    /// Labels added to the template's.
    pub labels: Vec<(String, String)>,
    /// The node the pod is placed on.
    pub node: Option<String>,
    /// `spec.hostname` and `spec.subdomain` (StatefulSet pods).
    pub hostname: Option<(String, String)>,
    /// Volumes placed before the template's (StatefulSet claims).
    pub volumes: Vec<Value>,
}

/// A `generateName`-style name: `<prefix><5 random characters>`.
pub fn generated_name(prefix: &str, names: &dyn NameSource) -> String {
    let prefix: String = prefix.chars().take(58).collect();
    format!("{prefix}{}", names.suffix())
}

/// The pod a controller creates from `template` for `owner`.
pub fn pod_from_template(
    owner: &Value,
    template: &Value,
    identity: PodIdentity,
    names: &dyn NameSource,
) -> Value {
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(identity.name));
    if let Some(prefix) = &identity.generate_name {
        metadata.insert("generateName".into(), json!(prefix));
    }
    metadata.insert("namespace".into(), json!(object::namespace(owner)));
    let mut labels = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, value) in identity.labels {
        labels.insert(key, json!(value));
    }
    if !labels.is_empty() {
        metadata.insert("labels".into(), Value::Object(labels));
    }
    let mut annotations = template
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(fault) = object::annotation(owner, FAULT_ANNOTATION)
        && !annotations.contains_key(FAULT_ANNOTATION)
    {
        annotations.insert(FAULT_ANNOTATION.into(), json!(fault));
    }
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), Value::Object(annotations));
    }
    metadata.insert(
        "ownerReferences".into(),
        json!([object::owner_reference(owner)]),
    );
    let mut spec = template
        .get("spec")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    admit(&mut spec, identity.volumes, names);
    if let Some((hostname, subdomain)) = identity.hostname {
        spec.insert("hostname".into(), json!(hostname));
        if !subdomain.is_empty() {
            spec.insert("subdomain".into(), json!(subdomain));
        }
    }
    if let Some(node) = identity.node {
        spec.insert("nodeName".into(), json!(node));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": spec,
    })
}

/// What the ServiceAccount, DefaultTolerationSeconds and Priority admission plugins add.
fn admit(spec: &mut Map<String, Value>, leading_volumes: Vec<Value>, names: &dyn NameSource) {
    let account = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    spec.insert("serviceAccountName".into(), json!(account));
    spec.insert("serviceAccount".into(), json!(account));
    let mut volumes = leading_volumes;
    volumes.extend(
        spec.get("volumes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    );
    if spec.get("automountServiceAccountToken") != Some(&Value::Bool(false)) {
        let volume_name = format!("kube-api-access-{}", names.suffix());
        volumes.push(token_volume(&volume_name));
        for field in ["initContainers", "containers"] {
            if let Some(containers) = spec.get_mut(field).and_then(Value::as_array_mut) {
                for container in containers.iter_mut() {
                    let mounts = object::ensure_map(container)
                        .entry("volumeMounts")
                        .or_insert_with(|| json!([]));
                    if let Some(mounts) = mounts.as_array_mut() {
                        mounts.push(json!({
                            "name": volume_name,
                            "readOnly": true,
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        }));
                    }
                }
            }
        }
    }
    if !volumes.is_empty() {
        spec.insert("volumes".into(), Value::Array(volumes));
    }
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    if let Some(tolerations) = tolerations.as_array_mut() {
        for key in [
            "node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable",
        ] {
            if !tolerations
                .iter()
                .any(|toleration| toleration["key"] == key)
            {
                tolerations.push(json!({
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }));
            }
        }
    }
    spec.entry("priority").or_insert(json!(0));
    spec.entry("enableServiceLinks").or_insert(json!(true));
    spec.entry("preemptionPolicy")
        .or_insert(json!("PreemptLowerPriority"));
}

fn token_volume(name: &str) -> Value {
    json!({
        "name": name,
        "projected": {
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ],
            "defaultMode": 420
        }
    })
}

/// True while a pod counts towards its controller: not finished and not being deleted.
pub fn is_active(pod: &Value) -> bool {
    !object::is_deleting(pod)
        && !matches!(
            object::text(pod, "/status/phase"),
            Some("Succeeded" | "Failed")
        )
}

/// True when the pod's Ready condition is True.
pub fn is_ready(pod: &Value) -> bool {
    object::condition_is_true(pod, "Ready")
}

/// True when the pod has been ready for at least `min_ready_seconds` at `now`.
pub fn is_available(pod: &Value, min_ready_seconds: i64, now: std::time::SystemTime) -> bool {
    if !is_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    let since = object::condition(pod, "Ready")
        .and_then(|condition| condition.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(object::parse_timestamp);
    since.is_some_and(|since| {
        since + std::time::Duration::from_secs(min_ready_seconds.unsigned_abs()) <= now
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;

    #[test]
    fn a_pod_from_a_template_carries_owner_labels_fault_and_admission_defaults() {
        let owner = json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-5d9f", "namespace": "team", "uid": "rs-uid",
                         "annotations": {"cluster.ferry.dev/fault": "crashloop"}}
        });
        let template = json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "web:1"}]}
        });
        let names = CountingNames::default();
        let pod = pod_from_template(
            &owner,
            &template,
            PodIdentity {
                name: generated_name("web-5d9f-", &names),
                generate_name: Some("web-5d9f-".into()),
                labels: vec![("pod-template-hash".into(), "5d9f".into())],
                node: Some("ferry-node-2".into()),
                ..PodIdentity::default()
            },
            &names,
        );
        assert_eq!(pod["metadata"]["name"], "web-5d9f-bbbbb");
        assert_eq!(pod["metadata"]["namespace"], "team");
        assert_eq!(pod["metadata"]["labels"]["pod-template-hash"], "5d9f");
        assert_eq!(
            pod["metadata"]["annotations"]["cluster.ferry.dev/fault"],
            "crashloop"
        );
        assert_eq!(pod["metadata"]["ownerReferences"][0]["uid"], "rs-uid");
        assert_eq!(pod["spec"]["nodeName"], "ferry-node-2");
        assert_eq!(pod["spec"]["serviceAccountName"], "default");
        assert_eq!(pod["spec"]["volumes"][0]["name"], "kube-api-access-bbbbc");
        assert_eq!(
            pod["spec"]["containers"][0]["volumeMounts"][0]["mountPath"],
            "/var/run/secrets/kubernetes.io/serviceaccount"
        );
        assert_eq!(pod["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
    }
}
