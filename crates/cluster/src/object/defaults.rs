//! The defaults the real server fills in on the built-in kinds (the cheap, well-known ones), and
//! the status a new object starts with.

use std::collections::HashSet;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::ids;

/// Values already taken, so allocations do not collide.
#[derive(Debug, Default)]
pub struct Taken {
    /// Service cluster IPs in use.
    pub cluster_ips: HashSet<String>,
    /// Service node ports in use.
    pub node_ports: HashSet<u64>,
}

fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_string(), value);
    }
}

fn object_at<'a>(value: &'a mut Value, path: &[&str]) -> Option<&'a mut Map<String, Value>> {
    let mut current = value;
    for key in path {
        current = current.get_mut(*key)?;
    }
    current.as_object_mut()
}

fn each_object(value: Option<&mut Value>, mut apply: impl FnMut(&mut Map<String, Value>)) {
    if let Some(items) = value.and_then(Value::as_array_mut) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            apply(item);
        }
    }
}

/// Fills the defaults of an object of `kind` in `group`, then allocates what the registry
/// allocates (Service cluster IPs and node ports).
pub fn apply(object: &mut Value, group: &str, kind: &str, taken: &Taken) {
    set_defaults(object, group, kind);
    allocate(object, group, kind, taken);
}

/// Sets what the registry assigns after defaulting: a Service's cluster IPs, IP families and node
/// ports, a Namespace's `kubernetes` finalizer. These fields belong to no field manager.
pub fn allocate(object: &mut Value, group: &str, kind: &str, taken: &Taken) {
    match (group, kind) {
        ("", "Service") => service_allocations(object, taken),
        ("", "Namespace") => namespace_finalizers(object),
        _ => {}
    }
}

/// What the registry and admission add to a new object after its creator's fields are recorded:
/// storage protection finalizers, the DaemonSet template generation annotation.
pub fn on_create(object: &mut Value, group: &str, kind: &str) {
    let finalizer = match (group, kind) {
        ("", "PersistentVolumeClaim") => "kubernetes.io/pvc-protection",
        ("", "PersistentVolume") => "kubernetes.io/pv-protection",
        ("apps", "DaemonSet") => {
            let generation = object
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            if let Some(metadata) = object_at(object, &["metadata"]) {
                let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
                if let Some(annotations) = annotations.as_object_mut() {
                    annotations.insert(TEMPLATE_GENERATION.into(), json!(generation.to_string()));
                }
            }
            return;
        }
        _ => return,
    };
    if let Some(metadata) = object_at(object, &["metadata"]) {
        let finalizers = metadata.entry("finalizers").or_insert_with(|| json!([]));
        if let Some(finalizers) = finalizers.as_array_mut()
            && !finalizers.iter().any(|existing| existing == finalizer)
        {
            finalizers.push(json!(finalizer));
        }
    }
}

/// The annotation a DaemonSet's template generation is mirrored in.
const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

/// What the registry changes on update: a DaemonSet whose template changed moves its template
/// generation annotation.
pub fn on_update(object: &mut Value, old: &Value, group: &str, kind: &str) {
    if (group, kind) != ("apps", "DaemonSet")
        || object.pointer("/spec/template") == old.pointer("/spec/template")
    {
        return;
    }
    let Some(previous) = old
        .pointer("/metadata/annotations")
        .and_then(|annotations| annotations.get(TEMPLATE_GENERATION))
        .and_then(Value::as_str)
        .and_then(|text| text.parse::<i64>().ok())
    else {
        return;
    };
    if let Some(annotations) = object_at(object, &["metadata", "annotations"]) {
        annotations.insert(
            TEMPLATE_GENERATION.into(),
            json!((previous + 1).to_string()),
        );
    }
}

