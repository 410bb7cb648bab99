//! Object semantics shared by the verbs: metadata handling, defaults, validation, timestamps, ids.

pub mod crd_validation;
pub mod defaults;
pub mod fields;
pub mod godump;
pub mod ids;
pub mod meta;
pub mod names;
pub mod structural;
pub mod time;
pub mod validate;
pub mod zero;
