//! Argo CD's `spec.source.kustomize` overrides, applied to the root kustomization before the
//! build as Argo CD applies them (`kustomize edit set …`/`edit add …`, patches appended).

use ferry_types::{KustomizePatch, KustomizeSource};
use serde_json::Value;

use crate::kustomization::{Image, Kustomization, Label, Patch, Replica, Selector};
use crate::{Error, Result};

/// Edits `kustomization` (the root one, in `file`) with Argo CD's overrides.
pub(crate) fn apply(
    file: &str,
    kustomization: &mut Kustomization,
    overrides: &KustomizeSource,
) -> Result<()> {
    let fail = |field: &str, message: String| Error::Override {
        file: file.to_string(),
        field: field.to_string(),
        message,
    };
    if !overrides.name_prefix.is_empty() {
        kustomization.name_prefix = overrides.name_prefix.clone();
    }
    if !overrides.name_suffix.is_empty() {
        kustomization.name_suffix = overrides.name_suffix.clone();
    }
    if !overrides.images.is_empty() {
        let mut incoming = Vec::new();
        for argument in &overrides.images {
            incoming.push(parse_image(argument).map_err(|message| fail("images", message))?);
        }
        kustomization.images = merge_images(&kustomization.images, incoming);
    }
    if !overrides.replicas.is_empty() {
        let mut incoming = Vec::new();
        for replica in &overrides.replicas {
            let count = replica_count(&replica.count).ok_or_else(|| {
                fail(
                    "replicas",
                    format!("count of {:?} must be an integer", replica.name),
                )
            })?;
            incoming.push(Replica {
                name: replica.name.clone(),
                count,
            });
        }
        kustomization.replicas = merge_replicas(&kustomization.replicas, incoming);
    }
    if !overrides.common_labels.is_empty() {
        if overrides.label_without_selector {
            kustomization.labels.push(Label {
                pairs: overrides.common_labels.clone(),
                ..Label::default()
            });
        } else {
            for (key, value) in &overrides.common_labels {
                if kustomization.common_labels.contains_key(key) && !overrides.force_common_labels {
                    return Err(fail(
                        "commonLabels",
                        format!("label {key} already in kustomization file"),
                    ));
                }
                kustomization
                    .common_labels
                    .insert(key.clone(), value.clone());
            }
        }
    }
    for (key, value) in &overrides.common_annotations {
        if kustomization.common_annotations.contains_key(key) && !overrides.force_common_annotations
        {
            return Err(fail(
                "commonAnnotations",
                format!("annotation {key} already in kustomization file"),
            ));
        }
        kustomization
            .common_annotations
            .insert(key.clone(), value.clone());
    }
    if !overrides.namespace.is_empty() {
        kustomization.namespace = overrides.namespace.clone();
    }
    kustomization
        .patches
        .extend(overrides.patches.iter().map(patch));
    for component in &overrides.components {
        if !kustomization.components.contains(component) {
            kustomization.components.push(component.clone());
        }
    }
    Ok(())
}

/// Parses `kustomize edit set image` syntax: `name=newName:tag@digest`, `name:tag`,
/// `name@digest`, `name=newName`.
fn parse_image(argument: &str) -> Result<Image, String> {
    let (key, value) = match argument.split_once('=') {
        Some((key, value)) => (Some(key), value),
        None => (None, argument),
    };
    let (name, tag, digest) = crate::images::split(value);
    if name == argument {
        return Err(format!(
            "invalid image {argument:?}: use name=newName:tag, name=newName@digest, name=newName, name:tag, name:tag@digest or name@digest"
        ));
    }
    let mut image = Image {
        new_tag: tag,
        digest,
        ..Image::default()
    };
    match key {
        Some(key) => {
            image.name = key.to_string();
            image.new_name = name.to_string();
        }
        None => image.name = name.to_string(),
    }
    Ok(image)
}

/// `edit set image`: arguments replace same-named entries (`*` keeps the old value), the
/// others stay, and the list is sorted by name.
fn merge_images(existing: &[Image], incoming: Vec<Image>) -> Vec<Image> {
    let mut merged: Vec<Image> = Vec::new();
    let mut upsert = |image: Image| match merged.iter_mut().find(|other| other.name == image.name) {
        Some(slot) => *slot = image,
        None => merged.push(image),
    };
    for image in incoming {
        upsert(image);
    }
    let mut result: Vec<Image> = Vec::new();
    for old in existing {
        match merged.iter_mut().find(|image| image.name == old.name) {
            Some(image) => {
                let keep = |new: &mut String, old: &str| {
                    if new == "*" {
                        *new = old.to_string();
                    }
                };
                keep(&mut image.new_name, &old.new_name);
                keep(&mut image.new_tag, &old.new_tag);
                keep(&mut image.digest, &old.digest);
            }
            None => {
                if let Some(slot) = result.iter_mut().find(|other| other.name == old.name) {
                    *slot = old.clone();
                } else {
                    result.push(old.clone());
                }
            }
        }
    }
    for mut image in merged {
        for field in [&mut image.new_name, &mut image.new_tag, &mut image.digest] {
            if field == "*" {
                field.clear();
            }
        }
        result.push(image);
    }
    result.sort_by(|a, b| a.name.cmp(&b.name));
    result
}

