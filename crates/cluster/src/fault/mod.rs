//! Cluster-wide faults, injected on purpose: API latency, a fraction of requests answered 429,
//! 500 or 503, watch connections dropped, history compaction (410 Gone) and node loss. The
//! decisions are pure ([`FaultSet`]); [`FaultRegistry`] holds the active set in the cluster's
//! state; the admin endpoint `/ferry/faults` lists, adds and clears them; the request hook
//! applies them before a request reaches the API. Health checks (`/healthz`, `/livez`,
//! `/readyz`), the admin endpoint and requests marked [`Exempt`] (the simulated controllers, which
//! run inside the server) are never faulted. Node loss is carried out by the simulated
//! controllers (`ferry-workloads`), which read [`FaultRegistry::lost_nodes`].

mod admin;
mod layer;
mod set;
mod spec;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

pub use admin::ADMIN_PATH;
pub(crate) use layer::around;
pub use set::{Decision, Fault, FaultSet, InjectedError, LostNode, RequestInfo};
pub use spec::{FaultRequest, FaultSpec, Scope, format_duration, parse_duration};

use crate::store::Store;

/// A request extension that exempts an in-process request from every fault. Only code in the
/// same process can set it; requests from the network never carry it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Exempt;

/// The active faults of one cluster, shared by every request.
#[derive(Debug)]
pub struct FaultRegistry {
    set: Mutex<FaultSet>,
    changed: tokio::sync::watch::Sender<u64>,
}

impl Default for FaultRegistry {
    fn default() -> Self {
        let mut seed = [0u8; 8];
        if getrandom::fill(&mut seed).is_err() {
            seed = 0x9E37_79B9_7F4A_7C15u64.to_le_bytes();
        }
        FaultRegistry::with_seed(u64::from_le_bytes(seed))
    }
}

impl FaultRegistry {
    /// No faults; error fractions drawn from a generator seeded with `seed`.
    pub fn with_seed(seed: u64) -> FaultRegistry {
        let (changed, _) = tokio::sync::watch::channel(0);
        FaultRegistry {
            set: Mutex::new(FaultSet::new(seed)),
            changed,
        }
    }

    fn lock(&self) -> MutexGuard<'_, FaultSet> {
        self.set.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn notify(&self) {
        self.changed.send_modify(|generation| *generation += 1);
    }

    /// Adds a fault (compacting the history at once for a compaction) and returns it.
    pub fn add(&self, spec: FaultSpec, duration: Option<Duration>, store: &Store) -> Fault {
        let now = SystemTime::now();
        let fault = self.lock().add(spec, duration, now);
        self.compact_if_due(store, now);
        self.notify();
        self.list()
            .into_iter()
            .find(|listed| listed.id == fault.id)
            .unwrap_or(fault)
    }

    /// Removes one fault.
    pub fn remove(&self, id: &str) -> Option<Fault> {
        let removed = self.lock().remove(id);
        if removed.is_some() {
            self.notify();
        }
        removed
    }

    /// Removes every fault and returns them.
    pub fn clear(&self) -> Vec<Fault> {
        let cleared = self.lock().clear();
        self.notify();
        cleared
    }

    /// The active faults (expired ones are forgotten).
    pub fn list(&self) -> Vec<Fault> {
        let now = SystemTime::now();
        let mut set = self.lock();
        set.expire(now);
        set.active(now)
    }

    /// Whether no fault is active.
    pub fn is_quiet(&self, now: SystemTime) -> bool {
        self.lock().is_quiet(now)
    }

    /// The delay and error for one request.
    pub fn decide(&self, request: &RequestInfo<'_>, now: SystemTime) -> Decision {
        self.lock().decide(request, now)
    }

    /// When a watch opened at `opened` must be closed, if ever.
    pub fn watch_deadline(&self, opened: SystemTime, now: SystemTime) -> Option<SystemTime> {
        self.lock().watch_deadline(opened, now)
    }

    /// The nodes lost now.
    pub fn lost_nodes(&self) -> Vec<LostNode> {
        self.lock().lost_nodes(SystemTime::now())
    }

    /// A receiver that wakes whenever a fault is added or removed.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Compacts the store's history for the compaction faults that are due.
    pub(crate) fn compact_if_due(&self, store: &Store, now: SystemTime) {
        let due = self.lock().due_compactions(now);
        if due.is_empty() {
            return;
        }
        let revision = store.compact();
        let mut set = self.lock();
        for id in due {
            set.record_compaction(&id, revision, now);
        }
    }
}
