//! Who owns what after a write: an update takes the fields it changed from everyone, an apply
//! merges its configuration, prunes what it stopped sending, and conflicts with other managers
//! over values it would change unless forced.

use serde_json::Value;

use super::compare::compare;
use super::entries::{Entry, ManagedFields, Manager};
use super::fieldset::{ensure_named, to_field_set, values_equal};
use super::merge::{merge, remove};
use super::path::{Path, PathElement};
use super::schema::Type;
use super::set::FieldSet;

/// One field another manager owns that an apply would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The other manager.
    pub manager: Manager,
    /// The field.
    pub path: Path,
}

/// The result of an apply.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The merged object (without `metadata.managedFields`).
    pub object: Value,
    /// The managers afterwards (the applier's time is not yet set).
    pub managed: ManagedFields,
    /// True when the object itself changed.
    pub changed: bool,
}

/// The parameters of one write.
#[derive(Clone, Copy, Debug)]
pub struct Write<'a> {
    /// Who writes.
    pub manager: &'a Manager,
    /// The type of the whole object.
    pub ty: Type<'a>,
    /// Fields this endpoint does not write (`status` on the main resource, `spec` on `/status`).
    pub ignored: &'a FieldSet,
    /// The time to record.
    pub now: &'a str,
}

/// The metadata fields nobody owns.
fn stripped() -> FieldSet {
    let mut set = FieldSet::new();
    let field = |name: &str| PathElement::Field(name.to_string());
    set.insert(&[field("apiVersion")]);
    set.insert(&[field("kind")]);
    set.insert(&[field("metadata")]);
    for name in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        set.insert(&[field("metadata"), field(name)]);
    }
    set
}

/// `object` without `metadata.managedFields`.
pub fn without_managed_fields(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
    object
}

/// The managers after `live` became `new` through an update by `write.manager`: everyone loses
/// the fields that changed or went away, and the updater gains what changed.
pub fn update(
    live: &Value,
    new: &Value,
    mut managed: ManagedFields,
    write: Write<'_>,
) -> ManagedFields {
    let live = without_managed_fields(live);
    let new = without_managed_fields(new);
    let comparison = compare(&live, &new, write.ty);
    let relevant = comparison.excluding(write.ignored);
    let changed = relevant.changed();
    for entry in &mut managed.entries {
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&relevant.removed);
    }
    let taken = comparison
        .changed()
        .recursive_difference(write.ignored)
        .difference(&stripped());
    if !taken.is_empty() {
        let previous = managed
            .get(write.manager)
            .map(|entry| entry.fields.clone())
            .unwrap_or_default();
        managed.put(Entry {
            manager: write.manager.clone(),
            time: Some(write.now.to_string()),
            fields: previous.union(&taken),
        });
    }
    managed.drop_empty();
    managed
}

/// Applies `config` to `live` for `write.manager`; with `force`, conflicting fields move to the
/// applier, otherwise they are returned as conflicts.
pub fn apply(
    live: &Value,
    config: &Value,
    mut managed: ManagedFields,
    write: Write<'_>,
    force: bool,
) -> Result<Applied, Vec<Conflict>> {
    let live = without_managed_fields(live);
    let merged = merge(&live, config, write.ty);
    let last = managed.get(write.manager).map(|entry| entry.fields.clone());
    let applied = to_field_set(config, write.ty).recursive_difference(write.ignored);
    let mut owned = applied.clone();
    for entry in &managed.entries {
        if !entry.manager.same(write.manager) {
            owned.union_with(&entry.fields);
        }
    }
    let merged = match &last {
        Some(last) if !last.is_empty() => prune(&merged, &owned, last, write.ty),
        _ => merged,
    };
    let comparison = compare(&live, &merged, write.ty).excluding(write.ignored);
    let changed = comparison.changed();
    let mut conflicts = Vec::new();
    for entry in managed
        .entries
        .iter()
        .filter(|entry| !entry.manager.same(write.manager))
    {
        conflicts.extend(
            entry
                .fields
                .intersection(&changed)
                .paths()
                .into_iter()
                .map(|path| Conflict {
                    manager: entry.manager.clone(),
                    path,
                }),
        );
    }
    if !force && !conflicts.is_empty() {
        conflicts.sort_by_key(|conflict| conflict.manager.identity());
        return Err(conflicts);
    }
    for entry in &mut managed.entries {
        if !entry.manager.same(write.manager) {
            entry.fields = entry
                .fields
                .difference(&changed)
                .difference(&comparison.removed);
        }
    }
    let previous_time = managed
        .get(write.manager)
        .and_then(|entry| entry.time.clone());
    let changed_object = !values_equal(&live, &merged);
    managed.put(Entry {
        manager: write.manager.clone(),
        time: match previous_time {
            Some(time) if !changed_object => Some(time),
            _ => Some(write.now.to_string()),
        },
        fields: applied.difference(&stripped()),
    });
    managed.drop_empty();
    Ok(Applied {
        object: merged,
        managed,
        changed: changed_object,
    })
}

