//! The loop: a [`State`] advanced by [`Controller::step`]. Install the CRDs and start the
//! watch of Applications, pick the apps that are due (poll interval passed, `ferry.dev/refresh`
//! annotation, spec changed, `.operation` requested, a managed object drifted), hand them to
//! a pool of workers (one slow app never holds up another), wait for a change or a bounded
//! tick, pick again. Decisions are made here on the loop's own data; the reconciles run on
//! spawned tasks and report back through the worker pool's join set. With leader election on,
//! only the Lease's holder reconciles.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_engine::{ClusterClient, ConnectOptions, Deleted};
use ferry_git::{Credentials, RepoCache};
use ferry_types::{Application, OperationPhase, SyncStatusCode};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::apps::{Context, remove_annotation};
use crate::drift::{Backoff, Destination, Fingerprints, ObjectCache};
use crate::events::{AppEvent, emit};
use crate::finalize::{awaits_cascade, finalize};
use crate::lease::{Elector, LeaderElection};
use crate::reconcile::{Outcome, reconcile};
use crate::signal::{AppRef, Signal, Signals};
use crate::store::{AppKey, AppStore, key_of};
use crate::{Result, install_crds};

/// The annotation that asks for a refresh now; removed once honoured.
pub const REFRESH_ANNOTATION: &str = "ferry.dev/refresh";

/// The longest wait between two looks at the apps (poll intervals and backoffs end between
/// changes).
const MAX_TICK: Duration = Duration::from_secs(1);

/// How often watches no app needs any more are looked for and stopped.
const WATCH_SWEEP: Duration = Duration::from_secs(60);

/// The first retry of a failed fetch or render comes after this; each further one waits
/// twice as long, up to the poll interval.
pub const FETCH_RETRY_BASE: Duration = Duration::from_secs(2);

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
    /// Apps reconciled at once (at least 1).
    pub workers: usize,
    /// Deadline of one fetch and render of an app's source; a hung one is abandoned.
    pub fetch_timeout: Duration,
    /// Compete for a Lease and reconcile only while holding it; `None`: always reconcile.
    pub leader_election: Option<LeaderElection>,
    /// Also serve Argo CD's `applications.argoproj.io` through mirrors (`argo.rs`).
    pub argocd_applications: bool,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            connect: ConnectOptions::default(),
            namespace: None,
            poll_interval: Duration::from_secs(60),
            sync_timeout: Duration::from_secs(300),
            cache_dir: std::env::temp_dir().join("ferry-cache"),
            credentials: Credentials::None,
            signals: Signals::default(),
            workers: 4,
            fetch_timeout: Duration::from_secs(120),
            leader_election: None,
            argocd_applications: false,
        }
    }
}

/// Where the loop stands.
#[derive(Debug)]
pub enum State {
    /// Install or upgrade the CRDs, start watching Applications.
    Installing,
    /// Pick the apps due from the watched Applications.
    Listing,
    /// Hand these to free workers (waiting for one to finish when all are busy).
    Reconciling(VecDeque<Application>),
    /// Wait until this instant, a change (Application, managed object) or a finished
    /// reconcile, then pick again.
    Waiting(Instant),
}

/// What the loop remembers about one app between reconciles.
#[derive(Debug, Clone)]
struct Seen {
    next_refresh: Instant,
    generation: Option<i64>,
    /// The app's resourceVersion after the last reconcile's own writes: a watched copy not
    /// newer than this is the controller's own doing, not a request.
    written_version: u64,
    /// The app's objects as its last reconcile left them; `None` when they could not be read.
    fingerprints: Option<Fingerprints>,
    /// Spacing of drift-triggered reconciles.
    backoff: Backoff,
    /// The last reconcile's sync succeeded but its final comparison found the app OutOfSync,
    /// with self-heal on (drift during the sync): heal again once the backoff allows.
    heal_pending: bool,
    /// Failed fetches, renders or status writes in a row (retried sooner than the poll
    /// interval).
    fetch_failures: u32,
    /// The (group, kind) of every object the app manages: the watches it needs.
    kinds: HashSet<(String, String)>,
}

/// What a worker did.
enum Work {
    /// Reconciled the app.
    Reconciled(Result<Outcome>),
    /// Deleted the objects of an app being deleted, and its finalizer.
    Finalized(Result<Deleted>),
}

