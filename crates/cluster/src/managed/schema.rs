//! What a value at a path is, for field ownership: a struct with named fields or a map, an atomic
//! map, and a list that is atomic, a set, or keyed by some of its items' fields.
//!
//! Built-in kinds read the merge-key table of `ferry-patch` (`list_strategy`), plus the few rules
//! it does not hold: second key fields (`protocol` of ports), and the structs and maps that are
//! owned as a whole (label selectors, key references, `nodeSelector`). Custom resources read the
//! structural schema of their CRD; fields it does not describe are deduced from their values.

use std::sync::LazyLock;

use ferry_patch::ListStrategy;
use ferry_types::Gvk;
use serde_json::Value;

use crate::registry::ResourceInfo;

/// Deepest field path followed for built-in kinds; deeper values are deduced.
const DEPTH: usize = 24;

/// Fields of built-in kinds whose object value is owned as a whole (`+structType=atomic`,
/// `+mapType=atomic`).
const ATOMIC_OBJECTS: &[&str] = &[
    "selector",
    "podSelector",
    "namespaceSelector",
    "labelSelector",
    "nodeSelector",
    "configMapKeyRef",
    "secretKeyRef",
    "fieldRef",
    "resourceFieldRef",
    "roleRef",
    "claimRef",
    "dataSource",
    "dataSourceRef",
    "targetRef",
    "involvedObject",
    "regarding",
    "related",
    "requiredDuringSchedulingIgnoredDuringExecution",
];

/// The kind whose `metadata` rules stand for every object's `metadata`.
static OBJECT_META_KIND: LazyLock<Gvk> = LazyLock::new(|| Gvk::from_api_version("v1", "ConfigMap"));

/// An empty structural schema (custom resources without one).
static EMPTY_SCHEMA: LazyLock<Value> = LazyLock::new(|| serde_json::json!({"type": "object"}));

/// How a list is owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListType {
    /// As a whole.
    Atomic,
    /// Item by item, items being scalars (`v:` elements).
    Set,
    /// Item by item, items matched on these fields (`k:` elements).
    Map(Vec<String>),
}

/// The schema of one resource.
#[derive(Clone, Debug)]
pub struct Schema {
    kind: Gvk,
    custom: Option<Value>,
}

impl Schema {
    /// The schema of objects of `info`.
    pub fn for_resource(info: &ResourceInfo) -> Schema {
        Schema {
            kind: Gvk::from_api_version(&info.api_version(), &info.kind),
            custom: info
                .custom
                .then(|| info.schema.clone().unwrap_or_else(|| EMPTY_SCHEMA.clone())),
        }
    }

    /// The type of a whole object.
    pub fn root(&self) -> Type<'_> {
        match &self.custom {
            Some(schema) => Type::CustomRoot(schema),
            None => Type::Builtin(BuiltinPath {
                kind: &self.kind,
                names: [""; DEPTH],
                len: 0,
            }),
        }
    }
}

/// A field path of a built-in kind, list items stepped through.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinPath<'a> {
    kind: &'a Gvk,
    names: [&'a str; DEPTH],
    len: usize,
}

impl<'a> BuiltinPath<'a> {
    fn names(&self) -> &[&'a str] {
        &self.names[..self.len]
    }

    fn last(&self) -> Option<&'a str> {
        self.names().last().copied()
    }
}

