//! The kustomization file model: which fields exist, their types, and which ones ferry refuses.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::{Error, Result};

/// File names kustomize recognises, in Argo CD's detection order.
pub(crate) const FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Fields kustomize knows and ferry does not implement: always an error when set.
const UNSUPPORTED: [&str; 12] = [
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
    "replacements",
    "vars",
    "openapi",
    "crds",
    "configurations",
    "transformers",
    "generators",
    "validators",
    "buildMetadata",
];

/// Fields ferry implements.
const SUPPORTED: [&str; 22] = [
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
    "imageTags",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "sortOptions",
];

/// A kustomization (or component) file, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Kustomization {
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default)]
    #[serde(rename = "metadata")]
    pub _metadata: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub resources: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub bases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub components: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name_prefix: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name_suffix: String,
    #[serde(default, deserialize_with = "string_map")]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: Vec<Label>,
    #[serde(default, deserialize_with = "string_map")]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub patches: Vec<Patch>,
    #[serde(default, deserialize_with = "nullable")]
    pub patches_strategic_merge: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub patches_json6902: Vec<Patch>,
    #[serde(default, deserialize_with = "nullable")]
    pub images: Vec<Image>,
    #[serde(default, deserialize_with = "nullable")]
    pub image_tags: Vec<Image>,
    #[serde(default, deserialize_with = "nullable")]
    pub replicas: Vec<Replica>,
    #[serde(default, deserialize_with = "nullable")]
    pub config_map_generator: Vec<GeneratorArgs>,
    #[serde(default, deserialize_with = "nullable")]
    pub secret_generator: Vec<GeneratorArgs>,
    #[serde(default)]
    pub generator_options: Option<GeneratorOptions>,
    #[serde(default)]
    pub sort_options: Option<SortOptions>,
}

/// One entry of `labels`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Label {
    #[serde(default, deserialize_with = "string_map")]
    pub pairs: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub include_selectors: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub include_templates: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub fields: Vec<FieldSpecArgs>,
}

/// A field specification as written in `labels[].fields`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FieldSpecArgs {
    #[serde(default, deserialize_with = "nullable")]
    pub group: String,
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    #[serde(default, deserialize_with = "nullable")]
    pub create: bool,
}

/// One entry of `patches` or `patchesJson6902`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Patch {
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    #[serde(default, deserialize_with = "nullable")]
    pub patch: String,
    #[serde(default)]
    pub target: Option<Selector>,
    #[serde(default, deserialize_with = "nullable")]
    pub options: BTreeMap<String, bool>,
}

/// Which resources a patch applies to; name, namespace, group, version and kind are regexes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Selector {
    #[serde(default, deserialize_with = "nullable")]
    pub group: String,
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
    #[serde(default, deserialize_with = "nullable")]
    pub label_selector: String,
    #[serde(default, deserialize_with = "nullable")]
    pub annotation_selector: String,
}

/// One entry of `images`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Image {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub new_name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub new_tag: String,
    #[serde(default, deserialize_with = "nullable")]
    pub digest: String,
    #[serde(default, deserialize_with = "nullable")]
    pub tag_suffix: String,
}

/// One entry of `replicas`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Replica {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub count: i64,
}

/// One entry of `configMapGenerator` or `secretGenerator`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct GeneratorArgs {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
    #[serde(default, deserialize_with = "nullable")]
    pub behavior: String,
    #[serde(default, deserialize_with = "nullable")]
    pub literals: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub files: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub envs: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub env: String,
    #[serde(default)]
    pub options: Option<GeneratorOptions>,
    /// Secrets only: the Secret `type`.
    #[serde(default, rename = "type", deserialize_with = "nullable")]
    pub secret_type: String,
}

/// `generatorOptions`, or a generator's own `options`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct GeneratorOptions {
    #[serde(default, deserialize_with = "string_map")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "string_map")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub disable_name_suffix_hash: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub immutable: bool,
}

impl GeneratorOptions {
    /// kustomize's `MergeGlobalOptionsIntoLocal`: local values win, flags are or-ed.
    pub fn merged_with(
        local: Option<&GeneratorOptions>,
        global: Option<&GeneratorOptions>,
    ) -> GeneratorOptions {
        let mut merged = local.cloned().unwrap_or_default();
        if let Some(global) = global {
            for (key, value) in &global.labels {
                merged
                    .labels
                    .entry(key.clone())
                    .or_insert_with(|| value.clone());
            }
            for (key, value) in &global.annotations {
                merged
                    .annotations
                    .entry(key.clone())
                    .or_insert_with(|| value.clone());
            }
            merged.disable_name_suffix_hash |= global.disable_name_suffix_hash;
            merged.immutable |= global.immutable;
        }
        merged
    }
}

/// `sortOptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SortOptions {
    #[serde(default, deserialize_with = "nullable")]
    pub order: String,
    #[serde(default)]
    pub legacy_sort_options: Option<LegacySortOptions>,
}

/// `sortOptions.legacySortOptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LegacySortOptions {
    #[serde(default, deserialize_with = "nullable")]
    pub order_first: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub order_last: Vec<String>,
}