/// Fills the defaults of an object of `kind` in `group` (what the real server's defaulting
/// functions set; the updater of an object owns them).
pub fn set_defaults(object: &mut Value, group: &str, kind: &str) {
    match (group, kind) {
        ("apps", "Deployment") => deployment(object),
        ("apps", "ReplicaSet") => {
            if let Some(spec) = object_at(object, &["spec"]) {
                set_default(spec, "replicas", json!(1));
            }
            template(object, &["spec", "template", "spec"], "Always");
        }
        ("apps", "StatefulSet") => stateful_set(object),
        ("apps", "DaemonSet") => daemon_set(object),
        ("batch", "Job") => job(object, &["spec"]),
        ("batch", "CronJob") => cron_job(object),
        ("", "Pod") => {
            if let Some(spec) = object_at(object, &["spec"]) {
                pod_spec(spec, "Always");
            }
        }
        ("", "PodTemplate") => template(object, &["template", "spec"], "Always"),
        ("", "Service") => service(object),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => rules(object),
        ("", "Secret") => secret(object),
        ("", "Namespace") => namespace(object),
        ("", "PersistentVolumeClaim") => {
            if let Some(spec) = object_at(object, &["spec"]) {
                set_default(spec, "volumeMode", json!("Filesystem"));
            }
        }
        ("", "PersistentVolume") => {
            if let Some(spec) = object_at(object, &["spec"]) {
                set_default(spec, "volumeMode", json!("Filesystem"));
                set_default(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
            }
        }
        ("networking.k8s.io", "NetworkPolicy") => network_policy(object),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd(object),
        ("autoscaling", "HorizontalPodAutoscaler") => horizontal_pod_autoscaler(object),
        _ => {}
    }
}

/// The status a new object of `kind` starts with, when the real server sets one.
pub fn initial_status(group: &str, kind: &str) -> Option<Value> {
    Some(match (group, kind) {
        ("apps", "Deployment") | ("batch", "Job") | ("batch", "CronJob") => json!({}),
        ("apps", "StatefulSet") => json!({"replicas": 0, "availableReplicas": 0}),
        ("apps", "DaemonSet") => json!({
            "currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0
        }),
        ("apps", "ReplicaSet") => json!({"replicas": 0}),
        ("", "Service") | ("networking.k8s.io", "Ingress") => json!({"loadBalancer": {}}),
        ("", "Namespace") => json!({"phase": "Active"}),
        ("", "PersistentVolumeClaim") | ("", "PersistentVolume") => json!({"phase": "Pending"}),
        ("", "Pod") => json!({"phase": "Pending", "qosClass": "BestEffort"}),
        ("policy", "PodDisruptionBudget") => json!({
            "disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0
        }),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            json!({"currentMetrics": null, "desiredReplicas": 0})
        }
        _ => return None,
    })
}

fn deployment(object: &mut Value) {
    if let Some(spec) = object_at(object, &["spec"]) {
        set_default(spec, "replicas", json!(1));
        let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
        if let Some(strategy) = strategy.as_object_mut() {
            set_default(strategy, "type", json!("RollingUpdate"));
            if strategy.get("type") == Some(&json!("RollingUpdate")) {
                let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(rolling) = rolling.as_object_mut() {
                    set_default(rolling, "maxUnavailable", json!("25%"));
                    set_default(rolling, "maxSurge", json!("25%"));
                }
            }
        }
        set_default(spec, "revisionHistoryLimit", json!(10));
        set_default(spec, "progressDeadlineSeconds", json!(600));
    }
    template(object, &["spec", "template", "spec"], "Always");
}

fn stateful_set(object: &mut Value) {
    if let Some(spec) = object_at(object, &["spec"]) {
        set_default(spec, "replicas", json!(1));
        set_default(spec, "podManagementPolicy", json!("OrderedReady"));
        rolling_strategy(spec, "updateStrategy", json!({"partition": 0}));
        set_default(spec, "revisionHistoryLimit", json!(10));
        set_default(
            spec,
            "persistentVolumeClaimRetentionPolicy",
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
        );
        each_object(spec.get_mut("volumeClaimTemplates"), |claim| {
            set_default(claim, "apiVersion", json!("v1"));
            set_default(claim, "kind", json!("PersistentVolumeClaim"));
            if let Some(claim_spec) = claim.get_mut("spec").and_then(Value::as_object_mut) {
                set_default(claim_spec, "volumeMode", json!("Filesystem"));
            }
            set_default(claim, "status", json!({"phase": "Pending"}));
        });
    }
    template(object, &["spec", "template", "spec"], "Always");
}

fn daemon_set(object: &mut Value) {
    if let Some(spec) = object_at(object, &["spec"]) {
        rolling_strategy(
            spec,
            "updateStrategy",
            json!({"maxUnavailable": 1, "maxSurge": 0}),
        );
        set_default(spec, "revisionHistoryLimit", json!(10));
    }
    template(object, &["spec", "template", "spec"], "Always");
}

