//! The message tables of `k8s.io/api` apps/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};
use super::core_v1;
use super::meta_v1;

/// `Deployment`.
pub static DEPLOYMENT: Message = message(
    "Deployment",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&DEPLOYMENT_SPEC), Present),
        field(3, "status", Opaque("DeploymentStatus"), Present),
    ],
);

/// `DeploymentSpec`.
pub static DEPLOYMENT_SPEC: Message = message(
    "DeploymentSpec",
    &[
        field(1, "replicas", Int32, Present),
        field(2, "selector", Nested(&meta_v1::LABEL_SELECTOR), Present),
        field(3, "template", Nested(&core_v1::POD_TEMPLATE_SPEC), Present),
        field(4, "strategy", Nested(&DEPLOYMENT_STRATEGY), Present),
        field(5, "minReadySeconds", Int32, Omitted),
        field(6, "revisionHistoryLimit", Int32, Present),
        field(7, "paused", Bool, Omitted),
        field(9, "progressDeadlineSeconds", Int32, Present),
    ],
);

/// `DeploymentStrategy`.
pub static DEPLOYMENT_STRATEGY: Message = message(
    "DeploymentStrategy",
    &[
        field(1, "type", Text, Omitted),
        field(
            2,
            "rollingUpdate",
            Nested(&ROLLING_UPDATE_DEPLOYMENT),
            Present,
        ),
    ],
);

/// `RollingUpdateDeployment`.
pub static ROLLING_UPDATE_DEPLOYMENT: Message = message(
    "RollingUpdateDeployment",
    &[
        field(1, "maxUnavailable", IntOrString, Present),
        field(2, "maxSurge", IntOrString, Present),
    ],
);
