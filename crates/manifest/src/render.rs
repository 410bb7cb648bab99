//! The one entry point: a source tree and a path in, validated objects out.

use ferry_types::{
    ApplicationSource, Entry, KustomizeSource, Manifest, RepoPath, SourceTree, resolve,
};

use crate::directory::read_directory;
use crate::{DirectoryOptions, Error, Limits, Result, validate};

/// How a source was rendered, as Argo CD reports it in `status.sourceType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    /// Plain manifests.
    Directory,
    /// A kustomization.
    Kustomize,
}

impl SourceType {
    /// The name Argo CD uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Directory => "Directory",
            Self::Kustomize => "Kustomize",
        }
    }
}

/// The objects a source declares, every one validated.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// How the source was read.
    pub source_type: SourceType,
    /// The objects, in the source's order.
    pub manifests: Vec<Manifest>,
}

/// Renders the directory `path` of `tree`: a kustomization if it holds one, plain manifests
/// otherwise. `kustomize` overrides apply to kustomizations (Argo CD's
/// `spec.source.kustomize`). Returns every object, or an error listing every problem.
pub fn render(
    tree: &dyn SourceTree,
    path: &RepoPath,
    directory: &DirectoryOptions,
    kustomize: Option<&KustomizeSource>,
    limits: &Limits,
) -> Result<Rendered> {
    let real = resolve(tree, path)?;
    match tree.entry(&real)? {
        Some(Entry::Dir) => {}
        Some(_) => {
            return Err(Error::Source {
                path: path.to_string(),
                reason: "not a directory".into(),
            });
        }
        None => {
            return Err(Error::Source {
                path: path.to_string(),
                reason: format!("not found in {}", tree.describe()),
            });
        }
    }
    let (source_type, manifests) = if ferry_kustomize::find_kustomization(tree, &real)?.is_some() {
        let options = ferry_kustomize::BuildOptions {
            max_file_size: limits.max_file_size,
            max_objects: limits.max_objects,
            overrides: kustomize.cloned(),
        };
        (
            SourceType::Kustomize,
            ferry_kustomize::build(tree, &real, &options)?,
        )
    } else {
        (
            SourceType::Directory,
            read_directory(tree, path, directory, limits)?,
        )
    };
    let problems = validate(&manifests);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(Rendered {
        source_type,
        manifests,
    })
}

/// Renders an Application's source from a tree holding its repository at the wanted
/// revision: `source.path`, with its `directory` and `kustomize` options.
pub fn render_application_source(
    tree: &dyn SourceTree,
    source: &ApplicationSource,
    limits: &Limits,
) -> Result<Rendered> {
    let path = RepoPath::new(&source.path)?;
    let directory = source
        .directory
        .as_ref()
        .map(DirectoryOptions::from)
        .unwrap_or_default();
    render(tree, &path, &directory, source.kustomize.as_ref(), limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::MemoryTree;

    #[test]
    fn an_invalid_object_anywhere_means_nothing_renders() {
        let mut tree = MemoryTree::new("test");
        tree.insert_file(
            "app/good.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n",
        )
        .insert_file(
            "app/bad.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n",
        );
        let result = render(
            &tree,
            &RepoPath::new("app").unwrap(),
            &DirectoryOptions::default(),
            None,
            &Limits::default(),
        );
        let Err(Error::Invalid(problems)) = result else {
            panic!("expected invalid, got {result:?}")
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "app/bad.yaml");
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let tree = MemoryTree::new("repo@abc");
        let error = render(
            &tree,
            &RepoPath::new("nope").unwrap(),
            &DirectoryOptions::default(),
            None,
            &Limits::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(error, "nope: not found in repo@abc");
    }
}
