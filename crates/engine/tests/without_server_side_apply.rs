//! A server that answers 415 to server-side apply still syncs: objects are created, then
//! changed by JSON merge patch. The local cluster runs in process behind a tower service
//! that refuses apply patches, given to kube's `Client::new` (no socket).

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use ferry_engine::{ClusterClient, SyncOptions};
use ferry_types::OperationPhase;
use serde_json::json;
use support::{Fixture, config_map};
use tower::ServiceExt;

/// A client of `state` through its router, where every apply patch gets 415.
fn client_refusing_apply(state: Arc<ferry_cluster::ClusterState>) -> ClusterClient {
    let router = ferry_cluster::router(state.clone());
    let bearer = format!("Bearer {}", state.token.clone().unwrap_or_default());
    let service = tower::service_fn(move |request: Request<kube::client::Body>| {
        let router = router.clone();
        let bearer = bearer.clone();
        async move {
            let is_apply = request
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|value| value.as_bytes().starts_with(b"application/apply-patch"));
            if is_apply {
                let status = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": "415: Unsupported Media Type", "reason": "UnsupportedMediaType", "code": 415});
                return Ok::<_, std::convert::Infallible>(
                    Response::builder()
                        .status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(status.to_string()))
                        .unwrap(),
                );
            }
            let (mut parts, body) = request.into_parts();
            parts.headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(&bearer).unwrap(),
            );
            let request = Request::from_parts(parts, Body::new(body));
            Ok(router.oneshot(request).await.unwrap())
        }
    });
    ClusterClient::new(kube::Client::new(service, "default"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_server_side_apply_gets_creates_and_merge_patches() {
    let fixture = Fixture::start().await;
    let client = client_refusing_apply(fixture.cluster.state.clone());
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let options = SyncOptions {
        poll_interval: std::time::Duration::from_millis(50),
        ..SyncOptions::default()
    };

    let rendered = fixture.render(&app).await;
    let first = ferry_engine::sync(&app, &rendered, &client, &options, &mut |_| {}).await;
    assert_eq!(first.phase, OperationPhase::Succeeded, "{first:#?}");
    assert_eq!(client.server_side_apply(), Some(false));

    fixture.commit(&[("settings.yaml", &config_map("settings", "two"))], &[]);
    let rendered = fixture.render(&app).await;
    let comparisons = ferry_engine::diff(&app, &rendered, &client).await.unwrap();
    assert_eq!(
        comparisons[0].status,
        ferry_diff::ResourceDiffStatus::OutOfSync
    );
    let second = ferry_engine::sync(&app, &rendered, &client, &options, &mut |_| {}).await;
    assert_eq!(
        second.objects[0].action,
        ferry_engine::ObjectAction::Configured
    );
    let live = fixture
        .get("v1", "ConfigMap", "default", "settings")
        .await
        .unwrap();
    assert_eq!(live["data"]["value"], "two");
    assert!(ferry_engine::diff(&app, &rendered, &client).await.unwrap()[0].is_synced());
}
