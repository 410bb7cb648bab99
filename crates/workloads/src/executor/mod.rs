//! The executor: one task that follows the store's change log, works out which controllers'
//! objects changed, runs their reconciles and applies the outcomes. Its loop is a state
//! ([`Executor`]) advanced by [`Executor::step`].

mod apply;
mod gather;
mod queue;
mod routes;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use ferry_cluster::ClusterState;
use ferry_cluster::store::EventType;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::change::{Context, RandomNames};
use crate::client::Client;
use crate::config::SimulationConfig;
use crate::error::Error;
use gather::{Memory, View};
use queue::WorkQueue;

/// How many keys one step reconciles before looking at the change log again.
const BATCH: usize = 64;
/// How long to wait before retrying a key whose write the server refused.
const RETRY_REFUSED: Duration = Duration::from_secs(5);
/// How long to wait before retrying a key whose write raced another.
const RETRY_CONFLICT: Duration = Duration::from_millis(50);
/// How long to wait before retrying a key whose object to create exists already (a name taken
/// by an object the controller does not own would otherwise be retried in a tight loop).
const RETRY_EXISTS: Duration = Duration::from_secs(1);

/// Counters of what the controllers did.
#[derive(Debug, Default)]
pub struct Stats {
    reconciles: AtomicU64,
    writes: AtomicU64,
    conflicts: AtomicU64,
    refused: AtomicU64,
}

/// A copy of the counters at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Reconciles run.
    pub reconciles: u64,
    /// Writes (and Events) applied.
    pub writes: u64,
    /// Writes that raced another write and were retried.
    pub conflicts: u64,
    /// Writes the server refused.
    pub refused: u64,
}

impl Stats {
    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            reconciles: self.reconciles.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            conflicts: self.conflicts.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }
}

/// The running controllers; dropping the handle stops them.
#[derive(Debug)]
pub struct ControllersHandle {
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    stats: Arc<Stats>,
}

