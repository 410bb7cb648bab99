//! RFC 6902 JSON patch: a list of operations applied to a document by the `json-patch` crate,
//! each first adjusted to the leniencies of the Go library kubectl and kustomize use
//! (evanphx/json-patch v4).

use serde_json::{Map, Value, json};

use crate::error::{Error, Result, json_type};

/// Applies the RFC 6902 `operations` (a JSON list of `add`, `remove`, `replace`, `move`, `copy`
/// and `test` operations) to `base`, all or nothing, as kubectl and kustomize do. Beyond the
/// RFC that means: a `replace` of a missing object field adds it, negative array indices count
/// from the end, an `add` or `replace` without `value` sets null, a `copy` from a missing
/// object field copies null, a `test` for null passes on a missing field and compares numbers
/// by value, and the document root can only be replaced (by an object or a list) or tested.
pub fn json6902(base: &Value, operations: &Value) -> Result<Value> {
    let Value::Array(operations) = operations else {
        return Err(Error::OperationsNotAList {
            found: json_type(operations),
        });
    };
    let mut document = base.clone();
    for (index, operation) in operations.iter().enumerate() {
        let steps = go_compatible(&document, operation).map_err(|reason| Error::NotApplicable {
            operation: index,
            reason,
        })?;
        let steps: json_patch::Patch =
            serde_json::from_value(Value::Array(steps)).map_err(|source| {
                Error::InvalidOperation {
                    operation: index,
                    source,
                }
            })?;
        json_patch::patch(&mut document, &steps).map_err(|error| Error::JsonPatch {
            operation: index,
            path: error.path.to_string(),
            source: error.kind,
        })?;
    }
    Ok(document)
}

/// The operation rewritten as the RFC 6902 steps that do what evanphx/json-patch v4 (kubectl's
/// and kustomize's library) does with it: none when it does nothing, an error when it refuses.
fn go_compatible(document: &Value, operation: &Value) -> Result<Vec<Value>, &'static str> {
    let Value::Object(fields) = operation else {
        return Ok(vec![operation.clone()]);
    };
    let mut fields = fields.clone();
    let op = fields
        .get("op")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if matches!(op.as_str(), "add" | "replace") && !fields.contains_key("value") {
        fields.insert("value".into(), Value::Null);
    }
    let is_root = |name: &str| fields.get(name).and_then(Value::as_str) == Some("");
    match op.as_str() {
        "add" | "copy" | "move" | "remove" if is_root("path") => {
            return Err("the document root cannot be added to or removed");
        }
        "copy" | "move" if is_root("from") => {
            return Err("the document root cannot be copied or moved");
        }
        "replace" if is_root("path") => {
            let container = fields
                .get("value")
                .is_some_and(|value| value.is_object() || value.is_array());
            return Ok(if container {
                vec![Value::Object(fields)]
            } else {
                Vec::new()
            });
        }
        _ => {}
    }
    rewrite_pointer(document, &mut fields, "from", false);
    if op == "move" {
        // Go removes the source, then adds it at the destination, read after the removal.
        let from = fields
            .get("from")
            .and_then(Value::as_str)
            .and_then(parse_pointer);
        if let Some(Lookup::Found(value)) = from.as_ref().map(|tokens| lookup(document, tokens)) {
            let removal =
                json!({"op": "remove", "path": fields.get("from").cloned().unwrap_or_default()});
            let mut after = document.clone();
            if let Ok(step) = serde_json::from_value::<json_patch::PatchOperation>(removal.clone())
                && json_patch::patch(&mut after, std::slice::from_ref(&step)).is_ok()
            {
                rewrite_pointer(&after, &mut fields, "path", true);
                let path = fields.get("path").cloned().unwrap_or_default();
                return Ok(vec![
                    removal,
                    json!({"op": "add", "path": path, "value": value}),
                ]);
            }
        }
    } else {
        rewrite_pointer(
            document,
            &mut fields,
            "path",
            matches!(op.as_str(), "add" | "copy"),
        );
    }
    let found = |name: &str| -> Lookup<'_> {
        fields
            .get(name)
            .and_then(Value::as_str)
            .and_then(parse_pointer)
            .map_or(Lookup::NoParent, |tokens| lookup(document, &tokens))
    };
    match op.as_str() {
        "replace" if matches!(found("path"), Lookup::MissingField) => {
            fields.insert("op".into(), "add".into());
        }
        "copy" if matches!(found("from"), Lookup::MissingField) => {
            fields.insert("op".into(), "add".into());
            fields.insert("value".into(), Value::Null);
            fields.remove("from");
        }
        "test" => match (found("path"), fields.get("value")) {
            (Lookup::MissingField, None | Some(Value::Null)) => return Ok(Vec::new()),
            (Lookup::Found(actual), Some(expected)) if loosely_equal(actual, expected) => {
                fields.insert("value".into(), actual.clone());
            }
            _ => {}
        },
        _ => {}
    }
    Ok(vec![Value::Object(fields)])
}