/// `type: RollingUpdate` unless set, and the rolling parameters each defaulted when rolling.
fn rolling_strategy(spec: &mut Map<String, Value>, field: &str, parameters: Value) {
    let strategy = spec.entry(field).or_insert_with(|| json!({}));
    let Some(strategy) = strategy.as_object_mut() else {
        return;
    };
    set_default(strategy, "type", json!("RollingUpdate"));
    if strategy.get("type") != Some(&json!("RollingUpdate")) {
        return;
    }
    let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
    if let (Some(rolling), Value::Object(parameters)) = (rolling.as_object_mut(), parameters) {
        for (key, value) in parameters {
            set_default(rolling, &key, value);
        }
    }
}

fn job(object: &mut Value, path: &[&str]) {
    if let Some(spec) = object_at(object, path) {
        set_default(spec, "parallelism", json!(1));
        set_default(spec, "completions", json!(1));
        set_default(spec, "backoffLimit", json!(6));
        set_default(spec, "completionMode", json!("NonIndexed"));
        set_default(spec, "suspend", json!(false));
        set_default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    }
    let mut template_path = path.to_vec();
    template_path.extend(["template", "spec"]);
    template(object, &template_path, "Never");
}

/// The selector and pod labels the real server generates for a Job from its uid.
pub fn job_selector(object: &mut Value) {
    let uid = object
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let manual = object.pointer("/spec/manualSelector") == Some(&json!(true));
    if manual || uid.is_empty() {
        return;
    }
    if let Some(spec) = object_at(object, &["spec"]) {
        set_default(spec, "manualSelector", json!(false));
        set_default(
            spec,
            "selector",
            json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
        );
    }
    if let Some(template) = object_at(object, &["spec", "template"]) {
        let metadata = template.entry("metadata").or_insert_with(|| json!({}));
        if let Some(metadata) = metadata.as_object_mut() {
            let labels = metadata.entry("labels").or_insert_with(|| json!({}));
            if let Some(labels) = labels.as_object_mut() {
                for (key, value) in [
                    ("batch.kubernetes.io/controller-uid", &uid),
                    ("batch.kubernetes.io/job-name", &name),
                    ("controller-uid", &uid),
                    ("job-name", &name),
                ] {
                    set_default(labels, key, json!(value));
                }
            }
        }
    }
    // Reading the Job back defaults its labels to its pod template's.
    let template_labels = object.pointer("/spec/template/metadata/labels").cloned();
    if let (Some(labels), Some(metadata)) = (template_labels, object_at(object, &["metadata"]))
        && metadata
            .get("labels")
            .is_none_or(|existing| existing.as_object().is_none_or(Map::is_empty))
    {
        metadata.insert("labels".into(), labels);
    }
}

fn cron_job(object: &mut Value) {
    if let Some(spec) = object_at(object, &["spec"]) {
        set_default(spec, "concurrencyPolicy", json!("Allow"));
        set_default(spec, "suspend", json!(false));
        set_default(spec, "successfulJobsHistoryLimit", json!(3));
        set_default(spec, "failedJobsHistoryLimit", json!(1));
    }
    template(
        object,
        &["spec", "jobTemplate", "spec", "template", "spec"],
        "Always",
    );
}

fn template(object: &mut Value, path: &[&str], restart_policy: &str) {
    if let Some(spec) = object_at(object, path) {
        pod_spec(spec, restart_policy);
    }
}

/// Pod spec defaults (pods and every pod template).
pub fn pod_spec(spec: &mut Map<String, Value>, restart_policy: &str) {
    for field in ["initContainers", "containers"] {
        each_object(spec.get_mut(field), container);
    }
    set_default(spec, "restartPolicy", json!(restart_policy));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    if let Some(account) = spec.get("serviceAccountName").cloned() {
        set_default(spec, "serviceAccount", account);
    }
    each_object(spec.get_mut("volumes"), |volume| {
        for source in ["configMap", "secret"] {
            if let Some(source) = volume.get_mut(source).and_then(Value::as_object_mut) {
                set_default(source, "defaultMode", json!(420));
            }
        }
        if let Some(host_path) = volume.get_mut("hostPath").and_then(Value::as_object_mut) {
            set_default(host_path, "type", json!(""));
        }
    });
}

