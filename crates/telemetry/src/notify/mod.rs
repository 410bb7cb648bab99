//! Outgoing notifications. Targets (generic JSON or Slack webhooks) are configured in the
//! `ferry-notifications` ConfigMap of the server's namespace (`config`); signals become
//! [`Notification`]s (`payload`) that wait in a bounded queue — a full queue drops with a log
//! line, so reconciliation never waits — and one task delivers them, retrying with backoff
//! (`deliver`). The ConfigMap is read again when its copy is older than
//! [`Options::refresh`], only when there is something to deliver.

mod config;
mod deliver;
mod payload;

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use ferry_controller::Signal;
use tokio::sync::{broadcast, mpsc};

pub use config::{
    CONFIG_MAP, EventKind, Format, MAX_TARGETS, TARGETS_KEY, Target, load, parse_targets,
};
pub use deliver::{RetryPolicy, deliver, mask_url};
pub use payload::{MAX_LISTED_OBJECTS, Notification, generic, slack};

/// How notifications are configured and delivered.
#[derive(Debug, Clone)]
pub struct Options {
    /// The ConfigMap's name.
    pub config_map: String,
    /// How old the targets read from it may get before they are read again.
    pub refresh: Duration,
    /// Notifications waiting at most; more are dropped with a log line.
    pub queue_capacity: usize,
    /// Retries and timeouts.
    pub retry: RetryPolicy,
    /// After shutdown, how long queued notifications may still be delivered.
    pub drain: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            config_map: CONFIG_MAP.to_string(),
            refresh: Duration::from_secs(10),
            queue_capacity: 256,
            retry: RetryPolicy::default(),
            drain: Duration::from_secs(5),
        }
    }
}

/// Delivers notifications for `receiver`'s signals, with targets from the
/// `ferry-notifications` ConfigMap in `namespace`, until `shutdown` completes or the channel
/// closes.
pub async fn run(
    kube: kube::Client,
    namespace: String,
    receiver: broadcast::Receiver<Signal>,
    shutdown: impl Future<Output = ()>,
) {
    run_with(kube, namespace, receiver, shutdown, Options::default()).await;
}

/// [`run`] with explicit [`Options`].
pub async fn run_with(
    kube: kube::Client,
    namespace: String,
    mut receiver: broadcast::Receiver<Signal>,
    shutdown: impl Future<Output = ()>,
    options: Options,
) {
    let client = match deliver::client(&options.retry) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("notifications disabled: {error}");
            return;
        }
    };
    let (queue, pending) = mpsc::channel(options.queue_capacity.max(1));
    let mut worker = tokio::spawn(work(kube, namespace, client, pending, options.clone()));
    tokio::pin!(shutdown);
    loop {
        let signal = tokio::select! {
            () = &mut shutdown => break,
            received = receiver.recv() => received,
        };
        match signal {
            Ok(signal) => {
                let Some(notification) = Notification::from_signal(&signal, SystemTime::now())
                else {
                    continue;
                };
                if let Err(mpsc::error::TrySendError::Full(dropped)) = queue.try_send(notification)
                {
                    eprintln!(
                        "notification queue full ({}): dropped {} of {}/{}",
                        options.queue_capacity,
                        dropped.event.as_str(),
                        dropped.namespace,
                        dropped.app
                    );
                }
            }
            Err(broadcast::error::RecvError::Lagged(lost)) => {
                eprintln!("notifications fell behind: {lost} controller signals not seen");
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
    drop(queue);
    if tokio::time::timeout(options.drain, &mut worker)
        .await
        .is_err()
    {
        worker.abort();
    }
}

/// Targets read from the ConfigMap, and when.
struct Cache {
    targets: Vec<Target>,
    read_at: Option<Instant>,
}

async fn work(
    kube: kube::Client,
    namespace: String,
    client: reqwest::Client,
    mut pending: mpsc::Receiver<Notification>,
    options: Options,
) {
    let mut cache = Cache {
        targets: Vec::new(),
        read_at: None,
    };
    while let Some(notification) = pending.recv().await {
        let stale = cache
            .read_at
            .is_none_or(|read_at| read_at.elapsed() >= options.refresh);
        if stale {
            match load(&kube, &namespace, &options.config_map).await {
                Ok(targets) => cache.targets = targets,
                // Keep the last good targets; say why once per refresh.
                Err(error) => eprintln!("notifications: {error}"),
            }
            cache.read_at = Some(Instant::now());
        }
        let mut deliveries = tokio::task::JoinSet::new();
        for target in &cache.targets {
            if !target.wants(notification.event, &notification.app) {
                continue;
            }
            let payload = match target.format {
                Format::Generic => generic(&notification),
                Format::Slack => slack(&notification),
            };
            let (client, target, retry) = (client.clone(), target.clone(), options.retry);
            deliveries.spawn(async move {
                if let Err(error) = deliver(&client, &target, &payload, &retry).await {
                    eprintln!("notification not delivered: {error}");
                }
            });
        }
        while deliveries.join_next().await.is_some() {}
    }
}
