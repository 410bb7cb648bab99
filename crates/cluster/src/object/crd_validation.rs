//! Validation of a custom resource against its CRD's `openAPIV3Schema`, pure: schema and value
//! in, causes out, worded like the real apiserver's (kube-openapi's messages wrapped in field
//! errors): types (with `nullable` and `x-kubernetes-int-or-string`), `required`, `enum`, number
//! bounds, string lengths and `pattern`, item counts, `x-kubernetes-list-type` set/map
//! uniqueness, `additionalProperties` values, `format` int32/int64. Also lists the fields a
//! schema does not know (`fieldValidation`), which pruning then drops.
//!
//! `apiVersion`, `kind` and `metadata` are left to the metadata rules, as the real server does.

use serde_json::{Map, Value};

use crate::http::status::{Cause, go_value};

/// Every problem of `object` against `schema`, in the order the fields appear.
pub fn validate(object: &Value, schema: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let Some(map) = object.as_object() else {
        return causes;
    };
    let body: Map<String, Value> = map
        .iter()
        .filter(|(key, _)| !is_meta(key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let mut root = schema.clone();
    if let Some(required) = root.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| !name.as_str().is_some_and(is_meta));
    }
    check_object(&body, &root, "", &mut causes);
    causes
}

/// The fields of `object` that `schema` does not describe (and does not preserve), as the real
/// server names them in `unknown field "spec.bogus"`, in the order they appear.
pub fn unknown_fields(object: &Value, schema: &Value) -> Vec<String> {
    let mut unknown = Vec::new();
    if let Some(map) = object.as_object() {
        let body: Map<String, Value> = map
            .iter()
            .filter(|(key, _)| !is_meta(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        collect_unknown(&Value::Object(body), schema, "", &mut unknown);
    }
    unknown
}

/// The unknown fields of a custom resource: those of its metadata (pruned here) then those its
/// schema does not describe (pruned later, with the schema's defaults).
pub fn unknown_in_custom(object: &mut Value, schema: Option<&Value>) -> Vec<String> {
    let mut unknown = super::fields::prune_unknown_metadata(object);
    if let Some(schema) = schema {
        unknown.extend(unknown_fields(object, schema));
    }
    unknown
}

fn is_meta(key: &str) -> bool {
    matches!(key, "apiVersion" | "kind" | "metadata")
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn flag(schema: &Value, name: &str) -> bool {
    schema.get(name) == Some(&Value::Bool(true))
}

fn collect_unknown(value: &Value, schema: &Value, path: &str, unknown: &mut Vec<String>) {
    if flag(schema, "x-kubernetes-preserve-unknown-fields") {
        // Known properties below a preserving object are still typed.
        if let (Value::Object(map), Some(Value::Object(properties))) =
            (value, schema.get("properties"))
        {
            for (key, child_value) in map {
                if let Some(child_schema) = properties.get(key) {
                    collect_unknown(child_value, child_schema, &child(path, key), unknown);
                }
            }
        }
        return;
    }
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            for (key, child_value) in map {
                let child_path = child(path, key);
                match (
                    properties.and_then(|properties| properties.get(key)),
                    additional,
                ) {
                    (Some(child_schema), _) => {
                        collect_unknown(child_value, child_schema, &child_path, unknown);
                    }
                    (None, Some(Value::Bool(true))) => {}
                    (None, Some(child_schema @ Value::Object(_))) => {
                        collect_unknown(child_value, child_schema, &child_path, unknown);
                    }
                    (None, _) if properties.is_none() && schema.get("type").is_none() => {}
                    (None, _) => unknown.push(child_path),
                }
            }
        }
        Value::Array(items) => {
            if let Some(items_schema) = schema.get("items").filter(|items| items.is_object()) {
                for (index, item) in items.iter().enumerate() {
                    collect_unknown(item, items_schema, &format!("{path}[{index}]"), unknown);
                }
            }
        }
        _ => {}
    }
}

/// The JSON type of a value as kube-openapi names it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_invalid(path: &str, actual: &str, expected: &str) -> Cause {
    Cause {
        reason: "FieldValueTypeInvalid",
        message: format!(
            "Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\""
        ),
        field: path.to_string(),
    }
}

