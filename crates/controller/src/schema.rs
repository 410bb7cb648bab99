//! The OpenAPI schema of `applications.ferry.dev`: Argo CD's field names and types, with a
//! description on each, so the API server rejects a mistyped Application when it is written
//! (naming the field) and `kubectl explain application.spec` documents it. Objects ferry
//! does not model (Helm, plugins, jsonnet, managed namespace metadata) and the spec itself
//! keep unknown fields, so Argo CD manifests with fields ferry does not know still apply.

use serde_json::{Value, json};

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn boolean(description: &str) -> Value {
    json!({"type": "boolean", "description": description})
}

fn integer(description: &str) -> Value {
    json!({"type": "integer", "format": "int64", "description": description})
}

fn strings(description: &str) -> Value {
    json!({"type": "array", "items": {"type": "string"}, "description": description})
}

fn string_map(description: &str) -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string"}, "description": description})
}

/// An object whose fields ferry does not check (kept as written).
fn open(description: &str) -> Value {
    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": description})
}

fn object(description: &str, properties: Value) -> Value {
    json!({"type": "object", "description": description, "properties": properties})
}

fn source() -> Value {
    object(
        "Where the manifests come from: a Git repository, a revision and a path in it.",
        json!({
            "repoURL": string("URL of the Git repository (https://, ssh://, git://, file://)."),
            "targetRevision": string("Branch, tag or commit to deploy; HEAD (the default branch) when empty."),
            "path": string("Directory in the repository holding the manifests or a kustomization."),
            "chart": string("Helm chart name (not rendered by ferry yet)."),
            "ref": string("Name of this source, for other sources to refer to."),
            "directory": object("Options of a plain directory of manifests.", json!({
                "recurse": boolean("Read subdirectories too."),
                "include": string("Glob of the files to read."),
                "exclude": string("Glob of the files to leave out."),
                "jsonnet": open("Jsonnet options (not rendered by ferry)."),
            })),
            "kustomize": object("Options applied on top of a kustomization, as Argo CD's.", json!({
                "namePrefix": string("Prefix added to every object's name."),
                "nameSuffix": string("Suffix added to every object's name."),
                "namespace": string("Namespace set on every namespaced object."),
                "images": strings("Image overrides: name=newName:newTag, name:newTag or name@digest."),
                "commonLabels": string_map("Labels added to every object (and selectors)."),
                "commonAnnotations": string_map("Annotations added to every object."),
                "forceCommonLabels": boolean("Overwrite labels the manifests already set."),
                "forceCommonAnnotations": boolean("Overwrite annotations the manifests already set."),
                "labelWithoutSelector": boolean("Add commonLabels without touching selectors."),
                "replicas": {"type": "array", "description": "Replica counts by workload name.", "items": object("A replica count.", json!({
                    "name": string("Name of the workload."),
                    "count": {"x-kubernetes-int-or-string": true, "description": "Replicas."},
                }))},
                "patches": {"type": "array", "description": "Patches, as a kustomization's.", "items": open("A patch: path or patch, target, options.")},
                "components": strings("Kustomize components to include."),
                "version": string("Kustomize version (ferry renders with its own)."),
            })),
            "helm": open("Helm options (not rendered by ferry yet)."),
            "plugin": open("Config management plugin (not supported by ferry)."),
        }),
    )
}

/// The schema of an Application's `spec`.
pub(crate) fn application_spec() -> Value {
    let mut spec = object(
        "What to deploy (source), where (destination), and how ferry keeps it in sync.",
        json!({
            "source": source(),
            "sources": {"type": "array", "description": "Several sources (only the first is rendered by ferry yet).", "items": source()},
            "destination": object("The cluster and namespace to deploy to.", json!({
                "server": string("API server URL; https://kubernetes.default.svc (or empty) is the cluster ferry runs in."),
                "name": string("Cluster name: a context of the controller's kubeconfig."),
                "namespace": string("Namespace for objects that name none."),
            })),
            "project": string("The AppProject that limits this app; default when empty."),
            "syncPolicy": object("When and how ferry syncs.", json!({
                "automated": object("Sync on every change in Git (and, with selfHeal, in the cluster).", json!({
                    "prune": boolean("Delete objects that left Git."),
                    "selfHeal": boolean("Revert changes made in the cluster."),
                    "allowEmpty": boolean("Allow a sync that would leave the app with no objects."),
                    "enabled": boolean("false suspends automation (what a rollback sets) without removing it."),
                })),
                "syncOptions": strings("Options such as CreateNamespace=true, PruneLast=true, ServerSideApply=true, ApplyOutOfSyncOnly=true, Replace=true."),
                "retry": object("Retries of a failed sync.", json!({
                    "limit": integer("Retries after the first attempt; negative is unlimited."),
                    "backoff": object("Time between retries.", json!({
                        "duration": {"x-kubernetes-int-or-string": true, "description": "First wait: 5s, 1m, or seconds."},
                        "factor": integer("Each wait is the previous times this."),
                        "maxDuration": string("The longest wait: 3m."),
                    })),
                })),
                "managedNamespaceMetadata": open("Labels and annotations of a namespace created by CreateNamespace=true."),
            })),
            "ignoreDifferences": {"type": "array", "description": "Fields not compared (and, with RespectIgnoreDifferences=true, not synced).", "items": object("Fields of matching objects to ignore.", json!({
                "group": string("API group of the objects."),
                "kind": string("Kind of the objects."),
                "name": string("Name of the object; all when empty."),
                "namespace": string("Namespace of the object; all when empty."),
                "jsonPointers": strings("JSON pointers of the fields: /spec/replicas."),
                "jqPathExpressions": strings("jq paths of the fields: .spec.template.spec.containers[].image."),
                "managedFieldsManagers": strings("Ignore what these field managers own."),
            }))},
            "revisionHistoryLimit": integer("How many history entries are kept (10 by default)."),
            "info": {"type": "array", "description": "Free-form name/value pairs shown with the app.", "items": object("One pair.", json!({
                "name": string("Name."),
                "value": string("Value."),
            }))},
        }),
    );
    spec["required"] = json!(["destination"]);
    spec["x-kubernetes-preserve-unknown-fields"] = json!(true);
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_schema_types_argo_cds_fields_and_keeps_unknown_ones() {
        let spec = application_spec();
        assert_eq!(spec["required"], json!(["destination"]));
        assert_eq!(spec["x-kubernetes-preserve-unknown-fields"], true);
        let automated = &spec["properties"]["syncPolicy"]["properties"]["automated"];
        assert_eq!(automated["properties"]["selfHeal"]["type"], "boolean");
        assert_eq!(
            spec["properties"]["source"]["properties"]["repoURL"]["type"],
            "string"
        );
        // Every property documents itself, for `kubectl explain`.
        let mut pending = vec![&spec];
        while let Some(node) = pending.pop() {
            assert!(node["description"].is_string(), "{node}");
            if let Some(properties) = node["properties"].as_object() {
                pending.extend(properties.values());
            }
            if node["items"].is_object() && node["items"]["type"] == "object" {
                pending.push(&node["items"]);
            }
        }
    }
}
