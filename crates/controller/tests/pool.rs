//! The worker pool and leader election, end to end on a local cluster: an app whose Git
//! server never answers holds up no other app and is abandoned at its fetch deadline; two
//! controllers sharing one cluster take turns through a Lease.

mod support;

use std::time::{Duration, Instant};

use ferry_controller::{LeaderElection, Signal, Signals};
use serde_json::json;
use support::{
    Fixture, PATIENCE, config_map, health_status, history, spawn_controller, sync_status,
};

const POLL: Duration = Duration::from_millis(500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_whose_git_server_never_answers_does_not_delay_another_and_times_out() {
    // A git:// "server" that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let fixture = Fixture::start_with(POLL, |config| {
        config.workers = 2;
        config.fetch_timeout = Duration::from_secs(4);
    })
    .await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    fixture
        .create_app_from(
            "stuck",
            &format!("git://127.0.0.1:{port}/repo"),
            json!({"syncPolicy": {"automated": {}}}),
        )
        .await;
    // Let the stuck app's fetch begin first.
    let (_connection, _) = silent.accept().unwrap();
    fixture
        .create_app("shop", json!({"syncPolicy": {"automated": {}}}))
        .await;
    fixture
        .wait_for("shop", "Synced while the other app's fetch hangs", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;
    // The stuck app has not been compared yet: its fetch is still waiting on the silent server.
    let stuck = fixture.app("stuck").await;
    assert!(
        stuck["status"]["reconciledAt"].is_null(),
        "{}",
        serde_json::to_string_pretty(&stuck).unwrap()
    );
    let stuck = fixture
        .wait_for("stuck", "given up with a condition", |app| {
            app["status"]["conditions"][0]["type"] == "ComparisonError"
        })
        .await;
    let message = stuck["status"]["conditions"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("abandoned"), "{message}");
    assert_eq!(sync_status(&stuck), "Unknown");
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_lease_holder_reconciles_and_the_other_takes_over_when_it_stops() {
    let election = |identity: &str| LeaderElection {
        lease_duration: Duration::from_secs(3),
        renew_period: Duration::from_millis(300),
        ..LeaderElection::new("default", identity)
    };
    let first_signals = Signals::new(1024);
    let mut fixture = Fixture::start_with(POLL, |config| {
        config.leader_election = Some(election("first"));
        config.signals = first_signals.clone();
    })
    .await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    // The first controller takes the Lease before the second starts.
    wait_for_holder(&fixture, "first").await;
    let second_signals = Signals::new(1024);
    let mut second_listener = second_signals.subscribe().unwrap();
    let mut second_config = fixture.config();
    second_config.leader_election = Some(election("second"));
    second_config.signals = second_signals.clone();
    second_config.cache_dir = fixture.dir.path().join("second-cache");
    let (stop_second, second) = spawn_controller(second_config);

    fixture
        .create_app("shop", json!({"syncPolicy": {"automated": {}}}))
        .await;
    let app = fixture
        .wait_for("shop", "Synced by the leader", |app| {
            sync_status(app) == "Synced" && health_status(app) == "Healthy"
        })
        .await;
    assert_eq!(history(&app).len(), 1);
    assert!(
        second_listener.try_recv().is_err(),
        "the follower reconciled while the first controller led"
    );
    assert_eq!(lease_holder(&fixture).await, "first");

    fixture.stop_controller().await.unwrap();
    wait_for_holder(&fixture, "second").await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    fixture
        .patch_app(
            "shop",
            json!({"metadata": {"annotations": {"ferry.dev/refresh": "normal"}}}),
        )
        .await;
    let app = fixture
        .wait_for(
            "shop",
            "synced at the new commit by the new leader",
            |app| sync_status(app) == "Synced" && history(app).len() == 2,
        )
        .await;
    assert_eq!(history(&app)[1]["initiatedBy"]["automated"], true);
    let mut reconciled = false;
    while let Ok(signal) = second_listener.try_recv() {
        reconciled |= matches!(signal, Signal::Reconciled { .. });
    }
    assert!(reconciled, "the second controller never reconciled");
    let _ = stop_second.send(());
    tokio::task::spawn_blocking(move || second.join().unwrap())
        .await
        .unwrap()
        .unwrap();
}

async fn lease_holder(fixture: &Fixture) -> String {
    let resource = fixture
        .client
        .resource(&ferry_types::Gvk::from_api_version(
            "coordination.k8s.io/v1",
            "Lease",
        ))
        .await
        .unwrap();
    fixture
        .client
        .get(&resource, "default", ferry_controller::LEASE_NAME)
        .await
        .unwrap()
        .and_then(|lease| lease["spec"]["holderIdentity"].as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn wait_for_holder(fixture: &Fixture, identity: &str) {
    let started = Instant::now();
    loop {
        if lease_holder(fixture).await == identity {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{identity} never held the Lease"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `git daemon` serving `base` on `port`, until killed. Started as `git-daemon` itself
/// (`git daemon` would run it as a child that outlives a kill).
fn git_daemon(base: &std::path::Path, port: u16) -> std::process::Child {
    let exec_path = ferry_testkit::git(base, &["--exec-path"]);
    std::process::Command::new(std::path::Path::new(&exec_path).join("git-daemon"))
        .args([
            "--reuseaddr",
            "--export-all",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={}", base.display()),
        ])
        .arg(base)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("git daemon starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_git_server_keeps_the_deployed_state_with_a_condition_until_it_is_back() {
    let fixture = Fixture::start(POLL).await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    let port = free_port();
    let mut daemon = git_daemon(fixture.dir.path(), port);
    fixture
        .create_app_from(
            "shop",
            &format!("git://127.0.0.1:{port}/repo"),
            json!({"syncPolicy": {"automated": {}}}),
        )
        .await;
    fixture
        .wait_for("shop", "synced over git://", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;

    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let app = fixture
        .wait_for(
            "shop",
            "with a condition saying Git is unreachable",
            |app| app["status"]["conditions"][0]["type"] == "ComparisonError",
        )
        .await;
    let message = app["status"]["conditions"][0]["message"].as_str().unwrap();
    assert!(message.contains(&port.to_string()), "{message}");
    // What was deployed stays deployed, and the history is untouched.
    assert_eq!(history(&app).len(), 1);
    let settings = fixture.get("v1", "ConfigMap", "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "one");

    fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    let mut daemon = git_daemon(fixture.dir.path(), port);
    let app = fixture
        .wait_for("shop", "synced at the new commit once Git is back", |app| {
            sync_status(app) == "Synced" && history(app).len() == 2
        })
        .await;
    assert!(
        app["status"]["conditions"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{}",
        app["status"]["conditions"]
    );
    let settings = fixture.get("v1", "ConfigMap", "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "two");
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    fixture.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_api_with_dropped_watches_and_compaction_loses_no_sync_and_no_history() {
    use ferry_cluster::fault::{FaultSpec, Scope};
    let fixture = Fixture::start_with(POLL, |config| {
        config.poll_interval = Duration::from_secs(600)
    })
    .await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))]);
    let state = fixture.cluster.running.state.clone();
    let add = |spec: FaultSpec| {
        let state = state.clone();
        async move {
            tokio::task::spawn_blocking(move || state.faults.add(spec, None, &state.store))
                .await
                .unwrap()
        }
    };
    // A third of the writes, lists and watches fail with 503 or 429 (the test's own reads,
    // GETs, are left alone); every watch is cut after a second; history is compacted every
    // two seconds, so resumed watches get 410 Gone.
    let writes = Scope {
        verbs: ["list", "watch", "patch", "update", "create", "delete"]
            .map(String::from)
            .to_vec(),
        resources: Vec::new(),
    };
    add(FaultSpec::Errors {
        code: 503,
        fraction: 0.2,
        retry_after: Duration::from_secs(1),
        scope: writes.clone(),
    })
    .await;
    add(FaultSpec::Errors {
        code: 429,
        fraction: 0.1,
        retry_after: Duration::from_secs(1),
        scope: writes,
    })
    .await;
    add(FaultSpec::DropWatches {
        after: Duration::from_secs(1),
    })
    .await;
    add(FaultSpec::Compaction {
        every: Some(Duration::from_secs(2)),
    })
    .await;

    fixture
        .create_app(
            "shop",
            json!({"syncPolicy": {"automated": {"selfHeal": true}}}),
        )
        .await;
    fixture
        .wait_for("shop", "synced despite the faults", |app| {
            sync_status(app) == "Synced" && history(app).len() == 1
        })
        .await;
    // A refresh request reaches the controller through a watch that keeps being cut.
    let revision = fixture.commit(&[("settings.yaml", &config_map("settings", "two"))]);
    fixture
        .patch_app(
            "shop",
            json!({"metadata": {"annotations": {"ferry.dev/refresh": "normal"}}}),
        )
        .await;
    let app = fixture
        .wait_for(
            "shop",
            "synced at the new commit despite the faults",
            |app| {
                sync_status(app) == "Synced"
                    && app["status"]["sync"]["revision"] == revision.as_str()
            },
        )
        .await;
    let history = history(&app);
    assert_eq!(history.len(), 2, "{history:#?}");
    assert_eq!(history[1]["revision"], revision.as_str());
    assert!(history.iter().all(|entry| entry["result"] == "Succeeded"));
    state.faults.clear();
    fixture.stop().await.unwrap();
}
