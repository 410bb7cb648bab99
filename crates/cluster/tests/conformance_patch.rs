//! Replays `patch/*`: each case creates its Deployment from the recorded baseline (by manager
//! `recorder`), sends the recorded PATCH and compares the answer (and the stored object where
//! recorded), managedFields included.

mod common;

use common::{Cluster, Tally, as_new, fixture, normalise};
use serde_json::Value;

async fn run(patch_types: &[&str]) -> Tally {
    let cluster = Cluster::new();
    cluster.namespace("conformance").await;
    let mut tally = Tally::default();
    for entry in fixture("patch/index.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let case = entry["case"].as_str().unwrap_or("");
        if !patch_types.contains(&entry["patchType"].as_str().unwrap_or("")) {
            continue;
        }
        let baseline = fixture(&format!("patch/{case}/baseline.json"));
        cluster
            .create(
                "/apis/apps/v1/namespaces/conformance/deployments?fieldManager=recorder",
                &as_new(&baseline),
            )
            .await;
        let exchange = fixture(&format!("patch/{case}/exchange.json"));
        let answer = cluster.replay(&exchange).await;
        let expected_code = exchange["response"]["code"].as_u64().unwrap_or(0);
        if u64::from(answer.code) != expected_code {
            tally.check(
                case,
                false,
                format!(
                    "code {} instead of {expected_code}: {}",
                    answer.code, answer.text
                ),
            );
            continue;
        }
        tally.compare(
            case,
            &normalise(&exchange["response"]["body"]),
            &normalise(&answer.json()),
        );
        let after = common::fixtures().join(format!("patch/{case}/get-after.json"));
        if after.exists() {
            let recorded = fixture(&format!("patch/{case}/get-after.json"));
            let path = exchange["request"]["path"]
                .as_str()
                .unwrap_or("")
                .split('?')
                .next()
                .unwrap_or("")
                .to_string();
            let answer = cluster.get(&path).await;
            let expected_body = match &recorded["body"] {
                Value::Null => recorded.clone(),
                body => body.clone(),
            };
            tally.compare(
                &format!("{case} (stored)"),
                &normalise(&expected_body),
                &normalise(&answer.json()),
            );
        }
    }
    tally
}

#[tokio::test]
async fn merge_and_json_patches_match_the_recorded_results() {
    run(&["merge", "json"]).await.finish("patch (merge, json)");
}

#[tokio::test]
async fn strategic_merge_patches_match_the_recorded_results() {
    run(&["strategic"]).await.finish("patch (strategic)");
}

#[tokio::test]
async fn server_side_apply_patches_match_the_recorded_results() {
    run(&["apply"]).await.finish("patch (apply)");
}
