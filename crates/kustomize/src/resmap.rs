//! The ordered set of resources a kustomization accumulates, with kustomize's rules for
//! adding to it: unique identities, and generator `behavior` for generated objects.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::resource::{Behavior, Generated, Resource};
use crate::{Error, Result};

/// Resources in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct ResMap {
    pub items: Vec<Resource>,
}

impl ResMap {
    /// Adds resources, refusing any whose identity is already present.
    pub fn append_all(&mut self, incoming: Vec<Resource>) -> Result<()> {
        let mut known: HashMap<_, usize> = self
            .items
            .iter()
            .enumerate()
            .map(|(index, resource)| (resource.cur_id().key(), index))
            .collect();
        for resource in incoming {
            let key = resource.cur_id().key();
            if let Some(&index) = known.get(&key) {
                return Err(duplicate(&self.items[index], &resource));
            }
            known.insert(key, self.items.len());
            self.items.push(resource);
        }
        Ok(())
    }

    /// Adds a generated resource following its `behavior`: create it, or merge into or
    /// replace the one resource with the same (current or previous) identity.
    pub fn absorb(&mut self, mut resource: Resource, generator: &str) -> Result<()> {
        let id = resource.cur_id();
        let matches: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, existing)| {
                !existing.is_deleted() && existing.all_ids().iter().any(|other| other.equals(&id))
            })
            .map(|(index, _)| index)
            .collect();
        let behavior = resource
            .generated
            .map(|generated| generated.behavior)
            .unwrap_or_default();
        match matches.as_slice() {
            [] => match behavior {
                Behavior::Merge | Behavior::Replace => Err(Error::InvalidObject {
                    origin: generator.to_string(),
                    message: format!("id {id} does not exist; cannot merge or replace"),
                }),
                _ => self.append_all(vec![resource]),
            },
            [index] => {
                let old = &self.items[*index];
                match behavior {
                    Behavior::Replace => {
                        copy_merge_metadata(&mut resource, old);
                    }
                    Behavior::Merge => {
                        copy_merge_metadata(&mut resource, old);
                        merge_data(&mut resource, old, "data");
                        merge_data(&mut resource, old, "binaryData");
                        resource.origin = old.origin.clone();
                    }
                    _ => {
                        return Err(Error::InvalidObject {
                            origin: generator.to_string(),
                            message: format!(
                                "id {id} exists; behavior must be merge or replace, not {:?}",
                                behavior.as_str()
                            ),
                        });
                    }
                }
                self.items[*index] = resource;
                Ok(())
            }
            _ => Err(Error::InvalidObject {
                origin: generator.to_string(),
                message: format!("found multiple objects that could accept merge of {id}"),
            }),
        }
    }

    /// Drops resources that a patch deleted.
    pub fn drop_deleted(&mut self) {
        self.items.retain(|resource| !resource.is_deleted());
    }
}

/// The error for two resources with one identity, naming where each was declared.
pub(crate) fn duplicate(first: &Resource, second: &Resource) -> Error {
    Error::Duplicate {
        id: second.cur_id().to_string(),
        first: first.origin.to_string(),
        second: second.origin.to_string(),
    }
}

/// kustomize's `CopyMergeMetaDataFieldsFrom`: labels and annotations merged (the new object
/// wins), name and namespace and build bookkeeping taken from the old object.
fn copy_merge_metadata(resource: &mut Resource, old: &Resource) {
    for field in ["labels", "annotations"] {
        let mut merged = old.metadata_map(field);
        merged.extend(resource.metadata_map(field));
        resource.set_metadata_map(field, merged);
    }
    resource.set_name(old.name());
    resource.set_namespace(old.namespace());
    let needs_hash = resource
        .generated
        .is_some_and(|generated| generated.needs_hash);
    resource.generated = old.generated.map(|generated| Generated {
        behavior: generated.behavior,
        needs_hash: generated.needs_hash && needs_hash,
    });
    resource.previous = old.previous.clone();
    resource.prefixes = old.prefixes.clone();
    resource.suffixes = old.suffixes.clone();
}

/// Merges a string map (`data`, `binaryData`) of the old object under the new one's.
fn merge_data(resource: &mut Resource, old: &Resource, field: &str) {
    let mut merged: Map<String, Value> = string_entries(old.object.get(field));
    merged.extend(string_entries(resource.object.get(field)));
    let object = crate::resource::object_mut(&mut resource.object);
    if merged.is_empty() {
        object.remove(field);
    } else {
        object.insert(field.to_string(), Value::Object(merged));
    }
}

fn string_entries(value: Option<&Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(key, value)| {
                (
                    key.clone(),
                    Value::String(crate::resource::scalar_text(value)),
                )
            })
            .collect(),
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    fn config_map(name: &str, data: Value, file: &str) -> Resource {
        Resource::new(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}),
            Origin {
                file: file.into(),
                document: 0,
                line: 1,
            },
        )
    }

    #[test]
    fn adding_the_same_identity_twice_names_both_origins() {
        let mut map = ResMap::default();
        map.append_all(vec![config_map("a", json!({}), "one.yaml")])
            .unwrap();
        let error = map
            .append_all(vec![config_map("a", json!({}), "two.yaml")])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("one.yaml:1") && error.contains("two.yaml:1"),
            "{error}"
        );
    }

    #[test]
    fn merge_behavior_keeps_old_keys_and_lets_new_ones_win() {
        let mut map = ResMap::default();
        let mut base = config_map("a", json!({"x": "1", "y": "1"}), "base");
        base.generated = Some(Generated {
            behavior: Behavior::Unspecified,
            needs_hash: true,
        });
        map.append_all(vec![base]).unwrap();
        let mut overlay = config_map("a", json!({"y": "2"}), "overlay");
        overlay.generated = Some(Generated {
            behavior: Behavior::Merge,
            needs_hash: true,
        });
        map.absorb(overlay, "overlay").unwrap();
        assert_eq!(map.items[0].object["data"], json!({"x": "1", "y": "2"}));
        assert!(map.items[0].generated.unwrap().needs_hash);
    }
}
