//! The resource registry: what the server serves (the built-in table plus the resources of
//! Established CRDs), looked up by group, version and resource.

mod builtin;
mod crd;

use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine as _;
use serde_json::Value;
use sha2::Digest as _;

use crate::store::TypeKey;
pub use builtin::{BUILTINS, Builtin};
pub use crd::resources_of_crd;

/// A subresource the server serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subresource {
    /// `/status`: the object, writing only its status.
    Status,
    /// `/scale`: an `autoscaling/v1` Scale view of the replica count.
    Scale,
}

impl Subresource {
    /// The path segment.
    pub fn name(self) -> &'static str {
        match self {
            Subresource::Status => "status",
            Subresource::Scale => "scale",
        }
    }
}

/// Everything the server knows about one served resource.
#[derive(Clone, Debug)]
pub struct ResourceInfo {
    /// API group (`""` for core).
    pub group: String,
    /// Served version.
    pub version: String,
    /// Plural resource name.
    pub resource: String,
    /// Singular name.
    pub singular: String,
    /// Kind.
    pub kind: String,
    /// Kind of its lists.
    pub list_kind: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs in discovery order.
    pub verbs: Vec<String>,
    /// Short names.
    pub short_names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Served subresources.
    pub subresources: Vec<Subresource>,
    /// True when `metadata.generation` is tracked.
    pub generation: bool,
    /// True for resources served from a CRD.
    pub custom: bool,
    /// The version objects are stored at (differs from `version` for other served CRD versions).
    pub storage_version: String,
    /// The CRD version's `openAPIV3Schema`, for custom resources.
    pub schema: Option<Value>,
    /// The CRD version's `subresources.scale` paths, for custom resources.
    pub scale: Option<Value>,
    /// The CRD version's `additionalPrinterColumns`, for custom resources.
    pub printer_columns: Option<Value>,
}

impl ResourceInfo {
    fn from_builtin(row: &Builtin) -> Self {
        ResourceInfo {
            group: row.group.to_string(),
            version: row.version.to_string(),
            resource: row.resource.to_string(),
            singular: row.singular.to_string(),
            kind: row.kind.to_string(),
            list_kind: format!("{}List", row.kind),
            namespaced: row.namespaced,
            verbs: row.verbs.iter().map(|verb| verb.to_string()).collect(),
            short_names: row
                .short_names
                .iter()
                .map(|name| name.to_string())
                .collect(),
            categories: row.categories.iter().map(|name| name.to_string()).collect(),
            subresources: row.subresources.to_vec(),
            generation: row.generation,
            custom: false,
            storage_version: row.version.to_string(),
            schema: None,
            scale: None,
            printer_columns: None,
        }
    }

    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        group_version(&self.group, &self.version)
    }

    /// The resource as Status messages name it: `configmaps`, `deployments.apps`.
    pub fn qualified_resource(&self) -> String {
        qualify(&self.resource, &self.group)
    }

    /// The kind as Status messages name it: `ConfigMap`, `Deployment.apps`.
    pub fn qualified_kind(&self) -> String {
        qualify(&self.kind, &self.group)
    }

    /// True when the main resource supports the verb.
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|candidate| candidate == verb)
    }

    /// The subresource with this path segment, when served.
    pub fn subresource(&self, name: &str) -> Option<Subresource> {
        self.subresources
            .iter()
            .copied()
            .find(|subresource| subresource.name() == name)
    }

    /// Where its objects are stored.
    pub fn type_key(&self) -> TypeKey {
        TypeKey::new(&self.group, &self.resource)
    }

    /// The discovery `storageVersionHash`: the first 8 bytes of SHA-256 of `group/version/Kind` of
    /// the storage version, base64.
    pub fn storage_version_hash(&self) -> String {
        if (self.group.as_str(), self.kind.as_str())
            == ("apiextensions.k8s.io", "CustomResourceDefinition")
        {
            // The apiextensions server hashes its own storage identity; this is the value it
            // advertises.
            return "jfWCUB31mvA=".to_string();
        }
        let digest = sha2::Sha256::digest(format!(
            "{}/{}/{}",
            self.group, self.storage_version, self.kind
        ));
        base64::engine::general_purpose::STANDARD.encode(&digest[..8])
    }
}

/// `v1` for the core group, `group/version` otherwise.
pub fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

fn qualify(name: &str, group: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{group}")
    }
}

/// The result of resolving a request path.
#[derive(Debug)]
pub enum Lookup {
    /// The resource is served.
    Found(Arc<ResourceInfo>),
    /// The group/version is served but not this resource.
    UnknownResource,
    /// The group is served but not this version.
    UnknownVersion,
    /// No such group.
    UnknownGroup,
}

/// One API group with its versions, preferred first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Group name (`""` for core).
    pub name: String,
    /// Served versions, preferred first.
    pub versions: Vec<String>,
}

