//! Watching one resource type: list, then watch from the list's resourceVersion, resuming
//! from the last version seen when the watch ends or drops, and listing again on 410 Gone
//! (or any error of the watch request), with a capped backoff between failed attempts. What
//! it sees goes to a callback as [`Update`]s; the task runs until it is aborted.

use std::time::Duration;

use futures_util::TryStreamExt;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, WatchEvent, WatchParams};
use serde_json::Value;

/// Objects per list page.
const PAGE_SIZE: u32 = 500;
/// The server ends a watch after this many seconds; it is resumed at once.
const WATCH_TIMEOUT_SECONDS: u32 = 290;
/// First wait after a failed list or watch; doubles up to [`BACKOFF_CAP`].
const BACKOFF_START: Duration = Duration::from_millis(100);
/// Longest wait between two attempts.
const BACKOFF_CAP: Duration = Duration::from_secs(10);

/// What a watch saw.
#[derive(Debug, Clone)]
pub(crate) enum Update {
    /// A full list: every object of the type now (after a start or a 410).
    Listed(Vec<Value>),
    /// An object was created or changed.
    Applied(Value),
    /// An object was deleted (the object as it was, its resourceVersion the deletion's).
    Deleted(Value),
}

/// Lists and watches `resource` (in `namespace`, or all namespaces), forever: run it in a
/// task and abort the task to stop it.
pub(crate) async fn watch(
    client: kube::Client,
    resource: ApiResource,
    namespace: Option<String>,
    mut sink: impl FnMut(Update) + Send,
) {
    let api: Api<DynamicObject> = match &namespace {
        Some(namespace) => Api::namespaced_with(client, namespace, &resource),
        None => Api::all_with(client, &resource),
    };
    let label = format!("{}/{}", resource.api_version, resource.plural);
    let mut backoff = BACKOFF_START;
    loop {
        let (objects, mut version) = match list(&api).await {
            Ok(listed) => listed,
            Err(error) => {
                eprintln!(
                    "controller: listing {label} for its watch: {error}; retrying in {backoff:?}"
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_CAP);
                continue;
            }
        };
        backoff = BACKOFF_START;
        sink(Update::Listed(objects));
        // Watch from `version` until the server says it is too old (relist) or the watch
        // request itself fails too often.
        loop {
            match watch_once(&api, &mut version, &mut sink).await {
                Ended::Timeout => backoff = BACKOFF_START,
                Ended::Dropped(error) => {
                    eprintln!(
                        "controller: watch of {label} dropped: {error}; resuming in {backoff:?}"
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
                Ended::Gone => break,
            }
        }
    }
}

/// How one watch request ended.
enum Ended {
    /// The server closed it (its timeout): resume from the last version.
    Timeout,
    /// A connection or server error: resume from the last version after a pause.
    Dropped(String),
    /// 410 Gone (the version is older than the server keeps), or the request was refused:
    /// list again.
    Gone,
}

async fn watch_once(
    api: &Api<DynamicObject>,
    version: &mut String,
    sink: &mut (impl FnMut(Update) + Send),
) -> Ended {
    let params = WatchParams::default().timeout(WATCH_TIMEOUT_SECONDS);
    let params = WatchParams {
        bookmarks: true,
        ..params
    };
    let stream = match api.watch(&params, version).await {
        Ok(stream) => stream,
        Err(kube::Error::Api(status)) if status.code == 410 => return Ended::Gone,
        Err(error) => return Ended::Dropped(error.to_string()),
    };
    futures_util::pin_mut!(stream);
    loop {
        let event = match stream.try_next().await {
            Ok(Some(event)) => event,
            Ok(None) => return Ended::Timeout,
            Err(error) => return Ended::Dropped(error.to_string()),
        };
        match event {
            WatchEvent::Added(object) | WatchEvent::Modified(object) => {
                remember(version, &object);
                sink(Update::Applied(to_value(&object)));
            }
            WatchEvent::Deleted(object) => {
                remember(version, &object);
                sink(Update::Deleted(to_value(&object)));
            }
            WatchEvent::Bookmark(bookmark) => {
                *version = bookmark.metadata.resource_version;
            }
            WatchEvent::Error(status) if status.code == 410 => return Ended::Gone,
            WatchEvent::Error(status) => return Ended::Dropped(status.message.clone()),
        }
    }
}

fn remember(version: &mut String, object: &DynamicObject) {
    if let Some(seen) = &object.metadata.resource_version {
        version.clone_from(seen);
    }
}

/// Every object, page by page, and the list's resourceVersion to watch from.
async fn list(api: &Api<DynamicObject>) -> kube::Result<(Vec<Value>, String)> {
    let mut objects = Vec::new();
    let mut continue_token: Option<String> = None;
    // Bounded: a list of more than a million pages is not a list.
    for _ in 0..1_000_000 {
        let mut params = ListParams::default().limit(PAGE_SIZE);
        params.continue_token = continue_token.take();
        let page = api.list(&params).await?;
        objects.extend(page.items.iter().map(to_value));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => continue_token = Some(token),
            _ => return Ok((objects, page.metadata.resource_version.unwrap_or_default())),
        }
    }
    Ok((objects, String::new()))
}

fn to_value(object: &DynamicObject) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}

/// A resourceVersion as a number (Kubernetes' and the local cluster's are); 0 when not.
pub(crate) fn version_number(object: &Value) -> u64 {
    object["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|version| version.parse().ok())
        .unwrap_or(0)
}
