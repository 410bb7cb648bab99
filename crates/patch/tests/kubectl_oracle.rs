//! Differential test: every case is applied by ferry and by `kubectl patch --local` (which
//! needs no cluster), and the two results must be the same JSON value, or both must fail.
//!
//! kubectl is looked up as `$KUBECTL`, else `kubectl` on the PATH. Without it the test is
//! skipped, except under `CI=true`, where it fails (see `support`).

mod support;

use ferry_patch::{json6902, strategic_merge};
use serde_json::{Value, json};
use support::{Kubectl, gvk_of};

/// The kind of patch a case applies, with the patch document.
enum Patch {
    /// `--type strategic`.
    Strategic(Value),
    /// `--type json` (RFC 6902).
    Json(Value),
    /// `--type merge` (RFC 7386), compared with ferry's strategic merge of a custom resource.
    Merge(Value),
}

struct Case {
    name: &'static str,
    base: Value,
    patch: Patch,
}

fn strategic(name: &'static str, base: Value, patch: Value) -> Case {
    Case {
        name,
        base,
        patch: Patch::Strategic(patch),
    }
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["example.com/f1", "example.com/f2"]},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "initContainers": [{"name": "init", "image": "busybox", "env": [{"name": "MODE", "value": "init"}]}],
                    "containers": [
                        {
                            "name": "app",
                            "image": "app:1",
                            "args": ["--port", "8080"],
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 9090, "name": "metrics"}],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "config", "mountPath": "/etc/app"}],
                            "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "500m"}}
                        },
                        {"name": "sidecar", "image": "proxy:1"},
                        {"name": "logger", "image": "logger:1"}
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}, {"name": "config", "configMap": {"name": "app-config"}}],
                    "tolerations": [{"key": "k1", "operator": "Exists"}],
                    "imagePullSecrets": [{"name": "regcred"}]
                }
            }
        }
    })
}

/// A patch of the deployment's pod spec.
fn pod_spec_patch(spec: Value) -> Value {
    json!({"spec": {"template": {"spec": spec}}})
}

/// A patch of the deployment's `app` container.
fn app_patch(container: Value) -> Value {
    let mut container = container;
    container["name"] = json!("app");
    pod_spec_patch(json!({"containers": [container]}))
}

fn pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs1", "uid": "u1"}]},
        "spec": {
            "containers": [{"name": "c", "image": "c:1", "ports": [{"containerPort": 53, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}]}],
            "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a"]}, {"ip": "10.0.0.2", "hostnames": ["b"]}]
        }
    })
}

fn cron_job() -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly"},
        "spec": {
            "schedule": "0 1 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "job", "image": "job:1", "env": [{"name": "X", "value": "1"}]}, {"name": "helper", "image": "helper:1"}]
            }}}}
        }
    })
}

fn service() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "https", "port": 443, "targetPort": 8443}]
        }
    })
}

fn stateful_set() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "serviceName": "db",
            "template": {"spec": {"containers": [{"name": "db", "image": "db:1", "volumeMounts": [{"name": "data", "mountPath": "/var/lib/db"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]
        }
    })
}

fn config_map() -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1", "b": "2"}})
}

fn role() -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]
    })
}

fn widget() -> Value {
    json!({
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "finalizers": ["f1"]},
        "spec": {"items": [{"name": "a", "size": 1}, {"name": "b", "size": 2}], "settings": {"a": 1, "b": {"c": 2}}}
    })
}

