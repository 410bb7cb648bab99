//! The content-hash name suffix of generated ConfigMaps and Secrets, computed exactly as
//! kustomize's `hasher.go` does: SHA-256 over Go's JSON encoding of a few fields, then the
//! first ten hex digits with some letters swapped. kustomize looks the name up as a single
//! field called `metadata/name`, which never exists, so the encoded name is always empty.

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The ten-character suffix for `object`.
pub(crate) fn suffix(object: &Value) -> String {
    let encoded = match object.get("kind").and_then(Value::as_str) {
        Some("ConfigMap") => encode_fields(
            object,
            "ConfigMap",
            &[("binaryData", true), ("data", false)],
        ),
        Some("Secret") => encode_fields(
            object,
            "Secret",
            &[("data", false), ("stringData", true), ("type", false)],
        ),
        _ => go_json(object),
    };
    let digest = Sha256::digest(encoded.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex.chars()
        .take(10)
        .map(|digit| match digit {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// `{"<field>": …, "kind": kind, "name": ""}` with keys sorted, as Go marshals a map.
/// Optional fields appear only when they are maps; others read as `""` when missing.
fn encode_fields(object: &Value, kind: &str, fields: &[(&str, bool)]) -> String {
    let mut entries: Vec<(&str, String)> = vec![("kind", go_string(kind)), ("name", go_string(""))];
    for &(field, only_if_map) in fields {
        match object.get(field) {
            Some(value @ Value::Object(_)) => entries.push((field, go_json(value))),
            Some(value) if !only_if_map => entries.push((field, scalar_or_json(value))),
            None if !only_if_map => entries.push((field, go_string(""))),
            _ => {}
        }
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = entries
        .into_iter()
        .map(|(key, value)| format!("{}:{value}", go_string(key)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A scalar field as kustomize reads it (its text), or a map encoded whole.
fn scalar_or_json(value: &Value) -> String {
    match value {
        Value::Object(_) | Value::Array(_) => go_json(value),
        Value::Null => go_string(""),
        Value::String(text) => go_string(text),
        other => go_string(&other.to_string()),
    }
}

/// Go's `json.Marshal` of a decoded value: sorted keys, HTML-safe string escapes.
fn go_json(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => go_string(text),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(go_json).collect::<Vec<_>>().join(",")
        ),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let body: Vec<String> = keys
                .into_iter()
                .map(|key| format!("{}:{}", go_string(key), go_json(&map[key])))
                .collect();
            format!("{{{}}}", body.join(","))
        }
    }
}

/// A JSON string literal as Go's encoder writes it, escaping `<`, `>`, `&`, U+2028 and U+2029.
fn go_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", character as u32);
            }
            control if (control as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", control as u32);
            }
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_escapes_html_characters_in_strings() {
        assert_eq!(
            go_string("a<b>&\"c\"\n"),
            r#""a\u003cb\u003e\u0026\"c\"\n""#
        );
    }

    #[test]
    fn config_map_hashes_cover_kind_name_and_data_only() {
        let plain = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "1"}});
        let labelled = json!({"kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"x": "y"}}, "data": {"a": "1"}});
        assert_eq!(suffix(&plain), suffix(&labelled));
        assert_eq!(suffix(&plain).len(), 10);
    }

    #[test]
    fn the_encoding_matches_go_for_a_secret() {
        let secret = json!({"kind": "Secret", "type": "Opaque", "metadata": {"name": "s"}, "data": {"k": "dg=="}});
        let encoded = encode_fields(
            &secret,
            "Secret",
            &[("data", false), ("stringData", true), ("type", false)],
        );
        assert_eq!(
            encoded,
            r#"{"data":{"k":"dg=="},"kind":"Secret","name":"","type":"Opaque"}"#
        );
    }

    #[test]
    fn a_literal_config_map_hashes_as_kubectl_kustomize_does() {
        let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "1"}});
        assert_eq!(suffix(&config_map), "h29d89cmmt");
    }
}
