//! A pod's status as its kubelet reports it, built from its containers' snapshots: phase,
//! conditions, IPs, container states with restart counts, images and container ids.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::timeline::{Run, Snapshot, State};
use crate::object;

/// One container as the kubelet sees it.
pub struct ContainerView<'a> {
    /// Container name.
    pub name: &'a str,
    /// Image as written in the spec.
    pub image: &'a str,
    /// Where it is.
    pub snapshot: Snapshot,
}

/// Where the pod runs.
pub struct Placement {
    /// The node's InternalIP.
    pub host_ip: String,
    /// The pod's IP.
    pub pod_ip: String,
}

/// Everything the status is built from.
pub struct PodView<'a> {
    /// The pod as stored.
    pub pod: &'a Value,
    /// When the kubelet admitted it.
    pub admitted_at: SystemTime,
    /// The current time.
    pub now: SystemTime,
    /// Node and pod addresses.
    pub placement: Placement,
    /// Init containers (they complete at once).
    pub init_containers: Vec<(&'a str, &'a str)>,
    /// Its containers.
    pub containers: Vec<ContainerView<'a>>,
}

/// The pod's phase from its containers.
pub fn phase(containers: &[ContainerView<'_>]) -> &'static str {
    let never_started = |view: &ContainerView<'_>| {
        matches!(
            view.snapshot.state,
            State::Creating | State::PullFailed { .. }
        ) && view.snapshot.restarts == 0
            && view.snapshot.last.is_none()
    };
    if containers.is_empty() || containers.iter().any(never_started) {
        return "Pending";
    }
    let finished: Vec<&Run> = containers
        .iter()
        .filter_map(|view| match &view.snapshot.state {
            State::Terminated(run) => Some(run),
            _ => None,
        })
        .collect();
    if finished.len() < containers.len() {
        "Running"
    } else if finished.iter().all(|run| run.exit.code == 0) {
        "Succeeded"
    } else {
        "Failed"
    }
}

impl PodView<'_> {
    fn at(&self, offset: Duration) -> String {
        object::timestamp(self.admitted_at + offset)
    }

    /// The status to report.
    pub fn status(&self) -> Value {
        let phase = phase(&self.containers);
        let unready: Vec<&str> = self
            .containers
            .iter()
            .filter(|view| !matches!(view.snapshot.state, State::Running { ready: true, .. }))
            .map(|view| view.name)
            .collect();
        let ready = if unready.is_empty() {
            ("True", None, None)
        } else if matches!(phase, "Succeeded" | "Failed") {
            ("False", Some("PodCompleted".to_string()), None)
        } else {
            (
                "False",
                Some("ContainersNotReady".to_string()),
                Some(format!(
                    "containers with unready status: [{}]",
                    unready.join(" ")
                )),
            )
        };
        let ready_to_start = if matches!(phase, "Succeeded" | "Failed") {
            "False"
        } else {
            "True"
        };
        let conditions = vec![
            self.condition("PodReadyToStartContainers", ready_to_start, None, None),
            self.condition("Initialized", "True", None, None),
            self.condition("Ready", ready.0, ready.1.clone(), ready.2.clone()),
            self.condition("ContainersReady", ready.0, ready.1, ready.2),
            self.condition("PodScheduled", "True", None, None),
        ];
        let mut status = Map::new();
        status.insert(
            "observedGeneration".into(),
            json!(object::generation(self.pod)),
        );
        status.insert("phase".into(), json!(phase));
        status.insert("conditions".into(), Value::Array(conditions));
        status.insert("hostIP".into(), json!(self.placement.host_ip));
        status.insert("hostIPs".into(), json!([{"ip": self.placement.host_ip}]));
        status.insert("podIP".into(), json!(self.placement.pod_ip));
        status.insert("podIPs".into(), json!([{"ip": self.placement.pod_ip}]));
        status.insert("startTime".into(), json!(self.at(Duration::ZERO)));
        if !self.init_containers.is_empty() {
            let statuses = self
                .init_containers
                .iter()
                .map(|(name, image)| self.init_container_status(name, image))
                .collect();
            status.insert("initContainerStatuses".into(), Value::Array(statuses));
        }
        let statuses = self
            .containers
            .iter()
            .map(|view| self.container_status(view))
            .collect();
        status.insert("containerStatuses".into(), Value::Array(statuses));
        status.insert(
            "qosClass".into(),
            self.pod
                .pointer("/status/qosClass")
                .cloned()
                .unwrap_or(json!("BestEffort")),
        );
        Value::Object(status)
    }

    fn condition(
        &self,
        kind: &str,
        status: &str,
        reason: Option<String>,
        message: Option<String>,
    ) -> Value {
        let previous = object::condition(self.pod, kind);
        let unchanged = previous
            .and_then(|c| c.get("status"))
            .and_then(Value::as_str)
            == Some(status);
        let since = match previous.and_then(|c| c.get("lastTransitionTime")) {
            Some(time) if unchanged => time.clone(),
            _ => json!(object::timestamp(self.now)),
        };
        let mut condition = Map::new();
        condition.insert("type".into(), json!(kind));
        condition.insert(
            "observedGeneration".into(),
            json!(object::generation(self.pod)),
        );
        condition.insert("status".into(), json!(status));
        condition.insert("lastProbeTime".into(), Value::Null);
        condition.insert("lastTransitionTime".into(), since);
        if let Some(reason) = reason {
            condition.insert("reason".into(), json!(reason));
        }
        if let Some(message) = message {
            condition.insert("message".into(), json!(message));
        }
        Value::Object(condition)
    }

    fn container_id(&self, name: &str, restarts: u32) -> String {
        format!(
            "containerd://{}",
            hex_sha256(&format!("{}/{name}/{restarts}", object::uid(self.pod)))
        )
    }

    fn terminated(&self, name: &str, run: &Run, restarts: u32) -> Value {
        json!({"terminated": {
            "exitCode": run.exit.code,
            "reason": run.exit.reason,
            "startedAt": self.at(run.started),
            "finishedAt": self.at(run.finished),
            "containerID": self.container_id(name, restarts),
        }})
    }

    fn container_status(&self, view: &ContainerView<'_>) -> Value {
        let snapshot = &view.snapshot;
        let image = qualified_image(view.image);
        let pull_message = pull_error(&image);
        let pod_name = format!(
            "{}_{}({})",
            object::name(self.pod),
            object::namespace(self.pod),
            object::uid(self.pod)
        );
        let (state, ready, started, created) = match &snapshot.state {
            State::Creating => (
                json!({"waiting": {"reason": "ContainerCreating"}}),
                false,
                false,
                false,
            ),
            State::PullFailed { backing_off: false } => (
                json!({"waiting": {"reason": "ErrImagePull", "message": pull_message}}),
                false,
                false,
                false,
            ),
            State::PullFailed { backing_off: true } => (
                json!({"waiting": {
                    "reason": "ImagePullBackOff",
                    "message": format!("Back-off pulling image \"{}\": ErrImagePull: {pull_message}", view.image),
                }}),
                false,
                false,
                false,
            ),
            State::Running { started, ready } => (
                json!({"running": {"startedAt": self.at(*started)}}),
                *ready,
                true,
                true,
            ),
            State::BackOff { backoff } => (
                json!({"waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": format!(
                        "back-off {} restarting failed container={} pod={pod_name}",
                        go_duration(*backoff),
                        view.name
                    ),
                }}),
                false,
                false,
                true,
            ),
            State::Terminated(run) => (
                self.terminated(view.name, run, snapshot.restarts),
                false,
                false,
                true,
            ),
        };
        let last_state = match (&snapshot.last, &snapshot.state) {
            (Some(run), State::BackOff { .. }) => {
                self.terminated(view.name, run, snapshot.restarts)
            }
            (Some(run), _) => self.terminated(view.name, run, snapshot.restarts.saturating_sub(1)),
            (None, _) => json!({}),
        };
        let mut status = Map::new();
        status.insert("name".into(), json!(view.name));
        status.insert("state".into(), state);
        status.insert("lastState".into(), last_state);
        status.insert("ready".into(), json!(ready));
        status.insert("restartCount".into(), json!(snapshot.restarts));
        status.insert("image".into(), json!(image));
        let image_id = if created {
            image_id(&image)
        } else {
            String::new()
        };
        status.insert("imageID".into(), json!(image_id));
        if created {
            status.insert(
                "containerID".into(),
                json!(self.container_id(view.name, snapshot.restarts)),
            );
        }
        status.insert("started".into(), json!(started));
        Value::Object(status)
    }

    fn init_container_status(&self, name: &str, image: &str) -> Value {
        let image = qualified_image(image);
        json!({
            "name": name,
            "state": {"terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": self.at(Duration::ZERO),
                "finishedAt": self.at(Duration::ZERO),
                "containerID": self.container_id(name, 0),
            }},
            "lastState": {},
            "ready": true,
            "restartCount": 0,
            "image": image,
            "imageID": image_id(&image),
            "containerID": self.container_id(name, 0),
            "started": false,
        })
    }
}