/// The default branch of the real conversion: `Invalid value: <value>: <path> in body <detail>`.
fn invalid(path: &str, value: &Value, detail: &str) -> Cause {
    Cause::invalid(path, value, &format!("{path} in body {detail}"))
}

/// A number as Go's `%v` prints a float64 bound: integral values without a fraction.
fn bound(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e21 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}

/// Whether `value` has the schema's type; `None` when the schema names no type.
fn type_matches(value: &Value, schema: &Value) -> Result<(), String> {
    let actual = type_name(value);
    if flag(schema, "x-kubernetes-int-or-string") {
        return if matches!(actual, "integer" | "string") {
            Ok(())
        } else {
            Err("integer,string".to_string())
        };
    }
    let Some(expected) = schema.get("type").and_then(Value::as_str) else {
        return Ok(());
    };
    let matches = actual == expected || (expected == "number" && actual == "integer");
    if matches {
        Ok(())
    } else {
        Err(expected.to_string())
    }
}

fn check(value: &Value, schema: &Value, path: &str, causes: &mut Vec<Cause>) {
    if value.is_null() {
        if flag(schema, "nullable") {
            return;
        }
        if let Err(expected) = type_matches(value, schema) {
            causes.push(type_invalid(path, "null", &expected));
        }
        return;
    }
    if let Err(expected) = type_matches(value, schema) {
        causes.push(type_invalid(path, type_name(value), &expected));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.iter().any(|candidate| same(candidate, value))
    {
        let supported: Vec<String> = allowed
            .iter()
            .map(|candidate| match candidate {
                Value::String(text) => format!("\"{text}\""),
                other => format!("\"{other}\""),
            })
            .collect();
        causes.push(Cause {
            reason: "FieldValueNotSupported",
            message: format!(
                "Unsupported value: {}: supported values: {}",
                go_value(value),
                supported.join(", ")
            ),
            field: path.to_string(),
        });
    }
    match value {
        Value::String(text) => check_string(value, text, schema, path, causes),
        Value::Number(number) => {
            if let Some(number) = number.as_f64() {
                check_number(value, number, schema, path, causes);
            }
        }
        Value::Array(items) => check_array(items, schema, path, causes),
        Value::Object(map) => check_object(map, schema, path, causes),
        Value::Bool(_) | Value::Null => {}
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        _ => left == right,
    }
}

fn check_string(value: &Value, text: &str, schema: &Value, path: &str, causes: &mut Vec<Cause>) {
    let length = text.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && length > max
    {
        let unit = if max == 1 { "byte" } else { "bytes" };
        causes.push(Cause {
            reason: "FieldValueTooLong",
            message: format!("Too long: may not be more than {max} {unit}"),
            field: path.to_string(),
        });
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && length < min
    {
        causes.push(invalid(
            path,
            value,
            &format!("should be at least {min} chars long"),
        ));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && let Ok(expression) = regex::Regex::new(pattern)
        && !expression.is_match(text)
    {
        causes.push(invalid(path, value, &format!("should match '{pattern}'")));
    }
}

fn check_number(value: &Value, number: f64, schema: &Value, path: &str, causes: &mut Vec<Cause>) {
    let format = schema.get("format").and_then(Value::as_str);
    let range = match format {
        Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
        Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
        _ => None,
    };
    if let (Some((low, high)), Some(format)) = (range, format)
        && (number < low || number > high)
    {
        causes.push(invalid(path, value, &format!("must be of type {format}")));
    }
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64) {
        if flag(schema, "exclusiveMinimum") {
            if number <= minimum {
                let detail = format!("should be greater than {}", bound(minimum));
                causes.push(invalid(path, value, &detail));
            }
        } else if number < minimum {
            let detail = format!("should be greater than or equal to {}", bound(minimum));
            causes.push(invalid(path, value, &detail));
        }
    }
    if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64) {
        if flag(schema, "exclusiveMaximum") {
            if number >= maximum {
                let detail = format!("should be less than {}", bound(maximum));
                causes.push(invalid(path, value, &detail));
            }
        } else if number > maximum {
            let detail = format!("should be less than or equal to {}", bound(maximum));
            causes.push(invalid(path, value, &detail));
        }
    }
    if let Some(factor) = schema.get("multipleOf").and_then(Value::as_f64)
        && factor > 0.0
        && (number / factor).fract() != 0.0
    {
        let detail = format!("should be a multiple of {}", bound(factor));
        causes.push(invalid(path, value, &detail));
    }
}

fn check_array(items: &[Value], schema: &Value, path: &str, causes: &mut Vec<Cause>) {
    let count = items.len() as u64;
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
        && count > max
    {
        let unit = if max == 1 { "item" } else { "items" };
        causes.push(Cause {
            reason: "FieldValueTooMany",
            message: format!("Too many: {count}: must have at most {max} {unit}"),
            field: path.to_string(),
        });
    }
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
        && count < min
    {
        causes.push(invalid(
            path,
            &Value::from(count),
            &format!("should have at least {min} items"),
        ));
    }
    let items_schema = schema.get("items").filter(|items| items.is_object());
    for (index, item) in items.iter().enumerate() {
        if let Some(items_schema) = items_schema {
            check(item, items_schema, &format!("{path}[{index}]"), causes);
        }
    }
    match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => {
            for (index, item) in items.iter().enumerate() {
                if items[..index].iter().any(|earlier| same(earlier, item)) {
                    causes.push(Cause::duplicate(&format!("{path}[{index}]"), item));
                }
            }
        }
        Some("map") => {
            let keys: Vec<&str> = schema
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|keys| keys.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let key_of = |item: &Value| -> Vec<Value> {
                keys.iter()
                    .map(|key| item.get(*key).cloned().unwrap_or(Value::Null))
                    .collect()
            };
            for (index, item) in items.iter().enumerate() {
                let key = key_of(item);
                if items[..index].iter().any(|earlier| key_of(earlier) == key) {
                    causes.push(Cause {
                        reason: "FieldValueDuplicate",
                        message: format!("Duplicate value: {}", go_map(&keys, &key)),
                        field: format!("{path}[{index}]"),
                    });
                }
            }
        }
        _ => {}
    }
}

