//! Watch streams and list pages against `watch/*`: events from a list resourceVersion with a
//! closing BOOKMARK, initial ADDED events (resourceVersion 0, none, `sendInitialEvents` with the
//! initial-events-end BOOKMARK), field and label selectors, 410 Expired as an ERROR event after a
//! restart, option errors, an exact old list, and `limit`/`continue` pages. The recorded
//! `kube-root-ca.crt` and `openshift-service-ca.crt` ConfigMaps come from controllers; they are
//! created here from the recordings so whole streams can be compared.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use common::{Cluster, Tally, fixture, normalise};
use ferry_cluster::{ClusterState, Limits, router};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const CONFIG_MAPS: &str = "/api/v1/namespaces/watch-demo/configmaps";

fn recorded_lines(file: &str) -> Vec<Value> {
    let text =
        std::fs::read_to_string(common::fixtures().join(format!("watch/{file}"))).expect("ndjson");
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

async fn watch(state: Arc<ClusterState>, path: String) -> tokio::task::JoinHandle<Vec<Value>> {
    let request = Request::builder()
        .uri(path)
        .body(Body::empty())
        .expect("request");
    let response = router(state).oneshot(request).await.expect("infallible");
    tokio::spawn(async move {
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    })
}

/// Events with varying fields normalised; the scrubbed CA text is trimmed (the recordings scrub
/// it with and without its trailing newline).
fn events(lines: &[Value]) -> Value {
    Value::Array(
        lines
            .iter()
            .map(|line| {
                let mut object = normalise(&line["object"]);
                if let Some(ca) = object.pointer_mut("/data/ca.crt") {
                    *ca = json!(ca.as_str().unwrap_or("").trim());
                }
                json!({"type": line["type"], "object": object})
            })
            .collect(),
    )
}

async fn cluster_with_demo_namespace() -> Cluster {
    let cluster = Cluster::new();
    cluster.namespace("watch-demo").await;
    for line in recorded_lines("02-watch-rv-zero.ndjson") {
        cluster.create_recorded(CONFIG_MAPS, &line["object"]).await;
    }
    cluster
}

fn config_map(name: &str, labels: Value, data: Value) -> Value {
    let mut object =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data});
    if !labels.is_null() {
        object["metadata"]["labels"] = labels;
    }
    object
}

