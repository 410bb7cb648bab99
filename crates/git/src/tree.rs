//! Reading a commit's whole tree out of the object database into a [`MemoryTree`]: regular
//! and executable files as bytes, symbolic links as their target; submodules are skipped.

use ferry_types::MemoryTree;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;

use crate::error::describe;
use crate::{Error, Result};

/// Reads the tree `tree_id` recursively into a tree described as `name`.
pub(crate) fn read_tree(
    repo: &gix::Repository,
    tree_id: ObjectId,
    name: String,
    url: &str,
) -> Result<MemoryTree> {
    let mut reader = Reader {
        repo,
        url,
        tree: MemoryTree::new(name),
    };
    let mut path = String::new();
    reader.read_dir(tree_id, &mut path)?;
    Ok(reader.tree)
}

struct Reader<'a> {
    repo: &'a gix::Repository,
    url: &'a str,
    tree: MemoryTree,
}

impl Reader<'_> {
    /// Adds the entries of the directory `id`, found at `path` (empty for the root).
    fn read_dir(&mut self, id: ObjectId, path: &mut String) -> Result<()> {
        let tree = self
            .repo
            .find_tree(id)
            .map_err(|error| self.error(path, &error))?;
        let decoded = tree.decode().map_err(|error| self.error(path, &error))?;
        for entry in &decoded.entries {
            let parent_len = path.len();
            if !path.is_empty() {
                path.push('/');
            }
            // Git allows any bytes but `/` and NUL in names; non-UTF-8 names are read lossily.
            path.push_str(&entry.filename.to_str_lossy());
            match entry.mode.kind() {
                EntryKind::Tree => self.read_dir(entry.oid.to_owned(), path)?,
                EntryKind::Blob | EntryKind::BlobExecutable => {
                    let data = self.blob(entry.oid.to_owned(), path)?;
                    self.tree.insert_file(path, data);
                }
                EntryKind::Link => {
                    let target = self.blob(entry.oid.to_owned(), path)?;
                    self.tree
                        .insert_symlink(path, &String::from_utf8_lossy(&target));
                }
                EntryKind::Commit => {}
            }
            path.truncate(parent_len);
        }
        Ok(())
    }

    fn blob(&self, id: ObjectId, path: &str) -> Result<Vec<u8>> {
        let mut blob = self
            .repo
            .find_blob(id)
            .map_err(|error| self.error(path, &error))?;
        Ok(blob.take_data())
    }

    fn error(&self, path: &str, error: &gix::Error) -> Error {
        let object = if path.is_empty() {
            "the root tree".to_string()
        } else {
            format!("path {path:?}")
        };
        Error::Read {
            url: self.url.to_string(),
            object,
            reason: describe(error),
        }
    }
}
