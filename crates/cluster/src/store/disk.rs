//! The durable half of the store: one redb file holding every object as JSON plus the last
//! resourceVersion. Every commit is fsynced (`Durability::Immediate`) before it returns.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;

use super::key::ObjectKey;
use crate::error::{Error, Result};

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const FORMAT_KEY: &str = "format";
const RESOURCE_VERSION_KEY: &str = "resourceVersion";
/// The layout version of the store file; bump when the layout changes.
const FORMAT: u64 = 1;

/// An open store file.
pub struct Disk {
    db: Database,
    path: PathBuf,
}

/// What a store file held when it was opened.
pub struct Loaded {
    /// The last committed resourceVersion.
    pub resource_version: u64,
    /// Every stored object.
    pub objects: Vec<(ObjectKey, Value)>,
}

/// redb's page cache.
const REDB_CACHE_BYTES: usize = 64 << 20;

impl Disk {
    /// Opens (or, when `create` is true and the file is missing, creates) the store file.
    pub fn open(path: &Path, create: bool) -> Result<(Disk, Loaded)> {
        let corrupt = |detail: String| Error::CorruptStore {
            path: path.to_path_buf(),
            detail,
        };
        let exists = path.exists();
        if !exists && !create {
            return Err(corrupt("the store file is missing".to_string()));
        }
        // Reads are served from the in-memory index, so redb's page cache (1 GiB by default)
        // would only hold a second copy of the objects: 64 MiB is plenty for commits.
        let mut builder = redb::Builder::new();
        builder.set_cache_size(REDB_CACHE_BYTES);
        let db = if exists {
            builder.open(path)
        } else {
            builder.create(path)
        }
        .map_err(|error| corrupt(error.to_string()))?;
        let disk = Disk {
            db,
            path: path.to_path_buf(),
        };
        if !exists {
            disk.initialise()?;
        }
        let loaded = disk.load()?;
        Ok((disk, loaded))
    }

    /// A store that lives in memory only, for tests and throwaway servers.
    pub fn in_memory() -> Result<(Disk, Loaded)> {
        let db = redb::Builder::new()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|error| Error::storage("creating an in-memory store", error))?;
        let disk = Disk {
            db,
            path: PathBuf::from("<memory>"),
        };
        disk.initialise()?;
        let loaded = disk.load()?;
        Ok((disk, loaded))
    }

    fn initialise(&self) -> Result<()> {
        let transaction = self
            .db
            .begin_write()
            .map_err(|e| Error::storage("initialising", e))?;
        {
            let mut meta = transaction
                .open_table(META)
                .map_err(|e| Error::storage("initialising", e))?;
            meta.insert(FORMAT_KEY, FORMAT)
                .map_err(|e| Error::storage("initialising", e))?;
            meta.insert(RESOURCE_VERSION_KEY, 0)
                .map_err(|e| Error::storage("initialising", e))?;
            transaction
                .open_table(OBJECTS)
                .map_err(|e| Error::storage("initialising", e))?;
        }
        transaction
            .commit()
            .map_err(|e| Error::storage("initialising", e))
    }

    fn load(&self) -> Result<Loaded> {
        let corrupt = |detail: String| Error::CorruptStore {
            path: self.path.clone(),
            detail,
        };
        let transaction = self.db.begin_read().map_err(|e| corrupt(e.to_string()))?;
        let meta = transaction.open_table(META).map_err(|e| {
            corrupt(format!(
                "no metadata table ({e}); this is not a ferry cluster store"
            ))
        })?;
        let format = meta
            .get(FORMAT_KEY)
            .map_err(|e| corrupt(e.to_string()))?
            .map(|guard| guard.value())
            .ok_or_else(|| corrupt("no format marker".to_string()))?;
        if format != FORMAT {
            return Err(Error::UnsupportedDataDir {
                path: self.path.clone(),
                detail: format!("store format {format} is not the supported format {FORMAT}"),
            });
        }
        let resource_version = meta
            .get(RESOURCE_VERSION_KEY)
            .map_err(|e| corrupt(e.to_string()))?
            .map(|guard| guard.value())
            .ok_or_else(|| corrupt("no resourceVersion".to_string()))?;
        let table = transaction
            .open_table(OBJECTS)
            .map_err(|e| corrupt(e.to_string()))?;
        let mut objects = Vec::new();
        for entry in table.iter().map_err(|e| corrupt(e.to_string()))? {
            let (key, value) = entry.map_err(|e| corrupt(e.to_string()))?;
            let key_text = key.value();
            let object_key = ObjectKey::decode(key_text)
                .ok_or_else(|| corrupt(format!("unreadable key {key_text:?}")))?;
            let object: Value = serde_json::from_slice(value.value())
                .map_err(|e| corrupt(format!("object {key_text:?} is not JSON: {e}")))?;
            objects.push((object_key, object));
        }
        Ok(Loaded {
            resource_version,
            objects,
        })
    }

    /// Stores (`Some`) or removes (`None`) objects and records the new resourceVersion, durably,
    /// in one transaction.
    pub fn write_batch(
        &self,
        writes: &[(ObjectKey, Option<Vec<u8>>)],
        resource_version: u64,
    ) -> Result<()> {
        let failed = |e: &dyn std::fmt::Display| Error::storage("committing", e);
        let transaction = self.db.begin_write().map_err(|e| failed(&e))?;
        {
            let mut objects = transaction.open_table(OBJECTS).map_err(|e| failed(&e))?;
            for (key, bytes) in writes {
                let encoded = key.encode();
                match bytes {
                    Some(bytes) => {
                        objects
                            .insert(encoded.as_str(), bytes.as_slice())
                            .map_err(|e| failed(&e))?;
                    }
                    None => {
                        objects.remove(encoded.as_str()).map_err(|e| failed(&e))?;
                    }
                }
            }
            let mut meta = transaction.open_table(META).map_err(|e| failed(&e))?;
            meta.insert(RESOURCE_VERSION_KEY, resource_version)
                .map_err(|e| failed(&e))?;
        }
        transaction.commit().map_err(|e| failed(&e))
    }
}
