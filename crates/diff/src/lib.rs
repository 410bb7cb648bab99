//! Compares the objects an application wants with the objects the cluster has, as pure
//! functions: no IO, no clock.
//!
//! [`compare`] takes the desired manifest, the server's prediction of it (a server-side-apply
//! dry-run by field manager [`FIELD_MANAGER`], so server defaults are already in) and the
//! live object, and says [`ResourceDiffStatus::Synced`], `OutOfSync`, `Missing` or
//! `Extraneous`, with a unified YAML diff. Both sides go through [`normalize`] first: server
//! bookkeeping and `status` are dropped, `ignoreDifferences` rules are applied, and fields
//! that only other field managers own (an HPA's `replicas`) are left out unless the desired
//! manifest sets them ([`fields_owned_by`], [`FieldSet`]). Secret values are masked
//! ([`mask_secrets`]) in every diff this crate prints ([`unified_diff`]).

#![deny(missing_docs)]

mod compare;
mod error;
mod fields;
mod ignore;
mod jq;
mod mask;
mod normalize;
mod object;
mod path;
mod render;

pub use compare::{Comparison, FIELD_MANAGER, ResourceDiffStatus, compare};
pub use error::{Error, Result};
pub use fields::{FieldSet, fields_owned_by};
pub use ignore::check_ignore_differences;
pub use mask::mask_secrets;
pub use normalize::normalize;
pub use render::unified_diff;
