//! How the real server prints internal API objects inside validation messages: Go field names in
//! struct order, `null` for unset pointers, lists and maps, zero values for unset scalars
//! (`json.Marshal` of the internal types), and the unified diff of two such objects that some
//! immutability errors carry.

use serde_json::{Map, Value};

/// One field of an internal struct: Go name, JSON name in the versioned object, and its kind.
type Field = (&'static str, &'static str, Kind);

/// What an unset field prints as, or which struct a set one is.
#[derive(Clone, Copy)]
enum Kind {
    /// `null` when unset (pointers, lists, maps).
    Nullable,
    /// `""` when unset.
    Text,
    /// `false` when unset.
    Flag,
    /// A struct value (printed with its own fields even when unset).
    Struct(&'static [Field]),
    /// A list of structs.
    List(&'static [Field]),
}

use Kind::{Flag, List, Nullable, Struct, Text};

const RESOURCES: &[Field] = &[
    ("Limits", "limits", Nullable),
    ("Requests", "requests", Nullable),
    ("Claims", "claims", Nullable),
];

const CONTAINER: &[Field] = &[
    ("Name", "name", Text),
    ("Image", "image", Text),
    ("Command", "command", Nullable),
    ("Args", "args", Nullable),
    ("WorkingDir", "workingDir", Text),
    ("Ports", "ports", Nullable),
    ("EnvFrom", "envFrom", Nullable),
    ("Env", "env", Nullable),
    ("Resources", "resources", Struct(RESOURCES)),
    ("ResizePolicy", "resizePolicy", Nullable),
    ("RestartPolicy", "restartPolicy", Nullable),
    ("RestartPolicyRules", "restartPolicyRules", Nullable),
    ("VolumeMounts", "volumeMounts", Nullable),
    ("VolumeDevices", "volumeDevices", Nullable),
    ("LivenessProbe", "livenessProbe", Nullable),
    ("ReadinessProbe", "readinessProbe", Nullable),
    ("StartupProbe", "startupProbe", Nullable),
    ("Lifecycle", "lifecycle", Nullable),
    ("TerminationMessagePath", "terminationMessagePath", Text),
    ("TerminationMessagePolicy", "terminationMessagePolicy", Text),
    ("ImagePullPolicy", "imagePullPolicy", Text),
    ("SecurityContext", "securityContext", Nullable),
    ("Stdin", "stdin", Flag),
    ("StdinOnce", "stdinOnce", Flag),
    ("TTY", "tty", Flag),
];

/// The internal pod security context; its first five fields live in the versioned pod spec.
const POD_SECURITY_CONTEXT: &[Field] = &[
    ("HostNetwork", "hostNetwork", Flag),
    ("HostPID", "hostPID", Flag),
    ("HostIPC", "hostIPC", Flag),
    ("ShareProcessNamespace", "shareProcessNamespace", Nullable),
    ("HostUsers", "hostUsers", Nullable),
    ("SELinuxOptions", "seLinuxOptions", Nullable),
    ("WindowsOptions", "windowsOptions", Nullable),
    ("RunAsUser", "runAsUser", Nullable),
    ("RunAsGroup", "runAsGroup", Nullable),
    ("RunAsNonRoot", "runAsNonRoot", Nullable),
    ("SupplementalGroups", "supplementalGroups", Nullable),
    (
        "SupplementalGroupsPolicy",
        "supplementalGroupsPolicy",
        Nullable,
    ),
    ("FSGroup", "fsGroup", Nullable),
    ("FSGroupChangePolicy", "fsGroupChangePolicy", Nullable),
    ("Sysctls", "sysctls", Nullable),
    ("SeccompProfile", "seccompProfile", Nullable),
    ("AppArmorProfile", "appArmorProfile", Nullable),
    ("SELinuxChangePolicy", "seLinuxChangePolicy", Nullable),
];

const POD_SPEC: &[Field] = &[
    ("Volumes", "volumes", Nullable),
    ("InitContainers", "initContainers", List(CONTAINER)),
    ("Containers", "containers", List(CONTAINER)),
    ("EphemeralContainers", "ephemeralContainers", Nullable),
    ("RestartPolicy", "restartPolicy", Text),
    (
        "TerminationGracePeriodSeconds",
        "terminationGracePeriodSeconds",
        Nullable,
    ),
    ("ActiveDeadlineSeconds", "activeDeadlineSeconds", Nullable),
    ("DNSPolicy", "dnsPolicy", Text),
    ("NodeSelector", "nodeSelector", Nullable),
    ("ServiceAccountName", "serviceAccountName", Text),
    (
        "AutomountServiceAccountToken",
        "automountServiceAccountToken",
        Nullable,
    ),
    ("NodeName", "nodeName", Text),
    ("SecurityContext", "securityContext", Nullable),
    ("ImagePullSecrets", "imagePullSecrets", Nullable),
    ("Hostname", "hostname", Text),
    ("Subdomain", "subdomain", Text),
    ("SetHostnameAsFQDN", "setHostnameAsFQDN", Nullable),
    ("Affinity", "affinity", Nullable),
    ("SchedulerName", "schedulerName", Text),
    ("Tolerations", "tolerations", Nullable),
    ("HostAliases", "hostAliases", Nullable),
    ("PriorityClassName", "priorityClassName", Text),
    ("Priority", "priority", Nullable),
    ("PreemptionPolicy", "preemptionPolicy", Nullable),
    ("DNSConfig", "dnsConfig", Nullable),
    ("ReadinessGates", "readinessGates", Nullable),
    ("RuntimeClassName", "runtimeClassName", Nullable),
    ("Overhead", "overhead", Nullable),
    ("EnableServiceLinks", "enableServiceLinks", Nullable),
    (
        "TopologySpreadConstraints",
        "topologySpreadConstraints",
        Nullable,
    ),
    ("OS", "os", Nullable),
    ("SchedulingGates", "schedulingGates", Nullable),
    ("ResourceClaims", "resourceClaims", Nullable),
    ("Resources", "resources", Nullable),
    ("HostnameOverride", "hostnameOverride", Nullable),
    ("SchedulingGroup", "schedulingGroup", Nullable),
];

const CLAIM_RESOURCES: &[Field] = &[
    ("Limits", "limits", Nullable),
    ("Requests", "requests", Nullable),
];

const CLAIM_SPEC: &[Field] = &[
    ("AccessModes", "accessModes", Nullable),
    ("Selector", "selector", Nullable),
    ("Resources", "resources", Struct(CLAIM_RESOURCES)),
    ("VolumeName", "volumeName", Text),
    ("StorageClassName", "storageClassName", Nullable),
    ("VolumeMode", "volumeMode", Nullable),
    ("DataSource", "dataSource", Nullable),
    ("DataSourceRef", "dataSourceRef", Nullable),
    (
        "VolumeAttributesClassName",
        "volumeAttributesClassName",
        Nullable,
    ),
];

/// A versioned pod template as the internal `PodTemplateSpec` prints (`{"labels":...,"Spec":...}`).
pub fn pod_template(template: &Value) -> Value {
    let mut out = Map::new();
    if let Some(Value::Object(metadata)) = template.get("metadata") {
        for (key, value) in metadata {
            if !is_empty(value) {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    let spec = template.get("spec").cloned().unwrap_or(Value::Null);
    out.insert("Spec".into(), pod_spec(&spec));
    Value::Object(out)
}

fn pod_spec(spec: &Value) -> Value {
    let mut rendered = render(spec, POD_SPEC);
    // The versioned spec's host namespaces belong to the internal security context.
    let mut context = spec.get("securityContext").cloned().unwrap_or(Value::Null);
    if let (Some(map), Some(spec_map)) = (context.as_object_mut(), spec.as_object()) {
        for field in [
            "hostNetwork",
            "hostPID",
            "hostIPC",
            "shareProcessNamespace",
            "hostUsers",
        ] {
            if let Some(value) = spec_map.get(field) {
                map.insert(field.into(), value.clone());
            }
        }
    }
    if let Some(map) = rendered.as_object_mut()
        && !context.is_null()
    {
        map.insert(
            "SecurityContext".into(),
            render(&context, POD_SECURITY_CONTEXT),
        );
    }
    rendered
}

/// A versioned claim spec as the internal `PersistentVolumeClaimSpec` prints.
pub fn claim_spec(spec: &Value) -> Value {
    render(spec, CLAIM_SPEC)
}

fn render(value: &Value, fields: &[Field]) -> Value {
    let mut out = Map::new();
    for (go_name, json_name, kind) in fields {
        let given = value.get(*json_name).filter(|given| !given.is_null());
        let rendered = match (kind, given) {
            (Struct(inner), given) => render(given.unwrap_or(&Value::Null), inner),
            (List(inner), Some(Value::Array(items))) => {
                Value::Array(items.iter().map(|item| render(item, inner)).collect())
            }
            (_, Some(given)) => capitalised(given),
            (Text, None) => Value::String(String::new()),
            (Flag, None) => Value::Bool(false),
            (Nullable | List(_), None) => Value::Null,
        };
        out.insert((*go_name).to_string(), rendered);
    }
    Value::Object(out)
}

/// A nested value of a type not described here, with Go-style field names.
fn capitalised(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let mut chars = key.chars();
                    let name = match chars.next() {
                        Some(first) => first.to_uppercase().chain(chars).collect(),
                        None => String::new(),
                    };
                    (name, capitalised(value))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(capitalised).collect()),
        other => other.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

/// Compact JSON as Go's `json.Marshal` writes it (fields in the given order, HTML escaped).
pub fn go_marshal(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// JSON indented by one space per level, as `json.MarshalIndent(v, "", " ")` writes it.
fn indented(value: &Value) -> Vec<String> {
    fn write(value: &Value, depth: usize, prefix: String, trailing: &str, out: &mut Vec<String>) {
        let pad = " ".repeat(depth);
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push(format!("{pad}{prefix}{{"));
                let count = map.len();
                for (index, (key, child)) in map.iter().enumerate() {
                    let comma = if index + 1 < count { "," } else { "" };
                    write(
                        child,
                        depth + 1,
                        format!("{}: ", Value::String(key.clone())),
                        comma,
                        out,
                    );
                }
                out.push(format!("{pad}}}{trailing}"));
            }
            Value::Array(items) if !items.is_empty() => {
                out.push(format!("{pad}{prefix}["));
                let count = items.len();
                for (index, child) in items.iter().enumerate() {
                    let comma = if index + 1 < count { "," } else { "" };
                    write(child, depth + 1, String::new(), comma, out);
                }
                out.push(format!("{pad}]{trailing}"));
            }
            other => out.push(format!("{pad}{prefix}{}{trailing}", go_marshal(other))),
        }
    }
    let mut out = Vec::new();
    write(value, 0, String::new(), "", &mut out);
    out
}

/// The unified diff (three lines of context, hunks only) of two values printed with
/// [`indented`], as the real server appends it to some immutability errors.
pub fn unified_diff(old: &Value, new: &Value) -> String {
    let (a, b) = (indented(old), indented(new));
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // Edit script: (tag, old index, new index).
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i, j));
            i += 1;
        } else {
            ops.push(('+', i, j));
            j += 1;
        }
    }
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| op.0 != ' ')
        .map(|(index, _)| index)
        .collect();
    let mut out = String::new();
    let mut start_index = 0;
    while start_index < changed.len() {
        let first = changed[start_index];
        let mut last = first;
        let mut next = start_index + 1;
        while next < changed.len() && changed[next] <= last + 6 {
            last = changed[next];
            next += 1;
        }
        let from = first.saturating_sub(3);
        let to = (last + 3).min(ops.len() - 1);
        let hunk = &ops[from..=to];
        let old_lines = hunk.iter().filter(|op| op.0 != '+').count();
        let new_lines = hunk.iter().filter(|op| op.0 != '-').count();
        let old_start = hunk
            .iter()
            .find(|op| op.0 != '+')
            .map_or(hunk[0].1, |op| op.1)
            + 1;
        let new_start = hunk
            .iter()
            .find(|op| op.0 != '-')
            .map_or(hunk[0].2, |op| op.2)
            + 1;
        let range = |start: usize, count: usize| match count {
            0 => format!("{},0", start - 1),
            1 => format!("{start}"),
            _ => format!("{start},{count}"),
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_lines),
            range(new_start, new_lines)
        ));
        for (tag, old_index, new_index) in hunk {
            let line = if *tag == '+' {
                &b[*new_index]
            } else {
                &a[*old_index]
            };
            out.push_str(&format!("{tag}{line}\n"));
        }
        start_index = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claim_spec_diffs_read_like_the_real_server() {
        let old = claim_spec(
            &json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"}),
        );
        let new = claim_spec(
            &json!({"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"}),
        );
        assert_eq!(
            unified_diff(&old, &new),
            "@@ -1,6 +1,6 @@\n {\n  \"AccessModes\": [\n-  \"ReadWriteOnce\"\n+  \"ReadWriteMany\"\n  ],\n  \"Selector\": null,\n  \"Resources\": {\n"
        );
    }

    #[test]
    fn pod_templates_print_internal_field_names() {
        let text = go_marshal(&pod_template(&json!({"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i"}], "securityContext": {}}})));
        assert!(text.starts_with(r#"{"labels":{"a":"b"},"Spec":{"Volumes":null,"InitContainers":null,"Containers":[{"Name":"c","Image":"i","Command":null"#), "{text}");
        assert!(
            text.contains(r#""SecurityContext":{"HostNetwork":false,"HostPID":false"#),
            "{text}"
        );
    }
}
