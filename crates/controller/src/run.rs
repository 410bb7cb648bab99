//! The loop: a [`State`] advanced by [`Controller::step`]. Install the CRDs, list
//! Applications, reconcile those that are due (poll interval passed, `ferry.dev/refresh`
//! annotation, spec changed, `.operation` requested), wait a bounded tick, list again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::time::{Duration, Instant};

use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_git::{Credentials, RepoCache};
use ferry_types::{Application, OperationPhase, SyncStatusCode};
use kube::api::{Api, DynamicObject, ListParams};

use crate::apps::{Context, application_resource, parse_application, remove_annotation};
use crate::drift::{Backoff, Fingerprints, fingerprints};
use crate::events::{AppEvent, emit};
use crate::reconcile::{Outcome, reconcile};
use crate::signal::{AppRef, Signal, Signals};
use crate::{Error, Result, install_crds};

/// The annotation that asks for a refresh now; removed once honoured.
pub const REFRESH_ANNOTATION: &str = "ferry.dev/refresh";

/// The longest wait between two lists of Applications.
const MAX_TICK: Duration = Duration::from_secs(1);

/// How the controller runs.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Kubeconfig and context of the cluster holding the Applications (and of destinations).
    pub connect: ConnectOptions,
    /// Only Applications in this namespace; all namespaces when `None`.
    pub namespace: Option<String>,
    /// How often each app is refreshed from Git.
    pub poll_interval: Duration,
    /// Deadline of one sync.
    pub sync_timeout: Duration,
    /// Where fetched repositories are cached.
    pub cache_dir: std::path::PathBuf,
    /// Git credentials.
    pub credentials: Credentials,
    /// Where the loop reports what it does (`Signals::default()`: nowhere).
    pub signals: Signals,
}

/// Where the loop stands.
#[derive(Debug)]
pub enum State {
    /// Install or upgrade the CRDs.
    Installing,
    /// List Applications and pick those due.
    Listing,
    /// Reconcile these, one by one.
    Reconciling(VecDeque<Application>),
    /// Wait until this instant, then list again.
    Waiting(Instant),
}

/// What the loop remembers about one app between lists.
#[derive(Debug, Clone)]
struct Seen {
    next_refresh: Instant,
    generation: Option<i64>,
    /// The app's objects as its last reconcile left them; `None` when they could not be read.
    fingerprints: Option<Fingerprints>,
    /// Spacing of drift-triggered reconciles.
    backoff: Backoff,
    /// The last reconcile's sync succeeded but its final comparison found the app OutOfSync,
    /// with self-heal on (drift during the sync): heal again once the backoff allows.
    heal_pending: bool,
}

/// The controller: a context for reconciles and what it remembers per app.
pub struct Controller {
    config: ControllerConfig,
    client: ClusterClient,
    context: Context,
    seen: HashMap<(String, String), Seen>,
    /// Apps queued because their objects drifted: a successful sync of theirs is a heal.
    drifted: HashSet<(String, String)>,
}

impl Controller {
    /// Connects to the cluster holding Applications.
    pub async fn connect(config: ControllerConfig) -> Result<Self> {
        let client = ClusterClient::connect(&config.connect, &Default::default()).await?;
        let context = Context::new(
            client.kube().clone(),
            config.connect.clone(),
            RepoCache::new(config.cache_dir.clone()),
            config.credentials.clone(),
            config.sync_timeout,
        )
        .with_signals(config.signals.clone());
        Ok(Self {
            config,
            client,
            context,
            seen: HashMap::new(),
            drifted: HashSet::new(),
        })
    }

