//! Pod (`v1`): containers stuck on an error, then phase, readiness and restarts.
//!
//! Long-running pods (restart policy `Always`, or `argocd.argoproj.io/ignore-restart-policy:
//! "true"` on a pod that is not a hook) are Degraded as soon as a container waits on an error
//! (`ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`, `CreateContainerConfigError`, …).
//! Pods that run to completion (`OnFailure`, `Never`, hooks) are not: an image that appears
//! later still lets them finish. Beyond Argo CD's rule, init containers count too, an absent
//! restart policy is the API default `Always`, and messages name the container, the reason and
//! the last termination (`OOMKilled`, exit code).

use serde_json::Value;

use crate::Health;
use crate::error::Result;
use crate::fields::{annotation, conditions, count, find, list, lookup, string, text};

/// Makes a pod whose restart policy is `OnFailure` or `Never` count as long-running.
const IGNORE_RESTART_POLICY: &str = "argocd.argoproj.io/ignore-restart-policy";
/// Marks an Argo CD hook; its value lists hook types, comma-separated.
const ARGO_HOOK: &str = "argocd.argoproj.io/hook";
/// Marks a Helm hook, read when there is no Argo CD hook annotation.
const HELM_HOOK: &str = "helm.sh/hook";
/// The Argo CD hook types; other words in the hook annotation are ignored.
const HOOK_TYPES: &[&str] = &["PreSync", "Sync", "PostSync", "SyncFail", "Skip"];

/// The health of a Pod.
pub(crate) fn assess(pod: &Value) -> Result<Health> {
    let policy = string(pod, &["spec", "restartPolicy"])?.unwrap_or("Always");
    let ignores_policy = annotation(pod, IGNORE_RESTART_POLICY)? == Some("true") && !is_hook(pod)?;
    let long_running = policy == "Always" || ignores_policy;
    let init_containers = list(pod, &["status", "initContainerStatuses"])?;
    let containers = list(pod, &["status", "containerStatuses"])?;
    if long_running {
        let mut failures = Vec::new();
        for container in init_containers.iter().chain(containers) {
            if let Some(failure) = waiting_failure(container)? {
                failures.push(failure);
            }
        }
        if !failures.is_empty() {
            return Ok(Health::degraded(failures.join("; ")));
        }
    }
    let message = text(pod, &["status", "message"])?;
    match text(pod, &["status", "phase"])? {
        "Pending" => Ok(Health::progressing(pending_message(
            pod,
            message,
            init_containers,
            containers,
        )?)),
        "Succeeded" => Ok(Health::healthy(message)),
        "Failed" => Ok(Health::degraded(failed_message(
            pod,
            message,
            init_containers,
            containers,
        )?)),
        "Running" if long_running => running(pod, message, containers),
        "Running" if policy == "OnFailure" || policy == "Never" => Ok(Health::progressing(message)),
        _ => Ok(Health::unknown(message)),
    }
}

/// A running long-lived pod: ready, restarting, or on its way.
fn running(pod: &Value, message: &str, containers: &[Value]) -> Result<Health> {
    let conditions = conditions(pod, &["status", "conditions"])?;
    let ready = find(&conditions, "Ready");
    if ready.is_some_and(|ready| ready.is_true()) {
        return Ok(Health::healthy(message));
    }
    for container in containers {
        if let Some(terminated) = lookup(container, &["lastState", "terminated"])? {
            let name = text(container, &["name"])?;
            let restarts = count(container, &["restartCount"])?;
            return Ok(Health::degraded(format!(
                "container \"{name}\" restarted {restarts} times and is not ready; last terminated: {}",
                termination(terminated)?
            )));
        }
    }
    if message.is_empty() {
        let not_ready = ready.map(|ready| ready.message).unwrap_or_default();
        return Ok(Health::progressing(not_ready));
    }
    Ok(Health::progressing(message))
}

/// `container "name": Reason: message (last terminated: …)` for a container waiting on an
/// error, or `None`.
fn waiting_failure(container: &Value) -> Result<Option<String>> {
    let Some(waiting) = lookup(container, &["state", "waiting"])? else {
        return Ok(None);
    };
    let reason = text(waiting, &["reason"])?;
    let failing =
        reason.starts_with("Err") || reason.ends_with("Error") || reason.ends_with("BackOff");
    if !failing {
        return Ok(None);
    }
    let name = text(container, &["name"])?;
    let mut failure = format!("container \"{name}\": {reason}");
    let message = text(waiting, &["message"])?;
    if !message.is_empty() {
        failure.push_str(": ");
        failure.push_str(message);
    }
    if let Some(terminated) = lookup(container, &["lastState", "terminated"])? {
        failure.push_str(&format!(" (last terminated: {})", termination(terminated)?));
    }
    Ok(Some(failure))
}