/// Go's `%#v` of the `map[string]interface{}` of a list-map key.
fn go_map(names: &[&str], values: &[Value]) -> String {
    let mut pairs: Vec<(&str, &Value)> = names.iter().copied().zip(values).collect();
    pairs.sort_by_key(|(name, _)| *name);
    let body: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("\"{name}\":{}", go_value(value)))
        .collect();
    format!("map[string]interface {{}}{{{}}}", body.join(", "))
}

fn check_object(map: &Map<String, Value>, schema: &Value, path: &str, causes: &mut Vec<Cause>) {
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema
        .get("additionalProperties")
        .filter(|additional| additional.is_object());
    for (key, value) in map {
        let child_schema = properties
            .and_then(|properties| properties.get(key))
            .or(additional);
        if let Some(child_schema) = child_schema {
            check(value, child_schema, &child(path, key), causes);
        }
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(name) {
            causes.push(Cause::required(&child(path, name), ""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn widget_schema() -> Value {
        json!({"type": "object", "required": ["spec"], "properties": {
            "spec": {"type": "object", "required": ["size"], "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10},
                "color": {"type": "string", "enum": ["red", "green", "blue"]},
                "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
                "tags": {"type": "array", "maxItems": 2, "minItems": 1,
                    "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "ports": {"type": "array", "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "port": {"type": "integer", "format": "int32"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": true},
                "ratio": {"type": "number", "nullable": true},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
            }},
            "status": {"type": "object", "properties": {"phase": {"type": "string"}}}
        }})
    }

    fn messages(object: Value) -> Vec<String> {
        validate(&object, &widget_schema())
            .into_iter()
            .map(|cause| format!("{}: {} ({})", cause.field, cause.message, cause.reason))
            .collect()
    }

    #[test]
    fn a_valid_custom_resource_has_no_causes() {
        let object = json!({"apiVersion": "x/v1", "kind": "Widget", "metadata": {"name": "a"},
            "spec": {"size": 3, "color": "red", "name": "abc", "tags": ["a"],
                "ports": [{"name": "http", "port": 80}], "labels": {"a": "b"}, "port": "http",
                "ratio": null, "extra": {"anything": [1, {"goes": true}]}}});
        assert_eq!(messages(object), Vec::<String>::new());
    }

    #[test]
    fn a_wrong_type_is_reported_with_the_json_type_names() {
        let object =
            json!({"spec": {"size": "two", "ratio": 1.5, "labels": {"a": 1}, "port": 1.5}});
        assert_eq!(
            messages(object),
            vec![
                "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\" (FieldValueTypeInvalid)",
                "spec.labels.a: Invalid value: \"integer\": spec.labels.a in body must be of type string: \"integer\" (FieldValueTypeInvalid)",
                "spec.port: Invalid value: \"number\": spec.port in body must be of type integer,string: \"number\" (FieldValueTypeInvalid)",
            ]
        );
    }

    #[test]
    fn missing_required_fields_are_reported_at_every_level() {
        assert_eq!(
            messages(json!({"metadata": {"name": "a"}})),
            vec!["spec: Required value (FieldValueRequired)"]
        );
        assert_eq!(
            messages(json!({"spec": {"ports": [{"port": 1}]}})),
            vec![
                "spec.ports[0].name: Required value (FieldValueRequired)",
                "spec.size: Required value (FieldValueRequired)",
            ]
        );
    }

    #[test]
    fn enums_bounds_lengths_patterns_and_counts_are_checked() {
        let object = json!({"spec": {"size": 0, "color": "pink", "name": "ABCDEF",
            "tags": ["a", "b", "a"]}});
        assert_eq!(
            messages(object),
            vec![
                "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1 (FieldValueInvalid)",
                "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\" (FieldValueNotSupported)",
                "spec.name: Too long: may not be more than 5 bytes (FieldValueTooLong)",
                "spec.name: Invalid value: \"ABCDEF\": spec.name in body should match '^[a-z]+$' (FieldValueInvalid)",
                "spec.tags: Too many: 3: must have at most 2 items (FieldValueTooMany)",
                "spec.tags[2]: Duplicate value: \"a\" (FieldValueDuplicate)",
            ]
        );
        let object = json!({"spec": {"size": 11, "name": "a", "tags": []}});
        assert_eq!(
            messages(object),
            vec![
                "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10 (FieldValueInvalid)",
                "spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long (FieldValueInvalid)",
                "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items (FieldValueInvalid)",
            ]
        );
    }

    #[test]
    fn list_map_keys_must_be_unique_and_int32_must_fit() {
        let object = json!({"spec": {"size": 1, "ports": [
            {"name": "http", "port": 80}, {"name": "http", "port": 3000000000u64}]}});
        assert_eq!(
            messages(object),
            vec![
                "spec.ports[1].port: Invalid value: 3000000000: spec.ports[1].port in body must be of type int32 (FieldValueInvalid)",
                "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"http\"} (FieldValueDuplicate)",
            ]
        );
    }

    #[test]
    fn null_is_refused_unless_nullable() {
        let object = json!({"spec": {"size": 1, "tags": [null], "ratio": null}});
        assert_eq!(
            messages(object),
            vec![
                "spec.tags[0]: Invalid value: \"null\": spec.tags[0] in body must be of type string: \"null\" (FieldValueTypeInvalid)"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_named_by_path_except_where_preserved() {
        let object = json!({"apiVersion": "x/v1", "kind": "Widget", "metadata": {"name": "a"},
            "spec": {"size": 1, "bogus": 1, "ports": [{"name": "a", "nope": 2}],
                "labels": {"free": "x"}, "extra": {"anything": 1}},
            "other": {}});
        assert_eq!(
            unknown_fields(&object, &widget_schema()),
            vec!["spec.bogus", "spec.ports[0].nope", "other"]
        );
    }
}
