//! The build pipeline: each kustomization accumulates its resources, bases, generators and
//! components, then runs its transformers in kustomize's order; the root then adds content
//! hashes, fixes name references, drops local-only objects and sorts.

use std::collections::HashMap;

use crate::load::{LoadedKustomization, Loader, Target, resources_from_file};
use crate::names::{Affix, add_affix, fix_references};
use crate::resmap::{ResMap, duplicate};
use crate::{
    BuildOptions, Error, Result, generate, hash, images, labels, namespace, order, overrides,
    patch, replicas,
};
use ferry_types::{Manifest, ObjectKey, RepoPath, SourceTree};

/// Builds the kustomization in `dir`.
pub(crate) fn run(
    tree: &dyn SourceTree,
    dir: &RepoPath,
    options: &BuildOptions,
) -> Result<Vec<Manifest>> {
    let mut builder = Builder {
        loader: Loader::new(tree, options),
        options,
        chain: Vec::new(),
    };
    let mut root = builder.loader.kustomization(dir, None)?;
    if root.kustomization.is_component() {
        return Err(Error::InvalidKustomization {
            file: root.file.to_string(),
            message: "a Component cannot be built on its own".into(),
        });
    }
    if let Some(overrides) = &options.overrides {
        overrides::apply(root.file.as_str(), &mut root.kustomization, overrides)?;
    }
    let sort_options = root.kustomization.sort_options.clone();
    order::check(sort_options.as_ref()).map_err(|message| Error::InvalidKustomization {
        file: root.file.to_string(),
        message,
    })?;
    let mut resources = ResMap::default();
    builder.chain.push(root.dir.clone());
    builder.accumulate(&root, &mut resources)?;
    finish(&root, &mut resources)?;
    order::sort(&mut resources.items, sort_options.as_ref());
    check_unique(&resources)?;
    Ok(resources
        .items
        .into_iter()
        .map(|resource| Manifest::new(resource.object, resource.origin))
        .collect())
}

struct Builder<'a> {
    loader: Loader<'a>,
    options: &'a BuildOptions,
    /// The directories of the kustomizations being built, root first.
    chain: Vec<RepoPath>,
}

impl Builder<'_> {
    /// kustomize's `accumulateTarget`: resources, generators, components, transformers.
    fn accumulate(&mut self, at: &LoadedKustomization, resources: &mut ResMap) -> Result<()> {
        for path in &at.kustomization.resources {
            match self.loader.target(at, "resources", path)? {
                Target::File(real) => {
                    self.loader.check_below(at, "resources", path, &real)?;
                    let bytes = self.loader.read(&real)?;
                    resources.append_all(resources_from_file(&real, &bytes)?)?;
                }
                Target::Dir(real) => {
                    let base = self.enter(at, &real, false)?;
                    let mut accumulated = ResMap::default();
                    self.accumulate(&base, &mut accumulated)?;
                    self.chain.pop();
                    resources.append_all(accumulated.items)?;
                }
            }
            self.check_count(at, resources)?;
        }
        generate::run(&self.loader, at, resources)?;
        self.check_count(at, resources)?;
        for path in &at.kustomization.components {
            let Target::Dir(real) = self.loader.target(at, "components", path)? else {
                return Err(Error::InvalidKustomization {
                    file: at.file.to_string(),
                    message: format!("component {path:?} must be a directory"),
                });
            };
            let component = self.enter(at, &real, true)?;
            self.accumulate(&component, resources)?;
            self.chain.pop();
            self.check_count(at, resources)?;
        }
        transform(&self.loader, at, resources)
    }

    /// Loads the kustomization in `dir` for the one at `at`, refusing loops (and, as kustomize
    /// does, any directory that contains one already being built).
    fn enter(
        &mut self,
        at: &LoadedKustomization,
        dir: &RepoPath,
        component: bool,
    ) -> Result<LoadedKustomization> {
        let loaded = self.loader.kustomization(dir, Some(at.file.as_str()))?;
        if let Some(visited) = self
            .chain
            .iter()
            .find(|visited| visited.strip_prefix(&loaded.dir).is_some())
        {
            let mut chain: Vec<String> = self.chain.iter().map(ToString::to_string).collect();
            chain.push(loaded.dir.to_string());
            let chain = chain.join(" -> ");
            if *visited == loaded.dir {
                return Err(Error::Cycle { chain });
            }
            return Err(Error::Cycle {
                chain: format!("{chain} ({} contains {visited})", loaded.dir),
            });
        }
        match (component, loaded.kustomization.is_component()) {
            (true, false) => Err(Error::InvalidKustomization {
                file: loaded.file.to_string(),
                message: format!(
                    "expected kind Component, as {} lists it under components",
                    at.file
                ),
            }),
            (false, true) => Err(Error::InvalidKustomization {
                file: loaded.file.to_string(),
                message: format!(
                    "a Component cannot be listed under resources (in {})",
                    at.file
                ),
            }),
            _ => {
                self.chain.push(loaded.dir.clone());
                Ok(loaded)
            }
        }
    }

    fn check_count(&self, at: &LoadedKustomization, resources: &ResMap) -> Result<()> {
        if resources.items.len() > self.options.max_objects {
            return Err(Error::TooManyObjects {
                dir: at.dir.to_string(),
                limit: self.options.max_objects,
            });
        }
        Ok(())
    }
}