/// `OOMKilled, exit code 137`: how a container ended.
fn termination(terminated: &Value) -> Result<String> {
    let reason = text(terminated, &["reason"])?;
    let exit_code = count(terminated, &["exitCode"])?;
    Ok(if reason.is_empty() {
        format!("exit code {exit_code}")
    } else {
        format!("{reason}, exit code {exit_code}")
    })
}

/// Why a pending pod waits: the pod's message, the scheduler's, or a container's.
fn pending_message(
    pod: &Value,
    message: &str,
    init_containers: &[Value],
    containers: &[Value],
) -> Result<String> {
    if !message.is_empty() {
        return Ok(message.to_string());
    }
    let conditions = conditions(pod, &["status", "conditions"])?;
    if let Some(scheduled) = find(&conditions, "PodScheduled").filter(|c| c.is_false()) {
        return Ok(scheduled.summary());
    }
    for container in init_containers.iter().chain(containers) {
        let reason = text(container, &["state", "waiting", "reason"])?;
        if !reason.is_empty() {
            let name = text(container, &["name"])?;
            return Ok(format!("container \"{name}\": {reason}"));
        }
    }
    Ok(String::new())
}

/// Why a pod failed: the pod's own reason and message, else the first container that ended
/// badly.
fn failed_message(
    pod: &Value,
    message: &str,
    init_containers: &[Value],
    containers: &[Value],
) -> Result<String> {
    if !message.is_empty() {
        let reason = text(pod, &["status", "reason"])?;
        return Ok(if reason.is_empty() {
            message.to_string()
        } else {
            format!("{reason}: {message}")
        });
    }
    for container in init_containers.iter().chain(containers) {
        let Some(terminated) = lookup(container, &["state", "terminated"])? else {
            continue;
        };
        let name = text(container, &["name"])?;
        let termination_message = text(terminated, &["message"])?;
        if !termination_message.is_empty() {
            return Ok(format!("container \"{name}\": {termination_message}"));
        }
        if text(terminated, &["reason"])? == "OOMKilled" {
            return Ok(format!("container \"{name}\" was OOMKilled"));
        }
        let exit_code = count(terminated, &["exitCode"])?;
        if exit_code != 0 {
            return Ok(format!(
                "container \"{name}\" failed with exit code {exit_code}"
            ));
        }
    }
    Ok(String::new())
}

/// Whether the pod is a sync hook: an Argo CD hook annotation naming a type other than `Skip`
/// alone, or else a Helm hook other than `crd-install`.
fn is_hook(pod: &Value) -> Result<bool> {
    if let Some(value) = annotation(pod, ARGO_HOOK)? {
        let types: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|word| HOOK_TYPES.contains(word))
            .collect();
        return Ok(types != ["Skip"]);
    }
    Ok(annotation(pod, HELM_HOOK)?.is_some_and(|value| value != "crd-install"))
}

#[cfg(test)]
mod tests {
    use ferry_types::HealthStatusCode::*;
    use serde_json::json;

    use super::*;

