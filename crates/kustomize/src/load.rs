//! Reading from the source tree: kustomization files, resource files and the files generators
//! and patches name, with kustomize's rules (root-only files, no remote bases) and ferry's
//! limits (no path out of the tree, bounded file sizes).

use ferry_types::{Entry, Manifest, Origin, RepoPath, SourceTree, resolve};
use serde_json::Value;

use crate::kustomization::{FILE_NAMES, Kustomization};
use crate::resource::Resource;
use crate::{BuildOptions, Error, Result};

/// A kustomization file, read and checked.
#[derive(Debug, Clone)]
pub(crate) struct LoadedKustomization {
    /// The directory holding it (symbolic links resolved).
    pub dir: RepoPath,
    /// The file itself.
    pub file: RepoPath,
    /// Its content.
    pub kustomization: Kustomization,
}

/// What a path in a kustomization names.
pub(crate) enum Target {
    /// A regular file.
    File(RepoPath),
    /// A directory.
    Dir(RepoPath),
}

/// Reads files out of the tree on behalf of one build.
pub(crate) struct Loader<'a> {
    tree: &'a dyn SourceTree,
    options: &'a BuildOptions,
}

impl<'a> Loader<'a> {
    /// A loader over `tree` with the limits of `options`.
    pub fn new(tree: &'a dyn SourceTree, options: &'a BuildOptions) -> Self {
        Self { tree, options }
    }

    /// The kustomization file in `dir`, if any, in Argo CD's order of names.
    pub fn find(&self, dir: &RepoPath) -> Result<Option<RepoPath>> {
        Ok(self.find_all(dir)?.into_iter().next())
    }

    fn find_all(&self, dir: &RepoPath) -> Result<Vec<RepoPath>> {
        let mut found = Vec::new();
        for name in FILE_NAMES {
            let candidate = dir
                .join(name)
                .map_err(|source| tree_error(dir.to_string(), source))?;
            let real = resolve(self.tree, &candidate)
                .map_err(|source| tree_error(candidate.to_string(), source))?;
            if let Some(Entry::File { .. }) = self
                .tree
                .entry(&real)
                .map_err(|source| tree_error(real.to_string(), source))?
            {
                found.push(real);
            }
        }
        Ok(found)
    }

    /// Reads and checks the kustomization in `dir`; `referrer` names who asked, for messages.
    pub fn kustomization(
        &self,
        dir: &RepoPath,
        referrer: Option<&str>,
    ) -> Result<LoadedKustomization> {
        let dir = resolve(self.tree, dir).map_err(|source| tree_error(dir.to_string(), source))?;
        let files = self.find_all(&dir)?;
        let file = match files.as_slice() {
            [] => {
                return Err(Error::MissingKustomization {
                    dir: dir.to_string(),
                    referrer: referrer
                        .map(|file| format!(", referenced from {file}"))
                        .unwrap_or_default(),
                });
            }
            [file] => file.clone(),
            _ => {
                return Err(Error::MultipleKustomizations {
                    dir: dir.to_string(),
                });
            }
        };
        let bytes = self.read(&file)?;
        let value = ferry_yaml::parse_single(file.as_str(), &bytes)?;
        let kustomization = Kustomization::from_value(file.as_str(), value)?;
        Ok(LoadedKustomization {
            dir,
            file,
            kustomization,
        })
    }

    /// Resolves `path`, written in the kustomization at `at` under `field`, to a file or directory.
    pub fn target(&self, at: &LoadedKustomization, field: &str, path: &str) -> Result<Target> {
        let not_found = || {
            if looks_remote(path) {
                Error::Remote {
                    file: at.file.to_string(),
                    field: field.to_string(),
                    location: path.to_string(),
                }
            } else {
                Error::NotFound {
                    file: at.file.to_string(),
                    field: field.to_string(),
                    path: path.to_string(),
                }
            }
        };
        let escapes = |source| Error::Tree {
            context: format!("{}: {field} {path:?}", at.file),
            source,
        };
        let joined = at.dir.join(path).map_err(escapes)?;
        let real = resolve(self.tree, &joined).map_err(escapes)?;
        match self.tree.entry(&real).map_err(escapes)? {
            Some(Entry::File { .. }) => Ok(Target::File(real)),
            Some(Entry::Dir) => Ok(Target::Dir(real)),
            _ => Err(not_found()),
        }
    }

    /// Reads a file named under `field` in the kustomization at `at`: it must be a file in or
    /// below the kustomization's directory, as kustomize's root-only load restriction demands.
    pub fn field_file(
        &self,
        at: &LoadedKustomization,
        field: &str,
        path: &str,
    ) -> Result<(RepoPath, Vec<u8>)> {
        match self.target(at, field, path)? {
            Target::File(real) => {
                self.check_below(at, field, path, &real)?;
                let bytes = self.read(&real)?;
                Ok((real, bytes))
            }
            Target::Dir(_) => Err(Error::InvalidKustomization {
                file: at.file.to_string(),
                message: format!("{field} {path:?} is a directory, not a file"),
            }),
        }
    }

