//! Object semantics shared by the verbs: metadata handling, defaults, validation, timestamps, ids.

pub mod defaults;
pub mod fields;
pub mod ids;
pub mod meta;
pub mod names;
pub mod time;
pub mod validate;
