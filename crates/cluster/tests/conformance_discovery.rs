//! Compares every discovery document with `discovery/*.json`. The real server serves more groups
//! and resources than this slice (authentication, storage, pods/exec, ...): each document must
//! match the fixture for every group, version, resource and subresource we serve, in the same
//! order; what we do not serve is counted and reported.

mod common;

use common::{Cluster, Tally, fixture};
use serde_json::Value;

/// Keeps the entries of `expected` whose `key` we serve too, in their order.
fn served_subset(
    expected: &[Value],
    actual: &[Value],
    key: &dyn Fn(&Value) -> Value,
) -> (Vec<Value>, usize) {
    let ours: Vec<Value> = actual.iter().map(key).collect();
    let kept: Vec<Value> = expected
        .iter()
        .filter(|item| ours.contains(&key(item)))
        .cloned()
        .collect();
    let skipped = expected.len() - kept.len();
    (kept, skipped)
}

fn compare_resource_list(expected: &Value, actual: &Value) -> (Value, usize) {
    let name = |item: &Value| item["name"].clone();
    let (kept, skipped) = served_subset(
        expected["resources"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        actual["resources"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        &name,
    );
    let mut trimmed = expected.clone();
    trimmed["resources"] = Value::Array(kept);
    (trimmed, skipped)
}

fn compare_group_list(expected: &Value, actual: &Value, field: &str) -> (Value, usize) {
    let name = |item: &Value| item["name"].clone();
    let ours = actual[field].as_array().cloned().unwrap_or_default();
    let (mut kept, skipped) = served_subset(
        expected[field]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        &ours,
        &name,
    );
    for group in &mut kept {
        let our_group = ours
            .iter()
            .find(|candidate| candidate["name"] == group["name"])
            .cloned()
            .unwrap_or_default();
        let versions: Vec<Value> = group["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|version| {
                our_group["versions"]
                    .as_array()
                    .is_some_and(|ours| ours.contains(version))
            })
            .cloned()
            .collect();
        group["versions"] = Value::Array(versions);
    }
    let mut trimmed = expected.clone();
    trimmed[field] = Value::Array(kept);
    (trimmed, skipped)
}

fn compare_aggregated(expected: &Value, actual: &Value) -> (Value, usize) {
    let group_name = |item: &Value| item["metadata"]["name"].clone();
    let ours = actual["items"].as_array().cloned().unwrap_or_default();
    let (mut kept, mut skipped) = served_subset(
        expected["items"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        &ours,
        &group_name,
    );
    for group in &mut kept {
        let our_group = ours
            .iter()
            .find(|candidate| group_name(candidate) == group_name(group))
            .cloned()
            .unwrap_or_default();
        let our_versions = our_group["versions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut versions = Vec::new();
        for version in group["versions"].as_array().cloned().unwrap_or_default() {
            let Some(our_version) = our_versions
                .iter()
                .find(|candidate| candidate["version"] == version["version"])
            else {
                skipped += 1;
                continue;
            };
            let resource = |item: &Value| item["resource"].clone();
            let ours = our_version["resources"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let (mut resources, missing) = served_subset(
                version["resources"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                &ours,
                &resource,
            );
            skipped += missing;
            for entry in &mut resources {
                let our_entry = ours
                    .iter()
                    .find(|candidate| candidate["resource"] == entry["resource"])
                    .cloned()
                    .unwrap_or_default();
                if let Some(subresources) = entry["subresources"].as_array().cloned() {
                    let our_subresources = our_entry["subresources"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    let kept: Vec<Value> = subresources
                        .into_iter()
                        .filter(|sub| {
                            our_subresources
                                .iter()
                                .any(|ours| ours["subresource"] == sub["subresource"])
                        })
                        .collect();
                    skipped += entry["subresources"].as_array().map_or(0, Vec::len) - kept.len();
                    if kept.is_empty() {
                        if let Some(map) = entry.as_object_mut() {
                            map.remove("subresources");
                        }
                    } else {
                        entry["subresources"] = Value::Array(kept);
                    }
                }
            }
            let mut version = version.clone();
            version["resources"] = Value::Array(resources);
            versions.push(version);
        }
        group["versions"] = Value::Array(versions);
    }
    let mut trimmed = expected.clone();
    trimmed["items"] = Value::Array(kept);
    (trimmed, skipped)
}

#[tokio::test]
async fn discovery_documents_match_the_recorded_ones_for_everything_served() {
    let cluster = Cluster::new();
    cluster.conformance_crds().await;
    let mut tally = Tally::default();
    let mut not_served = 0;
    for entry in fixture("discovery/index.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let path = entry["path"].as_str().unwrap_or("");
        let accept = entry["accept"].as_str();
        if path.starts_with("/openapi") {
            continue;
        }
        let answer = cluster.send("GET", path, None, accept, Vec::new()).await;
        let case = format!("{path} [{}]", accept.unwrap_or(""));
        let expected_code = entry["code"].as_u64().unwrap_or(0);
        let expected_type = entry["responseHeaders"]["content-type"]
            .as_str()
            .unwrap_or("");
        if u64::from(answer.code) != expected_code || answer.content_type != expected_type {
            tally.check(
                &case,
                false,
                format!(
                    "{} {} instead of {expected_code} {expected_type}",
                    answer.code, answer.content_type
                ),
            );
            continue;
        }
        let Some(file) = entry["file"].as_str() else {
            tally.check(
                &case,
                answer.json()["kind"] == entry["bodyKind"],
                answer.text.clone(),
            );
            continue;
        };
        let expected = fixture(&format!("discovery/{file}"));
        let actual = answer.json();
        let (expected, actual, skipped) = match file {
            "version.json" => {
                let keys = |value: &Value| -> Vec<String> {
                    value
                        .as_object()
                        .map(|map| map.keys().cloned().collect())
                        .unwrap_or_default()
                };
                let same_level = [
                    "major",
                    "minor",
                    "emulationMajor",
                    "emulationMinor",
                    "minCompatibilityMajor",
                    "minCompatibilityMinor",
                ]
                .iter()
                .all(|key| expected[key] == actual[key]);
                tally.check(
                    &case,
                    keys(&expected) == keys(&actual) && same_level,
                    answer.text.clone(),
                );
                continue;
            }
            "api.json" => {
                let mut actual = actual.clone();
                actual["serverAddressByClientCIDRs"][0]["serverAddress"] =
                    Value::String("<server>".into());
                (expected, actual, 0)
            }
            "apis.json" => {
                let (trimmed, skipped) = compare_group_list(&expected, &actual, "groups");
                (trimmed, actual, skipped)
            }
            "aggregated_api.json"
            | "aggregated_apis.json"
            | "aggregated_api_kubectl-accept.json" => {
                let (trimmed, skipped) = compare_aggregated(&expected, &actual);
                (trimmed, actual, skipped)
            }
            _ if expected["kind"] == "APIResourceList" => {
                let (trimmed, skipped) = compare_resource_list(&expected, &actual);
                (trimmed, actual, skipped)
            }
            _ => (expected, actual, 0),
        };
        not_served += skipped;
        tally.compare(&case, &expected, &actual);
    }
    println!(
        "discovery: {not_served} recorded groups, versions, resources or subresources are not served by this slice"
    );
    tally.finish("discovery");
}