    fn pod(policy: &str, annotations: Value, status: Value) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-0", "annotations": annotations},
            "spec": {"restartPolicy": policy, "containers": [{"name": "app"}]},
            "status": status
        })
    }

    fn waiting(reason: &str, message: &str, last_state: Value) -> Value {
        json!({
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{
                "name": "app", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": reason, "message": message}},
                "lastState": last_state
            }]
        })
    }

    #[test]
    fn a_crash_looping_pod_is_degraded_with_the_reason_and_last_exit() {
        let status = waiting(
            "CrashLoopBackOff",
            "back-off 5m0s restarting failed container=app",
            json!({"terminated": {"reason": "Error", "exitCode": 2}}),
        );
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::degraded(
                "container \"app\": CrashLoopBackOff: back-off 5m0s restarting failed container=app (last terminated: Error, exit code 2)"
            )
        );
    }

    #[test]
    fn a_pod_that_cannot_pull_its_image_is_degraded_with_the_reason() {
        for reason in [
            "ImagePullBackOff",
            "ErrImagePull",
            "CreateContainerConfigError",
        ] {
            let status = waiting(reason, "image \"nope\" not found", json!({}));
            let health = assess(&pod("Always", json!({}), status)).unwrap();
            assert_eq!(health.status, Degraded, "{reason}");
            assert_eq!(
                health.message,
                format!("container \"app\": {reason}: image \"nope\" not found")
            );
        }
    }

    #[test]
    fn a_pod_restarting_after_an_out_of_memory_kill_is_degraded_naming_it() {
        let status = json!({
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{
                "name": "app", "ready": false, "restartCount": 3,
                "state": {"running": {}},
                "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}
            }]
        });
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::degraded(
                "container \"app\" restarted 3 times and is not ready; last terminated: OOMKilled, exit code 137"
            )
        );
    }

    #[test]
    fn a_pod_failed_by_an_out_of_memory_kill_is_degraded_naming_it() {
        let status = json!({
            "phase": "Failed",
            "containerStatuses": [{
                "name": "app",
                "state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}
            }]
        });
        assert_eq!(
            assess(&pod("Never", json!({}), status)).unwrap(),
            Health::degraded("container \"app\" was OOMKilled")
        );
    }

    #[test]
    fn an_evicted_pod_is_degraded_with_the_reason_and_message() {
        let status = json!({"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory."});
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::degraded("Evicted: The node was low on resource: memory.")
        );
    }

    #[test]
    fn a_crash_looping_init_container_makes_a_pending_pod_degraded() {
        let status = json!({
            "phase": "Pending",
            "initContainerStatuses": [{
                "name": "migrate",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}
            }],
            "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]
        });
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::degraded(
                "container \"migrate\": CrashLoopBackOff (last terminated: Error, exit code 1)"
            )
        );
    }

    #[test]
    fn a_hook_pod_waiting_on_its_image_is_still_progressing() {
        let annotations = json!({"argocd.argoproj.io/hook": "PreSync",
            "argocd.argoproj.io/ignore-restart-policy": "true"});
        let status = waiting("ImagePullBackOff", "", json!({}));
        assert_eq!(
            assess(&pod("Never", annotations, status)).unwrap().status,
            Progressing
        );
    }

    #[test]
    fn a_pod_marked_skip_only_is_not_a_hook() {
        let annotations = json!({"argocd.argoproj.io/hook": "Skip",
            "argocd.argoproj.io/ignore-restart-policy": "true"});
        let status = waiting("ImagePullBackOff", "", json!({}));
        assert_eq!(
            assess(&pod("Never", annotations, status)).unwrap().status,
            Degraded
        );
    }

    #[test]
    fn a_helm_crd_install_annotation_does_not_make_a_hook() {
        let object = pod("Never", json!({"helm.sh/hook": "crd-install"}), json!({}));
        assert!(!is_hook(&object).unwrap());
        let object = pod("Never", json!({"helm.sh/hook": "pre-install"}), json!({}));
        assert!(is_hook(&object).unwrap());
    }

    #[test]
    fn an_unschedulable_pod_is_progressing_with_the_scheduler_message() {
        let status = json!({"phase": "Pending", "conditions": [{
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": "0/3 nodes are available: 3 Insufficient cpu."
        }]});
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::progressing("Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.")
        );
    }

    #[test]
    fn a_pod_without_a_restart_policy_is_long_running() {
        let mut object = pod(
            "Always",
            json!({}),
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}),
        );
        object["spec"]
            .as_object_mut()
            .unwrap()
            .remove("restartPolicy");
        assert_eq!(assess(&object).unwrap().status, Healthy);
    }

    #[test]
    fn a_running_pod_not_yet_ready_says_which_containers_it_waits_for() {
        let status = json!({"phase": "Running", "conditions": [{"type": "Ready",
            "status": "False", "message": "containers with unready status: [app]"}]});
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::progressing("containers with unready status: [app]")
        );
    }

    #[test]
    fn a_pod_in_an_unknown_phase_is_unknown() {
        let status = json!({"phase": "Unknown", "message": "node lost"});
        assert_eq!(
            assess(&pod("Always", json!({}), status)).unwrap(),
            Health::unknown("node lost")
        );
    }
}
