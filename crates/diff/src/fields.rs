//! Field ownership from `metadata.managedFields` (FieldsV1), and removing owned fields from
//! an object.
//!
//! FieldsV1 is a tree of keys: `f:<name>` a map field, `k:<json>` the list item whose key
//! fields have those values, `v:<json>` the set member with that value, `i:<n>` the list item
//! at that position, and `.` the node itself. A node written `{}` is owned whole (a scalar, or
//! an atomic map or list).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::path::is_empty_container;

/// A set of fields of one object, as server-side apply records ownership.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    root: Node,
}

/// One node of the tree: whether the node itself is in the set, and its children by raw
/// FieldsV1 key (`f:spec`, `k:{"name":"web"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Node {
    owned: bool,
    children: BTreeMap<String, Node>,
}

/// A FieldsV1 key, parsed.
enum Element {
    Field(String),
    Key(Map<String, Value>),
    Member(Value),
    Index(usize),
}

/// The fields of `object` owned by the field managers `manager_filter` accepts, after the
/// object's own `metadata.managedFields` (entries of any operation and subresource).
pub fn fields_owned_by(object: &Value, manager_filter: impl Fn(&str) -> bool) -> FieldSet {
    let mut set = FieldSet::default();
    let entries = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array);
    for entry in entries.into_iter().flatten() {
        let manager = entry.get("manager").and_then(Value::as_str).unwrap_or("");
        let fields_type = entry.get("fieldsType").and_then(Value::as_str);
        if !manager_filter(manager) || fields_type.is_some_and(|kind| kind != "FieldsV1") {
            continue;
        }
        if let Some(fields) = entry.get("fieldsV1") {
            set.root.union(&Node::parse(fields));
        }
    }
    set
}

impl FieldSet {
    /// A set from one FieldsV1 tree.
    pub fn from_fields_v1(fields: &Value) -> Self {
        Self {
            root: Node::parse(fields),
        }
    }

    /// Whether the set names no field.
    pub fn is_empty(&self) -> bool {
        self.root.children.is_empty()
    }

    /// The fields of this set that `other` does not own. A field stays whole only when
    /// `other` owns nothing at or below it; a list item or map that `other` owns part of
    /// keeps only this set's own parts of it.
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let root = self.root.difference(Some(&other.root)).unwrap_or_default();
        FieldSet { root }
    }

    /// The fields of this set that `manifest` does not set. A list item of the manifest
    /// matches a `k:` key when every key field the item writes has the key's value (the
    /// manifest may leave out defaulted key fields such as a port's `protocol`).
    pub fn not_set_in(&self, manifest: &Value) -> FieldSet {
        let root = self.root.not_set_in(manifest).unwrap_or_default();
        FieldSet { root }
    }

    /// Removes this set's fields from `object`: a field owned whole goes with its value, a
    /// list item owned itself goes whole, a map owned together with listed children loses
    /// only those children. Maps and lists emptied by the removal go too.
    pub fn remove_from(&self, object: &mut Value) {
        self.root.remove_children(object);
    }
}

impl Node {
    fn parse(fields: &Value) -> Self {
        let mut node = Node::default();
        let Some(map) = fields.as_object() else {
            return node;
        };
        for (key, child) in map {
            if key == "." {
                node.owned = true;
                continue;
            }
            let mut child = Node::parse(child);
            if child.children.is_empty() {
                child.owned = true;
            }
            node.children.insert(key.clone(), child);
        }
        node
    }

    fn union(&mut self, other: &Node) {
        self.owned |= other.owned;
        for (key, child) in &other.children {
            self.children.entry(key.clone()).or_default().union(child);
        }
    }

    fn is_leaf(&self) -> bool {
        self.owned && self.children.is_empty()
    }

    fn difference(&self, other: Option<&Node>) -> Option<Node> {
        let Some(other) = other else {
            return Some(self.clone());
        };
        if other.is_leaf() {
            return None;
        }
        let other_touches = other.owned || !other.children.is_empty();
        let mut node = Node {
            owned: self.owned && !other_touches,
            children: BTreeMap::new(),
        };
        for (key, child) in &self.children {
            if let Some(kept) = child.difference(other.children.get(key)) {
                node.children.insert(key.clone(), kept);
            }
        }
        node.non_empty()
    }

