//! Waves waiting on real health: the local cluster with its simulated workload controllers,
//! so Deployments roll out (or fail) as on a real cluster.

mod support;

use std::time::Duration;

use ferry_engine::{SyncOptions, SyncResult};
use ferry_types::{HealthStatusCode, OperationPhase};
use serde_json::{Value, json};
use support::Fixture;

fn deployment(annotations: &str, progress_deadline: u32) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  progressDeadlineSeconds: {progress_deadline}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
      annotations: {{{annotations}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"
    )
}

const LATE: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: late
  annotations: {ferry.dev/sync-wave: \"1\"}
data: {value: late}
";

async fn sync(fixture: &Fixture, timeout: Duration) -> SyncResult {
    let app = fixture.app("shop", "default", json!({}));
    let rendered = fixture.render(&app).await;
    let options = SyncOptions {
        timeout,
        poll_interval: Duration::from_millis(50),
        ..SyncOptions::default()
    };
    ferry_engine::sync(&app, &rendered, &fixture.client, &options, &mut |_| {}).await
}

fn resource_version(object: &Value) -> u64 {
    object["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_wave_starts_only_once_the_deployment_is_available() {
    let fixture = Fixture::start_with_controllers().await;
    fixture.commit(
        &[("web.yaml", &deployment("", 600)), ("late.yaml", LATE)],
        &[],
    );
    let result = sync(&fixture, Duration::from_secs(30)).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    assert_eq!(result.objects[0].health, Some(HealthStatusCode::Healthy));
    assert_eq!(result.health, HealthStatusCode::Healthy);
    let web = fixture
        .get("apps/v1", "Deployment", "default", "web")
        .await
        .unwrap();
    assert_eq!(web["status"]["availableReplicas"], 2);
    let late = fixture
        .get("v1", "ConfigMap", "default", "late")
        .await
        .unwrap();
    assert!(
        resource_version(&late) > resource_version(&web),
        "wave 1 was applied after the Deployment became available"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_looping_deployment_ends_degraded_with_the_real_reason() {
    let fixture = Fixture::start_with_controllers().await;
    fixture.commit(
        &[
            (
                "web.yaml",
                &deployment("cluster.ferry.dev/fault: crashloop", 2),
            ),
            ("late.yaml", LATE),
        ],
        &[],
    );
    let result = sync(&fixture, Duration::from_secs(30)).await;
    assert_eq!(result.phase, OperationPhase::Failed, "{result:#?}");
    assert_eq!(
        result.message,
        "apps/Deployment/default/web is Degraded: Deployment \"web\" exceeded its progress deadline"
    );
    assert_eq!(result.objects[0].health, Some(HealthStatusCode::Degraded));
    assert_eq!(result.health, HealthStatusCode::Degraded);
    assert!(!fixture.exists("v1", "ConfigMap", "default", "late").await);
}

const MIGRATE_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: migrate:1
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_hook_completes_before_the_sync_phase_and_is_deleted_once_it_succeeded() {
    let fixture = Fixture::start_with_controllers().await;
    fixture.commit(&[("migrate.yaml", MIGRATE_JOB), ("late.yaml", LATE)], &[]);
    let result = sync(&fixture, Duration::from_secs(30)).await;
    assert_eq!(result.phase, OperationPhase::Succeeded, "{result:#?}");
    let hook = &result.objects[0];
    assert_eq!(hook.key.to_string(), "batch/Job/default/migrate");
    assert_eq!(hook.health, Some(HealthStatusCode::Healthy));
    assert_eq!(
        hook.message,
        "created; deleted after it succeeded (HookSucceeded)"
    );
    assert!(
        !fixture
            .exists("batch/v1", "Job", "default", "migrate")
            .await
    );
    assert!(fixture.exists("v1", "ConfigMap", "default", "late").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_hook_fails_the_sync_before_the_sync_phase_is_applied() {
    let fixture = Fixture::start_with_controllers().await;
    let failing = MIGRATE_JOB
        .replace("spec:\n  template:\n    spec:", "spec:\n  backoffLimit: 1\n  template:\n    metadata:\n      annotations:\n        cluster.ferry.dev/fault: fail-after=1s\n    spec:");
    assert!(failing.contains("fail-after"), "{failing}");
    fixture.commit(&[("migrate.yaml", &failing), ("late.yaml", LATE)], &[]);
    let result = sync(&fixture, Duration::from_secs(30)).await;
    assert_eq!(result.phase, OperationPhase::Failed, "{result:#?}");
    assert_eq!(result.objects[0].health, Some(HealthStatusCode::Degraded));
    assert!(!fixture.exists("v1", "ConfigMap", "default", "late").await);
}
