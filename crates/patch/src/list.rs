//! Merging lists: keyed lists element by element, primitive lists as sets, `$setElementOrder`,
//! and the order kubectl (or kustomize) gives the merged elements.

use serde_json::{Map, Value};

use crate::directives::{
    Copying, PatchDirective, check_element_order, clean_list, clean_map, invalid, patch_directive,
};
use crate::error::{Error, FieldPath, Result};
use crate::keys::{ListStrategy, Schema};
use crate::order::{Identity, kubectl_base_order};
use crate::strategic::{Flavor, Merger};

/// The JSON type shared by the elements of a list being merged. Integers and other numbers
/// differ, as they do for kubectl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElementKind {
    Object,
    Null,
    Bool,
    Integer,
    Float,
    String,
}

/// The element type of two lists together; `None` when both are empty.
pub(crate) fn element_kind(
    base: &[Value],
    patch: &[Value],
    path: &FieldPath,
) -> Result<Option<ElementKind>> {
    let mut found = None;
    for item in base.iter().chain(patch) {
        let kind = match item {
            Value::Array(_) => {
                return Err(Error::ListOfLists {
                    path: path.to_string(),
                });
            }
            Value::Object(_) => ElementKind::Object,
            Value::Null => ElementKind::Null,
            Value::Bool(_) => ElementKind::Bool,
            Value::Number(number) if number.is_i64() => ElementKind::Integer,
            Value::Number(_) => ElementKind::Float,
            Value::String(_) => ElementKind::String,
        };
        match found {
            Some(previous) if previous != kind => {
                return Err(Error::MixedList {
                    path: path.to_string(),
                });
            }
            _ => found = Some(kind),
        }
    }
    Ok(found)
}

impl Merger {
    /// Merges the patch's list into the base's list following the field's strategy.
    pub(crate) fn merge_list(
        &self,
        base: Vec<Value>,
        patch: &[Value],
        strategy: ListStrategy,
        elements: Schema,
        path: &FieldPath,
    ) -> Result<Vec<Value>> {
        let key = match strategy {
            ListStrategy::Replace => {
                let copying = match self.flavor {
                    Flavor::Kubectl => self.kubectl_copying(Copying::Verbatim),
                    Flavor::Kustomize => Copying::Verbatim,
                };
                return Ok(clean_list(patch, copying));
            }
            ListStrategy::Merge { key } => Some(key),
            ListStrategy::MergePrimitive => None,
        };
        match element_kind(&base, patch, path)? {
            None => Ok(base),
            Some(ElementKind::Object) => match key {
                Some(key) => self.merge_keyed(base, patch, key, elements, path),
                None => Err(Error::NoMergeKey {
                    path: path.to_string(),
                }),
            },
            Some(_) => Ok(self.merge_primitives(base, patch)),
        }
    }

    /// A primitive list merged as a set: the base's values and the patch's, each once.
    fn merge_primitives(&self, base: Vec<Value>, patch: &[Value]) -> Vec<Value> {
        let base_order = base.clone();
        let mut merged: Vec<Value> = Vec::with_capacity(base.len() + patch.len());
        for item in base.into_iter().chain(patch.iter().cloned()) {
            if !merged.contains(&item) {
                merged.push(item);
            }
        }
        let (from_patch, base_only) = merged.into_iter().partition(|item| patch.contains(item));
        self.arrange(from_patch, base_only, Identity::Value, patch, &base_order)
    }

