//! What a reconcile decides, as data: the writes to make, the Events to record and when to look
//! again. The executor carries them out.

use std::cell::Cell;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::config::SimulationConfig;
use crate::resources::Resource;

/// One write a controller wants.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Create an object (its namespace is `metadata.namespace`).
    Create {
        /// What it is.
        resource: &'static Resource,
        /// The object.
        object: Value,
    },
    /// Replace an object (conditional on its `metadata.resourceVersion`).
    Update {
        /// What it is.
        resource: &'static Resource,
        /// The object.
        object: Value,
    },
    /// Replace an object's status (and, for kinds whose status writes may carry them, its
    /// annotations — the Deployment revision).
    UpdateStatus {
        /// What it is.
        resource: &'static Resource,
        /// The object with its new status.
        object: Value,
    },
    /// Delete an object if it still has this uid.
    Delete {
        /// What it is.
        resource: &'static Resource,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// Its uid.
        uid: String,
    },
    /// Record an Event (repeated Events bump the count of the first).
    Record(EventRecord),
}

/// Normal or Warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Something expected happened.
    Normal,
    /// Something went wrong.
    Warning,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// An Event about one object.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// The `involvedObject` reference (kind, namespace, name, uid, apiVersion, ...).
    pub involved: Value,
    /// `spec.containers{name}` and the like, when the Event is about a part of the object.
    pub field_path: Option<String>,
    /// Normal or Warning.
    pub kind: EventType,
    /// `Scheduled`, `Pulled`, `ScalingReplicaSet`, ...
    pub reason: String,
    /// The human message.
    pub message: String,
    /// The reporting component (`kubelet`, `deployment-controller`, ...).
    pub component: String,
    /// The node, for kubelet Events.
    pub host: Option<String>,
}

impl EventRecord {
    /// An Event about `object` from a controller.
    pub fn new(
        object: &Value,
        kind: EventType,
        reason: &str,
        message: String,
        component: &str,
    ) -> EventRecord {
        EventRecord {
            involved: crate::object::object_reference(object),
            field_path: None,
            kind,
            reason: reason.to_string(),
            message,
            component: component.to_string(),
            host: None,
        }
    }
}

/// What one reconcile decided.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// The writes, in order.
    pub changes: Vec<Change>,
    /// Look at the object again after this long even if nothing changes.
    pub requeue_after: Option<Duration>,
}

impl Outcome {
    /// Nothing to do.
    pub fn none() -> Outcome {
        Outcome::default()
    }

    /// Adds a write.
    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Records an Event.
    pub fn record(&mut self, event: EventRecord) {
        self.changes.push(Change::Record(event));
    }

    /// Asks to look again after `delay` (the earliest request wins).
    pub fn requeue(&mut self, delay: Duration) {
        self.requeue_after = Some(match self.requeue_after {
            Some(current) => current.min(delay),
            None => delay,
        });
    }
}

/// Where random name suffixes come from: the OS in the executor, a counter in tests.
pub trait NameSource {
    /// Five characters from the `generateName` alphabet.
    fn suffix(&self) -> String;
}

/// Random suffixes, as the API server makes them.
#[derive(Debug, Default)]
pub struct RandomNames;

impl NameSource for RandomNames {
    fn suffix(&self) -> String {
        ferry_cluster::object::ids::name_suffix()
    }
}

/// Predictable suffixes for tests: `bbbbb`, `bbbbc`, ...
#[derive(Debug, Default)]
pub struct CountingNames {
    next: Cell<u32>,
}

impl NameSource for CountingNames {
    fn suffix(&self) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut number = self.next.get();
        self.next.set(number + 1);
        let mut out = [b'b'; 5];
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(number % 27) as usize];
            number /= 27;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// What every reconcile may consult besides its objects.
pub struct Context<'a> {
    /// The current wall-clock time.
    pub now: SystemTime,
    /// Timings and options.
    pub config: &'a SimulationConfig,
    /// Random name suffixes.
    pub names: &'a dyn NameSource,
}

impl Context<'_> {
    /// `now` in the wire form.
    pub fn timestamp(&self) -> String {
        crate::object::timestamp(self.now)
    }
}
