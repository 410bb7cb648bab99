//! The loop: a [`State`] advanced by [`Controller::step`]. Install the CRDs, list
//! Applications, reconcile those that are due (poll interval passed, `ferry.dev/refresh`
//! annotation, spec changed, `.operation` requested), wait a bounded tick, list again.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::time::{Duration, Instant};

use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_git::{Credentials, RepoCache};
use ferry_types::Application;
use kube::api::{Api, DynamicObject, ListParams};

use crate::apps::{Context, application_resource, remove_annotation};
use crate::reconcile::reconcile;
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
}

/// The controller: a context for reconciles and what it remembers per app.
pub struct Controller {
    config: ControllerConfig,
    client: ClusterClient,
    context: Context,
    seen: HashMap<(String, String), Seen>,
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
        );
        Ok(Self {
            config,
            client,
            context,
            seen: HashMap::new(),
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
                let due = self.due(self.list().await?);
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
            let mut value = serde_json::to_value(&item).unwrap_or_default();
            value["apiVersion"] = ferry_types::FERRY_API_VERSION.into();
            value["kind"] = "Application".into();
            let name = item.metadata.name.clone().unwrap_or_default();
            match Application::from_value(value, &format!("Application {name}")) {
                Ok((app, _warnings)) => apps.push(app),
                Err(error) => eprintln!("controller: {error}"),
            }
        }
        Ok(apps)
    }

    /// The apps to reconcile now; forgets apps that are gone.
    fn due(&mut self, apps: Vec<Application>) -> VecDeque<Application> {
        let now = Instant::now();
        let keys: std::collections::HashSet<_> = apps.iter().map(key_of).collect();
        self.seen.retain(|key, _| keys.contains(key));
        apps.into_iter()
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
            .collect()
    }

    async fn reconcile_one(&mut self, app: &Application) {
        let key = key_of(app);
        if app.metadata.annotations.contains_key(REFRESH_ANNOTATION)
            && let Err(error) =
                remove_annotation(&self.context, &key.0, &key.1, REFRESH_ANNOTATION).await
        {
            eprintln!("controller: {error}");
        }
        match reconcile(app, &self.context).await {
            Ok(outcome) => {
                if let Some(error) = outcome.error {
                    eprintln!("controller: {}/{}: {error}", key.0, key.1);
                }
            }
            Err(error) => eprintln!("controller: {}/{}: {error}", key.0, key.1),
        }
        self.seen.insert(
            key,
            Seen {
                next_refresh: Instant::now() + self.config.poll_interval,
                generation: app.metadata.generation,
            },
        );
    }
}

fn key_of(app: &Application) -> (String, String) {
    (
        app.metadata.namespace.clone().unwrap_or_default(),
        app.metadata.name.clone(),
    )
}