    /// A list of objects merged element by element, matched on `key`.
    fn merge_keyed(
        &self,
        mut base: Vec<Value>,
        patch: &[Value],
        key: &str,
        elements: Schema,
        path: &FieldPath,
    ) -> Result<Vec<Value>> {
        let mut replace = false;
        let mut doomed = Vec::new();
        let mut regular: Vec<(FieldPath, &Map<String, Value>)> = Vec::new();
        for (index, element) in patch.iter().enumerate() {
            let element_path = path.index(index);
            let Value::Object(map) = element else {
                return Err(Error::MixedList {
                    path: path.to_string(),
                });
            };
            match patch_directive(map, &element_path)? {
                Some(PatchDirective::Delete) => doomed.push(merge_key(map, key, &element_path)?),
                Some(PatchDirective::Replace) => replace = true,
                Some(PatchDirective::Merge) | None => regular.push((element_path, map)),
            }
        }
        if replace {
            let mut replacement = Vec::with_capacity(regular.len());
            for (element_path, map) in regular {
                merge_key(map, key, &element_path)?;
                replacement.extend(self.copy_element(map, elements, &element_path)?);
            }
            return Ok(replacement);
        }
        for (index, item) in base.iter().enumerate() {
            if item.get(key).is_none() {
                return Err(Error::BaseMergeKeyMissing {
                    path: path.index(index).to_string(),
                    key: key.to_string(),
                });
            }
        }
        base.retain(|item| !item.get(key).is_some_and(|value| doomed.contains(&value)));
        let base_order: Vec<Value> = base
            .iter()
            .filter_map(|item| item.get(key).cloned())
            .collect();
        let mut patch_order = Vec::with_capacity(regular.len());
        let mut merged = base;
        for (element_path, map) in regular {
            let value = merge_key(map, key, &element_path)?;
            patch_order.push(value.clone());
            let position = merged.iter().position(|item| item.get(key) == Some(value));
            match position.and_then(|position| Some((position, merged[position].as_object_mut()?)))
            {
                Some((position, target)) => {
                    let target_map = std::mem::take(target);
                    match self.merge_map(target_map, map, elements, &element_path)? {
                        Some(result) => *target = result,
                        None => {
                            merged.remove(position);
                        }
                    }
                }
                None => merged.extend(self.copy_element(map, elements, &element_path)?),
            }
        }
        let (from_patch, base_only) = merged.into_iter().partition(|item| {
            item.get(key)
                .is_some_and(|value| patch_order.contains(value))
        });
        Ok(self.arrange(
            from_patch,
            base_only,
            Identity::Key(key),
            &patch_order,
            &base_order,
        ))
    }

    /// A patch element with no base element to merge into: copied as written by kubectl,
    /// merged into nothing by kustomize.
    fn copy_element(
        &self,
        map: &Map<String, Value>,
        elements: Schema,
        path: &FieldPath,
    ) -> Result<Option<Value>> {
        match self.flavor {
            Flavor::Kubectl => Ok(Some(Value::Object(clean_map(
                map,
                self.kubectl_copying(Copying::Verbatim),
            )))),
            Flavor::Kustomize => Ok(self
                .merge_map(Map::new(), map, elements, path)?
                .map(Value::Object)),
        }
    }

    /// Applies `$setElementOrder/<field>`: merges the field's list, then orders the elements
    /// the directive names as it names them, with the base's other elements placed around them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn set_element_order(
        &self,
        base: &mut Map<String, Value>,
        patch: &Map<String, Value>,
        directive: &str,
        field: &str,
        order: &Value,
        schema: Schema,
        path: &FieldPath,
    ) -> Result<()> {
        let Value::Array(order) = order else {
            return Err(invalid(path, directive, "must be a list"));
        };
        let (strategy, elements) = schema.list(field);
        let key = match strategy {
            ListStrategy::Merge { key } => Some(key),
            ListStrategy::MergePrimitive | ListStrategy::Replace => None,
        };
        let field_path = path.field(field);
        let base_list = match base.get(field) {
            None => None,
            Some(Value::Array(list)) => Some(list.clone()),
            Some(_) => {
                return Err(invalid(
                    path,
                    directive,
                    format!("the base's {field:?} is not a list"),
                ));
            }
        };
        let patch_list = match patch.get(field) {
            None => None,
            Some(Value::Array(list)) => Some(list),
            Some(_) => {
                return Err(invalid(
                    path,
                    directive,
                    format!("the patch's {field:?} is not a list"),
                ));
            }
        };
        if let Some(patch_list) = patch_list {
            check_element_order(patch_list, order, key, directive, path)?;
        }
        let lists = [base_list.as_deref(), patch_list.map(Vec::as_slice)];
        if lists.iter().flatten().all(|list| list.is_empty()) && lists.iter().any(Option::is_some) {
            // kubectl cannot tell the element type of empty lists, and fails.
            return Err(invalid(
                path,
                directive,
                "no elements in the list or its patch",
            ));
        }
        let identity = match key {
            Some(key) => Identity::Key(key),
            None => Identity::Value,
        };
        let base_identities: Vec<Value> = match (&base_list, patch_list, key) {
            (Some(base_list), Some(patch_list), Some(key)) if self.flavor == Flavor::Kubectl => {
                kubectl_base_order(base_list, patch_list, key)
            }
            _ => base_list
                .iter()
                .flatten()
                .filter_map(|item| identity.of(item))
                .cloned()
                .collect(),
        };
        let merged = match (base_list, patch_list) {
            (None, None) => return Ok(()),
            (Some(base_list), None) => base_list,
            (None, Some(patch_list)) => match self.flavor {
                Flavor::Kubectl => {
                    clean_list(patch_list, self.kubectl_copying(Copying::AddedKeepingNulls))
                }
                Flavor::Kustomize => {
                    self.merge_list(Vec::new(), patch_list, strategy, elements, &field_path)?
                }
            },
            (Some(base_list), Some(patch_list)) => {
                self.merge_list(base_list, patch_list, strategy, elements, &field_path)?
            }
        };
        if let Some(key) = key
            && order
                .iter()
                .chain(&merged)
                .any(|item| item.get(key).is_none())
        {
            return Err(invalid(
                path,
                directive,
                format!("every element needs the merge key {key:?}"),
            ));
        }
        let order_identities: Vec<Value> = order
            .iter()
            .filter_map(|item| identity.of(item))
            .cloned()
            .collect();
        let (from_patch, base_only) = merged.into_iter().partition(|item| {
            identity
                .of(item)
                .is_some_and(|value| order_identities.contains(value))
        });
        let arranged = self.arrange(
            from_patch,
            base_only,
            identity,
            &order_identities,
            &base_identities,
        );
        base.insert(field.to_string(), Value::Array(arranged));
        Ok(())
    }
}

