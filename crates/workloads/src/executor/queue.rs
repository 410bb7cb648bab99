//! The work queue: keys to reconcile now (deduplicated) and keys to reconcile later.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Which controller a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Controller {
    /// The simulated nodes (one key for all).
    Nodes,
    /// A namespace's defaults.
    Namespace,
    /// A Deployment.
    Deployment,
    /// A ReplicaSet.
    ReplicaSet,
    /// A pod's kubelet.
    Pod,
    /// A Service's Endpoints and EndpointSlices.
    Service,
    /// A Job.
    Job,
    /// A CronJob.
    CronJob,
    /// A StatefulSet.
    StatefulSet,
    /// A DaemonSet.
    DaemonSet,
    /// A PersistentVolumeClaim's binding.
    Claim,
    /// An Ingress's published address.
    Ingress,
    /// A HorizontalPodAutoscaler's status (and its target's bounds).
    Autoscaler,
}

/// One thing to reconcile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The controller.
    pub controller: Controller,
    /// Namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl Key {
    /// A key.
    pub fn new(controller: Controller, namespace: &str, name: &str) -> Key {
        Key {
            controller,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

/// Keys due now and keys due later.
#[derive(Debug, Default)]
pub struct WorkQueue {
    dirty: BTreeSet<Key>,
    later: BTreeMap<Key, Instant>,
}

impl WorkQueue {
    /// Reconcile `key` as soon as possible.
    pub fn add(&mut self, key: Key) {
        self.dirty.insert(key);
    }

    /// Reconcile `key` at `at` (an earlier request for the same key wins).
    pub fn add_at(&mut self, key: Key, at: Instant) {
        let slot = self.later.entry(key).or_insert(at);
        if at < *slot {
            *slot = at;
        }
    }

    /// Moves the keys due at `now` to the ready set.
    pub fn promote(&mut self, now: Instant) {
        let due: Vec<Key> = self
            .later
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            self.later.remove(&key);
            self.dirty.insert(key);
        }
    }

    /// Takes up to `limit` ready keys.
    pub fn take(&mut self, limit: usize) -> Vec<Key> {
        let mut taken = Vec::new();
        while taken.len() < limit {
            let Some(key) = self.dirty.pop_first() else {
                break;
            };
            taken.push(key);
        }
        taken
    }

    /// When the next delayed key is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.later.values().min().copied()
    }

    /// True when nothing is ready now.
    pub fn is_idle(&self) -> bool {
        self.dirty.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn keys_are_deduplicated_and_delayed_keys_wait_for_their_time() {
        let mut queue = WorkQueue::default();
        let key = Key::new(Controller::Pod, "default", "web");
        queue.add(key.clone());
        queue.add(key.clone());
        assert_eq!(queue.take(10), vec![key.clone()]);
        let start = Instant::now();
        queue.add_at(key.clone(), start + Duration::from_secs(5));
        queue.add_at(key.clone(), start + Duration::from_secs(1));
        assert_eq!(queue.next_due(), Some(start + Duration::from_secs(1)));
        queue.promote(start);
        assert!(queue.is_idle());
        queue.promote(start + Duration::from_secs(2));
        assert_eq!(queue.take(10), vec![key]);
        assert_eq!(queue.next_due(), None);
    }
}
