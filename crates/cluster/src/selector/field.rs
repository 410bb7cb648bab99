//! Field selectors on `metadata.name` and `metadata.namespace` (`=`, `==`, `!=`).

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
struct Term {
    field: String,
    value: String,
    equal: bool,
}

/// A parsed field selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector {
    terms: Vec<Term>,
}

const FIELDS: &[&str] = &["metadata.name", "metadata.namespace"];

impl FieldSelector {
    /// Parses the `fieldSelector` syntax; the error is the real server's message.
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for part in text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            let (field, value, equal) = if let Some((field, value)) = part.split_once("!=") {
                (field, value, false)
            } else if let Some((field, value)) = part.split_once("==") {
                (field, value, true)
            } else if let Some((field, value)) = part.split_once('=') {
                (field, value, true)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                ));
            };
            let field = field.trim();
            if !FIELDS.contains(&field) {
                return Err(format!(
                    "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                ));
            }
            terms.push(Term {
                field: field.to_string(),
                value: value.trim().to_string(),
                equal,
            });
        }
        Ok(FieldSelector { terms })
    }

    /// True when the object satisfies every term.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.terms.iter().all(|term| {
            let pointer = if term.field == "metadata.name" {
                "/metadata/name"
            } else {
                "/metadata/namespace"
            };
            let actual = object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("");
            (actual == term.value) == term.equal
        })
    }

    /// The name an `metadata.name=<name>` term pins, if any.
    pub fn pinned_name(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|term| term.equal && term.field == "metadata.name")
            .map(|term| term.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn name_and_namespace_terms_filter_objects() {
        let object = json!({"metadata": {"name": "watched", "namespace": "demo"}});
        let matches = |text: &str| {
            FieldSelector::parse(text).map(|selector| selector.matches_object(&object))
        };
        assert_eq!(matches("metadata.name=watched"), Ok(true));
        assert_eq!(matches("metadata.name!=watched"), Ok(false));
        assert_eq!(
            matches("metadata.namespace==demo,metadata.name=other"),
            Ok(false)
        );
        assert_eq!(
            matches("spec.nope=x"),
            Err("\"spec.nope\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"".into())
        );
    }
}
