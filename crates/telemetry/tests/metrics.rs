//! Metrics after real syncs: a controller against the local cluster reports signals,
//! `Telemetry::listen` counts them, and `render`'s output is read back with a strict
//! Prometheus text parser.

mod support;

use std::time::{Duration, Instant, SystemTime};

use ferry_telemetry::Telemetry;
use serde_json::json;
use support::cluster::{Fixture, PATIENCE, deployment};
use support::prometheus::{Exposition, parse};
use support::receiver::Receiver;

/// Renders and parses until `ready` holds (bounded); signals travel asynchronously.
async fn metrics_when(
    telemetry: &Telemetry,
    fixture: &Fixture,
    what: &str,
    ready: impl Fn(&Exposition) -> bool,
) -> Exposition {
    let started = Instant::now();
    loop {
        let apps = fixture.applications().await;
        let text = telemetry.render(&apps, SystemTime::now());
        let exposition = parse(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
        if ready(&exposition) {
            return exposition;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "metrics never showed {what}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_sync_and_a_healed_drift_show_in_the_metrics_and_notify_a_receiver() {
    let mut fixture = Fixture::start().await;
    let telemetry = Telemetry::new();
    tokio::spawn(
        telemetry
            .clone()
            .listen(fixture.signals.subscribe().unwrap()),
    );

    let receiver = Receiver::start(&[]).await;
    fixture
        .create_object(&json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "ferry-notifications", "namespace": "default"},
            "data": {"targets.yaml": format!(
                "- name: audit\n  url: {}\n  events: [sync-succeeded, drift-detected]\n",
                receiver.url("/hook")
            )}
        }))
        .await;
    let (stop_notify, notify_stopped) = tokio::sync::oneshot::channel::<()>();
    let notify = tokio::spawn(ferry_telemetry::notify::run(
        fixture.client.kube().clone(),
        "default".into(),
        fixture.signals.subscribe().unwrap(),
        async {
            let _ = notify_stopped.await;
        },
    ));

    let commit = fixture.commit(&[("web.yaml", &deployment("web", 1))]);
    fixture.start_controller();
    fixture.create_app("web").await;
    fixture
        .wait_for_app("web", "Synced and Healthy after one sync", |app| {
            app["status"]["sync"]["status"] == "Synced"
                && app["status"]["health"]["status"] == "Healthy"
                && app["status"]["history"]
                    .as_array()
                    .is_some_and(|h| h.len() == 1)
        })
        .await;

    let metrics = metrics_when(&telemetry, &fixture, "the sync", |metrics| {
        !metrics
            .find("ferry_app_sync_total", &[("app", "web")])
            .is_empty()
    })
    .await;
    let web = [
        ("app", "web"),
        ("namespace", "default"),
        ("project", "default"),
    ];
    let with = |extra: (&'static str, &'static str)| {
        let mut labels = web.to_vec();
        labels.push(extra);
        labels
    };
    assert_eq!(
        metrics.value("ferry_app_sync_total", &with(("result", "Succeeded"))),
        1.0
    );
    assert_eq!(metrics.families["ferry_app_sync_total"].kind, "counter");
    assert_eq!(
        metrics.value("ferry_app_sync_duration_seconds_count", &web),
        1.0
    );
    assert_eq!(
        metrics.value(
            "ferry_app_sync_duration_seconds_bucket",
            &with(("le", "+Inf"))
        ),
        1.0
    );
    assert!(metrics.value("ferry_app_reconcile_duration_seconds_count", &web) >= 1.0);
    let repo = format!("file://{}", fixture.repo().display());
    assert!(
        metrics.value(
            "ferry_git_request_duration_seconds_count",
            &[("repo", &repo), ("result", "success")]
        ) >= 1.0
    );
    let info = metrics.find("ferry_app_info", &web);
    assert_eq!(info.len(), 1);
    assert_eq!(info[0].value, 1.0);
    assert_eq!(info[0].labels["sync_status"], "Synced");
    assert_eq!(info[0].labels["health_status"], "Healthy");
    assert_eq!(info[0].labels["revision"], commit);
    assert_eq!(info[0].labels["dest_namespace"], "default");
    assert_eq!(metrics.value("ferry_dora_deployments", &web), 1.0);
    assert_eq!(metrics.value("ferry_dora_failed_deployments", &web), 0.0);
    assert_eq!(metrics.value("ferry_dora_change_failure_rate", &web), 0.0);
    assert_eq!(
        metrics.value("ferry_dora_deployment_frequency_per_day", &web),
        1.0 / 7.0
    );
    assert_eq!(metrics.value("ferry_dora_window_seconds", &[]), 604_800.0);
    assert!(
        metrics
            .find("ferry_dora_time_to_restore_seconds", &web)
            .is_empty()
    );

    let delivered = receiver.wait_for("/hook", 1).await;
    let payload = delivered[0].json();
    assert_eq!(payload["event"], "sync-succeeded");
    assert_eq!(payload["app"]["name"], "web");
    assert_eq!(payload["revision"], commit.as_str());

    // Someone scales the Deployment: drift is detected and healed by a re-sync, which is a
    // sync but not a new deployment.
    fixture
        .patch_deployment("web", json!({"spec": {"replicas": 3}}))
        .await;
    let metrics = metrics_when(&telemetry, &fixture, "the healed drift", |metrics| {
        !metrics
            .find("ferry_drift_healed_total", &[("app", "web")])
            .is_empty()
    })
    .await;
    assert!(metrics.value("ferry_drift_detected_total", &web) >= 1.0);
    assert!(metrics.value("ferry_drift_healed_total", &web) >= 1.0);
    assert!(metrics.value("ferry_app_sync_total", &with(("result", "Succeeded"))) >= 2.0);
    assert_eq!(metrics.value("ferry_dora_deployments", &web), 1.0);
    let drift = receiver.wait_for("/hook", 2).await;
    assert!(
        drift
            .iter()
            .any(|request| request.json()["event"] == "drift-detected")
    );

    let _ = stop_notify.send(());
    notify.await.unwrap();
    fixture.stop().await;
}
