//! `images`: new names, tags and digests for container images, matched by name with or
//! without a tag or digest, in every `containers` and `initContainers` list.

use regex::Regex;
use serde_json::{Map, Value};

use crate::fieldspec::{self, CreateAs, FieldSpec, FieldSpecRow};
use crate::kustomization::Image;
use crate::resmap::ResMap;
use crate::resource::scalar_text;

/// kustomize's default image field specifications (`images.go`).
#[rustfmt::skip]
const IMAGES: [FieldSpecRow; 4] = [
    ("", "", "", "spec/containers[]/image", true),
    ("", "", "", "spec/initContainers[]/image", true),
    ("", "", "", "spec/template/spec/containers[]/image", true),
    ("", "", "", "spec/template/spec/initContainers[]/image", true),
];

/// Applies one `images` entry. Like kustomize, it runs twice over the usual fields (once for
/// any `containers` list, once through the field table), which matters only for `tagSuffix`.
pub(crate) fn apply_image(resources: &mut ResMap, image: &Image) -> Result<(), String> {
    let pattern = format!(
        "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
        image.name
    );
    let matcher = Regex::new(&pattern)
        .map_err(|error| format!("invalid image name {:?}: {error}", image.name))?;
    let updater = Updater { image, matcher };
    let specs = FieldSpec::table(&IMAGES);
    for resource in &mut resources.items {
        if resource.kind() == "CustomResourceDefinition" {
            continue;
        }
        if let Value::Object(map) = &mut resource.object {
            updater
                .walk(map)
                .map_err(|message| format!("{}: {message}", resource.describe()))?;
        }
        for spec in &specs {
            fieldspec::apply(
                &mut resource.object,
                spec,
                CreateAs::Nothing,
                &mut |node: &mut Value| updater.update(node),
            )
            .map_err(|message| format!("{}: {message}", resource.describe()))?;
        }
    }
    Ok(())
}

struct Updater<'a> {
    image: &'a Image,
    matcher: Regex,
}

impl Updater<'_> {
    /// Visits every map; a `containers` or `initContainers` list has its images updated.
    fn walk(&self, map: &mut Map<String, Value>) -> Result<(), String> {
        for (key, value) in map.iter_mut() {
            self.walk_value(value)?;
            if (key == "containers" || key == "initContainers")
                && let Value::Array(containers) = value
            {
                for container in containers {
                    if let Some(image) = container
                        .as_object_mut()
                        .and_then(|container| container.get_mut("image"))
                    {
                        self.update(image)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn walk_value(&self, value: &mut Value) -> Result<(), String> {
        match value {
            Value::Object(map) => self.walk(map),
            Value::Array(items) => items.iter_mut().try_for_each(|item| self.walk_value(item)),
            _ => Ok(()),
        }
    }

    /// Rewrites one image reference if its name matches.
    fn update(&self, node: &mut Value) -> Result<(), String> {
        if node.is_array() || node.is_object() {
            return Err("wrong node kind: an image must be a scalar".into());
        }
        let value = scalar_text(node);
        if !self.matcher.is_match(&value) {
            return Ok(());
        }
        let (name, mut tag, mut digest) = split(&value);
        let mut name = name.to_string();
        let image = self.image;
        if !image.new_name.is_empty() {
            name = image.new_name.clone();
        }
        if !image.new_tag.is_empty() && !image.digest.is_empty() {
            tag = image.new_tag.clone();
            digest = image.digest.clone();
        } else if !image.new_tag.is_empty() {
            tag = image.new_tag.clone();
            digest = String::new();
        } else if !image.digest.is_empty() {
            tag = String::new();
            digest = image.digest.clone();
        } else if !image.tag_suffix.is_empty() {
            tag.push_str(&image.tag_suffix);
            digest = String::new();
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        *node = Value::String(name);
        Ok(())
    }
}

/// Splits an image reference into name, tag and digest; a registry port is not a tag.
pub(crate) fn split(image: &str) -> (&str, String, String) {
    let offset = match image.find('/') {
        Some(index) if index > 0 => index,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@').map(|index| index + offset);
    let colon = search.find(':').map(|index| index + offset);
    match (colon, at) {
        (None, None) => (image, String::new(), String::new()),
        (colon, Some(at)) if colon.is_none_or(|colon| at < colon) => {
            (&image[..at], String::new(), image[at + 1..].to_string())
        }
        (Some(colon), Some(at)) => (
            &image[..colon],
            image[colon + 1..at].to_string(),
            image[at + 1..].to_string(),
        ),
        (Some(colon), None) => (
            &image[..colon],
            image[colon + 1..].to_string(),
            String::new(),
        ),
        (None, Some(_)) => unreachable!("handled by the digest-only arm"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;
    use ferry_types::Origin;
    use serde_json::json;

    #[test]
    fn splitting_ignores_a_registry_port() {
        assert_eq!(
            split("localhost:5000/app:1.0"),
            ("localhost:5000/app", "1.0".into(), String::new())
        );
        assert_eq!(
            split("app@sha256:abc"),
            ("app", String::new(), "sha256:abc".into())
        );
        assert_eq!(
            split("app:1@sha256:abc"),
            ("app", "1".into(), "sha256:abc".into())
        );
        assert_eq!(split("app"), ("app", String::new(), String::new()));
    }

    fn images(image: Image) -> Value {
        let object = json!({"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"template": {"spec": {
            "initContainers": [{"image": "nginx"}], "containers": [{"image": "nginx:1.0"}, {"image": "nginx-other:1"}]}}}});
        let mut resources = ResMap {
            items: vec![Resource::new(object, Origin::default())],
        };
        apply_image(&mut resources, &image).unwrap();
        resources.items.remove(0).object["spec"]["template"]["spec"].clone()
    }

    #[test]
    fn a_new_tag_replaces_tags_of_matching_images_only() {
        let spec = images(Image {
            name: "nginx".into(),
            new_tag: "2".into(),
            ..Image::default()
        });
        assert_eq!(spec["initContainers"][0]["image"], "nginx:2");
        assert_eq!(spec["containers"][0]["image"], "nginx:2");
        assert_eq!(spec["containers"][1]["image"], "nginx-other:1");
    }

    #[test]
    fn a_tag_suffix_is_applied_twice_as_kustomize_does() {
        let spec = images(Image {
            name: "nginx".into(),
            tag_suffix: "-x".into(),
            ..Image::default()
        });
        assert_eq!(spec["containers"][0]["image"], "nginx:1.0-x-x");
    }
}
