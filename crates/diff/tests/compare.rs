//! `compare` on realistic objects: a Deployment as applied by ferry and defaulted by the
//! server, with the managedFields shapes a real API server records.

mod support;

use ferry_diff::{Comparison, Error, ResourceDiffStatus, compare};
use ferry_types::SyncStatusCode;
use serde_json::{Value, json};
use support::{fixture, rule, set, unset};

fn desired() -> Value {
    fixture("deployment-desired.yaml")
}

fn live() -> Value {
    fixture("deployment-live.yaml")
}

/// What a server-side-apply dry-run of `desired` returns against `live`.
fn predicted_from(live: &Value) -> Value {
    let mut predicted = live.clone();
    set(
        &mut predicted,
        "/metadata/managedFields/0/time",
        json!("2026-11-26T11:00:00Z"),
    );
    predicted
}

fn status(comparison: &Comparison) -> ResourceDiffStatus {
    comparison.status
}

#[test]
fn a_defaulted_field_present_only_in_predicted_and_live_is_not_drift() {
    let live = live();
    let comparison = compare(
        Some(&desired()),
        Some(&predicted_from(&live)),
        Some(&live),
        &[],
    )
    .unwrap();
    assert_eq!(
        comparison,
        Comparison {
            status: ResourceDiffStatus::Synced,
            diff: None
        }
    );
    assert_eq!(comparison.status.sync_status(), SyncStatusCode::Synced);
}

#[test]
fn a_changed_replica_count_is_out_of_sync() {
    let live = live();
    let mut desired = desired();
    set(&mut desired, "/spec/replicas", json!(3));
    let mut predicted = predicted_from(&live);
    set(&mut predicted, "/spec/replicas", json!(3));
    let comparison = compare(Some(&desired), Some(&predicted), Some(&live), &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::OutOfSync);
    assert_eq!(comparison.status.sync_status(), SyncStatusCode::OutOfSync);
    assert_eq!(
        comparison.diff.unwrap(),
        "\
--- live apps/Deployment/shop/web
+++ desired apps/Deployment/shop/web
@@ -7,7 +7,7 @@
   namespace: shop
 spec:
   progressDeadlineSeconds: 600
-  replicas: 2
+  replicas: 3
   revisionHistoryLimit: 10
   selector:
     matchLabels:
"
    );
}

/// The live object after an HPA scaled it to 5 through the scale subresource, when the
/// manifest no longer sets `replicas`.
fn scaled_by_hpa() -> Value {
    let mut live = live();
    set(&mut live, "/spec/replicas", json!(5));
    unset(
        &mut live,
        "/metadata/managedFields/0/fieldsV1/f:spec/f:replicas",
    );
    let Some(Value::Array(entries)) = live.pointer_mut("/metadata/managedFields") else {
        unreachable!()
    };
    entries.push(json!({
        "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-11-26T10:45:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:replicas": {}}}, "subresource": "scale"
    }));
    live
}

#[test]
fn replicas_owned_only_by_an_hpa_and_not_set_in_desired_is_not_drift() {
    let live = scaled_by_hpa();
    let mut desired = desired();
    unset(&mut desired, "/spec/replicas");
    // Even a prediction that falls back to the default does not make this drift.
    let mut predicted = predicted_from(&live);
    set(&mut predicted, "/spec/replicas", json!(1));
    let comparison = compare(Some(&desired), Some(&predicted), Some(&live), &[]).unwrap();
    assert_eq!(
        comparison.status,
        ResourceDiffStatus::Synced,
        "{:?}",
        comparison.diff
    );
}

#[test]
fn replicas_owned_by_an_hpa_but_set_in_desired_is_drift() {
    let live = scaled_by_hpa();
    let mut predicted = predicted_from(&live);
    set(&mut predicted, "/spec/replicas", json!(2));
    let comparison = compare(Some(&desired()), Some(&predicted), Some(&live), &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::OutOfSync);
    assert!(
        comparison
            .diff
            .unwrap()
            .contains("-  replicas: 5\n+  replicas: 2\n")
    );
}

