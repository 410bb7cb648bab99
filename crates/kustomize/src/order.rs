//! Output order: kustomize's legacy order (namespaces, RBAC, config and services first,
//! webhooks last, the rest by GVK, namespace and name), or the order of declaration (`fifo`).

use std::cmp::Ordering;

use crate::kustomization::SortOptions;
use crate::resource::{Gvk, Resource};

const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

const ORDER_LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Checks `sortOptions` as kustomize does.
pub(crate) fn check(options: Option<&SortOptions>) -> Result<(), String> {
    let Some(options) = options else {
        return Ok(());
    };
    match options.order.as_str() {
        "legacy" => Ok(()),
        "fifo" if options.legacy_sort_options.is_some() => {
            Err("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".into())
        }
        "fifo" => Ok(()),
        _ => Err("the field 'sortOptions.order' must be one of [fifo, legacy]".into()),
    }
}

/// Sorts resources for output.
pub(crate) fn sort(resources: &mut Vec<Resource>, options: Option<&SortOptions>) {
    let (first, last): (Vec<&str>, Vec<&str>) = match options {
        Some(options) if options.order == "fifo" => return,
        Some(SortOptions {
            legacy_sort_options: Some(legacy),
            ..
        }) => (
            legacy.order_first.iter().map(String::as_str).collect(),
            legacy.order_last.iter().map(String::as_str).collect(),
        ),
        _ => (ORDER_FIRST.to_vec(), ORDER_LAST.to_vec()),
    };
    let rank = |kind: &str| -> i64 {
        if let Some(index) = first.iter().position(|candidate| *candidate == kind) {
            return index as i64 - first.len() as i64;
        }
        last.iter()
            .position(|candidate| *candidate == kind)
            .map_or(0, |index| index as i64 + 1)
    };
    let mut keyed: Vec<(i64, Gvk, String, Resource)> = std::mem::take(resources)
        .into_iter()
        .map(|resource| {
            let id = resource.cur_id();
            let key = id_sort_string(&id.gvk, &id.namespace, &id.name);
            (rank(&id.gvk.kind), id.gvk, key, resource)
        })
        .collect();
    keyed.sort_by(|a, b| {
        if a.1 != b.1 {
            return gvk_order(a.0, &a.1, b.0, &b.1);
        }
        a.2.cmp(&b.2)
    });
    resources.extend(keyed.into_iter().map(|(_, _, _, resource)| resource));
}

fn gvk_order(rank_a: i64, a: &Gvk, rank_b: i64, b: &Gvk) -> Ordering {
    if rank_a != rank_b {
        return rank_a.cmp(&rank_b);
    }
    let (key_a, key_b) = (gvk_sort_string(a), gvk_sort_string(b));
    if a.kind == "Namespace" && b.kind == "Namespace" && (a.group.is_empty() || b.group.is_empty())
    {
        return key_b.cmp(&key_a);
    }
    key_a.cmp(&key_b)
}

fn gvk_sort_string(gvk: &Gvk) -> String {
    let or = |value: &str, empty: &'static str| {
        if value.is_empty() {
            empty.to_string()
        } else {
            value.to_string()
        }
    };
    format!(
        "{}_{}_{}",
        or(&gvk.group, "~G"),
        or(&gvk.version, "~V"),
        or(&gvk.kind, "~K")
    )
}

fn id_sort_string(gvk: &Gvk, namespace: &str, name: &str) -> String {
    let or = |value: &str, empty: &'static str| {
        if value.is_empty() {
            empty.to_string()
        } else {
            value.to_string()
        }
    };
    format!(
        "{}.{}.{}|{}|{}",
        or(&gvk.kind, "[noKind]"),
        or(&gvk.version, "[noVer]"),
        or(&gvk.group, "[noGrp]"),
        or(namespace, "~X"),
        or(name, "~N")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    fn resource(api_version: &str, kind: &str, name: &str, namespace: &str) -> Resource {
        let mut object =
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if !namespace.is_empty() {
            object["metadata"]["namespace"] = json!(namespace);
        }
        Resource::new(object, Origin::default())
    }

    fn names(resources: &[Resource]) -> Vec<String> {
        resources
            .iter()
            .map(|resource| format!("{}/{}", resource.kind(), resource.name()))
            .collect()
    }

    #[test]
    fn legacy_order_puts_namespaces_first_and_webhooks_last() {
        let mut resources = vec![
            resource(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "hook",
                "",
            ),
            resource("apps/v1", "Deployment", "web", ""),
            resource("example.com/v1", "Widget", "w", ""),
            resource("v1", "ConfigMap", "b", ""),
            resource("v1", "ConfigMap", "a", "x"),
            resource("v1", "Namespace", "x", ""),
        ];
        sort(&mut resources, None);
        assert_eq!(
            names(&resources),
            [
                "Namespace/x",
                "ConfigMap/a",
                "ConfigMap/b",
                "Deployment/web",
                "Widget/w",
                "ValidatingWebhookConfiguration/hook"
            ]
        );
    }

    #[test]
    fn fifo_keeps_declaration_order() {
        let mut resources = vec![
            resource("apps/v1", "Deployment", "web", ""),
            resource("v1", "Namespace", "x", ""),
        ];
        let options = SortOptions {
            order: "fifo".into(),
            legacy_sort_options: None,
        };
        sort(&mut resources, Some(&options));
        assert_eq!(names(&resources), ["Deployment/web", "Namespace/x"]);
    }
}