    fn not_set_in(&self, manifest: &Value) -> Option<Node> {
        let mut node = Node::default();
        for (key, child) in &self.children {
            let in_manifest = match Element::parse(key) {
                Some(Element::Field(name)) => manifest.get(&name),
                Some(Element::Key(fields)) => manifest
                    .as_array()
                    .and_then(|items| items.iter().find(|item| loosely_keyed(item, &fields))),
                Some(Element::Member(member)) => manifest
                    .as_array()
                    .and_then(|items| items.iter().find(|item| **item == member)),
                Some(Element::Index(index)) => manifest.get(index),
                None => None,
            };
            let kept = match in_manifest {
                None => Some(child.clone()),
                Some(value) => child.not_set_in(value),
            };
            if let Some(kept) = kept {
                node.children.insert(key.clone(), kept);
            }
        }
        node.non_empty()
    }

    fn non_empty(self) -> Option<Node> {
        (self.owned || !self.children.is_empty()).then_some(self)
    }

    /// Removes the children of this node from `value`; returns whether anything went.
    fn remove_children(&self, value: &mut Value) -> bool {
        match value {
            Value::Object(map) => {
                let mut removed = false;
                for (key, child) in &self.children {
                    let Some(Element::Field(name)) = Element::parse(key) else {
                        continue;
                    };
                    let Some(field) = map.get_mut(&name) else {
                        continue;
                    };
                    if child.is_leaf() {
                        map.shift_remove(&name);
                        removed = true;
                    } else if child.remove_children(field) {
                        removed = true;
                        if is_empty_container(field) {
                            map.shift_remove(&name);
                        }
                    }
                }
                removed
            }
            Value::Array(items) => {
                let mut doomed = Vec::new();
                let mut removed = false;
                for (key, child) in &self.children {
                    for index in matching_items(items, key) {
                        let item = &mut items[index];
                        if child.owned {
                            doomed.push(index);
                        } else if child.remove_children(item) {
                            removed = true;
                            if is_empty_container(item) {
                                doomed.push(index);
                            }
                        }
                    }
                }
                doomed.sort_unstable();
                doomed.dedup();
                for index in doomed.iter().rev() {
                    items.remove(*index);
                }
                removed || !doomed.is_empty()
            }
            _ => false,
        }
    }
}

impl Element {
    fn parse(key: &str) -> Option<Element> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "f" => Some(Element::Field(rest.to_string())),
            "k" => match serde_json::from_str(rest) {
                Ok(Value::Object(fields)) => Some(Element::Key(fields)),
                _ => None,
            },
            "v" => serde_json::from_str(rest).ok().map(Element::Member),
            "i" => rest.parse().ok().map(Element::Index),
            _ => None,
        }
    }
}

/// Positions of the list items a FieldsV1 key names.
fn matching_items(items: &[Value], key: &str) -> Vec<usize> {
    let positions = items.iter().enumerate();
    match Element::parse(key) {
        Some(Element::Key(fields)) => positions
            .filter(|(_, item)| keyed(item, &fields))
            .map(|(index, _)| index)
            .collect(),
        Some(Element::Member(member)) => positions
            .filter(|(_, item)| **item == member)
            .map(|(index, _)| index)
            .collect(),
        Some(Element::Index(index)) if index < items.len() => vec![index],
        _ => Vec::new(),
    }
}

/// Whether a list item has exactly the key's values.
fn keyed(item: &Value, fields: &Map<String, Value>) -> bool {
    fields
        .iter()
        .all(|(name, value)| item.get(name) == Some(value))
}