/// A reconcile (or cascading delete) a worker finished.
struct Finished {
    app: Application,
    duration: Duration,
    work: Work,
}

/// The controller: a context for reconciles, the watches, the workers and what it remembers
/// per app.
pub struct Controller {
    config: ControllerConfig,
    client: ClusterClient,
    context: Arc<Context>,
    seen: HashMap<AppKey, Seen>,
    /// Apps queued because their objects drifted: a successful sync of theirs is a heal.
    drifted: HashSet<AppKey>,
    /// Woken by the watches.
    notify: Arc<Notify>,
    store: Option<AppStore>,
    objects: Arc<ObjectCache>,
    workers: JoinSet<Finished>,
    running: HashSet<AppKey>,
    /// `Some` with leader election: whether this controller holds the Lease.
    leader: Option<watch::Receiver<bool>>,
    /// When watches no app needs were last stopped.
    last_sweep: Instant,
    /// The Argo CD Applications adapter, when on.
    argo: Option<JoinHandle<()>>,
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
        .with_signals(config.signals.clone())
        .with_fetch_timeout(config.fetch_timeout);
        let notify = Arc::new(Notify::new());
        Ok(Self {
            objects: Arc::new(ObjectCache::new(notify.clone())),
            notify,
            config,
            client,
            context: Arc::new(context),
            seen: HashMap::new(),
            drifted: HashSet::new(),
            store: None,
            workers: JoinSet::new(),
            running: HashSet::new(),
            leader: None,
            last_sweep: Instant::now(),
            argo: None,
        })
    }

    /// Runs until `shutdown` completes. Errors of one step are reported on stderr and the
    /// loop goes on after a tick; only a failed CRD installation ends it. With leader
    /// election, the Lease is released on shutdown.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> Result<()> {
        let mut elector = None;
        if let Some(election) = self.config.leader_election.clone() {
            let (candidate, leader) = Elector::new(self.client.kube().clone(), election.clone());
            self.leader = Some(leader);
            elector = Some(spawn_elector(candidate, election.renew_period));
        }
        let mut state = State::Installing;
        tokio::pin!(shutdown);
        let ended = loop {
            let installing = matches!(state, State::Installing);
            let next = tokio::select! {
                () = &mut shutdown => break Ok(()),
                next = self.step(state) => next,
            };
            state = match next {
                Ok(next) => next,
                Err(error) if installing => break Err(error),
                Err(error) => {
                    eprintln!("controller: {error}");
                    State::Waiting(Instant::now() + self.tick())
                }
            };
        };
        self.workers.abort_all();
        if let Some(adapter) = self.argo.take() {
            adapter.abort();
        }
        if let Some((task, elector)) = elector {
            task.abort();
            let _ = task.await;
            let mut elector = elector.lock().await;
            let _ = tokio::time::timeout(Duration::from_secs(5), elector.release()).await;
        }
        ended
    }

    /// Advances the loop by one state.
    pub async fn step(&mut self, state: State) -> Result<State> {
        match state {
            State::Installing => {
                install_crds(&self.client).await?;
                if self.config.argocd_applications
                    && crate::argo::install_crd_if_absent(&self.client).await?
                {
                    eprintln!("controller: installed applications.argoproj.io");
                }
                self.store = Some(AppStore::start(
                    self.client.kube().clone(),
                    self.config.namespace.clone(),
                    self.notify.clone(),
                ));
                Ok(State::Listing)
            }
            State::Listing => {
                self.collect_finished();
                self.adapt_argo_applications();
                if !self.leads() {
                    if !self.running.is_empty() {
                        eprintln!("controller: not the leader; stopping the reconciles under way");
                        self.workers.abort_all();
                        self.running.clear();
                    }
                    return Ok(State::Waiting(Instant::now() + self.tick()));
                }
                let Some(apps) = self.store.as_ref().and_then(AppStore::snapshot) else {
                    return Ok(State::Waiting(Instant::now() + self.tick()));
                };
                let mut due = self.due(&apps);
                self.add_drifted(&apps, &mut due);
                if self.last_sweep.elapsed() >= WATCH_SWEEP {
                    self.last_sweep = Instant::now();
                    self.stop_unneeded_watches(&apps);
                }
                Ok(if due.is_empty() {
                    State::Waiting(Instant::now() + self.tick())
                } else {
                    State::Reconciling(due)
                })
            }
            State::Reconciling(mut queue) => {
                while self.running.len() < self.config.workers.max(1) {
                    let Some(app) = queue.pop_front() else {
                        break;
                    };
                    self.dispatch(app);
                }
                if queue.is_empty() {
                    return Ok(State::Listing);
                }
                // Every worker busy: wait for one.
                if let Some(done) = self.workers.join_next().await {
                    self.finished(done);
                }
                Ok(State::Reconciling(queue))
            }
            State::Waiting(until) => {
                tokio::select! {
                    () = tokio::time::sleep_until(until.into()) => {}
                    () = self.notify.notified() => {}
                    Some(done) = self.workers.join_next(), if !self.workers.is_empty() => {
                        self.finished(done);
                    }
                    () = leadership_changed(&mut self.leader) => {}
                }
                Ok(State::Listing)
            }
        }
    }

    /// Runs the Argo CD Applications adapter while this controller leads (always without
    /// leader election), and stops it when it does not.
    fn adapt_argo_applications(&mut self) {
        if !self.config.argocd_applications {
            return;
        }
        // An adapter that ended (it should not) is started again.
        if self.argo.as_ref().is_some_and(JoinHandle::is_finished) {
            self.argo = None;
        }
        match (self.leads(), self.argo.is_some()) {
            (true, false) => {
                self.argo = Some(tokio::spawn(crate::argo::run_adapter(
                    self.client.kube().clone(),
                    self.config.namespace.clone(),
                )));
            }
            (false, true) => {
                if let Some(adapter) = self.argo.take() {
                    adapter.abort();
                }
            }
            _ => {}
        }
    }

    fn tick(&self) -> Duration {
        self.config.poll_interval.min(MAX_TICK)
    }

    fn leads(&self) -> bool {
        self.leader.as_ref().is_none_or(|leader| *leader.borrow())
    }

    /// Starts a reconcile of `app` on a worker task.
    fn dispatch(&mut self, app: Application) {
        let key = key_of(&app);
        if !self.running.insert(key) {
            return;
        }
        let context = self.context.clone();
        self.workers.spawn(async move {
            let started = Instant::now();
            // The watched copy may lag behind the controller's own last writes (an operation
            // it finished still Running there): reconcile what the API server has now.
            let (namespace, name) = key_of(&app);
            let app = match crate::ops::get_application(&context.kube, &namespace, &name).await {
                Ok(fresh) => fresh,
                Err(_) => app,
            };
            if awaits_cascade(&app) {
                let result = finalize(&app, &context).await;
                return Finished {
                    app,
                    duration: started.elapsed(),
                    work: Work::Finalized(result),
                };
            }
            if app.metadata.annotations.contains_key(REFRESH_ANNOTATION) {
                let (namespace, name) = key_of(&app);
                if let Err(error) =
                    remove_annotation(&context, &namespace, &name, REFRESH_ANNOTATION).await
                {
                    eprintln!("controller: {error}");
                }
            }
            let result = reconcile(&app, &context).await;
            Finished {
                app,
                duration: started.elapsed(),
                work: Work::Reconciled(result),
            }
        });
    }

    fn collect_finished(&mut self) {
        while let Some(done) = self.workers.try_join_next() {
            self.finished(done);
        }
    }

    fn finished(&mut self, done: std::result::Result<Finished, tokio::task::JoinError>) {
        match done {
            Ok(finished) => self.record(finished),
            Err(error) if error.is_cancelled() => {}
            Err(error) => eprintln!("controller: a reconcile panicked: {error}"),
        }
        // A panicked task's app is found by elimination: whatever no task runs any more.
        if self.workers.is_empty() {
            self.running.clear();
        }
    }

    /// The apps to reconcile now; forgets apps that are gone.
    fn due(&mut self, apps: &[Arc<Application>]) -> VecDeque<Application> {
        let now = Instant::now();
        let keys: HashSet<_> = apps.iter().map(|app| key_of(app)).collect();
        self.seen.retain(|key, _| keys.contains(key));
        self.drifted.retain(|key| keys.contains(key));
        apps.iter()
            .filter(|app| app.metadata.deletion_timestamp.is_none() || awaits_cascade(app))
            .filter(|app| !self.running.contains(&key_of(app)))
            .filter(|app| match self.seen.get(&key_of(app)) {
                None => true,
                Some(seen) => {
                    // A copy not newer than our own last write asks for nothing new (the
                    // watch may still be delivering our writes).
                    let newer =
                        version_number_of(app) > seen.written_version || seen.written_version == 0;
                    now >= seen.next_refresh
                        || (newer
                            && (seen.generation != app.metadata.generation
                                || awaits_cascade(app)
                                || app.operation.is_some()
                                || app.metadata.annotations.contains_key(REFRESH_ANNOTATION)))
                }
            })
            .map(|app| (**app).clone())
            .collect()
    }

    /// Adds to `due` the apps whose managed objects changed (or went missing) since their
    /// last reconcile, as the shared watches saw it, unless their backoff says wait.
    fn add_drifted(&mut self, apps: &[Arc<Application>], due: &mut VecDeque<Application>) {
        let now = Instant::now();
        let dirty = self.objects.take_dirty();
        for app in apps {
            let key = key_of(app);
            if app.metadata.deletion_timestamp.is_some()
                || self.running.contains(&key)
                || due.iter().any(|queued| key_of(queued) == key)
            {
                continue;
            }
            let Some(seen) = self.seen.get(&key) else {
                continue;
            };
            if !seen.backoff.ready(now) {
                // Not now: look again once the backoff allows (the ids stay dirty).
                self.objects
                    .keep_dirty(&destination_of(app), seen.fingerprints.as_ref());
                continue;
            }
            if seen.heal_pending {
                if let Some(seen) = self.seen.get_mut(&key) {
                    seen.heal_pending = false;
                    let wait = seen.backoff.record(now);
                    eprintln!(
                        "controller: {}/{}: still OutOfSync after a sync; healing again (next drift acted on after {wait:?})",
                        key.0, key.1
                    );
                }
                due.push_back((**app).clone());
                continue;
            }
            let Some(baseline) = &seen.fingerprints else {
                continue;
            };
            let destination = destination_of(app);
            let changed: Vec<(String, Option<String>)> = baseline
                .iter()
                .filter(|(id, _)| dirty.contains(&(destination.clone(), (*id).clone())))
                .filter_map(|(id, print)| {
                    let current = self.objects.get(&destination, id)?;
                    current
                        .drifted_from(print)
                        .then(|| (id.clone(), current.manager))
                })
                .collect();
            if changed.is_empty() {
                continue;
            }
            let objects: Vec<String> = changed.iter().map(|(id, _)| id.clone()).collect();
            let mut managers: Vec<&str> = changed
                .iter()
                .filter_map(|(_, manager)| manager.as_deref())
                .collect();
            managers.sort_unstable();
            managers.dedup();
            let by = if managers.is_empty() {
                String::new()
            } else {
                format!(" (changed by {})", managers.join(", "))
            };
            let mut fighting = String::new();
            if let Some(seen) = self.seen.get_mut(&key) {
                let wait = seen.backoff.record(now);
                if seen.backoff.drifts() > 1 && !managers.is_empty() {
                    fighting = format!(
                        "; {} keeps changing them back (drift {} in a row, next acted on after {wait:?})",
                        managers.join(", "),
                        seen.backoff.drifts()
                    );
                }
                eprintln!(
                    "controller: {}/{}: drift detected ({}){by}; reconciling (next drift acted on after {wait:?})",
                    key.0,
                    key.1,
                    objects.join(", ")
                );
            }
            self.context.signals.send(Signal::DriftDetected {
                app: AppRef::of(app),
                objects: objects.clone(),
            });
            emit(
                &self.context,
                app,
                vec![AppEvent::warning(
                    "DriftDetected",
                    format!(
                        "Live objects differ from the last sync: {}{by}{fighting}",
                        objects.join(", ")
                    ),
                )],
            );
            self.drifted.insert(key);
            due.push_back((**app).clone());
        }
    }

    /// Takes in what a worker did.
    fn record(&mut self, finished: Finished) {
        let Finished {
            app,
            duration,
            work,
        } = finished;
        let result = match work {
            Work::Reconciled(result) => result,
            Work::Finalized(result) => return self.record_finalized(app, result),
        };
        let key = key_of(&app);
        self.running.remove(&key);
        self.context
            .signals
            .send(reconciled(&app, duration, &result));
        let previous = self.seen.get(&key).cloned();
        let mut fetch_failures = 0;
        let mut due_now = false;
        let mut kinds = previous
            .as_ref()
            .map(|seen| seen.kinds.clone())
            .unwrap_or_default();
        let (fingerprints, heal_pending, written_version) = match result {
            Ok(outcome) => {
                if let Some(error) = &outcome.error {
                    eprintln!("controller: {}/{}: {error}", key.0, key.1);
                }
                if outcome.fetch_failed {
                    fetch_failures = previous
                        .as_ref()
                        .map_or(0, |seen| seen.fetch_failures)
                        .saturating_add(1);
                }
                // A sync that succeeded yet left the app OutOfSync: something changed the
                // objects while it ran (or keeps changing them; the backoff spaces that out).
                let heal_pending = self_heal(&app)
                    && outcome.sync == SyncStatusCode::OutOfSync
                    && outcome.operation == Some(OperationPhase::Succeeded);
                if outcome.operation == Some(OperationPhase::Succeeded)
                    && outcome.sync == SyncStatusCode::Synced
                    && self.drifted.remove(&key)
                {
                    self.context.signals.send(Signal::DriftHealed {
                        app: AppRef::of(&app),
                    });
                    emit(
                        &self.context,
                        &app,
                        vec![AppEvent::normal(
                            "DriftHealed",
                            "Drifted objects were synced back to Git's state",
                        )],
                    );
                } else if outcome.sync == SyncStatusCode::Synced {
                    self.drifted.remove(&key);
                }
                kinds = outcome
                    .resources
                    .iter()
                    .filter(|resource| crate::drift::tracked(resource))
                    .map(|resource| (resource.group.clone(), resource.kind.clone()))
                    .collect();
                self.watch_objects(&app, &outcome);
                // Asked for again while it ran: due at once.
                due_now = outcome.requests_pending;
                (outcome.fingerprints, heal_pending, outcome.written_version)
            }
            Err(error) => {
                eprintln!("controller: {}/{}: {error}", key.0, key.1);
                // The status could not be written (the API failing): try again soon.
                fetch_failures = previous
                    .as_ref()
                    .map_or(0, |seen| seen.fetch_failures)
                    .saturating_add(1);
                (None, false, 0)
            }
        };
        // Changes the watches saw while the reconcile ran are looked at on the next pick.
        self.objects
            .keep_dirty(&destination_of(&app), fingerprints.as_ref());
        let backoff = previous
            .as_ref()
            .map(|seen| seen.backoff.clone())
            .unwrap_or_default();
        let next_refresh = if due_now {
            Instant::now()
        } else {
            Instant::now()
                + refresh_after(self.config.poll_interval, fetch_failures)
                + poll_jitter(&key, self.config.poll_interval, fetch_failures)
        };
        self.seen.insert(
            key,
            Seen {
                next_refresh,
                generation: app.metadata.generation,
                written_version,
                fingerprints,
                backoff,
                heal_pending,
                fetch_failures,
                kinds,
            },
        );
    }

    /// Stops the watches of types no app manages any more (apps deleted, or their objects
    /// removed from Git); an app that needs one again starts it after its next reconcile.
    fn stop_unneeded_watches(&self, apps: &[Arc<Application>]) {
        let wanted: HashSet<(Destination, String, String)> =
            apps.iter()
                .filter_map(|app| {
                    let seen = self.seen.get(&key_of(app))?;
                    let destination = destination_of(app);
                    Some(seen.kinds.iter().map(move |(group, kind)| {
                        (destination.clone(), group.clone(), kind.clone())
                    }))
                })
                .flatten()
                .collect();
        let stopped = self.objects.stop_unwanted(&wanted);
        if stopped > 0 {
            eprintln!("controller: stopped {stopped} watches no app needs any more");
        }
    }

    /// Takes in a cascading delete: on failure it is tried again after 2 s, 4 s, … (the
    /// Application stays, with its finalizer, until the objects are gone).
    fn record_finalized(&mut self, app: Application, result: Result<Deleted>) {
        let key = key_of(&app);
        self.running.remove(&key);
        let previous = self.seen.remove(&key);
        let fetch_failures = match &result {
            Ok(deleted) => {
                eprintln!(
                    "controller: {}/{}: deleted {} objects; the Application goes",
                    key.0,
                    key.1,
                    deleted.deleted.len()
                );
                0
            }
            Err(error) => {
                eprintln!(
                    "controller: {}/{}: deleting its objects: {error}",
                    key.0, key.1
                );
                previous
                    .as_ref()
                    .map_or(0, |seen| seen.fetch_failures)
                    .saturating_add(1)
            }
        };
        let next_refresh =
            Instant::now() + refresh_after(self.config.poll_interval, fetch_failures.max(1));
        self.seen.insert(
            key,
            Seen {
                next_refresh,
                generation: app.metadata.generation,
                written_version: version_number_of(&app),
                fingerprints: None,
                backoff: Backoff::default(),
                heal_pending: false,
                fetch_failures,
                kinds: HashSet::new(),
            },
        );
    }

    /// Makes sure the types of the app's objects are watched (in the background).
    fn watch_objects(&self, app: &Application, outcome: &Outcome) {
        if outcome.resources.is_empty() {
            return;
        }
        let objects = self.objects.clone();
        let context = self.context.clone();
        let app = app.clone();
        let resources = outcome.resources.clone();
        tokio::spawn(async move {
            let result = async {
                let client = context.client_for(&app).await?;
                objects
                    .ensure_watched(&destination_of(&app), &client, &resources)
                    .await
            }
            .await;
            if let Err(error) = result {
                eprintln!(
                    "controller: watching the objects of {}: {error}",
                    app.metadata.name
                );
            }
        });
    }

    /// Objects and watches in the shared cache (for benchmarks and diagnostics).
    pub fn cache_size(&self) -> (usize, usize) {
        self.objects.size()
    }
}

