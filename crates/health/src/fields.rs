//! Typed reads of a live object's fields, by path, with errors that name the field.
//!
//! An absent field and a `null` one read as `None`; a field of the wrong type is an error, as
//! a typed client would fail to decode it.

use serde_json::Value;

use crate::error::{Error, Result};

/// The value at `path`, or `None` when a step is absent or `null`.
pub(crate) fn lookup<'a>(object: &'a Value, path: &[&str]) -> Result<Option<&'a Value>> {
    let mut current = object;
    for (depth, key) in path.iter().enumerate() {
        match current {
            Value::Object(map) => match map.get(*key) {
                Some(Value::Null) | None => return Ok(None),
                Some(next) => current = next,
            },
            Value::Null => return Ok(None),
            _ => return Err(wrong_type(&path[..depth], "an object")),
        }
    }
    Ok(Some(current))
}

/// An integer field. Whole floating-point numbers (`3.0`) count as integers.
pub(crate) fn integer(object: &Value, path: &[&str]) -> Result<Option<i64>> {
    match lookup(object, path)? {
        None => Ok(None),
        Some(value) => as_integer(value)
            .map(Some)
            .ok_or_else(|| wrong_type(path, "an integer")),
    }
}

/// An integer field that reads as zero when absent, as Kubernetes status counters do.
pub(crate) fn count(object: &Value, path: &[&str]) -> Result<i64> {
    Ok(integer(object, path)?.unwrap_or(0))
}

/// A string field.
pub(crate) fn string<'a>(object: &'a Value, path: &[&str]) -> Result<Option<&'a str>> {
    match lookup(object, path)? {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(wrong_type(path, "a string")),
    }
}

/// A string field that reads as empty when absent.
pub(crate) fn text<'a>(object: &'a Value, path: &[&str]) -> Result<&'a str> {
    Ok(string(object, path)?.unwrap_or(""))
}

/// A boolean field that reads as false when absent.
pub(crate) fn flag(object: &Value, path: &[&str]) -> Result<bool> {
    match lookup(object, path)? {
        None => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(wrong_type(path, "a boolean")),
    }
}

/// A list field that reads as empty when absent.
pub(crate) fn list<'a>(object: &'a Value, path: &[&str]) -> Result<&'a [Value]> {
    match lookup(object, path)? {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(wrong_type(path, "a list")),
    }
}

/// An annotation's value, if the object carries it.
pub(crate) fn annotation<'a>(object: &'a Value, key: &str) -> Result<Option<&'a str>> {
    string(object, &["metadata", "annotations", key])
}

/// `metadata.name`, or an empty name.
pub(crate) fn name(object: &Value) -> Result<&str> {
    text(object, &["metadata", "name"])
}

/// Whether `metadata.generation` is ahead of `status.observedGeneration`: the controller has
/// not yet seen the latest spec.
pub(crate) fn generation_lags(object: &Value) -> Result<bool> {
    let generation = count(object, &["metadata", "generation"])?;
    let observed = count(object, &["status", "observedGeneration"])?;
    Ok(generation > observed)
}

/// One entry of a `status.conditions` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Condition<'a> {
    /// `type`: what the condition is about (`Ready`, `Available`).
    pub condition_type: &'a str,
    /// `status`: `True`, `False` or `Unknown`.
    pub status: &'a str,
    /// `reason`: one CamelCase word.
    pub reason: &'a str,
    /// `message`: the details, for people.
    pub message: &'a str,
    /// `observedGeneration`, on conditions that carry one.
    pub observed_generation: Option<i64>,
}

impl Condition<'_> {
    /// Whether `status` is `True`.
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }

    /// Whether `status` is `False`.
    pub fn is_false(&self) -> bool {
        self.status == "False"
    }

    /// `reason: message`, or whichever of the two is set.
    pub fn summary(&self) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (false, false) => format!("{}: {}", self.reason, self.message),
            (false, true) => self.reason.to_string(),
            _ => self.message.to_string(),
        }
    }
}

/// The conditions listed at `path` (usually `status.conditions`), in order.
pub(crate) fn conditions<'a>(object: &'a Value, path: &[&str]) -> Result<Vec<Condition<'a>>> {
    let items = list(object, path)?;
    let mut conditions = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| -> Result<&'a str> {
            text(item, &[name]).map_err(|_| {
                let mut full: Vec<String> = path.iter().map(|step| step.to_string()).collect();
                full.push(format!("{index}"));
                full.push(name.to_string());
                Error::FieldType {
                    path: full.join("."),
                    expected: "a string",
                }
            })
        };
        if !item.is_object() {
            return Err(wrong_type(path, "a list of conditions"));
        }
        conditions.push(Condition {
            condition_type: field("type")?,
            status: field("status")?,
            reason: field("reason")?,
            message: field("message")?,
            observed_generation: item.get("observedGeneration").and_then(as_integer),
        });
    }
    Ok(conditions)
}

/// The first condition of the given type.
pub(crate) fn find<'list, 'a>(
    conditions: &'list [Condition<'a>],
    condition_type: &str,
) -> Option<&'list Condition<'a>> {
    conditions
        .iter()
        .find(|condition| condition.condition_type == condition_type)
}

/// The whole-number value of a JSON number.
fn as_integer(value: &Value) -> Option<i64> {
    if let Some(number) = value.as_i64() {
        return Some(number);
    }
    let float = value.as_f64()?;
    (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
}

fn wrong_type(path: &[&str], expected: &'static str) -> Error {
    Error::FieldType {
        path: path.join("."),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn absent_and_null_fields_read_as_none() {
        let object = json!({"status": {"replicas": null}});
        assert_eq!(integer(&object, &["status", "replicas"]).unwrap(), None);
        assert_eq!(integer(&object, &["spec", "replicas"]).unwrap(), None);
        assert_eq!(count(&object, &["status", "replicas"]).unwrap(), 0);
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_naming_it() {
        let object = json!({"spec": {"replicas": "three"}, "status": 5});
        let error = integer(&object, &["spec", "replicas"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field spec.replicas should be an integer"
        );
        let error = integer(&object, &["status", "replicas"]).unwrap_err();
        assert_eq!(error.to_string(), "field status should be an object");
    }

    #[test]
    fn whole_floats_read_as_integers() {
        let object = json!({"a": 3.0, "b": 2.5});
        assert_eq!(integer(&object, &["a"]).unwrap(), Some(3));
        assert!(integer(&object, &["b"]).is_err());
    }

    #[test]
    fn conditions_read_in_order_with_missing_fields_empty() {
        let object = json!({"status": {"conditions": [
            {"type": "Ready", "status": "True", "observedGeneration": 4},
            {"type": "Stalled", "status": "False", "reason": "Fine", "message": "ok"}
        ]}});
        let conditions = conditions(&object, &["status", "conditions"]).unwrap();
        assert_eq!(conditions.len(), 2);
        assert!(conditions[0].is_true());
        assert_eq!(conditions[0].observed_generation, Some(4));
        assert_eq!(conditions[0].summary(), "");
        assert_eq!(find(&conditions, "Stalled").unwrap().summary(), "Fine: ok");
    }

    #[test]
    fn a_condition_with_a_non_string_status_is_an_error() {
        let object = json!({"status": {"conditions": [{"type": "Ready", "status": true}]}});
        let error = conditions(&object, &["status", "conditions"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field status.conditions.0.status should be a string"
        );
    }
}