/// What a pointer points at.
enum Lookup<'a> {
    /// A value.
    Found(&'a Value),
    /// Nothing, in an object that exists.
    MissingField,
    /// Nothing, and no object to hold it.
    NoParent,
}

fn lookup<'a>(document: &'a Value, tokens: &[String]) -> Lookup<'a> {
    let Some((last, parent)) = tokens.split_last() else {
        return Lookup::Found(document);
    };
    match resolve(document, parent) {
        Some(Value::Object(map)) => map
            .get(last.as_str())
            .map_or(Lookup::MissingField, Lookup::Found),
        Some(Value::Array(items)) => last
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get(index))
            .map_or(Lookup::NoParent, Lookup::Found),
        _ => Lookup::NoParent,
    }
}

/// Equality as Go sees it after decoding JSON: all numbers are floats.
fn loosely_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| loosely_equal(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, value)| {
                    right
                        .get(key)
                        .is_some_and(|other| loosely_equal(value, other))
                })
        }
        _ => left == right,
    }
}

/// Rewrites the array indices of the pointer in `fields[name]` the way Go reads them: with a
/// sign or leading zeros, and negative ones counted from the end (for an insertion, from one
/// past the end).
fn rewrite_pointer(document: &Value, fields: &mut Map<String, Value>, name: &str, inserts: bool) {
    let Some(mut tokens) = fields
        .get(name)
        .and_then(Value::as_str)
        .and_then(parse_pointer)
    else {
        return;
    };
    let count = tokens.len();
    let mut current = Some(document);
    for (position, token) in tokens.iter_mut().enumerate() {
        current = match current {
            Some(Value::Array(items)) => {
                if let Ok(index) = token.parse::<i64>() {
                    let last_insert = inserts && position + 1 == count;
                    let length = i64::try_from(items.len())
                        .unwrap_or(i64::MAX)
                        .saturating_add(i64::from(last_insert));
                    let index = if index < 0 {
                        index.saturating_add(length)
                    } else {
                        index
                    };
                    if index >= 0 {
                        *token = index.to_string();
                    }
                }
                token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| items.get(index))
            }
            Some(Value::Object(map)) => map.get(token.as_str()),
            _ => None,
        };
    }
    fields.insert(name.to_string(), Value::String(format_pointer(&tokens)));
}

/// The unescaped tokens of a JSON pointer; `None` if it is not one.
fn parse_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