/// When the next refresh is due: the poll interval, or sooner after failed fetches (2 s,
/// 4 s, 8 s … up to the poll interval).
fn refresh_after(poll_interval: Duration, fetch_failures: u32) -> Duration {
    if fetch_failures == 0 {
        return poll_interval;
    }
    FETCH_RETRY_BASE
        .saturating_mul(1 << (fetch_failures - 1).min(16))
        .min(poll_interval)
}

/// Each app's polls come this share of the poll interval late at most, an amount fixed per
/// app (a hash of its namespace and name), so apps created together are not refreshed
/// together forever after.
const POLL_JITTER_SHARE: u32 = 10;

/// The delay added to an app's poll interval: up to a tenth of it, the same for an app every
/// time; none while failed fetches are retried. Pure.
fn poll_jitter(key: &AppKey, poll_interval: Duration, fetch_failures: u32) -> Duration {
    if fetch_failures > 0 {
        return Duration::ZERO;
    }
    let hash = ferry_types::stable_hash(key.0.bytes().chain([b'/']).chain(key.1.bytes()));
    let share = (hash % 1_000_000) as u32;
    poll_interval / POLL_JITTER_SHARE * share / 1_000_000
}

/// Completes when the leadership changes (never without leader election).
async fn leadership_changed(leader: &mut Option<watch::Receiver<bool>>) {
    match leader {
        Some(leader) => {
            if leader.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}

/// Runs the elector's rounds on a task until aborted; the elector stays reachable to
/// release the Lease at shutdown.
fn spawn_elector(
    elector: Elector,
    renew_period: Duration,
) -> (JoinHandle<()>, Arc<tokio::sync::Mutex<Elector>>) {
    let elector = Arc::new(tokio::sync::Mutex::new(elector));
    let running = elector.clone();
    let task = tokio::spawn(async move {
        loop {
            running.lock().await.round().await;
            tokio::time::sleep(renew_period).await;
        }
    });
    (task, elector)
}

fn version_number_of(app: &Application) -> u64 {
    app.metadata
        .resource_version
        .as_deref()
        .and_then(|version| version.parse().ok())
        .unwrap_or(0)
}

/// The destination cluster of an app, as the object cache keys it.
fn destination_of(app: &Application) -> Destination {
    (
        app.spec.destination.server.clone(),
        app.spec.destination.name.clone(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_jitter_is_fixed_per_app_at_most_a_tenth_and_spreads_apps() {
        let interval = Duration::from_secs(60);
        let key = |name: &str| ("default".to_string(), name.to_string());
        let jitters: Vec<Duration> = (0..100)
            .map(|index| poll_jitter(&key(&format!("app-{index}")), interval, 0))
            .collect();
        assert!(
            jitters
                .iter()
                .all(|jitter| *jitter < Duration::from_secs(6))
        );
        let mut distinct = jitters.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 95, "{distinct:?}");
        assert_eq!(poll_jitter(&key("app-7"), interval, 0), jitters[7]);
        assert_eq!(poll_jitter(&key("app-7"), interval, 2), Duration::ZERO);
    }
}
