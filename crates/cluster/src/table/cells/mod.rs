//! The cells of one row for each built-in kind, computed the way the real server's printers do
//! (`0/1`, `80:30080/TCP`, `<none>`, `<pending>`, human ages), one file per group of kinds.

mod cluster;
mod network;
mod pod;
mod workloads;

use serde_json::{Value, json};

use crate::object::time;

/// The cells of `object`, a `kind` of `group`; `None` for kinds without a printer.
pub fn cells(group: &str, kind: &str, object: &Value, now: u64) -> Option<Vec<Value>> {
    let name = json!(text(object, "/metadata/name"));
    let age = json!(age(object, now));
    Some(match (group, kind) {
        ("apps", "Deployment") => workloads::deployment(object, name, age),
        ("apps", "ReplicaSet") => workloads::replica_set(object, name, age),
        ("apps", "StatefulSet") => workloads::stateful_set(object, name, age),
        ("apps", "DaemonSet") => workloads::daemon_set(object, name, age),
        ("apps", "ControllerRevision") => workloads::controller_revision(object, name, age),
        ("batch", "Job") => workloads::job(object, name, age, now),
        ("batch", "CronJob") => workloads::cron_job(object, name, age, now),
        ("", "Pod") => pod::pod(object, name, age),
        ("", "Service") => network::service(object, name, age),
        ("", "Endpoints") => network::endpoints(object, name, age),
        ("networking.k8s.io", "Ingress") => network::ingress(object, name, age),
        ("networking.k8s.io", "IngressClass") => network::ingress_class(object, name, age),
        ("networking.k8s.io", "NetworkPolicy") => network::network_policy(object, name, age),
        ("discovery.k8s.io", "EndpointSlice") => network::endpoint_slice(object, name, age),
        ("", "ConfigMap") => cluster::config_map(object, name, age),
        ("", "Secret") => cluster::secret(object, name, age),
        ("", "ServiceAccount") => cluster::service_account(object, name, age),
        ("", "Namespace") => vec![name, json!(text(object, "/status/phase")), age],
        ("", "PersistentVolumeClaim") => cluster::claim(object, name, age),
        ("", "PersistentVolume") => cluster::volume(object, name, age),
        ("", "Node") => cluster::node(object, name, age),
        ("", "Event") | ("events.k8s.io", "Event") => cluster::event(object, name, now),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            cluster::horizontal_pod_autoscaler(object, name, age)
        }
        ("policy", "PodDisruptionBudget") => cluster::pod_disruption_budget(object, name, age),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => cluster::role(object, name, age),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            cluster::role_binding(object, name, age)
        }
        ("coordination.k8s.io", "Lease") => cluster::lease(object, name, age),
        _ => return None,
    })
}

pub(super) fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub(super) fn number(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

pub(super) fn or_none(text: &str) -> String {
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text.to_string()
    }
}

/// `<unknown>` without a creation time, else how long ago it was.
pub fn age(object: &Value, now: u64) -> String {
    match object
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .and_then(time::parse_unix)
    {
        Some(created) => human_duration(now.saturating_sub(created)),
        None => "<unknown>".to_string(),
    }
}

/// A duration the way `kubectl` ages read: `90s`, `5m3s`, `12m`, `3h20m`, `2d4h`, `1y30d`.
pub fn human_duration(seconds: u64) -> String {
    let minutes = seconds / 60;
    let hours = seconds / 3600;
    let days = hours / 24;
    let with = |major: u64, unit: &str, minor: u64, minor_unit: &str| {
        if minor == 0 {
            format!("{major}{unit}")
        } else {
            format!("{major}{unit}{minor}{minor_unit}")
        }
    };
    if seconds < 120 {
        format!("{seconds}s")
    } else if minutes < 10 {
        with(minutes, "m", seconds % 60, "s")
    } else if minutes < 180 {
        format!("{minutes}m")
    } else if hours < 8 {
        with(hours, "h", minutes % 60, "m")
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        with(days, "d", hours % 24, "h")
    } else if hours < 24 * 365 * 2 {
        format!("{days}d")
    } else if hours < 24 * 365 * 8 {
        with(days / 365, "y", days % 365, "d")
    } else {
        format!("{}y", days / 365)
    }
}

/// Container names and images, each joined with commas.
pub(super) fn container_cells(object: &Value, pointer: &str) -> (String, String) {
    let containers = object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .map(|c| c["name"].as_str().unwrap_or(""))
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| c["image"].as_str().unwrap_or(""))
        .collect();
    (names.join(","), images.join(","))
}

/// A label selector as `labels.Selector.String()` prints it, `<none>` when it selects nothing.
pub fn selector_text(selector: Option<&Value>) -> String {
    let mut requirements: Vec<(String, String)> = Vec::new();
    if let Some(Value::Object(labels)) = selector.and_then(|selector| selector.get("matchLabels")) {
        for (key, value) in labels {
            requirements.push((
                key.clone(),
                format!("{key}={}", value.as_str().unwrap_or("")),
            ));
        }
    }
    for expression in selector
        .and_then(|selector| selector.get("matchExpressions"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = expression["key"].as_str().unwrap_or("").to_string();
        let mut values: Vec<&str> = expression["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        let printed = match expression["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        requirements.push((key, printed));
    }
    requirements.sort_by(|a, b| a.0.cmp(&b.0));
    let printed: Vec<String> = requirements
        .into_iter()
        .map(|(_, printed)| printed)
        .collect();
    if printed.is_empty() {
        "<none>".to_string()
    } else {
        printed.join(",")
    }
}

/// A string map as `labels.FormatLabels` prints it.
pub(super) fn map_text(map: Option<&Value>) -> String {
    let Some(Value::Object(map)) = map else {
        return "<none>".to_string();
    };
    let mut pairs: Vec<String> = map
        .iter()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or("")))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".to_string()
    } else {
        pairs.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        let cases = [
            (90, "90s"),
            (125, "2m5s"),
            (600, "10m"),
            (3 * 3600 + 600, "3h10m"),
            (9 * 3600, "9h"),
            (3 * 86_400, "3d"),
            (800 * 86_400, "2y70d"),
        ];
        for (seconds, text) in cases {
            assert_eq!(human_duration(seconds), text);
        }
    }

    #[test]
    fn selectors_print_sorted_requirements() {
        let selector = json!({"matchLabels": {"tier": "web"}, "matchExpressions": [
            {"key": "app", "operator": "In", "values": ["b", "a"]},
            {"key": "zone", "operator": "DoesNotExist"}
        ]});
        assert_eq!(
            selector_text(Some(&selector)),
            "app in (a,b),tier=web,!zone"
        );
        assert_eq!(selector_text(None), "<none>");
    }
}
