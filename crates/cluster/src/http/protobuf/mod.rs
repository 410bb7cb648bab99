//! Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl's typed
//! generators (`kubectl create configmap|secret|deployment|…`) send them, decoded into the same
//! JSON value the JSON path reads so that defaults, validation and managedFields are identical.
//!
//! The envelope is the magic `k8s\0` and a `runtime.Unknown` (typeMeta 1 {apiVersion 1, kind 2},
//! raw 2, contentEncoding 3, contentType 4); `raw` is the object's message, decoded with the
//! tables of [`schema`]. A field ferry has no table for is refused with 415 rather than dropped.

mod message;
mod schema;
mod wire;

use serde_json::{Map, Value};

use wire::{Reader, Wire};

/// The four bytes every Kubernetes protobuf body starts with.
const MAGIC: &[u8] = b"k8s\0";

/// Why a protobuf body was not decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The bytes are not a well-formed message (400).
    #[error("{0}")]
    Malformed(String),
    /// Well-formed, but holds something ferry's tables do not cover (415).
    #[error("{0}")]
    Unsupported(String),
}

impl Refusal {
    fn malformed(detail: impl Into<String>) -> Self {
        Refusal::Malformed(detail.into())
    }

    fn unsupported(detail: impl Into<String>) -> Self {
        Refusal::Unsupported(detail.into())
    }
}

/// Decodes a protobuf body into the JSON object it stands for, `kind` and `apiVersion` first.
pub fn decode(body: &[u8]) -> Result<Value, Refusal> {
    let Some(envelope) = body.strip_prefix(MAGIC) else {
        return Err(Refusal::malformed(
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
        ));
    };
    let unknown = Unknown::read(envelope)?;
    if !unknown.content_encoding.is_empty() {
        return Err(Refusal::unsupported(format!(
            "protobuf content encoding {:?} is not supported",
            unknown.content_encoding
        )));
    }
    let mut object = Map::new();
    object.insert("kind".into(), Value::String(unknown.kind.clone()));
    object.insert(
        "apiVersion".into(),
        Value::String(unknown.api_version.clone()),
    );
    if unknown.kind.is_empty() || unknown.api_version.is_empty() {
        // The JSON path's checks name what is missing.
        return Ok(Value::Object(object));
    }
    let Some(table) = schema::for_kind(&unknown.api_version, &unknown.kind) else {
        let covered: Vec<String> = schema::KINDS
            .iter()
            .map(|(version, kind, _)| format!("{version} {kind}"))
            .collect();
        return Err(Refusal::unsupported(format!(
            "ferry decodes protobuf bodies only for {}; send {} {} as application/json",
            covered.join(", "),
            unknown.api_version,
            unknown.kind
        )));
    };
    object.extend(message::decode(unknown.raw, table, 0)?);
    Ok(Value::Object(object))
}

/// The `runtime.Unknown` envelope.
#[derive(Default)]
struct Unknown<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
}

impl<'a> Unknown<'a> {
    fn read(bytes: &'a [u8]) -> Result<Self, Refusal> {
        let mut unknown = Unknown::default();
        let mut reader = Reader::new(bytes);
        while let Some((number, wire)) = reader.field()? {
            match (number, wire) {
                (1, Wire::Bytes(type_meta)) => {
                    let mut inner = Reader::new(type_meta);
                    while let Some((number, wire)) = inner.field()? {
                        match (number, wire) {
                            (1, Wire::Bytes(text)) => unknown.api_version = utf8(text)?,
                            (2, Wire::Bytes(text)) => unknown.kind = utf8(text)?,
                            _ => return Err(Refusal::malformed("proto: bad TypeMeta")),
                        }
                    }
                }
                (2, Wire::Bytes(raw)) => unknown.raw = raw,
                (3, Wire::Bytes(text)) => unknown.content_encoding = utf8(text)?,
                (4, Wire::Bytes(_)) => {}
                _ => return Err(Refusal::malformed("proto: bad runtime.Unknown")),
            }
        }
        Ok(unknown)
    }
}

