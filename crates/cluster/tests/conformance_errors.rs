//! Replays `errors/*.json` (and `misc/*.json`) against the in-process router and compares the
//! answers with the recorded ones as JSON values, after normalising the varying fields.

mod common;

use common::{Cluster, Tally, fixture, fixture_yaml, normalise, scrub_generated_name};
use serde_json::{Value, json};

fn expected_body(exchange: &Value) -> Value {
    let response = &exchange["response"];
    match &response["body"] {
        Value::Null => response["bodyText"].clone(),
        body => normalise(body),
    }
}

fn actual_body(exchange: &Value, answer: &common::Answer) -> Value {
    match &exchange["response"]["body"] {
        Value::Null => Value::String(answer.text.clone()),
        _ => normalise(&answer.json()),
    }
}

fn record(tally: &mut Tally, case: &str, exchange: &Value, answer: &common::Answer) {
    let expected_code = exchange["response"]["code"].as_u64().unwrap_or(0);
    let expected_type = exchange["response"]["headers"]["content-type"]
        .as_str()
        .unwrap_or("");
    if u64::from(answer.code) != expected_code || answer.content_type != expected_type {
        tally.check(
            case,
            false,
            format!(
                "code {} ({}) instead of {expected_code} ({expected_type}): {}",
                answer.code, answer.content_type, answer.text
            ),
        );
        return;
    }
    let expected_warnings: Vec<String> = match &exchange["response"]["headers"]["warning"] {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Value::String(text) => vec![text.clone()],
        _ => Vec::new(),
    };
    if expected_warnings != answer.warnings {
        tally.check(
            case,
            false,
            format!(
                "warnings {:?} instead of {expected_warnings:?}",
                answer.warnings
            ),
        );
        return;
    }
    tally.compare(
        case,
        &expected_body(exchange),
        &actual_body(exchange, answer),
    );
}

async fn setup(cluster: &Cluster) {
    cluster.namespace("conformance").await;
    cluster.conformance_crds().await;
    cluster
        .create(
            "/api/v1/namespaces/conformance/configmaps",
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "err-target"}, "data": {"key": "value"}}),
        )
        .await;
    let mut web = fixture_yaml("apply/11-deployment-full/input.yaml");
    if let Some(metadata) = web["metadata"].as_object_mut() {
        metadata.remove("namespace");
    }
    cluster
        .create("/apis/apps/v1/namespaces/conformance/deployments", &web)
        .await;
    let widget = fixture_yaml("apply/29-cr-with-status/input.yaml");
    cluster
        .create(
            "/apis/conformance.example.com/v1/namespaces/conformance/widgets",
            &widget,
        )
        .await;
}

#[tokio::test]
async fn error_status_bodies_match_the_recorded_ones() {
    let cluster = Cluster::new();
    setup(&cluster).await;
    let mut tally = Tally::default();
    let index = fixture("errors/index.json");
    for entry in index.as_array().into_iter().flatten() {
        let case = entry["case"].as_str().unwrap_or("");
        if !common::fixtures()
            .join(format!("errors/{case}.json"))
            .exists()
        {
            continue;
        }
        let mut exchange = fixture(&format!("errors/{case}.json"));
        if exchange.get("request").is_none() {
            continue;
        }
        match case {
            "04-update-stale-resourceversion" => {
                let current = cluster
                    .get("/api/v1/namespaces/conformance/configmaps/err-target")
                    .await
                    .json();
                let mut updated = current.clone();
                updated["metadata"]["labels"] = json!({"updated": "once"});
                let put = cluster
                    .json(
                        "PUT",
                        "/api/v1/namespaces/conformance/configmaps/err-target",
                        "application/json",
                        &updated,
                    )
                    .await;
                assert_eq!(put.code, 200, "{}", put.text);
                exchange["request"]["body"]["metadata"]["resourceVersion"] =
                    current["metadata"]["resourceVersion"].clone();
            }
            "22-duplicate-field-strict" => {
                exchange["request"]["bodyText"] = json!(
                    r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "err-target-dup", "name": "err-target-dup2"}}"#
                );
                exchange["request"]["body"] = Value::Null;
            }
            "42-delete-namespace" => {
                cluster.namespace("doomed").await;
                cluster
                    .create(
                        "/api/v1/namespaces/doomed/configmaps",
                        &json!({"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "held", "finalizers": ["example.com/hold"]}, "data": {"k": "v"}}),
                    )
                    .await;
            }
            _ => {}
        }
        let answer = cluster.replay(&exchange).await;
        record(&mut tally, case, &exchange, &answer);
    }
    let held = fixture("errors/45-finalizer-held-object.json");
    let answer = cluster
        .get("/api/v1/namespaces/doomed/configmaps/held")
        .await;
    tally.compare(
        "45-finalizer-held-object",
        &normalise(&held),
        &normalise(&answer.json()),
    );
    tally.finish("errors");
}

