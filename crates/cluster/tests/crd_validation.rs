//! Custom resources validated against their CRD's `openAPIV3Schema` through every write verb
//! (create, update, merge patch, server-side apply), in-process over HTTP.

mod common;

use common::Cluster;
use serde_json::{Value, json};

const WIDGETS: &str = "/apis/conformance.example.com/v1/namespaces/conformance/widgets";
const GADGETS: &str = "/apis/conformance.example.com/v1alpha1/gadgets";

async fn cluster() -> Cluster {
    let cluster = Cluster::new();
    cluster.namespace("conformance").await;
    cluster.conformance_crds().await;
    cluster
}

fn widget(spec: Value) -> Value {
    json!({"apiVersion": "conformance.example.com/v1", "kind": "Widget",
        "metadata": {"name": "sprocket", "namespace": "conformance"}, "spec": spec})
}

fn causes(answer: &Value) -> Vec<(String, String, String)> {
    answer["details"]["causes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|cause| {
            let text = |key: &str| cause[key].as_str().unwrap_or("").to_string();
            (text("reason"), text("message"), text("field"))
        })
        .collect()
}

#[tokio::test]
async fn a_custom_resource_of_the_wrong_type_is_refused_with_a_422_like_the_real_server() {
    let cluster = cluster().await;
    let answer = cluster
        .json(
            "POST",
            WIDGETS,
            "application/json",
            &widget(json!({"size": "three"})),
        )
        .await;
    assert_eq!(answer.code, 422, "{}", answer.text);
    let body = answer.json();
    assert_eq!(
        body,
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Widget.conformance.example.com \"sprocket\" is invalid: spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"",
            "reason": "Invalid",
            "details": {"name": "sprocket", "group": "conformance.example.com", "kind": "Widget",
                "causes": [{"reason": "FieldValueTypeInvalid",
                    "message": "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"",
                    "field": "spec.size"}]},
            "code": 422
        })
    );
    assert_eq!(cluster.get(&format!("{WIDGETS}/sprocket")).await.code, 404);
}

#[tokio::test]
async fn required_fields_enums_and_minimums_are_all_reported_in_one_status() {
    let cluster = cluster().await;
    let answer = cluster
        .json(
            "POST",
            WIDGETS,
            "application/json",
            &widget(json!({"color": "pink"})),
        )
        .await;
    assert_eq!(answer.code, 422, "{}", answer.text);
    let body = answer.json();
    assert_eq!(
        body["message"],
        "Widget.conformance.example.com \"sprocket\" is invalid: [spec.color: Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\", spec.size: Required value]"
    );
    assert_eq!(
        causes(&body),
        vec![
            (
                "FieldValueNotSupported".into(),
                "Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\""
                    .into(),
                "spec.color".into()
            ),
            (
                "FieldValueRequired".into(),
                "Required value".into(),
                "spec.size".into()
            ),
        ]
    );
    let answer = cluster
        .json(
            "POST",
            WIDGETS,
            "application/json",
            &widget(json!({"size": 0})),
        )
        .await;
    assert_eq!(
        causes(&answer.json()),
        vec![(
            "FieldValueInvalid".into(),
            "Invalid value: 0: spec.size in body should be greater than or equal to 1".into(),
            "spec.size".into()
        )]
    );
}

#[tokio::test]
async fn updates_patches_and_applies_are_validated_and_leave_the_object_unchanged() {
    let cluster = cluster().await;
    let created = cluster.create(WIDGETS, &widget(json!({"size": 3}))).await;
    let path = format!("{WIDGETS}/sprocket");

    let mut replaced = created.clone();
    replaced["spec"]["size"] = json!(-1);
    let answer = cluster
        .json("PUT", &path, "application/json", &replaced)
        .await;
    assert_eq!(answer.code, 422, "{}", answer.text);

    let answer = cluster
        .json(
            "PATCH",
            &path,
            "application/merge-patch+json",
            &json!({"spec": {"color": "purple"}}),
        )
        .await;
    assert_eq!(answer.code, 422, "{}", answer.text);
    assert_eq!(causes(&answer.json())[0].2, "spec.color");

    let apply = "apiVersion: conformance.example.com/v1\nkind: Widget\nmetadata:\n  name: sprocket\n  namespace: conformance\nspec:\n  size: 3\n  tags: [1]\n";
    let answer = cluster
        .send(
            "PATCH",
            &format!("{path}?fieldManager=ferry"),
            Some("application/apply-patch+yaml"),
            Some("application/json"),
            apply.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(answer.code, 422, "{}", answer.text);
    assert_eq!(
        causes(&answer.json()),
        vec![(
            "FieldValueTypeInvalid".into(),
            "Invalid value: \"integer\": spec.tags[0] in body must be of type string: \"integer\""
                .into(),
            "spec.tags[0]".into()
        )]
    );

    let stored = cluster.get(&path).await.json();
    assert_eq!(stored["spec"], json!({"size": 3, "color": "green"}));
    assert_eq!(
        stored["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
}

#[tokio::test]
async fn preserved_fields_take_anything_and_list_map_keys_must_be_unique() {
    let cluster = cluster().await;
    let gadget = |ports: Value| {
        json!({"apiVersion": "conformance.example.com/v1alpha1", "kind": "Gadget",
            "metadata": {"name": "gizmo"},
            "spec": {"ports": ports, "extra": {"anything": {"goes": [1, "two", null]}}}})
    };
    let answer = cluster
        .json(
            "POST",
            GADGETS,
            "application/json",
            &gadget(json!([{"name": "http", "port": 80}, {"name": "http", "port": 81}])),
        )
        .await;
    assert_eq!(answer.code, 422, "{}", answer.text);
    assert_eq!(
        causes(&answer.json()),
        vec![(
            "FieldValueDuplicate".into(),
            "Duplicate value: map[string]interface {}{\"name\":\"http\"}".into(),
            "spec.ports[1]".into()
        )]
    );
    let created = cluster
        .create(GADGETS, &gadget(json!([{"name": "http", "port": 80}])))
        .await;
    assert_eq!(
        created["spec"]["extra"],
        json!({"anything": {"goes": [1, "two", null]}})
    );
}

#[tokio::test]
async fn unknown_fields_of_a_custom_resource_fail_under_strict_and_warn_by_default() {
    let cluster = cluster().await;
    let body = widget(json!({"size": 2, "bogus": true}));
    let answer = cluster
        .json(
            "POST",
            &format!("{WIDGETS}?fieldValidation=Strict"),
            "application/json",
            &body,
        )
        .await;
    assert_eq!(answer.code, 400, "{}", answer.text);
    assert_eq!(
        answer.json()["message"],
        "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.bogus\""
    );
    let answer = cluster
        .json("POST", WIDGETS, "application/json", &body)
        .await;
    assert_eq!(answer.code, 201, "{}", answer.text);
    assert_eq!(
        answer.warnings,
        vec!["299 - \"unknown field \\\"spec.bogus\\\"\"".to_string()]
    );
    assert_eq!(answer.json()["spec"], json!({"size": 2, "color": "green"}));
}
