//! The strategic merge patch directives (`$patch`, `$retainKeys`, `$setElementOrder/…`,
//! `$deleteFromPrimitiveList/…`): reading them, and stripping them from patch content that is
//! copied into the result.

use serde_json::{Map, Value};

use crate::error::{Error, FieldPath, Result};

/// The key of the `$patch` directive.
pub(crate) const PATCH: &str = "$patch";
/// The key of the `$retainKeys` directive.
pub(crate) const RETAIN_KEYS: &str = "$retainKeys";
/// The prefix of `$setElementOrder/<field>` keys.
pub(crate) const SET_ELEMENT_ORDER: &str = "$setElementOrder";
/// The prefix of `$deleteFromPrimitiveList/<field>` keys.
pub(crate) const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";

/// The value of a `$patch` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatchDirective {
    /// Replace the object (or, as a list element, the list) instead of merging.
    Replace,
    /// Delete the object (or, as a list element, the base element with the same key).
    Delete,
    /// Merge, which is what happens anyway.
    Merge,
}

/// The `$patch` directive of a patch object, if it has one.
pub(crate) fn patch_directive(
    map: &Map<String, Value>,
    path: &FieldPath,
) -> Result<Option<PatchDirective>> {
    let Some(value) = map.get(PATCH) else {
        return Ok(None);
    };
    match value.as_str() {
        Some("replace") => Ok(Some(PatchDirective::Replace)),
        Some("delete") => Ok(Some(PatchDirective::Delete)),
        Some("merge") => Ok(Some(PatchDirective::Merge)),
        _ => Err(Error::UnknownPatchDirective {
            path: path.to_string(),
            value: value.to_string(),
        }),
    }
}

/// Whether `key` is a directive rather than a field.
pub(crate) fn is_directive_key(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

/// The field named by a `<prefix>/<field>` directive key.
pub(crate) fn directive_field<'a>(key: &'a str, prefix: &str, path: &FieldPath) -> Result<&'a str> {
    key.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|field| !field.is_empty())
        .ok_or_else(|| Error::InvalidDirective {
            path: path.to_string(),
            directive: key.to_string(),
            reason: format!("expected {prefix}/<field>"),
        })
}

/// An error for a malformed directive.
pub(crate) fn invalid(path: &FieldPath, directive: &str, reason: impl Into<String>) -> Error {
    Error::InvalidDirective {
        path: path.to_string(),
        directive: directive.to_string(),
        reason: reason.into(),
    }
}

/// How kubectl copies patch content into the result where it does not merge it (a new field,
/// a replaced list or object, an appended list element). kubectl's ways can leave directives
/// in its output; ferry follows them and then removes what would leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Copying {
    /// kubectl adding a field: objects carrying `$patch` are left out and null fields dropped.
    Added,
    /// kubectl adding a list under `$setElementOrder`: as [`Copying::Added`], nulls kept.
    AddedKeepingNulls,
    /// kubectl copying as written: directive keys removed, list elements carrying `$patch`
    /// left out, nulls kept.
    Verbatim,
    /// kubectl's JSON merge patch, for custom resources: null fields dropped at every depth;
    /// objects marked `$patch: delete` (and list markers) left out, other directives removed.
    MergePatch,
}

impl Copying {
    fn drops_nulls(self) -> bool {
        matches!(self, Copying::Added | Copying::MergePatch)
    }

    /// Whether an object holding `$patch` (as a field value, or as a list element) is left out.
    fn leaves_out(self, directive: &Value, in_list: bool) -> bool {
        match self {
            Copying::Added | Copying::AddedKeepingNulls => true,
            Copying::Verbatim => in_list,
            Copying::MergePatch => match directive.as_str() {
                Some("delete") => true,
                Some("replace") => in_list,
                _ => false,
            },
        }
    }
}

/// Patch content made ready to be copied into the result as `copying` says; `None` when the
/// content is left out.
pub(crate) fn clean(value: &Value, copying: Copying) -> Option<Value> {
    clean_in(value, copying, false)
}

fn clean_in(value: &Value, copying: Copying, in_list: bool) -> Option<Value> {
    match value {
        Value::Object(map) => {
            if map
                .get(PATCH)
                .is_some_and(|directive| copying.leaves_out(directive, in_list))
            {
                return None;
            }
            Some(Value::Object(clean_map(map, copying)))
        }
        Value::Array(items) => Some(Value::Array(clean_list(items, copying))),
        other => Some(other.clone()),
    }
}

/// [`clean`] for an object's fields; the object's own directives are removed.
pub(crate) fn clean_map(map: &Map<String, Value>, copying: Copying) -> Map<String, Value> {
    map.iter()
        .filter(|(key, value)| !(is_directive_key(key) || value.is_null() && copying.drops_nulls()))
        .filter_map(|(key, value)| Some((key.clone(), clean_in(value, copying, false)?)))
        .collect()
}

/// [`clean`] for a list's elements.
pub(crate) fn clean_list(items: &[Value], copying: Copying) -> Vec<Value> {
    items
        .iter()
        .filter_map(|item| clean_in(item, copying, true))
        .collect()
}

/// Applies `$retainKeys`: checks that every field the patch sets is retained, then drops the
/// base fields that are not.
pub(crate) fn retain_keys(
    base: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    retained: &Value,
    path: &FieldPath,
) -> Result<()> {
    let Value::Array(retained) = retained else {
        return Err(invalid(path, RETAIN_KEYS, "must be a list of field names"));
    };
    let is_retained = |key: &str| retained.iter().any(|name| name.as_str() == Some(key));
    for (key, value) in patch {
        if value.is_null() || is_directive_key(key) {
            continue;
        }
        if !is_retained(key) {
            return Err(invalid(
                path,
                RETAIN_KEYS,
                format!("field {key:?} is patched but not retained"),
            ));
        }
    }
    base.retain(|key, _| is_retained(key));
    Ok(())
}