#[tokio::test]
async fn misc_exchanges_match_the_recorded_ones() {
    let cluster = Cluster::new();
    setup(&cluster).await;
    let mut tally = Tally::default();
    let index = fixture("misc/index.json");
    for entry in index.as_array().into_iter().flatten() {
        let case = entry["case"].as_str().unwrap_or("");
        let exchange = fixture(&format!("misc/{case}.json"));
        match case {
            "05-delete-object-with-finalizer" => {
                cluster
                    .create(
                        "/api/v1/namespaces/conformance/configmaps",
                        &json!({"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "err-target-fin", "finalizers": ["example.com/keep"]}, "data": {"key": "value"}}),
                    )
                    .await;
            }
            "08-delete-collection" => {
                for index in 0..3 {
                    cluster
                        .create(
                            "/api/v1/namespaces/conformance/configmaps",
                            &json!({"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": format!("err-target-bulk-{index}"), "labels": {"bulk": "yes"}},
                                    "data": {"key": "value"}}),
                        )
                        .await;
                }
            }
            "09-delete-foreground-propagation" => {
                let baseline = fixture("patch/01-merge-replicas-labels/baseline.json");
                cluster
                    .create(
                        "/apis/apps/v1/namespaces/conformance/deployments?fieldManager=recorder",
                        &common::as_new(&baseline),
                    )
                    .await;
                let patch = json!({"metadata": {"labels": {"release": "r2", "tier": null}}, "spec": {"replicas": 3}});
                let answer = cluster
                    .json(
                        "PATCH",
                        "/apis/apps/v1/namespaces/conformance/deployments/pm-labels",
                        "application/merge-patch+json",
                        &patch,
                    )
                    .await;
                assert_eq!(answer.code, 200, "{}", answer.text);
                // What the deployment controller (a later slice) wrote.
                let controller = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "1"}}});
                let answer = cluster
                    .json(
                        "PATCH",
                        "/apis/apps/v1/namespaces/conformance/deployments/pm-labels/status?fieldManager=kube-controller-manager",
                        "application/merge-patch+json",
                        &controller,
                    )
                    .await;
                assert_eq!(answer.code, 200, "{}", answer.text);
            }
            "10-get-single-as-yaml" => {
                let answer = cluster.replay(&exchange).await;
                let ours: Value =
                    ferry_yaml::parse_single("ours", answer.text.as_bytes()).unwrap_or(Value::Null);
                let ok = answer.code == 200
                    && answer.content_type == "application/yaml"
                    && ours["kind"] == "Namespace"
                    && ours["metadata"]["name"] == "conformance"
                    && ours["status"]["phase"] == "Active";
                tally.check(
                    case,
                    ok,
                    format!("{} {}: {}", answer.code, answer.content_type, answer.text),
                );
                continue;
            }
            _ => {}
        }
        let mut answer = cluster.replay(&exchange).await;
        let mut exchange = exchange;
        if case == "01-create-generate-name" {
            let mut body = answer.json();
            scrub_generated_name(&mut body);
            scrub_generated_name(&mut exchange["response"]["body"]);
            answer.text = body.to_string();
        }
        if case == "09-delete-foreground-propagation" {
            // The recorded status was written by the deployment controller (a later slice).
            exchange["response"]["body"]["status"] = json!({});
            let mut body = answer.json();
            for object in [&mut exchange["response"]["body"], &mut body] {
                if let Some(Value::Array(entries)) = object.pointer_mut("/metadata/managedFields") {
                    entries.retain(|entry| entry["manager"] != "kube-controller-manager");
                }
            }
            answer.text = body.to_string();
        }
        record(&mut tally, case, &exchange, &answer);
    }
    tally.finish("misc");
}
