//! `ferry server` end to end: a local cluster with simulated workloads, a Git repository
//! over file://, the server on a free port, and a real HTTP client: auth, webhooks, the
//! live stream, the API round trip and `/metrics`.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{
    Fixture, PATIENCE, config_map, deployment, health_status, history, secret, sync_status,
};

const APP: &str = "/api/v1/applications/default/shop";
const APP_REFRESH: &str = "/api/v1/applications/default/shop/refresh";

/// A webhook request: provider, headers, body.
type Attempt<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>);

/// A GitHub push event for the fixture's repository.
fn github_push(fixture: &Fixture, reference: &str, after: &str) -> Vec<u8> {
    json!({
        "ref": reference,
        "after": after,
        "repository": {
            "html_url": "https://github.com/acme/shop",
            "clone_url": fixture.repo_url(),
            "default_branch": "main"
        }
    })
    .to_string()
    .into_bytes()
}

/// Asserts that the app stays at `revision` (and carries no refresh annotation) for `time`.
async fn assert_stays_at(fixture: &Fixture, revision: &str, time: Duration) {
    let started = Instant::now();
    while started.elapsed() < time {
        let app = fixture.app("shop").await;
        assert_eq!(
            app["status"]["sync"]["revision"], revision,
            "the app was refreshed"
        );
        assert!(
            app["metadata"]["annotations"]["ferry.dev/refresh"].is_null(),
            "the app was marked for refresh"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_requests_need_a_valid_token_and_actions_need_an_admin_token() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture.create_app("shop", "main", json!({})).await;
    assert_eq!(fixture.admin_token.len(), 64, "a generated admin token");

    for path in ["/healthz", "/metrics"] {
        assert_eq!(fixture.get(path, None).await.0, 200, "{path} is open");
    }
    for path in [
        "/api/v1/applications",
        "/api/v1/openapi.json",
        "/api/v1/stream",
    ] {
        let (status, body) = fixture.get(path, None).await;
        assert_eq!(status, 401, "{path} without a token: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("Authorization"),
            "{body}"
        );
        let (status, body) = fixture.get(path, Some("not-the-token")).await;
        assert_eq!(status, 401, "{path} with a wrong token: {body}");
        assert_eq!(body["error"], "invalid token");
    }
    let (status, _) = fixture.post(&format!("{APP}/sync"), None, &json!({})).await;
    assert_eq!(status, 401);

    // A token added to the Secret works within about a second (misses re-read it at most
    // once a second).
    fixture
        .add_token("read-only.viewer", "viewer-token-1234")
        .await;
    let added = Instant::now();
    let (status, body) = loop {
        let (status, body) = fixture
            .get("/api/v1/applications", Some("viewer-token-1234"))
            .await;
        if status != 401 || added.elapsed() > Duration::from_secs(3) {
            break (status, body);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"][0]["name"], "shop");
    let (status, body) = fixture
        .post(
            &format!("{APP}/sync"),
            Some("viewer-token-1234"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("read-only"),
        "{body}"
    );
    assert!(
        fixture.app("shop").await["operation"].is_null(),
        "a refused sync set nothing"
    );

    let admin = Some(fixture.admin_token.as_str());
    let (status, body) = fixture
        .post(&format!("{APP}/sync"), admin, &json!({}))
        .await;
    assert_eq!(status, 202, "{body}");
    let app = fixture
        .wait_for("shop", "synced by the admin's request", |app| {
            history(app).len() == 1
        })
        .await;
    assert_eq!(history(&app)[0]["initiatedBy"]["username"], "api:initial");

    let (status, document) = fixture
        .get("/api/v1/openapi.json", Some("viewer-token-1234"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.0.3");
    assert!(
        document["paths"]["/api/v1/applications/{namespace}/{name}/rollback"]["post"].is_object()
    );

    let (status, body) = fixture
        .get("/api/v1/applications/default/missing", admin)
        .await;
    assert_eq!(status, 404, "{body}");
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_github_push_refreshes_the_matching_app_which_deploys_the_new_commit() {
    let fixture = Fixture::start().await;
    fixture.deployed_shop().await;

    let second = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    let body = github_push(&fixture, "refs/heads/main", &second);
    let signature = ferry_server::webhook::sign(fixture.webhook_secret.as_bytes(), &body);
    let (status, answer) = fixture
        .webhook(
            "github",
            &[
                ("x-github-event", "push"),
                ("x-hub-signature-256", &signature),
            ],
            body,
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["refreshed"], json!(["default/shop"]));
    // The poll interval is 600 s: only the webhook's refresh can deploy it within the wait.
    fixture.wait_for_revision("shop", &second).await;

    // GitHub's ping is verified too, and refreshes nothing.
    let ping = br#"{"zen": "Design for failure."}"#.to_vec();
    let signature = ferry_server::webhook::sign(fixture.webhook_secret.as_bytes(), &ping);
    let (status, answer) = fixture
        .webhook(
            "github",
            &[
                ("x-github-event", "ping"),
                ("x-hub-signature-256", &signature),
            ],
            ping,
        )
        .await;
    assert_eq!((status, answer["message"].as_str()), (200, Some("pong")));
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_with_a_bad_or_missing_signature_is_refused_and_refreshes_nothing() {
    let fixture = Fixture::start().await;
    let first = fixture.deployed_shop().await;
    let second = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);

    let body = github_push(&fixture, "refs/heads/main", &second);
    let wrong = ferry_server::webhook::sign(b"not the secret", &body);
    let generic = json!({"repository": fixture.repo_url(), "branch": "main"})
        .to_string()
        .into_bytes();
    let wrong_generic = ferry_server::webhook::sign(b"not the secret", &generic);
    let attempts: Vec<Attempt> = vec![
        (
            "github",
            vec![("x-hub-signature-256", wrong.as_str())],
            body.clone(),
        ),
        ("github", vec![], body.clone()),
        (
            "github",
            vec![("x-hub-signature-256", "sha256=00")],
            body.clone(),
        ),
        ("gitlab", vec![("x-gitlab-token", "guess")], body.clone()),
        ("gitlab", vec![], body.clone()),
        (
            "generic",
            vec![("x-ferry-signature-256", wrong_generic.as_str())],
            generic.clone(),
        ),
        ("generic", vec![], generic),
    ];
    for (provider, headers, body) in attempts {
        let (status, answer) = fixture.webhook(provider, &headers, body).await;
        assert_eq!(status, 401, "{provider} {headers:?}: {answer}");
    }
    assert_stays_at(&fixture, &first, Duration::from_secs(3)).await;
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_for_other_repositories_or_branches_or_oversized_bodies_refresh_nothing() {
    let fixture = Fixture::start().await;
    let first = fixture.deployed_shop().await;
    let second = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    let secret = fixture.webhook_secret.clone();

    let other = json!({"ref": "refs/heads/main", "repository": {"clone_url": "https://github.com/acme/other.git", "default_branch": "main"}})
        .to_string()
        .into_bytes();
    let branch = github_push(&fixture, "refs/heads/feature", &second);
    for body in [other, branch] {
        let signature = ferry_server::webhook::sign(secret.as_bytes(), &body);
        let (status, answer) = fixture
            .webhook(
                "github",
                &[
                    ("x-github-event", "push"),
                    ("x-hub-signature-256", &signature),
                ],
                body,
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(answer["refreshed"], json!([]), "{answer}");
    }

    let mut huge = github_push(&fixture, "refs/heads/main", &second);
    huge.extend(std::iter::repeat_n(b' ', 1024 * 1024 + 1));
    let signature = ferry_server::webhook::sign(secret.as_bytes(), &huge);
    let (status, _) = fixture
        .webhook(
            "github",
            &[
                ("x-github-event", "push"),
                ("x-hub-signature-256", &signature),
            ],
            huge,
        )
        .await;
    assert_eq!(status, 413);

    let (status, answer) = fixture
        .webhook(
            "generic",
            &[(
                "x-ferry-signature-256",
                &ferry_server::webhook::sign(secret.as_bytes(), b"{}"),
            )],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        status, 400,
        "a verified generic payload without a repository: {answer}"
    );
    assert_stays_at(&fixture, &first, Duration::from_secs(3)).await;
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitlab_and_generic_webhooks_refresh_the_matching_app() {
    let fixture = Fixture::start().await;
    let first = fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_app("shop", "HEAD", json!({"syncPolicy": {"automated": {}}}))
        .await;
    fixture.wait_for_revision("shop", &first).await;

    let second = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    let gitlab = json!({
        "object_kind": "push",
        "ref": "refs/heads/main",
        "checkout_sha": second,
        "project": {"git_http_url": fixture.repo_url().to_uppercase(), "default_branch": "main"}
    })
    .to_string()
    .into_bytes();
    let (status, answer) = fixture
        .webhook(
            "gitlab",
            &[
                ("x-gitlab-event", "Push Hook"),
                ("x-gitlab-token", &fixture.webhook_secret),
            ],
            gitlab,
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["refreshed"], json!(["default/shop"]));
    fixture.wait_for_revision("shop", &second).await;

    let third = fixture.commit(&[("settings.yaml", &config_map("settings", "three"))]);
    let generic = json!({"repository": format!("{}.git/", fixture.repo_url()), "branch": "main", "revision": third})
        .to_string()
        .into_bytes();
    let signature = ferry_server::webhook::sign(fixture.webhook_secret.as_bytes(), &generic);
    let (status, answer) = fixture
        .webhook("generic", &[("x-ferry-signature-256", &signature)], generic)
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["refreshed"], json!(["default/shop"]));
    fixture.wait_for_revision("shop", &third).await;
    fixture.stop().await;
}

/// Reads server-sent events until one satisfies `wanted`; bounded by [`PATIENCE`].
async fn next_event(
    response: &mut reqwest::Response,
    buffer: &mut String,
    wanted: impl Fn(&str, &Value) -> bool,
) -> (String, Value) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_string();
                } else if let Some(text) = line.strip_prefix("data: ") {
                    data.push_str(text);
                }
            }
            let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            if wanted(&event, &data) {
                return (event, data);
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, response.chunk()).await {
            Ok(Ok(Some(chunk))) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None)) => panic!("the stream ended"),
            Ok(Err(error)) => panic!("the stream failed: {error}"),
            Err(_) => panic!("no wanted event within {PATIENCE:?}; last data: {buffer}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_reports_app_changes_and_controller_signals_and_ends_when_the_server_stops() {
    let mut fixture = Fixture::start().await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    let mut response = fixture
        .http
        .get(format!("{}/api/v1/stream", fixture.url))
        .bearer_auth(&fixture.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buffer = String::new();
    let (_, snapshot) =
        next_event(&mut response, &mut buffer, |event, _| event == "snapshot").await;
    assert!(snapshot["items"].is_array());

    fixture
        .create_app("shop", "main", json!({"syncPolicy": {"automated": {}}}))
        .await;
    // The app's first state and the controller's report of its reconcile, in either order.
    let mut synced = false;
    let mut reconciled = false;
    while !(synced && reconciled) {
        let (event, data) = next_event(&mut response, &mut buffer, |event, data| {
            data["name"] == "shop" && (event == "application" || data["kind"] == "Reconciled")
        })
        .await;
        if event == "application" {
            assert_eq!(data["namespace"], "default");
            synced |= data["sync"] == "Synced";
        } else {
            reconciled |= data["sync"] == "Synced";
        }
    }
    // A change made through the API arrives as a modification.
    let (status, _) = fixture
        .post(APP_REFRESH, Some(&fixture.admin_token), &json!({}))
        .await;
    assert_eq!(status, 202);
    let (_, modified) = next_event(&mut response, &mut buffer, |event, data| {
        event == "application" && data["name"] == "shop"
    })
    .await;
    assert_eq!(modified["type"], "MODIFIED");

    let stopping = Instant::now();
    fixture.server.take().unwrap().stop().await;
    let ended = tokio::time::timeout(PATIENCE, async {
        loop {
            match response.chunk().await {
                Ok(Some(_)) => {}
                _ => return,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream did not end after stop");
    assert!(
        stopping.elapsed() < Duration::from_secs(10),
        "stop took {:?}",
        stopping.elapsed()
    );
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_lists_reads_diffs_syncs_and_rolls_back_an_app() {
    let fixture = Fixture::start().await;
    let admin = Some(fixture.admin_token.as_str());
    let first = fixture.commit(&[
        ("web.yaml", &deployment("web")),
        ("settings.yaml", &config_map("settings", "one")),
        (
            "credentials.yaml",
            &secret("credentials", "hunter2-plaintext"),
        ),
    ]);
    fixture.create_app("shop", "main", json!({})).await;
    fixture
        .wait_for("shop", "compared (OutOfSync)", |app| {
            sync_status(app) == "OutOfSync"
        })
        .await;

    let (status, list) = fixture.get("/api/v1/applications", admin).await;
    assert_eq!(status, 200, "{list}");
    let summary = &list["items"][0];
    assert_eq!(
        (
            summary["name"].as_str(),
            summary["sync"].as_str(),
            summary["syncPolicy"].as_str()
        ),
        (Some("shop"), Some("OutOfSync"), Some("manual"))
    );
    assert_eq!(summary["revision"], first.as_str());

    let (status, diff) = fixture.get(&format!("{APP}/diff"), admin).await;
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["revision"], first.as_str());
    let statuses: Vec<(&str, &str)> = diff["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["key"]["name"].as_str().unwrap(),
                item["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("credentials", "Missing")),
        "{statuses:?}"
    );
    assert!(statuses.contains(&("web", "Missing")), "{statuses:?}");
    let text = diff.to_string();
    assert!(
        !text.contains("hunter2"),
        "a Secret value leaked into the diff: {text}"
    );
    assert!(
        !text.contains("aHVudGVyMi1wbGFpbnRleHQ"),
        "a Secret value leaked (base64): {text}"
    );

    let (status, body) = fixture
        .post(&format!("{APP}/sync"), admin, &json!({"prune": true}))
        .await;
    assert_eq!(status, 202, "{body}");
    fixture
        .wait_for("shop", "Synced and Healthy", |app| {
            sync_status(app) == "Synced"
                && health_status(app) == "Healthy"
                && history(app).len() == 1
        })
        .await;

    let (status, app) = fixture.get(APP, admin).await;
    assert_eq!(status, 200);
    assert_eq!(app["status"]["sync"]["status"], "Synced");
    assert_eq!(app["summary"]["health"], "Healthy");

    let (status, tree) = fixture.get(&format!("{APP}/tree"), admin).await;
    assert_eq!(status, 200, "{tree}");
    let nodes = tree["nodes"].as_array().unwrap();
    let node = |kind: &str| {
        nodes
            .iter()
            .find(|node| node["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {tree}"))
    };
    let deployment_node = node("Deployment");
    assert_eq!(deployment_node["managed"], true);
    assert_eq!(deployment_node["health"]["status"], "Healthy");
    let replica_set = node("ReplicaSet");
    assert_eq!(replica_set["managed"], false);
    assert_eq!(replica_set["parents"], json!([deployment_node["uid"]]));
    let pod = node("Pod");
    assert_eq!(pod["parents"], json!([replica_set["uid"]]));
    assert!(pod["health"]["status"].is_string(), "{pod}");
    assert_eq!(node("Secret")["managed"], true);

    let second = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    let (status, _) = fixture
        .post(&format!("{APP}/refresh"), admin, &json!({}))
        .await;
    assert_eq!(status, 202);
    fixture
        .wait_for("shop", "OutOfSync at the second commit", |app| {
            sync_status(app) == "OutOfSync" && app["status"]["sync"]["revision"] == second.as_str()
        })
        .await;
    let (_, diff) = fixture.get(&format!("{APP}/diff"), admin).await;
    let changed = diff["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["key"]["name"] == "settings")
        .unwrap();
    assert_eq!(changed["status"], "OutOfSync");
    let text = changed["diff"].as_str().unwrap();
    assert!(
        text.contains("-  value: one") && text.contains("+  value: two"),
        "{text}"
    );

    let (status, _) = fixture
        .post(&format!("{APP}/sync"), admin, &json!({}))
        .await;
    assert_eq!(status, 202);
    fixture
        .wait_for("shop", "synced at the second commit", |app| {
            history(app).len() == 2
        })
        .await;

    let (status, body) = fixture
        .post(&format!("{APP}/rollback"), admin, &json!({"id": 0}))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["revision"], first.as_str());
    let app = fixture
        .wait_for("shop", "rolled back", |app| history(app).len() == 3)
        .await;
    assert_eq!(history(&app)[2]["revision"], first.as_str());

    let (status, entries) = fixture.get(&format!("{APP}/history"), admin).await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = entries["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [2, 1, 0], "newest first");

    let (status, body) = fixture
        .post(&format!("{APP}/rollback"), admin, &json!({"id": 42}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no history entry 42"),
        "{body}"
    );
    let (status, body) = fixture
        .post(&format!("{APP}/sync"), admin, &json!({"prune": "yes"}))
        .await;
    assert_eq!(status, 400, "{body}");

    let response = fixture
        .http
        .get(format!("{}/metrics", fixture.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        ferry_telemetry::CONTENT_TYPE
    );
    let (status, _) = fixture.get("/readyz", None).await;
    assert_eq!(status, 200);
    let (status, page) = fixture.get("/", None).await;
    assert_eq!(status, 200);
    assert!(page.as_str().unwrap().contains("sessionStorage"));
    fixture.stop().await;
}
