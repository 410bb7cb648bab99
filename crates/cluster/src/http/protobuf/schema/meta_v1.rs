//! The message tables of `k8s.io/apimachinery` meta/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};

/// `ObjectMeta`.
pub static OBJECT_META: Message = message(
    "ObjectMeta",
    &[
        field(1, "name", Text, Omitted),
        field(2, "generateName", Text, Omitted),
        field(3, "namespace", Text, Omitted),
        field(4, "selfLink", Text, Omitted),
        field(5, "uid", Text, Omitted),
        field(6, "resourceVersion", Text, Omitted),
        field(7, "generation", Int64, Omitted),
        field(8, "creationTimestamp", Time, Present),
        field(9, "deletionTimestamp", Time, Present),
        field(10, "deletionGracePeriodSeconds", Int64, Present),
        field(11, "labels", TextMap, Repeated),
        field(12, "annotations", TextMap, Repeated),
        field(13, "ownerReferences", Nested(&OWNER_REFERENCE), Repeated),
        field(14, "finalizers", Text, Repeated),
        field(17, "managedFields", Opaque("ManagedFieldsEntry"), Repeated),
    ],
);

/// `OwnerReference`.
pub static OWNER_REFERENCE: Message = message(
    "OwnerReference",
    &[
        field(5, "apiVersion", Text, Kept),
        field(1, "kind", Text, Kept),
        field(3, "name", Text, Kept),
        field(4, "uid", Text, Kept),
        field(6, "controller", Bool, Present),
        field(7, "blockOwnerDeletion", Bool, Present),
    ],
);

/// `LabelSelector`.
pub static LABEL_SELECTOR: Message = message(
    "LabelSelector",
    &[
        field(1, "matchLabels", TextMap, Repeated),
        field(
            2,
            "matchExpressions",
            Nested(&LABEL_SELECTOR_REQUIREMENT),
            Repeated,
        ),
    ],
);

/// `LabelSelectorRequirement`.
pub static LABEL_SELECTOR_REQUIREMENT: Message = message(
    "LabelSelectorRequirement",
    &[
        field(1, "key", Text, Kept),
        field(2, "operator", Text, Kept),
        field(3, "values", Text, Repeated),
    ],
);