    /// Refuses a file outside the kustomization's directory.
    pub fn check_below(
        &self,
        at: &LoadedKustomization,
        field: &str,
        path: &str,
        real: &RepoPath,
    ) -> Result<()> {
        if real.parent().strip_prefix(&at.dir).is_none() {
            return Err(Error::OutsideKustomization {
                file: at.file.to_string(),
                field: field.to_string(),
                path: path.to_string(),
                dir: at.dir.to_string(),
            });
        }
        Ok(())
    }

    /// Reads a file, enforcing the size limit.
    pub fn read(&self, path: &RepoPath) -> Result<Vec<u8>> {
        let context = || path.to_string();
        if let Some(Entry::File { size }) = self
            .tree
            .entry(path)
            .map_err(|source| tree_error(context(), source))?
            && size > self.options.max_file_size
        {
            return Err(Error::FileTooLarge {
                path: path.to_string(),
                size,
                limit: self.options.max_file_size,
            });
        }
        let bytes = self
            .tree
            .read_file(path)
            .map_err(|source| tree_error(context(), source))?;
        if bytes.len() as u64 > self.options.max_file_size {
            return Err(Error::FileTooLarge {
                path: path.to_string(),
                size: bytes.len() as u64,
                limit: self.options.max_file_size,
            });
        }
        Ok(bytes)
    }
}

fn tree_error(context: String, source: ferry_types::Error) -> Error {
    Error::Tree { context, source }
}

/// Whether a path is a URL or a go-getter style remote reference, which ferry refuses.
pub(crate) fn looks_remote(path: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "github.com/",
        "gitlab.com/",
        "bitbucket.org/",
        "git@",
        "git::",
        "ssh://",
        "https://",
        "http://",
    ];
    path.contains("://")
        || PREFIXES.iter().any(|prefix| path.starts_with(prefix))
        || path.contains("?ref=")
}

/// Reads the objects of a resource file, as kustomize does: each document must have a kind
/// and a name; `*List` documents with `items` are expanded into their items, which follow
/// the file's other documents.
pub(crate) fn resources_from_file(path: &RepoPath, bytes: &[u8]) -> Result<Vec<Resource>> {
    let documents = crate::yaml::read_documents(path.as_str(), bytes)?;
    let mut resources = Vec::new();
    let mut list_items = Vec::new();
    for document in documents {
        let origin = Origin {
            file: path.to_string(),
            document: document.index,
            line: document.line,
        };
        collect(document.value, origin, &mut resources, &mut list_items)?;
    }
    while !list_items.is_empty() {
        let pending = std::mem::take(&mut list_items);
        for (value, origin) in pending {
            collect(value, origin, &mut resources, &mut list_items)?;
        }
    }
    Ok(resources)
}

fn collect(
    value: Value,
    origin: Origin,
    resources: &mut Vec<Resource>,
    list_items: &mut Vec<(Value, Origin)>,
) -> Result<()> {
    let invalid = |message: String| Error::InvalidObject {
        origin: origin.to_string(),
        message,
    };
    let Value::Object(map) = &value else {
        return Err(invalid("expected a mapping".into()));
    };
    if map.is_empty() {
        return Ok(());
    }
    let manifest = Manifest::new(value, origin.clone());
    let kind = manifest.kind();
    if kind.is_empty() {
        return Err(invalid("missing kind".into()));
    }
    if kind.ends_with("List") {
        match manifest.object.get("items") {
            None => {}
            Some(Value::Null) => return Ok(()),
            Some(Value::Array(items)) => {
                for item in items {
                    list_items.push((item.clone(), origin.clone()));
                }
                return Ok(());
            }
            Some(_) => return Err(invalid(format!("expected an array in {kind}/items"))),
        }
    } else if manifest.name().is_empty() {
        return Err(invalid(format!("{kind}: missing metadata.name")));
    }
    resources.push(Resource::new(manifest.object, origin));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_expand_into_their_items_after_the_other_documents() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
        let resources =
            resources_from_file(&RepoPath::new("x.yaml").unwrap(), text.as_bytes()).unwrap();
        let names: Vec<&str> = resources.iter().map(Resource::name).collect();
        assert_eq!(names, ["b", "a"]);
    }

    #[test]
    fn only_true_and_false_are_booleans_in_resources() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: yes, b: on}\nx: true\nmode: 0644\n";
        let resources =
            resources_from_file(&RepoPath::new("x.yaml").unwrap(), text.as_bytes()).unwrap();
        let object = &resources[0].object;
        assert_eq!(object["data"]["a"], "yes");
        assert_eq!(object["data"]["b"], "on");
        assert_eq!(object["x"], true);
        assert_eq!(object["mode"], 420);
    }

    #[test]
    fn documents_without_a_name_are_refused() {
        let text = "apiVersion: v1\nkind: ConfigMap\n";
        let error =
            resources_from_file(&RepoPath::new("x.yaml").unwrap(), text.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.yaml:1: ConfigMap: missing metadata.name"
        );
    }

    #[test]
    fn urls_and_git_references_look_remote() {
        assert!(looks_remote("github.com/org/repo//base?ref=v1"));
        assert!(looks_remote("https://example.com/x.yaml"));
        assert!(!looks_remote("../base"));
    }
}
