//! A read-only tree of files that renderers walk: a checkout on disk or a Git commit held in
//! memory. Paths are `/`-separated, relative to the tree's root, and can never leave it.

use std::collections::BTreeMap;
use std::fmt;

use crate::{Error, Result};

/// A normalised path inside a source tree: relative, `/`-separated, no `.` or `..`
/// components. The empty path is the root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RepoPath(String);

impl RepoPath {
    /// The root of the tree.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses a path relative to the root. Absolute paths and paths that climb above the
    /// root are rejected.
    pub fn new(path: &str) -> Result<Self> {
        Self::root().join(path)
    }

    /// Joins a relative path onto this one, resolving `.` and `..` lexically.
    pub fn join(&self, relative: &str) -> Result<Self> {
        let escapes = || Error::PathEscapes {
            path: relative.to_string(),
        };
        if relative.starts_with('/') || relative.starts_with('\\') || has_drive_prefix(relative) {
            return Err(escapes());
        }
        let mut parts: Vec<&str> = self.components().collect();
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop().ok_or_else(escapes)?;
                }
                other => parts.push(other),
            }
        }
        Ok(Self(parts.join("/")))
    }

    /// The path as a string; empty for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The components of the path.
    pub fn components(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('/').filter(|part| !part.is_empty())
    }

    /// The parent directory; the root is its own parent.
    pub fn parent(&self) -> Self {
        match self.0.rsplit_once('/') {
            Some((parent, _)) => Self(parent.to_string()),
            None => Self::root(),
        }
    }

    /// The last component, or the empty string for the root.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// This path relative to `base`, if it lies under it.
    pub fn strip_prefix(&self, base: &RepoPath) -> Option<&str> {
        if base.is_root() {
            return Some(&self.0);
        }
        let rest = self.0.strip_prefix(base.as_str())?;
        if rest.is_empty() {
            Some("")
        } else {
            rest.strip_prefix('/')
        }
    }
}

impl fmt::Display for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

fn has_drive_prefix(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// What a path names in a tree, without following symbolic links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A regular file of this many bytes.
    File {
        /// Size in bytes.
        size: u64,
    },
    /// A directory.
    Dir,
    /// A symbolic link with this target, as written in the link.
    Symlink {
        /// The link's target.
        target: String,
    },
}

/// A read-only tree of files. Implementations do no path checking of their own: callers
/// pass paths that [`resolve`] returned, which never leave the root.
pub trait SourceTree: Send + Sync {
    /// What `path` names, without following a final symbolic link; `None` if nothing.
    fn entry(&self, path: &RepoPath) -> Result<Option<Entry>>;
    /// The bytes of the regular file at `path`.
    fn read_file(&self, path: &RepoPath) -> Result<Vec<u8>>;
    /// The names in the directory at `path`, sorted.
    fn list_dir(&self, path: &RepoPath) -> Result<Vec<String>>;
    /// A short description of the tree for messages (a directory, or `repo@commit`).
    fn describe(&self) -> String;
}

/// Follows symbolic links in every component of `path`. A link whose target leaves the root,
/// directly or through another link, is an error naming the path.
pub fn resolve(tree: &dyn SourceTree, path: &RepoPath) -> Result<RepoPath> {
    const MAX_LINKS: usize = 40;
    let mut resolved = RepoPath::root();
    let mut pending: Vec<String> = path.components().rev().map(str::to_string).collect();
    let mut links_followed = 0;
    while let Some(part) = pending.pop() {
        let candidate = resolved.join(&part).map_err(|_| Error::PathEscapes {
            path: path.to_string(),
        })?;
        match tree.entry(&candidate)? {
            Some(Entry::Symlink { target }) => {
                links_followed += 1;
                if links_followed > MAX_LINKS {
                    return Err(Error::SymlinkLoop {
                        path: path.to_string(),
                    });
                }
                if target.starts_with('/') {
                    return Err(Error::PathEscapes {
                        path: path.to_string(),
                    });
                }
                // The target is relative to the directory holding the link: re-queue its parts.
                for component in target.split('/').rev() {
                    pending.push(component.to_string());
                }
            }
            _ => resolved = candidate,
        }
    }
    Ok(resolved)
}

/// A tree held in memory: what the Git source reads out of a commit, and what tests build.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    name: String,
    files: BTreeMap<String, MemoryEntry>,
}

