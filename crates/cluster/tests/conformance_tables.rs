//! Replays `tables/*`: the state of the recording is rebuilt by replaying the `apply/` phase,
//! then the statuses kube-controller-manager wrote are seeded from the recording (this server
//! runs no controllers). Each recorded Table request is sent with its Accept header and compared:
//! the envelope and column definitions exactly, and the cells and row objects of every row whose
//! object the replay rebuilt (ages and durations vary). Rows of objects made by controllers or by
//! other recorded phases (Pods, kube-root-ca.crt, the patch/ Deployments) are counted as not
//! rebuilt.

mod common;

use common::{Cluster, Tally, fixture, normalise};
use serde_json::{Value, json};

async fn replay_apply_phase(cluster: &Cluster) {
    for entry in fixture("apply/index.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let case = entry["case"].as_str().unwrap_or("");
        let exists = |path: &str| {
            common::fixtures()
                .join(format!("apply/{case}/{path}"))
                .exists()
        };
        cluster
            .apply_fixture(&format!("apply/{case}/input.yaml"), "ferry", false)
            .await;
        if exists("reapply-modified/input.yaml") {
            cluster
                .apply_fixture(
                    &format!("apply/{case}/reapply-modified/input.yaml"),
                    "ferry",
                    false,
                )
                .await;
        }
        if exists("conflict/input.yaml") {
            cluster
                .apply_fixture(&format!("apply/{case}/conflict/input.yaml"), "other", true)
                .await;
        }
        if exists("status/exchange.json") {
            cluster
                .replay(&fixture(&format!("apply/{case}/status/exchange.json")))
                .await;
        }
    }
}

/// Writes a status the recorded controllers produced.
async fn seed_status(cluster: &Cluster, path: &str, status: Value) {
    let answer = cluster
        .json(
            "PATCH",
            &format!("{path}/status?fieldManager=kube-controller-manager"),
            "application/merge-patch+json",
            &json!({ "status": status }),
        )
        .await;
    assert_eq!(answer.code, 200, "seeding {path}: {}", answer.text);
}

async fn seed_controller_statuses(cluster: &Cluster) {
    let deployments = "/apis/apps/v1/namespaces/conformance/deployments";
    let include_object = fixture("tables/deployments-include-object.json");
    let minimal = &include_object["response"]["body"]["rows"][0]["object"]["status"];
    seed_status(cluster, &format!("{deployments}/minimal"), minimal.clone()).await;
    let web = fixture("apply/11-deployment-full/conflict/forced-result.json");
    seed_status(
        cluster,
        &format!("{deployments}/web"),
        web["status"].clone(),
    )
    .await;
    let mut worker = fixture("apply/13-deployment-recreate/reapply-modified/result.json");
    // By the time of the tables phase its new ReplicaSet had one updated replica (the recorded
    // Up-to-date cell).
    worker["status"]["updatedReplicas"] = json!(1);
    seed_status(
        cluster,
        &format!("{deployments}/worker"),
        worker["status"].clone(),
    )
    .await;
    let db = fixture("apply/14-statefulset/reapply-modified/result.json");
    seed_status(
        cluster,
        "/apis/apps/v1/namespaces/conformance/statefulsets/db",
        db["status"].clone(),
    )
    .await;
    let job = cluster
        .get("/apis/batch/v1/namespaces/conformance/jobs/db-migrate")
        .await
        .json();
    seed_status(
        cluster,
        "/apis/batch/v1/namespaces/conformance/jobs/db-migrate",
        json!({"startTime": job["metadata"]["creationTimestamp"], "active": 1, "ready": 0, "terminating": 0}),
    )
    .await;
}

/// Cells of columns whose values vary (ages, durations) become a placeholder.
fn scrub_cells(table: &Value, row: &Value) -> Value {
    let names: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|column| column["name"].as_str().unwrap_or(""))
        .collect();
    let cells = row["cells"].as_array().cloned().unwrap_or_default();
    Value::Array(
        cells
            .into_iter()
            .zip(names.iter().chain(std::iter::repeat(&"")))
            .map(|(cell, name)| match *name {
                "Age" | "Created At" | "Duration" if !cell.is_null() => json!("<varies>"),
                _ => match cell.as_str() {
                    // Job selectors carry the Job's uid.
                    Some(text) if text.contains("controller-uid=") => {
                        let prefix = text.split("controller-uid=").next().unwrap_or("");
                        json!(format!("{prefix}controller-uid=<uid>"))
                    }
                    // Allocated cluster IPs and node ports vary (the README).
                    Some(text) if text.starts_with("10.0.0.") => json!("<ip>"),
                    Some(text) if text.contains(':') && text.ends_with("/TCP") => {
                        let ports: Vec<String> = text
                            .split(',')
                            .map(|port| match port.split_once(':') {
                                Some((service, rest))
                                    if rest.len() > 4 && !rest.starts_with("30080") =>
                                {
                                    format!(
                                        "{service}:<node-port>/{}",
                                        rest.rsplit('/').next().unwrap_or("")
                                    )
                                }
                                _ => port.to_string(),
                            })
                            .collect();
                        json!(ports.join(","))
                    }
                    _ => cell,
                },
            })
            .collect(),
    )
}