impl ControllersHandle {
    /// Stops the controllers and waits for the current step to finish.
    pub async fn stop(mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// What the controllers have done so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }
}

impl Drop for ControllersHandle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

/// Starts the simulated controllers and kubelets on `state` (call inside a tokio runtime, after
/// `ferry_cluster::start`).
pub fn spawn_controllers(state: Arc<ClusterState>, config: SimulationConfig) -> ControllersHandle {
    let (shutdown, mut stopped) = watch::channel(false);
    let stats = Arc::new(Stats::default());
    let mut executor = Executor::new(state, config, stats.clone());
    let task = tokio::spawn(async move {
        loop {
            let wait = match executor.step().await {
                Step::Worked => {
                    tokio::task::yield_now().await;
                    if *stopped.borrow() {
                        return;
                    }
                    continue;
                }
                Step::Idle(wait) => wait,
            };
            let sleep = async {
                match wait {
                    Some(due) => tokio::time::sleep_until(due.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stopped.changed() => return,
                _ = executor.changes.changed() => {}
                _ = executor.faults.changed() => {}
                _ = sleep => {}
            }
            if *stopped.borrow() {
                return;
            }
        }
    });
    ControllersHandle {
        shutdown,
        task: Some(task),
        stats,
    }
}

/// What one step did.
pub enum Step {
    /// Some keys were reconciled; step again.
    Worked,
    /// Nothing to do until the store changes or this instant passes.
    Idle(Option<Instant>),
}

/// The executor's state between steps.
pub struct Executor {
    client: Client,
    config: SimulationConfig,
    queue: WorkQueue,
    memory: Memory,
    seen: u64,
    changes: watch::Receiver<u64>,
    faults: watch::Receiver<u64>,
    fault_generation: u64,
    names: RandomNames,
    stats: Arc<Stats>,
    synced: bool,
}

impl Executor {
    /// An executor over `state` that has seen nothing yet.
    pub fn new(state: Arc<ClusterState>, config: SimulationConfig, stats: Arc<Stats>) -> Executor {
        let changes = state.store.subscribe();
        let faults = state.faults.subscribe();
        Executor {
            client: Client::new(state),
            config,
            queue: WorkQueue::default(),
            memory: Memory::default(),
            seen: 0,
            changes,
            faults,
            fault_generation: 0,
            names: RandomNames,
            stats,
            synced: false,
        }
    }

    fn state(&self) -> Arc<ClusterState> {
        self.client.state().clone()
    }

    /// Reads the change log since the last step and queues the keys it touches (everything after
    /// a gap in the log or at the first step).
    fn follow_changes(&mut self) {
        let state = self.state();
        self.changes.borrow_and_update();
        let fault_generation = *self.faults.borrow_and_update();
        if fault_generation != self.fault_generation {
            self.fault_generation = fault_generation;
            // A node lost or found again: the nodes controller marks it.
            self.queue
                .add(queue::Key::new(queue::Controller::Nodes, "", ""));
        }
        let events = if self.synced {
            state.store.events_since(self.seen).ok()
        } else {
            None
        };
        match events {
            Some(events) => {
                for event in events {
                    self.seen = self.seen.max(event.resource_version);
                    if event.kind == EventType::Deleted
                        && event.key.group.is_empty()
                        && event.key.resource == "pods"
                        && let Some(uid) = event
                            .object
                            .pointer("/metadata/uid")
                            .and_then(|v| v.as_str())
                    {
                        self.memory.admitted.remove(uid);
                    }
                    for key in routes::keys_for(
                        &state,
                        &event.key.type_key(),
                        &event.object,
                        event.previous.as_deref(),
                    ) {
                        self.queue.add(key);
                    }
                }
            }
            None => {
                self.seen = state.store.resource_version();
                self.synced = true;
                for key in routes::all_keys(&state) {
                    self.queue.add(key);
                }
            }
        }
    }

    /// One step: follow the change log, then reconcile a batch of due keys.
    pub async fn step(&mut self) -> Step {
        self.follow_changes();
        self.queue.promote(Instant::now());
        if self.queue.is_idle() {
            return Step::Idle(self.queue.next_due());
        }
        let state = self.state();
        let keys = self.queue.take(BATCH);
        // Reconcile the batch against one snapshot of the store (pure), then apply the outcomes
        // of different keys concurrently: their writes share group commits (one fsync for many)
        // while each key's own changes stay in order.
        let mut planned = Vec::with_capacity(keys.len());
        {
            let view = View::new(&state);
            for key in keys {
                let ctx = Context {
                    now: SystemTime::now(),
                    config: &self.config,
                    names: &self.names,
                };
                let outcome = gather::reconcile(&key, &view, &mut self.memory, &ctx);
                self.stats.reconciles.fetch_add(1, Ordering::Relaxed);
                if let Some(outcome) = outcome {
                    planned.push((key, outcome));
                }
            }
        }
        let client = &self.client;
        let stats = &self.stats;
        let results = futures_util::future::join_all(
            planned
                .iter()
                .map(|(_, outcome)| apply_in_order(client, stats, &outcome.changes)),
        )
        .await;
        for ((key, outcome), result) in planned.into_iter().zip(results) {
            if let Some(delay) = outcome.requeue_after {
                self.queue.add_at(key.clone(), Instant::now() + delay);
            }
            if let Some(delay) = result {
                self.queue.add_at(key, Instant::now() + delay);
            }
        }
        Step::Worked
    }
}

/// Applies one key's changes in order; the first failure stops the rest and says when to retry
/// the key (a conflict soon, the change that made it stale queues it anyway; a refusal later).
async fn apply_in_order(
    client: &Client,
    stats: &Stats,
    changes: &[crate::change::Change],
) -> Option<Duration> {
    for change in changes {
        match apply::apply(client, change).await {
            Ok(()) => {
                stats.writes.fetch_add(1, Ordering::Relaxed);
            }
            Err(
                error @ (Error::Conflict { .. }
                | Error::NotFound { .. }
                | Error::AlreadyExists { .. }),
            ) => {
                stats.conflicts.fetch_add(1, Ordering::Relaxed);
                return Some(match error {
                    Error::AlreadyExists { .. } => RETRY_EXISTS,
                    _ => RETRY_CONFLICT,
                });
            }
            Err(_) => {
                stats.refused.fetch_add(1, Ordering::Relaxed);
                return Some(RETRY_REFUSED);
            }
        }
    }
    None
}