    /// Runs until `shutdown` completes. Errors of one step are reported on stderr and the
    /// loop goes on after a tick; only a failed CRD installation ends it.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> Result<()> {
        let mut state = State::Installing;
        tokio::pin!(shutdown);
        loop {
            let installing = matches!(state, State::Installing);
            let next = tokio::select! {
                () = &mut shutdown => return Ok(()),
                next = self.step(state) => next,
            };
            state = match next {
                Ok(next) => next,
                Err(error) if installing => return Err(error),
                Err(error) => {
                    eprintln!("controller: {error}");
                    State::Waiting(Instant::now() + self.tick())
                }
            };
        }
    }

    /// Advances the loop by one state.
    pub async fn step(&mut self, state: State) -> Result<State> {
        match state {
            State::Installing => {
                install_crds(&self.client).await?;
                Ok(State::Listing)
            }
            State::Listing => {
                let apps = self.list().await?;
                let mut due = self.due(&apps);
                self.add_drifted(&apps, &mut due).await;
                Ok(if due.is_empty() {
                    State::Waiting(Instant::now() + self.tick())
                } else {
                    State::Reconciling(due)
                })
            }
            State::Reconciling(mut queue) => {
                if let Some(app) = queue.pop_front() {
                    self.reconcile_one(&app).await;
                }
                Ok(if queue.is_empty() {
                    State::Listing
                } else {
                    State::Reconciling(queue)
                })
            }
            State::Waiting(until) => {
                tokio::time::sleep_until(until.into()).await;
                Ok(State::Listing)
            }
        }
    }

    fn tick(&self) -> Duration {
        self.config.poll_interval.min(MAX_TICK)
    }

    async fn list(&self) -> Result<Vec<Application>> {
        let resource = application_resource();
        let api: Api<DynamicObject> = match &self.config.namespace {
            Some(namespace) => {
                Api::namespaced_with(self.client.kube().clone(), namespace, &resource)
            }
            None => Api::all_with(self.client.kube().clone(), &resource),
        };
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|source| Error::Kube {
                action: "listing Applications".into(),
                source,
            })?;
        let mut apps = Vec::new();
        for item in list.items {
            match parse_application(&item) {
                Ok(app) => apps.push(app),
                Err(error) => eprintln!("controller: {error}"),
            }
        }
        Ok(apps)
    }

    /// The apps to reconcile now; forgets apps that are gone.
    fn due(&mut self, apps: &[Application]) -> VecDeque<Application> {
        let now = Instant::now();
        let keys: std::collections::HashSet<_> = apps.iter().map(key_of).collect();
        self.seen.retain(|key, _| keys.contains(key));
        self.drifted.retain(|key| keys.contains(key));
        apps.iter()
            .filter(|app| app.metadata.deletion_timestamp.is_none())
            .filter(|app| match self.seen.get(&key_of(app)) {
                None => true,
                Some(seen) => {
                    now >= seen.next_refresh
                        || seen.generation != app.metadata.generation
                        || app.operation.is_some()
                        || app.metadata.annotations.contains_key(REFRESH_ANNOTATION)
                }
            })
            .cloned()
            .collect()
    }

    /// Adds to `due` the apps whose managed objects changed (or went missing) since their
    /// last reconcile, unless their backoff says wait.
    async fn add_drifted(&mut self, apps: &[Application], due: &mut VecDeque<Application>) {
        let now = Instant::now();
        for app in apps {
            let key = key_of(app);
            if app.metadata.deletion_timestamp.is_some()
                || due.iter().any(|queued| key_of(queued) == key)
            {
                continue;
            }
            let Some(seen) = self.seen.get(&key).filter(|seen| seen.backoff.ready(now)) else {
                continue;
            };
            if seen.heal_pending {
                if let Some(seen) = self.seen.get_mut(&key) {
                    seen.heal_pending = false;
                    let wait = seen.backoff.record(now);
                    eprintln!(
                        "controller: {}/{}: still OutOfSync after a sync; healing again (next drift acted on after {wait:?})",
                        key.0, key.1
                    );
                }
                due.push_back(app.clone());
                continue;
            }
            let Some(baseline) = seen.fingerprints.clone() else {
                continue;
            };
            let resources = app
                .status
                .as_ref()
                .map(|status| status.resources.as_slice())
                .unwrap_or_default();
            let current = match self.fingerprints_of(app, resources).await {
                Ok(current) => current,
                Err(error) => {
                    eprintln!("controller: {}/{}: {error}", key.0, key.1);
                    continue;
                }
            };
            if current == baseline {
                continue;
            }
            let changed: Vec<&str> = current
                .iter()
                .filter(|(object, print)| baseline.get(*object) != Some(*print))
                .map(|(object, _)| object.as_str())
                .collect();
            if let Some(seen) = self.seen.get_mut(&key) {
                let wait = seen.backoff.record(now);
                eprintln!(
                    "controller: {}/{}: drift detected ({}); reconciling (next drift acted on after {wait:?})",
                    key.0,
                    key.1,
                    changed.join(", ")
                );
            }
            self.context.signals.send(Signal::DriftDetected {
                app: AppRef::of(app),
                objects: changed.iter().map(|object| (*object).to_string()).collect(),
            });
            emit(
                &self.context.kube,
                app,
                vec![AppEvent::warning(
                    "DriftDetected",
                    format!(
                        "Live objects differ from the last sync: {}",
                        changed.join(", ")
                    ),
                )],
            );
            self.drifted.insert(key);
            due.push_back(app.clone());
        }
    }

    async fn fingerprints_of(
        &self,
        app: &Application,
        resources: &[ferry_types::ResourceStatus],
    ) -> Result<Fingerprints> {
        let client = self.context.client_for(app).await?;
        fingerprints(&client, resources).await
    }

    async fn reconcile_one(&mut self, app: &Application) {
        let key = key_of(app);
        if app.metadata.annotations.contains_key(REFRESH_ANNOTATION)
            && let Err(error) =
                remove_annotation(&self.context, &key.0, &key.1, REFRESH_ANNOTATION).await
        {
            eprintln!("controller: {error}");
        }
        // The objects as this reconcile compared them: what later drift is measured against.
        let started = Instant::now();
        let result = reconcile(app, &self.context).await;
        self.context
            .signals
            .send(reconciled(app, started.elapsed(), &result));
        let (fingerprints, heal_pending) = match result {
            Ok(outcome) => {
                if let Some(error) = &outcome.error {
                    eprintln!("controller: {}/{}: {error}", key.0, key.1);
                }
                // A sync that succeeded yet left the app OutOfSync: something changed the
                // objects while it ran (or keeps changing them; the backoff spaces that out).
                let heal_pending = self_heal(app)
                    && outcome.sync == SyncStatusCode::OutOfSync
                    && outcome.operation == Some(OperationPhase::Succeeded);
                if outcome.operation == Some(OperationPhase::Succeeded)
                    && outcome.sync == SyncStatusCode::Synced
                    && self.drifted.remove(&key)
                {
                    self.context.signals.send(Signal::DriftHealed {
                        app: AppRef::of(app),
                    });
                    emit(
                        &self.context.kube,
                        app,
                        vec![AppEvent::normal(
                            "DriftHealed",
                            "Drifted objects were synced back to Git's state",
                        )],
                    );
                } else if outcome.sync == SyncStatusCode::Synced {
                    self.drifted.remove(&key);
                }
                (outcome.fingerprints, heal_pending)
            }
            Err(error) => {
                eprintln!("controller: {}/{}: {error}", key.0, key.1);
                (None, false)
            }
        };
        let backoff = self
            .seen
            .get(&key)
            .map(|seen| seen.backoff.clone())
            .unwrap_or_default();
        self.seen.insert(
            key,
            Seen {
                next_refresh: Instant::now() + self.config.poll_interval,
                generation: app.metadata.generation,
                fingerprints,
                backoff,
                heal_pending,
            },
        );
    }
}

/// The [`Signal::Reconciled`] of one reconcile.
fn reconciled(app: &Application, duration: Duration, result: &Result<Outcome>) -> Signal {
    let (sync, health, revision, error) = match result {
        Ok(outcome) => (
            outcome.sync,
            outcome.health,
            outcome.revision.clone(),
            outcome.error.clone(),
        ),
        Err(error) => (
            SyncStatusCode::Unknown,
            ferry_types::HealthStatusCode::Unknown,
            String::new(),
            Some(error.to_string()),
        ),
    };
    Signal::Reconciled {
        app: AppRef::of(app),
        duration,
        sync,
        health,
        revision,
        error,
    }
}

/// Whether automation is on with `selfHeal`.
fn self_heal(app: &Application) -> bool {
    app.spec
        .sync_policy
        .as_ref()
        .and_then(|policy| policy.automated.as_ref())
        .is_some_and(|automated| automated.enabled != Some(false) && automated.self_heal)
}

fn key_of(app: &Application) -> (String, String) {
    (
        app.metadata.namespace.clone().unwrap_or_default(),
        app.metadata.name.clone(),
    )
}
