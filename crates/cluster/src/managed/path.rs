//! One step of a field path, as server-side apply names it: a field (`f:name`), a keyed list
//! item (`k:{"name":"web"}`), a set member (`v:"x"`) or a list index (`i:0`), with the order,
//! the text of conflict messages (`.spec.containers[name="web"].image`) and the FieldsV1 keys.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Value};

/// One step of a path into an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathElement {
    /// A field of a map or struct.
    Field(String),
    /// The item of an associative list whose key fields have these values (sorted by name).
    Key(Vec<(String, Value)>),
    /// The member of a set with this value.
    Value(Value),
    /// The item at this index of an atomic list.
    Index(usize),
}

/// A path from the root of an object.
pub type Path = Vec<PathElement>;

impl PathElement {
    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }

    /// The FieldsV1 key of this element (`f:name`, `k:{...}`, `v:...`, `i:0`).
    pub fn fields_v1_key(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let object: Map<String, Value> = fields.iter().cloned().collect();
                format!("k:{}", go_json(&Value::Object(object)))
            }
            PathElement::Value(value) => format!("v:{}", go_json(value)),
            PathElement::Index(index) => format!("i:{index}"),
        }
    }

    /// Parses a FieldsV1 key.
    pub fn from_fields_v1_key(key: &str) -> Option<PathElement> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "f" => Some(PathElement::Field(rest.to_string())),
            "k" => {
                let Value::Object(object) = serde_json::from_str::<Value>(rest).ok()? else {
                    return None;
                };
                let mut fields: Vec<(String, Value)> = object.into_iter().collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Some(PathElement::Key(fields))
            }
            "v" => serde_json::from_str(rest).ok().map(PathElement::Value),
            "i" => rest.parse().ok().map(PathElement::Index),
            _ => None,
        }
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.cmp(b),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for ((name_a, value_a), (name_b, value_b)) in a.iter().zip(b.iter()) {
                    let order = name_a
                        .cmp(name_b)
                        .then_with(|| compare_values(value_a, value_b));
                    if order != Ordering::Equal {
                        return order;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => compare_values(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PathElement {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(formatter, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{name}={}", value_text(value)))
                    .collect();
                write!(formatter, "[{}]", parts.join(","))
            }
            PathElement::Value(value) => write!(formatter, "[={}]", value_text(value)),
            PathElement::Index(index) => write!(formatter, "[{index}]"),
        }
    }
}

/// A path as conflict messages print it: `.spec.template.spec.containers[name="web"].image`.
pub fn path_text(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// A value as Go's `value.ToString` prints it: strings quoted, numbers and booleans bare.
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::String(text) => Value::String(text.clone()).to_string(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(map) => {
            let mut parts: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{key}={}", value_text(value)))
                .collect();
            parts.sort();
            format!("{{{}}}", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// The total order of values used for sorting set members and keys: floats, integers, strings,
/// booleans, lists, maps, null.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Number(number) if !number.is_i64() && !number.is_u64() => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            Value::Bool(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
            Value::Null => 6,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (x, y) in x.iter().zip(y.iter()) {
                let order = compare_values(x, y);
                if order != Ordering::Equal {
                    return order;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut x: Vec<(&String, &Value)> = x.iter().collect();
            let mut y: Vec<(&String, &Value)> = y.iter().collect();
            x.sort_by(|a, b| a.0.cmp(b.0));
            y.sort_by(|a, b| a.0.cmp(b.0));
            for ((key_x, x), (key_y, y)) in x.iter().zip(y.iter()) {
                let order = key_x.cmp(key_y).then_with(|| compare_values(x, y));
                if order != Ordering::Equal {
                    return order;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Compact JSON the way Go's encoder writes it: object keys sorted, and `<`, `>`, `&`, U+2028
/// and U+2029 escaped.
pub fn go_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| (key.clone(), sorted(value)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_print_sorted_like_the_real_server() {
        let key = PathElement::Key(vec![
            ("containerPort".into(), json!(8080)),
            ("protocol".into(), json!("TCP")),
        ]);
        assert_eq!(
            key.fields_v1_key(),
            r#"k:{"containerPort":8080,"protocol":"TCP"}"#
        );
        assert_eq!(key.to_string(), r#"[containerPort=8080,protocol="TCP"]"#);
        assert_eq!(
            PathElement::from_fields_v1_key(&key.fields_v1_key()),
            Some(key)
        );
    }

    #[test]
    fn fields_sort_before_keys_values_and_indices() {
        let mut elements = [
            PathElement::Index(0),
            PathElement::Value(json!("a")),
            PathElement::Key(vec![("name".into(), json!("x"))]),
            PathElement::Field("b".into()),
            PathElement::Field("a".into()),
        ];
        elements.sort();
        let keys: Vec<String> = elements.iter().map(PathElement::fields_v1_key).collect();
        assert_eq!(
            keys,
            vec!["f:a", "f:b", r#"k:{"name":"x"}"#, r#"v:"a""#, "i:0"]
        );
    }

    #[test]
    fn conflict_paths_read_like_go_prints_them() {
        let path = vec![
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::Key(vec![("name".into(), json!("web"))]),
            PathElement::Field("image".into()),
        ];
        assert_eq!(path_text(&path), r#".spec.containers[name="web"].image"#);
    }

    #[test]
    fn go_json_escapes_html_characters() {
        assert_eq!(
            go_json(&json!({"b": "<x>", "a": 1})),
            r#"{"a":1,"b":"\u003cx\u003e"}"#
        );
    }
}
