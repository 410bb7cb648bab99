//! The rule that comes before every kind's check: an object being deleted is Progressing.

use serde_json::Value;

use crate::Health;

/// The finalizer Argo CD puts on hooks so they outlive their sync phase; a hook held only by
/// it is assessed by its kind's rule even while deleted.
const HOOK_FINALIZER: &str = "argocd.argoproj.io/hook-finalizer";

/// Progressing ("Pending deletion", naming the finalizers still holding the object) when the
/// object has a `deletionTimestamp` and no hook finalizer; `None` otherwise.
pub(crate) fn assess(object: &Value) -> Option<Health> {
    let metadata = object.get("metadata")?;
    if metadata.get("deletionTimestamp").is_none_or(Value::is_null) {
        return None;
    }
    let finalizers: Vec<&str> = metadata
        .get("finalizers")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if finalizers.contains(&HOOK_FINALIZER) {
        return None;
    }
    if finalizers.is_empty() {
        return Some(Health::progressing("Pending deletion"));
    }
    Some(Health::progressing(format!(
        "Pending deletion, waiting for finalizers: {}",
        finalizers.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_deleted_object_is_pending_deletion() {
        let object = json!({"metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}});
        assert_eq!(
            assess(&object),
            Some(Health::progressing("Pending deletion"))
        );
    }

    #[test]
    fn the_message_names_the_finalizers_holding_the_object() {
        let object = json!({"metadata": {
            "deletionTimestamp": "2024-01-01T00:00:00Z",
            "finalizers": ["kubernetes.io/pvc-protection", "example.com/cleanup"]
        }});
        assert_eq!(
            assess(&object).unwrap().message,
            "Pending deletion, waiting for finalizers: kubernetes.io/pvc-protection, example.com/cleanup"
        );
    }

    #[test]
    fn a_hook_held_by_the_hook_finalizer_is_left_to_its_kind() {
        let object = json!({"metadata": {
            "deletionTimestamp": "2024-01-01T00:00:00Z",
            "finalizers": [HOOK_FINALIZER]
        }});
        assert_eq!(assess(&object), None);
    }

    #[test]
    fn an_object_not_being_deleted_is_left_to_its_kind() {
        assert_eq!(assess(&json!({"metadata": {"name": "a"}})), None);
        assert_eq!(
            assess(&json!({"metadata": {"deletionTimestamp": null}})),
            None
        );
    }
}
