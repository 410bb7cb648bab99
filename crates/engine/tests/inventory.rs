//! The inventory, app-level `PruneLast=true`, per-object `ServerSideApply=false` and
//! `ignoreDifferences` through diff and sync, against the local cluster.

mod support;

use std::time::Duration;

use ferry_engine::{INVENTORY_ANNOTATION, ObjectAction, SyncOptions, SyncResult, WriteOptions};
use ferry_types::{Application, OperationPhase};
use serde_json::{Value, json};
use support::{Fixture, config_map};

fn options(prune: bool) -> SyncOptions {
    SyncOptions {
        prune,
        timeout: Duration::from_secs(20),
        poll_interval: Duration::from_millis(50),
        ..SyncOptions::default()
    }
}

async fn sync(fixture: &Fixture, app: &Application, options: &SyncOptions) -> SyncResult {
    let rendered = fixture.render(app).await;
    let result = ferry_engine::sync(app, &rendered, &fixture.client, options, &mut |_| {}).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    result
}

fn actions(result: &SyncResult) -> Vec<String> {
    result
        .objects
        .iter()
        .map(|object| format!("{} {}", object.action.as_str(), object.key))
        .collect()
}

const LEASE: &str = "apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: leader
spec:
  holderIdentity: shop-0
";

async fn inventory_lines(fixture: &Fixture) -> Vec<String> {
    let inventory = fixture
        .get("v1", "ConfigMap", "default", "ferry-inventory-shop")
        .await
        .expect("the inventory is written");
    assert_eq!(
        inventory["metadata"]["annotations"][INVENTORY_ANNOTATION],
        "shop"
    );
    assert!(
        inventory["metadata"]["annotations"]["ferry.dev/tracking-id"].is_null(),
        "the inventory is not an object of the app"
    );
    inventory["data"]["objects"]
        .as_str()
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_lease_outside_the_default_listing_is_pruned_via_the_inventory() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("settings.yaml", &config_map("settings", "1")),
            ("lease.yaml", LEASE),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    sync(&fixture, &app, &options(false)).await;
    assert_eq!(
        inventory_lines(&fixture).await,
        [
            "/ConfigMap/default/settings",
            "coordination.k8s.io/Lease/default/leader"
        ]
    );

    // Leases are never listed unless the app declares one: only the inventory knows it.
    fixture.commit(&[], &["lease.yaml"]);
    let result = sync(&fixture, &app, &options(true)).await;
    assert_eq!(
        actions(&result),
        [
            "unchanged ConfigMap/default/settings",
            "pruned coordination.k8s.io/Lease/default/leader"
        ]
    );
    assert!(
        !fixture
            .exists("coordination.k8s.io/v1", "Lease", "default", "leader")
            .await
    );
    assert_eq!(
        inventory_lines(&fixture).await,
        ["/ConfigMap/default/settings"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inventory_entry_whose_object_lost_its_tracking_annotation_is_not_pruned() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("kept.yaml", &config_map("kept", "1")),
            ("adopted.yaml", &config_map("adopted", "1")),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    sync(&fixture, &app, &options(false)).await;
    // Someone takes the object over: the tracking annotation goes.
    fixture
        .client
        .apply_client_side(
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "adopted", "namespace": "default",
                             "annotations": {"ferry.dev/tracking-id": null}}}),
            WriteOptions::APPLY,
        )
        .await
        .unwrap();
    fixture.commit(&[], &["adopted.yaml"]);

    let result = sync(&fixture, &app, &options(true)).await;
    assert_eq!(actions(&result), ["unchanged ConfigMap/default/kept"]);
    assert!(
        fixture
            .exists("v1", "ConfigMap", "default", "adopted")
            .await
    );
    assert_eq!(inventory_lines(&fixture).await, ["/ConfigMap/default/kept"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_level_prune_last_prunes_after_every_wave() {
    let fixture = Fixture::start().await;
    let late = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  annotations: {argocd.argoproj.io/sync-wave: \"3\"}\ndata: {value: late}\n";
    fixture.commit(
        &[
            ("early.yaml", &config_map("early", "1")),
            ("late.yaml", late),
            ("gone.yaml", &config_map("gone", "1")),
        ],
        &[],
    );
    let app = fixture.app(
        "shop",
        "default",
        json!({"syncPolicy": {"syncOptions": ["PruneLast=true"]}}),
    );
    sync(&fixture, &app, &options(false)).await;
    fixture.commit(&[], &["gone.yaml"]);

    let result = sync(&fixture, &app, &options(true)).await;
    assert_eq!(
        actions(&result),
        [
            "unchanged ConfigMap/default/early",
            "unchanged ConfigMap/default/late",
            "pruned ConfigMap/default/gone"
        ]
    );
    assert_eq!(result.objects[2].wave, i64::MAX);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_saying_server_side_apply_false_is_created_and_merge_patched() {
    let fixture = Fixture::start().await;
    let manifest = |value: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: classic\n  annotations: {{argocd.argoproj.io/sync-options: ServerSideApply=false}}\ndata: {{value: {value:?}}}\n"
        )
    };
    fixture.commit(&[("classic.yaml", &manifest("1"))], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let first = sync(&fixture, &app, &options(false)).await;
    assert_eq!(actions(&first), ["created ConfigMap/default/classic"]);
    fixture.commit(&[("classic.yaml", &manifest("2"))], &[]);
    let second = sync(&fixture, &app, &options(false)).await;
    assert_eq!(second.objects[0].action, ObjectAction::Configured);
    let live = fixture
        .get("v1", "ConfigMap", "default", "classic")
        .await
        .unwrap();
    assert_eq!(live["data"]["value"], "2");
    let operations: Vec<&str> = live["metadata"]["managedFields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .filter_map(|field| field["operation"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(!operations.contains(&"Apply"), "{operations:?}");
}

/// Someone (not ferry) scales the Deployment to 3.
async fn scale_by_hand(fixture: &Fixture) {
    use k8s_openapi::api::apps::v1::Deployment;
    use kube::api::{Api, Patch, PatchParams};
    let api: Api<Deployment> = Api::namespaced(fixture.client.kube().clone(), "default");
    let params = PatchParams {
        field_manager: Some("kubectl-scale".into()),
        ..PatchParams::default()
    };
    api.patch(
        "web",
        &params,
        &Patch::Merge(json!({"spec": {"replicas": 3}})),
    )
    .await
    .unwrap();
}

async fn replicas(fixture: &Fixture) -> Value {
    fixture
        .get("apps/v1", "Deployment", "default", "web")
        .await
        .unwrap()["spec"]["replicas"]
        .clone()
}

fn ignoring_replicas(fixture: &Fixture, sync_options: &[&str]) -> Application {
    fixture.app(
        "shop",
        "default",
        json!({
            "ignoreDifferences": [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}],
            "syncPolicy": {"syncOptions": sync_options},
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignored_replicas_show_synced_and_are_kept_only_with_respect_ignore_differences() {
    let fixture = Fixture::start_with_controllers().await;
    fixture.commit(&[("web.yaml", &ferry_testkit::deployment("web"))], &[]);
    let respecting = ignoring_replicas(&fixture, &["RespectIgnoreDifferences=true"]);
    sync(&fixture, &respecting, &options(false)).await;
    scale_by_hand(&fixture).await;
    assert_eq!(replicas(&fixture).await, 3);

    let rendered = fixture.render(&respecting).await;
    let comparisons = ferry_engine::diff(&respecting, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(comparisons.len(), 1);
    assert!(comparisons[0].is_synced(), "{comparisons:#?}");

    let kept = sync(&fixture, &respecting, &options(false)).await;
    assert_eq!(kept.objects[0].action, ObjectAction::Unchanged);
    assert_eq!(
        replicas(&fixture).await,
        3,
        "the ignored field is not overwritten"
    );

    let plain = ignoring_replicas(&fixture, &[]);
    sync(&fixture, &plain, &options(false)).await;
    assert_eq!(
        replicas(&fixture).await,
        1,
        "without the option Git's value is restored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_true_recreates_an_object_whose_change_the_server_refuses() {
    let fixture = Fixture::start().await;
    let manifest = |value: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\n  annotations: {{argocd.argoproj.io/sync-options: Force=true}}\nimmutable: true\ndata: {{value: {value:?}}}\n"
        )
    };
    fixture.commit(&[("frozen.yaml", &manifest("1"))], &[]);
    let app = fixture.app("shop", "default", json!({}));
    sync(&fixture, &app, &options(false)).await;
    let before = fixture
        .get("v1", "ConfigMap", "default", "frozen")
        .await
        .unwrap();
    fixture.commit(&[("frozen.yaml", &manifest("2"))], &[]);

    sync(&fixture, &app, &options(false)).await;
    let after = fixture
        .get("v1", "ConfigMap", "default", "frozen")
        .await
        .unwrap();
    assert_eq!(after["data"]["value"], "2");
    assert_ne!(after["metadata"]["uid"], before["metadata"]["uid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inventory_names_every_object_of_a_sync_before_the_first_wave_finishes() {
    // No workload controllers: the Deployment of wave 0 never becomes Available, so the sync
    // waits there until its timeout, and wave 1 is never applied.
    let fixture = Fixture::start().await;
    let late = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  annotations: {argocd.argoproj.io/sync-wave: \"1\"}\ndata: {value: late}\n";
    fixture.commit(
        &[
            ("web.yaml", &ferry_testkit::deployment("web")),
            ("late.yaml", late),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    let rendered = fixture.render(&app).await;
    let client = fixture.client.clone();
    let waiting = SyncOptions {
        timeout: Duration::from_secs(6),
        ..options(false)
    };
    let sync = tokio::spawn(async move {
        ferry_engine::sync(&app, &rendered, &client, &waiting, &mut |_| {}).await
    });

    let mut written = None;
    for _ in 0..100 {
        if fixture
            .get("v1", "ConfigMap", "default", "ferry-inventory-shop")
            .await
            .is_some()
        {
            written = Some(sync.is_finished());
            break;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert_eq!(written, Some(false), "written while wave 0 still waits");
    assert_eq!(
        inventory_lines(&fixture).await,
        ["/ConfigMap/default/late", "apps/Deployment/default/web"],
        "the object of wave 1, not applied yet, is named too"
    );
    let result = sync.await.unwrap();
    assert_eq!(result.phase, OperationPhase::Failed, "{result:#?}");
    assert!(!fixture.exists("v1", "ConfigMap", "default", "late").await);
}
