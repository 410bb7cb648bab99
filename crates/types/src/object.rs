//! Rendered objects, their origin in the source, and their identity.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a rendered object was declared: file, document index in that file, first line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Origin {
    /// Path of the file relative to the source root, `/`-separated.
    pub file: String,
    /// Zero-based index of the YAML document within the file.
    pub document: usize,
    /// One-based line where the document starts.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One Kubernetes object as the source declares it, with its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The object, a JSON map with `apiVersion`, `kind` and `metadata`.
    pub object: Value,
    /// Where it was declared.
    pub origin: Origin,
}

impl Manifest {
    /// A manifest from an object and its origin.
    pub fn new(object: Value, origin: Origin) -> Self {
        Self { object, origin }
    }

    /// `apiVersion`, or the empty string.
    pub fn api_version(&self) -> &str {
        self.object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `kind`, or the empty string.
    pub fn kind(&self) -> &str {
        self.object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.name`, or the empty string.
    pub fn name(&self) -> &str {
        self.metadata_str("name").unwrap_or("")
    }

    /// `metadata.namespace`, if set and not empty.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata_str("namespace").filter(|ns| !ns.is_empty())
    }

    /// Group, version and kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The identity of this object: group, kind, namespace and name.
    pub fn key(&self) -> ObjectKey {
        ObjectKey {
            group: self.gvk().group,
            kind: self.kind().to_string(),
            namespace: self.namespace().unwrap_or("").to_string(),
            name: self.name().to_string(),
        }
    }

    fn metadata_str(&self, field: &str) -> Option<&str> {
        self.object.get("metadata")?.get(field)?.as_str()
    }
}

/// A group, version and kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Gvk {
    /// API group; empty for the core group.
    pub group: String,
    /// API version within the group.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Splits an `apiVersion` (`apps/v1`, `v1`) and pairs it with a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = match api_version.split_once('/') {
            Some((group, version)) => (group, version),
            None => ("", api_version),
        };
        Self {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// The `apiVersion` string: `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// The identity of an object in a cluster: group, kind, namespace and name. The version is
/// left out on purpose: one object is served under several versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct ObjectKey {
    /// API group; empty for the core group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace; empty for cluster-scoped objects (or not yet set).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.group.is_empty() {
            write!(f, "{}/", self.group)?;
        }
        write!(f, "{}/", self.kind)?;
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        write!(f, "{}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_manifest_knows_its_identity() {
        let manifest = Manifest::new(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}}),
            Origin {
                file: "a.yaml".into(),
                document: 0,
                line: 1,
            },
        );
        assert_eq!(manifest.key().to_string(), "apps/Deployment/prod/web");
        assert_eq!(manifest.gvk().api_version(), "apps/v1");
    }

    #[test]
    fn core_group_objects_print_without_a_group() {
        let manifest = Manifest::new(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
            Origin::default(),
        );
        assert_eq!(manifest.key().to_string(), "Namespace/prod");
        assert_eq!(manifest.gvk().group, "");
    }
}
