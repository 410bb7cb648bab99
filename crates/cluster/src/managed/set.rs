//! Sets of field paths (what one manager owns), their algebra, and the FieldsV1 JSON form.
//!
//! A set is a tree: at each level the elements that are members themselves (`f:image`) and the
//! elements under which deeper members live. An element can be both (`.: {}` in FieldsV1).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::path::{Path, PathElement};

/// A set of paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    members: BTreeSet<PathElement>,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    /// The empty set.
    pub fn new() -> FieldSet {
        FieldSet::default()
    }

    /// True when no path is in the set.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    /// Adds a path (the empty path is ignored).
    pub fn insert(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    /// True when exactly this path is a member.
    pub fn has(&self, path: &[PathElement]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self
                .children
                .get(first)
                .is_some_and(|child| child.has(rest)),
        }
    }

    /// True when `element` itself is a member at this level.
    pub fn has_member(&self, element: &PathElement) -> bool {
        self.members.contains(element)
    }

    /// The paths below `element`, relative to it.
    pub fn with_prefix(&self, element: &PathElement) -> Option<&FieldSet> {
        self.children.get(element)
    }

    /// Members at this level.
    pub fn members(&self) -> impl Iterator<Item = &PathElement> {
        self.members.iter()
    }

    /// Elements with deeper members, and the sets below them.
    pub fn children(&self) -> impl Iterator<Item = (&PathElement, &FieldSet)> {
        self.children.iter()
    }

    /// Marks `element` a member at this level.
    pub fn insert_member(&mut self, element: PathElement) {
        self.members.insert(element);
    }

    /// Puts `child` below `element` (nothing when it is empty).
    pub fn insert_child(&mut self, element: PathElement, child: FieldSet) {
        if !child.is_empty() {
            self.children.entry(element).or_default().union_with(&child);
        }
    }

    /// The union of both sets.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.union_with(other);
        out
    }

    /// Adds every path of `other`.
    pub fn union_with(&mut self, other: &FieldSet) {
        self.members.extend(other.members.iter().cloned());
        for (element, child) in &other.children {
            self.children
                .entry(element.clone())
                .or_default()
                .union_with(child);
        }
    }

    /// Paths of `self` that are not paths of `other` (a member removes only itself, not what is
    /// below it).
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let mut children = BTreeMap::new();
        for (element, child) in &self.children {
            match other.children.get(element) {
                Some(other_child) => {
                    let rest = child.difference(other_child);
                    if !rest.is_empty() {
                        children.insert(element.clone(), rest);
                    }
                }
                None => {
                    children.insert(element.clone(), child.clone());
                }
            }
        }
        FieldSet { members, children }
    }

    /// Paths of `self` that are neither paths of `other` nor below a member of `other`.
    pub fn recursive_difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let mut children = BTreeMap::new();
        for (element, child) in &self.children {
            if other.members.contains(element) {
                continue;
            }
            match other.children.get(element) {
                Some(other_child) => {
                    let rest = child.recursive_difference(other_child);
                    if !rest.is_empty() {
                        children.insert(element.clone(), rest);
                    }
                }
                None => {
                    children.insert(element.clone(), child.clone());
                }
            }
        }
        FieldSet { members, children }
    }

    /// Paths in both sets.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.intersection(&other.members).cloned().collect();
        let mut children = BTreeMap::new();
        for (element, child) in &self.children {
            if let Some(other_child) = other.children.get(element) {
                let both = child.intersection(other_child);
                if !both.is_empty() {
                    children.insert(element.clone(), both);
                }
            }
        }
        FieldSet { members, children }
    }

    /// Every path, members of a level before the levels below, each level in element order.
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        for member in &self.members {
            let mut path = prefix.clone();
            path.push(member.clone());
            out.push(path);
        }
        for (element, child) in &self.children {
            prefix.push(element.clone());
            child.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// The FieldsV1 form: `{"f:spec": {"f:replicas": {}}}`, with `".": {}` where an element
    /// with deeper members is a member too.
    pub fn to_fields_v1(&self) -> Value {
        let mut elements: BTreeSet<&PathElement> = self.members.iter().collect();
        elements.extend(self.children.keys());
        let mut map = Map::new();
        for element in elements {
            let entry = match self.children.get(element) {
                Some(child) => {
                    let mut inner = Map::new();
                    if self.members.contains(element) {
                        inner.insert(".".into(), Value::Object(Map::new()));
                    }
                    if let Value::Object(below) = child.to_fields_v1() {
                        inner.extend(below);
                    }
                    Value::Object(inner)
                }
                None => Value::Object(Map::new()),
            };
            map.insert(element.fields_v1_key(), entry);
        }
        Value::Object(map)
    }

    /// Reads the FieldsV1 form.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, String> {
        let Value::Object(map) = value else {
            return Err("FieldsV1 must be an object".to_string());
        };
        let mut set = FieldSet::new();
        for (key, inner) in map {
            if key == "." {
                continue;
            }
            let element = PathElement::from_fields_v1_key(key)
                .ok_or_else(|| format!("unreadable FieldsV1 key {key:?}"))?;
            let Value::Object(inner_map) = inner else {
                return Err(format!("FieldsV1 entry {key:?} must be an object"));
            };
            if inner_map.is_empty() || inner_map.contains_key(".") {
                set.members.insert(element.clone());
            }
            let child = FieldSet::from_fields_v1(inner)?;
            if !child.is_empty() {
                set.children.insert(element, child);
            }
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str) -> PathElement {
        PathElement::Field(name.to_string())
    }

    #[test]
    fn fields_v1_round_trips_with_dot_members() {
        let fields = json!({
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {"f:replicas": {}}
        });
        let set = FieldSet::from_fields_v1(&fields).expect("readable");
        assert!(set.has(&[field("metadata"), field("labels")]));
        assert!(set.has(&[field("metadata"), field("labels"), field("app")]));
        assert!(!set.has(&[field("metadata")]));
        assert_eq!(set.to_fields_v1(), fields);
    }

    #[test]
    fn recursive_difference_removes_whole_subtrees_and_difference_only_members() {
        let mut owned = FieldSet::new();
        owned.insert(&[field("spec"), field("replicas")]);
        owned.insert(&[field("status"), field("phase")]);
        let mut ignored = FieldSet::new();
        ignored.insert(&[field("status")]);
        let kept = owned.recursive_difference(&ignored);
        assert!(kept.has(&[field("spec"), field("replicas")]));
        assert!(!kept.has(&[field("status"), field("phase")]));
        assert_eq!(owned.difference(&ignored), owned);
    }

    #[test]
    fn paths_list_members_before_deeper_levels() {
        let mut set = FieldSet::new();
        set.insert(&[field("spec"), field("template"), field("image")]);
        set.insert(&[field("spec"), field("replicas")]);
        let texts: Vec<String> = set
            .paths()
            .iter()
            .map(|path| super::super::path::path_text(path))
            .collect();
        assert_eq!(texts, vec![".spec.replicas", ".spec.template.image"]);
    }
}
