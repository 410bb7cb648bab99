//! The bounded in-memory log of changes that watches resume from.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::Value;

use super::key::ObjectKey;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// The object was created.
    Added,
    /// The object was changed.
    Modified,
    /// The object was removed.
    Deleted,
}

impl EventType {
    /// The watch wire name (`ADDED`, `MODIFIED`, `DELETED`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Debug)]
pub struct Event {
    /// What happened.
    pub kind: EventType,
    /// Which object.
    pub key: ObjectKey,
    /// The object after the change; for a deletion, its last state stamped with the deletion's
    /// resourceVersion.
    pub object: Arc<Value>,
    /// The object before the change, if it existed.
    pub previous: Option<Arc<Value>>,
    /// The resourceVersion of this change.
    pub resource_version: u64,
}

/// A ring of the most recent events. Every change after `start` is in the log.
#[derive(Debug)]
pub struct EventLog {
    events: VecDeque<Arc<Event>>,
    capacity: usize,
    start: u64,
}

impl EventLog {
    /// An empty log that can resume watches from `start` on.
    pub fn new(start: u64, capacity: usize) -> Self {
        EventLog {
            events: VecDeque::new(),
            capacity: capacity.max(1),
            start,
        }
    }

    /// The oldest resourceVersion a watch can resume from.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Appends an event, dropping the oldest when full.
    pub fn push(&mut self, event: Arc<Event>) {
        if self.events.len() == self.capacity
            && let Some(dropped) = self.events.pop_front()
        {
            self.start = dropped.resource_version;
        }
        self.events.push_back(event);
    }

    /// Forgets every event: the log resumes from `resource_version` on (history compaction).
    pub fn compact(&mut self, resource_version: u64) {
        self.events.clear();
        self.start = self.start.max(resource_version);
    }

    /// The events after `after`, or `None` when some of them were already dropped.
    pub fn since(&self, after: u64) -> Option<Vec<Arc<Event>>> {
        if after < self.start {
            return None;
        }
        let first = self
            .events
            .partition_point(|event| event.resource_version <= after);
        Some(self.events.range(first..).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(resource_version: u64) -> Arc<Event> {
        Arc::new(Event {
            kind: EventType::Added,
            key: ObjectKey::new("", "configmaps", "default", "a"),
            object: Arc::new(Value::Null),
            previous: None,
            resource_version,
        })
    }

    #[test]
    fn a_full_log_forgets_its_oldest_events_and_refuses_to_resume_before_them() {
        let mut log = EventLog::new(10, 2);
        for resource_version in 11..=13 {
            log.push(event(resource_version));
        }
        assert_eq!(log.start(), 11);
        assert!(log.since(10).is_none());
        let versions: Vec<u64> = log
            .since(11)
            .unwrap_or_default()
            .iter()
            .map(|e| e.resource_version)
            .collect();
        assert_eq!(versions, vec![12, 13]);
        assert!(log.since(13).unwrap_or_default().is_empty());
    }

    #[test]
    fn a_compacted_log_refuses_every_earlier_version_and_resumes_from_the_compaction() {
        let mut log = EventLog::new(10, 100);
        for resource_version in 11..=13 {
            log.push(event(resource_version));
        }
        log.compact(13);
        assert!(log.since(12).is_none());
        assert!(log.since(13).unwrap_or_default().is_empty());
        log.push(event(14));
        assert_eq!(log.since(13).unwrap_or_default().len(), 1);
    }
}
