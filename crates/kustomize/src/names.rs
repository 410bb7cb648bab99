//! Name changes and their echoes: `namePrefix`/`nameSuffix`, and the final pass that rewrites
//! every field naming an object whose name changed (kustomize's back-reference fix-up).

use std::collections::HashMap;

use serde_json::Value;

use crate::fieldspec::{self, CreateAs, FieldSpec};
use crate::refs::NAME_REFERENCES;
use crate::resmap::ResMap;
use crate::resource::{Gvk, NOT_NAMESPACEABLE, ResId, Resource, scalar_text};

/// Kinds whose names prefixes and suffixes leave alone.
fn keeps_its_name(id: &ResId) -> bool {
    let kind = id.gvk.kind.as_str();
    kind == "CustomResourceDefinition"
        || kind == "Namespace"
        || (kind == "APIService" && id.gvk.group == "apiregistration.k8s.io")
}

/// Which end of the name an affix goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Affix {
    /// `namePrefix`.
    Prefix,
    /// `nameSuffix`.
    Suffix,
}

/// Adds a prefix or suffix to every name, recording the old name for references.
pub(crate) fn add_affix(resources: &mut ResMap, affix: Affix, text: &str) {
    if text.is_empty() {
        return;
    }
    for resource in &mut resources.items {
        if keeps_its_name(&resource.org_id()) {
            continue;
        }
        match affix {
            Affix::Prefix => resource.prefixes.push(text.to_string()),
            Affix::Suffix => resource.suffixes.push(text.to_string()),
        }
        resource.store_previous_id();
        let name = match affix {
            Affix::Prefix => format!("{text}{}", resource.name()),
            Affix::Suffix => format!("{}{text}", resource.name()),
        };
        resource.set_name(&name);
    }
}

/// What the fix-up needs to know about a possible target of a reference.
struct Candidate {
    current: ResId,
    previous: Vec<ResId>,
    original_namespace: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Candidate {
    fn of(resource: &Resource) -> Self {
        let previous = resource.prev_ids();
        let original = previous
            .first()
            .cloned()
            .unwrap_or_else(|| resource.cur_id());
        Self {
            current: resource.cur_id(),
            original_namespace: original.effective_namespace().to_string(),
            previous,
            prefixes: resource.prefixes.clone(),
            suffixes: resource.suffixes.clone(),
        }
    }
}

/// The referrer's side of a reference lookup.
struct Referrer<'a> {
    current: ResId,
    prefixes: &'a [String],
    suffixes: &'a [String],
    /// Namespaces of ServiceAccount subjects, for a RoleBinding.
    subject_namespaces: Vec<String>,
}

/// Rewrites every field that names an object whose name or namespace changed during the
/// build, using kustomize's rules to pick the one object meant.
pub(crate) fn fix_references(resources: &mut ResMap) -> Result<(), String> {
    let candidates: Vec<Candidate> = resources.items.iter().map(Candidate::of).collect();
    let mut by_previous_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        for id in &candidate.previous {
            let entry = by_previous_name.entry(id.name.as_str()).or_default();
            if entry.last() != Some(&index) {
                entry.push(index);
            }
        }
    }
    let table: Vec<(Gvk, Vec<FieldSpec>)> = NAME_REFERENCES
        .iter()
        .map(|reference| {
            let (group, version, kind) = reference.target;
            (
                Gvk::new(group, version, kind),
                FieldSpec::table(reference.referrers),
            )
        })
        .collect();
    let lookup = Lookup {
        candidates: &candidates,
        by_previous_name: &by_previous_name,
    };
    for resource in &mut resources.items {
        let original = resource.org_id();
        let current = resource.cur_id();
        let subject_namespaces = subject_namespaces(resource)?;
        let prefixes = resource.prefixes.clone();
        let suffixes = resource.suffixes.clone();
        let referrer = Referrer {
            current,
            prefixes: &prefixes,
            suffixes: &suffixes,
            subject_namespaces,
        };
        let role_ref = role_ref_gvk(&resource.object);
        for (target, specs) in &table {
            for spec in specs
                .iter()
                .filter(|spec| original.gvk.is_selected_by(&spec.gvk))
            {
                let role_ref = if spec.path.ends_with("roleRef/name") {
                    role_ref.clone()
                } else {
                    None
                };
                let query = Query {
                    referrer: &referrer,
                    target,
                    role_ref: role_ref.as_ref(),
                };
                let any_kind = FieldSpec {
                    gvk: Gvk::default(),
                    path: spec.path.clone(),
                    create: false,
                };
                fieldspec::apply(
                    &mut resource.object,
                    &any_kind,
                    CreateAs::Nothing,
                    &mut |node: &mut Value| lookup.update(&query, node),
                )
                .map_err(|message| {
                    format!(
                        "updating name reference in {:?} of {}: {message}",
                        spec.path, referrer.current
                    )
                })?;
            }
        }
    }
    Ok(())
}