/// Whether a manifest's list item agrees with the key on every key field it writes, and
/// writes at least one.
fn loosely_keyed(item: &Value, fields: &Map<String, Value>) -> bool {
    let mut written = fields
        .iter()
        .filter_map(|(name, value)| item.get(name).map(|found| found == value))
        .peekable();
    written.peek().is_some() && written.all(|equal| equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "annotations": {"deployment.kubernetes.io/revision": "2", "team": "shop"},
                "managedFields": [
                    {"manager": "ferry", "operation": "Apply", "fieldsType": "FieldsV1", "fieldsV1": {
                        "f:metadata": {"f:annotations": {"f:team": {}}},
                        "f:spec": {"f:template": {"f:spec": {"f:containers": {
                            "k:{\"name\":\"web\"}": {".": {}, "f:name": {}, "f:image": {}}
                        }}}}
                    }},
                    {"manager": "kube-controller-manager", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {
                        "f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}}
                    }},
                    {"manager": "istio-injector", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {
                        "f:spec": {"f:template": {"f:spec": {"f:containers": {
                            "k:{\"name\":\"web\"}": {".": {}, "f:resources": {"f:limits": {"f:cpu": {}}}},
                            "k:{\"name\":\"istio-proxy\"}": {".": {}, "f:name": {}, "f:image": {}}
                        }}}}
                    }}
                ]
            },
            "spec": {"template": {"spec": {"containers": [
                {"name": "web", "image": "web:1", "resources": {"limits": {"cpu": "1"}}},
                {"name": "istio-proxy", "image": "proxy:1"}
            ]}}}
        })
    }

    #[test]
    fn an_owned_map_loses_only_the_listed_children() {
        let object = deployment();
        let set = fields_owned_by(&object, |manager| manager == "kube-controller-manager");
        let mut stripped = object.clone();
        set.remove_from(&mut stripped);
        assert_eq!(
            stripped["metadata"]["annotations"],
            json!({"team": "shop"}),
            "the map itself is not removed with its `.`"
        );
    }

    #[test]
    fn a_list_item_owned_itself_goes_whole() {
        let object = deployment();
        let set = fields_owned_by(&object, |manager| manager == "istio-injector");
        let mut stripped = object.clone();
        set.remove_from(&mut stripped);
        assert_eq!(
            stripped.get("spec"),
            None,
            "both containers are owned by the injector (`.`): they go, and the maps they emptied"
        );
    }

    #[test]
    fn the_difference_keeps_a_shared_item_and_removes_only_the_other_managers_parts() {
        let object = deployment();
        let others = fields_owned_by(&object, |manager| manager != "ferry");
        let ferry = fields_owned_by(&object, |manager| manager == "ferry");
        let mut stripped = object.clone();
        others.difference(&ferry).remove_from(&mut stripped);
        assert_eq!(
            stripped["spec"]["template"]["spec"]["containers"],
            json!([{"name": "web", "image": "web:1"}])
        );
        assert_eq!(stripped["metadata"]["annotations"], json!({"team": "shop"}));
    }

    #[test]
    fn fields_the_manifest_sets_are_not_removed() {
        let object = deployment();
        let manifest = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "2"}},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "resources": {"limits": {"cpu": "1"}}}]}}}});
        let others = fields_owned_by(&object, |manager| manager != "ferry").not_set_in(&manifest);
        let mut stripped = object.clone();
        others.remove_from(&mut stripped);
        assert_eq!(
            stripped["spec"]["template"]["spec"]["containers"],
            json!([{"name": "web", "image": "web:1", "resources": {"limits": {"cpu": "1"}}}])
        );
        assert_eq!(
            stripped["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
            "2"
        );
    }

    #[test]
    fn a_manifest_item_without_a_defaulted_key_field_still_matches() {
        let fields = json!({"f:spec": {"f:ports": {
            "k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}, "f:targetPort": {}}
        }}});
        let set = FieldSet::from_fields_v1(&fields);
        let manifest = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
        assert!(set.not_set_in(&manifest).is_empty());
        let other_port = json!({"spec": {"ports": [{"port": 81}]}});
        assert!(!set.not_set_in(&other_port).is_empty());
    }

    #[test]
    fn set_members_and_positions_are_removed() {
        let fields =
            json!({"f:finalizers": {"v:\"example.com/hold\"": {}}, "f:items": {"i:1": {}}});
        let mut object =
            json!({"finalizers": ["kubernetes", "example.com/hold"], "items": ["a", "b", "c"]});
        FieldSet::from_fields_v1(&fields).remove_from(&mut object);
        assert_eq!(
            object,
            json!({"finalizers": ["kubernetes"], "items": ["a", "c"]})
        );
    }

    #[test]
    fn an_atomic_field_owned_whole_goes_with_its_value() {
        let fields = json!({"f:spec": {"f:selector": {}, "f:replicas": {}}});
        let mut object = json!({"spec": {"selector": {"matchLabels": {"app": "web"}}, "replicas": 3, "paused": false}});
        FieldSet::from_fields_v1(&fields).remove_from(&mut object);
        assert_eq!(object, json!({"spec": {"paused": false}}));
    }
}
