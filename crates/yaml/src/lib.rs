//! Reads and writes YAML the way Kubernetes tooling does (YAML 1.1 scalars), with line numbers.
