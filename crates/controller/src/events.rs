//! Kubernetes Events (core/v1) on an Application, with Argo CD's reasons: `OperationStarted`,
//! `OperationCompleted`, `ResourceUpdated` (sync or health status changed), plus ferry's
//! `DriftDetected` and `DriftHealed`. Written best-effort: [`emit`] spawns the write (bounded
//! by a timeout) and never blocks or fails a reconcile; a failed write goes to stderr.

use std::time::Duration;

use ferry_types::{Application, ApplicationStatus};
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde_json::{Value, json};

use crate::status::now_rfc3339;

/// The component named as the Events' source.
pub const EVENT_COMPONENT: &str = "ferry-controller";

/// How long one Event write may take before it is given up.
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

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

/// The Event object for `event` on `app`, at `now` (RFC 3339).
pub fn event_object(app: &Application, event: &AppEvent, now: &str) -> Value {
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": format!("{}.", app.metadata.name),
            "namespace": namespace,
        },
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

/// Writes `events` on `app` in the background (best-effort, bounded); returns at once.
pub(crate) fn emit(kube: &kube::Client, app: &Application, events: Vec<AppEvent>) {
    if events.is_empty() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let api: Api<DynamicObject> = Api::namespaced_with(kube.clone(), &namespace, &event_resource());
    let now = now_rfc3339();
    let objects: Vec<Value> = events
        .iter()
        .map(|event| event_object(app, event, &now))
        .collect();
    let name = app.metadata.name.clone();
    runtime.spawn(async move {
        for object in objects {
            let result = async {
                let object: DynamicObject =
                    serde_json::from_value(object).map_err(|error| error.to_string())?;
                api.create(&PostParams::default(), &object)
                    .await
                    .map_err(|error| error.to_string())
            };
            match tokio::time::timeout(EVENT_TIMEOUT, result).await {
                Ok(Ok(_)) => {}
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
        );
        assert_eq!(object["involvedObject"]["kind"], "Application");
        assert_eq!(object["involvedObject"]["uid"], "u-1");
        assert_eq!(object["metadata"]["namespace"], "apps");
        assert_eq!(object["type"], "Warning");
        assert_eq!(object["reason"], "OperationCompleted");
    }
}
