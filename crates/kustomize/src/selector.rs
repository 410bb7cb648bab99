//! Patch targets: which resources a selector picks (anchored regexes on group, version, kind,
//! name and namespace, plus Kubernetes label and annotation selectors).

use regex::Regex;
use serde_json::{Map, Value};

use crate::kustomization::Selector;
use crate::resource::Resource;

/// A selector with its regexes compiled.
pub(crate) struct Compiled {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

impl Compiled {
    /// Compiles `selector`; a bad regex or label selector is an error naming it.
    pub fn new(selector: &Selector) -> Result<Self, String> {
        Ok(Self {
            group: anchored(&selector.group)?,
            version: anchored(&selector.version)?,
            kind: anchored(&selector.kind)?,
            name: anchored(&selector.name)?,
            namespace: anchored(&selector.namespace)?,
            labels: parse(&selector.label_selector)?,
            annotations: parse(&selector.annotation_selector)?,
        })
    }

    /// Whether `resource` is selected: namespace and name may match the original or the
    /// current identity; GVK and selectors match the current object.
    pub fn matches(&self, resource: &Resource) -> bool {
        let current = resource.cur_id();
        let original = resource.org_id();
        let matches = |regex: &Option<Regex>, first: &str, second: &str| {
            regex
                .as_ref()
                .is_none_or(|regex| regex.is_match(first) || regex.is_match(second))
        };
        let gvk = &current.gvk;
        matches(
            &self.namespace,
            original.effective_namespace(),
            current.effective_namespace(),
        ) && matches(&self.name, &original.name, &current.name)
            && matches(&self.group, &gvk.group, &gvk.group)
            && matches(&self.version, &gvk.version, &gvk.version)
            && matches(&self.kind, &gvk.kind, &gvk.kind)
            && self
                .labels
                .iter()
                .all(|requirement| requirement.matches(&resource.metadata_map("labels")))
            && self
                .annotations
                .iter()
                .all(|requirement| requirement.matches(&resource.metadata_map("annotations")))
    }
}

fn anchored(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|error| format!("invalid regex {pattern:?}: {error}"))
}

/// One requirement of a Kubernetes label selector.
#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Exists(String),
    NotExists(String),
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

impl Requirement {
    fn matches(&self, labels: &Map<String, Value>) -> bool {
        let value = |key: &str| labels.get(key).and_then(Value::as_str);
        match self {
            Self::Exists(key) => labels.contains_key(key),
            Self::NotExists(key) => !labels.contains_key(key),
            Self::Equals(key, expected) => value(key) == Some(expected.as_str()),
            Self::NotEquals(key, expected) => value(key) != Some(expected.as_str()),
            Self::In(key, values) => {
                value(key).is_some_and(|value| values.iter().any(|item| item == value))
            }
            Self::NotIn(key, values) => {
                value(key).is_none_or(|value| !values.iter().any(|item| item == value))
            }
            Self::GreaterThan(key, bound) => value(key)
                .and_then(|value| value.parse::<i64>().ok())
                .is_some_and(|n| n > *bound),
            Self::LessThan(key, bound) => value(key)
                .and_then(|value| value.parse::<i64>().ok())
                .is_some_and(|n| n < *bound),
        }
    }
}

/// Parses a label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
/// `a>1`, `a<1`, separated by commas.
fn parse(selector: &str) -> Result<Vec<Requirement>, String> {
    let invalid = |reason: &str| format!("invalid selector {selector:?}: {reason}");
    let mut requirements = Vec::new();
    for part in split_top_level(selector) {
        let part = part.trim();
        if part.is_empty() {
            if selector.trim().is_empty() {
                continue;
            }
            return Err(invalid("empty requirement"));
        }
        let requirement = if let Some(key) = part.strip_prefix('!') {
            Requirement::NotExists(key.trim().to_string())
        } else if let Some((key, value)) = part.split_once("!=") {
            Requirement::NotEquals(key.trim().to_string(), value.trim().to_string())
        } else if let Some((key, value)) = part.split_once("==") {
            Requirement::Equals(key.trim().to_string(), value.trim().to_string())
        } else if let Some((key, value)) = part.split_once('=') {
            Requirement::Equals(key.trim().to_string(), value.trim().to_string())
        } else if let Some((key, value)) = part.split_once('>') {
            Requirement::GreaterThan(
                key.trim().to_string(),
                value
                    .trim()
                    .parse()
                    .map_err(|_| invalid("expected an integer"))?,
            )
        } else if let Some((key, value)) = part.split_once('<') {
            Requirement::LessThan(
                key.trim().to_string(),
                value
                    .trim()
                    .parse()
                    .map_err(|_| invalid("expected an integer"))?,
            )
        } else if let Some((key, values)) = set_requirement(part, " notin ") {
            Requirement::NotIn(key, values.map_err(|reason| invalid(&reason))?)
        } else if let Some((key, values)) = set_requirement(part, " in ") {
            Requirement::In(key, values.map_err(|reason| invalid(&reason))?)
        } else {
            Requirement::Exists(part.to_string())
        };
        let key = match &requirement {
            Requirement::Exists(key)
            | Requirement::NotExists(key)
            | Requirement::Equals(key, _)
            | Requirement::NotEquals(key, _)
            | Requirement::In(key, _)
            | Requirement::NotIn(key, _)
            | Requirement::GreaterThan(key, _)
            | Requirement::LessThan(key, _) => key,
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(invalid("bad key"));
        }
        requirements.push(requirement);
    }
    Ok(requirements)
}

/// `key in (a, b)`: the key and the values, or `None` when `operator` is absent.
fn set_requirement(part: &str, operator: &str) -> Option<(String, Result<Vec<String>, String>)> {
    let (key, rest) = part.split_once(operator)?;
    let rest = rest.trim();
    let values = match rest
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
    {
        Some(inner) => Ok(inner
            .split(',')
            .map(|value| value.trim().to_string())
            .collect()),
        None => Err("expected a parenthesised list of values".to_string()),
    };
    Some((key.trim().to_string(), values))
}

/// Splits at commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, character) in text.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    fn resource() -> Resource {
        Resource::new(
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web-api", "labels": {"tier": "front", "n": "3"}}}),
            Origin::default(),
        )
    }

    fn select(selector: Selector) -> bool {
        Compiled::new(&selector).unwrap().matches(&resource())
    }

    #[test]
    fn names_are_regexes_anchored_at_both_ends() {
        assert!(select(Selector {
            name: "web-.*".into(),
            ..Selector::default()
        }));
        assert!(!select(Selector {
            name: "web".into(),
            ..Selector::default()
        }));
        assert!(select(Selector {
            kind: "Deploy.*|Service".into(),
            group: "apps".into(),
            ..Selector::default()
        }));
    }

    #[test]
    fn namespace_default_matches_objects_without_one() {
        assert!(select(Selector {
            namespace: "default".into(),
            ..Selector::default()
        }));
    }

    #[test]
    fn label_selectors_support_sets_and_negation() {
        let labels = |text: &str| Selector {
            label_selector: text.into(),
            ..Selector::default()
        };
        assert!(select(labels("tier=front")));
        assert!(select(labels("tier in (back, front),!missing")));
        assert!(!select(labels("tier notin (front)")));
        assert!(select(labels("n>2,tier!=back")));
        assert!(!select(labels("missing")));
    }
}
