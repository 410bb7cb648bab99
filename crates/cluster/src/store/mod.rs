//! The object store: one global, monotonically increasing resourceVersion; every write durable
//! (fsynced) before it is acknowledged; an in-memory index for reads and a bounded event log that
//! watches resume from. Concurrent writers are grouped: the writes that queue up while one redb
//! transaction is being fsynced are committed together in the next one (group commit).

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

/// A write waiting for the next group commit.
struct Pending {
    key: ObjectKey,
    change: Change,
    precondition: Precondition,
    reply: std::sync::mpsc::Sender<Result<Arc<Value>>>,
}

/// A write of a batch that passed its precondition, with its event.
struct Planned {
    event: Arc<Event>,
    reply: std::sync::mpsc::Sender<Result<Arc<Value>>>,
}

struct Inner {
    disk: Disk,
    writer: Mutex<()>,
    queue: Mutex<Vec<Pending>>,
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
                queue: Mutex::new(Vec::new()),
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
    /// runtime's worker threads (`spawn_blocking`). Writes arriving while another commit is in
    /// flight are committed together with it in one transaction, each still checked against its
    /// precondition in arrival order.
    pub fn commit(
        &self,
        key: &ObjectKey,
        change: Change,
        precondition: Precondition,
    ) -> Result<Arc<Value>> {
        let (reply, answer) = std::sync::mpsc::channel();
        self.inner
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Pending {
                key: key.clone(),
                change,
                precondition,
                reply,
            });
        let _writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(
            &mut *self
                .inner
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        self.commit_batch(batch);
        answer
            .recv()
            .unwrap_or_else(|_| Err(Error::storage("committing", "the write was lost")))
    }

    /// Commits a batch of queued writes in one durable transaction and answers each.
    fn commit_batch(&self, batch: Vec<Pending>) {
        let mut resource_version = self.resource_version();
        let mut overlay: HashMap<ObjectKey, Option<Arc<Value>>> = HashMap::new();
        let mut planned: Vec<Planned> = Vec::with_capacity(batch.len());
        let mut writes: Vec<(ObjectKey, Option<Vec<u8>>)> = Vec::with_capacity(batch.len());
        for pending in batch {
            let current = match overlay.get(&pending.key) {
                Some(entry) => entry.clone(),
                None => self.get(&pending.key),
            };
            if let Err(error) = check(current.as_deref(), &pending.change, pending.precondition) {
                let _ = pending.reply.send(Err(error));
                continue;
            }
            let next = resource_version + 1;
            let (kind, object) = match pending.change {
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
                _ => match serde_json::to_vec(&object) {
                    Ok(bytes) => Some(bytes),
                    Err(error) => {
                        let _ = pending
                            .reply
                            .send(Err(Error::storage("encoding an object", error)));
                        continue;
                    }
                },
            };
            resource_version = next;
            let object = Arc::new(object);
            overlay.insert(
                pending.key.clone(),
                (kind != EventType::Deleted).then(|| object.clone()),
            );
            writes.push((pending.key.clone(), bytes));
            planned.push(Planned {
                event: Arc::new(Event {
                    kind,
                    key: pending.key,
                    object,
                    previous: current,
                    resource_version: next,
                }),
                reply: pending.reply,
            });
        }
        if planned.is_empty() {
            return;
        }
        if let Err(error) = self.inner.disk.write_batch(&writes, resource_version) {
            let detail = error.to_string();
            for write in planned {
                let _ = write.reply.send(Err(Error::storage("committing", &detail)));
            }
            return;
        }
        {
            let mut state = self
                .inner
                .state
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            for write in &planned {
                let event = &write.event;
                let objects = state.objects.entry(event.key.type_key()).or_default();
                let slot = (event.key.namespace.clone(), event.key.name.clone());
                if event.kind == EventType::Deleted {
                    objects.remove(&slot);
                } else {
                    objects.insert(slot, event.object.clone());
                }
                state.log.push(event.clone());
            }
            state.resource_version = resource_version;
        }
        self.inner.changed.send_replace(resource_version);
        for write in planned {
            let _ = write.reply.send(Ok(write.event.object.clone()));
        }
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

    /// Compacts the history: every event so far is forgotten, so watches and exact lists from an
    /// earlier resourceVersion get 410 Gone (as after an etcd compaction). Returns the
    /// resourceVersion compacted at.
    pub fn compact(&self) -> u64 {
        let mut state = self
            .inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let resource_version = state.resource_version;
        state.log.compact(resource_version);
        resource_version
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
