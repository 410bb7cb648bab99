//! Notifications delivered to receivers on 127.0.0.1, with targets from a ConfigMap in the
//! local cluster: generic and Slack payloads, event filters, and a retry after a 500.

mod support;

use std::time::Duration;

use ferry_controller::{AppRef, Signal, Signals};
use ferry_telemetry::notify::{Options, RetryPolicy, run_with};
use ferry_types::{HealthStatusCode, OperationPhase};
use serde_json::json;
use support::cluster::Fixture;
use support::receiver::Receiver;

fn app() -> AppRef {
    AppRef {
        namespace: "default".into(),
        name: "listings".into(),
        project: "estate".into(),
    }
}

fn sync(phase: OperationPhase, dry_run: bool) -> Signal {
    Signal::SyncFinished {
        app: app(),
        phase,
        duration: Duration::from_secs(2),
        revision: "0123456789abcdef0123456789abcdef01234567".into(),
        automated: true,
        username: String::new(),
        message: "one or more objects failed to apply".into(),
        dry_run,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_generic_and_slack_targets_and_a_500_is_retried() {
    let fixture = Fixture::start().await;
    // The first request anywhere is answered 500, every later one 200.
    let receiver = Receiver::start(&[500]).await;
    let targets = format!(
        "- name: audit\n  url: {}\n\
         - name: chat\n  url: {}\n  format: slack\n  events: [sync-failed, health-degraded]\n\
         - name: others\n  url: {}\n  apps: [\"valuation-*\"]\n",
        receiver.url("/generic"),
        receiver.url("/slack/T000/B000/secret"),
        receiver.url("/others"),
    );
    fixture
        .create_object(&json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "ferry-notifications", "namespace": "default"},
            "data": {"targets.yaml": targets}
        }))
        .await;

    let signals = Signals::new(64);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = Options {
        retry: RetryPolicy {
            attempts: 3,
            base: Duration::from_millis(50),
            max: Duration::from_millis(200),
            timeout: Duration::from_secs(5),
        },
        ..Options::default()
    };
    let notifier = tokio::spawn(run_with(
        fixture.client.kube().clone(),
        "default".into(),
        signals.subscribe().unwrap(),
        async {
            let _ = stopped.await;
        },
        options,
    ));

    signals.send(sync(OperationPhase::Succeeded, false));
    let generic = receiver.wait_for("/generic", 2).await;
    assert_eq!(generic[0].answered, 500);
    assert_eq!(generic[1].answered, 200);
    assert_eq!(generic[0].body, generic[1].body);
    let payload = generic[1].json();
    assert_eq!(payload["event"], "sync-succeeded");
    assert_eq!(
        payload["app"],
        json!({"name": "listings", "namespace": "default", "project": "estate"})
    );
    assert!(
        generic[1]
            .headers
            .iter()
            .any(|(name, value)| name == "content-type" && value == "application/json")
    );

    signals.send(sync(OperationPhase::Failed, false));
    signals.send(sync(OperationPhase::Succeeded, true));
    signals.send(Signal::HealthChanged {
        app: app(),
        from: HealthStatusCode::Healthy,
        to: HealthStatusCode::Degraded,
        revision: String::new(),
    });
    signals.send(Signal::DriftDetected {
        app: app(),
        objects: vec!["Deployment/default/listings".into()],
    });
    let generic = receiver.wait_for("/generic", 5).await;
    let events: Vec<String> = generic[2..]
        .iter()
        .map(|request| request.json()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["sync-failed", "health-degraded", "drift-detected"]);

    let slack = receiver.wait_for("/slack", 2).await;
    let failed = slack[0].json();
    assert_eq!(
        failed["text"],
        ":x: ferry: sync of listings failed at 0123456 (started by automation)"
    );
    assert_eq!(failed["attachments"][0]["color"], "danger");
    assert_eq!(
        slack[1].json()["text"],
        ":warning: ferry: listings is Degraded (was Healthy)"
    );

    let _ = stop.send(());
    notifier.await.unwrap();
    // Nothing more arrived: the dry run notified nobody, and `others` wants other apps.
    assert_eq!(receiver.wait_for("/generic", 5).await.len(), 5);
    assert_eq!(receiver.wait_for("/slack", 2).await.len(), 2);
    assert!(
        receiver
            .received()
            .iter()
            .all(|request| !request.request_line.contains("/others"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_config_map_signals_are_consumed_and_nothing_is_sent() {
    let fixture = Fixture::start().await;
    let signals = Signals::new(8);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let notifier = tokio::spawn(ferry_telemetry::notify::run(
        fixture.client.kube().clone(),
        "default".into(),
        signals.subscribe().unwrap(),
        async {
            let _ = stopped.await;
        },
    ));
    for _ in 0..20 {
        signals.send(sync(OperationPhase::Failed, false));
    }
    let _ = stop.send(());
    notifier.await.unwrap();
}
