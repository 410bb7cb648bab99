//! WATCH: a chunked stream of `{"type","object"}` lines. Starts from a resourceVersion (resuming
//! from the event log, or a 410 Expired ERROR event when it is too old), from the current state
//! (synthetic ADDED events), or as a streaming list (`sendInitialEvents`, ending with the
//! initial-events-end BOOKMARK). Honours selectors (objects leaving a label selector arrive as
//! DELETED), bookmarks, `timeoutSeconds` and server shutdown. Every loop is bounded by the timeout.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::common::{Call, served};
use super::list::{self, Selection, list_options_forbidden};
use super::negotiate::{self, Output};
use super::status::ApiError;
use crate::error::Error;
use crate::registry::ResourceInfo;
use crate::store::{Event, EventType, Store};
use crate::table::{self, Include};

/// Where the stream starts.
enum Start {
    /// Synthetic ADDED events for the current state, then changes.
    Current { initial_events_end: bool },
    /// Changes after this resourceVersion.
    After(u64),
}

struct Watcher {
    store: Store,
    info: Arc<ResourceInfo>,
    namespace: Option<String>,
    selection: Selection,
    bookmarks: bool,
    sender: mpsc::Sender<Bytes>,
    /// `Some` when the client asked for Tables (`kubectl get -w`): each object event carries a
    /// one-row Table, the first one with the column definitions.
    table: Option<Include>,
    tables_sent: AtomicBool,
}

/// Handles a watch.
pub async fn handle(call: Call) -> Result<Response, ApiError> {
    call.allow("watch")?;
    let requested = list::resource_version(&call.query)?;
    let send_initial_events = call.query.send_initial_events.unwrap_or(false);
    match call.query.resource_version_match.as_deref() {
        None | Some("") => {
            if send_initial_events {
                return Err(list_options_forbidden(
                    "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                ));
            }
        }
        Some(_) if call.query.send_initial_events.is_none() => {
            return Err(list_options_forbidden(
                "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
            ));
        }
        Some("NotOlderThan") => {}
        Some(_) => {
            return Err(list_options_forbidden(
                "resourceVersionMatch must be set to NotOlderThan when sendInitialEvents is provided",
            ));
        }
    }
    let selection = Selection::parse(&call.info, &call.query)?;
    let timeout = call
        .query
        .timeout_seconds
        .as_deref()
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .map(Duration::from_secs)
        .unwrap_or(call.state.limits.watch_timeout)
        .min(call.state.limits.watch_timeout.max(Duration::from_secs(1)));
    let start = match (send_initial_events, requested) {
        (true, _) => Start::Current {
            initial_events_end: true,
        },
        (false, None | Some(0)) => Start::Current {
            initial_events_end: false,
        },
        (false, Some(version)) => Start::After(version),
    };
    let table = match negotiate::output(&call.headers, true)? {
        Output::Table => Some(Include::parse(call.query.include_object.as_deref())),
        _ => None,
    };
    let (sender, receiver) = mpsc::channel::<Bytes>(256);
    let watcher = Watcher {
        store: call.state.store.clone(),
        info: call.info.clone(),
        namespace: call.namespace.clone(),
        selection,
        bookmarks: call.query.allow_watch_bookmarks,
        sender,
        table,
        tables_sent: AtomicBool::new(false),
    };
    let shutdown = call.state.shutdown_signal();
    let bookmark_interval = call.state.limits.bookmark_interval;
    tokio::spawn(watcher.run(start, Instant::now() + timeout, bookmark_interval, shutdown));
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|bytes| (Ok::<Bytes, Infallible>(bytes), receiver))
    });
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(response)
}

