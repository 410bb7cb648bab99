//! Requests the server must refuse cleanly: no token (401), oversized bodies (413), and bodies
//! that are not objects at all.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::Cluster;
use ferry_cluster::{ClusterState, Limits, router, store::Store};
use tower::ServiceExt as _;

#[tokio::test]
async fn requests_without_the_bearer_token_get_a_401_status() {
    let store = Store::in_memory(100).expect("store");
    let state = ClusterState::new(store, Some("s3cret".into()), Limits::default()).expect("state");
    let send = |authorization: Option<&'static str>| {
        let state = state.clone();
        async move {
            let mut request = Request::builder().uri("/api/v1/namespaces");
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = router(state)
                .oneshot(request.body(Body::empty()).expect("request"))
                .await
                .expect("answer");
            let code = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            (
                code,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default(),
            )
        }
    };
    let (code, body) = send(None).await;
    assert_eq!(code, 401);
    assert_eq!(body["reason"], "Unauthorized");
    assert_eq!(send(Some("Bearer wrong")).await.0, 401);
    assert_eq!(send(Some("Bearer s3cret")).await.0, 200);
}

#[tokio::test]
async fn oversized_and_non_object_bodies_are_refused_with_a_status() {
    let cluster = Cluster::new();
    let huge = vec![b' '; 3 * 1024 * 1024 + 1];
    let answer = cluster
        .send(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            Some("application/json"),
            None,
            huge,
        )
        .await;
    assert_eq!(answer.code, 413, "{}", answer.text);
    assert_eq!(answer.json()["reason"], "RequestEntityTooLarge");
    for body in ["[1, 2]", "\"text\"", "{", "\u{0}"] {
        let answer = cluster
            .send(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                Some("application/json"),
                None,
                body.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(answer.code, 400, "{body}: {}", answer.text);
        assert_eq!(answer.json()["kind"], "Status");
    }
    let answer = cluster
        .send(
            "PATCH",
            "/api/v1/namespaces/default",
            Some("application/merge-patch+json"),
            None,
            b"{".to_vec(),
        )
        .await;
    assert_eq!(answer.code, 400, "{}", answer.text);
}