fn cases() -> Vec<Case> {
    vec![
        strategic(
            "container image changes",
            deployment(),
            app_patch(json!({"image": "app:2"})),
        ),
        strategic(
            "new container goes before the base's containers",
            deployment(),
            pod_spec_patch(json!({"containers": [{"name": "new", "image": "new:1"}]})),
        ),
        strategic(
            "changed and new containers interleave with the base's order",
            deployment(),
            pod_spec_patch(
                json!({"containers": [{"name": "sidecar", "image": "proxy:2"}, {"name": "extra", "image": "extra:1"}]}),
            ),
        ),
        strategic(
            "patch order wins over base order",
            deployment(),
            pod_spec_patch(
                json!({"containers": [{"name": "logger", "image": "logger:2"}, {"name": "app", "image": "app:2"}]}),
            ),
        ),
        strategic(
            "container deleted with $patch delete",
            deployment(),
            pod_spec_patch(json!({"containers": [{"name": "sidecar", "$patch": "delete"}]})),
        ),
        strategic(
            "containers replaced with $patch replace",
            deployment(),
            pod_spec_patch(
                json!({"containers": [{"name": "only", "image": "only:1"}, {"$patch": "replace"}]}),
            ),
        ),
        strategic(
            "env merges by name",
            deployment(),
            app_patch(json!({"env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]})),
        ),
        strategic(
            "env var deleted",
            deployment(),
            app_patch(json!({"env": [{"name": "A", "$patch": "delete"}]})),
        ),
        strategic(
            "env value swapped for valueFrom with a null",
            deployment(),
            app_patch(
                json!({"env": [{"name": "A", "value": null, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}),
            ),
        ),
        strategic(
            "ports merge by containerPort",
            deployment(),
            app_patch(
                json!({"ports": [{"containerPort": 9090, "name": "prom"}, {"containerPort": 7070}]}),
            ),
        ),
        strategic(
            "volumes merge by name",
            deployment(),
            pod_spec_patch(
                json!({"volumes": [{"name": "config", "configMap": {"name": "other"}}, {"name": "cache", "emptyDir": {"medium": "Memory"}}]}),
            ),
        ),
        strategic(
            "volumeMounts merge by mountPath",
            deployment(),
            app_patch(
                json!({"volumeMounts": [{"mountPath": "/data", "readOnly": true}, {"mountPath": "/cache", "name": "cache"}]}),
            ),
        ),
        strategic(
            "args are replaced",
            deployment(),
            app_patch(json!({"args": ["--verbose"]})),
        ),
        strategic(
            "tolerations without merge key are replaced",
            deployment(),
            pod_spec_patch(json!({"tolerations": [{"key": "k2", "operator": "Exists"}]})),
        ),
        strategic(
            "imagePullSecrets merge by name",
            deployment(),
            pod_spec_patch(json!({"imagePullSecrets": [{"name": "other"}]})),
        ),
        strategic(
            "nested initContainers env merges",
            deployment(),
            pod_spec_patch(
                json!({"initContainers": [{"name": "init", "env": [{"name": "EXTRA", "value": "x"}, {"name": "MODE", "value": "again"}]}]}),
            ),
        ),
        strategic(
            "null deletes fields and labels",
            deployment(),
            json!({"metadata": {"labels": {"tier": null}}, "spec": {"replicas": null}}),
        ),
        strategic(
            "$patch replace on a map",
            deployment(),
            app_patch(json!({"resources": {"$patch": "replace", "requests": {"cpu": "100m"}}})),
        ),
        strategic(
            "$patch delete on a map leaves it empty",
            deployment(),
            json!({"spec": {"strategy": {"$patch": "delete"}}}),
        ),
        strategic(
            "$retainKeys drops the fields it does not list",
            deployment(),
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        ),
        strategic(
            "$setElementOrder reorders containers",
            deployment(),
            pod_spec_patch(json!({
                "$setElementOrder/containers": [{"name": "logger"}, {"name": "app"}, {"name": "sidecar"}],
                "containers": [{"name": "app", "image": "app:3"}]
            })),
        ),
        strategic(
            "$setElementOrder places a new container",
            deployment(),
            pod_spec_patch(json!({
                "$setElementOrder/containers": [{"name": "app"}, {"name": "new"}, {"name": "sidecar"}, {"name": "logger"}],
                "containers": [{"name": "new", "image": "new:1"}]
            })),
        ),
        strategic(
            "$setElementOrder orders primitive finalizers",
            deployment(),
            json!({"metadata": {"$setElementOrder/finalizers": ["example.com/f2", "example.com/f3", "example.com/f1"], "finalizers": ["example.com/f3"]}}),
        ),
        strategic(
            "$deleteFromPrimitiveList removes finalizers",
            deployment(),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/f1"]}}),
        ),
        strategic(
            "finalizers merge as a set",
            deployment(),
            json!({"metadata": {"finalizers": ["example.com/f2", "example.com/f0"]}}),
        ),
        strategic(
            "several directives at once",
            deployment(),
            pod_spec_patch(json!({
                "$setElementOrder/containers": [{"name": "logger"}, {"name": "app"}],
                "containers": [{"name": "sidecar", "$patch": "delete"}, {"name": "app", "env": [{"name": "B", "$patch": "delete"}], "$setElementOrder/env": [{"name": "A"}]}],
                "volumes": [{"name": "data", "$patch": "delete"}]
            })),
        ),
        strategic(
            "cron job template containers merge",
            cron_job(),
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "helper", "image": "helper:2", "env": [{"name": "Y", "value": "2"}]}]}}}}}}),
        ),
        strategic(
            "cron job template container deleted",
            cron_job(),
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "$patch": "delete"}]}}}}}}),
        ),
        strategic(
            "stateful set volumeMounts merge and volumeClaimTemplates are replaced",
            stateful_set(),
            json!({"spec": {
                "template": {"spec": {"containers": [{"name": "db", "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}]}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "logs"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]
            }}),
        ),
        strategic(
            "service ports merge by port",
            service(),
            json!({"spec": {"ports": [{"port": 443, "targetPort": 9443}, {"port": 8081, "name": "admin"}]}}),
        ),
        strategic(
            "service port deleted",
            service(),
            json!({"spec": {"ports": [{"port": 80, "$patch": "delete"}]}}),
        ),
        strategic(
            "duplicate container ports merge into the first",
            pod(),
            json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 53, "name": "dns"}]}]}}),
        ),
        strategic(
            "owner references merge by uid and host aliases by ip",
            pod(),
            json!({
                "metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs2", "uid": "u2"}]},
                "spec": {"hostAliases": [{"ip": "10.0.0.2", "hostnames": ["b", "c"]}]}
            }),
        ),
        strategic(
            "a new keyed list is added with nulls dropped",
            pod(),
            json!({"spec": {"topologySpreadConstraints": [{"topologyKey": "zone", "maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": null}]}}),
        ),
        strategic(
            "config map data merges",
            config_map(),
            json!({"data": {"a": null, "c": "3"}}),
        ),
        strategic(
            "role rules are replaced",
            role(),
            json!({"rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]}),
        ),
        strategic(
            "a field changing type is replaced",
            deployment(),
            app_patch(json!({"resources": "none", "args": {"a": 1, "b": null}})),
        ),
        strategic(
            "a patch element without merge key fails",
            deployment(),
            pod_spec_patch(json!({"containers": [{"image": "x"}]})),
        ),
        strategic(
            "an unknown $patch directive fails",
            deployment(),
            json!({"spec": {"strategy": {"$patch": "explode"}}}),
        ),
        strategic(
            "a $setElementOrder that contradicts the patch fails",
            deployment(),
            pod_spec_patch(
                json!({"$setElementOrder/containers": [{"name": "app"}], "containers": [{"name": "sidecar", "image": "x"}]}),
            ),
        ),
        strategic(
            "a $retainKeys that misses a patched field fails",
            deployment(),
            json!({"spec": {"strategy": {"$retainKeys": ["rollingUpdate"], "type": "Recreate"}}}),
        ),
        Case {
            name: "json6902 add, replace and remove",
            base: deployment(),
            patch: Patch::Json(json!([
                {"op": "add", "path": "/metadata/annotations", "value": {"a": "1"}},
                {"op": "replace", "path": "/spec/replicas", "value": 5},
                {"op": "remove", "path": "/spec/template/spec/containers/1"},
                {"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--debug"},
                {"op": "add", "path": "/spec/template/spec/containers/0/env/0", "value": {"name": "FIRST", "value": "0"}}
            ])),
        },
        Case {
            name: "json6902 move, copy and test",
            base: deployment(),
            patch: Patch::Json(json!([
                {"op": "test", "path": "/spec/replicas", "value": 2},
                {"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"},
                {"op": "move", "from": "/spec/template/spec/containers/2", "path": "/spec/template/spec/containers/0"},
                {"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "logger"}
            ])),
        },
        Case {
            name: "json6902 escaped pointer",
            base: config_map(),
            patch: Patch::Json(json!([
                {"op": "add", "path": "/metadata/annotations", "value": {}},
                {"op": "add", "path": "/metadata/annotations/example.com~1owner", "value": "team~a"}
            ])),
        },
        Case {
            name: "json6902 with kubectl's leniencies",
            base: deployment(),
            patch: Patch::Json(json!([
                {"op": "replace", "path": "/spec/paused", "value": true},
                {"op": "remove", "path": "/spec/template/spec/containers/-1"},
                {"op": "add", "path": "/spec/template/spec/containers/0/args/-1", "value": "--last"},
                {"op": "add", "path": "/metadata/annotations"},
                {"op": "test", "path": "/spec/missing", "value": null},
                {"op": "replace", "path": "/spec/template/spec/containers/01/image", "value": "proxy:9"}
            ])),
        },
        Case {
            name: "json6902 failed test fails",
            base: deployment(),
            patch: Patch::Json(json!([{"op": "test", "path": "/spec/replicas", "value": 3}])),
        },
        Case {
            name: "json6902 removing a missing path fails",
            base: deployment(),
            patch: Patch::Json(json!([{"op": "remove", "path": "/spec/nothing"}])),
        },
        Case {
            name: "custom resource lists are replaced as in a merge patch",
            base: widget(),
            patch: Patch::Merge(json!({
                "metadata": {"finalizers": ["f2"]},
                "spec": {"items": [{"name": "b", "size": 3, "color": null}], "settings": {"a": null, "b": {"d": 3}, "e": {"f": null, "g": 1}}}
            })),
        },
        Case {
            name: "custom resource keeps null list elements",
            base: widget(),
            patch: Patch::Merge(json!({"spec": {"items": [null, {"a": [null, {"b": null}]}]}})),
        },
    ]
}

fn ferry(case: &Case) -> Result<Value, String> {
    let result = match &case.patch {
        Patch::Strategic(patch) | Patch::Merge(patch) => {
            strategic_merge(&case.base, patch, &gvk_of(&case.base))
        }
        Patch::Json(operations) => json6902(&case.base, operations),
    };
    result.map_err(|error| error.to_string())
}

fn kubectl_result(kubectl: &Kubectl, index: usize, case: &Case) -> Result<Value, String> {
    let name = format!("base-{index}");
    match &case.patch {
        Patch::Strategic(patch) => kubectl.patch(&name, &case.base, "strategic", patch),
        Patch::Json(operations) => kubectl.patch(&name, &case.base, "json", operations),
        Patch::Merge(patch) => kubectl.patch(&name, &case.base, "merge", patch),
    }
}

#[test]
fn ferry_patches_like_kubectl() {
    let Some(kubectl) = Kubectl::find_or_skip() else {
        return;
    };
    let cases = cases();
    assert!(cases.len() >= 25, "the oracle table has too few cases");
    let mut mismatches = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let expected = kubectl_result(&kubectl, index, case);
        let actual = ferry(case);
        let meant_to_fail = case.name.ends_with(" fails");
        match (&expected, &actual) {
            (Ok(expected), Ok(actual)) if expected == actual && !meant_to_fail => {}
            (Err(_), Err(_)) if meant_to_fail => {}
            _ => mismatches.push(format!(
                "{}:\n  kubectl: {}\n  ferry:   {}",
                case.name,
                support::describe(&expected),
                support::describe(&actual)
            )),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from kubectl (cases named \"… fails\" must fail in both):\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
