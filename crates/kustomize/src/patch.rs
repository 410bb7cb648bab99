//! `patches`, `patchesStrategicMerge` and `patchesJson6902`: strategic merge and JSON 6902
//! patches, inline or from files, applied to the objects their target (or their own
//! identity) selects.

use ferry_patch::Flavor;
use ferry_types::RepoPath;
use serde_json::Value;

use crate::kustomization::Patch;
use crate::load::{LoadedKustomization, Loader, resources_from_file};
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::selector::Compiled;
use crate::{Error, Result};

/// A patch's text, parsed as one of the two kinds.
enum Parsed {
    /// Strategic merge patches, each naming its object.
    Strategic(Vec<Resource>),
    /// JSON 6902 operations.
    Json(Value),
}

/// Applies the `patches` field.
pub(crate) fn apply_patches(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    resources: &mut ResMap,
) -> Result<()> {
    for (index, patch) in at.kustomization.patches.iter().enumerate() {
        let field = format!("patches[{index}]");
        let fail = |message: String| Error::Transform {
            file: at.file.to_string(),
            field: field.clone(),
            message,
        };
        let (text, origin) = patch_text(loader, at, &field, patch)?;
        let source = origin.to_string();
        let parsed = parse(&origin, &text).map_err(&fail)?;
        let allow_name_change = patch
            .options
            .get("allowNameChange")
            .copied()
            .unwrap_or(false);
        let allow_kind_change = patch
            .options
            .get("allowKindChange")
            .copied()
            .unwrap_or(false);
        let change = Changes {
            name: allow_name_change,
            kind: allow_kind_change,
        };
        match (parsed, &patch.target) {
            (Parsed::Strategic(patches), Some(target)) => {
                let [patch] = patches.as_slice() else {
                    return Err(fail(
                        "multiple strategic merge patches in one `patches` entry cannot have a target".into(),
                    ));
                };
                let selector = Compiled::new(target).map_err(&fail)?;
                for resource in &mut resources.items {
                    if selector.matches(resource) {
                        let mut copy = patch.object.clone();
                        retarget(&mut copy, resource, patch.kind());
                        strategic(resource, &copy, change).map_err(&fail)?;
                    }
                }
            }
            (Parsed::Strategic(patches), None) => {
                for patch in &patches {
                    let index = unique_target(resources, patch).map_err(&fail)?;
                    strategic(&mut resources.items[index], &patch.object, change).map_err(&fail)?;
                }
            }
            (Parsed::Json(operations), Some(target)) => {
                let selector = Compiled::new(target).map_err(&fail)?;
                for resource in resources
                    .items
                    .iter_mut()
                    .filter(|resource| selector.matches(resource))
                {
                    resource.store_previous_id();
                    json(resource, &operations).map_err(&fail)?;
                }
            }
            (Parsed::Json(_), None) => {
                return Err(fail(format!(
                    "must specify a target for JSON patch {source}"
                )));
            }
        }
        resources.drop_deleted();
    }
    Ok(())
}

/// Applies the legacy `patchesStrategicMerge` field: each entry is patch text or a file.
pub(crate) fn apply_strategic_merge(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    resources: &mut ResMap,
) -> Result<()> {
    let mut patches = Vec::new();
    for (index, entry) in at.kustomization.patches_strategic_merge.iter().enumerate() {
        let field = format!("patchesStrategicMerge[{index}]");
        let fail = |message: String| Error::Transform {
            file: at.file.to_string(),
            field: field.clone(),
            message,
        };
        let inline = resources_from_file(&inline_path(at, &field), entry.as_bytes())
            .ok()
            .filter(|found| !found.is_empty());
        let loaded = match inline {
            Some(found) => found,
            None => {
                let (path, bytes) = loader.field_file(at, "patchesStrategicMerge", entry)?;
                resources_from_file(&path, &bytes).map_err(|error| fail(error.to_string()))?
            }
        };
        patches.extend(loaded.into_iter().map(|patch| (field.clone(), patch)));
    }
    for (field, patch) in &patches {
        let fail = |message: String| Error::Transform {
            file: at.file.to_string(),
            field: field.clone(),
            message,
        };
        let index = unique_target(resources, patch).map_err(&fail)?;
        let mut copy = patch.object.clone();
        retarget(&mut copy, &resources.items[index], patch.kind());
        strategic(&mut resources.items[index], &copy, Changes::default()).map_err(&fail)?;
        resources.drop_deleted();
    }
    Ok(())
}

