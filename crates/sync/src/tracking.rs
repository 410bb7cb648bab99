//! Which app an object belongs to: the tracking annotation
//! `ferry.dev/tracking-id: <app>:<group>/<kind>:<namespace>/<name>`. An object counts as this
//! app's only when the annotation names the app *and* the object's own identity, so a copy
//! of a tracked object (same labels, even same annotation) is never pruned.

use std::fmt;

use ferry_types::ObjectKey;
use serde_json::Value;

/// The annotation ferry writes on every object it applies.
pub const TRACKING_ANNOTATION: &str = "ferry.dev/tracking-id";

/// A parsed tracking id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingId {
    /// The app's name.
    pub app: String,
    /// The object it was written for.
    pub key: ObjectKey,
}

impl TrackingId {
    /// The tracking id of `key` in `app`.
    pub fn new(app: &str, key: &ObjectKey) -> Self {
        Self {
            app: app.to_string(),
            key: key.clone(),
        }
    }

    /// Parses `<app>:<group>/<kind>:<namespace>/<name>`.
    pub fn parse(text: &str) -> Option<Self> {
        let (app, rest) = text.split_once(':')?;
        let (group_kind, namespace_name) = rest.split_once(':')?;
        let (group, kind) = group_kind.split_once('/')?;
        let (namespace, name) = namespace_name.split_once('/')?;
        if app.is_empty() || kind.is_empty() || name.is_empty() {
            return None;
        }
        Some(Self {
            app: app.to_string(),
            key: ObjectKey {
                group: group.into(),
                kind: kind.into(),
                namespace: namespace.into(),
                name: name.into(),
            },
        })
    }

    /// The tracking id written on a live object, if any.
    pub fn of(object: &Value) -> Option<Self> {
        object["metadata"]["annotations"][TRACKING_ANNOTATION]
            .as_str()
            .and_then(Self::parse)
    }

    /// Whether a live object with identity `key` carrying this id belongs to `app`.
    pub fn claims(&self, app: &str, key: &ObjectKey) -> bool {
        self.app == app && &self.key == key
    }
}

impl fmt::Display for TrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}/{}:{}/{}",
            self.app, self.key.group, self.key.kind, self.key.namespace, self.key.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracking_id_round_trips_through_its_text() {
        let key = ObjectKey {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "web".into(),
        };
        let id = TrackingId::new("shop-prod", &key);
        assert_eq!(id.to_string(), "shop-prod:apps/Deployment:shop/web");
        assert_eq!(TrackingId::parse(&id.to_string()), Some(id));
        let cluster = TrackingId::parse("infra:/Namespace:/shop").unwrap();
        assert_eq!(cluster.key.kind, "Namespace");
        assert_eq!(cluster.key.namespace, "");
    }

    #[test]
    fn a_copied_annotation_does_not_claim_another_object() {
        let key = ObjectKey {
            group: String::new(),
            kind: "ConfigMap".into(),
            namespace: "a".into(),
            name: "x".into(),
        };
        let copy = ObjectKey {
            name: "y".into(),
            ..key.clone()
        };
        let id = TrackingId::new("app", &key);
        assert!(id.claims("app", &key));
        assert!(!id.claims("app", &copy));
        assert!(!id.claims("other", &key));
        assert_eq!(TrackingId::parse("garbage"), None);
    }
}