fn format_pointer(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|token| format!("/{}", token.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn resolve<'a>(document: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens
        .iter()
        .try_fold(document, |current, token| match current {
            Value::Object(map) => map.get(token.as_str()),
            Value::Array(items) => items.get(token.parse::<usize>().ok()?),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn patched(operations: Value) -> Value {
        json6902(
            &json!({"m": {"a": 1}, "items": ["x", "y", "z"]}),
            &operations,
        )
        .unwrap()
    }

    #[test]
    fn operations_apply_in_order() {
        let result = patched(json!([
            {"op": "add", "path": "/m/b", "value": 2},
            {"op": "move", "from": "/m/b", "path": "/m/c"},
            {"op": "copy", "from": "/m/c", "path": "/items/0"},
            {"op": "remove", "path": "/items/3"},
            {"op": "test", "path": "/m/c", "value": 2}
        ]));
        assert_eq!(
            result,
            json!({"m": {"a": 1, "c": 2}, "items": [2, "x", "y"]})
        );
    }

    #[test]
    fn replace_of_a_missing_field_adds_it_as_kubectl_does() {
        assert_eq!(
            patched(json!([{"op": "replace", "path": "/m/b", "value": 2}]))["m"],
            json!({"a": 1, "b": 2})
        );
    }

    #[test]
    fn negative_indices_count_from_the_end_as_kubectl_does() {
        assert_eq!(
            patched(json!([{"op": "remove", "path": "/items/-1"}]))["items"],
            json!(["x", "y"])
        );
        assert_eq!(
            patched(json!([{"op": "add", "path": "/items/-1", "value": "w"}]))["items"],
            json!(["x", "y", "z", "w"])
        );
        assert_eq!(
            patched(json!([{"op": "replace", "path": "/items/-3", "value": "w"}]))["items"],
            json!(["w", "y", "z"])
        );
    }

    #[test]
    fn add_without_a_value_adds_null_and_test_for_null_passes_on_a_missing_field() {
        let result = patched(
            json!([{"op": "add", "path": "/m/n"}, {"op": "test", "path": "/m/missing", "value": null}]),
        );
        assert_eq!(result["m"], json!({"a": 1, "n": null}));
    }

    #[test]
    fn copy_from_a_missing_field_copies_null_and_move_counts_after_the_removal() {
        let result = patched(
            json!([{"op": "copy", "from": "/m/missing", "path": "/m/c"}, {"op": "move", "from": "/items/0", "path": "/items/-3"}]),
        );
        assert_eq!(
            result,
            json!({"m": {"a": 1, "c": null}, "items": ["x", "y", "z"]})
        );
        let result = patched(json!([{"op": "move", "from": "/items/0", "path": "/m/moved"}]));
        assert_eq!(
            result,
            json!({"m": {"a": 1, "moved": "x"}, "items": ["y", "z"]})
        );
    }

    #[test]
    fn the_root_can_only_be_replaced_by_a_container_or_tested() {
        assert_eq!(
            patched(json!([{"op": "replace", "path": "", "value": 1}])),
            patched(json!([]))
        );
        assert_eq!(
            patched(json!([{"op": "replace", "path": "", "value": [1]}])),
            json!([1])
        );
        let error =
            json6902(&json!({}), &json!([{"op": "add", "path": "", "value": {}}])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "json patch operation 0 could not be applied: the document root cannot be added to or removed"
        );
    }

    #[test]
    fn test_compares_numbers_by_value() {
        assert_eq!(
            patched(json!([{"op": "test", "path": "/m", "value": {"a": 1.0}}]))["m"],
            json!({"a": 1})
        );
    }

    #[test]
    fn escaped_pointer_tokens_survive_the_rewrite() {
        let base = json!({"a": {"b/c": {"~d": 1}}});
        let result = json6902(
            &base,
            &json!([{"op": "replace", "path": "/a/b~1c/~0d", "value": 2}]),
        )
        .unwrap();
        assert_eq!(result, json!({"a": {"b/c": {"~d": 2}}}));
    }

    #[test]
    fn a_failed_operation_is_named_by_its_index_and_path() {
        let operations = json!([{"op": "add", "path": "/m/b", "value": 2}, {"op": "test", "path": "/m/a", "value": 3}]);
        let error = json6902(&json!({"m": {"a": 1}}), &operations).unwrap_err();
        assert_eq!(
            error.to_string(),
            "json patch operation 1 failed at \"/m/a\": value did not match"
        );
    }

    #[test]
    fn malformed_operations_are_errors() {
        assert_eq!(
            json6902(&json!({}), &json!({})).unwrap_err().to_string(),
            "json patch operations must be a list, found an object"
        );
        let error = json6902(&json!({}), &json!([{"op": "explode", "path": "/a"}])).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("json patch operation 0 is invalid: unknown variant `explode`"),
            "{message}"
        );
    }
}
