//! Why a workload is not healthy, told by its pods: a Deployment, StatefulSet or DaemonSet
//! that is Progressing or Degraded says only that it waits or missed its deadline; the pod
//! that fails says why (`CrashLoopBackOff`, `ImagePullBackOff`, `OOMKilled`, unschedulable).
//! Argo CD stops at the workload's own message; ferry adds the first failing pod's.

use ferry_types::HealthStatusCode;
use serde_json::Value;

use crate::Health;

/// The workload kinds (group, kind) whose pods explain their health.
const WORKLOADS: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
];

/// Whether the pods of a `group`/`kind` object with `health` are worth reading: a workload
/// that is Progressing or Degraded.
pub fn pods_explain(group: &str, kind: &str, health: &Health) -> bool {
    WORKLOADS.contains(&(group, kind))
        && matches!(
            health.status,
            HealthStatusCode::Progressing | HealthStatusCode::Degraded
        )
}

/// `health` with the message of its worst pod added (`; pod NAME: MESSAGE`), when a pod is
/// worse than healthy and says something. Pure.
pub fn with_pods(health: Health, pods: &[Value]) -> Health {
    let worst = pods
        .iter()
        .filter_map(|pod| {
            let assessed = crate::assess(pod)?;
            let name = pod["metadata"]["name"].as_str()?.to_string();
            (assessed.status > HealthStatusCode::Healthy && !assessed.message.is_empty())
                .then_some((assessed, name))
        })
        .max_by(|(a, a_name), (b, b_name)| a.status.cmp(&b.status).then(b_name.cmp(a_name)));
    match worst {
        Some((pod, name)) => {
            let message = if health.message.is_empty() {
                format!("pod {name}: {}", pod.message)
            } else {
                format!("{}; pod {name}: {}", health.message, pod.message)
            };
            Health::new(health.status, message)
        }
        None => health,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, waiting: Option<&str>) -> Value {
        let state = match waiting {
            Some(reason) => {
                json!({"waiting": {"reason": reason, "message": "back-off 10s restarting failed container"}})
            }
            None => json!({"running": {}}),
        };
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name},
            "spec": {"restartPolicy": "Always"},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": if waiting.is_some() {"False"} else {"True"}}],
                       "containerStatuses": [{"name": "web", "ready": waiting.is_none(), "restartCount": 3, "state": state}]},
        })
    }

    #[test]
    fn a_degraded_deployment_names_its_crash_looping_pod() {
        let deployment = Health::degraded("Deployment \"web\" exceeded its progress deadline");
        assert!(pods_explain("apps", "Deployment", &deployment));
        assert!(!pods_explain("apps", "Deployment", &Health::healthy("")));
        assert!(!pods_explain("", "ConfigMap", &deployment));
        let explained = with_pods(
            deployment,
            &[pod("web-a", None), pod("web-b", Some("CrashLoopBackOff"))],
        );
        assert_eq!(explained.status, HealthStatusCode::Degraded);
        assert!(
            explained
                .message
                .starts_with("Deployment \"web\" exceeded its progress deadline; pod web-b: "),
            "{}",
            explained.message
        );
        assert!(
            explained.message.contains("CrashLoopBackOff"),
            "{}",
            explained.message
        );
    }

    #[test]
    fn healthy_pods_add_nothing() {
        let waiting = Health::progressing("Waiting for rollout to finish");
        assert_eq!(with_pods(waiting.clone(), &[pod("web-a", None)]), waiting);
    }
}
