//! `namespace`: sets the namespace of every namespaced object, and of the few fields that
//! hold a namespace (APIService and CRD webhook services, RoleBinding subjects named
//! `default`); a `v1` Namespace object is renamed to it.

use std::collections::HashMap;

use serde_json::Value;

use crate::fieldspec::{self, CreateAs, FieldSpec, FieldSpecRow, set_string};
use crate::resmap::ResMap;

/// kustomize's default namespace field specifications (`namespace.go`).
#[rustfmt::skip]
const NAMESPACE: [FieldSpecRow; 3] = [
    ("", "", "Namespace", "metadata/name", true),
    ("apiregistration.k8s.io", "", "APIService", "spec/service/namespace", true),
    ("apiextensions.k8s.io", "", "CustomResourceDefinition", "spec/conversion/webhook/clientConfig/service/namespace", false),
];

/// Moves every resource into `namespace`.
pub(crate) fn set_namespace(resources: &mut ResMap, namespace: &str) -> Result<(), String> {
    if namespace.is_empty() {
        return Ok(());
    }
    let specs = FieldSpec::table(&NAMESPACE);
    for resource in &mut resources.items {
        resource.store_previous_id();
        if !resource.gvk().is_cluster_scoped() {
            resource.set_namespace(namespace);
        }
        let kind = resource.kind().to_string();
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            set_default_subjects(&mut resource.object, namespace);
        }
        let is_core = resource.api_version() == "v1";
        for spec in specs
            .iter()
            .filter(|spec| is_core || spec.path != "metadata/name")
        {
            fieldspec::apply(
                &mut resource.object,
                spec,
                CreateAs::Scalar,
                &mut set_string(namespace),
            )
            .map_err(|message| format!("{}: {message}", resource.describe()))?;
        }
    }
    let mut seen: HashMap<_, usize> = HashMap::new();
    for (index, resource) in resources.items.iter().enumerate() {
        if let Some(first) = seen.insert(resource.cur_id().key(), index) {
            let first = &resources.items[first];
            return Err(format!(
                "namespace transformation produces ID conflict: {} and {}",
                first.describe(),
                resource.describe()
            ));
        }
    }
    Ok(())
}

/// Sets the namespace of RoleBinding subjects named `default`.
fn set_default_subjects(object: &mut Value, namespace: &str) {
    let Some(Value::Array(subjects)) = object.get_mut("subjects") else {
        return;
    };
    for subject in subjects {
        if let Value::Object(map) = subject
            && map.get("name").and_then(Value::as_str) == Some("default")
        {
            map.insert("namespace".into(), Value::String(namespace.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;
    use ferry_types::Origin;
    use serde_json::json;

    fn map(objects: Vec<Value>) -> ResMap {
        ResMap {
            items: objects
                .into_iter()
                .map(|object| Resource::new(object, Origin::default()))
                .collect(),
        }
    }

    #[test]
    fn namespaced_objects_move_and_cluster_scoped_ones_stay() {
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "old"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}),
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
        ]);
        set_namespace(&mut resources, "prod").unwrap();
        assert_eq!(resources.items[0].namespace(), "prod");
        assert_eq!(resources.items[1].namespace(), "");
        assert_eq!(resources.items[2].namespace(), "prod");
    }

    #[test]
    fn a_core_namespace_object_takes_the_new_name() {
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "old"}}),
        ]);
        set_namespace(&mut resources, "prod").unwrap();
        assert_eq!(resources.items[0].name(), "prod");
    }

    #[test]
    fn only_subjects_named_default_get_the_namespace() {
        let mut resources = map(vec![
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "b"}, "subjects": [{"kind": "ServiceAccount", "name": "default"}, {"kind": "ServiceAccount", "name": "x"}]}),
        ]);
        set_namespace(&mut resources, "prod").unwrap();
        let subjects = &resources.items[0].object["subjects"];
        assert_eq!(subjects[0]["namespace"], "prod");
        assert!(subjects[1].get("namespace").is_none());
    }
}