/// The message of a failed pull, worded as containerd words it.
pub fn pull_error(qualified: &str) -> String {
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{qualified}\": failed to resolve reference \"{qualified}\": {qualified}: not found"
    )
}

/// The image as the runtime reports it: `nginx` is `docker.io/library/nginx:latest`.
pub fn qualified_image(image: &str) -> String {
    let first = image.split('/').next().unwrap_or("");
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut full = if has_registry {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    };
    let last = full.rsplit('/').next().unwrap_or("");
    if !last.contains(':') && !full.contains('@') {
        full.push_str(":latest");
    }
    full
}

fn image_id(qualified: &str) -> String {
    let repository = match qualified.split_once('@') {
        Some((repository, _)) => repository.to_string(),
        None => {
            let cut = qualified
                .rfind(':')
                .filter(|index| !qualified[*index..].contains('/'))
                .unwrap_or(qualified.len());
            qualified[..cut].to_string()
        }
    };
    format!("{repository}@sha256:{}", hex_sha256(qualified))
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A duration as Go prints it (`10s`, `1m20s`, `5m0s`, `500ms`).
pub fn go_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis}ms");
    }
    let seconds = duration.as_secs_f64();
    let whole_minutes = (seconds / 60.0).floor() as u64;
    let rest = seconds - (whole_minutes * 60) as f64;
    let rest = if (rest - rest.round()).abs() < 1e-9 {
        format!("{}", rest.round() as u64)
    } else {
        let text = format!("{rest:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if whole_minutes == 0 {
        format!("{rest}s")
    } else if whole_minutes < 60 {
        format!("{whole_minutes}m{rest}s")
    } else {
        format!("{}h{}m{rest}s", whole_minutes / 60, whole_minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_qualified_the_way_the_runtime_reports_them() {
        assert_eq!(qualified_image("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(qualified_image("team/app:1"), "docker.io/team/app:1");
        assert_eq!(
            qualified_image("registry.example.invalid/hello:1.0"),
            "registry.example.invalid/hello:1.0"
        );
        assert_eq!(
            qualified_image("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert!(
            image_id("registry.local:5000/app:1").starts_with("registry.local:5000/app@sha256:")
        );
    }

    #[test]
    fn durations_read_like_go_durations() {
        assert_eq!(go_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(go_duration(Duration::from_secs(10)), "10s");
        assert_eq!(go_duration(Duration::from_secs(80)), "1m20s");
        assert_eq!(go_duration(Duration::from_secs(300)), "5m0s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
    }
}
