//! The shape of a message table (field number → JSON name, kind, presence) and the decoding of
//! one message's bytes into the JSON object Go's `encoding/json` would write for it.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::Refusal;
use super::wire::{Reader, Wire};
use crate::object::time::format_unix;

/// Deepest nesting of embedded messages accepted.
const MAX_DEPTH: usize = 32;

/// One protobuf message of `k8s.io/api` or `k8s.io/apimachinery`.
#[derive(Debug)]
pub struct Message {
    /// The Go type name (`ObjectMeta`).
    pub name: &'static str,
    /// Its fields in the order of the Go struct (the order of the JSON keys).
    pub fields: &'static [Field],
}

/// One field of a message.
#[derive(Debug)]
pub struct Field {
    /// The protobuf field number.
    pub number: u32,
    /// The JSON name.
    pub name: &'static str,
    /// What the value is.
    pub kind: Kind,
    /// When the JSON key is written.
    pub presence: Presence,
}

/// What a field holds, and how it becomes JSON.
#[derive(Debug)]
pub enum Kind {
    /// A string.
    Text,
    /// A bool varint.
    Bool,
    /// An int32 varint.
    Int32,
    /// An int64 varint.
    Int64,
    /// `metav1.Time` (seconds in field 1), RFC 3339 in JSON; the zero time is left out.
    Time,
    /// `resource.Quantity` (its string in field 1).
    Quantity,
    /// `intstr.IntOrString` (type 1, intVal 2, strVal 3): a JSON number or string.
    IntOrString,
    /// `map<string, string>`.
    TextMap,
    /// `map<string, bytes>`, base64 values in JSON.
    BytesMap,
    /// `map<string, Quantity>` (`ResourceList`).
    QuantityMap,
    /// An embedded message.
    Nested(&'static Message),
    /// An embedded message whose fields are written into the enclosing object (`json:",inline"`).
    Inline(&'static Message),
    /// A message ferry has no table for: accepted, as `{}`, only when it holds nothing but zero
    /// values (an empty Go struct such as the `status` kubectl sends on create).
    Opaque(&'static str),
}

/// When a field's JSON key is written, following the Go struct tag and field type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// A value with `omitempty`: left out when zero.
    Omitted,
    /// A value without `omitempty`: always written, zero when absent.
    Kept,
    /// A pointer or a struct: written exactly when it is on the wire.
    Present,
    /// A list or map: written when not empty.
    Repeated,
}

/// A table row.
pub const fn field(number: u32, name: &'static str, kind: Kind, presence: Presence) -> Field {
    Field {
        number,
        name,
        kind,
        presence,
    }
}

/// A table.
pub const fn message(name: &'static str, fields: &'static [Field]) -> Message {
    Message { name, fields }
}

/// Decodes the bytes of one message into a JSON object.
pub fn decode(
    bytes: &[u8],
    message: &Message,
    depth: usize,
) -> Result<Map<String, Value>, Refusal> {
    if depth > MAX_DEPTH {
        return Err(Refusal::malformed(
            "exceeded maximum protobuf nesting depth",
        ));
    }
    let mut slots: Vec<Option<Value>> = vec![None; message.fields.len()];
    let mut reader = Reader::new(bytes);
    while let Some((number, wire)) = reader.field()? {
        let Some(index) = message.fields.iter().position(|f| f.number == number) else {
            return Err(Refusal::unsupported(format!(
                "field {number} of protobuf message {} is unknown to ferry's decoder; send the object as application/json",
                message.name
            )));
        };
        let field = &message.fields[index];
        let slot = &mut slots[index];
        if field.presence == Presence::Repeated {
            add_repeated(slot, field, message, wire, depth)?;
        } else {
            *slot = single(field, message, wire, depth)?;
        }
    }
    let mut object = Map::new();
    for (field, slot) in message.fields.iter().zip(slots) {
        let value = match (field.presence, slot) {
            (Presence::Kept, None) => Some(zero(&field.kind)),
            (Presence::Omitted, Some(value)) if is_zero(&value) => None,
            (Presence::Repeated, Some(Value::Object(map))) if !map.is_empty() => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Some(Value::Object(entries.into_iter().collect()))
            }
            (Presence::Repeated, Some(value)) if is_empty(&value) => None,
            (_, value) => value,
        };
        match (value, &field.kind) {
            (Some(Value::Object(inner)), Kind::Inline(_)) => object.extend(inner),
            (Some(value), _) => {
                object.insert(field.name.to_string(), value);
            }
            (None, _) => {}
        }
    }
    Ok(object)
}

fn add_repeated(
    slot: &mut Option<Value>,
    field: &Field,
    message: &Message,
    wire: Wire<'_>,
    depth: usize,
) -> Result<(), Refusal> {
    match &field.kind {
        Kind::TextMap | Kind::BytesMap | Kind::QuantityMap => {
            let (key, value) = map_entry(field, message, wire, depth)?;
            let map = slot.get_or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = map {
                map.insert(key, value);
            }
        }
        Kind::Bool | Kind::Int32 | Kind::Int64 if matches!(wire, Wire::Bytes(_)) => {
            let Wire::Bytes(packed) = wire else {
                return Ok(());
            };
            let mut reader = Reader::new(packed);
            while !reader.is_done() {
                let value = single(field, message, Wire::Varint(reader.varint()?), depth)?;
                push(slot, value.unwrap_or(Value::Null));
            }
        }
        _ => {
            let value = single(field, message, wire, depth)?;
            push(slot, value.unwrap_or_else(|| zero(&field.kind)));
        }
    }
    Ok(())
}

fn push(slot: &mut Option<Value>, value: Value) {
    if let Value::Array(items) = slot.get_or_insert_with(|| Value::Array(Vec::new())) {
        items.push(value);
    }
}

/// One value of a field; `None` for the zero time.
fn single(
    field: &Field,
    message: &Message,
    wire: Wire<'_>,
    depth: usize,
) -> Result<Option<Value>, Refusal> {
    let wrong = || {
        Refusal::malformed(format!(
            "proto: wrong wireType = {} for field {} of {}",
            wire.wire_type(),
            field.name,
            message.name
        ))
    };
    let value = match (&field.kind, wire) {
        (Kind::Bool, Wire::Varint(value)) => Value::Bool(value != 0),
        (Kind::Int32, Wire::Varint(value)) => Value::from(value as i64 as i32),
        (Kind::Int64, Wire::Varint(value)) => Value::from(value as i64),
        (Kind::Text, Wire::Bytes(bytes)) => Value::String(text(bytes, field, message)?),
        (Kind::Time, Wire::Bytes(bytes)) => return time(bytes, field, message),
        (Kind::Quantity, Wire::Bytes(bytes)) => Value::String(quantity(bytes)?),
        (Kind::IntOrString, Wire::Bytes(bytes)) => int_or_string(bytes)?,
        (Kind::Nested(inner) | Kind::Inline(inner), Wire::Bytes(bytes)) => {
            Value::Object(decode(bytes, inner, depth + 1)?)
        }
        (Kind::Opaque(name), Wire::Bytes(bytes)) => {
            if !all_zero(bytes, depth + 1) {
                return Err(Refusal::unsupported(format!(
                    "field {} ({}) of protobuf message {} holds a {name} with values, which ferry's decoder does not cover; send the object as application/json",
                    field.number, field.name, message.name
                )));
            }
            Value::Object(Map::new())
        }
        _ => return Err(wrong()),
    };
    Ok(Some(value))
}

/// Whether a message holds only zero values (as Go writes an empty struct: zero scalars, empty
/// strings and lists, empty nested structs), so that it stands for `{}` and nothing is lost.
fn all_zero(bytes: &[u8], depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let mut reader = Reader::new(bytes);
    loop {
        match reader.field() {
            Ok(None) => return true,
            Ok(Some((_, Wire::Varint(0) | Wire::Fixed64(0) | Wire::Fixed32(0)))) => {}
            Ok(Some((_, Wire::Bytes(inner)))) if all_zero(inner, depth + 1) => {}
            _ => return false,
        }
    }
}

fn map_entry(
    field: &Field,
    message: &Message,
    wire: Wire<'_>,
    depth: usize,
) -> Result<(String, Value), Refusal> {
    let Wire::Bytes(bytes) = wire else {
        return Err(Refusal::malformed(format!(
            "proto: wrong wireType = {} for field {} of {}",
            wire.wire_type(),
            field.name,
            message.name
        )));
    };
    if depth > MAX_DEPTH {
        return Err(Refusal::malformed(
            "exceeded maximum protobuf nesting depth",
        ));
    }
    let mut key = String::new();
    let mut value = match field.kind {
        Kind::QuantityMap => Value::String("0".into()),
        _ => Value::String(String::new()),
    };
    let mut reader = Reader::new(bytes);
    while let Some((number, wire)) = reader.field()? {
        match (number, wire) {
            (1, Wire::Bytes(bytes)) => key = text(bytes, field, message)?,
            (2, Wire::Bytes(bytes)) => {
                value = Value::String(match field.kind {
                    Kind::BytesMap => base64(bytes),
                    Kind::QuantityMap => quantity(bytes)?,
                    _ => text(bytes, field, message)?,
                });
            }
            _ => {
                return Err(Refusal::malformed(format!(
                    "proto: bad map entry in field {} of {}",
                    field.name, message.name
                )));
            }
        }
    }
    Ok((key, value))
}

fn text(bytes: &[u8], field: &Field, message: &Message) -> Result<String, Refusal> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Refusal::malformed(format!(
            "invalid UTF-8 in field {} of {}",
            field.name, message.name
        ))
    })
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn time(bytes: &[u8], field: &Field, message: &Message) -> Result<Option<Value>, Refusal> {
    let mut seconds: i64 = 0;
    let mut reader = Reader::new(bytes);
    while let Some((number, wire)) = reader.field()? {
        match (number, wire) {
            (1, Wire::Varint(value)) => seconds = value as i64,
            (2, Wire::Varint(_)) => {}
            _ => return Err(Refusal::malformed("proto: bad Timestamp")),
        }
    }
    if bytes.is_empty() {
        return Ok(None);
    }
    let seconds = u64::try_from(seconds).map_err(|_| {
        Refusal::unsupported(format!(
            "field {} of protobuf message {} holds a time before 1970, which ferry's decoder does not cover",
            field.name, message.name
        ))
    })?;
    Ok(Some(Value::String(format_unix(seconds))))
}