/// The kustomization's transformers, in kustomize's order.
fn transform(loader: &Loader<'_>, at: &LoadedKustomization, resources: &mut ResMap) -> Result<()> {
    let kustomization = &at.kustomization;
    let fail = |field: &str| {
        let file = at.file.to_string();
        let field = field.to_string();
        move |message: String| Error::Transform {
            file,
            field,
            message,
        }
    };
    patch::apply_strategic_merge(loader, at, resources)?;
    patch::apply_patches(loader, at, resources)?;
    namespace::set_namespace(resources, &kustomization.namespace).map_err(fail("namespace"))?;
    add_affix(resources, Affix::Prefix, &kustomization.name_prefix);
    add_affix(resources, Affix::Suffix, &kustomization.name_suffix);
    for (index, label) in kustomization.labels.iter().enumerate() {
        let field = format!("labels[{index}]");
        let specs = labels::label_specs(label).map_err(fail(&field))?;
        labels::add_labels(resources, &label.pairs, &specs).map_err(fail(&field))?;
    }
    labels::add_labels(
        resources,
        &kustomization.common_labels,
        &labels::common_label_specs(),
    )
    .map_err(fail("commonLabels"))?;
    labels::add_annotations(resources, &kustomization.common_annotations)
        .map_err(fail("commonAnnotations"))?;
    patch::apply_json6902(loader, at, resources)?;
    for (index, replica) in kustomization.replicas.iter().enumerate() {
        replicas::apply_replica(resources, replica).map_err(fail(&format!("replicas[{index}]")))?;
    }
    for (index, image) in kustomization.images.iter().enumerate() {
        images::apply_image(resources, image).map_err(fail(&format!("images[{index}]")))?;
    }
    resources.drop_deleted();
    Ok(())
}

/// The root's last steps: hash suffixes, name references, local-only objects dropped,
/// kustomize's metadata clean-up.
fn finish(root: &LoadedKustomization, resources: &mut ResMap) -> Result<()> {
    for resource in &mut resources.items {
        if resource
            .generated
            .is_some_and(|generated| generated.needs_hash)
        {
            let suffix = hash::suffix(&resource.object);
            resource.store_previous_id();
            let name = format!("{}-{suffix}", resource.name());
            resource.set_name(&name);
        }
    }
    fix_references(resources).map_err(|message| Error::Transform {
        file: root.file.to_string(),
        field: "name references".into(),
        message,
    })?;
    resources.items.retain(|resource| {
        match resource
            .object
            .get("metadata")
            .and_then(|meta| meta.get("annotations"))
            .and_then(|a| a.get("config.kubernetes.io/local-config"))
        {
            Some(value) => value.as_str() == Some("false"),
            None => true,
        }
    });
    for resource in &mut resources.items {
        crate::scalar::whole_floats_to_integers(&mut resource.object);
        // kustomize rewrites annotations as a string map when it strips its own, dropping an
        // empty one.
        let has_annotations = resource
            .object
            .get("metadata")
            .is_some_and(|meta| meta.get("annotations").is_some());
        if has_annotations {
            let annotations = resource.metadata_map("annotations");
            resource.set_metadata_map("annotations", annotations);
        }
    }
    Ok(())
}

/// Refuses two objects with the same group, kind, namespace and name (kustomize allows them
/// when their versions differ; a cluster cannot hold both).
fn check_unique(resources: &ResMap) -> Result<()> {
    let mut seen: HashMap<ObjectKey, usize> = HashMap::new();
    for (index, resource) in resources.items.iter().enumerate() {
        let id = resource.cur_id();
        let key = ObjectKey {
            group: id.gvk.group.clone(),
            kind: id.gvk.kind.clone(),
            namespace: id.effective_namespace().to_string(),
            name: id.name.clone(),
        };
        if let Some(first) = seen.insert(key, index) {
            return Err(duplicate(&resources.items[first], resource));
        }
    }
    Ok(())
}
