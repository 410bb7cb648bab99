//! The message tables of `k8s.io/api` networking/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};
use super::core_v1;
use super::meta_v1;

/// `Ingress`.
pub static INGRESS: Message = message(
    "Ingress",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&INGRESS_SPEC), Present),
        field(3, "status", Opaque("IngressStatus"), Present),
    ],
);

/// `IngressSpec`.
pub static INGRESS_SPEC: Message = message(
    "IngressSpec",
    &[
        field(4, "ingressClassName", Text, Present),
        field(1, "defaultBackend", Nested(&INGRESS_BACKEND), Present),
        field(2, "tls", Nested(&INGRESS_TLS), Repeated),
        field(3, "rules", Nested(&INGRESS_RULE), Repeated),
    ],
);

/// `IngressBackend`.
pub static INGRESS_BACKEND: Message = message(
    "IngressBackend",
    &[
        field(4, "service", Nested(&INGRESS_SERVICE_BACKEND), Present),
        field(
            3,
            "resource",
            Nested(&core_v1::TYPED_LOCAL_OBJECT_REFERENCE),
            Present,
        ),
    ],
);

/// `IngressTLS`.
pub static INGRESS_TLS: Message = message(
    "IngressTLS",
    &[
        field(1, "hosts", Text, Repeated),
        field(2, "secretName", Text, Omitted),
    ],
);

/// `IngressRule`.
pub static INGRESS_RULE: Message = message(
    "IngressRule",
    &[
        field(1, "host", Text, Omitted),
        field(2, "IngressRuleValue", Inline(&INGRESS_RULE_VALUE), Present),
    ],
);

/// `IngressServiceBackend`.
pub static INGRESS_SERVICE_BACKEND: Message = message(
    "IngressServiceBackend",
    &[
        field(1, "name", Text, Kept),
        field(2, "port", Nested(&SERVICE_BACKEND_PORT), Present),
    ],
);

/// `IngressRuleValue`.
pub static INGRESS_RULE_VALUE: Message = message(
    "IngressRuleValue",
    &[field(1, "http", Nested(&HTTP_INGRESS_RULE_VALUE), Present)],
);

/// `ServiceBackendPort`.
pub static SERVICE_BACKEND_PORT: Message = message(
    "ServiceBackendPort",
    &[
        field(1, "name", Text, Omitted),
        field(2, "number", Int32, Omitted),
    ],
);

/// `HTTPIngressRuleValue`.
pub static HTTP_INGRESS_RULE_VALUE: Message = message(
    "HTTPIngressRuleValue",
    &[field(1, "paths", Nested(&HTTP_INGRESS_PATH), Repeated)],
);

/// `HTTPIngressPath`.
pub static HTTP_INGRESS_PATH: Message = message(
    "HTTPIngressPath",
    &[
        field(1, "path", Text, Omitted),
        field(3, "pathType", Text, Present),
        field(2, "backend", Nested(&INGRESS_BACKEND), Present),
    ],
);