/// The served resources.
#[derive(Debug)]
pub struct Registry {
    builtins: Vec<Arc<ResourceInfo>>,
    custom: RwLock<Vec<Arc<ResourceInfo>>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl Registry {
    /// A registry with the built-in resources only.
    pub fn new() -> Self {
        Registry {
            builtins: BUILTINS
                .iter()
                .map(|row| Arc::new(ResourceInfo::from_builtin(row)))
                .collect(),
            custom: RwLock::new(Vec::new()),
        }
    }

    /// Replaces the custom resources (after a CRD changed).
    pub fn set_custom(&self, resources: Vec<ResourceInfo>) {
        let mut resources: Vec<Arc<ResourceInfo>> = resources.into_iter().map(Arc::new).collect();
        resources.sort_by(|a, b| {
            (
                a.group.as_str(),
                version_rank(&a.version),
                a.resource.as_str(),
            )
                .cmp(&(
                    b.group.as_str(),
                    version_rank(&b.version),
                    b.resource.as_str(),
                ))
        });
        *self.custom.write().unwrap_or_else(PoisonError::into_inner) = resources;
    }

    /// Every served resource: built-ins first, then custom resources by group.
    pub fn all(&self) -> Vec<Arc<ResourceInfo>> {
        let custom = self.custom.read().unwrap_or_else(PoisonError::into_inner);
        self.builtins.iter().chain(custom.iter()).cloned().collect()
    }

    /// Resolves a group, version and resource.
    pub fn lookup(&self, group: &str, version: &str, resource: &str) -> Lookup {
        let all = self.all();
        if let Some(info) = all.iter().find(|info| {
            info.group == group && info.version == version && info.resource == resource
        }) {
            return Lookup::Found(info.clone());
        }
        if all
            .iter()
            .any(|info| info.group == group && info.version == version)
        {
            Lookup::UnknownResource
        } else if all.iter().any(|info| info.group == group) {
            Lookup::UnknownVersion
        } else {
            Lookup::UnknownGroup
        }
    }

    /// The resources of one group/version, sorted by name.
    pub fn resources(&self, group: &str, version: &str) -> Vec<Arc<ResourceInfo>> {
        let mut resources: Vec<Arc<ResourceInfo>> = self
            .all()
            .into_iter()
            .filter(|info| info.group == group && info.version == version)
            .collect();
        resources.sort_by(|a, b| a.resource.cmp(&b.resource));
        resources
    }

    /// The served groups in discovery order, each with its versions, preferred first.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for info in self.all() {
            match groups.iter_mut().find(|group| group.name == info.group) {
                Some(group) => {
                    if !group.versions.contains(&info.version) {
                        group.versions.push(info.version.clone());
                    }
                }
                None => groups.push(Group {
                    name: info.group.clone(),
                    versions: vec![info.version.clone()],
                }),
            }
        }
        for group in &mut groups {
            group.versions.sort_by_key(|version| version_rank(version));
        }
        groups
    }
}

/// Sort key of a Kubernetes version: GA before beta before alpha, higher numbers first, then
/// anything else alphabetically.
pub fn version_rank(version: &str) -> (u8, i64, i64, String) {
    let parsed = version.strip_prefix('v').and_then(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: i64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((0, major, 0));
        }
        for (level, prefix) in [(1u8, "beta"), (2u8, "alpha")] {
            if let Some(minor) = tail.strip_prefix(prefix) {
                return Some((level, major, minor.parse().ok()?));
            }
        }
        None
    });
    match parsed {
        Some((level, major, minor)) => (level, -major, -minor, String::new()),
        None => (3, 0, 0, version.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_like_kubernetes_orders_them() {
        let mut versions = vec!["v1alpha1", "foo", "v2", "v1beta2", "v1", "v1beta1"];
        versions.sort_by_key(|version| version_rank(version));
        assert_eq!(
            versions,
            vec!["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]
        );
    }

    #[test]
    fn storage_version_hashes_match_the_real_server() {
        let registry = Registry::new();
        let Lookup::Found(config_maps) = registry.lookup("", "v1", "configmaps") else {
            panic!("configmaps are served");
        };
        assert_eq!(config_maps.storage_version_hash(), "qFsyl6wFWjQ=");
        let Lookup::Found(deployments) = registry.lookup("apps", "v1", "deployments") else {
            panic!("deployments are served");
        };
        assert_eq!(deployments.storage_version_hash(), "8aSe+NMegvE=");
    }

    #[test]
    fn lookups_tell_an_unknown_group_from_an_unknown_version_and_resource() {
        let registry = Registry::new();
        assert!(matches!(
            registry.lookup("apps", "v1", "widgets"),
            Lookup::UnknownResource
        ));
        assert!(matches!(
            registry.lookup("apps", "v9", "deployments"),
            Lookup::UnknownVersion
        ));
        assert!(matches!(
            registry.lookup("nope.example", "v1", "things"),
            Lookup::UnknownGroup
        ));
    }
}
