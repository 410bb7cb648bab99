//! The drill's steps against the quickstart's environment: each does what a person would do
//! (commit, scale by hand, roll back, revert), then waits (bounded) for ferry to answer, and
//! reports what it saw as a [`Check`]. The staging app is the one exercised.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ferry_cluster::fault::{FaultSpec, Scope};
use ferry_engine::ClusterClient;
use ferry_types::{Application, HealthStatusCode, OperationPhase, SyncStatusCode};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

use super::report::{Check, Outcome, image_tag, with_image_tag, with_pod_fault};
use crate::commands::quickstart::example::{commit_all, head, revert_head};
use crate::commands::quickstart::{Environment, NAMESPACE};

/// The app the drill exercises.
pub(crate) const APP: &str = "reai-staging";
/// Where it deploys.
const TARGET_NAMESPACE: &str = "reai-staging";
/// The image a release changes.
const IMAGE: &str = "registry.example.com/reai/listings-api";
/// The staging overlay's kustomization, in the repository.
const KUSTOMIZATION: &str = "overlays/staging/kustomization.yaml";
/// The migration hook, in the repository.
const MIGRATION: &str = "base/db-migrate.yaml";
/// Replicas of `web` in staging, as Git declares them.
const WEB_REPLICAS: i64 = 1;

/// The drill's state between steps.
pub(crate) struct Drill<'e> {
    environment: &'e Environment,
    patience: Duration,
    /// Tags released by the drill, oldest first, with their commits.
    releases: Vec<(String, String)>,
    /// When the failed release was seen failed.
    failed_at: Option<Instant>,
}

impl<'e> Drill<'e> {
    /// A drill on `environment`, each wait bounded by `patience`.
    pub(crate) fn new(environment: &'e Environment, patience: Duration) -> Self {
        Drill {
            environment,
            patience,
            releases: Vec::new(),
            failed_at: None,
        }
    }

    fn client(&self) -> &ClusterClient {
        &self.environment.client
    }

    fn repo(&self) -> PathBuf {
        self.environment.repo.clone()
    }

    /// Plan 1: a release (an image tag bumped in the staging overlay, as CI would) is
    /// deployed and healthy.
    pub(crate) async fn release(&mut self) -> Check {
        let name = "a release committed to Git reaches staging";
        let started = Instant::now();
        let result = self.release_tag(&format!("drill-{}", unix_seconds())).await;
        check(name, 1, started, result)
    }

    /// Plan 2: a release goes out while the Kubernetes API answers 30 % of requests with
    /// 503; ferry retries and it lands all the same.
    pub(crate) async fn release_through_api_errors(&mut self) -> Check {
        let name = "a release lands while the API fails 30 % of requests";
        let tag = format!("drill-{}-b", unix_seconds());
        let started = Instant::now();
        let state = &self.environment.cluster.state;
        let fault = state.faults.add(
            FaultSpec::Errors {
                code: 503,
                fraction: 0.3,
                retry_after: Duration::from_secs(1),
                scope: Scope::default(),
            },
            Some(self.patience),
            &state.store,
        );
        let result = self
            .release_tag(&tag)
            .await
            .map(|released| format!("fault {}: 503 on 30 % of requests; {released}", fault.id));
        state.faults.remove(&fault.id);
        check(name, 2, started, result)
    }

