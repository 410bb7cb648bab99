//! The resources a CustomResourceDefinition serves once it is Established.

use serde_json::Value;

use super::{ResourceInfo, Subresource};

/// Verbs of custom resources, in the order the real server lists them.
const CUSTOM_VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];

/// One [`ResourceInfo`] per served version of an Established CRD; nothing for a CRD that is not
/// Established or is being deleted.
pub fn resources_of_crd(crd: &Value) -> Vec<ResourceInfo> {
    let established = crd
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|conditions| {
            conditions.iter().any(|condition| {
                condition["type"] == "Established" && condition["status"] == "True"
            })
        });
    if !established || crd.pointer("/metadata/deletionTimestamp").is_some() {
        return Vec::new();
    }
    let spec = &crd["spec"];
    let text = |pointer: &str| {
        spec.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let strings = |pointer: &str| -> Vec<String> {
        spec.pointer(pointer)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind = text("/names/kind");
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    let storage_version = versions
        .iter()
        .find(|version| version["storage"] == true)
        .and_then(|version| version["name"].as_str())
        .unwrap_or("")
        .to_string();
    let singular = match text("/names/singular") {
        singular if singular.is_empty() => kind.to_lowercase(),
        singular => singular,
    };
    let list_kind = match text("/names/listKind") {
        list_kind if list_kind.is_empty() => format!("{kind}List"),
        list_kind => list_kind,
    };
    versions
        .iter()
        .filter(|version| version["served"] == true)
        .filter_map(|version| {
            let name = version["name"].as_str()?;
            let mut subresources = Vec::new();
            if version.pointer("/subresources/scale").is_some() {
                subresources.push(Subresource::Scale);
            }
            if version.pointer("/subresources/status").is_some() {
                subresources.push(Subresource::Status);
            }
            Some(ResourceInfo {
                group: text("/group"),
                version: name.to_string(),
                resource: text("/names/plural"),
                singular: singular.clone(),
                kind: kind.clone(),
                list_kind: list_kind.clone(),
                namespaced: spec["scope"] == "Namespaced",
                verbs: CUSTOM_VERBS.iter().map(|verb| verb.to_string()).collect(),
                short_names: strings("/names/shortNames"),
                categories: strings("/names/categories"),
                subresources,
                generation: true,
                custom: true,
                storage_version: storage_version.clone(),
                schema: version.pointer("/schema/openAPIV3Schema").cloned(),
                scale: version.pointer("/subresources/scale").cloned(),
                printer_columns: version.get("additionalPrinterColumns").cloned(),
            })
        })
        .collect()
}