#[test]
fn an_annotation_a_mutating_controller_owns_alone_is_not_drift() {
    let mut live = live();
    set(
        &mut live,
        "/metadata/annotations/sidecar.istio.io~1status",
        json!("{\"version\":\"1\"}"),
    );
    let Some(Value::Array(entries)) = live.pointer_mut("/metadata/managedFields") else {
        unreachable!()
    };
    entries.push(json!({
        "manager": "istio-sidecar-injector", "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-11-26T10:40:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:annotations": {"f:sidecar.istio.io/status": {}}}}
    }));
    let mut predicted = predicted_from(&live);
    unset(
        &mut predicted,
        "/metadata/annotations/sidecar.istio.io~1status",
    );
    let comparison = compare(Some(&desired()), Some(&predicted), Some(&live), &[]).unwrap();
    assert_eq!(
        comparison.status,
        ResourceDiffStatus::Synced,
        "{:?}",
        comparison.diff
    );
}

#[test]
fn a_field_ferry_owns_and_desired_dropped_is_drift() {
    let live = live();
    let mut desired = desired();
    unset(&mut desired, "/metadata/labels/app");
    let mut predicted = predicted_from(&live);
    unset(&mut predicted, "/metadata/labels");
    let comparison = compare(Some(&desired), Some(&predicted), Some(&live), &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::OutOfSync);
    assert!(
        comparison
            .diff
            .unwrap()
            .contains("-  labels:\n-    app: web\n")
    );
}

/// Live with the replica count changed in the cluster (by hand, or by an autoscaler that
/// writes the Deployment with its own field manager), and the prediction putting it back.
fn replicas_changed_in_cluster() -> (Value, Value) {
    let mut live = live();
    set(&mut live, "/spec/replicas", json!(4));
    unset(
        &mut live,
        "/metadata/managedFields/0/fieldsV1/f:spec/f:replicas",
    );
    let Some(Value::Array(entries)) = live.pointer_mut("/metadata/managedFields") else {
        unreachable!()
    };
    entries.push(json!({
        "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-11-26T10:45:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:replicas": {}}}, "subresource": "scale"
    }));
    let predicted = predicted_from(&fixture("deployment-live.yaml"));
    (live, predicted)
}

fn status_with(ignore: &[ferry_types::ResourceIgnoreDifferences]) -> ResourceDiffStatus {
    let (live, predicted) = replicas_changed_in_cluster();
    status(&compare(Some(&desired()), Some(&predicted), Some(&live), ignore).unwrap())
}

#[test]
fn ignore_differences_json_pointer_hides_the_replica_count_only_for_matching_objects() {
    let mut ignore = rule("apps", "Deployment");
    ignore.json_pointers = vec!["/spec/replicas".into()];
    assert_eq!(status_with(&[]), ResourceDiffStatus::OutOfSync);
    assert_eq!(status_with(&[ignore.clone()]), ResourceDiffStatus::Synced);

    let named = |name: &str, namespace: &str| {
        let mut rule = ignore.clone();
        rule.name = name.into();
        rule.namespace = namespace.into();
        rule
    };
    assert_eq!(
        status_with(&[named("web", "shop")]),
        ResourceDiffStatus::Synced
    );
    assert_eq!(
        status_with(&[named("api", "")]),
        ResourceDiffStatus::OutOfSync
    );
    assert_eq!(
        status_with(&[named("", "other")]),
        ResourceDiffStatus::OutOfSync
    );
    let mut other_kind = ignore.clone();
    other_kind.kind = "StatefulSet".into();
    assert_eq!(status_with(&[other_kind]), ResourceDiffStatus::OutOfSync);
    let mut core_group = ignore;
    core_group.group = String::new();
    assert_eq!(status_with(&[core_group]), ResourceDiffStatus::OutOfSync);
}

#[test]
fn ignore_differences_managed_fields_managers_hides_the_managers_fields_only_for_matching_objects()
{
    let mut ignore = rule("apps", "Deployment");
    ignore.managed_fields_managers = vec!["kube-controller-manager".into()];
    assert_eq!(status_with(&[ignore.clone()]), ResourceDiffStatus::Synced);
    let mut other_namespace = ignore.clone();
    other_namespace.namespace = "other".into();
    assert_eq!(
        status_with(&[other_namespace]),
        ResourceDiffStatus::OutOfSync
    );
    let mut other_manager = ignore;
    other_manager.managed_fields_managers = vec!["hpa-controller".into()];
    assert_eq!(status_with(&[other_manager]), ResourceDiffStatus::OutOfSync);
}

