//! Strategic merge patch of one object onto another, field by field, as kubectl applies it.

use ferry_types::Gvk;
use serde_json::{Map, Value};

use crate::directives::{
    self, Copying, DELETE_FROM_PRIMITIVE_LIST, PATCH, PatchDirective, RETAIN_KEYS,
    SET_ELEMENT_ORDER, clean, clean_map, directive_field, invalid, patch_directive,
};
use crate::error::{Error, FieldPath, Result, json_type};
use crate::keys::Schema;
use crate::list::{ElementKind, element_kind};

/// Whose behaviour to follow where kubectl and kustomize apply a strategic merge patch
/// differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// kubectl 1.32 (`k8s.io/apimachinery` strategicpatch): merged list elements keep the base's
    /// order with the patch's elements interleaved; `$patch: delete` on a nested object leaves
    /// an empty object.
    #[default]
    Kubectl,
    /// kustomize 5.5 (kyaml merge2): the patch's elements of a merged list come first, in the
    /// patch's order, then the base's other elements; `$patch: delete` on a nested object
    /// removes the field.
    Kustomize,
}

/// Strategic merge patch of `patch` onto `base` for an object of kind `gvk`, as kubectl applies
/// it. Kinds missing from the merge-key table (custom resources) get JSON merge patch
/// semantics: objects merge, lists are replaced.
pub fn strategic_merge(base: &Value, patch: &Value, gvk: &Gvk) -> Result<Value> {
    strategic_merge_with(base, patch, gvk, Flavor::Kubectl)
}

/// [`strategic_merge`], following `flavor` where kubectl and kustomize differ.
pub fn strategic_merge_with(
    base: &Value,
    patch: &Value,
    gvk: &Gvk,
    flavor: Flavor,
) -> Result<Value> {
    let Value::Object(base) = base else {
        return Err(Error::NotAnObject {
            what: "base",
            found: json_type(base),
        });
    };
    let Value::Object(patch) = patch else {
        return Err(Error::NotAnObject {
            what: "patch",
            found: json_type(patch),
        });
    };
    let schema = Schema::for_kind(gvk);
    let merger = Merger {
        flavor,
        typed: schema.is_typed(),
    };
    let merged = merger.merge_map(base.clone(), patch, schema, &FieldPath::default())?;
    Ok(Value::Object(merged.unwrap_or_default()))
}

/// The settings of one merge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Merger {
    /// Whose behaviour to follow.
    pub(crate) flavor: Flavor,
    /// Whether the kind is a built-in one (custom resources get JSON merge patch semantics).
    pub(crate) typed: bool,
}

impl Merger {
    /// How kubectl copies patch content where it copies built-in kinds' content the `kubectl`
    /// way (custom resources go through its JSON merge patch).
    pub(crate) fn kubectl_copying(&self, kubectl: Copying) -> Copying {
        if self.typed {
            kubectl
        } else {
            Copying::MergePatch
        }
    }

