//! Where an object lives: group, resource, namespace and name, and the durable key text.

/// The identity of a stored object. `group` is empty for the core group and `namespace` is empty
/// for cluster-scoped resources.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// API group (`""`, `apps`, `conformance.example.com`).
    pub group: String,
    /// Plural resource name (`configmaps`).
    pub resource: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Object name.
    pub name: String,
}

/// A kind of stored object, independent of namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeKey {
    /// API group.
    pub group: String,
    /// Plural resource name.
    pub resource: String,
}

impl TypeKey {
    /// Builds a type key.
    pub fn new(group: &str, resource: &str) -> Self {
        TypeKey {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

impl ObjectKey {
    /// Builds a key.
    pub fn new(group: &str, resource: &str, namespace: &str, name: &str) -> Self {
        ObjectKey {
            group: group.to_string(),
            resource: resource.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The kind of object this key names.
    pub fn type_key(&self) -> TypeKey {
        TypeKey::new(&self.group, &self.resource)
    }

    /// The key as stored on disk: `group/resource/namespace/name`. None of the parts can hold a `/`.
    pub fn encode(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.group, self.resource, self.namespace, self.name
        )
    }

    /// Reads a key written by [`ObjectKey::encode`].
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(4, '/');
        let key = ObjectKey::new(parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if key.resource.is_empty() || key.name.is_empty() || key.name.contains('/') {
            return None;
        }
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_text_form() {
        let key = ObjectKey::new("", "configmaps", "default", "app");
        assert_eq!(key.encode(), "/configmaps/default/app");
        assert_eq!(ObjectKey::decode(&key.encode()), Some(key));
        let cluster = ObjectKey::new("rbac.authorization.k8s.io", "clusterroles", "", "view");
        assert_eq!(ObjectKey::decode(&cluster.encode()), Some(cluster));
        assert_eq!(ObjectKey::decode("garbage"), None);
    }
}
