//! Field ownership around the verbs: the field manager of a request (`fieldManager`, else the
//! User-Agent's product like the real server), the fields an endpoint does not write, and the
//! managedFields an update or create records.

use axum::http::header;
use serde_json::Value;

use super::common::Call;
use crate::managed::{self, FieldSet, ManagedFields, Manager, Operation, PathElement, Schema};
use crate::object::time;
use crate::registry::ResourceInfo;

/// How a write records who owns which fields.
#[derive(Clone, Debug)]
pub enum Ownership {
    /// A create, replace or non-apply patch by this field manager: it takes the fields it set.
    Update(String),
    /// Server-side apply already decided the owners.
    Decided(ManagedFields),
}

impl Call {
    /// The field manager of this request: `fieldManager`, else the User-Agent up to its first
    /// `/` (`kubectl/v1.32.4 (linux/amd64)` manages as `kubectl`).
    pub fn field_manager(&self) -> String {
        if let Some(manager) = self
            .query
            .field_manager
            .as_deref()
            .filter(|m| !m.is_empty())
        {
            return manager.to_string();
        }
        self.headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("")
            .to_string()
    }

    /// How an update through this request records ownership.
    pub fn ownership(&self) -> Ownership {
        Ownership::Update(self.field_manager())
    }
}

/// The fields a write through `subresource` does not own: `status` on the main resource of
/// kinds with a status subresource, `spec` on `/status`.
pub fn ignored_fields(info: &ResourceInfo, subresource: Option<&str>) -> FieldSet {
    let mut ignored = FieldSet::new();
    let status_is_separate = !info.custom || info.subresource("status").is_some();
    match subresource {
        Some("status") => ignored.insert(&[PathElement::Field("spec".into())]),
        _ if status_is_separate => ignored.insert(&[PathElement::Field("status".into())]),
        _ => {}
    }
    ignored
}

/// The managedFields after `before` became `after` through a write with `ownership`. `offered`
/// are managedFields the client sent (an update may set them directly).
pub fn record(
    info: &ResourceInfo,
    subresource: Option<&str>,
    before: &Value,
    after: &Value,
    offered: Option<ManagedFields>,
    ownership: &Ownership,
) -> ManagedFields {
    match ownership {
        Ownership::Decided(managed) => managed.clone(),
        Ownership::Update(name) => {
            let base = offered
                .filter(|offered| subresource.is_none() && !offered.entries.is_empty())
                .or_else(|| ManagedFields::of(before).ok())
                .unwrap_or_default();
            let schema = Schema::for_resource(info);
            let ignored = ignored_fields(info, subresource);
            let manager = Manager::new(
                name,
                Operation::Update,
                &info.api_version(),
                subresource.unwrap_or(""),
            );
            let now = time::now();
            managed::update(
                before,
                after,
                base,
                managed::Write {
                    manager: &manager,
                    ty: schema.root(),
                    ignored: &ignored,
                    now: &now,
                },
            )
        }
    }
}

/// The managedFields a client sent with an object, when readable.
pub fn offered(object: &Value) -> Option<ManagedFields> {
    ManagedFields::of(object).ok()
}