    /// Patch content for a place where the base has nothing to merge it with: a new field, a
    /// field whose type changes, a replaced object. kubectl copies it (`kubectl` says how);
    /// kustomize merges it into nothing, which drops null fields of objects and keyed lists but
    /// keeps replaced lists as written. `None` means the content is left out.
    pub(crate) fn copy(
        &self,
        value: &Value,
        schema: Schema,
        key: &str,
        kubectl: Copying,
        path: &FieldPath,
    ) -> Result<Option<Value>> {
        if self.flavor == Flavor::Kubectl {
            return Ok(clean(value, self.kubectl_copying(kubectl)));
        }
        match value {
            Value::Object(map) => Ok(self
                .merge_map(Map::new(), map, schema.object(key), path)?
                .map(Value::Object)),
            Value::Array(items) => {
                let (strategy, elements) = schema.list(key);
                Ok(Some(Value::Array(self.merge_list(
                    Vec::new(),
                    items,
                    strategy,
                    elements,
                    path,
                )?)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    /// Merges `patch` into the object `base`. `None` means the object is to be removed.
    pub(crate) fn merge_map(
        &self,
        mut base: Map<String, Value>,
        patch: &Map<String, Value>,
        schema: Schema,
        path: &FieldPath,
    ) -> Result<Option<Map<String, Value>>> {
        match patch_directive(patch, path)? {
            Some(PatchDirective::Replace) if self.flavor == Flavor::Kubectl => {
                return Ok(Some(clean_map(
                    patch,
                    self.kubectl_copying(Copying::Verbatim),
                )));
            }
            Some(PatchDirective::Replace) => {
                let mut replacement = patch.clone();
                replacement.shift_remove(PATCH);
                return self.merge_map(Map::new(), &replacement, schema, path);
            }
            Some(PatchDirective::Delete) => {
                return Ok(match self.flavor {
                    Flavor::Kubectl => Some(Map::new()),
                    Flavor::Kustomize => None,
                });
            }
            Some(PatchDirective::Merge) | None => {}
        }
        if let Some(retained) = patch.get(RETAIN_KEYS) {
            directives::retain_keys(&mut base, patch, retained, path)?;
        }
        let mut ordered = Vec::new();
        for (key, order) in patch {
            if key.starts_with(SET_ELEMENT_ORDER) {
                let field = directive_field(key, SET_ELEMENT_ORDER, path)?;
                self.set_element_order(&mut base, patch, key, field, order, schema, path)?;
                ordered.push(field);
            }
        }
        for (key, value) in patch {
            if key == PATCH
                || key == RETAIN_KEYS
                || key.starts_with(SET_ELEMENT_ORDER)
                || ordered.contains(&key.as_str())
            {
                continue;
            }
            if key.starts_with(DELETE_FROM_PRIMITIVE_LIST) {
                let field = directive_field(key, DELETE_FROM_PRIMITIVE_LIST, path)?;
                delete_from_primitive_list(&mut base, field, key, value, path)?;
                continue;
            }
            self.merge_field(&mut base, key, value, schema, path)?;
        }
        Ok(Some(base))
    }

    /// Merges the patch's value for one field into `base`.
    fn merge_field(
        &self,
        base: &mut Map<String, Value>,
        key: &str,
        patch_value: &Value,
        schema: Schema,
        path: &FieldPath,
    ) -> Result<()> {
        if patch_value.is_null() {
            base.shift_remove(key);
            return Ok(());
        }
        let path = path.field(key);
        let merged = match (base.get_mut(key), patch_value) {
            (Some(Value::Object(_)), Value::Object(_)) if schema.replaces_object(key) => {
                self.copy(patch_value, Schema::UNTYPED, key, Copying::Verbatim, &path)?
            }
            (Some(Value::Object(base_map)), Value::Object(patch_map)) => {
                let base_map = std::mem::take(base_map);
                self.merge_map(base_map, patch_map, schema.object(key), &path)?
                    .map(Value::Object)
            }
            (Some(Value::Array(base_list)), Value::Array(patch_list)) => {
                let base_list = std::mem::take(base_list);
                let (strategy, elements) = schema.list(key);
                Some(Value::Array(self.merge_list(
                    base_list, patch_list, strategy, elements, &path,
                )?))
            }
            // A new field, or one whose type changes.
            _ => self.copy(patch_value, schema, key, Copying::Added, &path)?,
        };
        match merged {
            Some(value) => {
                base.insert(key.to_string(), value);
            }
            None => {
                base.shift_remove(key);
            }
        }
        Ok(())
    }
}

/// Applies `$deleteFromPrimitiveList/<field>`: removes the listed values from the base's list.
/// Like kubectl, a deletion list meets a base list or nothing happens; a null one removes the
/// field.
fn delete_from_primitive_list(
    base: &mut Map<String, Value>,
    field: &str,
    directive: &str,
    doomed: &Value,
    path: &FieldPath,
) -> Result<()> {
    match (base.get_mut(field), doomed) {
        (_, Value::Null) => {
            base.shift_remove(field);
        }
        (Some(Value::Array(list)), Value::Array(doomed)) => {
            if let Some(ElementKind::Object) = element_kind(list, doomed, &path.field(field))? {
                return Err(invalid(
                    path,
                    directive,
                    "applies to lists of primitives only",
                ));
            }
            list.retain(|item| !doomed.contains(item));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment() -> Gvk {
        Gvk::from_api_version("apps/v1", "Deployment")
    }

    fn merge(base: Value, patch: Value) -> Value {
        strategic_merge(&base, &patch, &deployment()).unwrap()
    }

    fn containers(containers: Value) -> Value {
        json!({"spec": {"template": {"spec": {"containers": containers}}}})
    }

    #[test]
    fn null_in_the_patch_deletes_the_field_and_keeps_the_key_order() {
        let merged = merge(
            json!({"a": 1, "b": 2, "c": 3}),
            json!({"b": null, "d": 4, "a": 5}),
        );
        let keys: Vec<&String> = merged.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "c", "d"]);
        assert_eq!(merged, json!({"a": 5, "c": 3, "d": 4}));
    }

    #[test]
    fn custom_resources_get_json_merge_patch_semantics() {
        let gvk = Gvk::from_api_version("example.com/v1", "Widget");
        let base = json!({"metadata": {"finalizers": ["a"]}, "spec": {"items": [{"name": "a", "size": 1}], "m": {"x": 1}}});
        let patch = json!({"metadata": {"finalizers": ["b"]}, "spec": {"items": [{"name": "b"}], "m": {"x": null, "y": {"z": null}}}});
        let merged = strategic_merge(&base, &patch, &gvk).unwrap();
        assert_eq!(
            merged,
            json!({"metadata": {"finalizers": ["b"]}, "spec": {"items": [{"name": "b"}], "m": {"y": {}}}})
        );
    }

    #[test]
    fn patch_merge_directive_is_accepted_and_stripped() {
        let merged = merge(
            json!({"spec": {"replicas": 1}}),
            json!({"spec": {"$patch": "merge", "paused": true}}),
        );
        assert_eq!(merged, json!({"spec": {"replicas": 1, "paused": true}}));
    }

    #[test]
    fn replace_directive_on_a_missing_object_drops_it_for_kubectl_and_keeps_it_for_kustomize() {
        let base = json!({"spec": {}});
        let patch = json!({"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}});
        assert_eq!(merge(base.clone(), patch.clone()), json!({"spec": {}}));
        let kustomized =
            strategic_merge_with(&base, &patch, &deployment(), Flavor::Kustomize).unwrap();
        assert_eq!(
            kustomized,
            json!({"spec": {"strategy": {"type": "Recreate"}}})
        );
    }

    #[test]
    fn delete_directive_on_a_nested_object_empties_it_for_kubectl_and_removes_it_for_kustomize() {
        let base = json!({"spec": {"strategy": {"type": "Recreate"}, "replicas": 1}});
        let patch = json!({"spec": {"strategy": {"$patch": "delete"}}});
        assert_eq!(
            merge(base.clone(), patch.clone()),
            json!({"spec": {"strategy": {}, "replicas": 1}})
        );
        let kustomized =
            strategic_merge_with(&base, &patch, &deployment(), Flavor::Kustomize).unwrap();
        assert_eq!(kustomized, json!({"spec": {"replicas": 1}}));
    }

    #[test]
    fn delete_directive_at_the_root_yields_an_empty_object() {
        assert_eq!(
            merge(json!({"kind": "Deployment"}), json!({"$patch": "delete"})),
            json!({})
        );
    }

    #[test]
    fn directives_never_leak_into_new_content() {
        let patch = containers(json!([{
            "name": "new",
            "env": [{"name": "A", "$patch": "delete"}, {"name": "B", "value": "b"}],
            "$setElementOrder/env": [{"name": "B"}],
            "resources": {"$retainKeys": ["limits"], "limits": {"cpu": "1"}},
            "securityContext": {"$patch": "replace", "runAsUser": 1},
            "$deleteFromPrimitiveList/args": ["x"]
        }]));
        let merged = merge(containers(json!([{"name": "app"}])), patch);
        let expected = containers(json!([
            {"name": "new", "env": [{"name": "B", "value": "b"}], "resources": {"limits": {"cpu": "1"}}, "securityContext": {"runAsUser": 1}},
            {"name": "app"}
        ]));
        assert_eq!(merged, expected);
    }

    #[test]
    fn null_fields_of_appended_elements_are_kept_by_kubectl_and_dropped_by_kustomize() {
        let base = containers(json!([{"name": "app"}]));
        let patch = containers(json!([{"name": "new", "image": null}]));
        assert_eq!(
            merge(base.clone(), patch.clone()),
            containers(json!([{"name": "new", "image": null}, {"name": "app"}]))
        );
        let kustomized =
            strategic_merge_with(&base, &patch, &deployment(), Flavor::Kustomize).unwrap();
        assert_eq!(
            kustomized,
            containers(json!([{"name": "new"}, {"name": "app"}]))
        );
    }

    #[test]
    fn pod_disruption_budget_selector_is_replaced_not_merged() {
        let gvk = Gvk::from_api_version("policy/v1", "PodDisruptionBudget");
        let base = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}}});
        let patch = json!({"spec": {"selector": {"matchExpressions": []}}});
        assert_eq!(
            strategic_merge(&base, &patch, &gvk).unwrap(),
            json!({"spec": {"selector": {"matchExpressions": []}}})
        );
    }

    #[test]
    fn a_missing_merge_key_names_the_path_of_the_patch_element() {
        let patch = containers(json!([{"name": "app"}, {"image": "x"}]));
        let error = strategic_merge(&containers(json!([])), &patch, &deployment()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec.template.spec.containers[1]: merge key \"name\" missing"
        );
    }

    #[test]
    fn a_base_element_without_merge_key_is_an_error() {
        let error = strategic_merge(
            &containers(json!([{"image": "x"}])),
            &containers(json!([{"name": "a"}])),
            &deployment(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec.template.spec.containers[0]: merge key \"name\" missing in the base object"
        );
    }

    #[test]
    fn a_base_or_patch_that_is_not_an_object_is_an_error() {
        let error = strategic_merge(&json!([]), &json!({}), &deployment()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the base must be a JSON object, found a list"
        );
        let error = strategic_merge(&json!({}), &json!("x"), &deployment()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the patch must be a JSON object, found a string"
        );
    }

    #[test]
    fn delete_from_primitive_list_of_objects_is_an_error() {
        let patch = json!({"spec": {"template": {"spec": {"$deleteFromPrimitiveList/containers": [{"name": "a"}]}}}});
        let error = strategic_merge(&containers(json!([{"name": "a"}])), &patch, &deployment())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec.template.spec: invalid $deleteFromPrimitiveList/containers: applies to lists of primitives only"
        );
    }

    #[test]
    fn odd_inputs_give_results_or_errors_but_never_panic() {
        let odd = [
            json!(null),
            json!(1),
            json!(1.5),
            json!("s"),
            json!(true),
            json!([]),
            json!([null]),
            json!([[1]]),
            json!([1, "a"]),
            json!([{"name": 1}, {"name": null}]),
            json!([{"$patch": "replace"}]),
            json!([{"$patch": "delete"}]),
            json!([{"name": "a", "$patch": 7}]),
            json!({}),
            json!({"$patch": "replace"}),
            json!({"$patch": null}),
            json!({"$retainKeys": "x"}),
            json!({"$retainKeys": [1, null]}),
            json!({"$setElementOrder/containers": [{"name": "a"}], "containers": {"a": 1}}),
            json!({"$setElementOrder/containers": "x"}),
            json!({"$setElementOrder/finalizers": [1, 2]}),
            json!({"$setElementOrder": []}),
            json!({"$deleteFromPrimitiveList/finalizers": "x"}),
            json!({"$deleteFromPrimitiveList/finalizers": [null]}),
        ];
        let fields = ["containers", "finalizers", "metadata", "spec", "env"];
        let kinds = [
            deployment(),
            Gvk::from_api_version("example.com/v1", "Widget"),
        ];
        for base_value in &odd {
            for patch_value in &odd {
                for field in fields {
                    for gvk in &kinds {
                        let nest = |value: &Value| json!({"metadata": {field: value}, "spec": {"template": {"spec": {field: value, "containers": [{"name": "a", field: value}]}}}});
                        let _ = strategic_merge(&nest(base_value), &nest(patch_value), gvk);
                        let _ = strategic_merge_with(
                            &nest(base_value),
                            &nest(patch_value),
                            gvk,
                            Flavor::Kustomize,
                        );
                    }
                }
            }
        }
    }
}
