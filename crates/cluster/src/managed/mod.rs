//! Server-side apply and `metadata.managedFields`: sets of field paths, who owns which fields,
//! the Apply merge with pruning and conflicts, and the fields an update takes over. The field
//! sets follow the real server's FieldsV1 form exactly (`f:`, `k:`, `v:`, `.`).

mod compare;
mod entries;
mod fieldset;
mod merge;
mod ownership;
mod path;
mod schema;
mod set;

pub use compare::{Comparison, compare};
pub use entries::{Entry, ManagedFields, Manager, Operation};
pub use fieldset::{to_field_set, values_equal};
pub use merge::merge;
pub use ownership::{Applied, Conflict, Write, apply, update, without_managed_fields};
pub use path::{Path, PathElement, path_text};
pub use schema::{ListType, Schema, Type};
pub use set::FieldSet;