fn utf8(bytes: &[u8]) -> Result<String, Refusal> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Refusal::malformed("invalid UTF-8 in TypeMeta"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A length-delimited field.
    fn bytes(number: u32, value: &[u8]) -> Vec<u8> {
        let mut out = varint(u64::from(number << 3 | 2));
        out.extend(varint(value.len() as u64));
        out.extend_from_slice(value);
        out
    }

    /// A varint field.
    fn number(number: u32, value: u64) -> Vec<u8> {
        let mut out = varint(u64::from(number << 3));
        out.extend(varint(value));
        out
    }

    fn varint(mut value: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let type_meta = [bytes(1, api_version.as_bytes()), bytes(2, kind.as_bytes())].concat();
        [
            MAGIC.to_vec(),
            bytes(1, &type_meta),
            bytes(2, raw),
            bytes(3, b""),
            bytes(4, b""),
        ]
        .concat()
    }

    fn entry(key: &str, value: &[u8]) -> Vec<u8> {
        [bytes(1, key.as_bytes()), bytes(2, value)].concat()
    }

    #[test]
    fn the_configmap_kubectl_sends_decodes_to_the_json_it_stands_for() {
        // `kubectl create configmap x --from-literal=a=b`, byte for byte.
        let body = b"k8s\0\x0a\x0f\x0a\x02v1\x12\x09ConfigMap\x12\x1b\x0a\x11\x0a\x01x\x12\x00\x1a\x00\x22\x00\x2a\x00\x32\x00\x38\x00\x42\x00\x12\x06\x0a\x01a\x12\x01b\x1a\x00\x22\x00";
        assert_eq!(
            decode(body),
            Ok(json!({
                "kind": "ConfigMap",
                "apiVersion": "v1",
                "metadata": {"name": "x"},
                "data": {"a": "b"}
            }))
        );
    }

    #[test]
    fn secret_bytes_become_base64_and_map_keys_are_sorted() {
        let metadata = [bytes(1, b"s"), bytes(3, b"team")].concat();
        let raw = [
            bytes(1, &metadata),
            bytes(2, &entry("z", &[0, 159, 255])),
            bytes(2, &entry("a", b"plain")),
            bytes(3, b"Opaque"),
            number(5, 1),
        ]
        .concat();
        let object = decode(&envelope("v1", "Secret", &raw)).expect("decodes");
        assert_eq!(
            object,
            json!({
                "kind": "Secret",
                "apiVersion": "v1",
                "metadata": {"name": "s", "namespace": "team"},
                "immutable": true,
                "data": {"a": "cGxhaW4=", "z": "AJ//"},
                "type": "Opaque"
            })
        );
        let keys: Vec<&String> = object["data"].as_object().expect("map").keys().collect();
        assert_eq!(keys, ["a", "z"]);
    }

    #[test]
    fn deployment_fields_follow_go_json_presence_rules() {
        let port = [number(3, 8080), bytes(4, b"TCP")].concat();
        let limits = entry("cpu", &bytes(1, b"500m"));
        let container = [
            bytes(1, b"web"),
            bytes(2, b"nginx"),
            bytes(5, b""),
            bytes(6, &port),
            bytes(8, &bytes(1, &limits)),
            number(16, 0),
        ]
        .concat();
        let surge = [number(1, 1), bytes(3, b"25%")].concat();
        let unavailable = [number(1, 0), number(2, 1)].concat();
        let strategy = [
            bytes(1, b"RollingUpdate"),
            bytes(2, &[bytes(1, &unavailable), bytes(2, &surge)].concat()),
        ]
        .concat();
        let template = [bytes(1, &bytes(8, b"")), bytes(2, &bytes(2, &container))].concat();
        let spec = [
            number(1, 0),
            bytes(3, &template),
            bytes(4, &strategy),
            number(5, 0),
        ]
        .concat();
        let created = [number(1, 1_700_000_000), number(2, 0)].concat();
        let raw = [
            bytes(1, &[bytes(1, b"web"), bytes(8, &created)].concat()),
            bytes(2, &spec),
            bytes(3, &[number(1, 0), number(2, 0)].concat()),
        ]
        .concat();
        assert_eq!(
            decode(&envelope("apps/v1", "Deployment", &raw)),
            Ok(json!({
                "kind": "Deployment",
                "apiVersion": "apps/v1",
                "metadata": {"name": "web", "creationTimestamp": "2023-11-14T22:13:20Z"},
                "spec": {
                    "replicas": 0,
                    "template": {
                        "metadata": {},
                        "spec": {"containers": [{
                            "name": "web",
                            "image": "nginx",
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "resources": {"limits": {"cpu": "500m"}}
                        }]}
                    },
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}
                    }
                },
                "status": {}
            }))
        );
    }

    #[test]
    fn fields_without_omitempty_are_written_even_when_absent() {
        let raw = bytes(1, &bytes(13, &bytes(1, b"ReplicaSet")));
        let object = decode(&envelope("v1", "ConfigMap", &raw)).expect("decodes");
        assert_eq!(
            object["metadata"]["ownerReferences"],
            json!([{"apiVersion": "", "kind": "ReplicaSet", "name": "", "uid": ""}])
        );
    }

    #[test]
    fn packed_and_unpacked_repeated_numbers_are_both_read() {
        let rule = [bytes(1, b"In"), bytes(2, &[1, 2, 0x96, 0x01])].concat();
        let unpacked = [bytes(1, b"In"), number(2, 3), number(2, 4)].concat();
        for (encoded, expected) in [(rule, json!([1, 2, 150])), (unpacked, json!([3, 4]))] {
            let table = &schema::core_v1::CONTAINER_RESTART_RULE_ON_EXIT_CODES;
            let object = message::decode(&encoded, table, 0).expect("decodes");
            assert_eq!(object["values"], expected);
        }
    }

    #[test]
    fn unknown_fields_and_filled_opaque_messages_are_refused_with_their_names() {
        let unknown = decode(&envelope("v1", "ConfigMap", &bytes(9, b"x")));
        assert_eq!(
            unknown,
            Err(Refusal::Unsupported(
                "field 9 of protobuf message ConfigMap is unknown to ferry's decoder; send the object as application/json".into()
            ))
        );
        let container = [bytes(1, b"c"), bytes(10, &number(4, 5))].concat();
        let spec = bytes(2, &bytes(2, &container));
        match decode(&envelope("v1", "Pod", &spec)) {
            Err(Refusal::Unsupported(message)) => assert!(
                message.starts_with(
                    "field 10 (livenessProbe) of protobuf message Container holds a Probe"
                ),
                "{message}"
            ),
            other => panic!("{other:?}"),
        }
        match decode(&envelope("v1", "ResourceQuota", b"")) {
            Err(Refusal::Unsupported(message)) => {
                assert!(message.contains("send v1 ResourceQuota as application/json"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_bodies_are_refused_without_panicking() {
        let deep = (0..200).fold(Vec::new(), |inner, _| bytes(1, &inner));
        let cases: Vec<Vec<u8>> = vec![
            b"{\"kind\":\"ConfigMap\"}".to_vec(),
            b"k8s\0\x0a".to_vec(),
            envelope("v1", "ConfigMap", &[0x0a, 0x05, 0x0a]),
            envelope("v1", "ConfigMap", &number(1, 3)),
            envelope("v1", "ConfigMap", &bytes(2, &[0x0a, 0x01, 0xff])),
            envelope("v1", "ConfigMap", &bytes(2, &number(7, 1))),
            [MAGIC.to_vec(), number(9, 1)].concat(),
        ];
        for body in cases {
            assert!(
                matches!(decode(&body), Err(Refusal::Malformed(_))),
                "{body:?} gave {:?}",
                decode(&body)
            );
        }
        // Deep nesting in a message without a table is refused, not recursed into without end.
        assert!(matches!(
            decode(&envelope("apps/v1", "Deployment", &bytes(3, &deep))),
            Err(Refusal::Unsupported(_))
        ));
        // Every prefix of a valid body is refused or decoded, never a panic.
        let valid = envelope("v1", "ConfigMap", &bytes(2, &entry("a", b"b")));
        for end in 0..valid.len() {
            let _ = decode(&valid[..end]);
        }
    }

    #[test]
    fn a_missing_kind_is_left_for_the_json_checks_to_name() {
        assert_eq!(
            decode(&envelope("v1", "", b"")),
            Ok(json!({"kind": "", "apiVersion": "v1"}))
        );
    }
}
