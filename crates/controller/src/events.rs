//! Kubernetes Events (core/v1) on an Application, with Argo CD's reasons: `OperationStarted`,
//! `OperationCompleted`, `ResourceUpdated` (sync or health status changed), plus ferry's
//! `DriftDetected`, `DriftHealed` and `ResourcesDeleted`. Written best-effort: [`emit`] spawns
//! the write (bounded by a timeout) and never blocks or fails a reconcile; a failed write goes
//! to stderr. The same Event again within ten minutes bumps the `count` and `lastTimestamp`
//! of the first, as client-go's recorder does, so a fight over an object cannot flood Events.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferry_types::{Application, ApplicationStatus};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::status::now_rfc3339;

/// The component named as the Events' source.
pub const EVENT_COMPONENT: &str = "ferry-controller";

/// How long one Event write may take before it is given up.
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The same Event within this long of its first occurrence is counted on it.
const AGGREGATION_WINDOW: Duration = Duration::from_secs(600);
/// Events remembered for counting, at most (the oldest are forgotten first).
const REMEMBERED: usize = 4096;

/// An Event's identity for counting: the app, type, reason and message.
type EventKey = (String, bool, &'static str, String);

/// An Event written recently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recent {
    /// Its object's name.
    pub name: String,
    /// How many times it happened.
    pub count: u64,
    /// When it first happened.
    pub first_seen: Instant,
}

/// How to write an Event, given the same one written recently (pure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Write {
    /// A new Event object of this name.
    Create(String),
    /// Count it on the earlier object: its name and new count.
    Bump(String, u64),
}

/// Whether an Event seen at `now` is counted on `recent` or written anew as `fresh`.
pub(crate) fn correlate(recent: Option<&Recent>, now: Instant, fresh: String) -> Write {
    match recent {
        Some(recent) if now.duration_since(recent.first_seen) < AGGREGATION_WINDOW => {
            Write::Bump(recent.name.clone(), recent.count + 1)
        }
        _ => Write::Create(fresh),
    }
}

/// The Events the controller wrote recently, shared by its workers, for counting repeats.
#[derive(Debug, Clone, Default)]
pub struct EventRecorder {
    recent: Arc<Mutex<HashMap<EventKey, Recent>>>,
}

impl EventRecorder {
    /// Decides how to write `event` on `app` now, and remembers it.
    fn decide(&self, app: &Application, event: &AppEvent, now: Instant) -> Write {
        let owner = app
            .metadata
            .uid
            .clone()
            .unwrap_or_else(|| format!("{:?}/{}", app.metadata.namespace, app.metadata.name));
        let key: EventKey = (owner, event.warning, event.reason, event.message.clone());
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Event names are at most 253 characters.
        let prefix: String = app.metadata.name.chars().take(200).collect();
        let fresh = format!(
            "{prefix}.{:016x}",
            ferry_types::stable_hash(
                format!("{key:?}{:?}", std::time::SystemTime::now()).into_bytes()
            )
        );
        let write = correlate(recent.get(&key), now, fresh);
        match &write {
            Write::Create(name) => {
                if recent.len() >= REMEMBERED {
                    recent
                        .retain(|_, seen| now.duration_since(seen.first_seen) < AGGREGATION_WINDOW);
                    if recent.len() >= REMEMBERED {
                        recent.clear();
                    }
                }
                recent.insert(
                    key,
                    Recent {
                        name: name.clone(),
                        count: 1,
                        first_seen: now,
                    },
                );
            }
            Write::Bump(_, count) => {
                if let Some(seen) = recent.get_mut(&key) {
                    seen.count = *count;
                }
            }
        }
        write
    }
}

/// One Event to write on an Application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppEvent {
    /// `Warning` when true, `Normal` otherwise.
    pub warning: bool,
    /// Machine-readable reason, such as `OperationStarted`.
    pub reason: &'static str,
    /// What happened.
    pub message: String,
}

impl AppEvent {
    /// A `Normal` Event.
    pub fn normal(reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            warning: false,
            reason,
            message: message.into(),
        }
    }

    /// A `Warning` Event.
    pub fn warning(reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            warning: true,
            reason,
            message: message.into(),
        }
    }
}

/// The `ResourceUpdated` Events for what changed between two statuses of an app (sync status,
/// health), as Argo CD writes them.
pub fn status_events(before: &ApplicationStatus, after: &ApplicationStatus) -> Vec<AppEvent> {
    let mut events = Vec::new();
    if before.sync.status != after.sync.status {
        events.push(AppEvent::normal(
            "ResourceUpdated",
            format!(
                "Updated sync status: {:?} -> {:?}",
                before.sync.status, after.sync.status
            ),
        ));
    }
    if before.health.status != after.health.status {
        events.push(AppEvent::normal(
            "ResourceUpdated",
            format!(
                "Updated health status: {:?} -> {:?}",
                before.health.status, after.health.status
            ),
        ));
    }
    events
}

