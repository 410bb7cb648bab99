//! The simulated kubelet (and scheduler): places unscheduled pods on a Ready node, then reports
//! each pod's life as its containers' scripts dictate, with the Events a real kubelet records.
//! Faults from `cluster.ferry.dev/fault` and images tagged `broken` change the scripts.

mod events;
pub mod status;
pub mod timeline;

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::change::{Change, Context, Outcome};
use crate::config::SimulationConfig;
use crate::fault::{Faults, is_broken_image};
use crate::object;
use crate::resources::PODS;
use crate::scheduling;
use status::{ContainerView, PodView};
use timeline::{Exit, Restart, Script};

/// What the kubelet of one pod looks at.
pub struct PodInputs<'a> {
    /// The pod.
    pub pod: &'a Value,
    /// Its node, once scheduled and known.
    pub node: Option<&'a Value>,
    /// The Ready nodes a pod may be placed on.
    pub ready_nodes: &'a [String],
    /// When the kubelet admitted the pod (remembered by the executor).
    pub admitted_at: SystemTime,
}

/// The script of one container of `pod`.
pub fn script(pod: &Value, container: &Value, config: &SimulationConfig) -> Script {
    let faults = Faults::of_pod(pod);
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let restart = Restart::parse(object::text(pod, "/spec/restartPolicy"));
    let probe_delay = container
        .pointer("/readinessProbe/initialDelaySeconds")
        .and_then(Value::as_u64)
        .map(Duration::from_secs)
        .unwrap_or_default();
    let crashes = faults.crashloop || faults.oom;
    let ready_after = if faults.never_ready || crashes {
        None
    } else {
        Some(config.scaled(config.readiness_delay.max(probe_delay)))
    };
    let run = if faults.oom {
        Some((config.scaled(config.crash_run), Exit::OOM_KILLED))
    } else if faults.crashloop {
        Some((config.scaled(config.crash_run), Exit::ERROR))
    } else if let Some(after) = faults.fail_after {
        Some((config.scaled(after), Exit::ERROR))
    } else if restart != Restart::Always {
        Some((config.scaled(config.job_run), Exit::COMPLETED))
    } else {
        None
    };
    Script {
        start: config.scaled(config.container_start + faults.slow_start.unwrap_or_default()),
        pull_fails: faults.image_pull || is_broken_image(image),
        ready_after,
        run,
        restart,
        backoff_initial: config.scaled(config.backoff_initial),
        backoff_limit: config.scaled(config.backoff_limit),
    }
}

fn containers(pod: &Value, field: &str) -> Vec<Value> {
    pod.pointer(&format!("/spec/{field}"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Schedules the pod, or reports its status as of `ctx.now`.
pub fn reconcile(inputs: &PodInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let pod = inputs.pod;
    let mut outcome = Outcome::none();
    if object::is_deleting(pod) {
        return outcome;
    }
    let Some(node_name) = object::text(pod, "/spec/nodeName").filter(|n| !n.is_empty()) else {
        if let Some(node) = scheduling::pick_node(inputs.ready_nodes, object::uid(pod)) {
            let mut bound = pod.clone();
            object::map_at(&mut bound, "spec").insert("nodeName".into(), node.into());
            outcome.push(Change::Update {
                resource: &PODS,
                object: bound,
            });
        }
        return outcome;
    };
    if matches!(
        object::text(pod, "/status/phase"),
        Some("Succeeded" | "Failed")
    ) {
        return outcome;
    }
    let elapsed = ctx
        .now
        .duration_since(inputs.admitted_at)
        .unwrap_or_default();
    let specs = containers(pod, "containers");
    let views: Vec<ContainerView<'_>> = specs
        .iter()
        .map(|container| ContainerView {
            name: container.get("name").and_then(Value::as_str).unwrap_or(""),
            image: container.get("image").and_then(Value::as_str).unwrap_or(""),
            snapshot: script(pod, container, ctx.config).at(elapsed),
        })
        .collect();
    let init_specs = containers(pod, "initContainers");
    let view = PodView {
        pod,
        admitted_at: inputs.admitted_at,
        now: ctx.now,
        placement: scheduling::placement(inputs.node, node_name, object::uid(pod)),
        init_containers: init_specs
            .iter()
            .map(|container| {
                (
                    container.get("name").and_then(Value::as_str).unwrap_or(""),
                    container.get("image").and_then(Value::as_str).unwrap_or(""),
                )
            })
            .collect(),
        containers: views,
    };
    let status = view.status();
    if pod.get("status") != Some(&status) {
        if ctx.config.record_events {
            for event in events::transitions(pod, node_name, &view) {
                outcome.record(event);
            }
        }
        let mut updated = pod.clone();
        object::ensure_map(&mut updated).insert("status".into(), status);
        outcome.push(Change::UpdateStatus {
            resource: &PODS,
            object: updated,
        });
    }
    if let Some(next) = view
        .containers
        .iter()
        .filter_map(|container| container.snapshot.next_change)
        .min()
    {
        outcome.requeue(next.saturating_sub(elapsed) + Duration::from_millis(1));
    }
    outcome
}

#[cfg(test)]
mod tests;
