//! A source tree over a directory on disk, for `ferry render PATH` and local checkouts.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ferry_types::{Entry, Error, RepoPath, Result, SourceTree};

/// A directory on disk seen as a read-only tree. Symbolic links are reported as links, so
/// [`ferry_types::resolve`] can refuse those that leave the root.
#[derive(Debug, Clone)]
pub struct DiskTree {
    root: PathBuf,
}

impl DiskTree {
    /// A tree rooted at `root`, which must be a directory.
    pub fn open(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = fs::canonicalize(root.as_ref())?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Self { root })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn full(&self, path: &RepoPath) -> PathBuf {
        let mut full = self.root.clone();
        for component in path.components() {
            full.push(component);
        }
        full
    }
}

fn read_error(path: &RepoPath, error: &io::Error) -> Error {
    Error::Read {
        path: path.to_string(),
        message: error.to_string(),
    }
}

impl SourceTree for DiskTree {
    fn entry(&self, path: &RepoPath) -> Result<Option<Entry>> {
        let metadata = match fs::symlink_metadata(self.full(path)) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) if error.kind() == io::ErrorKind::NotADirectory => return Ok(None),
            Err(error) => return Err(read_error(path, &error)),
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            let target =
                fs::read_link(self.full(path)).map_err(|error| read_error(path, &error))?;
            Ok(Some(Entry::Symlink {
                target: target.to_string_lossy().replace('\\', "/"),
            }))
        } else if kind.is_dir() {
            Ok(Some(Entry::Dir))
        } else if kind.is_file() {
            Ok(Some(Entry::File {
                size: metadata.len(),
            }))
        } else {
            Ok(None)
        }
    }

    fn read_file(&self, path: &RepoPath) -> Result<Vec<u8>> {
        fs::read(self.full(path)).map_err(|error| read_error(path, &error))
    }

    fn list_dir(&self, path: &RepoPath) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for item in fs::read_dir(self.full(path)).map_err(|error| read_error(path, &error))? {
            let item = item.map_err(|error| read_error(path, &error))?;
            names.push(item.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::resolve;

    #[test]
    fn a_disk_tree_reports_files_dirs_and_links_without_following_them() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("app")).unwrap();
        fs::write(dir.path().join("app/a.yaml"), "kind: A\n").unwrap();
        std::os::unix::fs::symlink("../../etc", dir.path().join("app/out")).unwrap();
        std::os::unix::fs::symlink("a.yaml", dir.path().join("app/b.yaml")).unwrap();
        let tree = DiskTree::open(dir.path()).unwrap();
        assert_eq!(
            tree.list_dir(&RepoPath::new("app").unwrap()).unwrap(),
            ["a.yaml", "b.yaml", "out"]
        );
        assert_eq!(
            tree.entry(&RepoPath::new("app").unwrap()).unwrap(),
            Some(Entry::Dir)
        );
        let linked = resolve(&tree, &RepoPath::new("app/b.yaml").unwrap()).unwrap();
        assert_eq!(tree.read_file(&linked).unwrap(), b"kind: A\n");
        assert!(resolve(&tree, &RepoPath::new("app/out/passwd").unwrap()).is_err());
    }
}