/// `edit set replicas`: arguments replace same-named entries; the list is sorted by name.
fn merge_replicas(existing: &[Replica], incoming: Vec<Replica>) -> Vec<Replica> {
    let mut result: Vec<Replica> = Vec::new();
    for replica in incoming.into_iter().chain(existing.iter().cloned()) {
        if !result.iter().any(|other| other.name == replica.name) {
            result.push(replica);
        }
    }
    result.sort_by(|a, b| a.name.cmp(&b.name));
    result
}

/// A replica count as Argo CD accepts it: a number or a numeric string.
fn replica_count(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn patch(patch: &KustomizePatch) -> Patch {
    Patch {
        path: patch.path.clone(),
        patch: patch.patch.clone(),
        target: patch.target.as_ref().map(|target| Selector {
            group: target.group.clone(),
            version: target.version.clone(),
            kind: target.kind.clone(),
            name: target.name.clone(),
            namespace: target.namespace.clone(),
            label_selector: target.label_selector.clone(),
            annotation_selector: target.annotation_selector.clone(),
        }),
        options: patch.options.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn image(name: &str, new_name: &str, new_tag: &str, digest: &str) -> Image {
        Image {
            name: name.into(),
            new_name: new_name.into(),
            new_tag: new_tag.into(),
            digest: digest.into(),
            ..Image::default()
        }
    }

    #[test]
    fn image_arguments_follow_kustomize_edit_set_image() {
        assert_eq!(
            parse_image("nginx:1.2").unwrap(),
            image("nginx", "", "1.2", "")
        );
        assert_eq!(
            parse_image("a=reg/b:2").unwrap(),
            image("a", "reg/b", "2", "")
        );
        assert_eq!(
            parse_image("a@sha256:00").unwrap(),
            image("a", "", "", "sha256:00")
        );
        assert_eq!(
            parse_image("mysql=mariadb").unwrap(),
            image("mysql", "mariadb", "", "")
        );
        assert!(parse_image("nginx").is_err());
    }

    #[test]
    fn set_image_replaces_entries_by_name_and_sorts() {
        let existing = vec![image("z", "", "1", ""), image("a", "old", "1", "")];
        let merged = merge_images(&existing, vec![image("a", "*", "2", "")]);
        assert_eq!(
            merged,
            vec![image("a", "old", "2", ""), image("z", "", "1", "")]
        );
    }

    #[test]
    fn overrides_set_names_labels_and_append_patches() {
        let mut kustomization = Kustomization::default();
        let overrides: KustomizeSource = serde_json::from_value(json!({
            "namePrefix": "p-", "namespace": "ns", "commonLabels": {"a": "b"},
            "replicas": [{"name": "web", "count": "2"}],
            "patches": [{"patch": "x", "target": {"kind": "Deployment"}}], "components": ["../c"]
        }))
        .unwrap();
        apply("k.yaml", &mut kustomization, &overrides).unwrap();
        assert_eq!(kustomization.name_prefix, "p-");
        assert_eq!(kustomization.namespace, "ns");
        assert_eq!(kustomization.common_labels["a"], "b");
        assert_eq!(
            kustomization.replicas,
            vec![Replica {
                name: "web".into(),
                count: 2
            }]
        );
        assert_eq!(
            kustomization.patches[0].target.as_ref().unwrap().kind,
            "Deployment"
        );
        assert_eq!(kustomization.components, ["../c"]);
    }

    #[test]
    fn existing_labels_need_force() {
        let mut kustomization = Kustomization::default();
        kustomization.common_labels.insert("a".into(), "x".into());
        let overrides = KustomizeSource {
            common_labels: [("a".to_string(), "b".to_string())].into(),
            ..Default::default()
        };
        assert!(apply("k.yaml", &mut kustomization, &overrides).is_err());
        let forced = KustomizeSource {
            force_common_labels: true,
            ..overrides
        };
        apply("k.yaml", &mut kustomization, &forced).unwrap();
        assert_eq!(kustomization.common_labels["a"], "b");
    }
}
