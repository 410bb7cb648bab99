//! `replicas`: sets `spec.replicas` of the workloads with a given (current or original) name.

use serde_json::Value;

use crate::fieldspec::{self, CreateAs, FieldSpec, FieldSpecRow};
use crate::kustomization::Replica;
use crate::resmap::ResMap;

/// kustomize's default replica field specifications (`replicas.go`).
#[rustfmt::skip]
const REPLICAS: [FieldSpecRow; 4] = [
    ("", "", "Deployment", "spec/replicas", true),
    ("", "", "ReplicationController", "spec/replicas", true),
    ("", "", "ReplicaSet", "spec/replicas", true),
    ("", "", "StatefulSet", "spec/replicas", true),
];

/// Applies one `replicas` entry; naming no workload is an error, as in kustomize.
pub(crate) fn apply_replica(resources: &mut ResMap, replica: &Replica) -> Result<(), String> {
    let specs = FieldSpec::table(&REPLICAS);
    let mut found = false;
    for spec in &specs {
        for resource in &mut resources.items {
            let named = resource
                .all_ids()
                .iter()
                .any(|id| id.name == replica.name && id.gvk.is_selected_by(&spec.gvk));
            if !named {
                continue;
            }
            found = true;
            fieldspec::apply(
                &mut resource.object,
                spec,
                CreateAs::Scalar,
                &mut |node: &mut Value| {
                    if node.is_array() || node.is_object() {
                        return Err("wrong node kind: replicas must be a scalar".into());
                    }
                    *node = Value::from(replica.count);
                    Ok(())
                },
            )
            .map_err(|message| format!("{}: {message}", resource.describe()))?;
        }
    }
    if !found {
        return Err(format!(
            "resource with name {} does not match a config with the following GVK [Deployment.[noVer].[noGrp] ReplicationController.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] StatefulSet.[noVer].[noGrp]]",
            replica.name
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;
    use ferry_types::Origin;
    use serde_json::json;

    #[test]
    fn replicas_are_set_by_original_name_after_a_prefix() {
        let mut resource = Resource::new(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
            Origin::default(),
        );
        resource.store_previous_id();
        resource.set_name("p-web");
        let mut resources = ResMap {
            items: vec![resource],
        };
        apply_replica(
            &mut resources,
            &Replica {
                name: "web".into(),
                count: 3,
            },
        )
        .unwrap();
        assert_eq!(resources.items[0].object["spec"]["replicas"], 3);
    }

    #[test]
    fn naming_no_workload_is_an_error() {
        let mut resources = ResMap::default();
        assert!(
            apply_replica(
                &mut resources,
                &Replica {
                    name: "web".into(),
                    count: 3
                }
            )
            .is_err()
        );
    }
}