#[test]
fn ignore_differences_jq_path_expression_hides_a_selected_container_only_for_matching_objects() {
    let live = live();
    let mut predicted = predicted_from(&live);
    set(
        &mut predicted,
        "/spec/template/spec/containers/1/image",
        json!("registry.example.invalid/shipper:1.0"),
    );
    let mut desired = desired();
    set(
        &mut desired,
        "/spec/template/spec/containers/1/image",
        json!("registry.example.invalid/shipper:1.0"),
    );
    let mut ignore = rule("apps", "Deployment");
    ignore.jq_path_expressions =
        vec![r#".spec.template.spec.containers[] | select(.name == "sidecar")"#.into()];
    let status_with = |ignore: &[ferry_types::ResourceIgnoreDifferences]| {
        compare(Some(&desired), Some(&predicted), Some(&live), ignore)
            .unwrap()
            .status
    };
    assert_eq!(status_with(&[]), ResourceDiffStatus::OutOfSync);
    assert_eq!(status_with(&[ignore.clone()]), ResourceDiffStatus::Synced);
    let mut other_name = ignore.clone();
    other_name.name = "api".into();
    assert_eq!(status_with(&[other_name]), ResourceDiffStatus::OutOfSync);
    let mut other_group = ignore;
    other_group.group = "extensions".into();
    assert_eq!(status_with(&[other_group]), ResourceDiffStatus::OutOfSync);
}

#[test]
fn a_jq_expression_that_fails_on_an_object_ignores_nothing_there() {
    let (live, predicted) = replicas_changed_in_cluster();
    let mut ignore = rule("apps", "Deployment");
    ignore.jq_path_expressions = vec![".spec.volumes[].name".into()];
    let comparison = compare(Some(&desired()), Some(&predicted), Some(&live), &[ignore]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::OutOfSync);
}

#[test]
fn an_object_not_live_is_missing_and_its_diff_adds_it_whole() {
    let desired = desired();
    let comparison = compare(Some(&desired), None, None, &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::Missing);
    assert_eq!(comparison.status.sync_status(), SyncStatusCode::OutOfSync);
    assert_eq!(
        comparison.diff.unwrap(),
        "\
--- live apps/Deployment/shop/web
+++ desired apps/Deployment/shop/web
@@ -0,0 +1,25 @@
+apiVersion: apps/v1
+kind: Deployment
+metadata:
+  labels:
+    app: web
+  name: web
+  namespace: shop
+spec:
+  replicas: 2
+  selector:
+    matchLabels:
+      app: web
+  template:
+    metadata:
+      labels:
+        app: web
+    spec:
+      containers:
+      - image: registry.example.invalid/web:2.1.0
+        name: web
+        ports:
+        - containerPort: 8080
+          name: http
+      - image: registry.example.invalid/shipper:0.9
+        name: sidecar
"
    );
}

#[test]
fn a_tracked_object_no_longer_desired_is_extraneous() {
    let live = live();
    let comparison = compare(None, None, Some(&live), &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::Extraneous);
    let diff = comparison.diff.unwrap();
    assert!(
        diff.starts_with(
            "--- live apps/Deployment/shop/web\n+++ desired apps/Deployment/shop/web\n@@ -1,"
        ),
        "{diff}"
    );
    assert!(
        diff.lines().skip(3).all(|line| line.starts_with('-')),
        "{diff}"
    );
    assert!(
        !diff.contains("managedFields") && !diff.contains("status:"),
        "{diff}"
    );
}

#[test]
fn comparing_nothing_is_an_error() {
    assert!(matches!(
        compare(None, None, None, &[]),
        Err(Error::NothingToCompare)
    ));
}

#[test]
fn a_live_object_without_a_prediction_is_an_error_naming_the_object() {
    let error = compare(Some(&desired()), None, Some(&live()), &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "apps/Deployment/shop/web: desired and live, but no predicted (dry-run) object to compare with"
    );
}

#[test]
fn check_ignore_differences_reports_a_bad_rule_even_if_nothing_matches_it() {
    let mut bad_jq = rule("example.com", "Nothing");
    bad_jq.jq_path_expressions = vec![".spec.containers[] | select(.name ==".into()];
    assert!(matches!(
        ferry_diff::check_ignore_differences(&[bad_jq]),
        Err(Error::InvalidJqExpression { .. })
    ));
    let mut bad_pointer = rule("example.com", "Nothing");
    bad_pointer.json_pointers = vec!["spec".into()];
    assert!(matches!(
        ferry_diff::check_ignore_differences(&[bad_pointer]),
        Err(Error::InvalidJsonPointer { .. })
    ));
    let mut good = rule("apps", "Deployment");
    good.json_pointers = vec!["/spec/replicas".into()];
    good.jq_path_expressions = vec![".spec.template.spec.containers[]?.resources".into()];
    assert!(ferry_diff::check_ignore_differences(&[good]).is_ok());
}