/// The type of a value at some path.
// Copied on purpose: stepping into a field allocates nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug)]
pub enum Type<'a> {
    /// A value of a built-in kind.
    Builtin(BuiltinPath<'a>),
    /// The root of a custom resource (its `metadata` is typed like any object's).
    CustomRoot(&'a Value),
    /// A node of a CRD's structural schema.
    Custom(&'a Value),
    /// No schema: maps are owned key by key, lists as a whole.
    Deduced,
}

impl<'a> Type<'a> {
    /// The type of field `name` of a map or struct of this type, and whether it is a named field
    /// of a struct (rather than a key of a map).
    pub fn field(self, name: &'a str) -> (Type<'a>, bool) {
        match self {
            Type::Builtin(mut path) => {
                if path.len == DEPTH {
                    return (Type::Deduced, true);
                }
                path.names[path.len] = name;
                path.len += 1;
                (Type::Builtin(path), true)
            }
            Type::CustomRoot(schema) => match name {
                "metadata" => {
                    let mut names = [""; DEPTH];
                    names[0] = "metadata";
                    (
                        Type::Builtin(BuiltinPath {
                            kind: &OBJECT_META_KIND,
                            names,
                            len: 1,
                        }),
                        true,
                    )
                }
                "apiVersion" | "kind" => (Type::Deduced, true),
                _ => Type::Custom(schema).field(name),
            },
            Type::Custom(schema) => {
                if let Some(property) = schema.pointer("/properties").and_then(|p| p.get(name)) {
                    return (Type::Custom(property), true);
                }
                match schema.get("additionalProperties") {
                    Some(additional @ Value::Object(_)) => (Type::Custom(additional), false),
                    _ => (Type::Deduced, false),
                }
            }
            Type::Deduced => (Type::Deduced, false),
        }
    }

    /// The type of the items of a list of this type.
    pub fn element(self) -> Type<'a> {
        match self {
            Type::Builtin(_) => self,
            Type::Custom(schema) => match schema.get("items") {
                Some(items @ Value::Object(_)) => Type::Custom(items),
                _ => Type::Deduced,
            },
            Type::CustomRoot(_) | Type::Deduced => Type::Deduced,
        }
    }

    /// How a list of this type is owned.
    pub fn list_type(self) -> ListType {
        match self {
            Type::Builtin(path) => builtin_list_type(&path),
            Type::Custom(schema) => {
                match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
                    Some("set") => ListType::Set,
                    Some("map") => ListType::Map(
                        schema
                            .get("x-kubernetes-list-map-keys")
                            .and_then(Value::as_array)
                            .map(|keys| {
                                keys.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default(),
                    ),
                    _ => ListType::Atomic,
                }
            }
            Type::CustomRoot(_) | Type::Deduced => ListType::Atomic,
        }
    }

    /// True when an object of this type is owned as a whole.
    pub fn is_atomic_map(self) -> bool {
        match self {
            Type::Builtin(path) => path
                .last()
                .is_some_and(|name| ATOMIC_OBJECTS.contains(&name)),
            Type::Custom(schema) => {
                schema.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
            }
            Type::CustomRoot(_) | Type::Deduced => false,
        }
    }

    /// The value a missing key field of an item of a keyed list of this type stands for.
    pub fn key_default(self, key: &str) -> Option<Value> {
        match self {
            Type::Builtin(_) => (key == "protocol").then(|| Value::String("TCP".into())),
            Type::Custom(schema) => schema
                .pointer("/items/properties")
                .and_then(|properties| properties.get(key))
                .and_then(|property| property.get("default"))
                .cloned(),
            Type::CustomRoot(_) | Type::Deduced => None,
        }
    }
}

fn builtin_list_type(path: &BuiltinPath<'_>) -> ListType {
    let names = path.names();
    let keys = |keys: &[&str]| ListType::Map(keys.iter().map(|key| key.to_string()).collect());
    match names {
        [
            ..,
            "containers" | "initContainers" | "ephemeralContainers",
            "ports",
        ] => {
            return keys(&["containerPort", "protocol"]);
        }
        ["spec", "ports"]
            if (path.kind.group.as_str(), path.kind.kind.as_str()) == ("", "Service") =>
        {
            return keys(&["port", "protocol"]);
        }
        [.., "topologySpreadConstraints"] => return keys(&["topologyKey", "whenUnsatisfiable"]),
        ["status", "conditions"] if path.kind.group == "apiextensions.k8s.io" => {
            return keys(&["type"]);
        }
        _ => {}
    }
    match ferry_patch::list_strategy(path.kind, names) {
        ListStrategy::Merge { key } => keys(&[key]),
        ListStrategy::MergePrimitive => ListType::Set,
        ListStrategy::Replace => ListType::Atomic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Lookup, Registry};

    fn deployment() -> Schema {
        let Lookup::Found(info) = Registry::new().lookup("apps", "v1", "deployments") else {
            panic!("deployments are served");
        };
        Schema::for_resource(&info)
    }

    fn at<'a>(schema: &'a Schema, names: &[&'a str]) -> Type<'a> {
        names
            .iter()
            .fold(schema.root(), |ty, name| ty.field(name).0)
    }

    #[test]
    fn container_ports_are_keyed_by_port_and_protocol() {
        let schema = deployment();
        let ports = at(
            &schema,
            &["spec", "template", "spec", "containers", "ports"],
        );
        assert_eq!(
            ports.list_type(),
            ListType::Map(vec!["containerPort".into(), "protocol".into()])
        );
        assert_eq!(
            ports.key_default("protocol"),
            Some(Value::String("TCP".into()))
        );
        let containers = at(&schema, &["spec", "template", "spec", "containers"]);
        assert_eq!(containers.list_type(), ListType::Map(vec!["name".into()]));
        let args = at(&schema, &["spec", "template", "spec", "containers", "args"]);
        assert_eq!(args.list_type(), ListType::Atomic);
    }

    #[test]
    fn label_selectors_are_atomic_and_strategies_are_not() {
        let schema = deployment();
        assert!(at(&schema, &["spec", "selector"]).is_atomic_map());
        assert!(!at(&schema, &["spec", "strategy"]).is_atomic_map());
        assert_eq!(
            at(&schema, &["metadata", "finalizers"]).list_type(),
            ListType::Set
        );
    }

    #[test]
    fn custom_resources_follow_their_structural_schema() {
        let schema = Schema {
            kind: Gvk::from_api_version("example.com/v1", "Gadget"),
            custom: Some(serde_json::json!({
                "type": "object",
                "properties": {"spec": {"type": "object", "properties": {
                    "ports": {"type": "array", "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"], "items": {"type": "object"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                }}}
            })),
        };
        assert_eq!(
            at(&schema, &["spec", "ports"]).list_type(),
            ListType::Map(vec!["name".into()])
        );
        assert_eq!(at(&schema, &["spec", "tags"]).list_type(), ListType::Atomic);
        let (_, named) = at(&schema, &["spec", "extra"]).field("anything");
        assert!(!named);
        assert_eq!(
            at(&schema, &["metadata", "finalizers"]).list_type(),
            ListType::Set
        );
    }
}
