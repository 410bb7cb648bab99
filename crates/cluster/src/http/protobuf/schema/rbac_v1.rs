//! The message tables of `k8s.io/api` rbac/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};
use super::meta_v1;

/// `Role`.
pub static ROLE: Message = message(
    "Role",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "rules", Nested(&POLICY_RULE), Repeated),
    ],
);

/// `ClusterRole`.
pub static CLUSTER_ROLE: Message = message(
    "ClusterRole",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "rules", Nested(&POLICY_RULE), Repeated),
        field(3, "aggregationRule", Nested(&AGGREGATION_RULE), Present),
    ],
);

/// `RoleBinding`.
pub static ROLE_BINDING: Message = message(
    "RoleBinding",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "subjects", Nested(&SUBJECT), Repeated),
        field(3, "roleRef", Nested(&ROLE_REF), Present),
    ],
);

/// `ClusterRoleBinding`.
pub static CLUSTER_ROLE_BINDING: Message = message(
    "ClusterRoleBinding",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "subjects", Nested(&SUBJECT), Repeated),
        field(3, "roleRef", Nested(&ROLE_REF), Present),
    ],
);

/// `PolicyRule`.
pub static POLICY_RULE: Message = message(
    "PolicyRule",
    &[
        field(1, "verbs", Text, Repeated),
        field(2, "apiGroups", Text, Repeated),
        field(3, "resources", Text, Repeated),
        field(4, "resourceNames", Text, Repeated),
        field(5, "nonResourceURLs", Text, Repeated),
    ],
);

/// `AggregationRule`.
pub static AGGREGATION_RULE: Message = message(
    "AggregationRule",
    &[field(
        1,
        "clusterRoleSelectors",
        Nested(&meta_v1::LABEL_SELECTOR),
        Repeated,
    )],
);

/// `Subject`.
pub static SUBJECT: Message = message(
    "Subject",
    &[
        field(1, "kind", Text, Kept),
        field(2, "apiGroup", Text, Omitted),
        field(3, "name", Text, Kept),
        field(4, "namespace", Text, Omitted),
    ],
);

/// `RoleRef`.
pub static ROLE_REF: Message = message(
    "RoleRef",
    &[
        field(1, "apiGroup", Text, Kept),
        field(2, "kind", Text, Kept),
        field(3, "name", Text, Kept),
    ],
);
