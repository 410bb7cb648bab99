//! One resource in flight through a build: the object, where it was declared, and the
//! bookkeeping kustomize keeps beside it (previous names, prefixes, generator settings).

use std::fmt;

use ferry_types::Origin;
use serde_json::{Map, Value};

/// Kinds that kustomize's built-in schema knows to be cluster-scoped, by `apiVersion`.
#[rustfmt::skip]
const CLUSTER_SCOPED: [(&str, &str); 36] = [
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// The namespace kustomize gives cluster-scoped objects when comparing identities.
pub(crate) const NOT_NAMESPACEABLE: &str = "_non_namespaceable_";

/// Group, version and kind, as kustomize selects by them (an empty selector field matches all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// A selector from its parts.
    pub fn new(group: &str, version: &str, kind: &str) -> Self {
        Self {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Whether this GVK matches `selector`, whose empty fields match anything.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// The `apiVersion` string.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether kustomize's built-in schema knows this kind to be cluster-scoped.
    pub fn is_cluster_scoped(&self) -> bool {
        let api_version = self.api_version();
        CLUSTER_SCOPED
            .iter()
            .any(|(version, kind)| *kind == self.kind && *version == api_version)
    }
}

/// Splits an `apiVersion` into group and version.
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// An object's identity as kustomize tracks it: GVK, name and namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// The namespace used to compare identities: `default` for none, a marker for cluster scope.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            NOT_NAMESPACEABLE
        } else if self.namespace.is_empty() || self.namespace == "default" {
            "default"
        } else {
            &self.namespace
        }
    }

    /// kustomize's `ResId.Equals`: same GVK and name, same effective namespace.
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    /// A key that is equal exactly when [`ResId::equals`] holds.
    pub fn key(&self) -> (Gvk, String, String) {
        (
            self.gvk.clone(),
            self.name.clone(),
            self.effective_namespace().to_string(),
        )
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |value: &str, empty: &'static str| {
            if value.is_empty() {
                empty.to_string()
            } else {
                value.to_string()
            }
        };
        write!(
            f,
            "{}.{}.{}/{}.{}",
            or(&self.gvk.kind, "[noKind]"),
            or(&self.gvk.version, "[noVer]"),
            or(&self.gvk.group, "[noGrp]"),
            or(&self.name, "[noName]"),
            or(&self.namespace, "[noNs]")
        )
    }
}

/// A name, namespace and kind the resource had before a transformation changed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreviousId {
    pub kind: String,
    pub name: String,
    /// The effective namespace at the time.
    pub namespace: String,
}

/// How a generated ConfigMap or Secret combines with one of the same name from a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Behavior {
    /// Not set: the same as `create`.
    #[default]
    Unspecified,
    /// A new object; an existing one of the same name is an error.
    Create,
    /// Replace the existing object's data, keeping its metadata.
    Replace,
    /// Merge data into the existing object.
    Merge,
}

impl Behavior {
    /// Parses `behavior`; unknown values read as unspecified, as in kustomize.
    pub fn parse(text: &str) -> Self {
        match text {
            "create" => Self::Create,
            "replace" => Self::Replace,
            "merge" => Self::Merge,
            _ => Self::Unspecified,
        }
    }

    /// The name kustomize prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Create => "create",
            Self::Replace => "replace",
            Self::Merge => "merge",
        }
    }
}

/// What a generator recorded about the object it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Generated {
    pub behavior: Behavior,
    pub needs_hash: bool,
}

/// One resource: the object plus kustomize's build bookkeeping, kept outside the object.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// The object; `Value::Null` once a patch deleted it.
    pub object: Value,
    /// Where it was declared (generated objects: the kustomization file).
    pub origin: Origin,
    /// Earlier identities, oldest first.
    pub previous: Vec<PreviousId>,
    /// Name prefixes added, innermost kustomization first.
    pub prefixes: Vec<String>,
    /// Name suffixes added, innermost kustomization first.
    pub suffixes: Vec<String>,
    /// Set for objects made by a generator.
    pub generated: Option<Generated>,
}

impl Resource {
    /// A resource read from a file.
    pub fn new(object: Value, origin: Origin) -> Self {
        Self {
            object,
            origin,
            previous: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            generated: None,
        }
    }

    /// Whether a patch deleted the object.
    pub fn is_deleted(&self) -> bool {
        match &self.object {
            Value::Null => true,
            Value::Object(map) => map.is_empty(),
            _ => false,
        }
    }

