//! What a notification says: [`Notification`] made from a controller signal, and the two
//! payloads, ferry's generic JSON and a Slack incoming-webhook message.

use std::time::SystemTime;

use ferry_controller::Signal;
use ferry_types::{HealthStatusCode, OperationPhase};
use serde_json::{Value, json};

use super::config::EventKind;
use crate::time::format_rfc3339;

/// Drifted objects listed in one notification at most.
pub const MAX_LISTED_OBJECTS: usize = 20;

/// One event to tell targets about.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// What happened.
    pub event: EventKind,
    /// The Application's namespace.
    pub namespace: String,
    /// Its name.
    pub app: String,
    /// Its project.
    pub project: String,
    /// The revision concerned (may be empty).
    pub revision: String,
    /// One line for people.
    pub summary: String,
    /// Event-specific fields.
    pub details: Value,
    /// When ferry saw it.
    pub at: SystemTime,
}

impl Notification {
    /// The notification a signal calls for, if any: syncs that ended (not dry runs), health
    /// turning Degraded, drift.
    pub fn from_signal(signal: &Signal, at: SystemTime) -> Option<Self> {
        let app = signal.app()?;
        let (event, revision, summary, details) = match signal {
            Signal::SyncFinished {
                phase,
                duration,
                revision,
                automated,
                username,
                message,
                dry_run: false,
                ..
            } => {
                let (event, verb) = match phase {
                    OperationPhase::Succeeded => (EventKind::SyncSucceeded, "succeeded"),
                    OperationPhase::Failed | OperationPhase::Error => {
                        (EventKind::SyncFailed, "failed")
                    }
                    OperationPhase::Running | OperationPhase::Terminating => return None,
                };
                let by = if *automated {
                    "automation".to_string()
                } else if username.is_empty() {
                    "a user".to_string()
                } else {
                    username.clone()
                };
                (
                    event,
                    revision.clone(),
                    format!(
                        "sync of {} {verb} at {} (started by {by})",
                        app.name,
                        short(revision)
                    ),
                    json!({
                        "phase": format!("{phase:?}"),
                        "durationSeconds": duration.as_secs_f64(),
                        "automated": automated,
                        "username": username,
                        "message": message,
                    }),
                )
            }
            Signal::HealthChanged {
                from,
                to: HealthStatusCode::Degraded,
                revision,
                ..
            } if *from != HealthStatusCode::Degraded => (
                EventKind::HealthDegraded,
                revision.clone(),
                format!("{} is Degraded (was {from:?})", app.name),
                json!({"from": format!("{from:?}"), "to": "Degraded"}),
            ),
            Signal::DriftDetected { objects, .. } => {
                let listed: Vec<&String> = objects.iter().take(MAX_LISTED_OBJECTS).collect();
                (
                    EventKind::DriftDetected,
                    String::new(),
                    format!(
                        "drift detected in {}: {} object{} changed outside ferry",
                        app.name,
                        objects.len(),
                        if objects.len() == 1 { "" } else { "s" }
                    ),
                    json!({"objects": listed, "objectCount": objects.len()}),
                )
            }
            _ => return None,
        };
        Some(Self {
            event,
            namespace: app.namespace.clone(),
            app: app.name.clone(),
            project: app.project.clone(),
            revision,
            summary,
            details,
            at,
        })
    }
}

fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}

/// ferry's generic JSON payload:
/// `{"event", "app": {"name", "namespace", "project"}, "revision", "summary", "timestamp", "details"}`.
pub fn generic(notification: &Notification) -> Value {
    json!({
        "event": notification.event.as_str(),
        "app": {
            "name": notification.app,
            "namespace": notification.namespace,
            "project": notification.project,
        },
        "revision": notification.revision,
        "summary": notification.summary,
        "timestamp": format_rfc3339(notification.at),
        "details": notification.details,
    })
}