#[tokio::test]
async fn a_watch_from_a_list_version_sees_every_change_then_a_bookmark() {
    let cluster = cluster_with_demo_namespace().await;
    let version = cluster.get(CONFIG_MAPS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let stream = watch(
        cluster.state.clone(),
        format!("{CONFIG_MAPS}?watch=1&resourceVersion={version}&allowWatchBookmarks=true&timeoutSeconds=1"),
    )
    .await;
    cluster
        .create(
            CONFIG_MAPS,
            &config_map("watched", Value::Null, json!({"k": "one"})),
        )
        .await;
    let merged = cluster
        .json(
            "PATCH",
            &format!("{CONFIG_MAPS}/watched"),
            "application/merge-patch+json",
            &json!({"data": {"k2": "two"}}),
        )
        .await
        .json();
    let mut replaced = merged.clone();
    replaced["data"] = json!({"k": "three"});
    assert_eq!(
        cluster
            .json(
                "PUT",
                &format!("{CONFIG_MAPS}/watched"),
                "application/json",
                &replaced
            )
            .await
            .code,
        200
    );
    cluster
        .create(
            CONFIG_MAPS,
            &config_map("bystander", json!({"role": "temp"}), json!({"x": "one"})),
        )
        .await;
    assert_eq!(
        cluster
            .send(
                "DELETE",
                &format!("{CONFIG_MAPS}/watched"),
                None,
                None,
                Vec::new()
            )
            .await
            .code,
        200
    );
    assert_eq!(
        cluster
            .send(
                "DELETE",
                &format!("{CONFIG_MAPS}/bystander"),
                None,
                None,
                Vec::new()
            )
            .await
            .code,
        200
    );
    let lines = stream.await.expect("stream");
    let mut tally = Tally::default();
    tally.compare(
        "01-watch-from-list-rv",
        &events(&recorded_lines("01-watch-from-list-rv.ndjson")),
        &events(&lines),
    );
    let last_event = lines
        .iter()
        .rev()
        .nth(1)
        .map(|line| line["object"]["metadata"]["resourceVersion"].clone());
    tally.check(
        "01 bookmark carries the last resourceVersion",
        lines
            .last()
            .map(|line| line["object"]["metadata"]["resourceVersion"].clone())
            == last_event,
        "",
    );
    tally.finish("watch 01");
}

#[tokio::test]
async fn watches_without_a_version_or_with_initial_events_start_from_the_current_state() {
    let cluster = cluster_with_demo_namespace().await;
    let mut tally = Tally::default();
    for (case, query) in [
        (
            "02-watch-rv-zero",
            "watch=1&resourceVersion=0&timeoutSeconds=1",
        ),
        ("03-watch-no-rv", "watch=true&timeoutSeconds=1"),
        (
            "04-send-initial-events",
            "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
        ),
    ] {
        let lines = watch(cluster.state.clone(), format!("{CONFIG_MAPS}?{query}"))
            .await
            .await
            .expect("stream");
        let recorded = recorded_lines(&format!("{case}.ndjson"));
        let mut expected = events(&recorded);
        let mut actual = events(&lines);
        if case == "04-send-initial-events" {
            // The closing BOOKMARK of the timeout follows the initial-events-end one here.
            for list in [&mut actual, &mut expected] {
                if let Some(items) = list.as_array_mut() {
                    items.truncate(3);
                }
            }
        }
        tally.compare(case, &expected, &actual);
    }
    let exchange = fixture("watch/08-send-initial-events-without-bookmarks.json");
    let answer = cluster.replay(&exchange).await;
    let recorded: Vec<Value> = exchange["response"]["bodyText"]
        .as_str()
        .unwrap_or("")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let ours: Vec<Value> = answer
        .text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    tally.compare(
        "08-send-initial-events-without-bookmarks",
        &events(&recorded),
        &events(&ours),
    );
    let exchange = fixture("watch/09-watch-rv-match-without-initial-events.json");
    let answer = cluster.replay(&exchange).await;
    tally.compare(
        "09-watch-rv-match-without-initial-events",
        &exchange["response"]["body"],
        &answer.json(),
    );
    tally.finish("watch initial state");
}

#[tokio::test]
async fn selectors_filter_watches_and_objects_leaving_a_label_selector_arrive_as_deleted() {
    let cluster = cluster_with_demo_namespace().await;
    let mut tally = Tally::default();
    let version = cluster.state.store.resource_version();
    let fields = watch(cluster.state.clone(), format!("{CONFIG_MAPS}?watch=1&resourceVersion={version}&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=1")).await;
    cluster
        .create(
            CONFIG_MAPS,
            &config_map("bystander", Value::Null, json!({"k": "1"})),
        )
        .await;
    cluster
        .create(
            CONFIG_MAPS,
            &config_map("watched", Value::Null, json!({"k": "1"})),
        )
        .await;
    cluster
        .send(
            "DELETE",
            &format!("{CONFIG_MAPS}/bystander"),
            None,
            None,
            Vec::new(),
        )
        .await;
    cluster
        .send(
            "DELETE",
            &format!("{CONFIG_MAPS}/watched"),
            None,
            None,
            Vec::new(),
        )
        .await;
    tally.compare(
        "05-field-selector",
        &events(&recorded_lines("05-field-selector.ndjson")),
        &events(&fields.await.expect("stream")),
    );

    let version = cluster.state.store.resource_version();
    let labels = watch(cluster.state.clone(), format!("{CONFIG_MAPS}?watch=1&resourceVersion={version}&labelSelector=tier%3Dhot&timeoutSeconds=1")).await;
    cluster
        .create(
            CONFIG_MAPS,
            &config_map("watched", json!({"tier": "hot"}), json!({"k": "1"})),
        )
        .await;
    for tier in ["cold", "hot"] {
        let patch = json!({"metadata": {"labels": {"tier": tier}}});
        cluster
            .json(
                "PATCH",
                &format!("{CONFIG_MAPS}/watched"),
                "application/merge-patch+json",
                &patch,
            )
            .await;
    }
    cluster
        .send(
            "DELETE",
            &format!("{CONFIG_MAPS}/watched"),
            None,
            None,
            Vec::new(),
        )
        .await;
    tally.compare(
        "06-label-selector-transitions",
        &events(&recorded_lines("06-label-selector-transitions.ndjson")),
        &events(&labels.await.expect("stream")),
    );
    tally.finish("watch selectors");
}

#[tokio::test]
async fn a_version_older_than_the_event_log_after_a_restart_is_an_expired_error_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.redb");
    {
        let store = ferry_cluster::store::Store::open(&path, true, 100).expect("store");
        let state = ClusterState::new(store, None, Limits::default()).expect("state");
        let cluster = Cluster { state };
        cluster.namespace("watch-demo").await;
        cluster
            .create(
                CONFIG_MAPS,
                &config_map("watched", Value::Null, json!({"k": "1"})),
            )
            .await;
    }
    let store = ferry_cluster::store::Store::open(&path, false, 100).expect("reopen");
    let state = ClusterState::new(store, None, Limits::default()).expect("state");
    let current = state.store.resource_version();
    let lines = watch(
        state.clone(),
        format!("{CONFIG_MAPS}?watch=1&resourceVersion=1&timeoutSeconds=3"),
    )
    .await
    .await
    .expect("stream");
    let mut recorded = recorded_lines("07-watch-old-rv-after-restart.ndjson");
    recorded[0]["object"]["message"] = json!(format!("too old resource version: 1 ({current})"));
    let mut tally = Tally::default();
    tally.compare(
        "07-watch-old-rv-after-restart",
        &Value::Array(recorded),
        &Value::Array(lines),
    );
    tally.finish("watch expired");
}

