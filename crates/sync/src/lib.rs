//! Sync planning, pure: which objects are applied in which phase and wave, in which order,
//! which hooks run, and what is pruned. The executor that talks to a cluster lives apart and
//! only carries a [`Plan`] out.

mod annotations;
mod error;
mod kind_order;
mod plan;
mod select;
mod tracking;

pub use annotations::{HookDeletePolicy, HookType, ResourceOptions, SyncPhase};
pub use error::{Error, Result};
pub use kind_order::kind_rank;
pub use plan::{Action, LiveObject, Plan, PlanOptions, Step, plan};
pub use select::{ResourceSelector, select};
pub use tracking::{TRACKING_ANNOTATION, TrackingId};
