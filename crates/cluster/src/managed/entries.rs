//! `metadata.managedFields`: one entry per manager (name, operation, apiVersion, subresource),
//! read from and written to objects in the order the real server sorts them.

use serde_json::{Map, Value, json};

use super::set::FieldSet;
use crate::object::time;

/// The operation a manager's fields came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    /// Server-side apply.
    Apply,
    /// Create, update or a non-apply patch.
    Update,
}

impl Operation {
    fn text(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// Who manages a set of fields. Appliers are one manager whatever apiVersion they apply with;
/// updaters are one per apiVersion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manager {
    /// `fieldManager` (or the User-Agent's product).
    pub name: String,
    /// Apply or Update.
    pub operation: Operation,
    /// The apiVersion the fields were written with.
    pub api_version: String,
    /// `status` or `scale`; empty for the main resource.
    pub subresource: String,
}

impl Manager {
    /// A manager writing through `api_version` (and `subresource`, empty for the main resource).
    pub fn new(name: &str, operation: Operation, api_version: &str, subresource: &str) -> Manager {
        Manager {
            name: name.to_string(),
            operation,
            api_version: api_version.to_string(),
            subresource: subresource.to_string(),
        }
    }

    /// True when both are the same manager.
    pub fn same(&self, other: &Manager) -> bool {
        self.name == other.name
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == Operation::Apply || self.api_version == other.api_version)
    }

    /// The identity the real server sorts conflicts by (`{"manager":"x","operation":"Apply"}`).
    pub fn identity(&self) -> String {
        let mut identity = Map::new();
        identity.insert("manager".into(), json!(self.name));
        identity.insert("operation".into(), json!(self.operation.text()));
        if self.operation == Operation::Update {
            identity.insert("apiVersion".into(), json!(self.api_version));
        }
        if !self.subresource.is_empty() {
            identity.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(identity).to_string()
    }

    /// How conflict messages name the manager: `"ferry"`, `"recorder" using apps/v1`.
    pub fn describe(&self) -> String {
        let mut text = Value::String(self.name.clone()).to_string();
        if !self.subresource.is_empty() {
            text.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == Operation::Update {
            text.push_str(&format!(" using {}", self.api_version));
        }
        text
    }
}

/// One manager's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The manager.
    pub manager: Manager,
    /// When its fields last changed (`None` when never recorded).
    pub time: Option<String>,
    /// The fields it owns.
    pub fields: FieldSet,
}

/// The managedFields of an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManagedFields {
    /// Entries, in no particular order.
    pub entries: Vec<Entry>,
}

impl ManagedFields {
    /// Reads `metadata.managedFields` (absent means none; an unreadable list is an error).
    pub fn of(object: &Value) -> Result<ManagedFields, String> {
        match object.pointer("/metadata/managedFields") {
            None | Some(Value::Null) => Ok(ManagedFields::default()),
            Some(Value::Array(items)) => items
                .iter()
                .map(entry)
                .collect::<Result<_, _>>()
                .map(|entries| ManagedFields { entries }),
            Some(_) => Err("managedFields must be a list".to_string()),
        }
    }

    /// The entry of `manager`.
    pub fn get(&self, manager: &Manager) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| entry.manager.same(manager))
    }

    /// Replaces (or adds) the entry of `entry.manager`.
    pub fn put(&mut self, entry: Entry) {
        match self
            .entries
            .iter_mut()
            .find(|existing| existing.manager.same(&entry.manager))
        {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry),
        }
    }

    /// Removes entries that own nothing.
    pub fn drop_empty(&mut self) {
        self.entries.retain(|entry| !entry.fields.is_empty());
    }

    /// The `metadata.managedFields` list, sorted like the real server sorts it (Apply before
    /// Update, then by time, manager, apiVersion and subresource).
    pub fn to_value(&self) -> Value {
        let mut entries: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|entry| !entry.fields.is_empty())
            .collect();
        let seconds = |entry: &Entry| {
            entry
                .time
                .as_deref()
                .and_then(time::parse_unix)
                .unwrap_or(0)
        };
        entries.sort_by(|a, b| {
            (
                a.manager.operation,
                seconds(a),
                &a.manager.name,
                &a.manager.api_version,
                &a.manager.subresource,
            )
                .cmp(&(
                    b.manager.operation,
                    seconds(b),
                    &b.manager.name,
                    &b.manager.api_version,
                    &b.manager.subresource,
                ))
        });
        Value::Array(
            entries
                .into_iter()
                .map(|entry| {
                    let mut map = Map::new();
                    map.insert("manager".into(), json!(entry.manager.name));
                    map.insert("operation".into(), json!(entry.manager.operation.text()));
                    map.insert("apiVersion".into(), json!(entry.manager.api_version));
                    if let Some(time) = &entry.time {
                        map.insert("time".into(), json!(time));
                    }
                    map.insert("fieldsType".into(), json!("FieldsV1"));
                    map.insert("fieldsV1".into(), entry.fields.to_fields_v1());
                    if !entry.manager.subresource.is_empty() {
                        map.insert("subresource".into(), json!(entry.manager.subresource));
                    }
                    Value::Object(map)
                })
                .collect(),
        )
    }

    /// Writes the entries into `metadata.managedFields` (removing it when there are none).
    pub fn write_to(&self, object: &mut Value) {
        let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
            return;
        };
        let value = self.to_value();
        if value.as_array().is_some_and(Vec::is_empty) {
            metadata.remove("managedFields");
        } else {
            metadata.insert("managedFields".into(), value);
        }
    }
}

fn entry(item: &Value) -> Result<Entry, String> {
    let text = |field: &str| {
        item.get(field)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let operation = match text("operation").as_str() {
        "Apply" => Operation::Apply,
        "Update" => Operation::Update,
        other => return Err(format!("unknown managedFields operation {other:?}")),
    };
    if !matches!(
        item.get("fieldsType").and_then(Value::as_str),
        Some("FieldsV1")
    ) {
        return Err("managedFields entries must have fieldsType FieldsV1".to_string());
    }
    let fields = FieldSet::from_fields_v1(item.get("fieldsV1").unwrap_or(&json!({})))?;
    Ok(Entry {
        manager: Manager::new(
            &text("manager"),
            operation,
            &text("apiVersion"),
            &text("subresource"),
        ),
        time: item.get("time").and_then(Value::as_str).map(str::to_string),
        fields,
    })
}