#[tokio::test]
async fn lists_page_with_continue_tokens_and_answer_exact_old_versions() {
    let cluster = cluster_with_demo_namespace().await;
    let mut tally = Tally::default();
    let exact = fixture("watch/10-list-exact-old-rv.json");
    let answer = cluster.replay(&exact).await;
    tally.compare(
        "10-list-exact-old-rv",
        &exact["response"]["body"],
        &answer.json(),
    );
    for name in ["page-a", "page-b", "page-c", "page-d", "page-e"] {
        cluster
            .create(
                CONFIG_MAPS,
                &config_map(name, Value::Null, json!({"k": name})),
            )
            .await;
    }
    let summary = fixture("watch/pagination/summary.json");
    let mut token = String::new();
    for page in summary["pages"].as_array().cloned().unwrap_or_default() {
        let query = if token.is_empty() {
            "limit=2".to_string()
        } else {
            format!("limit=2&continue={token}")
        };
        let answer = cluster.get(&format!("{CONFIG_MAPS}?{query}")).await.json();
        let number = page["page"].as_u64().unwrap_or(0);
        let recorded = fixture(&format!("watch/pagination/page-{number}.json"));
        tally.compare(
            &format!("pagination page-{number}"),
            &normalise(&recorded),
            &normalise(&answer),
        );
        token = answer["metadata"]["continue"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let decoded: Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&token)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null);
        let mut expected_token = page["continueDecoded"].clone();
        if !expected_token.is_null() {
            expected_token["rv"] = decoded["rv"].clone();
        }
        tally.compare(
            &format!("pagination page-{number} token"),
            &expected_token,
            &decoded,
        );
    }
    tally.finish("list pages");
}