fn quantity(bytes: &[u8]) -> Result<String, Refusal> {
    let mut value = String::new();
    let mut reader = Reader::new(bytes);
    while let Some((number, wire)) = reader.field()? {
        match (number, wire) {
            (1, Wire::Bytes(text)) => {
                value = String::from_utf8(text.to_vec())
                    .map_err(|_| Refusal::malformed("invalid UTF-8 in a Quantity"))?;
            }
            _ => return Err(Refusal::malformed("proto: bad Quantity")),
        }
    }
    Ok(value)
}

fn int_or_string(bytes: &[u8]) -> Result<Value, Refusal> {
    let (mut kind, mut number, mut text) = (0, 0i32, String::new());
    let mut reader = Reader::new(bytes);
    while let Some((field, wire)) = reader.field()? {
        match (field, wire) {
            (1, Wire::Varint(value)) => kind = value,
            (2, Wire::Varint(value)) => number = value as i64 as i32,
            (3, Wire::Bytes(bytes)) => {
                text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| Refusal::malformed("invalid UTF-8 in an IntOrString"))?;
            }
            _ => return Err(Refusal::malformed("proto: bad IntOrString")),
        }
    }
    Ok(match kind {
        1 => Value::String(text),
        _ => Value::from(number),
    })
}

fn zero(kind: &Kind) -> Value {
    match kind {
        Kind::Bool => Value::Bool(false),
        Kind::Int32 | Kind::Int64 => Value::from(0),
        _ => Value::String(String::new()),
    }
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => !flag,
        Value::Number(number) => number.as_i64() == Some(0),
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}
