//! Label and field selectors: parsing (with the real server's error messages) and matching.

mod field;
mod label;

pub use field::FieldSelector;
pub use label::{LabelSelector, labels_of};
