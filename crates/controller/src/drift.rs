//! Noticing drift between polls: a [`Print`] of every object an app manages (a hash of its
//! `spec`, `data` and the rest, and its labels; not `status` or other metadata, which
//! controllers and the API server change on their own), taken by each reconcile, compared with
//! the [`ObjectCache`] that shared watches (one per resource type, for all apps) keep current.
//! A change or a deletion makes the app due at once; with `selfHeal` the reconcile re-syncs
//! it. [`Backoff`] spaces out the reconciles of an app whose objects keep changing back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferry_engine::ClusterClient;
use ferry_types::{Gvk, ResourceStatus};
use kube::api::ApiResource;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::Result;
use crate::watch::{Update, version_number, watch};

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

/// One object as last seen: what drift is measured on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Print {
    /// [`fingerprint`] of the object; `None` when it does not exist.
    pub hash: Option<u64>,
    /// Its resourceVersion as a number (0 when unknown).
    pub version: u64,
    /// The field manager of its most recent change other than ferry's, if any.
    pub manager: Option<String>,
}

impl Print {
    /// The print of a live object, or of a missing one.
    pub fn of(object: Option<&Value>) -> Self {
        match object {
            Some(object) => Self {
                hash: Some(fingerprint(object)),
                version: version_number(object),
                manager: last_manager(object),
            },
            None => Self::default(),
        }
    }

    /// Whether `self`, seen later, is drift from `baseline`: the content differs and it is
    /// not older than the baseline (a watch event still on its way describes an older
    /// version; a deletion may keep the object's last version).
    pub fn drifted_from(&self, baseline: &Print) -> bool {
        self.hash != baseline.hash
            && (self.version >= baseline.version || self.version == 0 || baseline.version == 0)
    }
}

/// Prints of an app's objects by `group/kind/namespace/name`.
pub type Fingerprints = BTreeMap<String, Print>;

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

/// Prints of `resources` from the live objects `live` gives (`None`: missing), bounded by
/// [`MAX_TRACKED_OBJECTS`]; what a reconcile compared, so later drift is measured against
/// exactly the state its status describes.
pub fn fingerprints_of<'a>(
    resources: impl IntoIterator<Item = (&'a ResourceStatus, Option<&'a Value>)>,
) -> Fingerprints {
    resources
        .into_iter()
        .filter(|(resource, _)| tracked(resource))
        .take(MAX_TRACKED_OBJECTS)
        .map(|(resource, live)| (object_id(resource), Print::of(live)))
        .collect()
}

