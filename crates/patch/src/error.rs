//! The one error type of this crate, and the field path that errors name.

use std::fmt;

/// Errors raised while applying a patch. Each names the path in the object where it failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The base object or the patch is not a JSON object at its root.
    #[error("the {what} must be a JSON object, found {found}")]
    NotAnObject {
        /// `base` or `patch`.
        what: &'static str,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// An element of a keyed list in the patch lacks the list's merge key.
    #[error("{path}: merge key {key:?} missing")]
    MergeKeyMissing {
        /// Where in the patch, e.g. `spec.template.spec.containers[1]`.
        path: String,
        /// The merge key, e.g. `name`.
        key: String,
    },
    /// An element of a keyed list in the base object lacks the list's merge key.
    #[error("{path}: merge key {key:?} missing in the base object")]
    BaseMergeKeyMissing {
        /// Where in the base object.
        path: String,
        /// The merge key.
        key: String,
    },
    /// A list to be merged holds elements of different JSON types.
    #[error("{path}: list elements are not all of one type")]
    MixedList {
        /// The list.
        path: String,
    },
    /// A list to be merged holds lists.
    #[error("{path}: lists of lists cannot be merged")]
    ListOfLists {
        /// The list.
        path: String,
    },
    /// A list of objects is to be merged but its field has no merge key.
    #[error("{path}: cannot merge a list of objects without a merge key")]
    NoMergeKey {
        /// The list.
        path: String,
    },
    /// A `$patch` directive with a value other than `replace`, `delete` or `merge`.
    #[error("{path}: unknown $patch directive {value}")]
    UnknownPatchDirective {
        /// The object holding the directive.
        path: String,
        /// The value found, as JSON.
        value: String,
    },
    /// A `$retainKeys`, `$setElementOrder/…` or `$deleteFromPrimitiveList/…` directive is malformed.
    #[error("{path}: invalid {directive}: {reason}")]
    InvalidDirective {
        /// The object holding the directive.
        path: String,
        /// The directive key as written.
        directive: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The RFC 6902 operations are not a JSON list.
    #[error("json patch operations must be a list, found {found}")]
    OperationsNotAList {
        /// The JSON type found instead.
        found: &'static str,
    },
    /// An RFC 6902 operation is malformed (unknown `op`, missing `path`, …).
    #[error("json patch operation {operation} is invalid: {source}")]
    InvalidOperation {
        /// The index of the operation in the list.
        operation: usize,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// An RFC 6902 operation that kubectl refuses, such as adding at the document root.
    #[error("json patch operation {operation} could not be applied: {reason}")]
    NotApplicable {
        /// The index of the operation in the list.
        operation: usize,
        /// Why.
        reason: &'static str,
    },
    /// An RFC 6902 operation failed (missing path, failed `test`, …).
    #[error("json patch operation {operation} failed at {path:?}: {source}")]
    JsonPatch {
        /// The index of the operation in the list.
        operation: usize,
        /// The JSON pointer the failing step worked on.
        path: String,
        /// What failed.
        #[source]
        source: json_patch::PatchErrorKind,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One step from an object to a nested value.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    /// A field of an object.
    Field(String),
    /// An element of a list.
    Index(usize),
}

/// The path from the root of the object to the value being merged, for error messages.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The path one field further down.
    pub(crate) fn field(&self, name: &str) -> FieldPath {
        let mut next = self.clone();
        next.0.push(Segment::Field(name.to_string()));
        next
    }

    /// The path of one element of the list at this path.
    pub(crate) fn index(&self, index: usize) -> FieldPath {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return formatter.write_str("(root)");
        }
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Field(name) if position == 0 => formatter.write_str(name)?,
                Segment::Field(name) => write!(formatter, ".{name}")?,
                Segment::Index(index) => write!(formatter, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_read_like_kubectl_field_paths() {
        let path = FieldPath::default()
            .field("spec")
            .field("containers")
            .index(1)
            .field("env");
        assert_eq!(path.to_string(), "spec.containers[1].env");
    }

    #[test]
    fn the_root_path_is_named() {
        assert_eq!(FieldPath::default().to_string(), "(root)");
    }
}
