//! `GET /api/v1/stream`: Server-Sent Events. First a `snapshot` of every app (summaries),
//! then an `application` event per change the watch sees (`type` ADDED, MODIFIED or
//! DELETED, plus the summary) and a `signal` event per thing the controller reports
//! (reconciled, sync finished, drift…). A listener that falls behind gets a `lagged` event.
//! Streams end when the server stops.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use ferry_controller::Signal;
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::state::{AppState, StreamEvent};

/// The JSON of a controller signal: `kind`, the app (`namespace`, `name`, `project`) when
/// it is about one, and its fields.
pub fn signal_data(signal: &Signal) -> Value {
    let mut data = match signal {
        Signal::Reconciled {
            duration,
            sync,
            health,
            revision,
            error,
            ..
        } => json!({
            "kind": "Reconciled",
            "durationSeconds": duration.as_secs_f64(),
            "sync": sync,
            "health": health,
            "revision": revision,
            "error": error,
        }),
        Signal::GitFetched { repo, duration, ok } => json!({
            "kind": "GitFetched",
            "repo": repo,
            "durationSeconds": duration.as_secs_f64(),
            "ok": ok,
        }),
        Signal::SyncFinished {
            phase,
            duration,
            revision,
            automated,
            username,
            message,
            dry_run,
            ..
        } => json!({
            "kind": "SyncFinished",
            "phase": phase,
            "durationSeconds": duration.as_secs_f64(),
            "revision": revision,
            "automated": automated,
            "username": username,
            "message": message,
            "dryRun": dry_run,
        }),
        Signal::DriftDetected { objects, .. } => {
            json!({"kind": "DriftDetected", "objects": objects})
        }
        Signal::DriftHealed { .. } => json!({"kind": "DriftHealed"}),
        Signal::HealthChanged {
            from, to, revision, ..
        } => json!({"kind": "HealthChanged", "from": from, "to": to, "revision": revision}),
    };
    if let Some(app) = signal.app() {
        data["namespace"] = app.namespace.clone().into();
        data["name"] = app.name.clone().into();
        data["project"] = app.project.clone().into();
    }
    data
}

/// The stream event of a controller signal.
pub fn signal_event(signal: &Signal) -> StreamEvent {
    StreamEvent {
        event: "signal",
        data: signal_data(signal),
    }
}

fn sse(event: &StreamEvent) -> Event {
    Event::default()
        .event(event.event)
        .data(event.data.to_string())
}

/// `GET /api/v1/stream`.
pub async fn get(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the snapshot, so no change falls between the two.
    let receiver = state.subscribe();
    let apps: Vec<Value> = state
        .cached_apps()
        .await
        .iter()
        .map(super::summary)
        .collect();
    let snapshot = StreamEvent {
        event: "snapshot",
        data: json!({"items": apps}),
    };
    let shutdown = state.shutdown();
    let stream = futures_util::stream::unfold(
        (Some(snapshot), receiver, shutdown),
        |(first, mut receiver, mut shutdown)| async move {
            if let Some(first) = first {
                return Some((Ok(sse(&first)), (None, receiver, shutdown)));
            }
            let event = tokio::select! {
                _ = shutdown.wait_for(|stopped| *stopped) => return None,
                received = receiver.recv() => match received {
                    Ok(event) => sse(&event),
                    Err(RecvError::Lagged(missed)) => Event::default()
                        .event("lagged")
                        .data(json!({"missed": missed}).to_string()),
                    Err(RecvError::Closed) => return None,
                },
            };
            Some((Ok(event), (None, receiver, shutdown)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_controller::AppRef;

    #[test]
    fn a_signal_becomes_json_naming_its_kind_and_app() {
        let data = signal_data(&Signal::DriftDetected {
            app: AppRef {
                namespace: "apps".into(),
                name: "web".into(),
                project: "default".into(),
            },
            objects: vec!["Deployment/default/web".into()],
        });
        assert_eq!(
            data,
            json!({
                "kind": "DriftDetected",
                "objects": ["Deployment/default/web"],
                "namespace": "apps",
                "name": "web",
                "project": "default"
            })
        );
    }
}
