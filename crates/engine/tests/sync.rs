//! `sync` against the local cluster over HTTPS, with a real Git repository.

mod support;

use std::time::Duration;

use ferry_engine::{ObjectAction, SyncEvent, SyncOptions, SyncResult};
use ferry_types::OperationPhase;
use serde_json::{Value, json};
use support::{Fixture, config_map};

fn options() -> SyncOptions {
    SyncOptions {
        timeout: Duration::from_secs(20),
        poll_interval: Duration::from_millis(50),
        ..SyncOptions::default()
    }
}

async fn sync(
    fixture: &Fixture,
    app: &ferry_types::Application,
    options: &SyncOptions,
) -> (SyncResult, Vec<SyncEvent>) {
    let rendered = fixture.render(app).await;
    let mut events = Vec::new();
    let result = ferry_engine::sync(app, &rendered, &fixture.client, options, &mut |event| {
        events.push(event.clone())
    })
    .await;
    (result, events)
}

/// `action key` per object, as a table would print them.
fn actions(result: &SyncResult) -> Vec<String> {
    result
        .objects
        .iter()
        .map(|object| format!("{} {}", object.action.as_str(), object.key))
        .collect()
}

fn resource_version(object: &Value) -> u64 {
    object["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
";

const LATE_CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: late
  annotations: {argocd.argoproj.io/sync-wave: \"1\"}
data: {value: late}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_creates_everything_in_order_and_a_resync_changes_nothing() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("service.yaml", SERVICE),
            ("settings.yaml", &config_map("settings", "one")),
            ("late.yaml", LATE_CONFIG_MAP),
        ],
        &[],
    );
    let app = fixture.app(
        "shop",
        "shop",
        json!({"syncPolicy": {"syncOptions": ["CreateNamespace=true"]}}),
    );
    let (result, events) = sync(&fixture, &app, &options()).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    assert_eq!(
        actions(&result),
        [
            "created Namespace/shop",
            "created ConfigMap/shop/settings",
            "created Service/shop/web",
            "created ConfigMap/shop/late",
        ]
    );
    assert_eq!(result.message, "synced: 4 created");
    assert!(result.is_synced_and_healthy());
    assert!(events.contains(&SyncEvent::Validated {
        accepted: 1,
        deferred: 3,
        rejected: 0
    }));
    let settings = fixture
        .get("v1", "ConfigMap", "shop", "settings")
        .await
        .unwrap();
    let service = fixture.get("v1", "Service", "shop", "web").await.unwrap();
    let late = fixture
        .get("v1", "ConfigMap", "shop", "late")
        .await
        .unwrap();
    assert!(resource_version(&settings) < resource_version(&service));
    assert!(resource_version(&service) < resource_version(&late));
    assert_eq!(
        settings["metadata"]["annotations"]["ferry.dev/tracking-id"],
        "shop:/ConfigMap:shop/settings"
    );

    let (again, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(again.phase, OperationPhase::Succeeded, "{again:#?}");
    assert!(
        again.objects[1..]
            .iter()
            .all(|object| object.action == ObjectAction::Unchanged),
        "{:?}",
        actions(&again)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_git_change_is_applied_and_reported_configured() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let (first, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(actions(&first), ["created ConfigMap/default/settings"]);

    fixture.commit(&[("settings.yaml", &config_map("settings", "two"))], &[]);
    let (second, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(second.phase, OperationPhase::Succeeded, "{second:#?}");
    assert_eq!(actions(&second), ["configured ConfigMap/default/settings"]);
    let live = fixture
        .get("v1", "ConfigMap", "default", "settings")
        .await
        .unwrap();
    assert_eq!(live["data"]["value"], "two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_manifest_is_pruned_only_with_prune() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("kept.yaml", &config_map("kept", "1")),
            ("gone.yaml", &config_map("gone", "1")),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    sync(&fixture, &app, &options()).await;
    fixture.commit(&[], &["gone.yaml"]);

    let (without, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(without.phase, OperationPhase::Succeeded, "{without:#?}");
    assert_eq!(
        actions(&without),
        [
            "unchanged ConfigMap/default/kept",
            "skipped ConfigMap/default/gone"
        ]
    );
    assert_eq!(without.objects[1].message, "pruning is off for this sync");
    assert!(fixture.exists("v1", "ConfigMap", "default", "gone").await);

    let prune = SyncOptions {
        prune: true,
        ..options()
    };
    let (with, _) = sync(&fixture, &app, &prune).await;
    assert_eq!(
        actions(&with),
        [
            "unchanged ConfigMap/default/kept",
            "pruned ConfigMap/default/gone"
        ]
    );
    assert!(!fixture.exists("v1", "ConfigMap", "default", "gone").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untracked_object_with_the_same_labels_is_never_pruned() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))], &[]);
    let app = fixture.app("shop", "default", json!({}));
    sync(&fixture, &app, &options()).await;
    let copied_annotation = fixture
        .get("v1", "ConfigMap", "default", "settings")
        .await
        .unwrap()["metadata"]["annotations"]
        .clone();
    fixture
        .create(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "lookalike", "namespace": "default", "labels": {"app": "shop"},
                         "annotations": copied_annotation},
            "data": {"value": "mine"}}))
        .await;
    fixture
        .create(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "stranger", "namespace": "default", "labels": {"app": "shop"}}}))
        .await;

    let prune = SyncOptions {
        prune: true,
        ..options()
    };
    let (result, _) = sync(&fixture, &app, &prune).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    assert_eq!(actions(&result), ["unchanged ConfigMap/default/settings"]);
    assert!(
        fixture
            .exists("v1", "ConfigMap", "default", "lookalike")
            .await
    );
    assert!(
        fixture
            .exists("v1", "ConfigMap", "default", "stranger")
            .await
    );
}

