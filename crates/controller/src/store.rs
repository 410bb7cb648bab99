//! The Applications as a watch keeps them: one list-then-watch of `applications.ferry.dev`
//! (one namespace or all), parsed, in memory. The loop reads this instead of listing every
//! tick, and is woken on every change (a refresh annotation, an operation, a spec edit).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ferry_types::Application;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::apps::{application_resource, parse_application};
use crate::watch::{Update, watch};

/// Applications by (namespace, name).
pub type AppKey = (String, String);

/// The Applications by key; `None` until the first list arrived.
type Apps = Option<BTreeMap<AppKey, Arc<Application>>>;

/// The watched Applications.
pub struct AppStore {
    apps: Arc<Mutex<Apps>>,
    task: JoinHandle<()>,
}

impl Drop for AppStore {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl AppStore {
    /// Starts watching; `notify` is woken on every change.
    pub fn start(client: kube::Client, namespace: Option<String>, notify: Arc<Notify>) -> Self {
        let apps: Arc<Mutex<Apps>> = Arc::default();
        let shared = apps.clone();
        let task = tokio::spawn(watch(
            client,
            application_resource(),
            namespace,
            move |update| {
                {
                    let mut apps = shared.lock().unwrap_or_else(|poison| poison.into_inner());
                    apply(&mut apps, update);
                }
                notify.notify_one();
            },
        ));
        Self { apps, task }
    }

    /// Every Application, by namespace and name; `None` until the first list arrived.
    pub fn snapshot(&self) -> Option<Vec<Arc<Application>>> {
        let apps = self
            .apps
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        apps.as_ref().map(|apps| apps.values().cloned().collect())
    }
}

fn apply(apps: &mut Apps, update: Update) {
    match update {
        Update::Listed(objects) => {
            *apps = Some(
                objects
                    .iter()
                    .filter_map(parse)
                    .map(|app| (key_of(&app), Arc::new(app)))
                    .collect(),
            );
        }
        Update::Applied(object) => {
            if let (Some(apps), Some(app)) = (apps.as_mut(), parse(&object)) {
                apps.insert(key_of(&app), Arc::new(app));
            }
        }
        Update::Deleted(object) => {
            if let Some(apps) = apps.as_mut() {
                apps.remove(&object_key(&object));
            }
        }
    }
}

fn parse(object: &Value) -> Option<Application> {
    let object: kube::api::DynamicObject = serde_json::from_value(object.clone()).ok()?;
    match parse_application(&object) {
        Ok(app) => Some(app),
        Err(error) => {
            eprintln!("controller: {error}");
            None
        }
    }
}

/// The (namespace, name) of an app.
pub fn key_of(app: &Application) -> AppKey {
    (
        app.metadata.namespace.clone().unwrap_or_default(),
        app.metadata.name.clone(),
    )
}

/// The (namespace, name) of an object as a watch reports it.
pub(crate) fn object_key(object: &Value) -> AppKey {
    let text = |field: &str| object["metadata"][field].as_str().unwrap_or("").to_string();
    (text("namespace"), text("name"))
}
