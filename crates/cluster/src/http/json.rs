//! Reading JSON bodies the way the real server does: duplicate keys are noticed (for
//! `fieldValidation`), and parse errors are worded like Go's `encoding/json`.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses JSON, returning the value and the paths of duplicated keys (`metadata.name`).
pub fn parse(bytes: &[u8]) -> Result<(Value, Vec<String>), serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Seed {
        path: String::new(),
        duplicates: &duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok((value, duplicates.into_inner()))
}

/// Go's wording of a JSON syntax error (`unexpected end of JSON input`, `invalid character ...`).
pub fn go_error(error: &serde_json::Error, bytes: &[u8]) -> String {
    if error.is_eof() {
        return "unexpected end of JSON input".to_string();
    }
    if error.is_syntax() {
        let offset = line_column_offset(bytes, error.line(), error.column());
        if let Some(byte) = bytes.get(offset.saturating_sub(1)) {
            return format!(
                "invalid character {} looking for beginning of value",
                quote_char(*byte)
            );
        }
    }
    error.to_string()
}

fn line_column_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut current_line = 1;
    let mut line_start = 0;
    for (index, byte) in bytes.iter().enumerate() {
        if current_line == line {
            break;
        }
        if *byte == b'\n' {
            current_line += 1;
            line_start = index + 1;
        }
    }
    line_start + column
}

/// Go's `quoteChar`: `'x'`, or `'\u009e'` for a character that is not printable.
pub fn quote_char(byte: u8) -> String {
    let character = char::from(byte);
    match character {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c if c.is_ascii_graphic() || c == ' ' => format!("'{c}'"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("'\\x{:02x}'", c as u32),
        c if (0x80..0xa0).contains(&(c as u32)) => format!("'\\u{:04x}'", c as u32),
        c => format!("'{c}'"),
    }
}

struct Seed<'a> {
    path: String,
    duplicates: &'a RefCell<Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value)
            .map(Value::Number)
            .unwrap_or(Value::Null))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = sequence.next_element_seed(Seed {
            path: format!("{}[{}]", self.path, items.len()),
            duplicates: self.duplicates,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let value = map.next_value_seed(Seed {
                path: path.clone(),
                duplicates: self.duplicates,
            })?;
            if object.insert(key, value).is_some() {
                self.duplicates.borrow_mut().push(path);
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicated_keys_are_reported_with_their_path() {
        let (value, duplicates) =
            parse(br#"{"metadata": {"name": "a", "name": "b"}, "items": [{"x": 1, "x": 2}]}"#)
                .expect("valid JSON");
        assert_eq!(value["metadata"]["name"], "b");
        assert_eq!(
            duplicates,
            vec!["metadata.name".to_string(), "items[0].x".to_string()]
        );
    }

    #[test]
    fn parse_errors_are_worded_like_go() {
        let truncated = br#"{"apiVersion": "v1", "kind": "#;
        let error = parse(truncated).err().map(|e| go_error(&e, truncated));
        assert_eq!(error.as_deref(), Some("unexpected end of JSON input"));
        assert_eq!(quote_char(0x9e), "'\\u009e'");
    }
}