fn container(container: &mut Map<String, Value>) {
    set_default(container, "resources", json!({}));
    set_default(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    set_default(container, "terminationMessagePolicy", json!("File"));
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let last = image.rsplit('/').next().unwrap_or("");
    let untagged = !last.contains(':') && !image.contains('@');
    let policy = if untagged || image.ends_with(":latest") {
        "Always"
    } else {
        "IfNotPresent"
    };
    set_default(container, "imagePullPolicy", json!(policy));
    each_object(container.get_mut("ports"), |port| {
        set_default(port, "protocol", json!("TCP"))
    });
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = container.get_mut(probe).and_then(Value::as_object_mut) {
            set_default(probe, "timeoutSeconds", json!(1));
            set_default(probe, "periodSeconds", json!(10));
            set_default(probe, "successThreshold", json!(1));
            set_default(probe, "failureThreshold", json!(3));
            if let Some(http) = probe.get_mut("httpGet").and_then(Value::as_object_mut) {
                set_default(http, "scheme", json!("HTTP"));
            }
            if let Some(grpc) = probe.get_mut("grpc").and_then(Value::as_object_mut) {
                set_default(grpc, "service", json!(""));
            }
        }
    }
    each_object(container.get_mut("env"), |variable| {
        if let Some(field) = variable
            .get_mut("valueFrom")
            .and_then(|from| from.get_mut("fieldRef"))
            .and_then(Value::as_object_mut)
        {
            set_default(field, "apiVersion", json!("v1"));
        }
        if let Some(resource) = variable
            .get_mut("valueFrom")
            .and_then(|from| from.get_mut("resourceFieldRef"))
            .and_then(Value::as_object_mut)
        {
            set_default(resource, "divisor", json!("0"));
        }
    });
}

fn service(object: &mut Value) {
    let Some(spec) = object_at(object, &["spec"]) else {
        return;
    };
    set_default(spec, "type", json!("ClusterIP"));
    let kind = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    set_default(spec, "sessionAffinity", json!("None"));
    each_object(spec.get_mut("ports"), |port| {
        set_default(port, "protocol", json!("TCP"));
        if let Some(number) = port.get("port").cloned() {
            set_default(port, "targetPort", number);
        }
    });
    if kind == "ExternalName" {
        return;
    }
    set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    if kind == "NodePort" || kind == "LoadBalancer" {
        set_default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if kind == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
}

fn service_allocations(object: &mut Value, taken: &Taken) {
    let Some(spec) = object_at(object, &["spec"]) else {
        return;
    };
    let kind = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    let mut used_ports = taken.node_ports.clone();
    each_object(spec.get_mut("ports"), |port| {
        if (kind == "NodePort" || kind == "LoadBalancer") && port.get("nodePort").is_none() {
            let node_port = allocate_node_port(&used_ports);
            used_ports.insert(node_port);
            port.insert("nodePort".into(), json!(node_port));
        }
    });
    if kind == "ExternalName" {
        return;
    }
    if spec.get("clusterIP").is_none_or(|ip| ip == "") {
        spec.insert(
            "clusterIP".into(),
            json!(allocate_cluster_ip(&taken.cluster_ips)),
        );
    }
    let cluster_ip = spec.get("clusterIP").cloned().unwrap_or(Value::Null);
    set_default(spec, "clusterIPs", json!([cluster_ip]));
    set_default(spec, "ipFamilies", json!(["IPv4"]));
    set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
}

/// Roles store no rules as `null` (an empty list does not survive storage).
fn rules(object: &mut Value) {
    if let Some(map) = object.as_object_mut()
        && map
            .get("rules")
            .is_none_or(|rules| rules.as_array().is_some_and(Vec::is_empty))
    {
        map.insert("rules".into(), Value::Null);
    }
}

fn horizontal_pod_autoscaler(object: &mut Value) {
    let Some(spec) = object_at(object, &["spec"]) else {
        return;
    };
    set_default(spec, "minReplicas", json!(1));
    if spec
        .get("metrics")
        .is_none_or(|metrics| metrics.as_array().is_none_or(Vec::is_empty))
    {
        spec.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
        );
    }
    let Some(behavior) = spec.get_mut("behavior").and_then(Value::as_object_mut) else {
        return;
    };
    let rules = [
        (
            "scaleUp",
            json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15}
            ]}),
        ),
        (
            "scaleDown",
            json!({"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}),
        ),
    ];
    for (direction, defaults) in rules {
        let rule = behavior.entry(direction).or_insert_with(|| json!({}));
        if let (Some(rule), Value::Object(defaults)) = (rule.as_object_mut(), defaults) {
            for (key, value) in defaults {
                set_default(rule, &key, value);
            }
        }
    }
}