/// The value of the merge key of a patch element.
fn merge_key<'a>(map: &'a Map<String, Value>, key: &str, path: &FieldPath) -> Result<&'a Value> {
    map.get(key).ok_or_else(|| Error::MergeKeyMissing {
        path: path.to_string(),
        key: key.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use ferry_types::Gvk;
    use serde_json::json;

    use crate::{Flavor, strategic_merge_with};

    fn containers(names: &[&str]) -> serde_json::Value {
        let list: Vec<_> = names.iter().map(|name| json!({"name": name})).collect();
        json!({"spec": {"template": {"spec": {"containers": list}}}})
    }

    fn merged_names(base: &[&str], patch: &[&str], flavor: Flavor) -> Vec<String> {
        let gvk = Gvk::from_api_version("apps/v1", "Deployment");
        let merged =
            strategic_merge_with(&containers(base), &containers(patch), &gvk, flavor).unwrap();
        let list = merged["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .clone();
        list.iter()
            .map(|item| item["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn kubectl_places_base_elements_before_later_patch_elements() {
        assert_eq!(
            merged_names(&["a", "b", "d"], &["b", "n"], Flavor::Kubectl),
            ["a", "b", "n", "d"]
        );
        assert_eq!(
            merged_names(&["a", "b", "d"], &["n", "d"], Flavor::Kubectl),
            ["n", "a", "b", "d"]
        );
        assert_eq!(
            merged_names(&["a", "b", "d"], &["d", "a"], Flavor::Kubectl),
            ["b", "d", "a"]
        );
    }

    #[test]
    fn kustomize_puts_the_patch_elements_first() {
        assert_eq!(
            merged_names(&["a", "b", "d"], &["b"], Flavor::Kustomize),
            ["b", "a", "d"]
        );
        assert_eq!(
            merged_names(&["a", "b", "d"], &["d", "n", "b"], Flavor::Kustomize),
            ["d", "n", "b", "a"]
        );
    }

    #[test]
    fn primitive_lists_merge_as_sets_in_kubectl_order() {
        let gvk = Gvk::from_api_version("v1", "ConfigMap");
        let base = json!({"metadata": {"finalizers": ["f1", "f2", "f1"]}});
        let patch = json!({"metadata": {"finalizers": ["f2", "f0"]}});
        let merged = strategic_merge_with(&base, &patch, &gvk, Flavor::Kubectl).unwrap();
        assert_eq!(
            merged,
            json!({"metadata": {"finalizers": ["f1", "f2", "f0"]}})
        );
    }

    #[test]
    fn lists_of_lists_cannot_be_merged() {
        let gvk = Gvk::from_api_version("v1", "ConfigMap");
        let error = strategic_merge_with(
            &json!({"metadata": {"finalizers": [["a"]]}}),
            &json!({"metadata": {"finalizers": ["b"]}}),
            &gvk,
            Flavor::Kubectl,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "metadata.finalizers: lists of lists cannot be merged"
        );
    }

    #[test]
    fn integers_and_other_numbers_do_not_mix_in_a_merged_list() {
        let gvk = Gvk::from_api_version("v1", "Node");
        let error = strategic_merge_with(
            &json!({"spec": {"podCIDRs": [1]}}),
            &json!({"spec": {"podCIDRs": [1.5]}}),
            &gvk,
            Flavor::Kubectl,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec.podCIDRs: list elements are not all of one type"
        );
    }

    #[test]
    fn a_replace_marker_anywhere_in_the_list_replaces_it() {
        let gvk = Gvk::from_api_version("apps/v1", "Deployment");
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "z", "image": null}]}}}});
        let merged =
            strategic_merge_with(&containers(&["a"]), &patch, &gvk, Flavor::Kubectl).unwrap();
        assert_eq!(
            merged,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "z", "image": null}]}}}})
        );
    }
}