/// The Event object for `event` on `app`, at `now` (RFC 3339), named `name` (`<app>.` and a
/// generated suffix when empty).
pub fn event_object(app: &Application, event: &AppEvent, now: &str, name: &str) -> Value {
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let mut metadata = json!({"namespace": namespace});
    if name.is_empty() {
        metadata["generateName"] = format!("{}.", app.metadata.name).into();
    } else {
        metadata["name"] = name.into();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": metadata,
        "involvedObject": {
            "apiVersion": ferry_types::FERRY_API_VERSION,
            "kind": "Application",
            "name": app.metadata.name,
            "namespace": namespace,
            "uid": app.metadata.uid,
            "resourceVersion": app.metadata.resource_version,
        },
        "reason": event.reason,
        "message": event.message,
        "type": if event.warning { "Warning" } else { "Normal" },
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": {"component": EVENT_COMPONENT},
        "reportingComponent": EVENT_COMPONENT,
        "reportingInstance": EVENT_COMPONENT,
    })
}

pub(crate) fn event_resource() -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Event".into(),
        plural: "events".into(),
    }
}

/// Writes `events` on `app` in the background (best-effort, bounded); returns at once. A
/// repeat of a recent Event is counted on it.
pub(crate) fn emit(context: &crate::apps::Context, app: &Application, events: Vec<AppEvent>) {
    if events.is_empty() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let api: Api<DynamicObject> =
        Api::namespaced_with(context.kube.clone(), &namespace, &event_resource());
    let now = now_rfc3339();
    let started = Instant::now();
    let writes: Vec<(Write, Value)> = events
        .iter()
        .map(|event| {
            let write = context.events.decide(app, event, started);
            let name = match &write {
                Write::Create(name) | Write::Bump(name, _) => name,
            };
            let mut object = event_object(app, event, &now, name);
            if let Write::Bump(_, count) = &write {
                object["count"] = json!(count);
            }
            (write, object)
        })
        .collect();
    let name = app.metadata.name.clone();
    runtime.spawn(async move {
        for (write, object) in writes {
            let result = async {
                let create = || async {
                    let created: DynamicObject = serde_json::from_value(object.clone())
                        .map_err(|error| error.to_string())?;
                    api.create(&PostParams::default(), &created)
                        .await
                        .map(|_| ())
                        .map_err(|error| error.to_string())
                };
                match write {
                    Write::Create(_) => create().await,
                    Write::Bump(event, count) => {
                        let bump =
                            json!({"count": count, "lastTimestamp": object["lastTimestamp"]});
                        match api
                            .patch(&event, &PatchParams::default(), &Patch::Merge(&bump))
                            .await
                        {
                            Ok(_) => Ok(()),
                            // The first is not there (yet, or any more): write this one whole.
                            Err(kube::Error::Api(status)) if status.code == 404 => create().await,
                            Err(error) => Err(error.to_string()),
                        }
                    }
                }
            };
            match tokio::time::timeout(EVENT_TIMEOUT, result).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => eprintln!("controller: {namespace}/{name}: event: {error}"),
                Err(_) => eprintln!("controller: {namespace}/{name}: event: timed out"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::{HealthStatusCode, SyncStatusCode};

    #[test]
    fn a_repeat_within_ten_minutes_is_counted_on_the_first_and_a_later_one_is_new() {
        let start = Instant::now();
        assert_eq!(
            correlate(None, start, "shop.a".into()),
            Write::Create("shop.a".into())
        );
        let recent = Recent {
            name: "shop.a".into(),
            count: 2,
            first_seen: start,
        };
        assert_eq!(
            correlate(
                Some(&recent),
                start + Duration::from_secs(30),
                "shop.b".into()
            ),
            Write::Bump("shop.a".into(), 3)
        );
        assert_eq!(
            correlate(Some(&recent), start + AGGREGATION_WINDOW, "shop.c".into()),
            Write::Create("shop.c".into())
        );
    }

    #[test]
    fn a_status_change_is_a_resource_updated_event() {
        let mut before = ApplicationStatus::default();
        before.sync.status = SyncStatusCode::OutOfSync;
        before.health.status = HealthStatusCode::Missing;
        let mut after = before.clone();
        assert!(status_events(&before, &after).is_empty());
        after.sync.status = SyncStatusCode::Synced;
        after.health.status = HealthStatusCode::Healthy;
        let events = status_events(&before, &after);
        assert_eq!(
            events,
            [
                AppEvent::normal(
                    "ResourceUpdated",
                    "Updated sync status: OutOfSync -> Synced"
                ),
                AppEvent::normal(
                    "ResourceUpdated",
                    "Updated health status: Missing -> Healthy"
                ),
            ]
        );
    }

    #[test]
    fn an_event_names_the_application_as_its_involved_object() {
        let app = Application::from_value(
            json!({
                "apiVersion": "ferry.dev/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "shop", "namespace": "apps", "uid": "u-1"},
                "spec": {"source": {"repoURL": "file:///r"}, "destination": {}}
            }),
            "test",
        )
        .unwrap()
        .0;
        let object = event_object(
            &app,
            &AppEvent::warning("OperationCompleted", "Sync operation failed"),
            "2026-01-01T00:00:00Z",
            "",
        );
        assert_eq!(object["metadata"]["generateName"], "shop.");
        assert_eq!(object["involvedObject"]["kind"], "Application");
        assert_eq!(object["involvedObject"]["uid"], "u-1");
        assert_eq!(object["metadata"]["namespace"], "apps");
        assert_eq!(object["type"], "Warning");
        assert_eq!(object["reason"], "OperationCompleted");
    }
}