const INVALID_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_invalid_object_means_nothing_is_applied() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("settings.yaml", &config_map("settings", "one")),
            ("web.yaml", INVALID_DEPLOYMENT),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    let (result, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(result.phase, OperationPhase::Failed, "{result:#?}");
    assert_eq!(
        actions(&result),
        [
            "skipped ConfigMap/default/settings",
            "failed apps/Deployment/default/web"
        ]
    );
    assert!(
        result
            .message
            .starts_with("nothing applied: 1 object(s) rejected: apps/Deployment/default/web: ")
            && result.message.contains("spec.replicas")
            && result
                .message
                .contains("must be greater than or equal to 0"),
        "{}",
        result.message
    );
    assert!(
        !fixture
            .exists("v1", "ConfigMap", "default", "settings")
            .await
    );
    assert!(
        !fixture
            .exists("apps/v1", "Deployment", "default", "web")
            .await
    );
}

fn hook(name: &str, phase: &str, policy: Option<&str>) -> String {
    let policy = policy
        .map(|policy| format!("\n    argocd.argoproj.io/hook-delete-policy: {policy}"))
        .unwrap_or_default();
    let identity = if name.ends_with('-') {
        format!("generateName: {name}")
    } else {
        format!("name: {name}")
    };
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  {identity}\n  annotations:\n    argocd.argoproj.io/hook: {phase}{policy}\ndata: {{phase: {phase}}}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_run_once_per_sync_in_their_phase_and_are_deleted_per_policy() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("pre.yaml", &hook("migrate", "PreSync", None)),
            ("main.yaml", &config_map("settings", "one")),
            (
                "post.yaml",
                &hook("smoke", "PostSync", Some("HookSucceeded")),
            ),
            ("report.yaml", &hook("report-", "PostSync", None)),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    let (result, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    let phases: Vec<String> = result
        .objects
        .iter()
        .map(|object| {
            format!(
                "{} {} {}",
                ferry_engine::phase_text(object.phase),
                object.action.as_str(),
                object.key.name
            )
        })
        .collect();
    assert_eq!(phases[0], "PreSync hook migrate");
    assert_eq!(phases[1], "Sync created settings");
    assert!(phases[2].starts_with("PostSync hook report-"), "{phases:?}");
    assert_eq!(phases[3], "PostSync hook smoke");
    assert_eq!(
        result.objects[3].message,
        "created; deleted after it succeeded (HookSucceeded)"
    );
    let migrate = fixture
        .get("v1", "ConfigMap", "default", "migrate")
        .await
        .unwrap();
    let settings = fixture
        .get("v1", "ConfigMap", "default", "settings")
        .await
        .unwrap();
    assert!(resource_version(&migrate) < resource_version(&settings));
    assert!(!fixture.exists("v1", "ConfigMap", "default", "smoke").await);

    let (again, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(again.phase, OperationPhase::Succeeded, "{again:#?}");
    let migrate_again = fixture
        .get("v1", "ConfigMap", "default", "migrate")
        .await
        .unwrap();
    assert_ne!(
        migrate_again["metadata"]["uid"], migrate["metadata"]["uid"],
        "BeforeHookCreation replaces the hook on every sync"
    );
    assert_ne!(result.objects[2].key.name, again.objects[2].key.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_waits_for_health_and_a_timeout_names_the_object() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("web.yaml", &ferry_testkit::deployment("web")),
            ("late.yaml", LATE_CONFIG_MAP),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    let short = SyncOptions {
        timeout: Duration::from_secs(2),
        ..options()
    };
    let (result, _) = sync(&fixture, &app, &short).await;
    assert_eq!(result.phase, OperationPhase::Failed, "{result:#?}");
    assert!(
        result.message.starts_with(
            "timed out in Sync wave 0 waiting for apps/Deployment/default/web: Progressing: "
        ),
        "{}",
        result.message
    );
    assert_eq!(
        actions(&result),
        [
            "created apps/Deployment/default/web",
            "skipped ConfigMap/default/late"
        ]
    );
    assert!(!fixture.exists("v1", "ConfigMap", "default", "late").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_changes_nothing_and_says_what_would_happen() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("kept.yaml", &config_map("kept", "1")),
            ("gone.yaml", &config_map("gone", "1")),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    sync(&fixture, &app, &options()).await;
    fixture.commit(
        &[
            ("kept.yaml", &config_map("kept", "2")),
            ("new.yaml", &config_map("new", "1")),
        ],
        &["gone.yaml"],
    );
    let dry_run = SyncOptions {
        dry_run: true,
        prune: true,
        ..options()
    };
    let (result, _) = sync(&fixture, &app, &dry_run).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    assert!(result.dry_run);
    assert_eq!(
        actions(&result),
        [
            "configured ConfigMap/default/kept",
            "created ConfigMap/default/new",
            "pruned ConfigMap/default/gone"
        ]
    );
    assert_eq!(
        result.message,
        "dry run, nothing changed: would configure 1, create 1, prune 1"
    );
    let kept = fixture
        .get("v1", "ConfigMap", "default", "kept")
        .await
        .unwrap();
    assert_eq!(kept["data"]["value"], "1");
    assert!(!fixture.exists("v1", "ConfigMap", "default", "new").await);
    assert!(fixture.exists("v1", "ConfigMap", "default", "gone").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_is_retried_with_backoff_up_to_the_limit() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("web.yaml", INVALID_DEPLOYMENT)], &[]);
    let app = fixture.app(
        "shop",
        "default",
        json!({"syncPolicy": {"retry": {"limit": 2, "backoff": {"duration": "50ms", "factor": 2, "maxDuration": "1s"}}}}),
    );
    let (result, events) = sync(&fixture, &app, &options()).await;
    assert_eq!(result.phase, OperationPhase::Failed);
    assert_eq!(result.attempts, 3);
    let delays: Vec<Duration> = events
        .iter()
        .filter_map(|event| match event {
            SyncEvent::Retry { after, .. } => Some(*after),
            _ => None,
        })
        .collect();
    assert_eq!(
        delays,
        [Duration::from_millis(50), Duration::from_millis(100)]
    );
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
";

const WIDGET: &str = "apiVersion: example.com/v1
kind: Widget
metadata:
  name: gadget
spec: {size: 3}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_is_established_before_its_custom_resources_in_the_same_sync() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("crd.yaml", CRD), ("widget.yaml", WIDGET)], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let (result, events) = sync(&fixture, &app, &options()).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    assert_eq!(
        actions(&result),
        [
            "created apiextensions.k8s.io/CustomResourceDefinition/widgets.example.com",
            "created example.com/Widget/default/gadget"
        ]
    );
    assert!(events.contains(&SyncEvent::Validated {
        accepted: 1,
        deferred: 1,
        rejected: 0
    }));
    let widget = fixture
        .get("example.com/v1", "Widget", "default", "gadget")
        .await
        .unwrap();
    assert_eq!(widget["spec"]["size"], 3);

    fixture.commit(&[], &["widget.yaml"]);
    let prune = SyncOptions {
        prune: true,
        ..options()
    };
    let (pruned, _) = sync(&fixture, &app, &prune).await;
    assert_eq!(
        actions(&pruned),
        [
            "unchanged apiextensions.k8s.io/CustomResourceDefinition/widgets.example.com",
            "pruned example.com/Widget/default/gadget"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_carried_out_again_runs_neither_generated_nor_deleted_hooks_twice() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("main.yaml", &config_map("settings", "one")),
            (
                "post.yaml",
                &hook("smoke", "PostSync", Some("HookSucceeded")),
            ),
            ("report.yaml", &hook("report-", "PostSync", None)),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    let under = |operation: &str| SyncOptions {
        operation_id: Some(operation.into()),
        ..options()
    };
    let hooks = |result: &SyncResult| -> Vec<String> {
        result
            .objects
            .iter()
            .filter(|object| object.action == ObjectAction::Hook)
            .map(|object| format!("{} {}", object.key.name, object.message))
            .collect()
    };

    let (first, _) = sync(&fixture, &app, &under("op-1")).await;
    assert_eq!(first.phase, OperationPhase::Succeeded, "{first:#?}");
    let report = first.objects[1].key.name.clone();
    assert!(
        report.starts_with("report-") && report.len() == 12,
        "{report}"
    );
    assert_eq!(
        hooks(&first),
        [
            format!("{report} created"),
            "smoke created; deleted after it succeeded (HookSucceeded)".into()
        ]
    );

    // The same operation again, as after a controller restart: nothing runs a second time.
    let (again, _) = sync(&fixture, &app, &under("op-1")).await;
    assert_eq!(again.phase, OperationPhase::Succeeded, "{again:#?}");
    assert_eq!(
        hooks(&again),
        [
            format!("{report} exists; not run again"),
            "smoke finished earlier in this operation; not run again".into()
        ]
    );
    assert!(!fixture.exists("v1", "ConfigMap", "default", "smoke").await);

    // A new operation runs both again, the generated hook under a new name.
    let (next, _) = sync(&fixture, &app, &under("op-2")).await;
    assert_eq!(next.phase, OperationPhase::Succeeded, "{next:#?}");
    let renamed = next.objects[1].key.name.clone();
    assert_ne!(renamed, report);
    assert_eq!(
        hooks(&next),
        [
            format!("{renamed} created"),
            "smoke created; deleted after it succeeded (HookSucceeded)".into()
        ]
    );
    let inventory = fixture
        .get("v1", "ConfigMap", "default", "ferry-inventory-shop")
        .await
        .unwrap();
    assert_eq!(
        inventory["data"]["objects"], "/ConfigMap/default/settings",
        "the record of finished hooks leaves the inventory's objects alone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_sync_applies_only_the_named_objects_and_keeps_the_others_in_the_inventory() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("a.yaml", &config_map("a", "one")),
            ("b.yaml", &config_map("b", "one")),
            ("pre.yaml", &hook("migrate", "PreSync", None)),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    let (first, _) = sync(&fixture, &app, &options()).await;
    assert_eq!(first.phase, OperationPhase::Succeeded, "{first:#?}");

    fixture.commit(
        &[
            ("a.yaml", &config_map("a", "two")),
            ("b.yaml", &config_map("b", "two")),
        ],
        &[],
    );
    let only_a = SyncOptions {
        resources: Some(vec![
            ferry_sync::ResourceSelector::parse(":ConfigMap:a").unwrap(),
        ]),
        prune: true,
        ..options()
    };
    let (partial, _) = sync(&fixture, &app, &only_a).await;
    assert_eq!(partial.phase, OperationPhase::Succeeded, "{partial:#?}");
    assert_eq!(actions(&partial), ["configured ConfigMap/default/a"]);
    let value = |object: Option<Value>| object.unwrap()["data"]["value"].clone();
    assert_eq!(
        value(fixture.get("v1", "ConfigMap", "default", "a").await),
        "two"
    );
    assert_eq!(
        value(fixture.get("v1", "ConfigMap", "default", "b").await),
        "one"
    );

    // b leaves Git: a partial sync of a (with prune) does not prune it; the inventory still
    // names it, so a full sync does.
    fixture.commit(&[], &["b.yaml"]);
    let (partial, _) = sync(&fixture, &app, &only_a).await;
    assert_eq!(actions(&partial), ["unchanged ConfigMap/default/a"]);
    assert!(fixture.exists("v1", "ConfigMap", "default", "b").await);
    let full = SyncOptions {
        prune: true,
        ..options()
    };
    let (full, _) = sync(&fixture, &app, &full).await;
    assert!(
        actions(&full).contains(&"pruned ConfigMap/default/b".to_string()),
        "{:?}",
        actions(&full)
    );
}