/// The namespaces of a RoleBinding's ServiceAccount subjects.
fn subject_namespaces(resource: &Resource) -> Result<Vec<String>, String> {
    if resource.kind() != "RoleBinding" {
        return Ok(Vec::new());
    }
    let Some(Value::Array(subjects)) = resource.object.get("subjects") else {
        return Ok(Vec::new());
    };
    let mut namespaces = Vec::new();
    for subject in subjects {
        if let (Some(namespace), Some(kind)) = (subject.get("namespace"), subject.get("kind"))
            && kind.as_str() == Some("ServiceAccount")
        {
            match namespace.as_str() {
                Some(namespace) => namespaces.push(namespace.to_string()),
                None => {
                    return Err(format!(
                        "namespace is blank for a subject of {}",
                        resource.cur_id()
                    ));
                }
            }
        }
    }
    Ok(namespaces)
}

/// The group and kind named in `roleRef`, when both are present.
fn role_ref_gvk(object: &Value) -> Option<Gvk> {
    let role_ref = object.get("roleRef")?;
    let group = role_ref.get("apiGroup")?;
    let kind = role_ref.get("kind")?;
    Some(Gvk::new(&scalar_text(group), "", &scalar_text(kind)))
}

/// One reference field being resolved.
struct Query<'a> {
    referrer: &'a Referrer<'a>,
    target: &'a Gvk,
    role_ref: Option<&'a Gvk>,
}

/// The possible targets of references, indexed by the names they had.
struct Lookup<'a> {
    candidates: &'a [Candidate],
    by_previous_name: &'a HashMap<&'a str, Vec<usize>>,
}

impl Lookup<'_> {
    /// Updates one reference: a name, a `{name, namespace}` map, or a list of either.
    fn update(&self, query: &Query<'_>, node: &mut Value) -> Result<(), String> {
        match node {
            Value::Null => Ok(()),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(_) => self.update_map(query, item)?,
                        Value::Array(_) => {
                            return Err("expected a string or a map of strings".into());
                        }
                        Value::Null => {}
                        _ => self.update_scalar(query, item)?,
                    }
                }
                Ok(())
            }
            Value::Object(_) => self.update_map(query, node),
            _ => self.update_scalar(query, node),
        }
    }

    fn update_scalar(&self, query: &Query<'_>, node: &mut Value) -> Result<(), String> {
        let old = scalar_text(node);
        if let Some(index) = self.select(query, &old, &|_| true, false)? {
            let name = &self.candidates[index].current.name;
            if *name != old {
                *node = Value::String(name.clone());
            }
        }
        Ok(())
    }

    fn update_map(&self, query: &Query<'_>, node: &mut Value) -> Result<(), String> {
        let Value::Object(map) = node else {
            return Ok(());
        };
        let Some(old) = map.get("name").map(scalar_text) else {
            return Err("path config error; no 'name' field in node".into());
        };
        // Candidates in the namespace the map names: by original namespace when any has it,
        // by current namespace otherwise.
        let namespace = map.get("namespace").map(scalar_text);
        let by_original = namespace.as_deref().is_some_and(|namespace| {
            (0..self.candidates.len()).any(|index| {
                self.could_reference(query.referrer, index)
                    && self.original_namespace(index) == Some(namespace)
            })
        });
        let in_namespace = |index: usize| match namespace.as_deref() {
            None => true,
            Some(namespace) if by_original => self.original_namespace(index) == Some(namespace),
            Some(namespace) => self.current_namespace(index) == Some(namespace),
        };
        let Some(index) = self.select(query, &old, &in_namespace, true)? else {
            return Ok(());
        };
        let referral = &self.candidates[index].current;
        if referral.name == old && referral.namespace.is_empty() {
            return Ok(());
        }
        map.insert("name".into(), Value::String(referral.name.clone()));
        if !referral.namespace.is_empty() {
            map.insert(
                "namespace".into(),
                Value::String(referral.namespace.clone()),
            );
        }
        Ok(())
    }

    /// The effective original namespace, for namespaced candidates.
    fn original_namespace(&self, index: usize) -> Option<&str> {
        let namespace = self.candidates[index].original_namespace.as_str();
        (namespace != NOT_NAMESPACEABLE).then_some(namespace)
    }

    /// The effective current namespace, for namespaced candidates.
    fn current_namespace(&self, index: usize) -> Option<&str> {
        let current = &self.candidates[index].current;
        (!current.gvk.is_cluster_scoped()).then(|| current.effective_namespace())
    }

    /// kustomize's `SubsetThatCouldBeReferencedByResource`.
    fn could_reference(&self, referrer: &Referrer<'_>, index: usize) -> bool {
        if referrer.current.gvk.is_cluster_scoped() {
            return true;
        }
        let target = &self.candidates[index].current;
        target.gvk.is_cluster_scoped()
            || target.effective_namespace() == referrer.current.effective_namespace()
            || referrer.subject_namespaces.contains(&target.namespace)
    }

    /// kustomize's `selectReferral`.
    fn select(
        &self,
        query: &Query<'_>,
        old: &str,
        in_pool: &dyn Fn(usize) -> bool,
        with_namespace: bool,
    ) -> Result<Option<usize>, String> {
        let named: Vec<usize> = self.by_previous_name.get(old).cloned().unwrap_or_default();
        let referrer = query.referrer;
        let mut matches: Vec<usize> = named
            .into_iter()
            .filter(|&index| in_pool(index))
            .filter(|&index| self.could_reference(referrer, index))
            .filter(|&index| {
                self.candidates[index]
                    .previous
                    .iter()
                    .any(|id| id.gvk.is_selected_by(query.target))
            })
            .filter(|&index| match query.role_ref {
                Some(role_ref) => self.candidates[index]
                    .previous
                    .iter()
                    .any(|id| id.gvk.is_selected_by(role_ref)),
                None => true,
            })
            .filter(|&index| self.same_namespace_as_referrer(referrer, index))
            .collect();
        if matches.len() == 1 {
            return Ok(matches.pop());
        }
        matches.retain(|&index| affixes_match(&self.candidates[index], referrer, true));
        if matches.len() > 1 {
            matches.retain(|&index| affixes_match(&self.candidates[index], referrer, false));
        }
        match matches.len() {
            0 => Ok(None),
            1 => Ok(matches.pop()),
            _ => {
                let first = &self.candidates[matches[0]].current;
                let identical = matches.iter().all(|&index| {
                    let other = &self.candidates[index].current;
                    other.name == first.name
                        && (!with_namespace || other.namespace == first.namespace)
                });
                if identical {
                    return Ok(Some(matches[0]));
                }
                let ids: Vec<String> = matches
                    .iter()
                    .map(|&index| self.candidates[index].current.to_string())
                    .collect();
                Err(format!(
                    "found multiple possible referrals: {}",
                    ids.join(", ")
                ))
            }
        }
    }

    /// kustomize's `sameCurrentNamespaceAsReferrer`.
    fn same_namespace_as_referrer(&self, referrer: &Referrer<'_>, index: usize) -> bool {
        if referrer.current.gvk.is_cluster_scoped() {
            return true;
        }
        let target = &self.candidates[index].current;
        target.gvk.is_cluster_scoped()
            || target.gvk.kind == "ServiceAccount"
            || target.effective_namespace() == referrer.current.effective_namespace()
    }
}

