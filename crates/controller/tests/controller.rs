//! The controller end to end: a local cluster with simulated workloads, a real Git repository
//! over file://, and `ferry-controller` polling it every 500 ms.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Fixture, config_map, deployment, health_status, history, sync_status};

const POLL: Duration = Duration::from_millis(500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_with_automated_sync_converges_and_records_one_history_entry() {
    let fixture = Fixture::start(POLL).await;
    let revision = fixture.commit(&[
        ("web.yaml", &deployment("web")),
        ("settings.yaml", &config_map("settings", "one")),
    ]);
    fixture
        .create_app(
            "shop",
            json!({"syncPolicy": {"automated": {"prune": true}}}),
        )
        .await;
    let app = fixture
        .wait_for("shop", "Synced and Healthy", |app| {
            sync_status(app) == "Synced" && health_status(app) == "Healthy"
        })
        .await;
    let status = &app["status"];
    assert_eq!(status["sync"]["revision"], revision.as_str());
    assert_eq!(status["sourceType"], "Directory");
    assert!(status["reconciledAt"].is_string());
    assert_eq!(status["operationState"]["phase"], "Succeeded");
    let synced: Vec<(&str, &str)> = status["operationState"]["syncResult"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| {
            (
                resource["name"].as_str().unwrap(),
                resource["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(synced, [("settings", "Synced"), ("web", "Synced")]);
    assert_eq!(
        status["operationState"]["operation"]["initiatedBy"]["automated"],
        true
    );
    let history = history(&app);
    assert_eq!(history.len(), 1, "{history:#?}");
    assert_eq!(history[0]["id"], 0);
    assert_eq!(history[0]["revision"], revision.as_str());
    assert!(history[0]["deployedAt"].is_string());
    assert!(history[0]["deployStartedAt"].is_string());
    assert_eq!(history[0]["initiatedBy"]["automated"], true);
    assert_eq!(history[0]["result"], "Succeeded");
    assert_eq!(history[0]["commitMessage"], "change");
    assert_eq!(
        history[0]["commitAuthor"],
        "Test Author <author@example.com>"
    );
    let commit_time = history[0]["commitTime"].as_str().unwrap();
    assert!(
        commit_time.len() == 20 && commit_time.ends_with('Z'),
        "{commit_time}"
    );
    let parts: Vec<&str> = history[0]["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|timing| timing["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        parts,
        ["fetch", "diff", "validate", "apply Sync/0", "wait Sync/0"]
    );
    let resources: Vec<(String, String, String)> = status["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| {
            (
                resource["kind"].as_str().unwrap().to_string(),
                resource["name"].as_str().unwrap().to_string(),
                resource["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        resources,
        [
            ("ConfigMap".into(), "settings".into(), "Synced".into()),
            ("Deployment".into(), "web".into(), "Synced".into()),
        ]
    );
    assert!(fixture.get("apps/v1", "Deployment", "web").await.is_some());
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_some());
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_git_commit_is_deployed_on_the_next_poll_and_history_grows() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_app("shop", json!({"syncPolicy": {"automated": {}}}))
        .await;
    fixture
        .wait_for("shop", "synced once", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;
    let revision = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    let app = fixture
        .wait_for("shop", "synced at the new commit", |app| {
            sync_status(app) == "Synced" && history(app).len() == 2
        })
        .await;
    let history = history(&app);
    assert_eq!(history[1]["id"], 1);
    assert_eq!(history[1]["revision"], revision.as_str());
    assert_eq!(app["status"]["sync"]["revision"], revision.as_str());
    let settings = fixture.get("v1", "ConfigMap", "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "two");
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_without_automation_shows_out_of_sync_and_syncs_only_when_an_operation_is_set() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture.create_app("shop", json!({})).await;
    let app = fixture
        .wait_for("shop", "OutOfSync", |app| sync_status(app) == "OutOfSync")
        .await;
    assert_eq!(app["status"]["resources"][0]["health"]["status"], "Missing");
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_none());

    fixture.request_sync("shop").await;
    let app = fixture
        .wait_for("shop", "synced by the operation", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;
    assert!(
        app.get("operation")
            .is_none_or(|operation| operation.is_null())
    );
    assert_eq!(app["status"]["operationState"]["phase"], "Succeeded");
    assert_eq!(
        app["status"]["operationState"]["operation"]["initiatedBy"]["username"],
        "alice"
    );
    assert_eq!(history(&app)[0]["initiatedBy"]["username"], "alice");

    let revision = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    fixture
        .wait_for("shop", "OutOfSync at the new commit", |app| {
            sync_status(app) == "OutOfSync"
                && app["status"]["sync"]["revision"] == revision.as_str()
        })
        .await;
    // Several polls later, still not applied.
    tokio::time::sleep(POLL * 3).await;
    let app = fixture.app("shop").await;
    assert_eq!(sync_status(&app), "OutOfSync");
    assert_eq!(history(&app).len(), 1);
    let settings = fixture.get("v1", "ConfigMap", "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "one");

    fixture.request_sync("shop").await;
    fixture
        .wait_for("shop", "synced by the second operation", |app| {
            sync_status(app) == "Synced" && history(app).len() == 2
        })
        .await;
    let settings = fixture.get("v1", "ConfigMap", "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "two");
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_error_becomes_a_condition_and_nothing_is_applied() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[
        ("settings.yaml", &config_map("settings", "one")),
        ("broken.yaml", &config_map("Not_A_Valid_Name", "x")),
    ]);
    fixture
        .create_app(
            "shop",
            json!({"syncPolicy": {"automated": {"prune": true}}}),
        )
        .await;
    let app = fixture
        .wait_for("shop", "with a condition", |app| {
            app["status"]["conditions"]
                .as_array()
                .is_some_and(|conditions| !conditions.is_empty())
        })
        .await;
    let condition = &app["status"]["conditions"][0];
    assert_eq!(condition["type"], "ComparisonError");
    let message = condition["message"].as_str().unwrap();
    assert!(message.contains("Not_A_Valid_Name"), "{message}");
    assert_eq!(sync_status(&app), "Unknown");
    // Several polls later, still nothing applied.
    tokio::time::sleep(POLL * 3).await;
    let app = fixture.app("shop").await;
    assert!(history(&app).is_empty());
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_none());
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_is_recorded_in_history_with_its_result_and_never_rolled_back_to() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[
        ("settings.yaml", &config_map("settings", "one")),
        (
            "web.yaml",
            // Crash-looping: Degraded once its progress deadline (2 s, 0.2 s at 10x) passes.
            &deployment("web")
                .replace("replicas: 1", "replicas: 1\n  progressDeadlineSeconds: 2")
                .replace(
                    "    spec:\n      containers",
                    "      annotations: {cluster.ferry.dev/fault: crashloop}\n    spec:\n      containers",
                ),
        ),
    ]);
    fixture
        .create_app("shop", json!({"syncPolicy": {"automated": {}}}))
        .await;
    let app = fixture
        .wait_for("shop", "with a failed sync in history", |app| {
            history(app).len() == 1
        })
        .await;
    let entry = &history(&app)[0];
    assert_eq!(entry["result"], "Failed");
    let message = entry["resultMessage"].as_str().unwrap();
    assert!(message.contains("Degraded"), "{message}");
    assert_eq!(entry["commitMessage"], "change");
    // The Deployment's health says why, from its pod: more than "missed its deadline".
    let explained = fixture
        .wait_for("shop", "web's health naming its pod's failure", |app| {
            app["status"]["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|resource| {
                    resource["name"] == "web"
                        && resource["health"]["message"]
                            .as_str()
                            .is_some_and(|message| message.contains("; pod web-"))
                })
        })
        .await;
    let web = explained["status"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|resource| resource["name"] == "web")
        .unwrap();
    let message = web["health"]["message"].as_str().unwrap();
    assert!(
        message.contains("CrashLoopBackOff") || message.contains("restarted"),
        "{message}"
    );
    // The automated sync of a failed revision is not retried until Git moves.
    fixture.commit(&[("web.yaml", &deployment("web"))]);
    let app = fixture
        .wait_for("shop", "synced at the fixed commit", |app| {
            sync_status(app) == "Synced" && history(app).len() == 2
        })
        .await;
    assert_eq!(history(&app)[1]["result"], "Succeeded");
    let app: ferry_types::Application =
        ferry_types::Application::from_value(app, "shop").unwrap().0;
    let error = ferry_controller::rollback_target(&app, None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no previous deployment"), "{error}");
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresh_annotation_deploys_a_new_commit_before_the_poll_interval() {
    let fixture = Fixture::start(Duration::from_secs(600)).await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_app("shop", json!({"syncPolicy": {"automated": {}}}))
        .await;
    fixture
        .wait_for("shop", "synced once", |app| history(app).len() == 1)
        .await;
    let revision = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    tokio::time::sleep(POLL * 3).await;
    assert_eq!(history(&fixture.app("shop").await).len(), 1);
    fixture
        .patch_app(
            "shop",
            json!({"metadata": {"annotations": {"ferry.dev/refresh": "normal"}}}),
        )
        .await;
    let app = fixture
        .wait_for("shop", "synced at the new commit", |app| {
            history(app).len() == 2 && sync_status(app) == "Synced"
        })
        .await;
    assert_eq!(history(&app)[1]["revision"], revision.as_str());
    assert!(app["metadata"]["annotations"]["ferry.dev/refresh"].is_null());
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_left_running_by_a_stopped_controller_is_carried_out_after_a_restart() {
    let mut fixture = Fixture::start(POLL).await;
    let revision = fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture.create_app("shop", json!({})).await;
    fixture
        .wait_for("shop", "OutOfSync", |app| sync_status(app) == "OutOfSync")
        .await;
    fixture.stop_controller().await.unwrap();
    // What a controller killed between recording the operation and syncing leaves behind.
    fixture
        .patch_status(
            "shop",
            json!({"status": {"operationState": {
                "operation": {"sync": {}, "initiatedBy": {"username": "bob"}},
                "phase": "Running",
                "startedAt": "2026-01-01T00:00:00Z"
            }}}),
        )
        .await;
    fixture.start_controller();
    let app = fixture
        .wait_for("shop", "synced by the resumed operation", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;
    let state = &app["status"]["operationState"];
    assert_eq!(state["phase"], "Succeeded");
    assert_eq!(state["operation"]["initiatedBy"]["username"], "bob");
    assert_eq!(history(&app)[0]["revision"], revision.as_str());
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_some());
    fixture.stop().await.unwrap();
}

/// How soon drift must be noticed (and, with selfHeal, reverted) on the local cluster, with
/// a poll interval far longer than the test: only the drift check can see it.
const DRIFT_DEADLINE: Duration = Duration::from_secs(8);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_or_deleted_managed_object_is_restored_within_seconds_with_self_heal() {
    let fixture = Fixture::start(Duration::from_secs(600)).await;
    fixture.commit(&[
        ("web.yaml", &deployment("web")),
        ("settings.yaml", &config_map("settings", "one")),
    ]);
    fixture
        .create_app(
            "shop",
            json!({"syncPolicy": {"automated": {"prune": true, "selfHeal": true}}}),
        )
        .await;
    fixture
        .wait_for("shop", "Synced and Healthy", |app| {
            sync_status(app) == "Synced" && health_status(app) == "Healthy"
        })
        .await;
    assert_eq!(fixture.replicas("web").await, 1);

    fixture
        .patch_deployment("web", json!({"spec": {"replicas": 3}}))
        .await;
    let scaled = std::time::Instant::now();
    while fixture.replicas("web").await != 1 {
        assert!(
            scaled.elapsed() < DRIFT_DEADLINE,
            "not scaled back after {DRIFT_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let healed_after = scaled.elapsed();
    let app = fixture
        .wait_for("shop", "Synced after the heal", |app| {
            sync_status(app) == "Synced" && history(app).len() == 2
        })
        .await;
    assert_eq!(
        app["status"]["operationState"]["operation"]["initiatedBy"]["automated"],
        true
    );
    eprintln!("drift healed after {healed_after:?}");
    let events = fixture
        .wait_for_events("shop", &["DriftDetected", "DriftHealed"])
        .await;
    let detected = events
        .iter()
        .find(|event| event["reason"] == "DriftDetected")
        .unwrap();
    assert_eq!(detected["type"], "Warning");
    let message = detected["message"].as_str().unwrap();
    assert!(message.contains("web"), "{message}");

    // A second change is healed too (the backoff waits at most a second here).
    fixture
        .patch_deployment("web", json!({"spec": {"replicas": 5}}))
        .await;
    let scaled = std::time::Instant::now();
    while fixture.replicas("web").await != 1 {
        assert!(
            scaled.elapsed() < DRIFT_DEADLINE,
            "not scaled back the second time after {DRIFT_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The second heal's Event is counted on the first, as client-go's recorder counts repeats.
    let counted = std::time::Instant::now();
    loop {
        let healed: Vec<Value> = fixture
            .events("shop")
            .await
            .into_iter()
            .filter(|event| event["reason"] == "DriftHealed")
            .collect();
        if healed.len() == 1 && healed[0]["count"].as_i64() >= Some(2) {
            break;
        }
        assert!(
            counted.elapsed() < DRIFT_DEADLINE,
            "DriftHealed not counted twice on one Event: {healed:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A deleted managed object is created again, even when deleted while the heal above is
    // still waiting for the Deployment (its final comparison then sees the deletion).
    fixture.delete_config_map("settings").await;
    let deleted = std::time::Instant::now();
    while fixture.get("v1", "ConfigMap", "settings").await.is_none() {
        assert!(
            deleted.elapsed() < DRIFT_DEADLINE,
            "not recreated after {DRIFT_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_deployment_is_only_reported_out_of_sync_without_self_heal() {
    let fixture = Fixture::start(Duration::from_secs(600)).await;
    fixture.commit(&[("web.yaml", &deployment("web"))]);
    fixture
        .create_app(
            "shop",
            json!({"syncPolicy": {"automated": {"prune": true}}}),
        )
        .await;
    fixture
        .wait_for("shop", "Synced and Healthy", |app| {
            sync_status(app) == "Synced" && health_status(app) == "Healthy"
        })
        .await;

    fixture
        .patch_deployment("web", json!({"spec": {"replicas": 3}}))
        .await;
    let scaled = std::time::Instant::now();
    let app = fixture
        .wait_for("shop", "OutOfSync", |app| sync_status(app) == "OutOfSync")
        .await;
    assert!(
        scaled.elapsed() < DRIFT_DEADLINE,
        "OutOfSync only after {:?}",
        scaled.elapsed()
    );
    let web = app["status"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|resource| resource["name"] == "web")
        .unwrap();
    assert_eq!(web["status"], "OutOfSync");
    // Several seconds later, still scaled and not re-synced.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fixture.replicas("web").await, 3);
    let app = fixture.app("shop").await;
    assert_eq!(sync_status(&app), "OutOfSync");
    assert_eq!(history(&app).len(), 1);
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_deploys_the_previous_revision_and_holds_until_auto_sync_is_resumed() {
    let fixture = Fixture::start(POLL).await;
    let kube = fixture.client.kube().clone();
    let first = fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_app(
            "shop",
            json!({"syncPolicy": {"automated": {"prune": true, "selfHeal": true}}}),
        )
        .await;
    fixture
        .wait_for("shop", "synced at A", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;
    let second = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    fixture
        .wait_for("shop", "synced at B", |app| {
            sync_status(app) == "Synced" && history(app).len() == 2
        })
        .await;
    assert_eq!(
        fixture.get("v1", "ConfigMap", "settings").await.unwrap()["data"]["value"],
        "two"
    );

    let entry = ferry_controller::rollback(&kube, "default", "shop", None, true, "carol")
        .await
        .unwrap();
    assert_eq!(entry.id, 0);
    assert_eq!(entry.revision, first);
    let app = fixture
        .wait_for("shop", "rolled back to A", |app| history(app).len() == 3)
        .await;
    assert_eq!(
        fixture.get("v1", "ConfigMap", "settings").await.unwrap()["data"]["value"],
        "one"
    );
    // Automation is off, visibly, in spec; Git's head (B) differs from the live objects.
    assert_eq!(app["spec"]["syncPolicy"]["automated"]["enabled"], false);
    assert_eq!(sync_status(&app), "OutOfSync");
    assert_eq!(app["status"]["sync"]["revision"], second.as_str());
    let state = &app["status"]["operationState"];
    assert_eq!(state["phase"], "Succeeded");
    assert_eq!(state["operation"]["initiatedBy"]["username"], "carol");
    assert_eq!(state["syncResult"]["revision"], first.as_str());
    let revisions: Vec<&str> = history(&app)
        .iter()
        .map(|entry| entry["revision"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|revision| if revision == first { "A" } else { "B" })
        .collect();
    assert_eq!(revisions, ["A", "B", "A"]);
    assert_eq!(history(&app)[2]["id"], 2);
    assert_eq!(history(&app)[2]["initiatedBy"]["username"], "carol");

    // Several polls later the rollback holds.
    tokio::time::sleep(POLL * 4).await;
    assert_eq!(history(&fixture.app("shop").await).len(), 3);
    assert_eq!(
        fixture.get("v1", "ConfigMap", "settings").await.unwrap()["data"]["value"],
        "one"
    );

    ferry_controller::set_auto_sync(&kube, "default", "shop", true)
        .await
        .unwrap();
    let app = fixture
        .wait_for("shop", "back at B", |app| {
            sync_status(app) == "Synced" && history(app).len() == 4
        })
        .await;
    assert_eq!(history(&app)[3]["revision"], second.as_str());
    assert!(app["spec"]["syncPolicy"]["automated"]["enabled"].is_null());
    assert_eq!(app["spec"]["syncPolicy"]["automated"]["selfHeal"], true);
    assert_eq!(
        fixture.get("v1", "ConfigMap", "settings").await.unwrap()["data"]["value"],
        "two"
    );
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_whose_repo_is_not_in_its_projects_source_repos_gets_a_condition_and_no_objects() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_project(
            "team",
            json!({
                "sourceRepos": ["https://github.com/acme/*"],
                "destinations": [{"server": "*", "namespace": "*"}]
            }),
        )
        .await;
    fixture
        .create_app(
            "shop",
            json!({"project": "team", "syncPolicy": {"automated": {"prune": true}}}),
        )
        .await;
    let app = fixture
        .wait_for("shop", "with a condition", |app| {
            app["status"]["conditions"]
                .as_array()
                .is_some_and(|conditions| !conditions.is_empty())
        })
        .await;
    let condition = &app["status"]["conditions"][0];
    assert_eq!(condition["type"], "InvalidSpecError");
    let message = condition["message"].as_str().unwrap();
    assert!(
        message.contains("project team") && message.contains("is not permitted"),
        "{message}"
    );
    tokio::time::sleep(POLL * 3).await;
    let app = fixture.app("shop").await;
    assert!(history(&app).is_empty());
    assert_eq!(app["status"]["conditions"][0]["type"], "InvalidSpecError");
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_none());
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_automated_sync_writes_operation_and_status_events_on_the_application() {
    let fixture = Fixture::start(POLL).await;
    let revision = fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_app("shop", json!({"syncPolicy": {"automated": {}}}))
        .await;
    fixture
        .wait_for("shop", "Synced", |app| sync_status(app) == "Synced")
        .await;
    let events = fixture
        .wait_for_events(
            "shop",
            &["OperationStarted", "OperationCompleted", "ResourceUpdated"],
        )
        .await;
    let messages: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|event| {
            (
                event["type"].as_str().unwrap(),
                event["reason"].as_str().unwrap(),
                event["message"].as_str().unwrap(),
            )
        })
        .collect();
    let started = messages
        .iter()
        .find(|(_, reason, _)| *reason == "OperationStarted")
        .unwrap();
    assert_eq!(
        started.2,
        format!("Initiated automated sync to {revision}"),
        "{messages:#?}"
    );
    let completed = messages
        .iter()
        .find(|(_, reason, _)| *reason == "OperationCompleted")
        .unwrap();
    assert_eq!(completed.0, "Normal");
    assert!(completed.2.ends_with("succeeded"), "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|(_, reason, message)| *reason == "ResourceUpdated"
                && message.ends_with("-> Synced")),
        "{messages:#?}"
    );
    let app = fixture.app("shop").await;
    let event = &events[0];
    assert_eq!(event["involvedObject"]["uid"], app["metadata"]["uid"]);
    assert_eq!(event["source"]["component"], "ferry-controller");
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installation_applies_to_a_cluster_and_again_without_change() {
    let fixture = Fixture::start(POLL).await;
    let objects = ferry_controller::install_objects(&ferry_controller::default_image("0.0.0"));
    let applied = ferry_controller::apply_install(&fixture.client, &objects)
        .await
        .unwrap();
    assert_eq!(applied.len(), 7, "{applied:?}");
    assert!(applied.contains(&"Deployment ferry/ferry-controller".to_string()));
    // Applying again is an update, not an error.
    ferry_controller::apply_install(&fixture.client, &objects)
        .await
        .unwrap();
    let resource = fixture
        .client
        .resource(&ferry_types::Gvk::from_api_version("apps/v1", "Deployment"))
        .await
        .unwrap();
    let deployment = fixture
        .client
        .get(&resource, "ferry", "ferry-controller")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deployment["spec"]["replicas"], 2);
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cascading_delete_removes_the_apps_objects_first_and_a_plain_one_leaves_them() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[
        ("a/settings.yaml", &config_map("alpha", "one")),
        ("a/taken.yaml", &config_map("taken", "one")),
        ("b/settings.yaml", &config_map("beta", "one")),
    ]);
    let repo_url = format!("file://{}", fixture.repo().display());
    for (name, path) in [("cascade", "a"), ("plain", "b")] {
        fixture
            .create_app(
                name,
                json!({
                    "source": {"repoURL": repo_url, "targetRevision": "main", "path": path},
                    "syncPolicy": {"automated": {}},
                }),
            )
            .await;
    }
    for name in ["cascade", "plain"] {
        fixture
            .wait_for(name, "Synced", |app| sync_status(app) == "Synced")
            .await;
    }
    // Someone takes one object over: it is no longer the app's to delete.
    fixture
        .client
        .apply_client_side(
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "taken", "namespace": "default",
                             "annotations": {"ferry.dev/tracking-id": null}}}),
            ferry_engine::WriteOptions::APPLY,
        )
        .await
        .unwrap();

    let kube = fixture.client.kube();
    ferry_controller::delete_application(kube, "default", "cascade", true)
        .await
        .unwrap();
    ferry_controller::delete_application(kube, "default", "plain", false)
        .await
        .unwrap();
    for name in ["cascade", "plain"] {
        let mut gone = false;
        for _ in 0..200 {
            if fixture
                .get("ferry.dev/v1alpha1", "Application", name)
                .await
                .is_none()
            {
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(gone, "Application {name} still exists after 20 s");
    }
    assert!(fixture.get("v1", "ConfigMap", "alpha").await.is_none());
    assert!(
        fixture
            .get("v1", "ConfigMap", "ferry-inventory-cascade")
            .await
            .is_none()
    );
    assert!(fixture.get("v1", "ConfigMap", "taken").await.is_some());
    assert!(fixture.get("v1", "ConfigMap", "beta").await.is_some());
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_application_is_refused_naming_the_field_and_kubectl_explains_the_spec() {
    let fixture = Fixture::start(POLL).await;
    // Wait until the controller has installed its CRDs (an app of the right shape goes in).
    fixture.create_app("good", json!({})).await;
    let bad = json!({
        "apiVersion": "ferry.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "bad", "namespace": "default"},
        "spec": {
            "source": {"repoURL": "https://example.com/r.git"},
            "destination": {"namespace": "default"},
            "syncPolicy": {"automated": {"prune": "yes"}},
            "someArgoField": {"kept": true},
        }
    });
    let error = fixture
        .client
        .create(&bad, ferry_engine::WriteOptions::APPLY)
        .await
        .expect_err("a string where a boolean belongs is refused");
    let text = error.to_string();
    assert!(text.contains("spec.syncPolicy.automated.prune"), "{text}");
    assert_eq!(error.code(), Some(422), "{text}");
    let mut missing = bad.clone();
    missing["spec"]["syncPolicy"]["automated"]["prune"] = json!(true);
    missing["spec"]
        .as_object_mut()
        .unwrap()
        .remove("destination");
    let error = fixture
        .client
        .create(&missing, ferry_engine::WriteOptions::APPLY)
        .await
        .expect_err("an app without a destination is refused");
    assert!(error.to_string().contains("spec.destination"), "{error}");
    // Unknown fields (Argo CD's, ferry's future ones) are kept.
    let mut fine = missing;
    fine["spec"]["destination"] = json!({"namespace": "default"});
    let created = fixture
        .client
        .create(&fine, ferry_engine::WriteOptions::APPLY)
        .await
        .unwrap();
    assert_eq!(created["spec"]["someArgoField"]["kept"], true);

    if ferry_testkit::available("kubectl", &["version", "--client"]) {
        let kubectl = ferry_testkit::Kubectl::new(fixture.cluster.kubeconfig(), fixture.dir.path());
        let explained = kubectl
            .ok(&["explain", "applications.spec.syncPolicy.automated"])
            .await;
        assert!(explained.contains("selfHeal"), "{explained}");
        assert!(
            explained.contains("Revert changes made in the cluster."),
            "{explained}"
        );
    }
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_naming_resources_syncs_only_those_objects() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[
        ("a.yaml", &config_map("a", "one")),
        ("b.yaml", &config_map("b", "one")),
    ]);
    fixture.create_app("shop", json!({})).await;
    fixture
        .wait_for("shop", "OutOfSync", |app| sync_status(app) == "OutOfSync")
        .await;
    fixture.request_sync("shop").await;
    fixture
        .wait_for("shop", "synced once", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;

    fixture.commit(&[
        ("a.yaml", &config_map("a", "two")),
        ("b.yaml", &config_map("b", "two")),
    ]);
    fixture
        .wait_for("shop", "OutOfSync at the new commit", |app| {
            sync_status(app) == "OutOfSync"
        })
        .await;
    let operation = ferry_controller::sync_operation(
        "",
        false,
        "alice",
        &[ferry_engine::ResourceSelector::parse(":ConfigMap:a").unwrap()],
    );
    fixture
        .patch_app("shop", json!({"operation": operation}))
        .await;
    let app = fixture
        .wait_for("shop", "partially synced", |app| history(app).len() == 2)
        .await;
    assert_eq!(app["status"]["operationState"]["phase"], "Succeeded");
    let synced: Vec<&str> = app["status"]["operationState"]["syncResult"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| resource["name"].as_str().unwrap())
        .collect();
    assert_eq!(synced, ["a"]);
    let value = |object: Option<serde_json::Value>| object.unwrap()["data"]["value"].clone();
    assert_eq!(value(fixture.get("v1", "ConfigMap", "a").await), "two");
    assert_eq!(value(fixture.get("v1", "ConfigMap", "b").await), "one");
    assert_eq!(sync_status(&app), "OutOfSync", "b still differs from Git");
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argo_cd_application_applied_unchanged_is_deployed_reports_status_and_cascades_on_delete()
 {
    let fixture = Fixture::start_with(POLL, |config| config.argocd_applications = true).await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    let argo = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": "shop",
            "namespace": "default",
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": format!("file://{}", fixture.repo().display()),
                "targetRevision": "main",
                "path": ".",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true}},
        }
    });
    fixture.create_object(&argo).await;
    let started = std::time::Instant::now();
    let status = loop {
        let current = fixture
            .get("argoproj.io/v1alpha1", "Application", "shop")
            .await
            .unwrap();
        if current["status"]["sync"]["status"] == "Synced"
            && current["status"]["health"]["status"] == "Healthy"
        {
            break current["status"].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the Argo CD Application got no Synced status: {current:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["history"].as_array().map(Vec::len), Some(1));
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_some());
    let mirror = fixture.app("shop").await;
    assert_eq!(
        mirror["metadata"]["ownerReferences"][0]["kind"],
        "Application"
    );

    // A sync requested on the Argo CD object, as `argocd app sync` does, is carried out.
    fixture
        .client
        .apply_client_side(
            &json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                "metadata": {"name": "shop", "namespace": "default"},
                "operation": {"sync": {"prune": true}, "initiatedBy": {"username": "alice"}},
            }),
            ferry_engine::WriteOptions::APPLY,
        )
        .await
        .unwrap();
    let requested = std::time::Instant::now();
    loop {
        let current = fixture
            .get("argoproj.io/v1alpha1", "Application", "shop")
            .await
            .unwrap();
        let history = current["status"]["history"].as_array().map_or(0, Vec::len);
        if history == 2 && current["operation"].is_null() {
            assert_eq!(
                current["status"]["operationState"]["operation"]["initiatedBy"]["username"],
                "alice"
            );
            break;
        }
        assert!(
            requested.elapsed() < Duration::from_secs(20),
            "the requested sync was not carried out: {current:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Deleting it (with Argo CD's finalizer) deletes what it deployed, then it goes.
    fixture
        .client
        .delete(
            &fixture
                .client
                .resource(&ferry_types::Gvk::from_api_version(
                    "argoproj.io/v1alpha1",
                    "Application",
                ))
                .await
                .unwrap(),
            &ferry_types::ObjectKey {
                group: "argoproj.io".into(),
                kind: "Application".into(),
                namespace: "default".into(),
                name: "shop".into(),
            },
            false,
        )
        .await
        .unwrap();
    let deleting = std::time::Instant::now();
    while fixture
        .get("argoproj.io/v1alpha1", "Application", "shop")
        .await
        .is_some()
    {
        assert!(
            deleting.elapsed() < Duration::from_secs(20),
            "the Argo CD Application is still there"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(fixture.get("v1", "ConfigMap", "settings").await.is_none());
    assert!(
        fixture
            .get("ferry.dev/v1alpha1", "Application", "shop")
            .await
            .is_none()
    );
    fixture.stop().await.unwrap();
}