fn allocate_cluster_ip(taken: &HashSet<String>) -> String {
    let start = usize::from(ids::name_suffix().as_bytes()[0]) % 250;
    (0..253)
        .map(|offset| format!("10.0.0.{}", (start + offset) % 253 + 2))
        .find(|ip| !taken.contains(ip))
        .unwrap_or_else(|| "10.0.0.2".to_string())
}

fn allocate_node_port(taken: &HashSet<u64>) -> u64 {
    let seed: u64 = ids::name_suffix().bytes().map(u64::from).sum();
    (0..2768)
        .map(|offset| 30000 + (seed * 97 + offset) % 2768)
        .find(|port| !taken.contains(port))
        .unwrap_or(30000)
}

fn secret(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    set_default(map, "type", json!("Opaque"));
    if let Some(Value::Object(strings)) = map.remove("stringData") {
        let data = map.entry("data").or_insert_with(|| json!({}));
        if let Some(data) = data.as_object_mut() {
            for (key, value) in strings {
                let text = value.as_str().unwrap_or("").to_string();
                data.insert(
                    key,
                    json!(base64::engine::general_purpose::STANDARD.encode(text)),
                );
            }
        }
    }
}

fn namespace(object: &mut Value) {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(metadata) = object_at(object, &["metadata"]) {
        let labels = metadata.entry("labels").or_insert_with(|| json!({}));
        if let Some(labels) = labels.as_object_mut() {
            labels.insert("kubernetes.io/metadata.name".into(), json!(name));
        }
    }
}

fn namespace_finalizers(object: &mut Value) {
    if let Some(map) = object.as_object_mut() {
        let spec = map.entry("spec").or_insert_with(|| json!({}));
        if let Some(spec) = spec.as_object_mut() {
            set_default(spec, "finalizers", json!(["kubernetes"]));
        }
    }
}

fn network_policy(object: &mut Value) {
    let Some(spec) = object_at(object, &["spec"]) else {
        return;
    };
    for direction in ["ingress", "egress"] {
        each_object(spec.get_mut(direction), |rule| {
            each_object(rule.get_mut("ports"), |port| {
                set_default(port, "protocol", json!("TCP"))
            });
        });
    }
    if spec.get("policyTypes").is_none() {
        let mut types = vec![json!("Ingress")];
        if spec.get("egress").is_some() {
            types.push(json!("Egress"));
        }
        spec.insert("policyTypes".into(), Value::Array(types));
    }
}

fn crd(object: &mut Value) {
    let Some(spec) = object_at(object, &["spec"]) else {
        return;
    };
    set_default(spec, "conversion", json!({"strategy": "None"}));
    if let Some(names) = spec.get_mut("names").and_then(Value::as_object_mut) {
        let kind = names
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        set_default(names, "listKind", json!(format!("{kind}List")));
        set_default(names, "singular", json!(kind.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_deployment_gets_every_server_default() {
        let mut deployment = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "example/minimal"}]}}}});
        apply(&mut deployment, "apps", "Deployment", &Taken::default());
        assert_eq!(deployment["spec"]["replicas"], 1);
        assert_eq!(
            deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
            "25%"
        );
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["imagePullPolicy"], "Always");
        assert_eq!(container["terminationMessagePolicy"], "File");
        assert_eq!(
            deployment["spec"]["template"]["spec"]["schedulerName"],
            "default-scheduler"
        );
    }

    #[test]
    fn secrets_move_string_data_into_base64_data() {
        let mut secret = json!({"stringData": {"user": "admin"}});
        apply(&mut secret, "", "Secret", &Taken::default());
        assert_eq!(
            secret,
            json!({"type": "Opaque", "data": {"user": "YWRtaW4="}})
        );
    }
}
