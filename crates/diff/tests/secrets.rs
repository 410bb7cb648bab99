//! Secret values never appear in a diff; a changed value still shows as a change.

mod support;

use ferry_diff::{ResourceDiffStatus, compare, unified_diff};
use ferry_types::ObjectKey;
use serde_json::{Value, json};
use support::{fixture, set};

/// Every secret text of these tests, plain and base64-encoded.
const SECRET_TEXTS: [&str; 6] = [
    "not-a-real-password",
    "bm90LWEtcmVhbC1wYXNzd29yZA==",
    "rotated-password",
    "cm90YXRlZC1wYXNzd29yZA==",
    "demo-user",
    "ZGVtby11c2Vy",
];

fn assert_no_secret_text(text: &str) {
    for secret in SECRET_TEXTS {
        assert!(!text.contains(secret), "{secret} leaked in:\n{text}");
    }
}

fn key() -> ObjectKey {
    ObjectKey {
        group: String::new(),
        kind: "Secret".into(),
        namespace: "shop".into(),
        name: "app-credentials".into(),
    }
}

#[test]
fn an_unchanged_secret_is_synced() {
    let live = fixture("secret-live.yaml");
    let comparison = compare(
        Some(&fixture("secret-desired.yaml")),
        Some(&live),
        Some(&live),
        &[],
    )
    .unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::Synced);
}

#[test]
fn a_changed_secret_value_shows_as_different_masks_and_never_as_the_value() {
    let live = fixture("secret-live.yaml");
    let mut desired = fixture("secret-desired.yaml");
    set(
        &mut desired,
        "/stringData/password",
        json!("rotated-password"),
    );
    let mut predicted = live.clone();
    set(
        &mut predicted,
        "/data/password",
        json!("cm90YXRlZC1wYXNzd29yZA=="),
    );
    let comparison = compare(Some(&desired), Some(&predicted), Some(&live), &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::OutOfSync);
    let diff = comparison.diff.unwrap();
    assert_eq!(
        diff,
        "\
--- live Secret/shop/app-credentials
+++ desired Secret/shop/app-credentials
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  password: +++++++1
+  password: +++++++2
   username: +++++++1
 kind: Secret
 metadata:
"
    );
    assert_no_secret_text(&diff);
}

#[test]
fn data_another_manager_wrote_over_string_data_is_drift() {
    let mut live = fixture("secret-live.yaml");
    set(
        &mut live,
        "/data/password",
        json!("cm90YXRlZC1wYXNzd29yZA=="),
    );
    let Some(Value::Array(entries)) = live.pointer_mut("/metadata/managedFields") else {
        unreachable!()
    };
    entries.push(json!({
        "manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1",
        "time": "2026-11-26T10:50:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:password": {}}}
    }));
    let predicted = fixture("secret-live.yaml");
    let comparison = compare(
        Some(&fixture("secret-desired.yaml")),
        Some(&predicted),
        Some(&live),
        &[],
    )
    .unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::OutOfSync);
    let diff = comparison.diff.unwrap();
    assert!(
        diff.contains("-  password: +++++++1\n+  password: +++++++2\n"),
        "{diff}"
    );
    assert_no_secret_text(&diff);
}

#[test]
fn a_missing_secret_shows_its_string_data_masked() {
    let comparison = compare(Some(&fixture("secret-desired.yaml")), None, None, &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::Missing);
    assert_eq!(
        comparison.diff.unwrap(),
        "\
--- live Secret/shop/app-credentials
+++ desired Secret/shop/app-credentials
@@ -0,0 +1,8 @@
+apiVersion: v1
+kind: Secret
+metadata:
+  name: app-credentials
+  namespace: shop
+stringData:
+  password: +++++++1
+  username: +++++++1
"
    );
}

#[test]
fn an_extraneous_secret_shows_its_data_masked() {
    let comparison = compare(None, None, Some(&fixture("secret-live.yaml")), &[]).unwrap();
    assert_eq!(comparison.status, ResourceDiffStatus::Extraneous);
    assert_no_secret_text(&comparison.diff.unwrap());
}

#[test]
fn unified_diff_of_a_secret_never_prints_its_values_not_even_in_the_last_applied_annotation() {
    let mut live = fixture("secret-live.yaml");
    set(
        &mut live,
        "/metadata/annotations",
        json!({"kubectl.kubernetes.io/last-applied-configuration":
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"password\":\"not-a-real-password\",\"username\":\"demo-user\"}}\n"}),
    );
    let mut desired = fixture("secret-desired.yaml");
    set(
        &mut desired,
        "/stringData/password",
        json!("rotated-password"),
    );
    for color in [false, true] {
        let diff = unified_diff(&key(), Some(&live), Some(&desired), color);
        assert!(diff.contains("+++++++"), "{diff}");
        assert_no_secret_text(&diff);
    }
}
