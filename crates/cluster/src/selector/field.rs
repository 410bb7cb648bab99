//! Field selectors: `metadata.name` and `metadata.namespace` on every kind, plus the fields
//! the real server lets a few built-in kinds select on (a table: Pods by node or phase,
//! Events by the object they are about, Secrets by type, ...), with `=`, `==` and `!=`.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
struct Term {
    field: String,
    value: String,
    equal: bool,
}

/// A parsed field selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector {
    terms: Vec<Term>,
}

/// Fields every kind selects on.
const COMMON: &[&str] = &["metadata.name", "metadata.namespace"];

/// The fields beyond [`COMMON`] a built-in kind selects on, by (group, kind), as the real
/// server's field label conversions list them.
const BY_KIND: &[((&str, &str), &[&str])] = &[
    (
        ("", "Pod"),
        &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
    ),
    (
        ("", "Event"),
        &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
    ),
    (("", "Secret"), &["type"]),
    (("", "Namespace"), &["status.phase"]),
    (("", "Node"), &["spec.unschedulable"]),
    (("", "ReplicationController"), &["status.replicas"]),
    (("apps", "ReplicaSet"), &["status.replicas"]),
    (("batch", "Job"), &["status.successful"]),
    (
        ("certificates.k8s.io", "CertificateSigningRequest"),
        &["spec.signerName"],
    ),
];

/// Where a selectable field is read when it is not simply its path, and what an absent one
/// reads as.
const READ_AS: &[(&str, &str, &str)] = &[
    ("source", "/source/component", ""),
    ("spec.hostNetwork", "/spec/hostNetwork", "false"),
    ("spec.unschedulable", "/spec/unschedulable", "false"),
];

impl FieldSelector {
    /// Parses the `fieldSelector` syntax for a kind that selects on `metadata.name` and
    /// `metadata.namespace` only; the error is the real server's message.
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        FieldSelector::parse_for("", "", text)
    }

    /// Parses the `fieldSelector` syntax for objects of `group`/`kind`; the error is the real
    /// server's message (kinds with their own fields name the one not supported).
    pub fn parse_for(group: &str, kind: &str, text: &str) -> Result<FieldSelector, String> {
        let extra = BY_KIND
            .iter()
            .find(|((of_group, of_kind), _)| *of_group == group && *of_kind == kind)
            .map(|(_, fields)| *fields);
        let mut terms = Vec::new();
        for part in text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            let (field, value, equal) = if let Some((field, value)) = part.split_once("!=") {
                (field, value, false)
            } else if let Some((field, value)) = part.split_once("==") {
                (field, value, true)
            } else if let Some((field, value)) = part.split_once('=') {
                (field, value, true)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                ));
            };
            let field = field.trim();
            let known =
                COMMON.contains(&field) || extra.is_some_and(|fields| fields.contains(&field));
            if !known {
                return Err(match extra {
                    Some(_) => format!("field label not supported: {field}"),
                    None => format!(
                        "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                    ),
                });
            }
            terms.push(Term {
                field: field.to_string(),
                value: value.trim().to_string(),
                equal,
            });
        }
        Ok(FieldSelector { terms })
    }

    /// True when the object satisfies every term.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.terms
            .iter()
            .all(|term| (read(object, &term.field) == term.value) == term.equal)
    }

    /// The name an `metadata.name=<name>` term pins, if any.
    pub fn pinned_name(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|term| term.equal && term.field == "metadata.name")
            .map(|term| term.value.as_str())
    }
}

/// The value of a selectable field as text (`true`, `3`, or the string itself).
fn read(object: &Value, field: &str) -> String {
    let (pointer, absent) = READ_AS
        .iter()
        .find(|(name, _, _)| *name == field)
        .map(|(_, pointer, absent)| ((*pointer).to_string(), *absent))
        .unwrap_or_else(|| (format!("/{}", field.replace('.', "/")), ""));
    match object.pointer(&pointer) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Number(number)) => number.to_string(),
        _ => absent.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn name_and_namespace_terms_filter_objects() {
        let object = json!({"metadata": {"name": "watched", "namespace": "demo"}});
        let matches = |text: &str| {
            FieldSelector::parse(text).map(|selector| selector.matches_object(&object))
        };
        assert_eq!(matches("metadata.name=watched"), Ok(true));
        assert_eq!(matches("metadata.name!=watched"), Ok(false));
        assert_eq!(
            matches("metadata.namespace==demo,metadata.name=other"),
            Ok(false)
        );
        assert_eq!(
            matches("spec.nope=x"),
            Err("\"spec.nope\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"".into())
        );
    }

    #[test]
    fn events_select_on_the_object_they_are_about_as_kubectl_describe_asks() {
        let event = json!({
            "metadata": {"name": "web.1", "namespace": "shop"},
            "involvedObject": {"kind": "Deployment", "name": "web", "namespace": "shop", "uid": "u-1"},
            "reason": "ScalingReplicaSet", "type": "Normal", "source": {"component": "deployment-controller"},
        });
        let selector = |text: &str| FieldSelector::parse_for("", "Event", text).unwrap();
        assert!(selector("involvedObject.name=web,involvedObject.namespace=shop,involvedObject.kind=Deployment,involvedObject.uid=u-1").matches_object(&event));
        assert!(!selector("involvedObject.name=api").matches_object(&event));
        assert!(selector("source=deployment-controller,type!=Warning").matches_object(&event));
        assert_eq!(
            FieldSelector::parse_for("", "Event", "spec.nope=x"),
            Err("field label not supported: spec.nope".into())
        );
    }

    #[test]
    fn pods_select_on_phase_node_and_host_network_read_as_false_when_absent() {
        let pod = json!({"metadata": {"name": "web-1"}, "spec": {"nodeName": "ferry-node-1"}, "status": {"phase": "Running"}});
        let selector = |text: &str| FieldSelector::parse_for("", "Pod", text).unwrap();
        assert!(selector("status.phase=Running,spec.nodeName=ferry-node-1").matches_object(&pod));
        assert!(selector("spec.hostNetwork=false").matches_object(&pod));
        assert!(!selector("status.phase!=Running").matches_object(&pod));
        assert!(FieldSelector::parse_for("apps", "Deployment", "status.phase=Running").is_err());
        let node = json!({"metadata": {"name": "n"}, "spec": {"unschedulable": true}});
        assert!(
            FieldSelector::parse_for("", "Node", "spec.unschedulable=true")
                .unwrap()
                .matches_object(&node)
        );
    }
}