/// Applies the legacy `patchesJson6902` field.
pub(crate) fn apply_json6902(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    resources: &mut ResMap,
) -> Result<()> {
    for (index, patch) in at.kustomization.patches_json6902.iter().enumerate() {
        let field = format!("patchesJson6902[{index}]");
        let fail = |message: String| Error::Transform {
            file: at.file.to_string(),
            field: field.clone(),
            message,
        };
        let target = patch.target.clone().unwrap_or_default();
        if target.name.is_empty() {
            return Err(fail("must specify the target name".into()));
        }
        let (text, source) = match (patch.path.is_empty(), patch.patch.is_empty()) {
            (true, true) => return Err(fail("empty file path and empty patch".into())),
            (false, false) => {
                return Err(fail("must specify a file path or a patch, not both".into()));
            }
            (false, true) => {
                let (path, bytes) = loader.field_file(at, "patchesJson6902", &patch.path)?;
                (
                    String::from_utf8_lossy(&bytes).into_owned(),
                    path.to_string(),
                )
            }
            (true, false) => (patch.patch.clone(), format!("{}: {field}", at.file)),
        };
        let operations = parse_json(&source, &text).map_err(&fail)?;
        if operations.as_array().is_none_or(Vec::is_empty) {
            return Err(fail(format!("patch appears to be empty: {source}")));
        }
        let selector = Compiled::new(&target).map_err(&fail)?;
        for resource in resources
            .items
            .iter_mut()
            .filter(|resource| selector.matches(resource))
        {
            json(resource, &operations).map_err(&fail)?;
        }
        resources.drop_deleted();
    }
    Ok(())
}

/// Whether a patch may change its target's name and kind.
#[derive(Debug, Clone, Copy, Default)]
struct Changes {
    name: bool,
    kind: bool,
}

/// The patch text and where it came from (a file, or the kustomization field itself).
fn patch_text(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    field: &str,
    patch: &Patch,
) -> Result<(String, RepoPath)> {
    let inline = patch.patch.trim();
    match (inline.is_empty(), patch.path.is_empty()) {
        (true, true) => Err(Error::Transform {
            file: at.file.to_string(),
            field: field.to_string(),
            message: "must specify one of patch and path".into(),
        }),
        (false, false) => Err(Error::Transform {
            file: at.file.to_string(),
            field: field.to_string(),
            message: "patch and path can't be set at the same time".into(),
        }),
        (false, true) => Ok((inline.to_string(), inline_path(at, field))),
        (true, false) => {
            let (path, bytes) = loader.field_file(at, "patches", &patch.path)?;
            Ok((String::from_utf8_lossy(&bytes).into_owned(), path))
        }
    }
}

/// A pseudo path for inline patch text, so parse errors name the kustomization field.
fn inline_path(at: &LoadedKustomization, field: &str) -> RepoPath {
    at.file
        .parent()
        .join(&format!("{}#{field}", at.file.file_name()))
        .unwrap_or_else(|_| at.file.clone())
}