/// A Slack incoming-webhook message: `text` (the fallback and notification line) and one
/// coloured attachment with the fields.
pub fn slack(notification: &Notification) -> Value {
    let (icon, color) = match notification.event {
        EventKind::SyncSucceeded => (":white_check_mark:", "good"),
        EventKind::SyncFailed => (":x:", "danger"),
        EventKind::HealthDegraded => (":warning:", "danger"),
        EventKind::DriftDetected => (":mag:", "warning"),
    };
    let mut fields = vec![
        json!({"title": "Application", "value": format!("{}/{}", notification.namespace, notification.app), "short": true}),
        json!({"title": "Project", "value": notification.project, "short": true}),
    ];
    if !notification.revision.is_empty() {
        fields.push(
            json!({"title": "Revision", "value": short(&notification.revision), "short": true}),
        );
    }
    if let Some(message) = notification.details["message"]
        .as_str()
        .filter(|m| !m.is_empty())
    {
        fields.push(json!({"title": "Message", "value": message, "short": false}));
    }
    if let Some(objects) = notification.details["objects"].as_array() {
        let list: Vec<&str> = objects.iter().filter_map(Value::as_str).collect();
        fields.push(json!({"title": "Objects", "value": list.join("\n"), "short": false}));
    }
    json!({
        "text": format!("{icon} ferry: {}", notification.summary),
        "attachments": [{
            "color": color,
            "fallback": notification.summary,
            "fields": fields,
            "ts": notification.at.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        }],
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use ferry_controller::AppRef;

    use super::*;

    fn app() -> AppRef {
        AppRef {
            namespace: "ferry".into(),
            name: "listings".into(),
            project: "estate".into(),
        }
    }

    fn at() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_741_564_800)
    }

    fn sync(phase: OperationPhase, dry_run: bool) -> Signal {
        Signal::SyncFinished {
            app: app(),
            phase,
            duration: Duration::from_millis(1500),
            revision: "0123456789abcdef".into(),
            automated: false,
            username: "alice".into(),
            message: "successfully synced".into(),
            dry_run,
        }
    }

    #[test]
    fn a_successful_sync_becomes_a_generic_document() {
        let notification =
            Notification::from_signal(&sync(OperationPhase::Succeeded, false), at()).unwrap();
        assert_eq!(
            generic(&notification),
            json!({
                "event": "sync-succeeded",
                "app": {"name": "listings", "namespace": "ferry", "project": "estate"},
                "revision": "0123456789abcdef",
                "summary": "sync of listings succeeded at 0123456 (started by alice)",
                "timestamp": "2025-03-10T00:00:00Z",
                "details": {
                    "phase": "Succeeded", "durationSeconds": 1.5, "automated": false,
                    "username": "alice", "message": "successfully synced"
                }
            })
        );
    }

    #[test]
    fn a_failed_sync_becomes_a_red_slack_message() {
        let notification =
            Notification::from_signal(&sync(OperationPhase::Error, false), at()).unwrap();
        let message = slack(&notification);
        assert_eq!(
            message["text"],
            ":x: ferry: sync of listings failed at 0123456 (started by alice)"
        );
        assert_eq!(message["attachments"][0]["color"], "danger");
        assert_eq!(message["attachments"][0]["fields"][2]["value"], "0123456");
        assert_eq!(
            message["attachments"][0]["fields"][3]["value"],
            "successfully synced"
        );
    }

    #[test]
    fn dry_runs_running_syncs_and_other_health_changes_notify_nobody() {
        assert!(Notification::from_signal(&sync(OperationPhase::Succeeded, true), at()).is_none());
        assert!(Notification::from_signal(&sync(OperationPhase::Running, false), at()).is_none());
        let healthy = Signal::HealthChanged {
            app: app(),
            from: HealthStatusCode::Degraded,
            to: HealthStatusCode::Healthy,
            revision: String::new(),
        };
        assert!(Notification::from_signal(&healthy, at()).is_none());
        assert!(Notification::from_signal(&Signal::DriftHealed { app: app() }, at()).is_none());
    }

    #[test]
    fn drift_lists_at_most_twenty_objects() {
        let objects: Vec<String> = (0..25)
            .map(|index| format!("ConfigMap/ferry/c{index}"))
            .collect();
        let signal = Signal::DriftDetected {
            app: app(),
            objects,
        };
        let notification = Notification::from_signal(&signal, at()).unwrap();
        assert_eq!(
            notification.details["objects"].as_array().unwrap().len(),
            20
        );
        assert_eq!(notification.details["objectCount"], 25);
        assert_eq!(
            notification.summary,
            "drift detected in listings: 25 objects changed outside ferry"
        );
    }
}
