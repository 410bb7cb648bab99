//! Field specifications: a GVK selector plus a `/`-separated path into an object, walked the
//! way kustomize walks it (lists are crossed implicitly, `name[]` marks a list, `\/` escapes
//! a slash, missing fields are created only when asked).

use serde_json::{Map, Value};

use crate::resource::{Gvk, split_api_version};

/// Where a transformer reads or writes, and for which objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    pub create: bool,
}

/// A field specification written as a table row: group, version, kind, path, create.
pub(crate) type FieldSpecRow = (&'static str, &'static str, &'static str, &'static str, bool);

impl FieldSpec {
    /// A field specification from a table row.
    pub fn from_row(&(group, version, kind, path, create): &FieldSpecRow) -> Self {
        Self {
            gvk: Gvk::new(group, version, kind),
            path: path.to_string(),
            create,
        }
    }

    /// Field specifications from table rows.
    pub fn table(rows: &[FieldSpecRow]) -> Vec<Self> {
        rows.iter().map(Self::from_row).collect()
    }

    /// Whether this specification applies to `object`, by its current kind and apiVersion.
    pub fn applies_to(&self, object: &Value) -> bool {
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = split_api_version(api_version);
        (self.gvk.kind.is_empty() || self.gvk.kind == kind)
            && (self.gvk.group.is_empty() || self.gvk.group == group)
            && (self.gvk.version.is_empty() || self.gvk.version == version)
    }

    /// kustomize's `effectivelyEquals`: this spec's GVK is selected by the other's, same path.
    fn effectively_equals(&self, other: &FieldSpec) -> bool {
        self.gvk.is_selected_by(&other.gvk) && self.path == other.path
    }
}

/// kustomize's `FsSlice.MergeAll`: adds specs not already present; the same path with a
/// different `create` is a conflict.
pub(crate) fn merge_all(
    mut into: Vec<FieldSpec>,
    incoming: &[FieldSpec],
) -> Result<Vec<FieldSpec>, String> {
    for spec in incoming {
        match into
            .iter()
            .find(|existing| existing.effectively_equals(spec))
        {
            Some(existing) if existing.create != spec.create => {
                return Err(format!("conflicting fieldspecs for path {:?}", spec.path));
            }
            Some(_) => {}
            None => into.push(spec.clone()),
        }
    }
    Ok(into)
}

/// Splits a path at `/`, keeping `\/` as a literal slash inside a segment.
pub(crate) fn split_path(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    let mut segments: Vec<String> = Vec::new();
    for part in parts {
        match segments.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(part);
            }
            _ => segments.push(part.to_string()),
        }
    }
    segments
}

/// What a missing field at the end of a path is created as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CreateAs {
    /// Never create.
    Nothing,
    /// A scalar, which the setter then fills.
    Scalar,
    /// An empty map, which the setter then fills.
    Map,
}

/// A function called on each value a field specification reaches.
pub(crate) type Setter<'a> = dyn FnMut(&mut Value) -> Result<(), String> + 'a;

/// Calls `set` on every value `spec` reaches in `object`, creating missing fields when the
/// spec says `create` and `create_as` allows it. Does nothing if the spec's GVK does not
/// select the object.
pub(crate) fn apply(
    object: &mut Value,
    spec: &FieldSpec,
    create_as: CreateAs,
    set: &mut Setter<'_>,
) -> Result<(), String> {
    if !spec.applies_to(object) {
        return Ok(());
    }
    let segments = split_path(&spec.path);
    walk(
        object,
        &segments,
        spec.create && create_as != CreateAs::Nothing,
        create_as,
        set,
    )
    .map_err(|message| format!("considering field {:?}: {message}", spec.path))
}

fn walk(
    node: &mut Value,
    path: &[String],
    create: bool,
    create_as: CreateAs,
    set: &mut Setter<'_>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    match node {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for item in items {
                walk(item, path, create, create_as, set)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            let (name, is_list) = match first.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (first.as_str(), false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".into());
            }
            let creating = create && !is_list;
            let empty = || {
                if rest.is_empty() && create_as == CreateAs::Scalar {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                }
            };
            if !map.contains_key(name) {
                if !creating {
                    return Ok(());
                }
                map.insert(name.to_string(), empty());
            }
            let Some(field) = map.get_mut(name) else {
                return Ok(());
            };
            if field.is_null() {
                if creating {
                    *field = empty();
                } else if is_list {
                    *field = Value::Array(Vec::new());
                } else if rest.is_empty() {
                    // A null value at the end of the path is left alone unless created.
                    return Ok(());
                }
            }
            walk(field, rest, create, create_as, set)
        }
        _ => Err("expected sequence or mapping node".into()),
    }
}

/// A setter that replaces a scalar (or null) with a string.
pub(crate) fn set_string(value: &str) -> impl FnMut(&mut Value) -> Result<(), String> + '_ {
    move |node: &mut Value| {
        if node.is_array() || node.is_object() {
            return Err("wrong node kind: expected a scalar".into());
        }
        *node = Value::String(value.to_string());
        Ok(())
    }
}

/// A setter that sets `key: value` in a map.
pub(crate) fn set_entry<'a>(
    key: &'a str,
    value: &'a str,
) -> impl FnMut(&mut Value) -> Result<(), String> + 'a {
    move |node: &mut Value| match node {
        Value::Object(map) => {
            map.insert(key.to_string(), Value::String(value.to_string()));
            Ok(())
        }
        Value::Null => {
            let mut map = Map::new();
            map.insert(key.to_string(), Value::String(value.to_string()));
            *node = Value::Object(map);
            Ok(())
        }
        _ => Err("wrong node kind: expected a mapping".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk::new("", "", kind),
            path: path.into(),
            create,
        }
    }

    #[test]
    fn paths_cross_lists_and_keep_escaped_slashes() {
        assert_eq!(
            split_path(r"metadata/annotations/a.io\/b"),
            ["metadata", "annotations", "a.io/b"]
        );
        let mut object =
            json!({"kind": "Pod", "spec": {"containers": [{"image": "a"}, {"image": "b"}]}});
        let mut seen = Vec::new();
        apply(
            &mut object,
            &spec("Pod", "spec/containers/image", false),
            CreateAs::Nothing,
            &mut |value: &mut Value| {
                seen.push(value.as_str().unwrap().to_string());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, ["a", "b"]);
    }

    #[test]
    fn missing_fields_are_created_only_when_asked() {
        let mut object = json!({"kind": "Deployment", "spec": {}});
        let mut setter = set_entry("app", "web");
        apply(
            &mut object,
            &spec("Deployment", "spec/selector/matchLabels", true),
            CreateAs::Map,
            &mut setter,
        )
        .unwrap();
        apply(
            &mut object,
            &spec("Deployment", "spec/template/spec/x/y", false),
            CreateAs::Map,
            &mut setter,
        )
        .unwrap();
        assert_eq!(
            object["spec"],
            json!({"selector": {"matchLabels": {"app": "web"}}})
        );
    }

    #[test]
    fn specs_for_other_kinds_leave_the_object_alone() {
        let mut object = json!({"kind": "Service", "spec": {}});
        let mut setter = set_entry("app", "web");
        apply(
            &mut object,
            &spec("Deployment", "spec/selector", true),
            CreateAs::Map,
            &mut setter,
        )
        .unwrap();
        assert_eq!(object["spec"], json!({}));
    }

    #[test]
    fn merging_the_same_path_with_another_create_flag_conflicts() {
        let error = merge_all(vec![spec("", "a/b", true)], &[spec("", "a/b", false)]).unwrap_err();
        assert!(error.contains("conflicting"));
    }
}
