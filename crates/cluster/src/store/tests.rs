use serde_json::json;

use super::*;

fn config_map(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}})
}

fn key(name: &str) -> ObjectKey {
    ObjectKey::new("", "configmaps", "default", name)
}

#[test]
fn writes_survive_a_restart_and_resource_versions_continue() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("store.redb");
    {
        let store = Store::open(&path, true, 16).unwrap_or_else(|e| panic!("open: {e}"));
        store
            .commit(
                &key("a"),
                Change::Put(config_map("a")),
                Precondition::Absent,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .commit(
                &key("b"),
                Change::Put(config_map("b")),
                Precondition::Absent,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .commit(&key("a"), Change::Delete, Precondition::Exists)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.resource_version(), 3);
    }
    let store = Store::open(&path, false, 16).unwrap_or_else(|e| panic!("reopen: {e}"));
    assert_eq!(store.resource_version(), 3);
    assert!(store.get(&key("a")).is_none());
    let b = store.get(&key("b")).unwrap_or_else(|| panic!("b is gone"));
    assert_eq!(b["metadata"]["resourceVersion"], "2");
    let next = store.commit(
        &key("c"),
        Change::Put(config_map("c")),
        Precondition::Absent,
    );
    assert_eq!(
        next.map(|object| object["metadata"]["resourceVersion"].clone())
            .ok(),
        Some(json!("4"))
    );
    assert!(matches!(
        store.events_since(0),
        Err(Error::Expired {
            requested: 0,
            oldest: 3
        })
    ));
}

#[test]
fn a_stale_resource_version_is_a_conflict_and_a_taken_name_already_exists() {
    let store = Store::in_memory(16).unwrap_or_else(|e| panic!("{e}"));
    store
        .commit(
            &key("a"),
            Change::Put(config_map("a")),
            Precondition::Absent,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .commit(
            &key("a"),
            Change::Put(config_map("a")),
            Precondition::ResourceVersion(1),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = store.commit(
        &key("a"),
        Change::Put(config_map("a")),
        Precondition::ResourceVersion(1),
    );
    assert!(matches!(stale, Err(Error::Conflict { current: 2 })));
    let again = store.commit(
        &key("a"),
        Change::Put(config_map("a")),
        Precondition::Absent,
    );
    assert!(matches!(again, Err(Error::AlreadyExists)));
    let missing = store.commit(&key("zz"), Change::Delete, Precondition::Exists);
    assert!(matches!(missing, Err(Error::NotFound)));
    assert_eq!(store.resource_version(), 2);
}

#[test]
fn lists_are_ordered_and_scoped_to_a_namespace() {
    let store = Store::in_memory(16).unwrap_or_else(|e| panic!("{e}"));
    for (namespace, name) in [("b", "x"), ("a", "z"), ("a", "y")] {
        let object = json!({"metadata": {"name": name, "namespace": namespace}});
        let key = ObjectKey::new("", "configmaps", namespace, name);
        store
            .commit(&key, Change::Put(object), Precondition::Absent)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let names = |items: Vec<Arc<Value>>| -> Vec<String> {
        items
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let type_key = TypeKey::new("", "configmaps");
    assert_eq!(names(store.list(&type_key, Some("a")).0), vec!["y", "z"]);
    assert_eq!(names(store.list(&type_key, None).0), vec!["y", "z", "x"]);
    assert_eq!(store.list(&type_key, None).1, 3);
}

#[test]
fn events_carry_the_previous_state_and_the_deletion_resource_version() {
    let store = Store::in_memory(16).unwrap_or_else(|e| panic!("{e}"));
    store
        .commit(
            &key("a"),
            Change::Put(config_map("a")),
            Precondition::Absent,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .commit(&key("a"), Change::Delete, Precondition::Exists)
        .unwrap_or_else(|e| panic!("{e}"));
    let events = store.events_since(0).unwrap_or_else(|e| panic!("{e}"));
    let kinds: Vec<EventType> = events.iter().map(|event| event.kind).collect();
    assert_eq!(kinds, vec![EventType::Added, EventType::Deleted]);
    assert_eq!(events[1].object["metadata"]["resourceVersion"], "2");
    assert!(events[1].previous.is_some());
}

#[test]
fn a_file_that_is_not_a_store_is_refused_as_corrupt() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("store.redb");
    std::fs::write(
        &path,
        b"this is not a database, just some bytes that are long enough to matter",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let error = Store::open(&path, false, 16)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("is corrupt"), "{error}");
}

#[test]
fn concurrent_writers_commit_in_groups_with_one_resource_version_each() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = Store::open(&dir.path().join("store.redb"), true, 1_000)
        .unwrap_or_else(|e| panic!("open: {e}"));
    std::thread::scope(|scope| {
        for writer in 0..16 {
            let store = store.clone();
            scope.spawn(move || {
                for index in 0..10 {
                    let name = format!("w{writer}-{index}");
                    store
                        .commit(
                            &key(&name),
                            Change::Put(config_map(&name)),
                            Precondition::Absent,
                        )
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            });
        }
    });
    assert_eq!(store.resource_version(), 160);
    let (items, _) = store.list(&TypeKey::new("", "configmaps"), None);
    let mut versions: Vec<u64> = items.iter().map(|item| resource_version_of(item)).collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=160).collect::<Vec<u64>>());
    // Racing updates of one object at the same resourceVersion: exactly one wins.
    let seen = store
        .get(&key("w0-0"))
        .map(|object| resource_version_of(&object))
        .unwrap_or(0);
    let outcomes: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                scope.spawn(move || {
                    store
                        .commit(
                            &key("w0-0"),
                            Change::Put(config_map("w0-0")),
                            Precondition::ResourceVersion(seen),
                        )
                        .is_ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or(false))
            .collect()
    });
    assert_eq!(outcomes.iter().filter(|won| **won).count(), 1);
}
