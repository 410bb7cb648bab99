//! `labels`, `commonLabels` and `commonAnnotations`: metadata added to every object and,
//! following kustomize's field tables, to selectors and pod templates.

use std::collections::BTreeMap;

use crate::fieldspec::{self, CreateAs, FieldSpec, FieldSpecRow, merge_all, set_entry};
use crate::kustomization::Label;
use crate::resmap::ResMap;

/// Where `commonLabels` (and `labels` with `includeSelectors`) go (`commonlabels.go`).
#[rustfmt::skip]
const COMMON_LABELS: [FieldSpecRow; 32] = [
    ("", "v1", "Service", "spec/selector", true),
    ("", "v1", "ReplicationController", "spec/selector", true),
    ("", "", "Deployment", "spec/selector/matchLabels", true),
    ("apps", "", "Deployment", "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    ("apps", "", "Deployment", "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    ("apps", "", "Deployment", "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    ("apps", "", "Deployment", "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    ("apps", "", "Deployment", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false),
    ("", "", "ReplicaSet", "spec/selector/matchLabels", true),
    ("", "", "DaemonSet", "spec/selector/matchLabels", true),
    ("apps", "", "StatefulSet", "spec/selector/matchLabels", true),
    ("apps", "", "StatefulSet", "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    ("apps", "", "StatefulSet", "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    ("apps", "", "StatefulSet", "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    ("apps", "", "StatefulSet", "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    ("apps", "", "StatefulSet", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false),
    ("batch", "", "Job", "spec/selector/matchLabels", false),
    ("batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false),
    ("policy", "", "PodDisruptionBudget", "spec/selector/matchLabels", false),
    ("networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels", false),
    ("networking.k8s.io", "", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false),
    ("networking.k8s.io", "", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false),
    ("", "", "", "metadata/labels", true),
    ("", "v1", "ReplicationController", "spec/template/metadata/labels", true),
    ("", "", "Deployment", "spec/template/metadata/labels", true),
    ("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    ("", "", "DaemonSet", "spec/template/metadata/labels", true),
    ("apps", "", "StatefulSet", "spec/template/metadata/labels", true),
    ("apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    ("batch", "", "Job", "spec/template/metadata/labels", true),
    ("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true),
    ("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
];

/// Where `labels` with `includeTemplates` go (`metadatalabels.go`).
#[rustfmt::skip]
const TEMPLATE_LABELS: [FieldSpecRow; 10] = [
    ("", "", "", "metadata/labels", true),
    ("", "v1", "ReplicationController", "spec/template/metadata/labels", true),
    ("", "", "Deployment", "spec/template/metadata/labels", true),
    ("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    ("", "", "DaemonSet", "spec/template/metadata/labels", true),
    ("apps", "", "StatefulSet", "spec/template/metadata/labels", true),
    ("apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    ("batch", "", "Job", "spec/template/metadata/labels", true),
    ("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true),
    ("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
];

/// Where `commonAnnotations` go (`commonannotations.go`).
#[rustfmt::skip]
const COMMON_ANNOTATIONS: [FieldSpecRow; 9] = [
    ("", "", "", "metadata/annotations", true),
    ("", "v1", "ReplicationController", "spec/template/metadata/annotations", true),
    ("", "", "Deployment", "spec/template/metadata/annotations", true),
    ("", "", "ReplicaSet", "spec/template/metadata/annotations", true),
    ("", "", "DaemonSet", "spec/template/metadata/annotations", true),
    ("", "", "StatefulSet", "spec/template/metadata/annotations", true),
    ("batch", "", "Job", "spec/template/metadata/annotations", true),
    ("batch", "", "CronJob", "spec/jobTemplate/metadata/annotations", true),
    ("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true),
];

/// The field specifications for `commonLabels`.
pub(crate) fn common_label_specs() -> Vec<FieldSpec> {
    FieldSpec::table(&COMMON_LABELS)
}

/// The field specifications for one `labels` entry: its own `fields`, then selectors and
/// templates (`includeSelectors`) or templates (`includeTemplates`) or metadata only.
pub(crate) fn label_specs(label: &Label) -> Result<Vec<FieldSpec>, String> {
    let own: Vec<FieldSpec> = label
        .fields
        .iter()
        .map(|field| FieldSpec {
            gvk: crate::resource::Gvk::new(&field.group, &field.version, &field.kind),
            path: field.path.clone(),
            create: field.create,
        })
        .collect();
    if label.include_selectors {
        return merge_all(own, &common_label_specs());
    }
    let own = if label.include_templates {
        merge_all(own, &FieldSpec::table(&TEMPLATE_LABELS))?
    } else {
        own
    };
    let metadata = FieldSpec {
        gvk: Default::default(),
        path: "metadata/labels".into(),
        create: true,
    };
    merge_all(own, &[metadata])
}

/// Adds `labels` at every place `specs` names.
pub(crate) fn add_labels(
    resources: &mut ResMap,
    labels: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<(), String> {
    add_entries(resources, labels, specs)
}

/// Adds `commonAnnotations`.
pub(crate) fn add_annotations(
    resources: &mut ResMap,
    annotations: &BTreeMap<String, String>,
) -> Result<(), String> {
    add_entries(
        resources,
        annotations,
        &FieldSpec::table(&COMMON_ANNOTATIONS),
    )
}

fn add_entries(
    resources: &mut ResMap,
    entries: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    for resource in &mut resources.items {
        for (key, value) in entries {
            for spec in specs {
                fieldspec::apply(
                    &mut resource.object,
                    spec,
                    CreateAs::Map,
                    &mut set_entry(key, value),
                )
                .map_err(|message| format!("{}: {message}", resource.describe()))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;
    use ferry_types::Origin;
    use serde_json::json;

    fn deployment() -> ResMap {
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}}}});
        ResMap {
            items: vec![Resource::new(object, Origin::default())],
        }
    }

    fn labels() -> BTreeMap<String, String> {
        BTreeMap::from([("team".to_string(), "a".to_string())])
    }

    #[test]
    fn common_labels_reach_selectors_and_templates() {
        let mut resources = deployment();
        add_labels(&mut resources, &labels(), &common_label_specs()).unwrap();
        let object = &resources.items[0].object;
        assert_eq!(object["metadata"]["labels"]["team"], "a");
        assert_eq!(object["spec"]["selector"]["matchLabels"]["team"], "a");
        assert_eq!(
            object["spec"]["template"]["metadata"]["labels"]["team"],
            "a"
        );
    }

    #[test]
    fn plain_labels_touch_metadata_only_and_templates_when_asked() {
        let mut resources = deployment();
        let label = Label {
            pairs: labels(),
            include_templates: true,
            ..Label::default()
        };
        add_labels(&mut resources, &label.pairs, &label_specs(&label).unwrap()).unwrap();
        let object = &resources.items[0].object;
        assert_eq!(
            object["spec"]["template"]["metadata"]["labels"]["team"],
            "a"
        );
        assert!(
            object["spec"]["selector"]["matchLabels"]
                .get("team")
                .is_none()
        );
    }
}
