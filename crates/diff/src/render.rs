//! Printing a unified YAML diff of two objects.

use ferry_types::ObjectKey;
use serde_json::{Map, Value};
use similar::TextDiff;

use crate::mask::mask_secrets;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// A unified diff of two objects as YAML (keys sorted), from `left` (the live object) to
/// `right` (the desired one), with headers naming the object (`--- live
/// apps/Deployment/shop/web`, `+++ desired apps/Deployment/shop/web`). An absent side is
/// empty. Secret values are masked first ([`mask_secrets`]). With `color`, ANSI colours mark
/// headers, hunks, removals and additions. Returns the empty string when both sides print
/// the same.
pub fn unified_diff(
    key: &ObjectKey,
    left: Option<&Value>,
    right: Option<&Value>,
    color: bool,
) -> String {
    let (masked_left, masked_right) =
        mask_secrets(left.unwrap_or(&Value::Null), right.unwrap_or(&Value::Null));
    let old = left.map(|_| yaml(&masked_left)).unwrap_or_default();
    let new = right.map(|_| yaml(&masked_right)).unwrap_or_default();
    if old == new {
        return String::new();
    }
    let text = TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(&format!("live {key}"), &format!("desired {key}"))
        .to_string();
    if color { colorize(&text) } else { text }
}

fn yaml(value: &Value) -> String {
    let sorted = sorted(value);
    ferry_yaml::to_yaml(&sorted)
        .unwrap_or_else(|_| serde_json::to_string_pretty(&sorted).unwrap_or_default() + "\n")
}

/// The value with every map's keys in alphabetical order, as `kubectl get -o yaml` prints.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::with_capacity(map.len());
            for key in keys {
                out.insert(key.clone(), sorted(&map[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

fn colorize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let (content, newline) = match line.strip_suffix('\n') {
            Some(content) => (content, "\n"),
            None => (line, ""),
        };
        let style = if content.starts_with("--- ") || content.starts_with("+++ ") {
            BOLD
        } else if content.starts_with("@@") {
            CYAN
        } else if content.starts_with('-') {
            RED
        } else if content.starts_with('+') {
            GREEN
        } else {
            ""
        };
        if style.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(style);
            out.push_str(content);
            out.push_str(RESET);
            out.push_str(newline);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> ObjectKey {
        ObjectKey {
            group: String::new(),
            kind: "ConfigMap".into(),
            namespace: "shop".into(),
            name: "app".into(),
        }
    }

    #[test]
    fn equal_objects_print_nothing() {
        let object = json!({"kind": "ConfigMap", "data": {"a": "1"}});
        assert_eq!(unified_diff(&key(), Some(&object), Some(&object), true), "");
    }

    #[test]
    fn keys_print_in_alphabetical_order_whatever_their_order_in_the_map() {
        let left = json!({"kind": "ConfigMap", "data": {"b": "2", "a": "1"}});
        let right = json!({"data": {"a": "1", "b": "3"}, "kind": "ConfigMap"});
        assert_eq!(
            unified_diff(&key(), Some(&left), Some(&right), false),
            "--- live ConfigMap/shop/app\n+++ desired ConfigMap/shop/app\n@@ -1,4 +1,4 @@\n data:\n   a: \"1\"\n-  b: \"2\"\n+  b: \"3\"\n kind: ConfigMap\n"
        );
    }

    #[test]
    fn colour_wraps_each_changed_line() {
        let left = json!({"a": 1});
        let right = json!({"a": 2});
        assert_eq!(
            unified_diff(&key(), Some(&left), Some(&right), true),
            "\x1b[1m--- live ConfigMap/shop/app\x1b[0m\n\x1b[1m+++ desired ConfigMap/shop/app\x1b[0m\n\x1b[36m@@ -1 +1 @@\x1b[0m\n\x1b[31m-a: 1\x1b[0m\n\x1b[32m+a: 2\x1b[0m\n"
        );
    }
}
