//! Masking Secret values before anything about them is printed.

use std::collections::HashMap;

use serde_json::Value;

use crate::normalize::LAST_APPLIED;
use crate::object::is_secret;

/// The fields of a `v1` Secret that hold its values.
const VALUE_FIELDS: [&str; 2] = ["data", "stringData"];

/// Masks the values of `v1` Secrets on both sides of a diff. Every value under `data` and
/// `stringData` becomes an eight-character mask numbered per distinct value of that key
/// across both sides (`+++++++1`, `+++++++2`, …), so an unchanged value shows the same mask
/// on both sides and a changed one shows two different masks; numbering per key keeps equal
/// values under different keys from showing as equal. The Secret inside a
/// `kubectl.kubernetes.io/last-applied-configuration` annotation is masked the same way.
/// Anything that is not a `v1` Secret is returned unchanged.
pub fn mask_secrets(left: &Value, right: &Value) -> (Value, Value) {
    let mut masks = Masks::default();
    let mut left = left.clone();
    let mut right = right.clone();
    masks.mask_object(&mut left);
    masks.mask_object(&mut right);
    (left, right)
}

/// Numbers given so far, per field and key, to distinct values.
#[derive(Default)]
struct Masks {
    seen: HashMap<(String, String), Vec<Value>>,
}

impl Masks {
    fn mask_object(&mut self, object: &mut Value) {
        if !is_secret(object) {
            return;
        }
        for field in VALUE_FIELDS {
            match object.get_mut(field) {
                Some(Value::Object(values)) => {
                    for (key, value) in values.iter_mut() {
                        *value = self.mask(field, key, value);
                    }
                }
                Some(Value::Null) | None => {}
                Some(other) => *other = self.mask(field, "", other),
            }
        }
        let annotation = object
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
            .and_then(|annotations| annotations.get_mut(LAST_APPLIED));
        if let Some(annotation) = annotation {
            *annotation = self.mask_last_applied(annotation);
        }
    }

    fn mask_last_applied(&mut self, annotation: &Value) -> Value {
        let parsed = annotation
            .as_str()
            .and_then(|text| serde_json::from_str::<Value>(text).ok());
        match parsed {
            Some(mut applied) if is_secret(&applied) => {
                self.mask_object(&mut applied);
                Value::String(applied.to_string())
            }
            _ => self.mask("metadata.annotations", LAST_APPLIED, annotation),
        }
    }

    fn mask(&mut self, field: &str, key: &str, value: &Value) -> Value {
        let seen = self
            .seen
            .entry((field.to_string(), key.to_string()))
            .or_default();
        let number = match seen.iter().position(|known| known == value) {
            Some(position) => position + 1,
            None => {
                seen.push(value.clone());
                seen.len()
            }
        };
        Value::String(format!("{number:+>8}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": data})
    }

    #[test]
    fn equal_values_get_equal_masks_and_changed_values_different_ones() {
        let (left, right) = mask_secrets(
            &secret(json!({"user": "YWRtaW4=", "password": "b2xk"})),
            &secret(json!({"user": "YWRtaW4=", "password": "bmV3"})),
        );
        assert_eq!(
            left["data"],
            json!({"user": "+++++++1", "password": "+++++++1"})
        );
        assert_eq!(
            right["data"],
            json!({"user": "+++++++1", "password": "+++++++2"})
        );
    }

    #[test]
    fn string_data_and_the_last_applied_copy_are_masked() {
        let mut object = secret(json!({"token": "dG9rZW4="}));
        object["stringData"] = json!({"token": "token"});
        object["metadata"]["annotations"] = json!({
            LAST_APPLIED: "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"token\":\"token\"}}"
        });
        let (masked, _) = mask_secrets(&object, &Value::Null);
        let text = masked.to_string();
        assert!(
            !text.contains("dG9rZW4=") && !text.contains("\"token\":\"token\""),
            "{text}"
        );
        assert_eq!(masked["stringData"]["token"], "+++++++1");
    }

    #[test]
    fn other_kinds_are_untouched() {
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}});
        assert_eq!(mask_secrets(&config, &config), (config.clone(), config));
    }
}