impl Watcher {
    async fn send(&self, kind: &str, object: &Value) -> bool {
        let printed;
        let object = match self.table {
            Some(include) if kind != "BOOKMARK" && kind != "ERROR" => {
                let mut metadata = serde_json::Map::new();
                if let Some(version) = object.pointer("/metadata/resourceVersion") {
                    metadata.insert("resourceVersion".into(), version.clone());
                }
                let mut one_row =
                    table::table(&self.info, std::slice::from_ref(object), include, metadata);
                if self.tables_sent.swap(true, Ordering::Relaxed) {
                    one_row["columnDefinitions"] = Value::Null;
                }
                printed = one_row;
                &printed
            }
            _ => object,
        };
        let mut line =
            serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
        line.push(b'\n');
        self.sender.send(Bytes::from(line)).await.is_ok()
    }

    async fn bookmark(&self, resource_version: u64, initial_events_end: bool) -> bool {
        let mut metadata = json!({"resourceVersion": resource_version.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({"kind": self.info.kind, "apiVersion": self.info.api_version(), "metadata": metadata});
        self.send("BOOKMARK", &object).await
    }

    fn in_scope(&self, event: &Event) -> bool {
        event.key.type_key() == self.info.type_key()
            && self
                .namespace
                .as_deref()
                .is_none_or(|namespace| namespace == event.key.namespace)
    }

    /// The event as this watcher sees it (selector transitions applied), if it sees it at all.
    /// An object that stops matching arrives as DELETED with its previous content stamped with
    /// the new resourceVersion, as the real watch cache sends it.
    fn translate(&self, event: &Event) -> Option<(&'static str, Value)> {
        let now = self.selection.matches(&event.object);
        let before = event
            .previous
            .as_deref()
            .is_some_and(|previous| self.selection.matches(previous));
        let current = || served(&event.object, &self.info);
        match event.kind {
            EventType::Added => now.then(|| ("ADDED", current())),
            EventType::Deleted => (now || before).then(|| ("DELETED", current())),
            EventType::Modified => match (before, now) {
                (true, true) => Some(("MODIFIED", current())),
                (true, false) => {
                    let mut previous = served(
                        event.previous.as_deref().unwrap_or(&event.object),
                        &self.info,
                    );
                    if let Some(metadata) =
                        previous.get_mut("metadata").and_then(Value::as_object_mut)
                    {
                        metadata.insert(
                            "resourceVersion".into(),
                            json!(event.resource_version.to_string()),
                        );
                    }
                    Some(("DELETED", previous))
                }
                (false, true) => Some(("ADDED", current())),
                (false, false) => None,
            },
        }
    }

    async fn run(
        self,
        start: Start,
        deadline: Instant,
        bookmark_interval: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut changes = self.store.subscribe();
        changes.borrow_and_update();
        let mut last = match start {
            Start::After(version) => version,
            Start::Current { initial_events_end } => {
                let (items, version) = self
                    .store
                    .list(&self.info.type_key(), self.namespace.as_deref());
                for item in items.iter().filter(|item| self.selection.matches(item)) {
                    if !self.send("ADDED", &served(item, &self.info)).await {
                        return;
                    }
                }
                if initial_events_end && self.bookmarks && !self.bookmark(version, true).await {
                    return;
                }
                version
            }
        };
        let mut next_bookmark = Instant::now() + bookmark_interval;
        loop {
            match self.store.events_since(last) {
                Err(Error::Expired { requested, oldest }) => {
                    let status = ApiError::new(
                        410,
                        "Expired",
                        format!("too old resource version: {requested} ({oldest})"),
                    );
                    let _ = self.send("ERROR", &status.body()).await;
                    return;
                }
                Err(_) => return,
                Ok(events) => {
                    for event in events {
                        last = event.resource_version;
                        if !self.in_scope(&event) {
                            continue;
                        }
                        if let Some((kind, object)) = self.translate(&event)
                            && !self.send(kind, &object).await
                        {
                            return;
                        }
                    }
                }
            }
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    if self.bookmarks {
                        let _ = self.bookmark(last, false).await;
                    }
                    return;
                }
                _ = tokio::time::sleep_until(next_bookmark), if self.bookmarks => {
                    next_bookmark = Instant::now() + bookmark_interval;
                    if !self.bookmark(last, false).await {
                        return;
                    }
                }
                _ = shutdown.changed() => return,
                _ = self.sender.closed() => return,
            }
        }
    }
}
