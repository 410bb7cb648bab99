//! The object store: one global, monotonically increasing resourceVersion; every write durable
//! (fsynced) before it is acknowledged; an in-memory index for reads and a bounded event log that
//! watches resume from.

mod disk;
mod events;
mod key;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde_json::Value;

pub use events::{Event, EventType};
pub use key::{ObjectKey, TypeKey};

use crate::error::{Error, Result};
use disk::Disk;
use events::EventLog;

/// How many events the log keeps for watch resumption unless told otherwise.
pub const DEFAULT_EVENT_LOG_CAPACITY: usize = 10_000;

/// What a write expects to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// The object must not exist (create).
    Absent,
    /// The object must exist, in any version.
    Exists,
    /// The object must exist at exactly this resourceVersion.
    ResourceVersion(u64),
}

/// The change a write makes.
#[derive(Debug)]
pub enum Change {
    /// Store this object (its `metadata.resourceVersion` is set by the store).
    Put(Value),
    /// Remove the object.
    Delete,
}

type Objects = BTreeMap<(String, String), Arc<Value>>;

struct State {
    resource_version: u64,
    objects: HashMap<TypeKey, Objects>,
    log: EventLog,
}

struct Inner {
    disk: Disk,
    writer: Mutex<()>,
    state: RwLock<State>,
    changed: tokio::sync::watch::Sender<u64>,
}

/// A handle on the store; clones share it.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Store")
            .field("resource_version", &self.resource_version())
            .finish()
    }
}

impl Store {
    /// Opens the store file at `path`, creating it when `create` is true and it is missing.
    pub fn open(path: &Path, create: bool, event_log_capacity: usize) -> Result<Store> {
        let (disk, loaded) = Disk::open(path, create)?;
        Ok(Store::from_parts(disk, loaded, event_log_capacity))
    }

    /// A store kept in memory only (nothing survives the process).
    pub fn in_memory(event_log_capacity: usize) -> Result<Store> {
        let (disk, loaded) = Disk::in_memory()?;
        Ok(Store::from_parts(disk, loaded, event_log_capacity))
    }