#[derive(Debug, Clone)]
enum MemoryEntry {
    File(Vec<u8>),
    Symlink(String),
}

impl MemoryTree {
    /// An empty tree, described as `name` in messages.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            files: BTreeMap::new(),
        }
    }

    /// Adds a regular file. `path` is relative to the root, `/`-separated.
    pub fn insert_file(&mut self, path: &str, content: impl Into<Vec<u8>>) -> &mut Self {
        self.files.insert(
            path.trim_matches('/').to_string(),
            MemoryEntry::File(content.into()),
        );
        self
    }

    /// Adds a symbolic link pointing at `target`.
    pub fn insert_symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.files.insert(
            path.trim_matches('/').to_string(),
            MemoryEntry::Symlink(target.to_string()),
        );
        self
    }

    /// Number of files and links held.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the tree holds nothing.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn is_dir(&self, path: &RepoPath) -> bool {
        if path.is_root() {
            return true;
        }
        let prefix = format!("{}/", path.as_str());
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(key, _)| key.starts_with(&prefix))
    }
}

impl SourceTree for MemoryTree {
    fn entry(&self, path: &RepoPath) -> Result<Option<Entry>> {
        match self.files.get(path.as_str()) {
            Some(MemoryEntry::File(bytes)) => Ok(Some(Entry::File {
                size: bytes.len() as u64,
            })),
            Some(MemoryEntry::Symlink(target)) => Ok(Some(Entry::Symlink {
                target: target.clone(),
            })),
            None if self.is_dir(path) => Ok(Some(Entry::Dir)),
            None => Ok(None),
        }
    }

    fn read_file(&self, path: &RepoPath) -> Result<Vec<u8>> {
        match self.files.get(path.as_str()) {
            Some(MemoryEntry::File(bytes)) => Ok(bytes.clone()),
            _ => Err(Error::NotFound {
                path: path.to_string(),
                tree: self.name.clone(),
            }),
        }
    }

    fn list_dir(&self, path: &RepoPath) -> Result<Vec<String>> {
        if !self.is_dir(path) {
            return Err(Error::NotFound {
                path: path.to_string(),
                tree: self.name.clone(),
            });
        }
        let prefix = if path.is_root() {
            String::new()
        } else {
            format!("{}/", path.as_str())
        };
        let mut names: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter_map(|(key, _)| key[prefix.len()..].split('/').next().map(str::to_string))
            .collect();
        names.dedup();
        Ok(names)
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> MemoryTree {
        let mut tree = MemoryTree::new("test");
        tree.insert_file("apps/web/deploy.yaml", "a")
            .insert_file("apps/web/svc.yaml", "b")
            .insert_file("apps/webhook.yaml", "c")
            .insert_symlink("apps/link", "web")
            .insert_symlink("apps/out", "../../etc")
            .insert_symlink("loop", "loop");
        tree
    }

    #[test]
    fn joining_dot_dot_beyond_the_root_is_an_escape() {
        let base = RepoPath::new("apps/web").unwrap();
        assert_eq!(base.join("../base").unwrap().as_str(), "apps/base");
        assert!(matches!(
            base.join("../../../x"),
            Err(Error::PathEscapes { .. })
        ));
        assert!(matches!(
            RepoPath::new("/etc/passwd"),
            Err(Error::PathEscapes { .. })
        ));
    }

    #[test]
    fn directories_list_their_direct_children_once() {
        let names = tree().list_dir(&RepoPath::new("apps").unwrap()).unwrap();
        assert_eq!(names, ["link", "out", "web", "webhook.yaml"]);
        assert_eq!(
            tree().list_dir(&RepoPath::root()).unwrap(),
            ["apps", "loop"]
        );
    }

    #[test]
    fn symlinks_inside_the_tree_resolve_and_outside_links_are_refused() {
        let tree = tree();
        let inside = resolve(&tree, &RepoPath::new("apps/link/deploy.yaml").unwrap()).unwrap();
        assert_eq!(inside.as_str(), "apps/web/deploy.yaml");
        let outside = resolve(&tree, &RepoPath::new("apps/out/passwd").unwrap());
        assert!(matches!(outside, Err(Error::PathEscapes { .. })));
        let cycle = resolve(&tree, &RepoPath::new("loop/x").unwrap());
        assert!(matches!(cycle, Err(Error::SymlinkLoop { .. })));
    }
}