fn row_name(row: &Value) -> String {
    row["cells"][0].as_str().unwrap_or("").to_string()
}

/// The row object with what this server does not produce left out (controller-written state).
fn scrub_object(object: &Value) -> Value {
    let mut object = normalise(object);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(Value::Array(entries)) = metadata.get_mut("managedFields") {
            entries.retain(|entry| entry["manager"] != "kube-controller-manager");
        }
        if let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
            annotations.remove("deployment.kubernetes.io/revision");
            if annotations.is_empty() {
                metadata.remove("annotations");
            }
        }
        for varying in ["resourceVersion", "generation"] {
            metadata.remove(varying);
        }
    }
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    object
}

#[tokio::test]
async fn tables_and_partial_metadata_match_the_recorded_ones() {
    let cluster = Cluster::new();
    replay_apply_phase(&cluster).await;
    seed_controller_statuses(&cluster).await;
    let mut tally = Tally::default();
    let mut not_rebuilt = Vec::new();
    for entry in fixture("tables/index.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let file = entry["file"].as_str().unwrap_or("");
        let exchange = fixture(&format!("tables/{file}"));
        let answer = cluster.replay(&exchange).await;
        let recorded = &exchange["response"]["body"];
        if answer.code != 200 || answer.content_type != "application/json" {
            tally.check(
                file,
                false,
                format!("{} {}: {}", answer.code, answer.content_type, answer.text),
            );
            continue;
        }
        let ours = answer.json();
        let envelope = |body: &Value| {
            let mut keys: Vec<String> = body
                .as_object()
                .map(|map| map.keys().cloned().collect())
                .unwrap_or_default();
            keys.sort();
            let mut metadata: Vec<String> = body["metadata"]
                .as_object()
                .map(|map| map.keys().cloned().collect())
                .unwrap_or_default();
            metadata.sort();
            json!({"kind": body["kind"], "apiVersion": body["apiVersion"], "keys": keys, "metadata": metadata})
        };
        tally.compare(
            &format!("{file} envelope"),
            &envelope(recorded),
            &envelope(&ours),
        );
        if recorded["kind"] == "Table" {
            tally.compare(
                &format!("{file} columns"),
                &recorded["columnDefinitions"],
                &ours["columnDefinitions"],
            );
            let ours_rows = ours["rows"].as_array().cloned().unwrap_or_default();
            for row in recorded["rows"].as_array().into_iter().flatten() {
                let name = row_name(row);
                let Some(our_row) = ours_rows
                    .iter()
                    .find(|candidate| row_name(candidate) == name)
                else {
                    not_rebuilt.push(format!("{file}: {name}"));
                    continue;
                };
                tally.compare(
                    &format!("{file} row {name}"),
                    &scrub_cells(recorded, row),
                    &scrub_cells(&ours, our_row),
                );
                tally.compare(
                    &format!("{file} row {name} object"),
                    &scrub_object(&row["object"]),
                    &scrub_object(&our_row["object"]),
                );
            }
        } else {
            let items = |body: &Value| -> Vec<Value> {
                match body["items"].as_array() {
                    Some(items) => items.clone(),
                    None => vec![body.clone()],
                }
            };
            let ours_items = items(&ours);
            for item in items(recorded) {
                let name = item["metadata"]["name"].as_str().unwrap_or("").to_string();
                match ours_items
                    .iter()
                    .find(|candidate| candidate["metadata"]["name"] == name.as_str())
                {
                    Some(our_item) => tally.compare(
                        &format!("{file} {name}"),
                        &scrub_object(&item),
                        &scrub_object(our_item),
                    ),
                    None => not_rebuilt.push(format!("{file}: {name}")),
                }
            }
        }
    }
    println!(
        "tables: {} recorded rows not rebuilt (made by controllers or other phases): {}",
        not_rebuilt.len(),
        not_rebuilt.join(", ")
    );
    tally.finish("tables");
}