/// Checks that the elements of a patch list appear in a `$setElementOrder` list, in the same
/// relative order, exactly as kubectl checks it: `$patch: delete` elements are ignored, and other
/// elements carrying `$patch` are skipped only while the order list lasts.
pub(crate) fn check_element_order(
    patch: &[Value],
    order: &[Value],
    merge_key: Option<&str>,
    directive: &str,
    path: &FieldPath,
) -> Result<()> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let has_directive = |value: &Value, wanted: Option<&str>| {
        value
            .get(PATCH)
            .is_some_and(|directive| wanted.is_none_or(|wanted| directive.as_str() == Some(wanted)))
    };
    let patch: Vec<&Value> = match merge_key {
        Some(_) => patch
            .iter()
            .filter(|element| !has_directive(element, Some("delete")))
            .collect(),
        None => patch.iter().collect(),
    };
    let same = |left: &Value, right: &Value| -> Result<bool> {
        let Some(key) = merge_key else {
            return Ok(left == right);
        };
        match (left.get(key), right.get(key)) {
            (Some(left), Some(right)) => Ok(left == right),
            _ => Err(invalid(
                path,
                directive,
                format!("every element needs the merge key {key:?}"),
            )),
        }
    };
    let (mut patch_index, mut order_index) = (0, 0);
    while patch_index < patch.len() && order_index < order.len() {
        if has_directive(patch[patch_index], None) {
            patch_index += 1;
            continue;
        }
        if same(patch[patch_index], &order[order_index])? {
            patch_index += 1;
        }
        order_index += 1;
    }
    if patch_index < patch.len() {
        return Err(invalid(
            path,
            directive,
            "the patch list's elements are missing from it or out of its order",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kubectl_leaves_out_added_objects_that_carry_a_patch_directive() {
        let value = json!({"a": 1, "b": null, "$retainKeys": ["a"], "c": {"$patch": "replace", "d": 2}, "e": [{"$patch": "merge"}, 1]});
        assert_eq!(
            clean(&value, Copying::Added),
            Some(json!({"a": 1, "e": [1]}))
        );
        assert_eq!(clean(&json!({"$patch": "replace"}), Copying::Added), None);
    }

    #[test]
    fn verbatim_copies_keep_nulls_and_lose_only_directives() {
        let value = json!({"a": null, "c": {"$patch": "delete"}, "e": [{"name": "x", "$patch": "delete"}, null, {"f": null}]});
        assert_eq!(
            clean(&value, Copying::Verbatim),
            Some(json!({"a": null, "c": {}, "e": [null, {"f": null}]}))
        );
    }

    #[test]
    fn merge_patch_copies_apply_delete_and_drop_null_fields() {
        let value = json!({"a": null, "c": {"$patch": "delete"}, "d": {"$patch": "replace", "x": 1}, "e": [{"$patch": "replace"}, {"name": "y", "$patch": "delete"}, {"name": "z", "v": null}, null]});
        assert_eq!(
            clean(&value, Copying::MergePatch),
            Some(json!({"d": {"x": 1}, "e": [{"name": "z"}, null]}))
        );
    }

    #[test]
    fn an_unknown_patch_directive_is_an_error() {
        let map = json!({"$patch": "explode"}).as_object().unwrap().clone();
        let error = patch_directive(&map, &FieldPath::default().field("spec")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec: unknown $patch directive \"explode\""
        );
    }

    #[test]
    fn directive_fields_need_a_slash_and_a_name() {
        let path = FieldPath::default();
        assert_eq!(
            directive_field("$setElementOrder/containers", SET_ELEMENT_ORDER, &path).unwrap(),
            "containers"
        );
        assert!(directive_field("$setElementOrder", SET_ELEMENT_ORDER, &path).is_err());
        assert!(directive_field("$setElementOrderX/a", SET_ELEMENT_ORDER, &path).is_err());
    }

    #[test]
    fn retain_keys_drops_base_fields_not_listed() {
        let mut base = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})
            .as_object()
            .unwrap()
            .clone();
        let patch = json!({"type": "Recreate"}).as_object().unwrap().clone();
        retain_keys(&mut base, &patch, &json!(["type"]), &FieldPath::default()).unwrap();
        assert_eq!(Value::Object(base), json!({"type": "RollingUpdate"}));
    }

    #[test]
    fn retain_keys_rejects_a_patched_field_it_does_not_list() {
        let mut base = Map::new();
        let patch = json!({"other": 1}).as_object().unwrap().clone();
        let error = retain_keys(
            &mut base,
            &patch,
            &json!(["type"]),
            &FieldPath::default().field("spec"),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec: invalid $retainKeys: field \"other\" is patched but not retained"
        );
    }

    #[test]
    fn element_order_must_contain_the_patch_elements_in_order() {
        let path = FieldPath::default();
        let patch = [json!({"name": "b"}), json!({"name": "a"})];
        let good = [
            json!({"name": "c"}),
            json!({"name": "b"}),
            json!({"name": "a"}),
        ];
        let bad = [json!({"name": "a"}), json!({"name": "b"})];
        assert!(
            check_element_order(&patch, &good, Some("name"), "$setElementOrder/x", &path).is_ok()
        );
        assert!(
            check_element_order(&patch, &bad, Some("name"), "$setElementOrder/x", &path).is_err()
        );
    }
}
