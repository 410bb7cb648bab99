//! Writing JSON values as YAML streams (kubectl's layout: two-space indent, lists not
//! indented under their key) and as JSON.

use serde_json::Value;

use crate::{Error, Result};

fn options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        indent_step: 2,
        compact_list_indent: true,
    }
}

/// One value as a YAML document, without a leading `---`.
pub fn to_yaml(value: &Value) -> Result<String> {
    serde_saphyr::to_string_with_options(value, options())
        .map_err(|error| Error::Write(error.to_string()))
}

/// Several values as a YAML stream separated by `---` lines.
pub fn to_yaml_stream(values: &[Value]) -> Result<String> {
    let mut out = String::new();
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        out.push_str(&to_yaml(value)?);
    }
    Ok(out)
}

/// Several values as pretty JSON: one value alone, several as a `v1` `List`.
pub fn to_json_stream(values: &[Value]) -> Result<String> {
    let document = if values.len() == 1 {
        values[0].clone()
    } else {
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": values})
    };
    serde_json::to_string_pretty(&document)
        .map(|text| text + "\n")
        .map_err(|error| Error::Write(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_documents;
    use serde_json::json;

    #[test]
    fn strings_that_look_like_other_types_survive_a_round_trip() {
        let value = json!({
            "data": {"a": "yes", "b": "0644", "c": "1.0", "d": "", "e": "null", "f": "~", "g": "multi\nline\n", "h": "on", "i": "0x1F", "j": "1e3", "k": "- x", "l": "a: b", "m": "#c", "n": "true"},
            "n": 420, "t": true, "list": [1, "2", {"x": null}], "empty": {}, "none": []
        });
        let text = to_yaml_stream(&[value.clone(), json!({"kind": "B"})]).unwrap();
        let back: Vec<Value> = parse_documents("x.yaml", text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|d| d.value)
            .collect();
        assert_eq!(back, vec![value, json!({"kind": "B"})], "{text}");
    }

    #[test]
    fn yaml_uses_kubectl_layout() {
        let text = to_yaml(&json!({"kind": "A", "items": [{"name": "x"}]})).unwrap();
        assert_eq!(text, "kind: A\nitems:\n- name: x\n");
    }
}
