//! `diff` against the local cluster over HTTPS, with a real Git repository.

mod support;

use ferry_diff::ResourceDiffStatus::*;
use serde_json::json;
use support::{Fixture, config_map};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_never_synced_is_missing_everywhere() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let rendered = fixture.render(&app).await;
    let comparisons = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(comparisons.len(), 1);
    assert_eq!(comparisons[0].key.to_string(), "ConfigMap/default/settings");
    assert_eq!(comparisons[0].status, Missing);
}

const SECRET: &str = "apiVersion: v1
kind: Secret
metadata:
  name: credentials
stringData:
  password: hunter2-in-git
";

async fn synced(fixture: &Fixture, app: &ferry_types::Application) {
    let rendered = fixture.render(app).await;
    let options = ferry_engine::SyncOptions {
        prune: true,
        poll_interval: std::time::Duration::from_millis(50),
        ..Default::default()
    };
    let result = ferry_engine::sync(app, &rendered, &fixture.client, &options, &mut |_| {}).await;
    assert_eq!(
        result.phase,
        ferry_types::OperationPhase::Succeeded,
        "{result:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defaulted_fields_are_not_drift_after_a_sync() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("settings.yaml", &config_map("settings", "one")),
            (
                "service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n",
            ),
            ("secret.yaml", SECRET),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    synced(&fixture, &app).await;
    let rendered = fixture.render(&app).await;
    let comparisons = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    let statuses: Vec<String> = comparisons
        .iter()
        .map(|c| format!("{} {}", ferry_engine::diff_status_text(c.status), c.key))
        .collect();
    assert_eq!(
        statuses,
        [
            "Synced Secret/default/credentials",
            "Synced ConfigMap/default/settings",
            "Synced Service/default/web",
        ],
        "{comparisons:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_git_change_is_out_of_sync_and_a_removed_manifest_extraneous() {
    let fixture = Fixture::start().await;
    fixture.commit(
        &[
            ("settings.yaml", &config_map("settings", "one")),
            ("gone.yaml", &config_map("gone", "x")),
        ],
        &[],
    );
    let app = fixture.app("shop", "default", json!({}));
    synced(&fixture, &app).await;
    fixture.commit(
        &[("settings.yaml", &config_map("settings", "two"))],
        &["gone.yaml"],
    );
    let rendered = fixture.render(&app).await;
    let comparisons = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(comparisons.len(), 2, "{comparisons:#?}");
    assert_eq!(comparisons[0].status, OutOfSync);
    assert_eq!(
        comparisons[0].diff.as_deref().unwrap(),
        "--- live ConfigMap/default/settings\n+++ desired ConfigMap/default/settings\n@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  value: one\n+  value: two\n kind: ConfigMap\n metadata:\n   annotations:\n"
    );
    assert_eq!(comparisons[1].key.to_string(), "ConfigMap/default/gone");
    assert_eq!(comparisons[1].status, Extraneous);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_values_never_appear_in_diff_output() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("secret.yaml", SECRET)], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let rendered = fixture.render(&app).await;
    let missing = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    synced(&fixture, &app).await;
    fixture.commit(
        &[(
            "secret.yaml",
            &SECRET.replace("hunter2-in-git", "correct-horse"),
        )],
        &[],
    );
    let rendered = fixture.render(&app).await;
    let changed = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(changed[0].status, OutOfSync);
    let text = format!("{missing:?}{changed:?}");
    for value in [
        "hunter2-in-git",
        "correct-horse",
        "aHVudGVyMi1pbi1naXQ=",
        "Y29ycmVjdC1ob3JzZQ==",
    ] {
        assert!(!text.contains(value), "{value} leaked: {text}");
    }
    assert!(text.contains("+++++++"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_in_a_namespace_the_sync_will_create_are_missing_not_errors() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("settings.yaml", &config_map("settings", "one"))], &[]);
    let app = fixture.app(
        "shop",
        "shop",
        json!({"syncPolicy": {"syncOptions": ["CreateNamespace=true"]}}),
    );
    let rendered = fixture.render(&app).await;
    let comparisons = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(comparisons.len(), 1, "{comparisons:#?}");
    assert_eq!(comparisons[0].key.to_string(), "ConfigMap/shop/settings");
    assert_eq!(comparisons[0].status, Missing);
    assert_eq!(
        comparisons[0].message.as_deref(),
        Some("namespace shop is created by this sync; validated when applied")
    );
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
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
async fn a_field_another_manager_owns_is_not_drift_unless_git_sets_it() {
    let fixture = Fixture::start().await;
    fixture.commit(&[("web.yaml", DEPLOYMENT)], &[]);
    let app = fixture.app("shop", "default", json!({}));
    let rendered = fixture.render(&app).await;
    let options = ferry_engine::SyncOptions {
        timeout: std::time::Duration::from_millis(300),
        poll_interval: std::time::Duration::from_millis(50),
        ..Default::default()
    };
    // Without workload controllers the Deployment stays Progressing: only the apply matters.
    ferry_engine::sync(&app, &rendered, &fixture.client, &options, &mut |_| {}).await;
    if fixture.client.server_side_apply() != Some(true) {
        eprintln!("skipping: the local cluster does not do server-side apply yet");
        return;
    }
    let resource = kube::discovery::ApiResource {
        group: "apps".into(),
        version: "v1".into(),
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        plural: "deployments".into(),
    };
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(fixture.client.kube().clone(), "default", &resource);
    let autoscaler = kube::api::PatchParams {
        field_manager: Some("horizontal-pod-autoscaler".into()),
        ..Default::default()
    };
    api.patch(
        "web",
        &autoscaler,
        &kube::api::Patch::Merge(json!({"spec": {"replicas": 5}})),
    )
    .await
    .unwrap();
    let comparisons = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(comparisons[0].status, Synced, "{comparisons:#?}");

    fixture.commit(
        &[(
            "web.yaml",
            &DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector"),
        )],
        &[],
    );
    let rendered = fixture.render(&app).await;
    let comparisons = ferry_engine::diff(&app, &rendered, &fixture.client)
        .await
        .unwrap();
    assert_eq!(comparisons[0].status, OutOfSync);
    let diff = comparisons[0].diff.as_deref().unwrap();
    assert!(diff.contains("-  replicas: 5\n+  replicas: 2\n"), "{diff}");
}
