//! A CRD's structural schema applied to its custom resources: fields the schema does not
//! describe are pruned (unless `x-kubernetes-preserve-unknown-fields`), and `default`s fill
//! missing fields of objects that are present. `apiVersion`, `kind` and `metadata` are left to
//! the metadata rules.

use serde_json::{Map, Value};

/// Prunes unknown fields of a custom resource, then fills its defaults.
pub fn apply(object: &mut Value, schema: &Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    for (key, value) in map.iter_mut() {
        if matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        if let Some(property) = property(schema, key) {
            prune(value, property);
        }
    }
    prune_nulls(map, schema);
    let preserve = preserves_unknown(schema);
    map.retain(|key, _| {
        matches!(key.as_str(), "apiVersion" | "kind" | "metadata")
            || preserve
            || property(schema, key).is_some()
    });
    fill_defaults(map, schema);
}

fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.get("properties")?.get(name)
}

fn preserves_unknown(schema: &Value) -> bool {
    schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
}

/// Null values of properties that are not `nullable` are dropped before defaulting (a default
/// then fills them), as the real server does.
fn prune_nulls(map: &mut Map<String, Value>, schema: &Value) {
    map.retain(|key, value| {
        !value.is_null()
            || matches!(key.as_str(), "apiVersion" | "kind" | "metadata")
            || property(schema, key).is_none_or(is_nullable)
    });
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

fn prune(value: &mut Value, schema: &Value) {
    match value {
        Value::Object(map) => {
            prune_nulls(map, schema);
            let additional = schema.get("additionalProperties");
            let preserve = preserves_unknown(schema) || additional == Some(&Value::Bool(true));
            if schema.get("properties").is_none() && additional.is_none() && !preserve {
                if schema.get("type").and_then(Value::as_str) == Some("object") {
                    map.clear();
                }
                return;
            }
            map.retain(|key, _| {
                preserve
                    || property(schema, key).is_some()
                    || additional.is_some_and(Value::is_object)
            });
            for (key, child) in map.iter_mut() {
                match property(schema, key) {
                    Some(child_schema) => prune(child, child_schema),
                    None => {
                        if let Some(additional @ Value::Object(_)) = additional {
                            prune(child, additional);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(items_schema) = schema.get("items").filter(|items| items.is_object()) {
                for item in items {
                    prune(item, items_schema);
                }
            }
        }
        _ => {}
    }
}

fn fill_defaults(map: &mut Map<String, Value>, schema: &Value) {
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (name, property) in properties {
            if let Some(default) = property.get("default")
                && map
                    .get(name)
                    .is_none_or(|value| value.is_null() && !is_nullable(property))
                && !matches!(name.as_str(), "apiVersion" | "kind" | "metadata")
            {
                map.insert(name.clone(), default.clone());
            }
        }
    }
    for (key, value) in map.iter_mut() {
        let child_schema = match property(schema, key) {
            Some(child) => child,
            None => match schema.get("additionalProperties") {
                Some(additional @ Value::Object(_)) => additional,
                _ => continue,
            },
        };
        default_value(value, child_schema);
    }
}

fn default_value(value: &mut Value, schema: &Value) {
    match value {
        Value::Object(map) => fill_defaults(map, schema),
        Value::Array(items) => {
            if let Some(items_schema) = schema.get("items").filter(|items| items.is_object()) {
                for item in items {
                    default_value(item, items_schema);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_pruned_and_defaults_filled() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "size": {"type": "integer"},
            "color": {"type": "string", "default": "green"},
            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }}}});
        let mut object = json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "a"},
            "spec": {"size": 3, "bogus": true, "extra": {"anything": {"goes": 1}}}, "other": 1});
        apply(&mut object, &schema);
        assert_eq!(
            object,
            json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "a"},
                "spec": {"size": 3, "extra": {"anything": {"goes": 1}}, "color": "green"}})
        );
    }
}