impl Kustomization {
    /// Reads a kustomization from its parsed YAML, refusing unknown and unsupported fields.
    pub fn from_value(file: &str, value: Value) -> Result<Self> {
        let map = match value {
            Value::Object(map) => map,
            Value::Null => {
                return Err(Error::InvalidKustomization {
                    file: file.to_string(),
                    message: "the file is empty".into(),
                });
            }
            _ => {
                return Err(Error::InvalidKustomization {
                    file: file.to_string(),
                    message: "expected a mapping".into(),
                });
            }
        };
        let has_content = map
            .iter()
            .any(|(field, value)| field != "apiVersion" && field != "kind" && !value.is_null());
        if !has_content {
            return Err(Error::InvalidKustomization {
                file: file.to_string(),
                message: "the kustomization is empty".into(),
            });
        }
        for (field, value) in &map {
            if UNSUPPORTED.contains(&field.as_str()) {
                if is_empty(value) {
                    continue;
                }
                return Err(Error::UnsupportedField {
                    file: file.to_string(),
                    field: field.clone(),
                });
            }
            if !SUPPORTED.contains(&field.as_str()) {
                return Err(Error::UnknownField {
                    file: file.to_string(),
                    field: field.clone(),
                });
            }
        }
        let known: serde_json::Map<String, Value> = map
            .into_iter()
            .filter(|(field, _)| !UNSUPPORTED.contains(&field.as_str()))
            .collect();
        let mut kustomization: Kustomization =
            serde_path_to_error::deserialize(Value::Object(known)).map_err(|error| {
                Error::InvalidKustomization {
                    file: file.to_string(),
                    message: describe(&error),
                }
            })?;
        kustomization.check(file)?;
        kustomization.fix();
        Ok(kustomization)
    }

    /// Whether this is a `Component`.
    pub fn is_component(&self) -> bool {
        self.kind == "Component"
    }

    /// kustomize's `EnforceFields`: kind and apiVersion must be the expected ones.
    fn check(&self, file: &str) -> Result<()> {
        let invalid = |message: String| Error::InvalidKustomization {
            file: file.to_string(),
            message,
        };
        if !self.kind.is_empty() && self.kind != "Kustomization" && self.kind != "Component" {
            return Err(invalid(format!(
                "kind {:?} should be Kustomization or Component",
                self.kind
            )));
        }
        let required = if self.is_component() {
            "kustomize.config.k8s.io/v1alpha1"
        } else {
            "kustomize.config.k8s.io/v1beta1"
        };
        if !self.api_version.is_empty() && self.api_version != required {
            let kind = if self.kind.is_empty() {
                "Kustomization"
            } else {
                &self.kind
            };
            return Err(invalid(format!(
                "apiVersion for {kind} should be {required}"
            )));
        }
        Ok(())
    }

    /// kustomize's `FixKustomization`: folds deprecated aliases into their replacements.
    fn fix(&mut self) {
        let bases = std::mem::take(&mut self.bases);
        self.resources.extend(bases);
        let tags = std::mem::take(&mut self.image_tags);
        self.images.extend(tags);
        for generator in self
            .config_map_generator
            .iter_mut()
            .chain(self.secret_generator.iter_mut())
        {
            if !generator.env.is_empty() {
                generator.envs.push(std::mem::take(&mut generator.env));
            }
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

fn describe(error: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = error.path().to_string();
    if path == "." {
        error.inner().to_string()
    } else {
        format!("field {path}: {}", error.inner())
    }
}

/// A field that may be written as `null`, meaning its default, as Go's decoder reads it.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A map of strings whose values may be `null` (read as the empty string).
fn string_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let map =
        Option::<BTreeMap<String, Option<String>>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(map
        .into_iter()
        .map(|(key, value)| (key, value.unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_fields_read_as_their_defaults() {
        let value = json!({"resources": null, "commonLabels": {"a": null}, "namePrefix": null});
        let kustomization = Kustomization::from_value("k.yaml", value).unwrap();
        assert!(kustomization.resources.is_empty());
        assert_eq!(kustomization.common_labels["a"], "");
    }

    #[test]
    fn unknown_fields_are_named() {
        let error = Kustomization::from_value("k.yaml", json!({"resourcez": ["a"]})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "k.yaml: unknown kustomization field \"resourcez\""
        );
    }

    #[test]
    fn unsupported_fields_are_refused_by_name() {
        let error = Kustomization::from_value("k.yaml", json!({"helmCharts": [{"name": "x"}]}))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "k.yaml: kustomization field \"helmCharts\" is not supported by ferry"
        );
    }

    #[test]
    fn nested_type_errors_name_the_field_path() {
        let error =
            Kustomization::from_value("k.yaml", json!({"images": [{"name": "a", "newTag": 2}]}))
                .unwrap_err();
        assert!(error.to_string().contains("images[0].newTag"), "{error}");
    }

    #[test]
    fn deprecated_aliases_fold_into_their_replacements() {
        let value = json!({"resources": ["a"], "bases": ["b"], "configMapGenerator": [{"name": "c", "env": "e.env"}]});
        let kustomization = Kustomization::from_value("k.yaml", value).unwrap();
        assert_eq!(kustomization.resources, ["a", "b"]);
        assert_eq!(kustomization.config_map_generator[0].envs, ["e.env"]);
    }
}