    fn from_parts(disk: Disk, loaded: disk::Loaded, event_log_capacity: usize) -> Store {
        let mut objects: HashMap<TypeKey, Objects> = HashMap::new();
        for (key, object) in loaded.objects {
            objects
                .entry(key.type_key())
                .or_default()
                .insert((key.namespace, key.name), Arc::new(object));
        }
        let state = State {
            resource_version: loaded.resource_version,
            objects,
            log: EventLog::new(loaded.resource_version, event_log_capacity),
        };
        let (changed, _) = tokio::sync::watch::channel(loaded.resource_version);
        Store {
            inner: Arc::new(Inner {
                disk,
                writer: Mutex::new(()),
                state: RwLock::new(state),
                changed,
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The resourceVersion of the last committed write.
    pub fn resource_version(&self) -> u64 {
        self.read().resource_version
    }

    /// One object.
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<Value>> {
        self.read()
            .objects
            .get(&key.type_key())?
            .get(&(key.namespace.clone(), key.name.clone()))
            .cloned()
    }

    /// Every object of a type (in one namespace when given), ordered by namespace then name, with
    /// the resourceVersion they were read at.
    pub fn list(&self, type_key: &TypeKey, namespace: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let state = self.read();
        let items = match state.objects.get(type_key) {
            None => Vec::new(),
            Some(objects) => match namespace {
                None => objects.values().cloned().collect(),
                Some(namespace) => objects
                    .range((namespace.to_string(), String::new())..)
                    .take_while(|((item_namespace, _), _)| item_namespace == namespace)
                    .map(|(_, object)| object.clone())
                    .collect(),
            },
        };
        (items, state.resource_version)
    }

    /// Every type that has stored objects.
    pub fn types(&self) -> Vec<TypeKey> {
        let mut types: Vec<TypeKey> = self
            .read()
            .objects
            .iter()
            .filter(|(_, objects)| !objects.is_empty())
            .map(|(key, _)| key.clone())
            .collect();
        types.sort();
        types
    }

    /// The keys of every object in a namespace, of any type.
    pub fn keys_in_namespace(&self, namespace: &str) -> Vec<ObjectKey> {
        let state = self.read();
        let mut keys = Vec::new();
        for (type_key, objects) in &state.objects {
            for (item_namespace, name) in objects.keys() {
                if item_namespace == namespace {
                    keys.push(ObjectKey::new(
                        &type_key.group,
                        &type_key.resource,
                        item_namespace,
                        name,
                    ));
                }
            }
        }
        keys.sort();
        keys
    }

    /// Applies one change durably and returns the stored object (for a deletion: its last state
    /// stamped with the deletion's resourceVersion). Blocks on the disk: call it off the async
    /// runtime's worker threads (`spawn_blocking`).
    pub fn commit(
        &self,
        key: &ObjectKey,
        change: Change,
        precondition: Precondition,
    ) -> Result<Arc<Value>> {
        let _writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (current, resource_version) = {
            let state = self.read();
            (
                state
                    .objects
                    .get(&key.type_key())
                    .and_then(|objects| objects.get(&(key.namespace.clone(), key.name.clone())))
                    .cloned(),
                state.resource_version,
            )
        };
        check(current.as_deref(), &change, precondition)?;
        let next = resource_version + 1;
        let (kind, object) = match change {
            Change::Put(mut object) => {
                stamp(&mut object, next);
                let kind = if current.is_some() {
                    EventType::Modified
                } else {
                    EventType::Added
                };
                (kind, object)
            }
            Change::Delete => {
                let mut object = current.as_deref().cloned().unwrap_or(Value::Null);
                stamp(&mut object, next);
                (EventType::Deleted, object)
            }
        };
        let bytes = match kind {
            EventType::Deleted => None,
            _ => Some(
                serde_json::to_vec(&object).map_err(|e| Error::storage("encoding an object", e))?,
            ),
        };
        self.inner.disk.write(key, bytes.as_deref(), next)?;
        let object = Arc::new(object);
        {
            let mut state = self
                .inner
                .state
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let objects = state.objects.entry(key.type_key()).or_default();
            let slot = (key.namespace.clone(), key.name.clone());
            if kind == EventType::Deleted {
                objects.remove(&slot);
            } else {
                objects.insert(slot, object.clone());
            }
            state.resource_version = next;
            state.log.push(Arc::new(Event {
                kind,
                key: key.clone(),
                object: object.clone(),
                previous: current,
                resource_version: next,
            }));
        }
        self.inner.changed.send_replace(next);
        Ok(object)
    }

    /// A receiver that wakes whenever a write commits (it carries the new resourceVersion).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// Every event after `after`, or [`Error::Expired`] when the log no longer reaches back that far.
    pub fn events_since(&self, after: u64) -> Result<Vec<Arc<Event>>> {
        let state = self.read();
        state.log.since(after).ok_or(Error::Expired {
            requested: after,
            oldest: state.log.start(),
        })
    }

    /// The oldest resourceVersion a watch can resume from.
    pub fn oldest_resumable(&self) -> u64 {
        self.read().log.start()
    }
}

fn check(current: Option<&Value>, change: &Change, precondition: Precondition) -> Result<()> {
    match (current, precondition) {
        (Some(_), Precondition::Absent) => Err(Error::AlreadyExists),
        (None, Precondition::Absent) => match change {
            Change::Put(_) => Ok(()),
            Change::Delete => Err(Error::NotFound),
        },
        (None, _) => Err(Error::NotFound),
        (Some(_), Precondition::Exists) => Ok(()),
        (Some(object), Precondition::ResourceVersion(expected)) => {
            let current = resource_version_of(object);
            if current == expected {
                Ok(())
            } else {
                Err(Error::Conflict { current })
            }
        }
    }
}

/// The numeric `metadata.resourceVersion` of an object (0 when absent).
pub fn resource_version_of(object: &Value) -> u64 {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .unwrap_or(0)
}

fn stamp(object: &mut Value, resource_version: u64) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert(
            "resourceVersion".to_string(),
            Value::String(resource_version.to_string()),
        );
    }
}

#[cfg(test)]
mod tests;
