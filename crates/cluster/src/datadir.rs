//! The data directory: refuses foreign or damaged directories, creates a fresh one with a marker,
//! and names the files kept there (store, CA, serving certificate, token).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const MARKER: &str = "ferry-cluster.json";
const MARKER_KIND: &str = "ferry-cluster";
const MARKER_FORMAT: u64 = 1;

/// A checked data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
    fresh: bool,
}

impl DataDir {
    /// Opens `root`: a missing or empty directory is initialised; one with our marker is reused;
    /// anything else is refused.
    pub fn open(root: &Path) -> Result<DataDir> {
        let marker = root.join(MARKER);
        if marker.exists() {
            check_marker(&marker)?;
            return Ok(DataDir {
                root: root.to_path_buf(),
                fresh: false,
            });
        }
        if root.exists() {
            let mut entries = std::fs::read_dir(root).map_err(|e| Error::io("reading", root, e))?;
            if entries.next().is_some() {
                return Err(Error::ForeignDataDir {
                    path: root.to_path_buf(),
                });
            }
        }
        std::fs::create_dir_all(root).map_err(|e| Error::io("creating", root, e))?;
        let text = format!("{{\"kind\": \"{MARKER_KIND}\", \"format\": {MARKER_FORMAT}}}\n");
        write_private(&marker, text.as_bytes())?;
        Ok(DataDir {
            root: root.to_path_buf(),
            fresh: true,
        })
    }

    /// True when this directory was created by this call.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The object store file.
    pub fn store(&self) -> PathBuf {
        self.root.join("store.redb")
    }

    /// A file in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

fn check_marker(marker: &Path) -> Result<()> {
    let unusable = |detail: String| Error::UnsupportedDataDir {
        path: marker.parent().unwrap_or(marker).to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(marker).map_err(|e| Error::io("reading", marker, e))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| unusable(format!("{MARKER} is not valid JSON: {e}")))?;
    if value.get("kind").and_then(|kind| kind.as_str()) != Some(MARKER_KIND) {
        return Err(unusable(format!(
            "{MARKER} does not describe a ferry cluster"
        )));
    }
    match value.get("format").and_then(|format| format.as_u64()) {
        Some(MARKER_FORMAT) => Ok(()),
        other => Err(unusable(format!(
            "data format {other:?} is not the supported format {MARKER_FORMAT}"
        ))),
    }
}

/// Writes a file readable by its owner only, and fsyncs it.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| Error::io("writing", path, e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io("writing", path, e))?;
    file.sync_all().map_err(|e| Error::io("writing", path, e))
}

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io("reading", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_with_other_files_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
        let error = DataDir::open(dir.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("was not created by ferry cluster"),
            "{error}"
        );
    }

    #[test]
    fn a_new_directory_is_initialised_and_then_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("data");
        assert!(DataDir::open(&root).expect("first").is_fresh());
        assert!(!DataDir::open(&root).expect("second").is_fresh());
    }

    #[test]
    fn a_marker_of_another_format_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(MARKER),
            r#"{"kind": "ferry-cluster", "format": 99}"#,
        )
        .expect("write");
        let error = DataDir::open(dir.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("not the supported format"), "{error}");
    }
}
