//! Tables of custom resources: the Name column, then the CRD version's
//! `additionalPrinterColumns` (JSONPath cells), or Age when it declares none.

use serde_json::{Value, json};

use super::cells::human_duration;
use super::columns::{CREATION_TIMESTAMP, NAME};
use crate::object::time;
use crate::registry::ResourceInfo;

/// Column definitions and cells of custom resources.
pub fn table(info: &ResourceInfo, objects: &[Value], now: u64) -> (Vec<Value>, Vec<Vec<Value>>) {
    let declared = info
        .printer_columns
        .as_ref()
        .and_then(Value::as_array)
        .filter(|columns| !columns.is_empty())
        .cloned();
    let columns = declared.unwrap_or_else(|| {
        vec![json!({
            "name": "Age",
            "type": "date",
            "jsonPath": ".metadata.creationTimestamp",
            "description": CREATION_TIMESTAMP,
        })]
    });
    let mut definitions = vec![super::definition(&NAME)];
    for column in &columns {
        let path = column["jsonPath"].as_str().unwrap_or("");
        definitions.push(json!({
            "name": column["name"],
            "type": column["type"],
            "format": column["format"].as_str().unwrap_or(""),
            "description": column["description"].as_str().map_or_else(
                || format!("Custom resource definition column (in JSONPath format): {path}"),
                str::to_string,
            ),
            "priority": column["priority"].as_i64().unwrap_or(0),
        }));
    }
    let rows = objects
        .iter()
        .map(|object| {
            let mut row = vec![
                object
                    .pointer("/metadata/name")
                    .cloned()
                    .unwrap_or(Value::Null),
            ];
            for column in &columns {
                let found = evaluate(object, column["jsonPath"].as_str().unwrap_or(""));
                row.push(cell(
                    found,
                    column["type"].as_str().unwrap_or("string"),
                    now,
                ));
            }
            row
        })
        .collect();
    (definitions, rows)
}

fn cell(found: Vec<&Value>, kind: &str, now: u64) -> Value {
    let Some(first) = found.first() else {
        return Value::Null;
    };
    match kind {
        "date" => match first.as_str().and_then(time::parse_unix) {
            Some(at) => json!(human_duration(now.saturating_sub(at))),
            None => Value::Null,
        },
        "integer" | "number" | "boolean" if found.len() == 1 => (*first).clone(),
        _ => {
            let texts: Vec<String> = found
                .iter()
                .map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            json!(texts.join(","))
        }
    }
}

/// The values a simple JSONPath (`.spec.size`, `.status.conditions[0].type`,
/// `.spec.ports[*].port`, `{.spec.size}`) selects.
pub fn evaluate<'a>(object: &'a Value, path: &str) -> Vec<&'a Value> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut current: Vec<&Value> = vec![object];
    for segment in path.split('.').filter(|segment| !segment.is_empty()) {
        let (field, index) = match segment.split_once('[') {
            Some((field, rest)) => (field, Some(rest.trim_end_matches(']'))),
            None => (segment, None),
        };
        let mut next = Vec::new();
        for value in current {
            let Some(child) = (if field.is_empty() {
                Some(value)
            } else {
                value.get(field)
            }) else {
                continue;
            };
            match index {
                None => next.push(child),
                Some("*") => next.extend(child.as_array().into_iter().flatten()),
                Some(position) => {
                    if let Some(item) = position
                        .parse::<usize>()
                        .ok()
                        .and_then(|position| child.get(position))
                    {
                        next.push(item);
                    }
                }
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_select_fields_items_and_all_items() {
        let object = json!({"spec": {"size": 3, "ports": [{"port": 80}, {"port": 443}]}});
        assert_eq!(evaluate(&object, ".spec.size"), vec![&json!(3)]);
        assert_eq!(
            evaluate(&object, "{.spec.ports[1].port}"),
            vec![&json!(443)]
        );
        assert_eq!(evaluate(&object, ".spec.ports[*].port").len(), 2);
        assert!(evaluate(&object, ".status.phase").is_empty());
    }
}