/// kustomize's `PrefixesSuffixesEquals`.
fn affixes_match(candidate: &Candidate, referrer: &Referrer<'_>, allow_empty: bool) -> bool {
    let prefixes = (allow_empty && (candidate.prefixes.is_empty() || referrer.prefixes.is_empty()))
        || same_ending(&candidate.prefixes, referrer.prefixes);
    let suffixes = (allow_empty && (candidate.suffixes.is_empty() || referrer.suffixes.is_empty()))
        || same_ending(&candidate.suffixes, referrer.suffixes);
    prefixes && suffixes
}

/// kustomize's `SameEndingSubSlice`: the shorter list is the tail of the longer one.
fn same_ending(first: &[String], second: &[String]) -> bool {
    let (shortest, longest) = if first.len() > second.len() {
        (second, first)
    } else {
        (first, second)
    };
    if shortest.is_empty() {
        return longest.is_empty();
    }
    longest.ends_with(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    fn map(objects: Vec<Value>) -> ResMap {
        ResMap {
            items: objects
                .into_iter()
                .map(|object| Resource::new(object, Origin::default()))
                .collect(),
        }
    }

    #[test]
    fn a_prefix_renames_objects_and_the_references_follow() {
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "config"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                   "spec": {"template": {"spec": {"volumes": [{"name": "v", "configMap": {"name": "config"}}],
                    "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "other"}}]}]}}}}),
        ]);
        add_affix(&mut resources, Affix::Prefix, "p-");
        fix_references(&mut resources).unwrap();
        let deployment = &resources.items[1].object;
        assert_eq!(deployment["metadata"]["name"], "p-web");
        assert_eq!(
            deployment["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"],
            "p-config"
        );
        assert_eq!(
            deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"],
            "other"
        );
    }

    #[test]
    fn namespaces_are_kept_by_prefixes() {
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}),
        ]);
        add_affix(&mut resources, Affix::Prefix, "p-");
        assert_eq!(resources.items[0].name(), "team");
    }

    #[test]
    fn role_binding_subjects_get_the_service_account_name_and_namespace() {
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "ops"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                   "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": "ops"}]}),
        ]);
        add_affix(&mut resources, Affix::Suffix, "-s");
        fix_references(&mut resources).unwrap();
        assert_eq!(
            resources.items[1].object["subjects"][0],
            json!({"kind": "ServiceAccount", "name": "robot-s", "namespace": "ops"})
        );
        assert_eq!(resources.items[1].object["roleRef"]["name"], "view");
    }

    #[test]
    fn shorter_affix_lists_must_be_the_tail_of_longer_ones() {
        let strings = |items: &[&str]| {
            items
                .iter()
                .map(|item| item.to_string())
                .collect::<Vec<_>>()
        };
        assert!(same_ending(&strings(&["a", "b"]), &strings(&["b"])));
        assert!(!same_ending(&strings(&["a", "b"]), &strings(&["a"])));
        assert!(same_ending(&[], &[]));
    }
}