/// Removes from `merged` what the applier owned last time and nobody owns now.
fn prune<'a>(merged: &'a Value, owned: &'a FieldSet, last: &'a FieldSet, ty: Type<'a>) -> Value {
    let last = ensure_named(last, ty);
    let first = remove(merged, &last, ty);
    let merged_set = ensure_named(&to_field_set(merged, ty), ty);
    let first_set = ensure_named(&to_field_set(&first, ty), ty);
    let owned = ensure_named(owned, ty);
    let kept_first = first_set.union(&owned);
    let second = remove(merged, &merged_set.difference(&kept_first), ty);
    let second_set = ensure_named(&to_field_set(&second, ty), ty);
    let dangling = merged_set.difference(&second_set).intersection(&last);
    remove(merged, &dangling, ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::entries::Operation;
    use crate::managed::schema::Schema;
    use crate::registry::{Lookup, Registry};
    use serde_json::json;

    fn schema() -> Schema {
        let Lookup::Found(info) = Registry::new().lookup("", "v1", "configmaps") else {
            panic!("configmaps are served");
        };
        Schema::for_resource(&info)
    }

    fn applier(name: &str) -> Manager {
        Manager::new(name, Operation::Apply, "v1", "")
    }

    fn config(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data})
    }

    #[test]
    fn fields_an_applier_stops_sending_are_pruned_unless_someone_else_owns_them() {
        let schema = schema();
        let ignored = FieldSet::new();
        let ferry = applier("ferry");
        let write = |manager| Write {
            manager,
            ty: schema.root(),
            ignored: &ignored,
            now: "2026-01-01T00:00:00Z",
        };
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        let first = apply(
            &live,
            &config(json!({"a": "1", "b": "2"})),
            ManagedFields::default(),
            write(&ferry),
            false,
        )
        .expect("no conflicts");
        let other = applier("other");
        let shared = apply(
            &first.object,
            &config(json!({"b": "2"})),
            first.managed,
            write(&other),
            false,
        )
        .expect("same value, no conflict");
        let second = apply(
            &shared.object,
            &config(json!({})),
            shared.managed,
            write(&ferry),
            false,
        )
        .expect("no conflicts");
        assert_eq!(second.object["data"], json!({"b": "2"}));
        assert_eq!(
            second
                .managed
                .get(&other)
                .map(|entry| entry.fields.to_fields_v1()),
            Some(json!({"f:data": {"f:b": {}}}))
        );
    }

    #[test]
    fn changing_a_value_another_applier_owns_conflicts_unless_forced() {
        let schema = schema();
        let ignored = FieldSet::new();
        let (ferry, other) = (applier("ferry"), applier("other"));
        let write = |manager| Write {
            manager,
            ty: schema.root(),
            ignored: &ignored,
            now: "2026-01-01T00:00:00Z",
        };
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        let first = apply(
            &live,
            &config(json!({"a": "1"})),
            ManagedFields::default(),
            write(&ferry),
            false,
        )
        .expect("no conflicts");
        let conflicts = apply(
            &first.object,
            &config(json!({"a": "2"})),
            first.managed.clone(),
            write(&other),
            false,
        )
        .expect_err("conflict");
        assert_eq!(path_text_of(&conflicts), vec![".data.a".to_string()]);
        let forced = apply(
            &first.object,
            &config(json!({"a": "2"})),
            first.managed,
            write(&other),
            true,
        )
        .expect("forced");
        assert!(forced.managed.get(&ferry).is_none());
        assert_eq!(forced.object["data"]["a"], "2");
    }

    fn path_text_of(conflicts: &[Conflict]) -> Vec<String> {
        conflicts
            .iter()
            .map(|conflict| super::super::path::path_text(&conflict.path))
            .collect()
    }

    #[test]
    fn an_update_takes_the_fields_it_adds_with_dots_for_new_maps() {
        let schema = schema();
        let ignored = FieldSet::new();
        let recorder = Manager::new("recorder", Operation::Update, "v1", "");
        let write = Write {
            manager: &recorder,
            ty: schema.root(),
            ignored: &ignored,
            now: "2026-01-01T00:00:00Z",
        };
        let empty = json!({"metadata": {"creationTimestamp": null}});
        let created =
            json!({"metadata": {"name": "c", "labels": {"app": "x"}}, "data": {"k": "v"}});
        let managed = update(&empty, &created, ManagedFields::default(), write);
        assert_eq!(
            managed.to_value()[0]["fieldsV1"],
            json!({"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}})
        );
    }
}
