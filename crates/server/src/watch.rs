//! Applications watched through the Kubernetes API: a list, then a watch from its
//! resourceVersion (listed again after a 410 or an error). Keeps the state's cache (for
//! `/metrics`, `/readyz` and webhook matching) and publishes each change on the live
//! stream.

use std::collections::BTreeMap;
use std::time::Duration;

use ferry_types::Application;
use futures_util::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, WatchEvent, WatchParams};
use serde_json::{Value, json};

use crate::api::summary;
use crate::state::{AppState, StreamEvent};

/// Pause after a failed list or watch.
const RETRY: Duration = Duration::from_secs(1);
/// Server-side timeout of one watch request.
const WATCH_TIMEOUT_SECONDS: u32 = 290;

/// The Application resource.
pub fn application_resource() -> ApiResource {
    ApiResource {
        group: "ferry.dev".into(),
        version: "v1alpha1".into(),
        api_version: ferry_types::FERRY_API_VERSION.into(),
        kind: "Application".into(),
        plural: "applications".into(),
    }
}

/// An Application as read through the dynamic API, typed.
pub fn parse_application(object: &DynamicObject) -> Option<Application> {
    let mut value = serde_json::to_value(object).ok()?;
    value["apiVersion"] = ferry_types::FERRY_API_VERSION.into();
    value["kind"] = "Application".into();
    let name = object.metadata.name.clone().unwrap_or_default();
    match Application::from_value(value, &format!("Application {name}")) {
        Ok((app, _warnings)) => Some(app),
        Err(error) => {
            eprintln!("server: {error}");
            None
        }
    }
}

fn key_of(app: &Application) -> (String, String) {
    (
        app.metadata.namespace.clone().unwrap_or_default(),
        app.metadata.name.clone(),
    )
}

fn change(kind: &str, app: &Application) -> StreamEvent {
    let mut data = json!({"type": kind});
    if let (Value::Object(data), Value::Object(summary)) = (&mut data, summary(app)) {
        data.extend(summary);
    }
    StreamEvent {
        event: "application",
        data,
    }
}

/// Lists and watches Applications until the server stops.
pub async fn run(state: AppState) {
    let mut shutdown = state.shutdown();
    let api: Api<DynamicObject> = match state.apps_namespace() {
        Some(namespace) => {
            Api::namespaced_with(state.kube().clone(), namespace, &application_resource())
        }
        None => Api::all_with(state.kube().clone(), &application_resource()),
    };
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stopped| *stopped) => return,
            () = list_and_watch(&state, &api) => {}
        }
        tokio::select! {
            _ = shutdown.wait_for(|stopped| *stopped) => return,
            () = tokio::time::sleep(RETRY) => {}
        }
    }
}

/// One list, then watches until one fails or the resourceVersion expires.
async fn list_and_watch(state: &AppState, api: &Api<DynamicObject>) {
    let list = match api.list(&ListParams::default()).await {
        Ok(list) => list,
        Err(error) => {
            // The CRD may not be installed yet: the controller installs it at start.
            if !matches!(&error, kube::Error::Api(status) if status.code == 404) {
                eprintln!("server: listing Applications: {error}");
            }
            return;
        }
    };
    let mut version = list.metadata.resource_version.clone().unwrap_or_default();
    let apps: BTreeMap<_, _> = list
        .items
        .iter()
        .filter_map(parse_application)
        .map(|app| (key_of(&app), app))
        .collect();
    let old = state.replace_apps(apps.clone()).await;
    for (key, app) in &apps {
        match old.get(key) {
            None => state.publish(change("ADDED", app)),
            Some(before) if before.metadata.resource_version != app.metadata.resource_version => {
                state.publish(change("MODIFIED", app));
            }
            Some(_) => {}
        }
    }
    for (key, app) in &old {
        if !apps.contains_key(key) {
            state.publish(change("DELETED", app));
        }
    }
    loop {
        let params = WatchParams::default().timeout(WATCH_TIMEOUT_SECONDS);
        let stream = match api.watch(&params, &version).await {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("server: watching Applications: {error}");
                return;
            }
        };
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            match event {
                Ok(WatchEvent::Added(object) | WatchEvent::Modified(object)) => {
                    if let Some(next) = object.metadata.resource_version.clone() {
                        version = next;
                    }
                    if let Some(app) = parse_application(&object) {
                        let kind = if state.cached_app(&key_of(&app)).await {
                            "MODIFIED"
                        } else {
                            "ADDED"
                        };
                        state.put_app(key_of(&app), Some(app.clone())).await;
                        state.publish(change(kind, &app));
                    }
                }
                Ok(WatchEvent::Deleted(object)) => {
                    if let Some(next) = object.metadata.resource_version.clone() {
                        version = next;
                    }
                    if let Some(app) = parse_application(&object) {
                        state.put_app(key_of(&app), None).await;
                        state.publish(change("DELETED", &app));
                    }
                }
                Ok(WatchEvent::Bookmark(bookmark)) => {
                    version = bookmark.metadata.resource_version;
                }
                Ok(WatchEvent::Error(status)) => {
                    if status.code != 410 {
                        eprintln!("server: watching Applications: {}", status.message);
                    }
                    return;
                }
                Err(error) => {
                    eprintln!("server: watching Applications: {error}");
                    return;
                }
            }
        }
    }
}
