//! Noticing drift between polls: a fingerprint of every object an app manages (its `spec`,
//! `data` and the rest, its labels; not `status` or other metadata, which controllers and the
//! API server change on their own), taken after each reconcile and compared every tick. A
//! change or a deletion makes the app due at once; with `selfHeal` the reconcile re-syncs it.
//! [`Backoff`] spaces out the reconciles of an app whose objects keep changing back.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use ferry_engine::ClusterClient;
use ferry_types::{Gvk, ResourceStatus};
use serde_json::Value;

use crate::Result;

/// At most this many objects of one app are tracked (the first, in status order); the rest
/// are compared on the poll interval only.
pub const MAX_TRACKED_OBJECTS: usize = 200;

/// The first drift of an app is acted on at once; each further one within
/// [`BACKOFF_RESET`] of the previous waits twice as long, from this, up to [`BACKOFF_MAX`].
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// The longest wait between two drift-triggered reconciles of one app.
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// A drift this long after the previous one starts the backoff over.
pub const BACKOFF_RESET: Duration = Duration::from_secs(120);

/// Fingerprints of an app's objects by `group/kind/namespace/name`; `None` for a missing one.
pub type Fingerprints = BTreeMap<String, Option<u64>>;

/// Whether drift of this resource is tracked: the app manages it (it is not only awaiting
/// pruning, nor a hook).
pub fn tracked(resource: &ResourceStatus) -> bool {
    !resource.requires_pruning && !resource.hook
}

/// The key of a resource in [`Fingerprints`].
pub fn object_id(resource: &ResourceStatus) -> String {
    format!(
        "{}/{}/{}/{}",
        resource.group, resource.kind, resource.namespace, resource.name
    )
}

/// Fingerprints of `resources` from the live objects `live` gives (`None`: missing), bounded
/// by [`MAX_TRACKED_OBJECTS`]; what a reconcile compared, so later drift is measured against
/// exactly the state its status describes.
pub fn fingerprints_of<'a>(
    resources: impl IntoIterator<Item = (&'a ResourceStatus, Option<&'a Value>)>,
) -> Fingerprints {
    resources
        .into_iter()
        .filter(|(resource, _)| tracked(resource))
        .take(MAX_TRACKED_OBJECTS)
        .map(|(resource, live)| (object_id(resource), live.map(fingerprint)))
        .collect()
}

/// Fingerprints of the tracked objects in `resources`, read now (one GET each).
pub async fn fingerprints(
    client: &ClusterClient,
    resources: &[ResourceStatus],
) -> Result<Fingerprints> {
    let mut fingerprints = Fingerprints::new();
    for resource in resources
        .iter()
        .filter(|resource| tracked(resource))
        .take(MAX_TRACKED_OBJECTS)
    {
        let api_version = if resource.group.is_empty() {
            resource.version.clone()
        } else {
            format!("{}/{}", resource.group, resource.version)
        };
        let info = client
            .resource(&Gvk::from_api_version(&api_version, &resource.kind))
            .await?;
        let live = client
            .get(&info, &resource.namespace, &resource.name)
            .await?;
        fingerprints.insert(object_id(resource), live.as_ref().map(fingerprint));
    }
    Ok(fingerprints)
}

/// A hash of what a user (or another controller) would change on an object: everything but
/// `status`, `metadata`, `apiVersion` and `kind` (list items may lack the last two), plus its
/// labels.
pub fn fingerprint(object: &Value) -> u64 {
    let mut hasher = DefaultHasher::new();
    if let Some(fields) = object.as_object() {
        for (field, value) in fields {
            if !matches!(
                field.as_str(),
                "status" | "metadata" | "apiVersion" | "kind"
            ) {
                field.hash(&mut hasher);
                value.to_string().hash(&mut hasher);
            }
        }
    }
    object["metadata"]["labels"].to_string().hash(&mut hasher);
    hasher.finish()
}

/// Exponential backoff of drift-triggered reconciles of one app.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    drifts: u32,
    last: Option<Instant>,
    not_before: Option<Instant>,
}

impl Backoff {
    /// Whether drift may be acted on at `now`.
    pub fn ready(&self, now: Instant) -> bool {
        self.not_before.is_none_or(|not_before| now >= not_before)
    }

    /// Records a drift acted on at `now`; returns the wait before the next one is.
    pub fn record(&mut self, now: Instant) -> Duration {
        let recent = self
            .last
            .is_some_and(|last| now.saturating_duration_since(last) < BACKOFF_RESET);
        self.drifts = if recent { self.drifts + 1 } else { 1 };
        self.last = Some(now);
        let wait = match self.drifts {
            0 | 1 => Duration::ZERO,
            drifts => BACKOFF_BASE
                .saturating_mul(1 << (drifts - 2).min(16))
                .min(BACKOFF_MAX),
        };
        self.not_before = Some(now + wait);
        wait
    }

    /// How many drifts in a row (each within [`BACKOFF_RESET`] of the previous).
    pub fn drifts(&self) -> u32 {
        self.drifts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_fingerprint_ignores_status_and_metadata_but_not_spec_or_labels() {
        let object = json!({"kind": "Deployment", "metadata": {"name": "web", "resourceVersion": "1", "labels": {"a": "b"}}, "spec": {"replicas": 1}, "status": {"readyReplicas": 0}});
        let mut other = object.clone();
        other["metadata"]["resourceVersion"] = "2".into();
        other["status"]["readyReplicas"] = 1.into();
        assert_eq!(fingerprint(&object), fingerprint(&other));
        other["spec"]["replicas"] = 3.into();
        assert_ne!(fingerprint(&object), fingerprint(&other));
        let mut relabelled = object.clone();
        relabelled["metadata"]["labels"]["a"] = "c".into();
        assert_ne!(fingerprint(&object), fingerprint(&relabelled));
    }

    #[test]
    fn drift_that_keeps_coming_back_waits_longer_each_time_up_to_a_limit() {
        let start = Instant::now();
        let mut backoff = Backoff::default();
        assert!(backoff.ready(start));
        assert_eq!(backoff.record(start), Duration::ZERO);
        assert_eq!(backoff.record(start), Duration::from_secs(1));
        assert!(!backoff.ready(start));
        assert!(backoff.ready(start + Duration::from_secs(1)));
        assert_eq!(backoff.record(start), Duration::from_secs(2));
        assert_eq!(backoff.record(start), Duration::from_secs(4));
        for _ in 0..20 {
            backoff.record(start);
        }
        assert_eq!(backoff.record(start), BACKOFF_MAX);
        // Quiet for a while: the next drift is acted on at once again.
        assert_eq!(backoff.record(start + BACKOFF_RESET), Duration::ZERO);
        assert_eq!(backoff.drifts(), 1);
    }
}
