//! Differential test of [`Flavor::Kustomize`]: every case is a kustomization with one
//! strategic merge patch, built by `kubectl kustomize` (kustomize 5.5) and by ferry, and the
//! results must be the same JSON value. The cases stay within what the flavor claims to match
//! (see NOTES.md): lists keyed by a single field, `$patch` directives, nulls.

mod support;

use ferry_patch::{Flavor, strategic_merge_with};
use serde_json::{Value, json};
use support::{Kubectl, gvk_of};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["example.com/f1", "example.com/f2"]},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {"spec": {
                "containers": [
                    {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}]},
                    {"name": "sidecar", "image": "proxy:1"},
                    {"name": "logger", "image": "logger:1"}
                ],
                "volumes": [{"name": "data", "emptyDir": {}}, {"name": "config", "configMap": {"name": "app-config"}}]
            }}
        }
    })
}

/// A patch document for the deployment: kustomize finds its target by kind and name.
fn deployment_patch(body: Value) -> Value {
    let mut patch =
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
    for (key, value) in body.as_object().expect("an object") {
        if key == "metadata" {
            for (field, value) in value.as_object().expect("an object") {
                patch["metadata"][field] = value.clone();
            }
        } else {
            patch[key] = value.clone();
        }
    }
    patch
}

fn pod_spec(spec: Value) -> Value {
    deployment_patch(json!({"spec": {"template": {"spec": spec}}}))
}

fn cases() -> Vec<(&'static str, Value, Value)> {
    let widget = json!({
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "finalizers": ["f1"]},
        "spec": {"items": [{"name": "a", "size": 1}, {"name": "b"}], "settings": {"a": 1, "b": 2}}
    });
    vec![
        (
            "a patched container moves first",
            deployment(),
            pod_spec(json!({"containers": [{"name": "logger", "image": "logger:2"}]})),
        ),
        (
            "patched and new containers come first in patch order",
            deployment(),
            pod_spec(
                json!({"containers": [{"name": "logger", "image": "logger:2"}, {"name": "new", "image": "new:1"}, {"name": "app", "image": "app:2"}]}),
            ),
        ),
        (
            "env merges with the patch's variables first",
            deployment(),
            pod_spec(
                json!({"containers": [{"name": "app", "env": [{"name": "C", "value": "30"}, {"name": "D", "value": "4"}]}]}),
            ),
        ),
        (
            "volumes merge by name",
            deployment(),
            pod_spec(json!({"volumes": [{"name": "config", "configMap": {"name": "other"}}]})),
        ),
        (
            "a container is deleted",
            deployment(),
            pod_spec(json!({"containers": [{"name": "sidecar", "$patch": "delete"}]})),
        ),
        (
            "a nested object marked delete is removed",
            deployment(),
            deployment_patch(json!({"spec": {"strategy": {"$patch": "delete"}}})),
        ),
        (
            "a missing object marked replace is added",
            deployment(),
            pod_spec(json!({"securityContext": {"$patch": "replace", "runAsUser": 1}})),
        ),
        (
            "a new container loses its nulls and deleted elements",
            deployment(),
            pod_spec(
                json!({"containers": [{"name": "new", "image": "new:1", "command": null, "env": [{"name": "X", "value": null}, {"name": "Y", "$patch": "delete"}]}]}),
            ),
        ),
        (
            "replaced lists keep their nulls",
            deployment(),
            pod_spec(
                json!({"tolerations": [{"key": "q", "value": null}], "securityContext": {"$patch": "replace", "runAsUser": null, "fsGroup": 1}}),
            ),
        ),
        (
            "a new container drops nulls in keyed lists only",
            deployment(),
            pod_spec(
                json!({"containers": [{"name": "new", "env": [{"name": "E", "value": null}], "args": ["x", null], "securityContext": {"runAsUser": null}}]}),
            ),
        ),
        (
            "merge directive is accepted",
            deployment(),
            deployment_patch(json!({"spec": {"$patch": "merge", "replicas": 3}})),
        ),
        (
            "finalizers merge with the patch's first",
            deployment(),
            deployment_patch(
                json!({"metadata": {"finalizers": ["example.com/f2", "example.com/f0"]}}),
            ),
        ),
        (
            "labels are deleted with null",
            deployment(),
            deployment_patch(json!({"metadata": {"labels": {"tier": null, "team": "a"}}})),
        ),
        (
            "custom resources merge like a merge patch",
            widget,
            json!({
                "apiVersion": "example.com/v1",
                "kind": "Widget",
                "metadata": {"name": "w", "finalizers": ["f2"]},
                "spec": {"items": [{"name": "b", "size": null}, null], "settings": {"a": null, "c": {"d": null, "e": [{"f": null}]}}}
            }),
        ),
    ]
}

#[test]
fn ferry_kustomize_flavor_patches_like_kustomize() {
    let Some(kubectl) = Kubectl::find_or_skip() else {
        return;
    };
    let cases = cases();
    let mut mismatches = Vec::new();
    for (index, (name, base, patch)) in cases.iter().enumerate() {
        let expected = kubectl.kustomize(&format!("case-{index}"), base, patch);
        let actual = strategic_merge_with(base, patch, &gvk_of(base), Flavor::Kustomize)
            .map_err(|error| error.to_string());
        if expected.is_err() || expected != actual {
            mismatches.push(format!(
                "{name}:\n  kustomize: {}\n  ferry:     {}",
                support::describe(&expected),
                support::describe(&actual)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from kustomize:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