/// Reads patch text as strategic merge or JSON 6902; exactly one must fit.
fn parse(origin: &RepoPath, text: &str) -> Result<Parsed, String> {
    let source = origin.to_string();
    let strategic = resources_from_file(origin, text.as_bytes())
        .ok()
        .filter(|patches| !patches.is_empty());
    let json = parse_json(&source, text).ok().filter(Value::is_array);
    match (strategic, json) {
        (Some(_), Some(_)) => Err(format!(
            "illegally qualifies as both an SM and JSON patch: {source}"
        )),
        (Some(patches), None) => Ok(Parsed::Strategic(patches)),
        (None, Some(operations)) => Ok(Parsed::Json(operations)),
        (None, None) => Err(format!("unable to parse SM or JSON patch from {source}")),
    }
}

/// JSON 6902 operations written as JSON or YAML (only the first YAML document counts).
fn parse_json(source: &str, text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Err(format!("empty json patch operations in {source}"));
    }
    let documents = ferry_yaml::parse_documents("patch.yaml", text.as_bytes())
        .map_err(|error| error.to_string())?;
    match documents.into_iter().next() {
        Some(document) if document.value.is_array() => Ok(document.value),
        _ => Err(format!("{source} is not a list of JSON 6902 operations")),
    }
}

/// The one resource whose current or previous identity is the patch's identity.
fn unique_target(resources: &ResMap, patch: &Resource) -> Result<usize, String> {
    let id = patch.cur_id();
    let matches: Vec<usize> = resources
        .items
        .iter()
        .enumerate()
        .filter(|(_, resource)| resource.all_ids().iter().any(|other| other.equals(&id)))
        .map(|(index, _)| index)
        .collect();
    match matches.as_slice() {
        [index] => Ok(*index),
        [] => Err(format!(
            "no resource matches strategic merge patch {id} (declared at {})",
            patch.origin
        )),
        _ => Err(format!(
            "multiple resources match strategic merge patch {id} (declared at {})",
            patch.origin
        )),
    }
}

/// kustomize copies a targeted patch, giving it the target's apiVersion and its own kind.
fn retarget(patch: &mut Value, target: &Resource, kind: &str) {
    if let Value::Object(map) = patch {
        map.insert(
            "apiVersion".into(),
            Value::String(target.api_version().to_string()),
        );
        map.insert("kind".into(), Value::String(kind.to_string()));
    }
}

/// kustomize's `ApplySmPatch`: merge, then restore kind and name (unless allowed to change)
/// and namespace.
fn strategic(resource: &mut Resource, patch: &Value, change: Changes) -> Result<(), String> {
    let (name, namespace, kind) = (
        resource.name().to_string(),
        resource.namespace().to_string(),
        resource.kind().to_string(),
    );
    if change.name || change.kind {
        resource.store_previous_id();
    }
    let gvk = ferry_types::Gvk::from_api_version(resource.api_version(), resource.kind());
    let merged =
        ferry_patch::strategic_merge_with(&resource.object, patch, &gvk, Flavor::Kustomize)
            .map_err(|error| format!("patching {}: {error}", resource.describe()))?;
    resource.object = merged;
    if resource.is_deleted() {
        return Ok(());
    }
    if !change.kind {
        resource.set_kind(&kind);
    }
    if !change.name {
        resource.set_name(&name);
    }
    resource.set_namespace(&namespace);
    Ok(())
}

/// Applies JSON 6902 operations to one resource.
fn json(resource: &mut Resource, operations: &Value) -> Result<(), String> {
    let patched = ferry_patch::json6902(&resource.object, operations)
        .map_err(|error| format!("patching {}: {error}", resource.describe()))?;
    resource.object = patched;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_text_is_either_strategic_or_json() {
        let origin = RepoPath::new("k.yaml#patches[0]").unwrap();
        let strategic = parse(
            &origin,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n",
        )
        .unwrap();
        assert!(matches!(strategic, Parsed::Strategic(patches) if patches.len() == 1));
        let json = parse(&origin, "- op: add\n  path: /data/x\n  value: y\n").unwrap();
        assert!(matches!(json, Parsed::Json(_)));
        assert!(parse(&origin, "just text").is_err());
    }
}
