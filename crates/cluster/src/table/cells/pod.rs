//! Cells of Pods: readiness, the aggregate status the printers derive from container states,
//! restarts, and the wide columns.

use super::{or_none, text};
use serde_json::{Value, json};

pub(super) fn pod(object: &Value, name: Value, age: Value) -> Vec<Value> {
    let spec = &object["spec"];
    let status = &object["status"];
    let containers = spec["containers"].as_array().map_or(0, Vec::len);
    let init_specs = spec["initContainers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let restartable = |name: &str| {
        init_specs
            .iter()
            .any(|init| init["name"] == name && init["restartPolicy"] == "Always")
    };
    let total = containers
        + init_specs
            .iter()
            .filter(|init| init["restartPolicy"] == "Always")
            .count();
    let mut ready = 0;
    let mut restarts = 0;
    let mut reason = text(status, "/phase").to_string();
    if let Some(given) = status["reason"].as_str().filter(|given| !given.is_empty()) {
        reason = given.to_string();
    }
    for condition in status["conditions"].as_array().into_iter().flatten() {
        if condition["type"] == "PodScheduled" && condition["reason"] == "SchedulingGated" {
            reason = "SchedulingGated".to_string();
        }
    }
    let mut initializing = false;
    let init_statuses = status["initContainerStatuses"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (index, container) in init_statuses.iter().enumerate() {
        restarts += container["restartCount"].as_i64().unwrap_or(0);
        if restartable(container["name"].as_str().unwrap_or("")) {
            if container["started"] == true && container["ready"] == true {
                ready += 1;
            }
            continue;
        }
        let state = &container["state"];
        if let Some(terminated) = state.get("terminated") {
            if terminated["exitCode"].as_i64() == Some(0) {
                continue;
            }
            reason = match terminated["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(given) => format!("Init:{given}"),
                None => match terminated["signal"].as_i64().filter(|signal| *signal != 0) {
                    Some(signal) => format!("Init:Signal:{signal}"),
                    None => format!(
                        "Init:ExitCode:{}",
                        terminated["exitCode"].as_i64().unwrap_or(0)
                    ),
                },
            };
        } else if let Some(waiting) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{waiting}");
        } else {
            reason = format!("Init:{index}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }
    let initialized = status["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|condition| condition["type"] == "Initialized" && condition["status"] == "True");
    if !initializing || initialized {
        let mut running = false;
        for container in status["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .rev()
        {
            restarts += container["restartCount"].as_i64().unwrap_or(0);
            let state = &container["state"];
            if let Some(waiting) = state["waiting"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                reason = waiting.to_string();
            } else if let Some(terminated) = state.get("terminated") {
                reason = match terminated["reason"].as_str().filter(|r| !r.is_empty()) {
                    Some(given) => given.to_string(),
                    None => match terminated["signal"].as_i64().filter(|signal| *signal != 0) {
                        Some(signal) => format!("Signal:{signal}"),
                        None => {
                            format!("ExitCode:{}", terminated["exitCode"].as_i64().unwrap_or(0))
                        }
                    },
                };
            } else if container["ready"] == true && state.get("running").is_some() {
                running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && running {
            let ready_condition = status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            reason = if ready_condition {
                "Running"
            } else {
                "NotReady"
            }
            .to_string();
        }
    }
    let phase = text(status, "/phase");
    if object.pointer("/metadata/deletionTimestamp").is_some() {
        if status["reason"] == "NodeLost" {
            reason = "Unknown".to_string();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".to_string();
        }
    }
    let ip = status["podIPs"]
        .as_array()
        .and_then(|ips| ips.first())
        .and_then(|ip| ip["ip"].as_str())
        .unwrap_or("");
    let gates = spec["readinessGates"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let gates_text = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let passed = gates
            .iter()
            .filter(|gate| {
                status["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|condition| {
                        condition["type"] == gate["conditionType"] && condition["status"] == "True"
                    })
            })
            .count();
        format!("{passed}/{}", gates.len())
    };
    vec![
        name,
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts.to_string()),
        age,
        json!(or_none(ip)),
        json!(or_none(text(spec, "/nodeName"))),
        json!(or_none(text(status, "/nominatedNodeName"))),
        json!(gates_text),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::cells;
    use serde_json::json;

    #[test]
    fn pending_pods_print_like_the_recorded_ones() {
        let pod = json!({"metadata": {"name": "web-1"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Pending", "qosClass": "BestEffort"}});
        let row = cells("", "Pod", &pod, 0).expect("pods print");
        assert_eq!(
            row,
            vec![
                json!("web-1"),
                json!("0/2"),
                json!("Pending"),
                json!("0"),
                json!("<unknown>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>")
            ]
        );
    }

    #[test]
    fn waiting_and_init_containers_name_the_pod_status() {
        let pod = json!({"metadata": {"name": "p"},
        "spec": {"initContainers": [{"name": "init"}], "containers": [{"name": "app"}]},
        "status": {"phase": "Pending", "initContainerStatuses": [
            {"name": "init", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
        ]}});
        let row = cells("", "Pod", &pod, 0).expect("pods print");
        assert_eq!(
            (&row[2], &row[3]),
            (&json!("Init:CrashLoopBackOff"), &json!("2"))
        );
        let running = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}
        ]}});
        let row = cells("", "Pod", &running, 0).expect("pods print");
        assert_eq!((&row[1], &row[2]), (&json!("1/1"), &json!("Running")));
    }
}
