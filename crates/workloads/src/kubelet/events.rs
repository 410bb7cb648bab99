//! The Events a kubelet (and the scheduler) records as a pod moves: Scheduled, Pulling, Pulled,
//! Created, Started, Failed, BackOff, Unhealthy. Derived by comparing the stored status with the
//! new one, so each transition is recorded once.

use serde_json::Value;

use super::status::{PodView, go_duration, pull_error, qualified_image};
use super::timeline::State;
use crate::change::{EventRecord, EventType};
use crate::fault::{FAULT_ANNOTATION, Faults};
use crate::object;

fn previous<'a>(pod: &'a Value, name: &str) -> Option<&'a Value> {
    pod.pointer("/status/containerStatuses")?
        .as_array()?
        .iter()
        .find(|status| status.get("name").and_then(Value::as_str) == Some(name))
}

fn previous_reason(status: Option<&Value>) -> &str {
    let Some(state) = status.and_then(|status| status.get("state")) else {
        return "";
    };
    if state.get("running").is_some() {
        return "Running";
    }
    if state.get("terminated").is_some() {
        return "Terminated";
    }
    state
        .pointer("/waiting/reason")
        .and_then(Value::as_str)
        .unwrap_or("")
}

struct Recorder<'a> {
    pod: &'a Value,
    node: &'a str,
    events: Vec<EventRecord>,
}

impl Recorder<'_> {
    fn record(&mut self, container: Option<&str>, kind: EventType, reason: &str, message: String) {
        let mut event = EventRecord::new(self.pod, kind, reason, message, "kubelet");
        event.host = Some(self.node.to_string());
        event.field_path = container.map(|name| format!("spec.containers{{{name}}}"));
        self.events.push(event);
    }
}

/// The Events between the stored pod and the status about to be written.
pub fn transitions(pod: &Value, node: &str, view: &PodView<'_>) -> Vec<EventRecord> {
    let mut recorder = Recorder {
        pod,
        node,
        events: Vec::new(),
    };
    let first_report = pod.pointer("/status/containerStatuses").is_none();
    if first_report {
        let mut scheduled = EventRecord::new(
            pod,
            EventType::Normal,
            "Scheduled",
            format!(
                "Successfully assigned {}/{} to {node}",
                object::namespace(pod),
                object::name(pod)
            ),
            "default-scheduler",
        );
        scheduled.involved["resourceVersion"] = Value::String(String::new());
        recorder.events.push(scheduled);
    }
    let faults = Faults::of_pod(pod);
    if first_report
        && let Some(text) = object::annotation(pod, FAULT_ANNOTATION)
        && let Err(error) = Faults::parse(text)
    {
        recorder.record(
            None,
            EventType::Warning,
            "InvalidFault",
            format!("ignored {FAULT_ANNOTATION}: {error}"),
        );
    }
    for container in &view.containers {
        let name = container.name;
        let image = container.image;
        let old = previous(pod, name);
        let old_reason = previous_reason(old);
        let old_restarts = old
            .and_then(|status| status.get("restartCount"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let restarted = u64::from(container.snapshot.restarts) != old_restarts;
        if first_report {
            recorder.record(
                Some(name),
                EventType::Normal,
                "Pulling",
                format!("Pulling image \"{image}\""),
            );
        }
        match container.snapshot.state {
            State::Running { .. } | State::Terminated(_)
                if old_reason != "Running" && old_reason != "Terminated" || restarted =>
            {
                let pulled = if container.snapshot.restarts == 0 {
                    let took = go_duration(match container.snapshot.state {
                        State::Running { started, .. } => started,
                        State::Terminated(run) => run.started,
                        _ => std::time::Duration::ZERO,
                    });
                    format!(
                        "Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: 0 bytes."
                    )
                } else {
                    format!("Container image \"{image}\" already present on machine")
                };
                recorder.record(Some(name), EventType::Normal, "Pulled", pulled);
                recorder.record(
                    Some(name),
                    EventType::Normal,
                    "Created",
                    format!("Created container: {name}"),
                );
                recorder.record(
                    Some(name),
                    EventType::Normal,
                    "Started",
                    format!("Started container {name}"),
                );
                if faults.never_ready && matches!(container.snapshot.state, State::Running { .. }) {
                    recorder.record(
                        Some(name),
                        EventType::Warning,
                        "Unhealthy",
                        "Readiness probe failed: HTTP probe failed with statuscode: 503".into(),
                    );
                }
            }
            State::PullFailed { backing_off: false } if old_reason != "ErrImagePull" => {
                recorder.record(
                    Some(name),
                    EventType::Warning,
                    "Failed",
                    format!(
                        "Failed to pull image \"{image}\": {}",
                        pull_error(&qualified_image(image))
                    ),
                );
                recorder.record(
                    Some(name),
                    EventType::Warning,
                    "Failed",
                    "Error: ErrImagePull".into(),
                );
            }
            State::PullFailed { backing_off: true } if old_reason != "ImagePullBackOff" => {
                recorder.record(
                    Some(name),
                    EventType::Normal,
                    "BackOff",
                    format!("Back-off pulling image \"{image}\""),
                );
                recorder.record(
                    Some(name),
                    EventType::Warning,
                    "Failed",
                    "Error: ImagePullBackOff".into(),
                );
            }
            State::BackOff { .. } if old_reason != "CrashLoopBackOff" || restarted => {
                recorder.record(
                    Some(name),
                    EventType::Warning,
                    "BackOff",
                    format!(
                        "Back-off restarting failed container {name} in pod {}_{}({})",
                        object::name(pod),
                        object::namespace(pod),
                        object::uid(pod)
                    ),
                );
            }
            _ => {}
        }
    }
    recorder.events
}