/// The manager of the newest `managedFields` entry that is not ferry's.
fn last_manager(object: &Value) -> Option<String> {
    object["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .filter(|entry| entry["manager"].as_str() != Some(ferry_engine::FIELD_MANAGER))
        // A client that names no manager and sends no User-Agent leaves it empty.
        .filter(|entry| {
            entry["manager"]
                .as_str()
                .is_some_and(|name| !name.is_empty())
        })
        .filter(|entry| entry["subresource"].as_str().is_none_or(str::is_empty))
        .max_by(|a, b| {
            a["time"]
                .as_str()
                .unwrap_or("")
                .cmp(b["time"].as_str().unwrap_or(""))
        })
        .and_then(|entry| entry["manager"].as_str())
        .map(str::to_string)
}

/// Which cluster an object lives on: the destination's (server, name).
pub type Destination = (String, String);

/// Objects of the watched types, as the watches last saw them, shared by every app; and the
/// ids that changed since the loop last looked.
#[derive(Default)]
pub struct ObjectCache {
    inner: Mutex<CacheState>,
    /// Woken on every change (and by whoever else shares it: the Application watch).
    pub notify: Arc<Notify>,
}

#[derive(Default)]
struct CacheState {
    prints: HashMap<(Destination, String), Print>,
    dirty: HashSet<(Destination, String)>,
    watches: HashMap<(Destination, String, String), JoinHandle<()>>,
}

impl Drop for CacheState {
    fn drop(&mut self) {
        for (_, task) in self.watches.drain() {
            task.abort();
        }
    }
}

impl ObjectCache {
    /// An empty cache waking `notify` on changes.
    pub fn new(notify: Arc<Notify>) -> Self {
        Self {
            inner: Mutex::default(),
            notify,
        }
    }

    /// The print of an object as the watches last saw it (`None`: its type is not watched
    /// yet, or the watch has not listed it).
    pub fn get(&self, destination: &Destination, id: &str) -> Option<Print> {
        let state = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        state
            .prints
            .get(&(destination.clone(), id.to_string()))
            .cloned()
    }

    /// Takes the ids changed since the last call.
    pub fn take_dirty(&self) -> HashSet<(Destination, String)> {
        let mut state = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        std::mem::take(&mut state.dirty)
    }

    /// Marks the ids of `fingerprints` changed again, so the next look compares them (changes
    /// seen while their app was being reconciled, or held back by its backoff).
    pub fn keep_dirty(&self, destination: &Destination, fingerprints: Option<&Fingerprints>) {
        let Some(fingerprints) = fingerprints else {
            return;
        };
        let mut state = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        for id in fingerprints.keys() {
            state.dirty.insert((destination.clone(), id.clone()));
        }
    }

    /// How many objects and watches the cache holds.
    pub fn size(&self) -> (usize, usize) {
        let state = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        (state.prints.len(), state.watches.len())
    }

    /// Starts a watch of every type in `resources` not watched yet on `destination`.
    pub async fn ensure_watched(
        self: &Arc<Self>,
        destination: &Destination,
        client: &ClusterClient,
        resources: &[ResourceStatus],
    ) -> Result<()> {
        for resource in resources.iter().filter(|resource| tracked(resource)) {
            let watch_key = (
                destination.clone(),
                resource.group.clone(),
                resource.kind.clone(),
            );
            {
                let state = self
                    .inner
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                if state.watches.contains_key(&watch_key) {
                    continue;
                }
            }
            let api_version = if resource.group.is_empty() {
                resource.version.clone()
            } else {
                format!("{}/{}", resource.group, resource.version)
            };
            let info = client
                .resource(&Gvk::from_api_version(&api_version, &resource.kind))
                .await?;
            let api_resource = ApiResource {
                group: info.group.clone(),
                version: info.version.clone(),
                api_version: info.api_version(),
                kind: info.kind.clone(),
                plural: info.plural.clone(),
            };
            let cache = Arc::downgrade(self);
            let prefix = format!("{}/{}/", info.group, info.kind);
            let destination_of_task = destination.clone();
            let task = tokio::spawn(watch(
                client.kube().clone(),
                api_resource,
                None,
                move |update| {
                    if let Some(cache) = cache.upgrade() {
                        cache.update(&destination_of_task, &prefix, update);
                    }
                },
            ));
            let mut state = self
                .inner
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            if let Some(previous) = state.watches.insert(watch_key, task) {
                previous.abort();
            }
        }
        Ok(())
    }

    /// Stops the watches of the types not in `wanted` (no app manages them any more) and
    /// forgets the objects they kept; returns how many stopped.
    pub fn stop_unwanted(&self, wanted: &HashSet<(Destination, String, String)>) -> usize {
        let mut state = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let unwanted: Vec<(Destination, String, String)> = state
            .watches
            .keys()
            .filter(|key| !wanted.contains(*key))
            .cloned()
            .collect();
        for key in &unwanted {
            if let Some(task) = state.watches.remove(key) {
                task.abort();
            }
            let (destination, group, kind) = key;
            let prefix = format!("{group}/{kind}/");
            let of_type =
                |(of, id): &(Destination, String)| of == destination && id.starts_with(&prefix);
            state.prints.retain(|key, _| !of_type(key));
            state.dirty.retain(|key| !of_type(key));
        }
        unwanted.len()
    }

    /// Records what a watch of the type whose ids start with `prefix` saw.
    fn update(&self, destination: &Destination, prefix: &str, update: Update) {
        let id_of = |object: &Value| {
            format!(
                "{prefix}{}/{}",
                object["metadata"]["namespace"].as_str().unwrap_or(""),
                object["metadata"]["name"].as_str().unwrap_or("")
            )
        };
        let mut changed = false;
        {
            let mut state = self
                .inner
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            let mut set = |state: &mut CacheState, id: String, print: Print| {
                let key = (destination.clone(), id);
                if state.prints.get(&key) != Some(&print) {
                    state.prints.insert(key.clone(), print);
                    state.dirty.insert(key);
                    changed = true;
                }
            };
            match update {
                Update::Applied(object) => {
                    set(&mut state, id_of(&object), Print::of(Some(&object)))
                }
                Update::Deleted(object) => {
                    let print = Print {
                        version: version_number(&object),
                        ..Print::default()
                    };
                    set(&mut state, id_of(&object), print);
                }
                Update::Listed(objects) => {
                    let listed: HashMap<String, Print> = objects
                        .iter()
                        .map(|object| (id_of(object), Print::of(Some(object))))
                        .collect();
                    let version = listed
                        .values()
                        .map(|print| print.version)
                        .max()
                        .unwrap_or(0);
                    let gone: Vec<String> = state
                        .prints
                        .iter()
                        .filter(|((of, id), print)| {
                            of == destination
                                && id.starts_with(prefix)
                                && print.hash.is_some()
                                && !listed.contains_key(id)
                        })
                        .map(|((_, id), _)| id.clone())
                        .collect();
                    for id in gone {
                        let print = Print {
                            version,
                            ..Print::default()
                        };
                        set(&mut state, id, print);
                    }
                    for (id, print) in listed {
                        set(&mut state, id, print);
                    }
                }
            }
        }
        if changed {
            self.notify.notify_one();
        }
    }
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
    // Labels in key order: a list answer keeps the server's order, an object read through
    // kube-rs's typed metadata sorts them, and both describe the same object.
    let labels: BTreeMap<&str, &str> = object["metadata"]["labels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .map(|(key, value)| (key.as_str(), value.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    labels.hash(&mut hasher);
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

    #[test]
    fn the_order_of_labels_does_not_change_a_fingerprint() {
        let listed: Value = serde_json::from_str(
            r#"{"metadata": {"labels": {"kubernetes.io/metadata.name": "shop", "environment": "staging"}},
                "spec": {"finalizers": ["kubernetes"]}}"#,
        )
        .unwrap();
        let typed: Value = serde_json::from_str(
            r#"{"metadata": {"labels": {"environment": "staging", "kubernetes.io/metadata.name": "shop"}},
                "spec": {"finalizers": ["kubernetes"]}}"#,
        )
        .unwrap();
        assert_eq!(fingerprint(&listed), fingerprint(&typed));
        let relabelled: Value = serde_json::from_str(
            r#"{"metadata": {"labels": {"environment": "production", "kubernetes.io/metadata.name": "shop"}},
                "spec": {"finalizers": ["kubernetes"]}}"#,
        )
        .unwrap();
        assert_ne!(fingerprint(&listed), fingerprint(&relabelled));
    }
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
    fn a_newer_different_object_is_drift_but_an_older_copy_on_its_way_is_not() {
        let print = |hash: Option<u64>, version: u64| Print {
            hash,
            version,
            manager: None,
        };
        let baseline = print(Some(1), 10);
        assert!(print(Some(2), 11).drifted_from(&baseline));
        assert!(
            !print(Some(2), 9).drifted_from(&baseline),
            "a lagging watch event"
        );
        assert!(
            !print(Some(1), 12).drifted_from(&baseline),
            "a status-only change"
        );
        assert!(
            print(None, 10).drifted_from(&baseline),
            "a deletion at its last version"
        );
    }

    #[test]
    fn the_last_manager_is_the_newest_entry_that_is_not_ferrys() {
        let object = json!({"metadata": {"managedFields": [
            {"manager": "ferry", "operation": "Apply", "time": "2026-01-01T00:00:09Z"},
            {"manager": "kubectl", "operation": "Update", "time": "2026-01-01T00:00:05Z"},
            {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status", "time": "2026-01-01T00:00:08Z"},
            {"manager": "hpa", "operation": "Update", "time": "2026-01-01T00:00:01Z"}
        ]}});
        assert_eq!(Print::of(Some(&object)).manager.as_deref(), Some("kubectl"));
    }

    #[tokio::test]
    async fn a_watch_no_app_wants_is_stopped_and_its_objects_forgotten() {
        let cache = ObjectCache::new(Arc::new(Notify::new()));
        let destination: Destination = ("https://kubernetes.default.svc".into(), String::new());
        let object = |name: &str| serde_json::json!({"metadata": {"name": name, "namespace": "shop", "resourceVersion": "5"}, "data": {}});
        cache.update(
            &destination,
            "/ConfigMap/",
            Update::Applied(object("settings")),
        );
        cache.update(
            &destination,
            "apps/Deployment/",
            Update::Applied(object("web")),
        );
        let config_maps = tokio::spawn(std::future::pending::<()>());
        let deployments = tokio::spawn(std::future::pending::<()>());
        let config_maps_abort = config_maps.abort_handle();
        {
            let mut state = cache.inner.lock().unwrap();
            let key = |kind: &str, group: &str| {
                (destination.clone(), group.to_string(), kind.to_string())
            };
            state.watches.insert(key("ConfigMap", ""), config_maps);
            state.watches.insert(key("Deployment", "apps"), deployments);
        }
        let wanted = HashSet::from([(
            destination.clone(),
            "apps".to_string(),
            "Deployment".to_string(),
        )]);
        assert_eq!(cache.stop_unwanted(&wanted), 1);
        assert_eq!(cache.size(), (1, 1));
        assert!(
            cache
                .get(&destination, "/ConfigMap/shop/settings")
                .is_none()
        );
        assert!(
            cache
                .get(&destination, "apps/Deployment/shop/web")
                .is_some()
        );
        tokio::task::yield_now().await;
        assert!(config_maps_abort.is_finished());
        assert_eq!(cache.stop_unwanted(&wanted), 0);
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
