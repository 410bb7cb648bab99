//! The one error type of this crate: every message names the file, object or field at fault.

/// A kustomization could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the source tree failed, or a path leaves its root.
    #[error("{context}: {source}")]
    Tree {
        /// What was being read, and from which kustomization.
        context: String,
        /// What the tree reported.
        #[source]
        source: ferry_types::Error,
    },
    /// A YAML or JSON file could not be parsed.
    #[error(transparent)]
    Yaml(#[from] ferry_yaml::Error),
    /// A directory named as a base or component holds no kustomization file.
    #[error(
        "{dir}: no kustomization file (kustomization.yaml, kustomization.yml or Kustomization){referrer}"
    )]
    MissingKustomization {
        /// The directory.
        dir: String,
        /// `, referenced from FILE`, when a parent named it.
        referrer: String,
    },
    /// A directory holds more than one kustomization file.
    #[error("{dir}: found multiple kustomization files")]
    MultipleKustomizations {
        /// The directory.
        dir: String,
    },
    /// The kustomization file is malformed.
    #[error("{file}: invalid kustomization: {message}")]
    InvalidKustomization {
        /// The kustomization file.
        file: String,
        /// What is wrong, naming the field.
        message: String,
    },
    /// The kustomization uses a field this crate does not know.
    #[error("{file}: unknown kustomization field {field:?}")]
    UnknownField {
        /// The kustomization file.
        file: String,
        /// The field.
        field: String,
    },
    /// The kustomization uses a kustomize feature ferry does not implement.
    #[error("{file}: kustomization field {field:?} is not supported by ferry")]
    UnsupportedField {
        /// The kustomization file.
        file: String,
        /// The field.
        field: String,
    },
    /// A resource, base or component names a remote location.
    #[error(
        "{file}: remote {field} {location:?} is not supported by ferry; vendor it into the repository"
    )]
    Remote {
        /// The kustomization file.
        file: String,
        /// The field naming it (`resources`, `components`).
        field: String,
        /// The URL as written.
        location: String,
    },
    /// A path named by a kustomization does not exist.
    #[error("{file}: {field} {path:?} not found")]
    NotFound {
        /// The kustomization file.
        file: String,
        /// The field naming the path.
        field: String,
        /// The path as written.
        path: String,
    },
    /// A file named by a kustomization lies outside its directory (kustomize's root-only rule).
    #[error("{file}: {field} {path:?} is not in or below {dir}")]
    OutsideKustomization {
        /// The kustomization file.
        file: String,
        /// The field naming the path.
        field: String,
        /// The path as written.
        path: String,
        /// The kustomization's directory.
        dir: String,
    },
    /// A file is larger than the per-file limit.
    #[error("{path}: file is {size} bytes, over the limit of {limit}")]
    FileTooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The build yields more objects than allowed.
    #[error("{dir}: more than {limit} objects")]
    TooManyObjects {
        /// The kustomization directory being built.
        dir: String,
        /// The limit.
        limit: usize,
    },
    /// Two resources share an identity.
    #[error(
        "may not add resource with an already registered id: {id} (declared at {first} and at {second})"
    )]
    Duplicate {
        /// The shared identity.
        id: String,
        /// Where the first was declared.
        first: String,
        /// Where the second was declared.
        second: String,
    },
    /// Kustomizations include each other in a loop.
    #[error("cycle in kustomizations: {chain}")]
    Cycle {
        /// The directories of the loop, in order.
        chain: String,
    },
    /// A resource document is not a Kubernetes object.
    #[error("{origin}: {message}")]
    InvalidObject {
        /// Where the document was declared.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A ConfigMap or Secret generator is wrong.
    #[error("{file}: {field} {name:?}: {message}")]
    Generator {
        /// The kustomization file.
        file: String,
        /// `configMapGenerator` or `secretGenerator`.
        field: String,
        /// The generated object's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A transformation (patch, label, namespace, image, replicas, reference) failed.
    #[error("{file}: {field}: {message}")]
    Transform {
        /// The kustomization file.
        file: String,
        /// The kustomization field being applied, with its index when a list.
        field: String,
        /// What went wrong, naming the object.
        message: String,
    },
    /// Argo CD's kustomize overrides cannot be applied.
    #[error("{file}: kustomize override {field}: {message}")]
    Override {
        /// The root kustomization file.
        file: String,
        /// The override field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