    /// `apiVersion`, or empty.
    pub fn api_version(&self) -> &str {
        self.object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `kind`, or empty.
    pub fn kind(&self) -> &str {
        self.object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.name`, or empty.
    pub fn name(&self) -> &str {
        self.metadata_str("name")
    }

    /// `metadata.namespace`, or empty.
    pub fn namespace(&self) -> &str {
        self.metadata_str("namespace")
    }

    fn metadata_str(&self, field: &str) -> &str {
        self.object
            .get("metadata")
            .and_then(|meta| meta.get(field))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The current GVK.
    pub fn gvk(&self) -> Gvk {
        let (group, version) = split_api_version(self.api_version());
        Gvk::new(group, version, self.kind())
    }

    /// The current identity.
    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// Earlier identities, oldest first, with the current group and version.
    pub fn prev_ids(&self) -> Vec<ResId> {
        let (group, version) = split_api_version(self.api_version());
        self.previous
            .iter()
            .map(|previous| ResId {
                gvk: Gvk::new(group, version, &previous.kind),
                name: previous.name.clone(),
                namespace: previous.namespace.clone(),
            })
            .collect()
    }

    /// The original identity: the oldest previous one, or the current one.
    pub fn org_id(&self) -> ResId {
        self.prev_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Every identity the resource has had, current last.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut ids = self.prev_ids();
        ids.push(self.cur_id());
        ids
    }

    /// Records the current identity as a previous one, before a name, namespace or kind change.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        let namespace = id.effective_namespace().to_string();
        self.previous.push(PreviousId {
            kind: id.gvk.kind,
            name: id.name,
            namespace,
        });
    }

    /// The `metadata` map, created when missing.
    pub fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let object = object_mut(&mut self.object);
        let metadata = object
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        object_mut(metadata)
    }

    /// Sets `metadata.name`.
    pub fn set_name(&mut self, name: &str) {
        self.metadata_mut()
            .insert("name".into(), Value::String(name.to_string()));
    }

    /// Sets `metadata.namespace`, removing it when empty.
    pub fn set_namespace(&mut self, namespace: &str) {
        if namespace.is_empty() {
            if let Some(Value::Object(metadata)) = self.object.get_mut("metadata") {
                metadata.remove("namespace");
            }
        } else {
            self.metadata_mut()
                .insert("namespace".into(), Value::String(namespace.to_string()));
        }
    }

    /// Sets `kind`.
    pub fn set_kind(&mut self, kind: &str) {
        object_mut(&mut self.object).insert("kind".into(), Value::String(kind.to_string()));
    }

    /// A string map under `metadata` (`labels`, `annotations`); non-string values are
    /// rendered as text, as kustomize reads them.
    pub fn metadata_map(&self, field: &str) -> Map<String, Value> {
        let mut result = Map::new();
        if let Some(Value::Object(map)) =
            self.object.get("metadata").and_then(|meta| meta.get(field))
        {
            for (key, value) in map {
                result.insert(key.clone(), Value::String(scalar_text(value)));
            }
        }
        result
    }

    /// Replaces a string map under `metadata`; an empty map removes the field.
    pub fn set_metadata_map(&mut self, field: &str, map: Map<String, Value>) {
        let metadata = self.metadata_mut();
        if map.is_empty() {
            metadata.remove(field);
        } else {
            metadata.insert(field.to_string(), Value::Object(map));
        }
    }

    /// The resource's own text for messages: `kind/name` and where it came from.
    pub fn describe(&self) -> String {
        let namespace = self.namespace();
        if namespace.is_empty() {
            format!("{} {:?} ({})", self.kind(), self.name(), self.origin)
        } else {
            format!(
                "{} {namespace}/{} ({})",
                self.kind(),
                self.name(),
                self.origin
            )
        }
    }
}

/// The text of a scalar as kustomize's YAML layer sees it.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The map inside an object value, turning a non-map into an empty map first.
pub(crate) fn object_mut(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(object: Value) -> Resource {
        Resource::new(object, Origin::default())
    }

    #[test]
    fn namespaced_objects_without_a_namespace_are_in_default() {
        let id =
            resource(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}))
                .cur_id();
        assert_eq!(id.effective_namespace(), "default");
        let other = ResId {
            namespace: "default".into(),
            ..id.clone()
        };
        assert!(id.equals(&other));
    }

    #[test]
    fn cluster_scoped_kinds_ignore_namespaces() {
        let id = resource(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "namespace": "x"}}))
            .cur_id();
        assert_eq!(id.effective_namespace(), NOT_NAMESPACEABLE);
    }

    #[test]
    fn previous_ids_keep_the_original_identity() {
        let mut resource =
            resource(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}));
        resource.store_previous_id();
        resource.set_name("p-a");
        resource.store_previous_id();
        resource.set_name("p-a-s");
        assert_eq!(resource.org_id().name, "a");
        assert_eq!(resource.all_ids().len(), 3);
        assert_eq!(
            resource.cur_id().to_string(),
            "ConfigMap.v1.[noGrp]/p-a-s.[noNs]"
        );
    }
}
