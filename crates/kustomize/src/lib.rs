//! Native Kustomize: builds a kustomization from a source tree into objects, as
//! `kubectl kustomize` (kustomize v5.5) does, without running it.
//!
//! [`build`] reads the kustomization in a directory, walks its resources, bases and
//! components, runs generators and transformers in kustomize's order, and returns the
//! objects in kustomize's output order, each with the file, document and line it came from.
//! Features ferry does not implement (Helm charts, replacements, vars, plugins, remote
//! bases, …) are errors naming the field, never silently ignored. [`BuildOptions`] bounds
//! file sizes and object counts and carries Argo CD's `spec.source.kustomize` overrides.
//! `DIFFERENCES.md` lists where ferry deliberately differs from kubectl.

mod build;
mod error;
mod fieldspec;
mod generate;
mod hash;
mod images;
mod kustomization;
mod labels;
mod load;
mod names;
mod namespace;
mod order;
mod overrides;
mod patch;
mod refs;
mod replicas;
mod resmap;
mod resource;
mod scalar;
mod selector;
mod yaml;

pub use error::{Error, Result};

use ferry_types::{KustomizeSource, Manifest, RepoPath, SourceTree};

/// Limits and overrides for one build.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildOptions {
    /// Largest file read, in bytes (default 10 MiB).
    pub max_file_size: u64,
    /// Most objects a build may yield, counted at every step (default 10 000).
    pub max_objects: usize,
    /// Argo CD's `spec.source.kustomize`, applied to the root kustomization first.
    pub overrides: Option<KustomizeSource>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            max_file_size: 10 * 1024 * 1024,
            max_objects: 10_000,
            overrides: None,
        }
    }
}

/// The kustomization file in `dir` (kustomization.yaml, kustomization.yml, Kustomization),
/// if any — Argo CD's detection.
pub fn find_kustomization(tree: &dyn SourceTree, dir: &RepoPath) -> Result<Option<RepoPath>> {
    let options = BuildOptions::default();
    let loader = load::Loader::new(tree, &options);
    let dir = ferry_types::resolve(tree, dir).map_err(|source| Error::Tree {
        context: dir.to_string(),
        source,
    })?;
    loader.find(&dir)
}

/// Builds the kustomization in `dir` into objects, in kustomize's output order.
pub fn build(
    tree: &dyn SourceTree,
    dir: &RepoPath,
    options: &BuildOptions,
) -> Result<Vec<Manifest>> {
    build::run(tree, dir, options)
}
