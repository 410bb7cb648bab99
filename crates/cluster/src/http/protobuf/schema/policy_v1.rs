//! The message tables of `k8s.io/api` policy/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};
use super::meta_v1;

/// `PodDisruptionBudget`.
pub static POD_DISRUPTION_BUDGET: Message = message(
    "PodDisruptionBudget",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&POD_DISRUPTION_BUDGET_SPEC), Present),
        field(3, "status", Opaque("PodDisruptionBudgetStatus"), Present),
    ],
);

/// `PodDisruptionBudgetSpec`.
pub static POD_DISRUPTION_BUDGET_SPEC: Message = message(
    "PodDisruptionBudgetSpec",
    &[
        field(1, "minAvailable", IntOrString, Present),
        field(2, "selector", Nested(&meta_v1::LABEL_SELECTOR), Present),
        field(3, "maxUnavailable", IntOrString, Present),
        field(4, "unhealthyPodEvictionPolicy", Text, Present),
    ],
);