    /// Plan 2: a hand-made change to a managed object (a `kubectl scale`) is reverted.
    pub(crate) async fn drift(&mut self) -> Check {
        let name = "a change made by hand is reverted (self-heal)";
        let started = Instant::now();
        let result = async {
            let api = self.deployments();
            let params = PatchParams {
                field_manager: Some("ferry-drill".into()),
                ..PatchParams::default()
            };
            api.patch(
                "web",
                &params,
                &Patch::Merge(json!({"spec": {"replicas": WEB_REPLICAS + 3}})),
            )
            .await
            .map_err(|error| format!("scaling web by hand: {error}"))?;
            let deadline = started + self.patience;
            loop {
                let replicas = api
                    .get("web")
                    .await
                    .ok()
                    .and_then(|web| web.data["spec"]["replicas"].as_i64());
                if replicas == Some(WEB_REPLICAS) {
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(format!(
                        "web still has {replicas:?} replicas after {:?}",
                        self.patience
                    ));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(format!(
                "web scaled to {} by ferry-drill; back to {WEB_REPLICAS}",
                WEB_REPLICAS + 3
            ))
        }
        .await;
        check(name, 2, started, result)
    }

    /// Plan 2: a release (a new image tag) whose database migration (the PreSync hook, run
    /// with that image) fails is stopped before any service changes; the deployed release
    /// keeps serving.
    pub(crate) async fn failed_release(&mut self) -> Check {
        let name = "a release whose migration fails changes no service";
        let started = Instant::now();
        let result = async {
            let deployed = self.last_tag()?;
            let tag = format!("drill-{}-bad", unix_seconds());
            let path = self.repo().join(MIGRATION);
            let job = read(&path)?;
            let faulty = with_pod_fault(&job, "fail-after=1s")
                .ok_or_else(|| format!("{MIGRATION}: no pod template to put a fault on"))?;
            write(&path, &faulty)?;
            let commit = self.commit_tag(&tag).await?;
            let app = self
                .wait_app("its sync Failed", |app| {
                    last_history(app).is_some_and(|entry| {
                        entry.revision == commit && entry.result == Some(OperationPhase::Failed)
                    })
                })
                .await?;
            self.failed_at = Some(Instant::now());
            self.expect_image(&deployed).await?;
            if health(&app) != Some(HealthStatusCode::Healthy) {
                return Err(format!(
                    "the app is {:?}, not Healthy, after the failure",
                    health(&app)
                ));
            }
            let message = last_history(&app)
                .map(|entry| entry.result_message.clone())
                .unwrap_or_default();
            Ok(format!(
                "commit {} (listings-api {tag}) failed: {}; listings-api still {deployed}, app Healthy",
                short(&commit),
                first_line(&message, 100)
            ))
        }
        .await;
        check(name, 2, started, result)
    }

    /// Plan 2: `git revert` of the failed release makes Git declare what runs again; the app
    /// is Synced and Healthy at the revert with nothing to redeploy, since the failed
    /// release changed no service.
    pub(crate) async fn revert(&mut self) -> Check {
        let name = "a Git revert of the failed release makes Git and cluster agree";
        let started = Instant::now();
        let result = async {
            let deployed = self.last_tag()?;
            let repo = self.repo();
            let commit = tokio::task::spawn_blocking(move || revert_head(&repo))
                .await
                .map_err(|error| error.to_string())?
                .map_err(|error| error.to_string())?;
            self.wait_app(
                &format!("Synced and Healthy at {}", short(&commit)),
                |app| {
                    app.status.as_ref().is_some_and(|status| {
                        status.sync.revision == commit
                            && status.sync.status == SyncStatusCode::Synced
                            && status.health.status == HealthStatusCode::Healthy
                    })
                },
            )
            .await?;
            self.expect_image(&deployed).await?;
            let since_failure = self
                .failed_at
                .map(|failed| {
                    format!(
                        " ({:.1} s after the failure)",
                        failed.elapsed().as_secs_f64()
                    )
                })
                .unwrap_or_default();
            Ok(format!(
                "revert {} Synced and Healthy{since_failure}; listings-api {deployed} throughout",
                short(&commit)
            ))
        }
        .await;
        check(name, 2, started, result)
    }

    /// Plan 4: `ferry app rollback` to the drill's first release puts its image back and
    /// suspends auto-sync.
    pub(crate) async fn rollback(&mut self) -> Check {
        let name = "a rollback to an earlier release restores it";
        let started = Instant::now();
        let result = async {
            let (tag, commit) = self
                .releases
                .first()
                .cloned()
                .ok_or("no release of the drill to roll back to")?;
            let app = self.application().await.ok_or("reading the app")?;
            let entry = app
                .status
                .as_ref()
                .and_then(|status| {
                    status.history.iter().rev().find(|entry| {
                        entry.revision == commit && entry.result != Some(OperationPhase::Failed)
                    })
                })
                .ok_or_else(|| format!("no history entry of {}", short(&commit)))?;
            ferry_controller::rollback(
                self.client().kube(),
                NAMESPACE,
                APP,
                Some(entry.id),
                false,
                "ferry-drill",
            )
            .await
            .map_err(|error| error.to_string())?;
            let app = self
                .wait_app("rolled back and Healthy", |app| {
                    last_history(app).is_some_and(|last| {
                        last.revision == commit && last.result != Some(OperationPhase::Failed)
                    }) && health(app) == Some(HealthStatusCode::Healthy)
                })
                .await?;
            self.expect_image(&tag).await?;
            let suspended = app
                .spec
                .sync_policy
                .as_ref()
                .and_then(|policy| policy.automated.as_ref())
                .is_some_and(|automated| automated.enabled == Some(false));
            if !suspended {
                return Err("auto-sync was not suspended by the rollback".into());
            }
            Ok(format!(
                "history entry {} ({}): listings-api {tag} again; auto-sync suspended",
                entry.id,
                short(&commit)
            ))
        }
        .await;
        check(name, 4, started, result)
    }

    /// Plan 4: resuming auto-sync deploys Git's head again.
    pub(crate) async fn resume(&mut self) -> Check {
        let name = "resuming auto-sync deploys Git's head again";
        let started = Instant::now();
        let result = async {
            let (tag, _) = self.releases.last().cloned().ok_or("no release")?;
            ferry_controller::set_auto_sync(self.client().kube(), NAMESPACE, APP, true)
                .await
                .map_err(|error| error.to_string())?;
            let commit = head(&self.repo()).ok_or("reading main")?;
            self.wait_deployed(&commit).await?;
            self.expect_image(&tag).await?;
            Ok(format!(
                "head {} Synced and Healthy; listings-api {tag}",
                short(&commit)
            ))
        }
        .await;
        check(name, 4, started, result)
    }

    /// Commits `tag` as listings-api's staging image, waits until it is deployed and runs,
    /// and remembers the release.
    async fn release_tag(&mut self, tag: &str) -> Result<String, String> {
        let commit = self.commit_tag(tag).await?;
        self.wait_deployed(&commit).await?;
        self.expect_image(tag).await?;
        self.releases.push((tag.to_string(), commit.clone()));
        Ok(format!(
            "commit {} (listings-api {tag}) deployed, Synced and Healthy",
            short(&commit)
        ))
    }

    async fn commit_tag(&self, tag: &str) -> Result<String, String> {
        let path = self.repo().join(KUSTOMIZATION);
        let text = read(&path)?;
        let changed = with_image_tag(&text, IMAGE, tag)
            .ok_or_else(|| format!("{KUSTOMIZATION}: no newTag for {IMAGE}"))?;
        write(&path, &changed)?;
        self.commit(&format!("staging: listings-api {tag} (ferry drill)"))
            .await
    }

    async fn commit(&self, message: &str) -> Result<String, String> {
        let (repo, message) = (self.repo(), message.to_string());
        tokio::task::spawn_blocking(move || commit_all(&repo, &message))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| error.to_string())
    }

    fn last_tag(&self) -> Result<String, String> {
        match self.releases.last() {
            Some((tag, _)) => Ok(tag.clone()),
            None => {
                let text = read(&self.repo().join(KUSTOMIZATION))?;
                image_tag(&text, IMAGE).ok_or_else(|| format!("{KUSTOMIZATION}: no tag"))
            }
        }
    }

    async fn application(&self) -> Option<Application> {
        ferry_controller::get_application(self.client().kube(), NAMESPACE, APP)
            .await
            .ok()
    }

    /// Waits until the app satisfies `ready` (read every 100 ms, read errors count as not
    /// yet); the error says what was seen last.
    async fn wait_app(
        &self,
        what: &str,
        ready: impl Fn(&Application) -> bool,
    ) -> Result<Application, String> {
        let deadline = Instant::now() + self.patience;
        let mut last = None;
        loop {
            if let Some(app) = self.application().await {
                if ready(&app) {
                    return Ok(app);
                }
                last = Some(app);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "not {what} after {:?}; last seen: {}",
                    self.patience,
                    last.as_ref()
                        .map(describe)
                        .unwrap_or_else(|| "nothing".into())
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `commit` is deployed: Synced at it, Healthy, its sync succeeded.
    async fn wait_deployed(&self, commit: &str) -> Result<Application, String> {
        self.wait_app(&format!("Synced and Healthy at {}", short(commit)), |app| {
            let Some(status) = &app.status else {
                return false;
            };
            status.sync.revision == commit
                && status.sync.status == SyncStatusCode::Synced
                && status.health.status == HealthStatusCode::Healthy
                && last_history(app).is_some_and(|entry| {
                    entry.revision == commit && entry.result != Some(OperationPhase::Failed)
                })
        })
        .await
    }

    /// Checks that listings-api runs `tag` in staging.
    async fn expect_image(&self, tag: &str) -> Result<(), String> {
        let expected = format!("{IMAGE}:{tag}");
        let deployment = self
            .deployments()
            .get("listings-api")
            .await
            .map_err(|error| format!("reading listings-api: {error}"))?;
        let image = deployment.data["spec"]["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if image == expected {
            Ok(())
        } else {
            Err(format!("listings-api runs {image}, not {expected}"))
        }
    }

    fn deployments(&self) -> Api<DynamicObject> {
        let resource = kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
            "apps",
            "v1",
            "Deployment",
        ));
        Api::namespaced_with(self.client().kube().clone(), TARGET_NAMESPACE, &resource)
    }
}

/// A check from a step's result and its start.
fn check(name: &'static str, plan: u8, started: Instant, result: Result<String, String>) -> Check {
    match result {
        Ok(detail) => Check {
            name,
            plan,
            outcome: Outcome::Passed,
            seconds: Some(started.elapsed().as_secs_f64()),
            detail,
        },
        Err(detail) => Check {
            name,
            plan,
            outcome: Outcome::Failed,
            seconds: None,
            detail,
        },
    }
}

/// A check not tried because an earlier one failed.
pub(crate) fn not_run(name: &'static str, plan: u8) -> Check {
    Check {
        name,
        plan,
        outcome: Outcome::NotRun,
        seconds: None,
        detail: "an earlier check failed".into(),
    }
}

fn last_history(app: &Application) -> Option<&ferry_types::RevisionHistory> {
    app.status.as_ref()?.history.last()
}

fn health(app: &Application) -> Option<HealthStatusCode> {
    app.status.as_ref().map(|status| status.health.status)
}

/// `Sync/Health at revision`, and the last operation's message.
fn describe(app: &Application) -> String {
    let Some(status) = &app.status else {
        return "no status yet".into();
    };
    let operation = status
        .operation_state
        .as_ref()
        .map(|state| {
            format!(
                "; last operation {:?}: {}",
                state.phase,
                first_line(&state.message, 80)
            )
        })
        .unwrap_or_default();
    format!(
        "{:?}/{:?} at {}{operation}",
        status.sync.status,
        status.health.status,
        short(&status.sync.revision)
    )
}

fn short(revision: &str) -> &str {
    &revision[..revision.len().min(10)]
}

/// The first line of `text`, cut at a word to at most `at_most` characters (`…` added).
fn first_line(text: &str, at_most: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= at_most {
        return line.to_string();
    }
    let cut: String = line.chars().take(at_most).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(words, _)| words);
    format!("{cut}…")
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|error| format!("reading {}: {error}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|error| format!("writing {}: {error}", path.display()))
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0)
}
