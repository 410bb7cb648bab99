//! Reads and writes YAML the way Kubernetes tooling does: YAML 1.1 scalars (`0644` is 420,
//! `yes` is true), multi-document streams with the line each document starts on, and errors
//! that name file, line and column.

mod error;
mod read;
mod write;

pub use error::{Error, Result};
pub use read::{Dialect, Document, parse_documents, parse_documents_in, parse_single};
pub use write::{to_json_stream, to_yaml, to_yaml_stream};
