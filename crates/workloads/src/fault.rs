//! Fault injection by annotation: `cluster.ferry.dev/fault` on a workload or its pod template,
//! and images tagged `broken`, turned into what the simulated kubelet makes a container do.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// The annotation that injects faults; a comma-separated list of faults.
pub const FAULT_ANNOTATION: &str = "cluster.ferry.dev/fault";

/// The faults of one pod, read from its `cluster.ferry.dev/fault` annotation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Containers exit 1 right after starting and are restarted with a growing back-off.
    pub crashloop: bool,
    /// Every image fails to pull (ErrImagePull, then ImagePullBackOff).
    pub image_pull: bool,
    /// Containers run but never become ready.
    pub never_ready: bool,
    /// Containers are killed for exceeding their memory limit (exit 137, OOMKilled).
    pub oom: bool,
    /// Containers take this long (simulated) to start.
    pub slow_start: Option<Duration>,
    /// Containers exit 1 after running this long (simulated), then restart.
    pub fail_after: Option<Duration>,
}

impl Faults {
    /// Parses an annotation value such as `crashloop` or `slow-start=30s,never-ready`.
    pub fn parse(text: &str) -> Result<Faults> {
        let mut faults = Faults::default();
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (name, argument) = match item.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim())),
                None => (item, None),
            };
            match (name, argument) {
                ("crashloop", None) => faults.crashloop = true,
                ("image-pull", None) => faults.image_pull = true,
                ("never-ready", None) => faults.never_ready = true,
                ("oom", None) => faults.oom = true,
                ("slow-start", Some(duration)) => {
                    faults.slow_start = Some(parse_duration(duration)?)
                }
                ("fail-after", Some(duration)) => {
                    faults.fail_after = Some(parse_duration(duration)?)
                }
                _ => return Err(Error::UnknownFault(item.to_string())),
            }
        }
        Ok(faults)
    }

    /// The faults of a pod; an unreadable annotation injects nothing.
    pub fn of_pod(pod: &Value) -> Faults {
        pod.pointer("/metadata/annotations")
            .and_then(|annotations| annotations.get(FAULT_ANNOTATION))
            .and_then(Value::as_str)
            .and_then(|text| Faults::parse(text).ok())
            .unwrap_or_default()
    }

    /// True when nothing is injected.
    pub fn is_empty(&self) -> bool {
        *self == Faults::default()
    }
}

/// True for an image whose tag is `broken` (`app:broken`, `registry:5000/app:broken`).
pub fn is_broken_image(image: &str) -> bool {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.rsplit_once(':')
        .is_some_and(|(_, tag)| tag == "broken")
}

/// Parses `500ms`, `30s`, `2m`, `1h`, `1.5s` or `1m30s` (`ferry_types::parse_go_duration`).
pub fn parse_duration(text: &str) -> Result<Duration> {
    ferry_types::parse_go_duration(text).map_err(|_| Error::InvalidDuration(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_fault_is_read() {
        let faults =
            Faults::parse("crashloop, image-pull,never-ready,oom,slow-start=30s,fail-after=1.5s")
                .unwrap();
        assert!(faults.crashloop && faults.image_pull && faults.never_ready && faults.oom);
        assert_eq!(faults.slow_start, Some(Duration::from_secs(30)));
        assert_eq!(faults.fail_after, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn unknown_faults_and_bad_durations_are_refused() {
        assert!(matches!(
            Faults::parse("explode"),
            Err(Error::UnknownFault(name)) if name == "explode"
        ));
        assert!(matches!(
            Faults::parse("slow-start=soon"),
            Err(Error::InvalidDuration(_))
        ));
        assert!(Faults::parse("slow-start").is_err());
    }

    #[test]
    fn images_tagged_broken_fail_to_pull_and_others_do_not() {
        assert!(is_broken_image("app:broken"));
        assert!(is_broken_image("registry.local:5000/team/app:broken"));
        assert!(!is_broken_image("registry.local:5000/app"));
        assert!(!is_broken_image("broken/app:1.0"));
    }
}
